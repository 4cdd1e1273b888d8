//! Tenant isolation, proven against PostgreSQL itself: every tenant table, as `coachai_app`.

use coachai_common::tenancy::{CreatorId, Db, TenantTx};
use sqlx::Row;
use uuid::Uuid;

use crate::support::{app_pool, db, new_creator, owner_pool};

/// One row in every tenant table for `creator`. A new tenant table must get a line here, or
/// `every_tenant_table_is_covered_by_the_fixture` fails.
const SEED: &[&str] = &[
    "INSERT INTO users (id, creator_id, email, role) VALUES ($2, $1, 'owner@example.com', 'owner')",
    "INSERT INTO refresh_tokens (creator_id, user_id, family_id, token_hash, expires_at)
         VALUES ($1, $2, gen_random_uuid(), gen_random_bytes(32), now() + interval '1 day')",
    "INSERT INTO api_keys (creator_id, created_by, name, prefix, key_hash)
         VALUES ($1, $2, 'ci', encode(gen_random_bytes(8), 'hex'), gen_random_bytes(32))",
    "INSERT INTO invitations (creator_id, email, role, token_hash, invited_by, expires_at)
         VALUES ($1, 'client@example.com', 'client', gen_random_bytes(32), $2, now() + interval '1 day')",
    "INSERT INTO content_items (id, creator_id, title, kind) VALUES ($3, $1, 'Notes', 'note')",
    "INSERT INTO content_chunks (creator_id, content_id, chunk_index, body)
         VALUES ($1, $3, 0, 'breathing exercises calm the nervous system')",
    "INSERT INTO ingestion_jobs (creator_id, content_id) VALUES ($1, $3)",
    "INSERT INTO conversations (id, creator_id, user_id) VALUES ($4, $1, $2)",
    "INSERT INTO messages (creator_id, conversation_id, role, body) VALUES ($1, $4, 'user', 'hi')",
    "INSERT INTO prompt_templates (creator_id, name, version, body) VALUES ($1, 'chat', 1, 'x')",
    "INSERT INTO prompt_template_activations (creator_id, name, version) VALUES ($1, 'chat', 1)",
    "INSERT INTO channel_connections (creator_id, kind, name) VALUES ($1, 'web', 'site')",
    "INSERT INTO audit_log (creator_id, action) VALUES ($1, 'test.seed')",
    "INSERT INTO api_keys (id, creator_id, created_by, name, prefix, key_hash)
         VALUES ($3, $1, $2, 'integration', encode(gen_random_bytes(6), 'hex'), gen_random_bytes(32))",
    "INSERT INTO channel_integrations (id, creator_id, kind, name, inbound_secret, api_key, api_key_id, user_id)
         VALUES ($3, $1, 'telegram', 'bot', gen_random_bytes(40), gen_random_bytes(40), $3, $2)",
    "INSERT INTO channel_chats (creator_id, integration_id, external_chat, conversation_id)
         VALUES ($1, $3, '42', $4)",
    "INSERT INTO channel_inbound (creator_id, integration_id, dedupe_key, external_chat, body)
         VALUES ($1, $3, '1', '42', 'hi')",
    "INSERT INTO channel_deliveries (creator_id, integration_id, external_chat, batch, part, body)
         VALUES ($1, $3, '42', gen_random_uuid(), 0, 'hello')",
];

async fn seed(db: &Db, creator: CreatorId) {
    let (user, content, conversation) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let mut tx = db.begin_for(creator).await.unwrap();
    for statement in SEED {
        sqlx::query(statement)
            .bind(creator.0)
            .bind(user)
            .bind(content)
            .bind(conversation)
            .execute(tx.conn())
            .await
            .unwrap_or_else(|e| panic!("seeding failed: {e}\n{statement}"));
    }
    tx.commit().await.unwrap();
}

/// Every table in `public` that has a `creator_id` column.
async fn tenant_tables(db: &Db) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'creator_id' AND NOT a.attisdropped
          WHERE c.relkind IN ('r', 'p') ORDER BY 1",
    )
    .fetch_all(db.preauth())
    .await
    .unwrap()
}

