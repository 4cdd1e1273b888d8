//! Starting the operator: configuration, connections, the health and metrics endpoints, leader
//! election, the controller while leading, shutdown on SIGTERM or Ctrl-C. Shared by
//! `coachai-operator run` and `coachai operator`.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use crate::context::MANAGER;
use crate::leader::{self, LeaseSettings};
use crate::models::Puller;
use crate::{Config, Context};
use coachai_ai_engine::vectors::VectorStore;
use coachai_common::auth::Revocations;
use coachai_common::tenancy::Db;
use kube::runtime::events::Recorder;

/// Runs the operator until a shutdown signal; on failure one line on stderr and exit status 1.
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
    let address = format!("0.0.0.0:{}", ctx.config.operator.operator_port);
    let listener = tokio::net::TcpListener::bind(&address)
        .await
        .map_err(|e| format!("cannot listen on {address}: {e}"))?;
    let endpoints = crate::serve::router(ctx.clone());
    tokio::spawn(async move { axum::serve(listener, endpoints).await });
    let lease = lease_settings(&ctx);
    let watched = Some(ctx.config.operator.watch_namespace.clone()).filter(|ns| !ns.is_empty());
    let lead = |lost: leader::LeadershipLost| {
        crate::controller::run(ctx.clone(), watched.as_deref(), lost.wait())
    };
    leader::run(ctx.client.clone(), &lease, lead, shutdown())
        .await
        .map_err(|e| e.to_string())
}

fn lease_settings(ctx: &Context) -> LeaseSettings {
    let settings = &ctx.config.operator;
    let host = std::env::var("POD_NAME")
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_else(|_| "coachai-operator".into());
    LeaseSettings {
        namespace: settings.lease_namespace.clone(),
        name: settings.lease_name.clone(),
        identity: format!("{host}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]),
        duration_secs: settings.lease_duration_secs.max(3),
    }
}

/// Connects to the Kubernetes API and the platform's dependencies.
async fn context(config: Config) -> Result<Context, String> {
    let client = kube::Client::try_default()
        .await
        .map_err(|e| format!("no Kubernetes API: {e}"))?;
    let pool = coachai_common::db::connect(
        &config.common.database_url,
        config.common.database_max_connections,
    )
    .await
    .map_err(|e| e.to_string())?;
    let vectors = VectorStore::new(&config.common.chroma_url).map_err(|e| e.to_string())?;
    Ok(Context {
        recorder: Recorder::new(client.clone(), MANAGER.into()),
        client,
        db: Db::new(pool),
        revocations: Arc::new(Revocations::new(&config.common.redis_url)),
        puller: Arc::new(Puller::new(&config.common.ollama_url)),
        vectors,
        config,
        reconciles: AtomicU64::new(0),
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
