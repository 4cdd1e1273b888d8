//! Credential endpoints are rate limited per account and per client address.

use std::net::{IpAddr, Ipv6Addr};

use serde_json::json;

use crate::harness::{App, random_slug};

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

/// A failed login of an unknown account, so only the per-address limit can refuse it.
async fn unknown_login(app: &App) -> u16 {
    let slug = random_slug();
    let reply = app
        .login(
            &slug,
            &format!("nobody@{slug}.example.com"),
            "wrong password, again",
        )
        .await;
    reply.status.as_u16()
}

/// Two callers in one random /64 of the documentation prefix and one in the next /64.
fn ipv6_neighbours(app: &App) -> (App, App, App) {
    let [a, b]: [u16; 2] = rand::random();
    let host = |net: u16, low: [u16; 4]| {
        let [e, f, g, h] = low;
        IpAddr::V6(Ipv6Addr::new(0x2001, 0x0db8, a, net, e, f, g, h))
    };
    (
        app.from(host(b & !1, [0, 0, 0, 1])),
        app.from(host(b & !1, [0xffff, 0xffff, 0xffff, 0xfffe])),
        app.from(host(b | 1, [0, 0, 0, 1])),
    )
}

#[tokio::test]
async fn ipv6_clients_of_one_64_share_the_login_budget_and_another_64_does_not() {
    let app = App::new().await;
    let (first, neighbour, elsewhere) = ipv6_neighbours(&app);
    let limit = coachai_auth::routes::LOGIN_PER_IP.max;
    for attempt in 0..limit {
        let caller = if attempt % 2 == 0 { &first } else { &neighbour };
        assert_eq!(
            unknown_login(caller).await,
            401,
            "attempt {attempt} from {}",
            caller.ip
        );
    }
    assert_eq!(
        unknown_login(&first).await,
        429,
        "the /64's budget is spent"
    );
    assert_eq!(
        unknown_login(&neighbour).await,
        429,
        "the neighbour shares it"
    );
    assert_eq!(
        unknown_login(&elsewhere).await,
        401,
        "another /64 has its own"
    );
}

#[tokio::test]
async fn sign_up_and_refresh_key_ipv6_clients_by_their_64_too() {
    let app = App::new().await;
    // Fresh refresh tokens each time, so only the per-address limit can refuse them.
    let bad_signup = || json!({"email": "x@example.com", "password": "short", "creator_name": "N"});
    let unknown_token = || json!({"refresh_token": random_slug()});
    let cases: [(&str, &dyn Fn() -> serde_json::Value, u32, u16); 2] = [
        (
            "/signup",
            &bad_signup,
            coachai_auth::routes::SIGNUP_PER_IP.max,
            422,
        ),
        (
            "/refresh",
            &unknown_token,
            coachai_auth::routes::REFRESH_PER_IP.max,
            401,
        ),
    ];
    for (path, body, limit, refused_before) in cases {
        let (first, neighbour, elsewhere) = ipv6_neighbours(&app);
        for attempt in 0..limit {
            let caller = if attempt % 2 == 0 { &first } else { &neighbour };
            caller
                .post(path, &body(), None)
                .await
                .problem(refused_before);
        }
        neighbour.post(path, &body(), None).await.problem(429);
        elsewhere
            .post(path, &body(), None)
            .await
            .problem(refused_before);
    }
}
