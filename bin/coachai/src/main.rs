//! `coachai`: the one binary of the container image. `serve <service>` runs a service,
//! `migrate` applies the migrations, `operator` runs the operator, `crds <dir>` writes its CRDs;
//! each does what the crate's own binary does, through the same library function. Bad
//! arguments: one line on stderr, exit status 2.

mod args;
mod serve;

use std::future::Future;
use std::path::Path;
use std::process::ExitCode;

use args::Command;

fn main() -> ExitCode {
    let words: Vec<String> = std::env::args().skip(1).collect();
    match args::parse(&words) {
        Ok(command) => run(command),
        Err(e) => {
            eprintln!("coachai: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> ExitCode {
    match command {
        Command::Help => {
            print!("{}", args::USAGE);
            ExitCode::SUCCESS
        }
        Command::Serve(service) => block_on(service.run()),
        Command::Migrate => block_on(migrate()),
        Command::Operator => coachai_operator::start::run(),
        Command::Crds(dir) => write_crds(&dir),
    }
}

/// Runs `work` on a multi-threaded runtime, as `#[tokio::main]` does for the services' mains.
fn block_on(work: impl Future<Output = ExitCode>) -> ExitCode {
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(work),
        Err(e) => {
            eprintln!("coachai: no async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn migrate() -> ExitCode {
    use coachai_common::db;
    match db::migrate(&db::migration_url()).await {
        Ok(applied) => {
            println!("migrations up to date ({applied} applied in total)");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("coachai migrate: {e}");
            ExitCode::FAILURE
        }
    }
}

fn write_crds(dir: &Path) -> ExitCode {
    match coachai_operator::crd::write_all(dir) {
        Ok(paths) => {
            paths.iter().for_each(|p| println!("wrote {}", p.display()));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("coachai crds: {e}");
            ExitCode::FAILURE
        }
    }
}
