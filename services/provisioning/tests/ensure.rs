//! What the operator relies on, against the real PostgreSQL of the local stack: a tenant keyed
//! by a given id is made once however often it is ensured, and its owner is handed over with an
//! invitation whose token is returned once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../tests/shared/test_db.rs"]
mod test_db;

use std::time::Duration;

use coachai_common::tenancy::{CreatorId, Db};
use coachai_provisioning::{OwnerAccess, ProvisionError, Provisioner, TenantSpec, ValidTenant};
use uuid::Uuid;

async fn db() -> Db {
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://coachai_app:coachai_app@127.0.0.1:54329/coachai".into());
    test_db::migrated(&url, 4).await
}

fn tenant(slug: &str) -> ValidTenant {
    TenantSpec {
        slug: Some(slug.into()),
        display_name: "Operator Made".into(),
        owner_email: "owner@example.com".into(),
        owner_password_hash: None,
    }
    .validate()
    .unwrap()
}

fn fresh_slug() -> String {
    format!("op-{:012x}", rand::random::<u64>() >> 16)
}

#[tokio::test]
async fn ensuring_a_tenant_twice_makes_it_once_under_the_given_id() {
    let db = db().await;
    let (id, slug) = (CreatorId(Uuid::new_v4()), fresh_slug());
    let first = Provisioner::new()
        .ensure(&db, &tenant(&slug), id)
        .await
        .unwrap();
    let second = Provisioner::new()
        .ensure(&db, &tenant(&slug), id)
        .await
        .unwrap();
    assert!(first.created);
    assert!(!second.created);
    assert_eq!(first.tenant, second.tenant);
    assert_eq!(first.tenant.creator_id, id);
    let mut tx = db.begin_for(id).await.unwrap();
    let owners: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'owner'")
        .fetch_one(tx.conn())
        .await
        .unwrap();
    assert_eq!(owners, 1);
}

#[tokio::test]
async fn a_tenant_keeps_its_slug() {
    let db = db().await;
    let id = CreatorId(Uuid::new_v4());
    Provisioner::new()
        .ensure(&db, &tenant(&fresh_slug()), id)
        .await
        .unwrap();
    let changed = Provisioner::new()
        .ensure(&db, &tenant(&fresh_slug()), id)
        .await;
    assert!(
        matches!(changed, Err(ProvisionError::Invalid(ref fields)) if fields[0].field == "slug")
    );
}

#[tokio::test]
async fn another_tenants_slug_is_taken() {
    let db = db().await;
    let slug = fresh_slug();
    Provisioner::new()
        .ensure(&db, &tenant(&slug), CreatorId(Uuid::new_v4()))
        .await
        .unwrap();
    let taken = Provisioner::new()
        .ensure(&db, &tenant(&slug), CreatorId(Uuid::new_v4()))
        .await;
    assert!(
        matches!(taken, Err(ProvisionError::SlugTaken(_))),
        "{taken:?}"
    );
}

#[tokio::test]
async fn the_owner_is_invited_once_and_a_new_invitation_withdraws_the_old() {
    let db = db().await;
    let id = CreatorId(Uuid::new_v4());
    Provisioner::new()
        .ensure(&db, &tenant(&fresh_slug()), id)
        .await
        .unwrap();
    assert_eq!(
        coachai_provisioning::owner_access(&db, id).await.unwrap(),
        OwnerAccess::Uninvited
    );
    let ttl = Duration::from_secs(3600);
    let first = coachai_provisioning::invite_owner(&db, id, ttl)
        .await
        .unwrap();
    let OwnerAccess::Invited { invitation, .. } =
        coachai_provisioning::owner_access(&db, id).await.unwrap()
    else {
        panic!("no pending invitation")
    };
    assert_eq!(invitation, first.id);
    let second = coachai_provisioning::invite_owner(&db, id, ttl)
        .await
        .unwrap();
    assert_ne!(first.token, second.token);
    let mut tx = db.begin_for(id).await.unwrap();
    let pending: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM invitations WHERE accepted_at IS NULL")
            .fetch_all(tx.conn())
            .await
            .unwrap();
    assert_eq!(
        pending,
        [second.id],
        "only the newest owner invitation works"
    );
}
