//! The Secrets a `Creator` owns (the owner invitation, the database credentials): labelled as
//! the operator's, so its watch sees them, and owned by the Creator, so they go with it. The
//! credentials Secret says since when it holds its credential (a hand-over's start).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::api::ObjectMeta;
use kube::{Resource, ResourceExt};

use super::access::Access;
use crate::crd::Creator;

/// The credentials Secret's annotation: when its credential was written.
pub const ROTATED_AT: &str = "coachai.dev/rotated-at";

/// An Opaque Secret `name` in `creator`'s namespace, owned by it, holding `fields`.
pub fn owned_secret(creator: &Creator, name: &str, fields: Vec<(&str, String)>) -> Secret {
    let data: BTreeMap<String, ByteString> = fields
        .into_iter()
        .map(|(k, v)| (k.to_owned(), ByteString(v.into_bytes())))
        .collect();
    Secret {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            namespace: creator.namespace(),
            owner_references: creator.controller_owner_ref(&()).map(|r| vec![r]),
            labels: Some(BTreeMap::from([(
                "app.kubernetes.io/managed-by".to_owned(),
                crate::context::MANAGER.to_owned(),
            )])),
            ..ObjectMeta::default()
        },
        data: Some(data),
        type_: Some("Opaque".into()),
        ..Secret::default()
    }
}

/// The credentials Secret of `access` (connecting at `url`), written at `now`.
pub fn credentials(
    creator: &Creator,
    access: &Access,
    url: &url::Url,
    now: DateTime<Utc>,
) -> Secret {
    let fields = vec![
        ("username", access.role.clone()),
        ("password", access.password.clone()),
        ("host", url.host_str().unwrap_or_default().to_owned()),
        ("port", url.port().unwrap_or(5432).to_string()),
        ("database", url.path().trim_start_matches('/').to_owned()),
        ("uri", url.to_string()),
    ];
    let mut secret = owned_secret(creator, &access.secret, fields);
    secret.metadata.annotations = Some([(ROTATED_AT.to_owned(), now.to_rfc3339())].into());
    secret
}

/// The text of `key` in `secret`.
pub fn field(secret: &Secret, key: &str) -> Option<String> {
    let value = secret.data.as_ref()?.get(key)?;
    String::from_utf8(value.0.clone()).ok()
}

/// When the Secret's credential was written: its annotation, else its creation.
pub fn written_at(secret: &Secret) -> Option<DateTime<Utc>> {
    let annotated = secret.annotations().get(ROTATED_AT);
    let parsed = annotated.and_then(|t| DateTime::parse_from_rfc3339(t).ok());
    parsed.map(|t| t.with_timezone(&Utc)).or_else(|| {
        let created = secret.metadata.creation_timestamp.as_ref()?;
        DateTime::from_timestamp(created.0.as_second(), 0)
    })
}
