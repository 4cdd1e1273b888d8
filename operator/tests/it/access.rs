//! `spec.databaseAccess`: a tenant role that logs in with the credentials of its Secret and sees
//! only its own rows; the Secret made again with the same credential; rotation by annotation;
//! switched off, the role is gone.

use std::time::Duration;

use k8s_openapi::api::core::v1::Secret;
use kube::Api;
use kube::api::{DeleteParams, Patch, PatchParams};
use serde_json::json;
use sqlx::Connection;
use uuid::Uuid;

use crate::support::{Operator, condition, ready};

fn field(secret: &Secret, key: &str) -> String {
    String::from_utf8(secret.data.as_ref().unwrap()[key].0.clone()).unwrap()
}

async fn secret_until(api: &Api<Secret>, name: &str, check: impl Fn(&Secret) -> bool) -> Secret {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(secret) = api.get_opt(name).await.unwrap().filter(|s| check(s)) {
            return secret;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "Secret {name} never as expected"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn visible_creators(uri: &str) -> Result<Vec<Uuid>, sqlx::Error> {
    let mut conn = sqlx::PgConnection::connect(uri).await?;
    let seen = sqlx::query_scalar("SELECT id FROM creators")
        .fetch_all(&mut conn)
        .await;
    let _ = conn.close().await;
    seen
}

#[tokio::test]
async fn a_tenant_role_logs_in_sees_only_its_rows_and_survives_a_deleted_secret() {
    let op = Operator::start("op-access").await;
    let slug = format!("db-{:08x}", Uuid::new_v4().as_u128() as u32);
    op.create(
        "analyst",
        &slug,
        json!({"databaseAccess": {"enabled": true}}),
    )
    .await;
    let creator = op.until("analyst", "Ready", ready).await;
    let status = creator.status.clone().unwrap();
    assert_eq!(
        condition(&creator, "DatabaseReady").as_deref(),
        Some("True")
    );
    let id = Uuid::parse_str(status.creator_id.as_deref().unwrap()).unwrap();
    let name = status.credentials_secret.unwrap();
    let secrets: Api<Secret> = Api::namespaced(op.ns.client(), op.ns.name());
    let secret = secrets.get(&name).await.unwrap();
    assert_eq!(field(&secret, "username"), status.database_role.unwrap());
    let uri = field(&secret, "uri");
    assert_eq!(
        visible_creators(&uri).await.unwrap(),
        [id],
        "the role sees only its creator"
    );

    secrets
        .delete(&name, &DeleteParams::default())
        .await
        .unwrap();
    let again = secret_until(&secrets, &name, |_| true).await;
    assert_eq!(
        field(&again, "password"),
        field(&secret, "password"),
        "the same credential"
    );
    assert_eq!(visible_creators(&uri).await.unwrap(), [id]);

    let rotate = json!({"metadata": {"annotations": {"coachai.dev/rotate-credentials": "1"}}});
    op.api
        .patch("analyst", &PatchParams::default(), &Patch::Merge(&rotate))
        .await
        .unwrap();
    let rotated = secret_until(&secrets, &name, |s| {
        field(s, "password") != field(&secret, "password")
    })
    .await;
    assert_eq!(
        visible_creators(&field(&rotated, "uri")).await.unwrap(),
        [id]
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while visible_creators(&uri).await.is_ok() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "without a Deployment using the Secret the old credential is retired at once"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_ne!(
        field(&rotated, "username"),
        field(&secret, "username"),
        "the new credential is the other slot's role"
    );

    let off = json!({"spec": {"databaseAccess": {"enabled": false}}});
    op.api
        .patch("analyst", &PatchParams::default(), &Patch::Merge(&off))
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while secrets.get_opt(&name).await.unwrap().is_some() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the credentials Secret stayed"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        visible_creators(&field(&rotated, "uri")).await.is_err(),
        "the role is gone"
    );
}
