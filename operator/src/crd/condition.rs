//! The standard condition shape of every CoachAI kind's status (`metav1.Condition`'s fields),
//! with its own schema so the CRD describes it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One observation of a part of the object's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// What the condition is about, e.g. `DatabaseReady`, `Ready`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: ConditionStatus,
    /// A machine-readable CamelCase reason for the status.
    pub reason: String,
    /// What a human should know, e.g. what failed and what to do.
    pub message: String,
    /// When the status last changed (RFC 3339).
    pub last_transition_time: String,
    /// The `metadata.generation` this condition was computed for.
    pub observed_generation: Option<i64>,
}

/// The status of a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ConditionStatus {
    /// The condition holds.
    True,
    /// The condition does not hold.
    False,
    /// Not known yet.
    Unknown,
}
