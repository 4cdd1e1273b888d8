//! Tenant provisioning: the one code path that turns a creator request into a working tenant,
//! used by sign-up, by the operator and by tests, so Kubernetes or not, a tenant is made the
//! same way.
//!
//! The pipeline is: validate the request (pure, [`TenantSpec::validate`]) → create the creator
//! row and its owner in one tenant transaction ([`Provisioner::provision`]; a derived slug that
//! is taken is retried with a random suffix, a chosen one is a conflict) → run the further
//! [`ProvisionStep`]s (a per-creator DB role, the Chroma collection, model pulls are added by
//! later work through [`Provisioner::with_step`]).

mod owner;
mod rows;
mod spec;

use std::sync::Arc;

use coachai_common::tenancy::{CreatorId, Db};
use coachai_common::{AppError, FieldError};
use futures::future::BoxFuture;
use uuid::Uuid;

pub use owner::{OwnerAccess, OwnerInvitation, invite_owner, owner_access};
pub use spec::{TenantSpec, ValidTenant, slugify};

/// How many suffixed variants of a taken derived slug are tried before giving up.
const DERIVED_SLUG_RETRIES: usize = 4;

/// Why a tenant could not be provisioned.
#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    /// The request is invalid; each field says what to fix.
    #[error("invalid tenant request")]
    Invalid(Vec<FieldError>),
    /// Another creator already uses the slug the requester chose (or, against all odds, every
    /// variant of a derived one).
    #[error("the slug `{0}` is already taken")]
    SlugTaken(String),
    /// The database refused or failed.
    #[error(transparent)]
    Database(#[from] AppError),
    /// A further step failed; the creator row exists and the step can be retried.
    #[error("provisioning step `{step}` failed: {reason}")]
    Step {
        /// The step's name.
        step: &'static str,
        /// Why it failed.
        reason: String,
    },
}

impl From<ProvisionError> for AppError {
    fn from(err: ProvisionError) -> Self {
        match err {
            ProvisionError::Invalid(fields) => AppError::Validation(fields),
            ProvisionError::SlugTaken(_) => AppError::Conflict(err.to_string()),
            ProvisionError::Database(inner) => inner,
            ProvisionError::Step { .. } => AppError::internal(err),
        }
    }
}

/// What [`Provisioner::ensure`] found or made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ensured {
    /// The tenant.
    pub tenant: ProvisionedTenant,
    /// True when this call created its rows.
    pub created: bool,
}

/// What provisioning made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionedTenant {
    /// The new tenant.
    pub creator_id: CreatorId,
    /// The owner user.
    pub owner_user_id: Uuid,
    /// The creator's slug (as stored, lower case).
    pub slug: String,
}

/// A step that runs after the creator row exists (DB role, Chroma collection, model pulls).
/// Steps must be idempotent: a failed provisioning is retried from the first step.
pub trait ProvisionStep: Send + Sync {
    /// A short name for logs and errors.
    fn name(&self) -> &'static str;
    /// Brings the tenant's part owned by this step into being.
    fn apply<'a>(&'a self, tenant: &'a ProvisionedTenant) -> BoxFuture<'a, Result<(), String>>;
}

/// Provisions tenants; cheap to clone and share.
#[derive(Clone, Default)]
pub struct Provisioner {
    steps: Vec<Arc<dyn ProvisionStep>>,
}

impl std::fmt::Debug for Provisioner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self.steps.iter().map(|s| s.name()).collect();
        f.debug_struct("Provisioner")
            .field("steps", &names)
            .finish()
    }
}

impl Provisioner {
    /// A provisioner that creates the database rows only.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a step that runs, in order, after the rows are committed.
    pub fn with_step(mut self, step: impl ProvisionStep + 'static) -> Self {
        self.steps.push(Arc::new(step));
        self
    }

    /// Creates the creator and its owner in one tenant transaction, then runs every step.
    ///
    /// The transaction first sets `app.current_creator_id` to the freshly generated id, so the
    /// RLS `WITH CHECK` of each insert verifies the rows belong to the new tenant. A slug
    /// derived from the display name that another creator has is retried as
    /// [`ValidTenant::with_slug_suffix`]; only a slug the requester chose answers
    /// [`ProvisionError::SlugTaken`].
    pub async fn provision(
        &self,
        db: &Db,
        tenant: &ValidTenant,
    ) -> Result<ProvisionedTenant, ProvisionError> {
        let provisioned = create_with_free_slug(db, tenant).await?;
        tracing::info!(creator_id = %provisioned.creator_id, slug = %provisioned.slug, "tenant created");
        self.run_steps(&provisioned).await?;
        Ok(provisioned)
    }

