//! The registry's domain types, free of I/O: a model row, its status, what Ollama reports of a
//! model, and the answer of [`super::ModelRegistry::resolve_chat_model`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::RegistryError;

/// Where a model stands on the Ollama server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ModelStatus {
    /// Installed: chats and embeddings may use it.
    Available,
    /// A pull is under way.
    Pulling,
    /// It was installed once and Ollama no longer lists it.
    Missing,
    /// The last pull failed.
    Failed,
}

impl ModelStatus {
    /// The status as stored in `models.status`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Available => "available",
            Self::Pulling => "pulling",
            Self::Missing => "missing",
            Self::Failed => "failed",
        }
    }

    /// The status stored as `name`, if it is one.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Available, Self::Pulling, Self::Missing, Self::Failed]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// One row of the registry, as `GET /api/v1/ai/models` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"name": "smollm2:135m", "status": "available",
    "digest": "sha256:4b5d7e0c2f1a", "family": "llama", "parameter_size": "135M",
    "quantization": "Q8_0", "size_bytes": 144808000, "context_length": 8192,
    "capabilities": ["completion"], "updated_at": "2026-11-27T12:00:00Z"}))]
pub struct ModelEntry {
    /// The model's name as Ollama lists it (`name:tag`).
    pub name: String,
    /// Where it stands.
    pub status: ModelStatus,
    /// Content digest of the installed model.
    pub digest: Option<String>,
    /// Architecture family, e.g. `llama` or `bert`.
    pub family: Option<String>,
    /// Parameter count as Ollama words it, e.g. `135M`.
    pub parameter_size: Option<String>,
    /// Quantization level, e.g. `Q8_0`.
    pub quantization: Option<String>,
    /// Size on disk in bytes.
    pub size_bytes: Option<i64>,
    /// Tokens of context the model was trained for; sizes `num_ctx`.
    pub context_length: Option<i32>,
    /// What the model can do (`completion`, `embedding`, ...).
    pub capabilities: Vec<String>,
    /// When the row last changed.
    pub updated_at: DateTime<Utc>,
}

/// What Ollama reports of one installed model (`/api/tags` and `/api/show` together).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovered {
    /// Name as `/api/tags` lists it.
    pub name: String,
    /// Content digest.
    pub digest: Option<String>,
    /// `details.family`, else `model_info["general.architecture"]`.
    pub family: Option<String>,
    /// `details.parameter_size`.
    pub parameter_size: Option<String>,
    /// `details.quantization_level`.
    pub quantization: Option<String>,
    /// Size in bytes.
    pub size_bytes: Option<i64>,
    /// `model_info["<architecture>.context_length"]`.
    pub context_length: Option<i32>,
    /// `/api/show`'s `capabilities`.
    pub capabilities: Vec<String>,
}

/// The model a chat will use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedModel {
    /// The registry's name of the model (`name:tag`), to send to Ollama and record.
    pub name: String,
    /// Its context length in tokens when Ollama reported one.
    pub context_length: Option<u32>,
    /// True when the wanted model is not available and this is the fallback.
    pub fell_back: bool,
}

/// The canonical form of a model name: without a tag it means `:latest`, as in Ollama.
pub fn canonical_name(name: &str) -> String {
    let last = name.rsplit('/').next().unwrap_or(name);
    if last.contains(':') {
        name.to_owned()
    } else {
        format!("{name}:latest")
    }
}

/// The available entry `name` names (with or without its tag), if any.
pub fn find_available<'a>(entries: &'a [ModelEntry], name: &str) -> Option<&'a ModelEntry> {
    let wanted = canonical_name(name);
    entries
        .iter()
        .find(|e| e.status == ModelStatus::Available && canonical_name(&e.name) == wanted)
}

/// The model a chat should use among `entries`: `wanted` when it is available, else
/// `fallback` when that is (with `fell_back: true`), else [`RegistryError::ModelUnavailable`].
pub fn resolve_chat_model(
    entries: &[ModelEntry],
    wanted: &str,
    fallback: Option<&str>,
) -> Result<ResolvedModel, RegistryError> {
    let pick = |name: &str, fell_back: bool| {
        find_available(entries, name).map(|e| ResolvedModel {
            name: e.name.clone(),
            context_length: e.context_length.and_then(|n| u32::try_from(n).ok()),
            fell_back,
        })
    };
    pick(wanted, false)
        .or_else(|| fallback.and_then(|f| pick(f, true)))
        .ok_or_else(|| RegistryError::ModelUnavailable {
            wanted: wanted.to_owned(),
            fallback: fallback.map(str::to_owned),
        })
}

/// The context length in `model_info`: `<general.architecture>.context_length`, else any
/// `*.context_length` key.
pub fn context_length(model_info: &serde_json::Map<String, serde_json::Value>) -> Option<i32> {
    let arch = model_info
        .get("general.architecture")
        .and_then(|v| v.as_str());
    let named = arch.and_then(|a| model_info.get(&format!("{a}.context_length")));
    let value = named.or_else(|| {
        model_info
            .iter()
            .find(|(k, _)| k.ends_with(".context_length"))
            .map(|(_, v)| v)
    })?;
    value.as_u64().and_then(|n| i32::try_from(n).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(name: &str, status: ModelStatus) -> ModelEntry {
        ModelEntry {
            name: name.into(),
            status,
            digest: None,
            family: None,
            parameter_size: None,
            quantization: None,
            size_bytes: None,
            context_length: None,
            capabilities: vec![],
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn a_name_without_tag_finds_the_latest_tag_and_only_when_available() {
        let entries = [
            entry("all-minilm:latest", ModelStatus::Available),
            entry("gone:1b", ModelStatus::Missing),
        ];
        assert!(find_available(&entries, "all-minilm").is_some());
        assert!(find_available(&entries, "all-minilm:latest").is_some());
        assert!(find_available(&entries, "gone:1b").is_none());
        assert!(find_available(&entries, "all-minilm:v2").is_none());
    }

    #[test]
    fn the_context_length_comes_from_the_architecture_key() {
        let info = json!({"general.architecture": "llama", "llama.context_length": 8192,
            "bert.context_length": 512});
        assert_eq!(context_length(info.as_object().unwrap()), Some(8192));
        let other = json!({"qwen2.context_length": 32768});
        assert_eq!(context_length(other.as_object().unwrap()), Some(32768));
        assert_eq!(context_length(&serde_json::Map::new()), None);
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for s in ["available", "pulling", "missing", "failed"] {
            assert_eq!(ModelStatus::from_name(s).map(ModelStatus::as_str), Some(s));
        }
        assert_eq!(ModelStatus::from_name("gone"), None);
    }
}
