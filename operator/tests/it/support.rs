//! A running reconciler for one test: its own namespace on the harness cluster, the CRDs,
//! an Ollama double with the models, the local stack's PostgreSQL, Redis and ChromaDB, and the
//! controller watching only that namespace (stopped when the test ends).

use std::sync::Arc;
use std::time::Duration;

use coachai_ai_engine::vectors::VectorStore;
use coachai_common::auth::Revocations;
use coachai_common::tenancy::Db;
use coachai_kube_harness::{TestNamespace, apply_crd};
use coachai_ollama_double::{Config as DoubleConfig, Model, OllamaDouble};
use coachai_operator::context::MANAGER;
use coachai_operator::crd::{Creator, Platform};
use coachai_operator::settings::OperatorSettings;
use coachai_operator::{Config, Context};
use kube::api::PostParams;
use kube::runtime::events::Recorder;
use kube::{Api, CustomResourceExt};
use serde_json::{Value, json};
use tokio::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard, oneshot};

#[path = "../../../tests/shared/test_db.rs"]
mod test_db;

/// Database-wide state (row level security of the tenant tables) is checked by every running
/// operator: tests share it, and the test that changes it runs alone ([`Operator::start_alone`]).
static DATABASE_WIDE: RwLock<()> = RwLock::const_new(());

