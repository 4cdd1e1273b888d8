//! Password hashing under load: a burst of logins neither exhausts the database pool nor stalls
//! other routes, and a wrong password costs the same time as an unknown account.

use std::time::{Duration, Instant};

use coachai_auth::Config;

use crate::harness::{App, Session, random_client_ip};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_concurrent_logins_leave_other_routes_answering() {
    let app = App::new().await;
    let owner = app.signup().await;
    let logins: Vec<_> = (0..100)
        .map(|i| {
            let (client, slug) = (app.from(random_client_ip()), owner.slug.clone());
            tokio::spawn(async move {
                let started = Instant::now();
                let email = format!("stuffed-{i}@example.org");
                let reply = client.login(&slug, &email, "a guessed passphrase").await;
                (reply, started.elapsed())
            })
        })
        .collect();
    // Meanwhile, the owner keeps using the service.
    for _ in 0..10 {
        let started = Instant::now();
        let me = app.get("/me", &owner.access).await;
        assert_eq!(me.status, 200, "{}", me.body);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "GET /me took {:?}",
            started.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut busy = 0;
    for login in logins {
        let (reply, took) = login.await.unwrap();
        match reply.status.as_u16() {
            401 => {}
            503 => {
                busy += 1;
                assert_eq!(reply.headers["retry-after"], "1");
                assert_eq!(
                    reply.body["type"],
                    "https://coachai.dev/problems/overloaded"
                );
                assert!(
                    took < Duration::from_secs(2),
                    "a refusal must be quick: {took:?}"
                );
            }
            other => panic!("login answered {other}: {}", reply.body),
        }
    }
    assert!(busy < 100, "some logins were served");
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

async fn timed_login(app: &App, slug: &str, email: &str) -> Duration {
    let client = app.from(random_client_ip());
    let started = Instant::now();
    client
        .login(slug, email, "not the right passphrase")
        .await
        .problem(401);
    started.elapsed()
}

#[tokio::test]
async fn a_wrong_password_takes_as_long_as_an_unknown_account() {
    // Cheap hashing, so the rest of the work (and any difference in it) is what is measured.
    let config = Config {
        argon2_memory_kib: 1024,
        argon2_iterations: 1,
        ..Config::default()
    };
    let app = App::with_config(config).await;
    let owner = app.signup().await;
    let mut members: Vec<Session> = vec![owner.clone()];
    for _ in 0..3 {
        members.push(app.invite_and_accept(&owner, "client").await);
    }
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    // 8 tries per account stay under the per-account limit; the order interleaves the paths.
    for round in 0..32 {
        let member = &members[round % members.len()];
        known.push(timed_login(&app, &owner.slug, &member.email).await);
        let nobody = format!("nobody-{round}@example.org");
        unknown.push(timed_login(&app, &owner.slug, &nobody).await);
    }
    let (known, unknown) = (median(known), median(unknown));
    let ratio = known.as_secs_f64() / unknown.as_secs_f64();
    assert!(
        (0.75..=1.33).contains(&ratio),
        "median wrong-password {known:?} vs unknown-account {unknown:?} (ratio {ratio:.2})"
    );
}
