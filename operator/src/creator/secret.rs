//! The Secrets a `Creator` owns (the owner invitation, the database credentials): labelled as
//! the operator's, so its watch sees them, and owned by the Creator, so they go with it.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::api::ObjectMeta;
use kube::{Resource, ResourceExt};

use crate::crd::Creator;

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
