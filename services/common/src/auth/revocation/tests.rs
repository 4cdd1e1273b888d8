//! The pure revocation decision.

use uuid::Uuid;

use super::{Standing, judge};
use crate::auth::scope::Scope;
use crate::auth::{Credential, Principal, Role};
use crate::tenancy::CreatorId;

fn token_issued_at(issued_at: i64) -> Principal {
    Principal {
        user_id: Uuid::new_v4(),
        creator_id: CreatorId(Uuid::new_v4()),
        role: Role::Admin,
        credential: Credential::AccessToken {
            jti: "j".into(),
            issued_at,
        },
    }
}

fn standing(user_epoch_ms: Option<i64>, creator_suspended: bool) -> Standing {
    Standing {
        user_epoch_ms,
        creator_suspended,
    }
}

#[test]
fn tokens_issued_before_the_epoch_are_refused_and_later_ones_pass() {
    let epoch_ms = 1_800_000_000_500;
    let older = token_issued_at(1_800_000_000);
    let newer = token_issued_at(1_800_000_001);
    assert_eq!(
        judge(&older, standing(Some(epoch_ms), false))
            .unwrap_err()
            .status(),
        401
    );
    assert!(judge(&newer, standing(Some(epoch_ms), false)).is_ok());
    assert!(judge(&older, standing(None, false)).is_ok());
}

#[test]
fn a_suspended_creator_refuses_every_credential() {
    let token = token_issued_at(i64::MAX / 2000);
    assert!(judge(&token, standing(None, true)).is_err());
    let mut key = token_issued_at(0);
    key.credential = Credential::ApiKey {
        key_id: Uuid::new_v4(),
        scopes: vec![Scope::Admin],
    };
    assert!(judge(&key, standing(None, true)).is_err());
    assert!(judge(&key, standing(Some(1), false)).is_err());
    assert!(judge(&key, standing(None, false)).is_ok());
}

/// A "Redis" that accepts connections and never answers.
async fn black_hole() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("redis://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    url
}

#[tokio::test]
async fn a_hung_redis_costs_one_timeout_then_requests_pass_at_once_for_a_second() {
    let revocations = super::Revocations::new(&black_hole().await);
    let first = std::time::Instant::now();
    assert!(
        revocations.check(&token_issued_at(0), false).await.is_ok(),
        "fails open"
    );
    assert!(
        first.elapsed() >= std::time::Duration::from_millis(200),
        "{:?}",
        first.elapsed()
    );

    let burst = std::time::Instant::now();
    for _ in 0..20 {
        assert!(revocations.check(&token_issued_at(0), false).await.is_ok());
        let closed = revocations
            .check(&token_issued_at(0), true)
            .await
            .unwrap_err();
        assert_eq!(closed.status(), 503);
    }
    assert!(
        burst.elapsed() < std::time::Duration::from_millis(200),
        "{:?}",
        burst.elapsed()
    );
}
