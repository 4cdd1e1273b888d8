//! What the operator made of a `Platform`: the migration, each service's replicas and the
//! conditions `Migrated`, `ServicesReady` and `Ready`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::condition::Condition;

/// The observed state of a `Platform`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlatformStatus {
    /// The `metadata.generation` the status describes.
    pub observed_generation: Option<i64>,
    /// `Migrating`, `Deploying`, `Ready` or `Failed`.
    pub phase: Option<String>,
    /// `Migrated`, `ServicesReady`, `Ready`.
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// The image tag whose migration Job last succeeded: the schema version of the database.
    pub migration_version: Option<String>,
    /// The migration Job of the current image.
    pub migration_job: Option<String>,
    /// Services with every desired replica available, e.g. `3/4`.
    pub ready_services: Option<String>,
    /// Each service's replicas.
    #[serde(default)]
    pub services: Vec<ServiceStatus>,
}

/// The replicas of one service's Deployment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceStatus {
    /// The service (`auth`, `creator-hub`, `ai-engine`, `channel`).
    pub name: String,
    /// Replicas available on the current pod template.
    pub ready_replicas: i32,
    /// Replicas asked for.
    pub desired_replicas: i32,
}
