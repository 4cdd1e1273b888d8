//! Credential endpoints are rate limited per account and per client address.

use serde_json::json;

use crate::harness::App;

#[tokio::test]
async fn repeated_failed_logins_hit_the_account_limit_with_retry_after() {
    let app = App::new().await;
    let owner = app.signup().await;
    let limit = coachai_auth::routes::LOGIN_PER_ACCOUNT.max;
    for _ in 0..limit {
        app.login(&owner.slug, &owner.email, "wrong password, again")
            .await
            .problem(401);
    }
    let limited = app
        .login(&owner.slug, &owner.email, "wrong password, again")
        .await
        .problem(429);
    let retry: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=15 * 60).contains(&retry), "{retry}");
    assert_eq!(
        limited.body["type"],
        "https://coachai.dev/problems/rate-limited"
    );
    // Even the right password waits: the lockout is per account, for the window only.
    app.login(&owner.slug, &owner.email, &owner.password)
        .await
        .problem(429);
}

#[tokio::test]
async fn signups_are_limited_per_client_address() {
    let app = App::new().await;
    let limit = coachai_auth::routes::SIGNUP_PER_IP.max;
    let bad = json!({"email": "x@example.com", "password": "short", "creator_name": "N"});
    for _ in 0..limit {
        app.post("/signup", &bad, None).await.problem(422);
    }
    let limited = app.post("/signup", &bad, None).await.problem(429);
    assert!(limited.headers.contains_key("retry-after"));
}
