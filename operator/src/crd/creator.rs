//! The `Creator` kind: one coach's tenant — what the creator asks for (`spec`) and what the
//! operator made of it (`status`).

use kube::{CustomResource, KubeSchema};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::condition::Condition;

/// A coach's tenant on the platform: the creator row and its owner, an optional database role
/// that sees only the tenant's rows, the vector collection, and the models it chats with.
#[derive(CustomResource, KubeSchema, Debug, Clone, PartialEq, Serialize, Deserialize)]
#[kube(
    group = "coachai.dev",
    version = "v1alpha1",
    kind = "Creator",
    namespaced,
    status = "CreatorStatus",
    shortname = "cr",
    doc = "A coach's tenant: the platform provisions the creator, its owner's invitation, an optional database role, the vector collection and the models.",
    derive = "PartialEq",
    printcolumn = r#"{"name":"Slug","type":"string","jsonPath":".spec.slug"}"#,
    printcolumn = r#"{"name":"Phase","type":"string","jsonPath":".status.phase"}"#,
    printcolumn = r#"{"name":"Models","type":"string","jsonPath":".spec.models.chat"}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct CreatorSpec {
    /// The name clients see in the chat and the console (1-200 characters).
    #[schemars(length(min = 1, max = 200))]
    pub display_name: String,
    /// The creator's URL name (`/chat/<slug>`): 3-63 lower-case letters, digits and hyphens,
    /// starting and ending with a letter or digit. Cannot be changed once set.
    #[schemars(
        length(min = 3, max = 63),
        regex(pattern = r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
    )]
    #[x_kube(validation = Rule::new("self == oldSelf").message("slug is immutable"))]
    pub slug: String,
    /// The person the tenant is handed to: an invitation for this address is created and its
    /// token kept in a Secret owned by the Creator.
    pub owner: Owner,
    /// The commercial plan; it sets nothing by itself (quotas do).
    #[serde(default)]
    pub plan: Plan,
    /// The Ollama models of the tenant; each is pulled by the operator if missing.
    #[serde(default)]
    pub models: Models,
    /// Limits of the tenant.
    #[serde(default)]
    pub quotas: Quotas,
    /// Web origins (`https://coach.example.com`) allowed to embed the chat widget (at most 20).
    #[serde(default)]
    #[schemars(length(max = 20))]
    pub allowed_origins: Vec<String>,
    /// Blocks the tenant's logins and chats (existing tokens stop within a minute) without
    /// deleting anything.
    #[serde(default)]
    pub suspended: bool,
    /// Direct, read-only-to-its-rows database access for the tenant.
    #[serde(default)]
    pub database_access: DatabaseAccess,
}

/// The owner of a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Owner {
    /// The owner's email address; the invitation is for it.
    #[schemars(
        length(min = 3, max = 254),
        regex(pattern = r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    )]
    pub email: String,
}

/// The commercial plan of a tenant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Plan {
    /// The default plan.
    #[default]
    Free,
    /// A paying single coach.
    Pro,
    /// A coaching business with several coaches.
    Business,
}

/// The models a tenant chats and embeds with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Models {
    /// The chat model, as Ollama names it (`name:tag`).
    #[serde(default = "default_chat_model")]
    #[schemars(
        length(min = 1, max = 200),
        regex(pattern = r"^[a-zA-Z0-9._/-]+(:[a-zA-Z0-9._-]+)?$")
    )]
    pub chat: String,
    /// The embedding model, as Ollama names it. Changing it re-embeds the tenant's library.
    #[serde(default = "default_embedding_model")]
    #[schemars(
        length(min = 1, max = 200),
        regex(pattern = r"^[a-zA-Z0-9._/-]+(:[a-zA-Z0-9._-]+)?$")
    )]
    pub embedding: String,
}

impl Default for Models {
    fn default() -> Self {
        Self {
            chat: default_chat_model(),
            embedding: default_embedding_model(),
        }
    }
}

fn default_chat_model() -> String {
    "llama2:7b-chat".into()
}

fn default_embedding_model() -> String {
    "nomic-embed-text".into()
}

/// The limits of a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Quotas {
    /// Chat requests per minute for the whole tenant (1-100000).
    #[serde(default = "default_requests_per_minute")]
    #[schemars(range(min = 1, max = 100_000))]
    pub requests_per_minute: i32,
    /// Stored content, as a Kubernetes quantity (`100Mi`, `2Gi`); not negative.
    #[serde(default = "default_storage")]
    #[schemars(
        length(min = 1, max = 32),
        regex(pattern = r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$")
    )]
    pub storage: String,
    /// Content items (0-1000000).
    #[serde(default = "default_documents")]
    #[schemars(range(min = 0, max = 1_000_000))]
    pub documents: i32,
}

impl Default for Quotas {
    fn default() -> Self {
        Self {
            requests_per_minute: default_requests_per_minute(),
            storage: default_storage(),
            documents: default_documents(),
        }
    }
}

fn default_requests_per_minute() -> i32 {
    60
}

fn default_storage() -> String {
    "100Mi".into()
}

fn default_documents() -> i32 {
    200
}

/// Direct database access for the tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseAccess {
    /// Create a login role that sees only this tenant's rows, with its credentials in a Secret.
    #[serde(default)]
    pub enabled: bool,
}

/// What the operator made of a `Creator`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatorStatus {
    /// The `metadata.generation` the status describes.
    pub observed_generation: Option<i64>,
    /// `Pending`, `Provisioning`, `Ready`, `Suspended`, `Failed` or `Deleting`.
    pub phase: Option<String>,
    /// `DatabaseReady`, `IsolationVerified`, `VectorStoreReady`, `ModelsReady`, `Ready`.
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// The tenant's id in the platform (the object's UID).
    pub creator_id: Option<String>,
    /// The Secret holding the owner's invitation token.
    pub invitation_secret: Option<String>,
    /// The tenant's database role, when database access is enabled.
    pub database_role: Option<String>,
    /// The Secret holding that role's credentials.
    pub credentials_secret: Option<String>,
    /// The tenant's ChromaDB collection.
    pub collection: Option<String>,
    /// The tenant's models on the Ollama server.
    #[serde(default)]
    pub models: Vec<ModelPull>,
}

/// A model of the tenant on the Ollama server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModelPull {
    /// The model's name.
    pub name: String,
    /// Its digest once present.
    pub digest: Option<String>,
    /// `Present`, `Pulling`, `Failed`.
    pub state: String,
    /// Pull progress, 0-100.
    pub progress: Option<f64>,
}
