//! Pulling a model: Ollama's progress as [`PullEvent`]s, and the row `pulling` during the pull,
//! `available` (with its details) or `failed` after.
//!
//! The pull is driven by its own task, not by the HTTP response: a client that disconnects
//! stops receiving events, but the pull still runs to its end and the row is still settled.

use std::sync::Arc;

use coachai_common::AppError;
use futures::StreamExt;
use ollama_rs::error::OllamaError;
use ollama_rs::models::pull::PullModelStatusStream;
use tokio::sync::mpsc;

use super::model::{ModelEntry, ModelStatus, canonical_name, find_available};
use super::{ModelRegistry, RegistryError, store};

/// Events buffered between the pull and a slow reader.
const BUFFER: usize = 64;

/// One step of a pull, in order: any number of `Progress`, then one `Done` or `Failed`.
#[derive(Debug, Clone, PartialEq)]
pub enum PullEvent {
    /// Ollama's progress line.
    Progress {
        /// What Ollama is doing (`pulling manifest`, `pulling 4b5d7e0c2f1a`, `success`).
        status: String,
        /// Bytes done of the current layer.
        completed: Option<u64>,
        /// Bytes of the current layer.
        total: Option<u64>,
    },
    /// The model is installed; its registry row.
    Done(ModelEntry),
    /// The pull failed; the row is `failed`.
    Failed(PullFailure),
}

/// Why a pull failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PullFailure {
    /// Ollama's library has no such model (404).
    #[error("Ollama's library has no model `{name}`: {message}")]
    UnknownModel {
        /// The name asked for.
        name: String,
        /// Ollama's words.
        message: String,
    },
    /// Ollama broke off or reported another error (503: retrying may help).
    #[error("the pull of `{name}` broke off: {message}")]
    Interrupted {
        /// The name asked for.
        name: String,
        /// What went wrong.
        message: String,
    },
}

impl From<PullFailure> for AppError {
    fn from(failure: PullFailure) -> Self {
        match failure {
            PullFailure::UnknownModel { .. } => AppError::NotFound(failure.to_string()),
            PullFailure::Interrupted { .. } => AppError::Unavailable(failure.to_string()),
        }
    }
}

impl ModelRegistry {
    /// Starts pulling `name` and returns its events. Fails before any event (503) when Ollama
    /// cannot be reached or refuses the request; the row is `pulling` from then on.
    pub async fn start_pull(
        self: &Arc<Self>,
        name: &str,
    ) -> Result<mpsc::Receiver<PullEvent>, RegistryError> {
        let stream = self.ollama.pull(name).await?;
        let name = canonical_name(name);
        store::set_status(&self.pool, &name, ModelStatus::Pulling).await?;
        self.invalidate().await;
        let (events, receiver) = mpsc::channel(BUFFER);
        let registry = Arc::clone(self);
        tokio::spawn(async move { registry.drive_pull(name, stream, events).await });
        Ok(receiver)
    }

    async fn drive_pull(
        self: Arc<Self>,
        name: String,
        mut stream: PullModelStatusStream,
        events: mpsc::Sender<PullEvent>,
    ) {
        let mut succeeded = false;
        let mut failure = None;
        while let Some(line) = stream.next().await {
            match line {
                Ok(status) => {
                    succeeded = status.message == "success";
                    let progress = PullEvent::Progress {
                        status: status.message,
                        completed: status.completed,
                        total: status.total,
                    };
                    // A gone reader does not stop the pull: the row must still be settled.
                    let _ = events.send(progress).await;
                }
                Err(e) => {
                    failure = Some(classify(&name, e));
                    break;
                }
            }
        }
        let outcome = match (succeeded, failure) {
            (true, None) => self.settle_success(&name).await,
            (_, failure) => self.settle_failure(&name, failure).await,
        };
        let _ = events.send(outcome).await;
    }

    async fn settle_success(&self, name: &str) -> PullEvent {
        if let Err(e) = self.refresh().await {
            log_failure(name, "pulled, but the refresh after it failed", &e);
            self.record(name, ModelStatus::Available).await;
        }
        match store::list(&self.pool).await {
            Ok(rows) => match find_available(&rows, name) {
                Some(entry) => PullEvent::Done(entry.clone()),
                None => self.settle_failure(name, None).await,
            },
            Err(e) => PullEvent::Failed(PullFailure::Interrupted {
                name: name.to_owned(),
                message: format!("the registry could not be read: {e}"),
            }),
        }
    }

    async fn settle_failure(&self, name: &str, failure: Option<PullFailure>) -> PullEvent {
        self.record(name, ModelStatus::Failed).await;
        PullEvent::Failed(failure.unwrap_or_else(|| PullFailure::Interrupted {
            name: name.to_owned(),
            message: "Ollama ended the pull without reporting success".to_owned(),
        }))
    }

    /// Sets the row's status after a pull; a failure is logged (no client is left to tell).
    async fn record(&self, name: &str, status: ModelStatus) {
        if let Err(e) = store::set_status(&self.pool, name, status).await {
            log_failure(name, "the outcome of a pull was not recorded", &e);
        }
        self.invalidate().await;
    }
}

fn log_failure(model: &str, what: &str, error: &RegistryError) {
    tracing::error!(model, error = %error, "{what}");
}

/// Ollama reports an unknown model in the stream (`pull model manifest: file does not exist`).
fn classify(name: &str, err: OllamaError) -> PullFailure {
    match err {
        OllamaError::InternalError(e) if names_unknown_model(&e.message) => {
            PullFailure::UnknownModel {
                name: name.to_owned(),
                message: e.message,
            }
        }
        other => PullFailure::Interrupted {
            name: name.to_owned(),
            message: super::error::describe(&other),
        },
    }
}

fn names_unknown_model(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    message.contains("file does not exist") || message.contains("not found")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_model_is_a_404_and_a_broken_pull_a_503() {
        let unknown = PullFailure::UnknownModel {
            name: "nope:1b".into(),
            message: "pull model manifest: file does not exist".into(),
        };
        assert_eq!(AppError::from(unknown).problem().status, 404);
        let broken = PullFailure::Interrupted {
            name: "x:1b".into(),
            message: "connection reset".into(),
        };
        assert_eq!(AppError::from(broken).problem().status, 503);
        assert!(names_unknown_model(
            "pull model manifest: file does not exist"
        ));
        assert!(!names_unknown_model("disk full"));
    }
}
