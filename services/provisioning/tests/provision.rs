//! Provisioning against the real PostgreSQL of the local stack.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use coachai_common::tenancy::Db;
use coachai_provisioning::{
    ProvisionError, ProvisionStep, ProvisionedTenant, Provisioner, TenantSpec, slugify,
};
use futures::future::BoxFuture;
use tokio::sync::OnceCell;

static MIGRATED: OnceCell<()> = OnceCell::const_new();

async fn db() -> Db {
    let env = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
    MIGRATED
        .get_or_init(|| async {
            let owner = env(
                "MIGRATION_DATABASE_URL",
                "postgres://coachai_owner:coachai_owner@127.0.0.1:54329/coachai",
            );
            coachai_common::db::migrate(&owner).await.unwrap();
        })
        .await;
    let url = env(
        "DATABASE_URL",
        "postgres://coachai_app:coachai_app@127.0.0.1:54329/coachai",
    );
    Db::new(coachai_common::db::connect(&url, 2).await.unwrap())
}

fn spec() -> TenantSpec {
    TenantSpec {
        slug: Some(format!("p-{:016x}", rand::random::<u64>())),
        display_name: "Provisioned".into(),
        owner_email: "owner@example.com".into(),
        owner_password_hash: None,
    }
}

struct Counting(Arc<AtomicUsize>, Result<(), String>);

impl ProvisionStep for Counting {
    fn name(&self) -> &'static str {
        "counting"
    }
    fn apply<'a>(&'a self, _: &'a ProvisionedTenant) -> BoxFuture<'a, Result<(), String>> {
        self.0.fetch_add(1, Ordering::SeqCst);
        let outcome = self.1.clone();
        Box::pin(async move { outcome })
    }
}

#[tokio::test]
async fn a_tenant_gets_its_creator_row_and_owner_visible_only_inside_it() {
    let db = db().await;
    let runs = Arc::new(AtomicUsize::new(0));
    let provisioner = Provisioner::new().with_step(Counting(runs.clone(), Ok(())));
    let valid = spec().validate().unwrap();
    let made = provisioner.provision(&db, &valid).await.unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    let mut tx = db.begin_for(made.creator_id).await.unwrap();
    let (slug, owner): (String, uuid::Uuid) = sqlx::query_as(
        "SELECT c.slug::text, u.id FROM creators c JOIN users u ON u.creator_id = c.id WHERE u.role = 'owner'",
    )
    .fetch_one(tx.conn())
    .await
    .unwrap();
    assert_eq!(slug, made.slug);
    assert_eq!(owner, made.owner_user_id);

    let other = provisioner
        .provision(&db, &spec().validate().unwrap())
        .await
        .unwrap();
    let mut tx = db.begin_for(other.creator_id).await.unwrap();
    let visible: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(tx.conn())
        .await
        .unwrap();
    assert_eq!(visible, 1, "another tenant's owner is invisible");
}

#[tokio::test]
async fn a_taken_slug_is_refused_and_a_failing_step_is_named() {
    let db = db().await;
    let valid = spec().validate().unwrap();
    Provisioner::new().provision(&db, &valid).await.unwrap();
    let again = Provisioner::new().provision(&db, &valid).await.unwrap_err();
    assert!(
        matches!(again, ProvisionError::SlugTaken(ref s) if s == valid.slug()),
        "{again}"
    );

    let failing = Provisioner::new().with_step(Counting(Arc::default(), Err("chroma down".into())));
    let err = failing
        .provision(&db, &spec().validate().unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ProvisionError::Step {
                step: "counting",
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn creators_with_the_same_name_get_free_slugs_unless_one_was_chosen() {
    let db = db().await;
    let name = format!("Coach {:016x}", rand::random::<u64>());
    let derived = TenantSpec {
        slug: None,
        display_name: name.clone(),
        ..spec()
    };
    let mut made = Vec::new();
    for _ in 0..3 {
        let valid = derived.validate().unwrap();
        made.push(Provisioner::new().provision(&db, &valid).await.unwrap());
    }
    assert_eq!(made[0].slug, slugify(&name));
    for other in &made[1..] {
        assert!(
            other.slug.starts_with(&format!("{}-", made[0].slug)),
            "{}",
            other.slug
        );
    }
    assert!(made[1].slug != made[2].slug && made[0].slug != made[1].slug);
    for tenant in &made {
        let found: Option<uuid::Uuid> = sqlx::query_scalar("SELECT app_creator_by_slug($1)")
            .bind(&tenant.slug)
            .fetch_one(db.preauth())
            .await
            .unwrap();
        assert_eq!(found, Some(tenant.creator_id.0), "{}", tenant.slug);
    }

    let chosen = TenantSpec {
        slug: Some(made[0].slug.clone()),
        ..derived
    };
    let err = Provisioner::new()
        .provision(&db, &chosen.validate().unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProvisionError::SlugTaken(ref s) if *s == made[0].slug),
        "{err}"
    );
}
