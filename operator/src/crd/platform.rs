//! The `Platform` kind: one installation of the four CoachAI services — the image, where the
//! dependencies are, how many replicas of each service, and the Ingress in front of them.

use kube::{CustomResource, KubeSchema};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::platform_ingress::Ingress;
use super::platform_status::PlatformStatus;

/// Names of Kubernetes objects (Secrets): a DNS-1123 subdomain.
const NAME_PATTERN: &str = r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$";
/// A Secret data key.
const KEY_PATTERN: &str = r"^[-._a-zA-Z0-9]{1,253}$";
/// A CPU quantity (`250m`, `1`, `1.5`).
const CPU_PATTERN: &str = r"^[0-9]+(\.[0-9]+)?m?$";
/// A memory quantity (`128Mi`, `1Gi`, `500M`).
const MEMORY_PATTERN: &str = r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$";

/// The CoachAI services in one namespace: a migration Job, then one Deployment, Service and
/// (with more than one replica) PodDisruptionBudget per service, and the Ingress.
#[derive(CustomResource, KubeSchema, Debug, Clone, PartialEq, Serialize, Deserialize)]
#[kube(
    group = "coachai.dev",
    version = "v1alpha1",
    kind = "Platform",
    namespaced,
    status = "PlatformStatus",
    shortname = "cap",
    doc = "The CoachAI services: the operator migrates the database with the image, then runs auth, creator-hub, ai-engine and channel behind an nginx Ingress.",
    derive = "PartialEq",
    printcolumn = r#"{"name":"Version","type":"string","jsonPath":".spec.image.tag"}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.readyServices"}"#,
    printcolumn = r#"{"name":"Phase","type":"string","jsonPath":".status.phase"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct PlatformSpec {
    /// The container image of every service and of the migration Job.
    pub image: Image,
    /// Where the services find PostgreSQL, Redis, ChromaDB, Ollama and their signing keys.
    pub dependencies: Dependencies,
    /// Replicas and resources of each service.
    #[serde(default)]
    pub services: Services,
    /// The Ingress in front of the services.
    #[serde(default)]
    pub ingress: Ingress,
}

/// The platform's container image (`coachai` with `serve`, `migrate` subcommands).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// The image repository, e.g. `ghcr.io/coachai/coachai`.
    #[schemars(
        length(min = 1, max = 255),
        regex(pattern = r"^[a-z0-9]+([._/:-][a-z0-9]+)*$")
    )]
    pub repository: String,
    /// The image tag, the platform's version (a change migrates, then rolls every service).
    #[schemars(
        length(min = 1, max = 128),
        regex(pattern = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
    )]
    pub tag: String,
    /// When the kubelet pulls the image.
    #[serde(default)]
    pub pull_policy: PullPolicy,
}

/// The kubelet's image pull policy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum PullPolicy {
    /// Pull at every start.
    Always,
    /// Pull when the node does not have the image.
    #[default]
    IfNotPresent,
    /// Never pull.
    Never,
}

/// The platform's dependencies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Dependencies {
    /// The Secret key holding the PostgreSQL URL of the application role (`coachai_app`, bound
    /// by row level security) the services connect with.
    pub database: SecretKeyRef,
    /// The Secret key holding the PostgreSQL URL of the migration owner, used only by the
    /// migration Job.
    pub migration_database: SecretKeyRef,
    /// The Redis URL (`redis://` or `rediss://`).
    #[schemars(length(min = 8, max = 512), regex(pattern = r"^rediss?://\S+$"))]
    pub redis_url: String,
    /// The ChromaDB base URL.
    #[schemars(length(min = 8, max = 512), regex(pattern = r"^https?://\S+$"))]
    pub chroma_url: String,
    /// The Ollama base URL.
    #[schemars(length(min = 8, max = 512), regex(pattern = r"^https?://\S+$"))]
    pub ollama_url: String,
    /// The Secret whose files are the Auth service's token signing keys (mounted read-only).
    #[schemars(length(min = 1, max = 253), regex(pattern = NAME_PATTERN))]
    pub signing_keys_secret: String,
    /// The Secret key holding the Channel's envelope key for messaging secrets (base64 of 32
    /// random bytes, `CHANNEL_SECRETS_KEY`). Without it the messaging integrations answer 503.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_secrets_key: Option<SecretKeyRef>,
}

/// One key of a Secret in the Platform's namespace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretKeyRef {
    /// The Secret's name.
    #[schemars(length(min = 1, max = 253), regex(pattern = NAME_PATTERN))]
    pub name: String,
    /// The key in the Secret's data.
    #[schemars(regex(pattern = KEY_PATTERN))]
    pub key: String,
}

/// The settings of each service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Services {
    /// The Auth service (port 8001).
    #[serde(default)]
    pub auth: ServiceSettings,
    /// The Creator Hub (port 8002).
    #[serde(default)]
    pub creator_hub: ServiceSettings,
    /// The AI Engine (port 8003).
    #[serde(default)]
    pub ai_engine: ServiceSettings,
    /// The Channel service (port 8004).
    #[serde(default)]
    pub channel: ServiceSettings,
}

/// Replicas and resources of one service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceSettings {
    /// Pods of the service (0-50); with more than one, a PodDisruptionBudget keeps one up.
    #[serde(default = "default_replicas")]
    #[schemars(range(min = 0, max = 50))]
    pub replicas: i32,
    /// CPU and memory of each pod.
    #[serde(default)]
    pub resources: Resources,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        Self {
            replicas: default_replicas(),
            resources: Resources::default(),
        }
    }
}

fn default_replicas() -> i32 {
    2
}

/// Requests and limits of a container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Resources {
    /// What the scheduler reserves.
    #[serde(default = "default_requests")]
    pub requests: Amounts,
    /// What the container may use at most.
    #[serde(default = "default_limits")]
    pub limits: Amounts,
}

impl Default for Resources {
    fn default() -> Self {
        Self {
            requests: default_requests(),
            limits: default_limits(),
        }
    }
}

fn default_requests() -> Amounts {
    Amounts {
        cpu: "100m".into(),
        memory: "128Mi".into(),
    }
}

fn default_limits() -> Amounts {
    Amounts {
        cpu: "1".into(),
        memory: "512Mi".into(),
    }
}

/// An amount of CPU and memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Amounts {
    /// CPU as a Kubernetes quantity (`250m`, `1`).
    #[schemars(length(min = 1, max = 16), regex(pattern = CPU_PATTERN))]
    pub cpu: String,
    /// Memory as a Kubernetes quantity (`128Mi`, `1Gi`).
    #[schemars(length(min = 1, max = 16), regex(pattern = MEMORY_PATTERN))]
    pub memory: String,
}
