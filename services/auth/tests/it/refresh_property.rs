//! Property: for any interleaving of refresh calls on one family, at most one call succeeds
//! per rotation, and presenting a rotated token always revokes the whole family.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::harness::{App, random_client_ip};

/// One step: present the token issued `back` rotations ago (0 = the newest), alone or
/// `concurrent` times at once.
#[derive(Debug, Clone)]
struct Step {
    back: usize,
    concurrent: usize,
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let step = (0usize..3, prop_oneof![3 => Just(1usize), 1 => 2usize..4])
        .prop_map(|(back, concurrent)| Step { back, concurrent });
    prop::collection::vec(step, 1..7)
}

async fn run(app: &App, steps: Vec<Step>) -> Result<(), TestCaseError> {
    let owner = app.signup().await;
    let mut issued = vec![owner.refresh];
    let mut revoked = false;
    for step in steps {
        let index = issued.len().saturating_sub(1 + step.back);
        let token = issued[index].clone();
        let calls = (0..step.concurrent).map(|_| app.refresh(&token));
        let replies = futures::future::join_all(calls).await;
        let wins: Vec<_> = replies
            .iter()
            .filter(|r| r.status.as_u16() == 200)
            .collect();
        for reply in &replies {
            prop_assert!(matches!(reply.status.as_u16(), 200 | 401), "{}", reply.body);
        }
        let newest = index == issued.len() - 1;
        prop_assert!(wins.len() <= 1, "two refreshes of one token succeeded");
        if revoked || !newest {
            prop_assert!(
                wins.is_empty(),
                "a revoked family or a rotated token still worked"
            );
            revoked = true;
            continue;
        }
        prop_assert_eq!(
            wins.len(),
            1,
            "the newest token of a live family must rotate once"
        );
        issued.push(
            wins[0].body["refresh_token"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
        // Extra concurrent presentations of the same token were reuse: the family is gone.
        revoked = step.concurrent > 1;
    }
    // Whatever happened, a revoked family accepts none of its tokens, and a live one only its
    // newest.
    for (i, token) in issued.iter().enumerate().rev() {
        let reply = app.refresh(token).await;
        let expect_ok = !revoked && i == issued.len() - 1;
        prop_assert_eq!(
            reply.status.as_u16() == 200,
            expect_ok,
            "token {} of {}",
            i,
            issued.len()
        );
        revoked = true;
    }
    Ok(())
}

#[test]
fn refresh_interleavings_allow_one_success_per_rotation_and_reuse_revokes_the_family() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let app = runtime.block_on(App::new());
    let mut runner = TestRunner::new(Config {
        cases: 16,
        ..Config::default()
    });
    let result = runner.run(&steps(), |steps| {
        // A fresh client address per case keeps the per-address limits out of the property.
        let app = app.from(random_client_ip());
        runtime.block_on(run(&app, steps))
    });
    result.unwrap();
}
