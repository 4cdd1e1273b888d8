//! Tenant isolation of the queue: a claim works only in its own creator's transaction, the app
//! role sees no other tenant's jobs outside the claim function, and that function returns ids.

use std::time::Duration;

use coachai_ingestion::{QueueError, RetryPolicy, complete, fail};

use crate::support::{claim_job, content_row, content_with_jobs, db, job_row, new_creator, serial};

#[tokio::test]
async fn a_claim_of_one_creator_changes_nothing_in_another_creators_transaction() {
    let _serial = serial().await;
    let db = db().await;
    let (a, b) = (new_creator(&db).await, new_creator(&db).await);
    let (content_a, job_a) = content_with_jobs(&db, a, 1).await[0];
    content_with_jobs(&db, b, 1).await;
    let claim = claim_job(&db, job_a, Duration::from_secs(30)).await;
    assert_eq!(claim.creator(), a);

    let mut in_b = db.begin_for(b).await.unwrap();
    let err = complete(&mut in_b, &claim).await.unwrap_err();
    assert!(matches!(err, QueueError::WrongTenant { .. }), "{err}");
    let err = fail(&mut in_b, &claim, "x", &RetryPolicy::default())
        .await
        .unwrap_err();
    assert!(matches!(err, QueueError::WrongTenant { .. }), "{err}");
    let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM ingestion_jobs WHERE id = $1")
        .bind(job_a.0)
        .fetch_one(in_b.conn())
        .await
        .unwrap();
    assert_eq!(seen, 0, "creator B's transaction sees creator A's job");
    let updated = sqlx::query("UPDATE ingestion_jobs SET status = 'succeeded' WHERE id = $1")
        .bind(job_a.0)
        .execute(in_b.conn())
        .await
        .unwrap()
        .rows_affected();
    let marked = sqlx::query("UPDATE content_items SET status = 'ready' WHERE id = $1")
        .bind(content_a)
        .execute(in_b.conn())
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(
        (updated, marked),
        (0, 0),
        "creator B's transaction changed creator A's rows"
    );
    in_b.commit().await.unwrap();

    assert_eq!(
        job_row(&db, a, job_a).await,
        ("running".to_owned(), 1, Some(claim.lease_token()))
    );
    assert_eq!(
        content_row(&db, a, content_a).await,
        ("pending".to_owned(), None)
    );
    let mut in_a = db.begin_for(a).await.unwrap();
    complete(&mut in_a, &claim).await.unwrap();
    in_a.commit().await.unwrap();
}

#[tokio::test]
async fn the_app_role_without_a_tenant_can_neither_read_nor_update_jobs() {
    // Claim loops of other tests would take this test's due job; wait for them to finish.
    let _serial = serial().await;
    let db = db().await;
    let creator = new_creator(&db).await;
    let (_, job) = content_with_jobs(&db, creator, 1).await[0];
    let visible: i64 = sqlx::query_scalar("SELECT count(*) FROM ingestion_jobs")
        .fetch_one(db.preauth())
        .await
        .unwrap();
    let updated = sqlx::query("UPDATE ingestion_jobs SET status = 'failed'")
        .execute(db.preauth())
        .await
        .unwrap()
        .rows_affected();
    assert_eq!((visible, updated), (0, 0));
    assert_eq!(job_row(&db, creator, job).await.0, "queued");
}

#[tokio::test]
async fn the_claim_function_returns_ids_only_and_only_the_app_role_may_call_it() {
    let db = db().await;
    let (result, owner, app, lookup, public): (String, String, bool, bool, bool) = sqlx::query_as(
        "SELECT pg_get_function_result(p.oid), pg_get_userbyid(p.proowner)::text,
                has_function_privilege('coachai_app', p.oid, 'EXECUTE'),
                has_function_privilege('coachai_lookup', p.oid, 'EXECUTE'),
                has_function_privilege('public', p.oid, 'EXECUTE')
           FROM pg_proc p WHERE p.proname = 'app_claim_ingestion_job'",
    )
    .fetch_one(db.preauth())
    .await
    .unwrap();
    assert_eq!(
        result,
        "TABLE(job_id uuid, creator_id uuid, content_id uuid, kind text, attempt integer, \
         lease_token uuid)"
    );
    assert_eq!(
        (owner.as_str(), app, lookup, public),
        ("coachai_queue", true, false, false)
    );
    let (login, bypass, owner_member): (bool, bool, bool) = sqlx::query_as(
        "SELECT rolcanlogin, rolbypassrls, pg_has_role('coachai_owner', oid, 'MEMBER')
           FROM pg_roles WHERE rolname = 'coachai_queue'",
    )
    .fetch_one(db.preauth())
    .await
    .unwrap();
    assert_eq!((login, bypass, owner_member), (false, false, false));
}
