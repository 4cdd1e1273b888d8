//! Starting the operator: configuration, connections, the controller, shutdown on SIGTERM or
//! Ctrl-C.

use std::process::ExitCode;
use std::sync::Arc;

use coachai_ai_engine::vectors::VectorStore;
use coachai_common::auth::Revocations;
use coachai_common::tenancy::Db;
use coachai_operator::context::MANAGER;
use coachai_operator::{Config, Context};
use kube::runtime::events::Recorder;

/// Runs the operator until a shutdown signal.
pub fn run() -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => return fail(&format!("no async runtime: {e}")),
    };
    runtime.block_on(async {
        match start().await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e),
        }
    })
}

fn fail(reason: &str) -> ExitCode {
    eprintln!("coachai-operator: {reason}");
    ExitCode::FAILURE
}

async fn start() -> Result<(), String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    coachai_common::telemetry::init_logging(&config.common.log_format);
    let ctx = Arc::new(context(config).await?);
    tracing::info!("reconciling Creators");
    coachai_operator::controller::run(ctx, None, shutdown()).await;
    Ok(())
}

/// Connects to the Kubernetes API and the platform's dependencies.
async fn context(config: Config) -> Result<Context, String> {
    let client = kube::Client::try_default()
        .await
        .map_err(|e| format!("no Kubernetes API: {e}"))?;
    let pool = coachai_common::db::connect(&config.common.database_url, 5)
        .await
        .map_err(|e| e.to_string())?;
    let vectors = VectorStore::new(&config.common.chroma_url).map_err(|e| e.to_string())?;
    Ok(Context {
        recorder: Recorder::new(client.clone(), MANAGER.into()),
        client,
        db: Db::new(pool),
        revocations: Arc::new(Revocations::new(&config.common.redis_url)),
        vectors,
        config,
    })
}

async fn shutdown() {
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        () = terminate => {},
    }
}
