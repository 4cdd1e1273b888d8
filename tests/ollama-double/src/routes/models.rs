//! Model management: `/api/version`, `/api/tags`, `/api/show`, `/api/pull`, `/api/delete`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, Injected, pace, parse};
use crate::config::{ModelKind, canonical_name};
use crate::state::{Installed, Shared};
use crate::stream::{OnLast, ndjson};

/// Download progress lines a pull reports per layer.
const PROGRESS_STEPS: u64 = 4;

/// A request naming a model; Ollama accepts `model` and the older `name`.
#[derive(Debug, Deserialize)]
struct ModelRequest {
    #[serde(alias = "name")]
    model: String,
    stream: Option<bool>,
}

pub(super) async fn version(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(json!({ "version": shared.lock().version }))
}

fn details(installed: &Installed) -> Value {
    let model = &installed.model;
    json!({
        "parent_model": "",
        "format": "gguf",
        "family": model.family,
        "families": [model.family],
        "parameter_size": model.parameter_size,
        "quantization_level": model.quantization_level,
    })
}

pub(super) async fn tags(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let inner = shared.lock();
    let models: Vec<Value> = inner
        .models
        .iter()
        .map(|m| {
            json!({
                "name": m.name,
                "model": m.name,
                "modified_at": m.modified_at,
                "size": m.model.size,
                "digest": m.digest,
                "details": details(m),
            })
        })
        .collect();
    Json(json!({ "models": models }))
}

pub(super) async fn show(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let request: ModelRequest = parse(&body)?;
    let inner = shared.lock();
    let installed = inner
        .installed(&request.model)
        .ok_or_else(|| ApiError::ModelNotFound(request.model.clone()))?;
    let model = &installed.model;
    let arch = &model.family;
    let capabilities = match model.kind {
        ModelKind::Completion => json!(["completion"]),
        ModelKind::Embedding => json!(["embedding"]),
    };
    Ok(Json(json!({
        "license": "",
        "modelfile": format!("FROM {}\n", installed.name),
        "parameters": "",
        "template": "{{ .Prompt }}",
        "details": details(installed),
        "model_info": {
            "general.architecture": arch,
            "general.basename": installed.name,
            format!("{arch}.context_length"): model.context_length,
            format!("{arch}.embedding_length"): model.embedding_length,
        },
        "capabilities": capabilities,
        "modified_at": installed.modified_at,
    })))
}

pub(super) async fn pull(
    State(shared): State<Arc<Shared>>,
    Extension(injected): Extension<Injected>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: ModelRequest = parse(&body)?;
    let wanted = canonical_name(&request.model);
    let found = {
        let inner = shared.lock();
        let mut registry = inner.registry.iter();
        registry
            .find(|m| canonical_name(&m.name) == wanted)
            .cloned()
    };
    let streamed = request.stream.unwrap_or(true);
    let Some(model) = found else {
        if !streamed {
            return Err(ApiError::ManifestMissing);
        }
        let lines = vec![
            json!({ "status": "pulling manifest" }),
            json!({ "error": ApiError::ManifestMissing.to_string() }),
        ];
        return Ok(ndjson(shared.clone(), lines, pace(&shared, injected), None));
    };
    if !streamed {
        shared.lock().install(model);
        return Ok(Json(json!({ "status": "success" })).into_response());
    }
    let digest = format!("sha256:{}", Installed::new(model.clone()).digest);
    let mut lines = vec![json!({ "status": "pulling manifest" })];
    for step in 1..=PROGRESS_STEPS {
        lines.push(json!({
            "status": format!("pulling {}", &digest[7..19]),
            "digest": digest,
            "total": model.size,
            "completed": model.size * step / PROGRESS_STEPS,
        }));
    }
    for status in ["verifying sha256 digest", "writing manifest", "success"] {
        lines.push(json!({ "status": status }));
    }
    let installer = shared.clone();
    let on_last: OnLast = Box::new(move || installer.lock().install(model));
    Ok(ndjson(
        shared.clone(),
        lines,
        pace(&shared, injected),
        Some(on_last),
    ))
}

pub(super) async fn delete(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: ModelRequest = parse(&body)?;
    let name = canonical_name(&request.model);
    let mut inner = shared.lock();
    let before = inner.models.len();
    inner.models.retain(|m| m.name != name);
    if inner.models.len() == before {
        return Err(ApiError::ModelNotFound(request.model));
    }
    Ok(().into_response())
}
