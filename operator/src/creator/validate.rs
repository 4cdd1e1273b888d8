//! Validate: what the API server's schema cannot check, pure — the spec as the provisioning
//! library's tenant request, and the tenant id (the object's UID, so a retry never makes a
//! second tenant).

use coachai_common::tenancy::CreatorId;
use coachai_provisioning::{ProvisionError, TenantSpec, ValidTenant};
use kube::ResourceExt;
use uuid::Uuid;

use crate::crd::Creator;

/// Why a `Creator` cannot be provisioned as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidCreator {
    /// The object has no UID yet (not stored by the API server).
    #[error("the object has no uid")]
    NoUid,
    /// The spec breaks a rule of the platform (reserved slug, ...).
    #[error("{0}")]
    Spec(String),
}

/// The tenant a valid `Creator` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// The tenant's id.
    pub id: CreatorId,
    /// The tenant request.
    pub tenant: ValidTenant,
}

/// Checks `creator` and turns it into the tenant request.
pub fn wanted(creator: &Creator) -> Result<Wanted, InvalidCreator> {
    let uid = creator.uid().ok_or(InvalidCreator::NoUid)?;
    let id = Uuid::parse_str(&uid).map_err(|_| InvalidCreator::NoUid)?;
    let spec = TenantSpec {
        slug: Some(creator.spec.slug.clone()),
        display_name: creator.spec.display_name.clone(),
        owner_email: creator.spec.owner.email.clone(),
        owner_password_hash: None,
    };
    let tenant = spec.validate().map_err(describe)?;
    Ok(Wanted {
        id: CreatorId(id),
        tenant,
    })
}

fn describe(error: ProvisionError) -> InvalidCreator {
    match error {
        ProvisionError::Invalid(fields) => InvalidCreator::Spec(
            fields
                .iter()
                .map(|f| format!("spec.{}: {}", camel(&f.field), f.message))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => InvalidCreator::Spec(other.to_string()),
    }
}

/// The CRD's name of a provisioning field (`display_name` → `displayName`).
fn camel(field: &str) -> String {
    match field {
        "display_name" => "displayName".into(),
        "owner_email" => "owner.email".into(),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crd::{CreatorSpec, Owner};

    fn creator(slug: &str, uid: Option<&str>) -> Creator {
        let mut creator = Creator::new(
            "c",
            CreatorSpec {
                display_name: "Coach".into(),
                slug: slug.into(),
                owner: Owner {
                    email: "coach@example.com".into(),
                },
                plan: Default::default(),
                models: Default::default(),
                quotas: Default::default(),
                allowed_origins: vec![],
                suspended: false,
                database_access: Default::default(),
            },
        );
        creator.metadata.uid = uid.map(str::to_owned);
        creator
    }

    #[test]
    fn the_tenant_id_is_the_objects_uid() {
        let uid = Uuid::new_v4().to_string();
        let wanted = wanted(&creator("kettlebell", Some(&uid))).unwrap();
        assert_eq!(wanted.id.0.to_string(), uid);
        assert_eq!(wanted.tenant.slug(), "kettlebell");
    }

    #[test]
    fn a_reserved_slug_is_refused_naming_the_field() {
        let uid = Uuid::new_v4().to_string();
        let refused = wanted(&creator("admin", Some(&uid))).unwrap_err();
        assert!(refused.to_string().contains("spec.slug"), "{refused}");
    }

    #[test]
    fn an_object_without_uid_is_not_provisioned() {
        assert_eq!(
            wanted(&creator("kettlebell", None)),
            Err(InvalidCreator::NoUid)
        );
    }
}