    /// The tenant `creator` as `tenant` describes it, safe to repeat (the operator keys it by
    /// its object's UID, so a retry never makes a second tenant): the rows are created when
    /// missing, otherwise found; then every step runs. A chosen slug another creator has →
    /// [`ProvisionError::SlugTaken`]; a stored slug other than `tenant`'s →
    /// [`ProvisionError::Invalid`] (slugs never change).
    pub async fn ensure(
        &self,
        db: &Db,
        tenant: &ValidTenant,
        creator: CreatorId,
    ) -> Result<Ensured, ProvisionError> {
        let (provisioned, created) = match existing(db, creator).await? {
            Some(found) if found.slug != tenant.slug() => {
                return Err(ProvisionError::Invalid(vec![FieldError {
                    field: "slug".into(),
                    message: format!("the tenant's slug is `{}` and cannot change", found.slug),
                }]));
            }
            Some(found) => (found, false),
            None => (create_rows_as(db, tenant, creator).await?, true),
        };
        self.run_steps(&provisioned).await?;
        Ok(Ensured {
            tenant: provisioned,
            created,
        })
    }

    async fn run_steps(&self, tenant: &ProvisionedTenant) -> Result<(), ProvisionError> {
        for step in &self.steps {
            if let Err(reason) = step.apply(tenant).await {
                return Err(ProvisionError::Step {
                    step: step.name(),
                    reason,
                });
            }
        }
        Ok(())
    }
}

/// Creates the rows, trying suffixed variants of a derived slug while it is taken. The unique
/// index is the judge (RLS hides other creators' slugs, and a check before the insert would
/// race anyway).
async fn create_with_free_slug(
    db: &Db,
    tenant: &ValidTenant,
) -> Result<ProvisionedTenant, ProvisionError> {
    let mut candidate = tenant.clone();
    let mut retries = 0;
    loop {
        match create_rows(db, &candidate).await {
            Err(ProvisionError::SlugTaken(taken))
                if !tenant.slug_is_chosen() && retries < DERIVED_SLUG_RETRIES =>
            {
                tracing::debug!(%taken, "derived slug taken; trying a variant");
                retries += 1;
                candidate = tenant.with_slug_suffix();
            }
            outcome => return outcome,
        }
    }
}

async fn create_rows(db: &Db, tenant: &ValidTenant) -> Result<ProvisionedTenant, ProvisionError> {
    create_rows_as(db, tenant, CreatorId(Uuid::new_v4())).await
}

/// The tenant `creator` as stored, if it exists.
async fn existing(
    db: &Db,
    creator: CreatorId,
) -> Result<Option<ProvisionedTenant>, ProvisionError> {
    let mut tx = db.begin_for(creator).await?;
    let row: Option<(String, Uuid)> = sqlx::query_as(
        "SELECT c.slug::text, u.id FROM creators c
           JOIN users u ON u.creator_id = c.id AND u.role = 'owner'
          WHERE c.id = $1 ORDER BY u.created_at LIMIT 1",
    )
    .bind(creator.0)
    .fetch_optional(tx.conn())
    .await
    .map_err(AppError::from)?;
    tx.commit().await?;
    Ok(row.map(|(slug, owner_user_id)| ProvisionedTenant {
        creator_id: creator,
        owner_user_id,
        slug,
    }))
}

async fn create_rows_as(
    db: &Db,
    tenant: &ValidTenant,
    creator: CreatorId,
) -> Result<ProvisionedTenant, ProvisionError> {
    let mut tx = db.begin_for(creator).await?;
    rows::insert_creator(&mut tx, tenant).await?;
    let owner_user_id = rows::insert_owner(&mut tx, tenant).await?;
    rows::audit(&mut tx, tenant).await?;
    tx.commit().await?;
    Ok(ProvisionedTenant {
        creator_id: creator,
        owner_user_id,
        slug: tenant.slug().to_owned(),
    })
}