async fn count(tx: &mut TenantTx, table: &str, filter: &str) -> i64 {
    let sql = format!("SELECT count(*) FROM {table} WHERE {filter}");
    sqlx::query_scalar(&sql)
        .bind(tx.creator().0)
        .fetch_one(tx.conn())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_tenant_transaction_never_returns_another_tenants_rows() {
    let db = db().await;
    let (a, b) = (new_creator(&db).await, new_creator(&db).await);
    seed(&db, a).await;
    seed(&db, b).await;
    let tables = tenant_tables(&db).await;
    assert!(
        tables.len() >= 13,
        "expected every tenant table, got {tables:?}"
    );
    let mut tx = db.begin_for(a).await.unwrap();
    for table in &tables {
        assert!(
            count(&mut tx, table, "creator_id = $1").await >= 1,
            "{table}: own rows visible"
        );
        assert_eq!(
            count(&mut tx, table, "creator_id <> $1").await,
            0,
            "{table} leaks rows"
        );
    }
}

#[tokio::test]
async fn every_tenant_table_is_covered_by_the_fixture() {
    let db = db().await;
    let fixture: String = SEED.concat();
    for table in tenant_tables(&db).await {
        let covered = table == "creators" || fixture.contains(&format!("INTO {table} "));
        assert!(
            covered,
            "tenant table {table} has no row in the RLS fixture (SEED)"
        );
    }
}

#[tokio::test]
async fn inserting_a_row_for_another_creator_is_rejected_by_with_check() {
    let db = db().await;
    let (a, b) = (new_creator(&db).await, new_creator(&db).await);
    let mut tx = db.begin_for(a).await.unwrap();
    let err =
        sqlx::query("INSERT INTO content_items (creator_id, title, kind) VALUES ($1, 'x', 'note')")
            .bind(b.0)
            .execute(tx.conn())
            .await
            .unwrap_err();
    let code = err
        .as_database_error()
        .and_then(|e| e.code())
        .map(|c| c.into_owned());
    assert_eq!(code.as_deref(), Some("42501"), "{err}");
    assert_eq!(coachai_common::db::classify(err).status().as_u16(), 404);
}

#[tokio::test]
async fn updating_a_row_into_another_tenant_is_rejected() {
    let db = db().await;
    let (a, b) = (new_creator(&db).await, new_creator(&db).await);
    seed(&db, a).await;
    let mut tx = db.begin_for(a).await.unwrap();
    let result = sqlx::query("UPDATE channel_connections SET creator_id = $1")
        .bind(b.0)
        .execute(tx.conn())
        .await;
    assert!(result.is_err(), "moving a row to another tenant must fail");
}

#[tokio::test]
async fn the_app_role_without_a_tenant_sees_zero_rows() {
    let db = db().await;
    let creator = new_creator(&db).await;
    seed(&db, creator).await;
    let pool = app_pool().await;
    for table in tenant_tables(&db).await {
        let sql = format!("SELECT count(*) FROM {table}");
        let visible: i64 = sqlx::query_scalar(&sql).fetch_one(&pool).await.unwrap();
        assert_eq!(visible, 0, "{table} is visible without a tenant");
    }
}

#[tokio::test]
async fn the_tenant_setting_does_not_survive_its_transaction() {
    let db = db().await;
    let creator = new_creator(&db).await;
    seed(&db, creator).await;
    let pool = app_pool().await;
    let mut conn = pool.acquire().await.unwrap();
    let mut tx = sqlx::Connection::begin(&mut *conn).await.unwrap();
    sqlx::query("SELECT set_config('app.current_creator_id', $1, true)")
        .bind(creator.0.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM content_items")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(
        after, 0,
        "the same pooled connection must not keep the tenant"
    );
}

#[tokio::test]
async fn every_tenant_table_has_forced_rls_and_a_policy() {
    let db = db().await;
    let rows = sqlx::query(
        "SELECT c.relname::text AS name, c.relrowsecurity, c.relforcerowsecurity,
                (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
           FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
          WHERE c.relkind IN ('r', 'p')
            AND EXISTS (SELECT 1 FROM pg_attribute a
                         WHERE a.attrelid = c.oid AND a.attname = 'creator_id' AND NOT a.attisdropped)",
    )
    .fetch_all(db.preauth())
    .await
    .unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        let name: String = row.get("name");
        assert!(
            row.get::<bool, _>("relrowsecurity"),
            "{name}: RLS not enabled"
        );
        assert!(
            row.get::<bool, _>("relforcerowsecurity"),
            "{name}: RLS not forced"
        );
        assert!(row.get::<i64, _>("policies") >= 1, "{name}: no policy");
    }
}

#[tokio::test]
async fn the_app_role_owns_nothing_and_cannot_bypass_rls() {
    let db = db().await;
    let (bypass, superuser): (bool, bool) =
        sqlx::query_as("SELECT rolbypassrls, rolsuper FROM pg_roles WHERE rolname = current_user")
            .fetch_one(db.preauth())
            .await
            .unwrap();
    assert!(!bypass && !superuser);
    let owned: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)",
    )
    .fetch_one(db.preauth())
    .await
    .unwrap();
    assert_eq!(owned, 0, "coachai_app must own no relation");
}

#[tokio::test]
async fn the_migration_owner_without_a_tenant_sees_zero_rows() {
    let db = db().await;
    let creator = new_creator(&db).await;
    seed(&db, creator).await;
    let owner = owner_pool().await;
    for table in tenant_tables(&db).await {
        let sql = format!("SELECT count(*) FROM {table}");
        let visible: i64 = sqlx::query_scalar(&sql).fetch_one(&owner).await.unwrap();
        assert_eq!(
            visible, 0,
            "{table} is visible to the owner without a tenant"
        );
    }
}

#[tokio::test]
async fn the_lookup_functions_still_answer_the_app_role() {
    let db = db().await;
    let creator = new_creator(&db).await;
    seed(&db, creator).await;
    let mut tx = db.begin_for(creator).await.unwrap();
    let (slug, user): (String, Uuid) = sqlx::query_as(
        "SELECT c.slug::text, u.id FROM creators c JOIN users u ON u.creator_id = c.id",
    )
    .fetch_one(tx.conn())
    .await
    .unwrap();
    drop(tx);
    let by_slug: Option<Uuid> = sqlx::query_scalar("SELECT app_creator_by_slug($1)")
        .bind(&slug)
        .fetch_one(db.preauth())
        .await
        .unwrap();
    assert_eq!(by_slug, Some(creator.0));
    let login: (Uuid, Uuid) = sqlx::query_as("SELECT * FROM app_login_lookup($1, $2)")
        .bind(&slug)
        .bind("OWNER@example.com")
        .fetch_one(db.preauth())
        .await
        .unwrap();
    assert_eq!(login, (creator.0, user));
}
