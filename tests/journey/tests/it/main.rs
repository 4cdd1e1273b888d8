//! The journey suite: a creator's and a client's whole journey through the nginx gateway only,
//! then the same journey while the suite's own PostgreSQL restarts and its ChromaDB stops.
//!
//! The platform starts once for the run (ports 19201-19204, 19211, 19280) against the stack
//! `tests/journey/run.sh` started, so this binary has its own runner (libtest-mimic: the usual
//! filter and `--list` arguments). Tests run one at a time: one of them stops the databases.

mod faults;
mod journey;
mod steps;
mod world;

use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};
use world::World;

type Scenario = for<'a> fn(&'a World) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + 'a>>;

/// Every test of the suite, by name.
macro_rules! scenarios {
    ($($path:path),* $(,)?) => {
        vec![$((stringify!($path), (|w| Box::pin($path(w))) as Scenario)),*]
    };
}

fn main() -> ExitCode {
    let mut args = Arguments::from_args();
    args.test_threads = Some(1);
    let scenarios = scenarios![
        journey::a_creator_and_a_client_go_from_sign_up_to_deletion_through_the_gateway,
        faults::the_journey_survives_a_postgresql_restart_and_a_chromadb_outage,
    ];
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("journey suite: no tokio runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = Arc::new(runtime);
    let world = if args.list {
        None
    } else {
        match runtime.block_on(World::start()) {
            Ok(world) => Some(Arc::new(world)),
            Err(err) => {
                eprintln!("journey suite: the platform did not start: {err:#}");
                return ExitCode::FAILURE;
            }
        }
    };
    let trials = scenarios
        .into_iter()
        .map(|(path, scenario)| {
            let name = path.rsplit("::").next().unwrap_or(path).to_owned();
            let world = world.clone();
            let runtime = runtime.clone();
            Trial::test(name, move || {
                let Some(world) = world else {
                    return Err(Failed::from("the platform is not running"));
                };
                runtime
                    .block_on(scenario(&world))
                    .map_err(|err| Failed::from(format!("{err:#}")))
            })
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    drop(world);
    conclusion.exit_code()
}
