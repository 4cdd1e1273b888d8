//! `/api/embed`: deterministic feature-hashing vectors, one per input.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, parse};
use crate::config::ModelKind;
use crate::embedding::embed as embed_text;
use crate::state::Shared;
use crate::text::{count_tokens, fit_context};

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Input {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
struct EmbedRequest {
    model: String,
    input: Input,
    truncate: Option<bool>,
}

pub(super) async fn embed(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let request: EmbedRequest = parse(&body)?;
    let (dimensions, context) = {
        let inner = shared.lock();
        let installed = inner
            .installed(&request.model)
            .ok_or_else(|| ApiError::ModelNotFound(request.model.clone()))?;
        if installed.model.kind != ModelKind::Embedding {
            let model = request.model.clone();
            return Err(ApiError::Unsupported {
                model,
                what: "embeddings",
            });
        }
        (
            installed.model.embedding_length,
            installed.model.context_length,
        )
    };
    let inputs = match request.input {
        Input::One(text) => vec![text],
        Input::Many(texts) => texts,
    };
    let truncate = request.truncate.unwrap_or(true);
    let dimensions = usize::try_from(dimensions).unwrap_or(usize::MAX);
    let mut tokens = 0;
    let mut embeddings = Vec::with_capacity(inputs.len());
    for input in &inputs {
        let counted = count_tokens(input);
        if counted > context && !truncate {
            return Err(ApiError::InputTooLong);
        }
        let kept = keep_start(input, context);
        tokens += count_tokens(&kept);
        embeddings.push(embed_text(&kept, dimensions));
    }
    Ok(Json(json!({
        "model": request.model,
        "embeddings": embeddings,
        "total_duration": 1_000_000 + 10_000 * u128::from(tokens),
        "load_duration": 1_000_000,
        "prompt_eval_count": tokens,
    })))
}

/// The start of `text` that fits in `context` tokens: embeddings cut their input's end.
fn keep_start(text: &str, context: u64) -> String {
    let reversed: String = text.split_whitespace().rev().collect::<Vec<_>>().join(" ");
    let fitted = fit_context(&reversed, context);
    if !fitted.truncated {
        return text.to_owned();
    }
    fitted
        .prompt
        .split_whitespace()
        .rev()
        .collect::<Vec<_>>()
        .join(" ")
}