/// Held (never read) for as long as the test's operator runs.
#[allow(dead_code)]
enum Turn {
    Shared(RwLockReadGuard<'static, ()>),
    Alone(RwLockWriteGuard<'static, ()>),
}

/// The models every test Creator uses (present on the double).
pub const CHAT: &str = "smollm2:135m";
pub const EMBEDDING: &str = "all-minilm:latest";

pub struct Operator {
    pub ns: TestNamespace,
    pub api: Api<Creator>,
    pub db: Db,
    pub ctx: Arc<Context>,
    pub double: OllamaDouble,
    stop: StopOnDrop,
    _turn: Turn,
}

impl Operator {
    /// An operator running next to other tests' operators.
    pub async fn start(prefix: &str) -> Self {
        Self::with_turn(prefix, Turn::Shared(DATABASE_WIDE.read().await)).await
    }

    /// An operator running while no other test's operator runs.
    pub async fn start_alone(prefix: &str) -> Self {
        Self::with_turn(prefix, Turn::Alone(DATABASE_WIDE.write().await)).await
    }

    /// An operator running next to other tests' operators, its settings changed by `configure`.
    pub async fn start_configured(prefix: &str, configure: fn(&mut OperatorSettings)) -> Self {
        let (ns, double) = namespace_and_double(prefix).await;
        let ctx = context_with(&ns, &double, configure).await;
        Self::with_context(ns, double, ctx, Turn::Shared(DATABASE_WIDE.read().await))
    }

    async fn with_turn(prefix: &str, turn: Turn) -> Self {
        let (ns, double) = namespace_and_double(prefix).await;
        Self::run(ns, double, turn).await
    }

    /// Stops the controller and hands back the namespace and the double, as a stopped
    /// operator process would leave them.
    pub async fn stop(self) -> (TestNamespace, OllamaDouble) {
        let Self {
            ns, double, stop, ..
        } = self;
        drop(stop);
        tokio::time::sleep(Duration::from_millis(500)).await;
        (ns, double)
    }

    /// A new operator over what a stopped one left.
    pub async fn resume(ns: TestNamespace, double: OllamaDouble) -> Self {
        Self::run(ns, double, Turn::Shared(DATABASE_WIDE.read().await)).await
    }

    async fn run(ns: TestNamespace, double: OllamaDouble, turn: Turn) -> Self {
        let ctx = context(&ns, &double).await;
        Self::with_context(ns, double, ctx, turn)
    }

    fn with_context(
        ns: TestNamespace,
        double: OllamaDouble,
        ctx: Arc<Context>,
        turn: Turn,
    ) -> Self {
        let db = ctx.db.clone();
        let (stop, stopped) = oneshot::channel();
        let name = ns.name().to_owned();
        let run_ctx = ctx.clone();
        tokio::spawn(async move {
            coachai_operator::controller::run(run_ctx, Some(&name), async {
                let _ = stopped.await;
            })
            .await;
        });
        let api = Api::namespaced(ns.client(), ns.name());
        Self {
            ns,
            api,
            db,
            ctx,
            double,
            stop: StopOnDrop(Some(stop)),
            _turn: turn,
        }
    }

    /// Creates a Creator named `name` with `slug` and the double's models.
    pub async fn create(&self, name: &str, slug: &str, extra: Value) -> Creator {
        let mut spec = json!({
            "displayName": "Operator Coach", "slug": slug, "owner": {"email": "coach@example.com"},
            "models": {"chat": CHAT, "embedding": EMBEDDING},
        });
        merge(&mut spec, extra);
        let object: Creator = serde_json::from_value(json!({
            "apiVersion": "coachai.dev/v1alpha1", "kind": "Creator",
            "metadata": {"name": name}, "spec": spec,
        }))
        .unwrap();
        self.api
            .create(&PostParams::default(), &object)
            .await
            .unwrap()
    }

    /// Waits until `check` holds for the Creator `name` (60 s at most), returning it.
    pub async fn until(&self, name: &str, what: &str, check: impl Fn(&Creator) -> bool) -> Creator {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let current = self.api.get_opt(name).await.unwrap();
            if let Some(creator) = current.as_ref().filter(|c| check(c)) {
                return creator.clone();
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{what}: never happened; last {current:#?}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// A namespace with the Creator CRD, and an Ollama double with the test models.
pub async fn namespace_and_double(prefix: &str) -> (TestNamespace, OllamaDouble) {
    let ns = TestNamespace::create(prefix)
        .await
        .expect("the harness cluster (tests/cluster)");
    apply_crd(ns.client(), &Creator::crd()).await.unwrap();
    apply_crd(ns.client(), &Platform::crd()).await.unwrap();
    let double = OllamaDouble::start(DoubleConfig {
        models: vec![Model::completion(CHAT), Model::embedding(EMBEDDING)],
        ..DoubleConfig::default()
    })
    .await
    .unwrap();
    (ns, double)
}

/// An operator's context (one replica) on the local stack, the double and a 2 s resync.
pub async fn context(ns: &TestNamespace, double: &OllamaDouble) -> Arc<Context> {
    context_with(ns, double, |_| {}).await
}

/// [`context`] with its operator settings changed by `configure`.
pub async fn context_with(
    ns: &TestNamespace,
    double: &OllamaDouble,
    configure: fn(&mut OperatorSettings),
) -> Arc<Context> {
    let mut common: coachai_common::config::CommonConfig = coachai_common::config::load().unwrap();
    common.ollama_url = double.url();
    // The operator connects as its own role (scripts/env.sh), not as the services' app role.
    common.database_url = std::env::var("PROVISIONER_DATABASE_URL").unwrap_or_else(|_| {
        "postgres://coachai_provisioner:coachai_provisioner@127.0.0.1:54329/coachai".into()
    });
    let db = test_db::migrated(&common.database_url, 4).await;
    let mut operator = OperatorSettings {
        resync_secs: 2,
        operator_credential_key: "operator test key".into(),
        model_grace_secs: 2,
        ..OperatorSettings::default()
    };
    configure(&mut operator);
    Arc::new(Context {
        recorder: Recorder::new(ns.client(), MANAGER.into()),
        client: ns.client(),
        db,
        revocations: Arc::new(Revocations::new(&common.redis_url)),
        puller: Arc::new(coachai_operator::models::Puller::new(&common.ollama_url)),
        vectors: VectorStore::new(&common.chroma_url).unwrap(),
        config: Config { operator, common },
        reconciles: Default::default(),
    })
}

/// Held (shared) while a test's operator replicas run.
pub async fn shared_turn() -> RwLockReadGuard<'static, ()> {
    DATABASE_WIDE.read().await
}

/// Stops the test's controller when dropped.
struct StopOnDrop(Option<oneshot::Sender<()>>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        if let Some(stop) = self.0.take() {
            let _ = stop.send(());
        }
    }
}

pub fn condition(creator: &Creator, kind: &str) -> Option<String> {
    let status = creator.status.as_ref()?;
    let found = status.conditions.iter().find(|c| c.type_ == kind)?;
    Some(format!("{:?}", found.status))
}

pub fn ready(creator: &Creator) -> bool {
    condition(creator, "Ready").as_deref() == Some("True")
}

fn merge(base: &mut Value, extra: Value) {
    if let (Value::Object(base), Value::Object(extra)) = (base, extra) {
        for (key, value) in extra {
            base.insert(key, value);
        }
    }
}
