//! The embedding of a question, through the common cache: the same question to the same
//! creator within five minutes (a client retrying, many clients asking the FAQ) is embedded once,
//! and concurrent askers share one Ollama call. Keys hold the model and a SHA-256 of the text,
//! never the text.

use std::time::Duration;

use coachai_common::cache::{Cache, CacheError};
use coachai_common::tenancy::CreatorId;
use sha2::{Digest, Sha256};

use crate::ollama::{OllamaClient, OllamaFailure};

/// How long a question's embedding is kept.
pub const QUESTION_TTL: Duration = Duration::from_secs(300);

/// Why a question has no embedding.
#[derive(Debug, thiserror::Error)]
pub enum QuestionError {
    /// Ollama could not embed it.
    #[error(transparent)]
    Ollama(#[from] OllamaFailure),
    /// A concurrent embedding of the same question failed.
    #[error(transparent)]
    Cache(#[from] CacheError),
    /// Ollama answered with no vector.
    #[error("Ollama returned no embedding")]
    Empty,
}

/// The cache key of `question` embedded by `model`.
pub fn key(model: &str, question: &str) -> String {
    let digest = Sha256::digest(question.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("question-embedding:{model}:{hex}")
}

/// The embedding of `question` by `model` for `creator`, cached.
pub async fn embedding(
    cache: &Cache,
    ollama: &OllamaClient,
    creator: CreatorId,
    model: &str,
    question: &str,
) -> Result<Vec<f32>, QuestionError> {
    cache
        .get_or_load(creator, &key(model, question), QUESTION_TTL, || async {
            let vectors = ollama.embed(model, vec![question.to_owned()]).await?;
            vectors.into_iter().next().ok_or(QuestionError::Empty)
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_the_model_and_hide_the_question() {
        let k = key("all-minilm", "How do I swing?");
        assert!(k.starts_with("question-embedding:all-minilm:"));
        assert!(!k.contains("swing"));
        assert_ne!(k, key("all-minilm", "How do I swing!"));
        assert_ne!(k, key("nomic-embed-text", "How do I swing?"));
    }
}
