//! Model pulls in the background: the reconciler asks for a model ([`Puller::want`]) and gets
//! the pull's state at once — it never waits for a download. One pull per model at a time,
//! whatever the number of Creators using it; a failed or stalled pull is retried after a
//! growing delay (5 s, doubling, at most 5 minutes).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde::Deserialize;

mod gc;

pub use gc::{collect_forever, same_model};

/// A pull that sends nothing for this long is stalled.
const STALL: Duration = Duration::from_secs(60);
/// The first retry delay; it doubles with each failure.
const FIRST_RETRY: Duration = Duration::from_secs(5);
/// The longest retry delay.
const LAST_RETRY: Duration = Duration::from_secs(300);

/// Where the pull of one model stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Pull {
    /// Downloading; `progress` in percent.
    Running {
        /// 0-100.
        progress: f64,
    },
    /// The last attempt failed; another starts after `retry_at`.
    Failed {
        /// Why.
        reason: String,
        /// Failed attempts so far.
        attempts: u32,
        /// When the next attempt may start.
        retry_at: Instant,
    },
    /// The last pull finished.
    Finished,
}

/// One progress line of Ollama's `/api/pull` stream.
#[derive(Debug, Deserialize)]
struct Line {
    total: Option<u64>,
    completed: Option<u64>,
    error: Option<String>,
}

/// Pulls models from one Ollama server, and deletes the ones it pulled once no Creator uses
/// them any more ([`gc`]).
pub struct Puller {
    http: reqwest::Client,
    base_url: String,
    pulls: Mutex<HashMap<String, Pull>>,
    /// Models this process pulled: `None` while in use, else since when unused.
    pulled: Mutex<HashMap<String, Option<Instant>>>,
}

impl Puller {
    /// A puller of the Ollama at `ollama_url`.
    pub fn new(ollama_url: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base_url: ollama_url.trim_end_matches('/').to_owned(),
            pulls: Mutex::new(HashMap::new()),
            pulled: Mutex::new(HashMap::new()),
        }
    }

    /// The state of the pull of `model`, which the server does not have: a pull starts unless
    /// one runs or the last one failed less than its retry delay ago.
    pub fn want(self: &Arc<Self>, model: &str) -> Pull {
        let mut pulls = self.pulls.lock().unwrap_or_else(PoisonError::into_inner);
        let attempts = match pulls.get(model) {
            Some(running @ Pull::Running { .. }) => return running.clone(),
            Some(failed @ Pull::Failed { retry_at, .. }) if Instant::now() < *retry_at => {
                return failed.clone();
            }
            Some(Pull::Failed { attempts, .. }) => *attempts,
            Some(Pull::Finished) | None => 0,
        };
        let running = Pull::Running { progress: 0.0 };
        pulls.insert(model.to_owned(), running.clone());
        tokio::spawn(self.clone().pull(model.to_owned(), attempts));
        running
    }

    async fn pull(self: Arc<Self>, model: String, failed_before: u32) {
        let state = match self.download(&model).await {
            Ok(()) => Pull::Finished,
            Err(reason) => failed(&model, reason, failed_before + 1),
        };
        if state == Pull::Finished {
            let mut pulled = self.pulled.lock().unwrap_or_else(PoisonError::into_inner);
            pulled.insert(model.clone(), None);
        }
        let result = if state == Pull::Finished {
            "ok"
        } else {
            "error"
        };
        metrics::counter!("coachai_operator_model_pulls_total", "result" => result).increment(1);
        self.set(&model, state);
    }

    async fn download(&self, model: &str) -> Result<(), String> {
        let body = serde_json::json!({"model": model, "stream": true});
        let url = format!("{}/api/pull", self.base_url);
        let response = self.http.post(&url).json(&body).send().await;
        let response = response
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| format!("Ollama refused the pull: {e}"))?;
        let mut chunks = response.bytes_stream();
        let mut pending = Vec::new();
        loop {
            let chunk = match tokio::time::timeout(STALL, chunks.next()).await {
                Err(_) => return Err("the pull stalled (nothing for 60 s)".into()),
                Ok(None) => return Ok(()),
                Ok(Some(chunk)) => chunk.map_err(|e| format!("the pull broke off: {e}"))?,
            };
            pending.extend_from_slice(&chunk);
            self.consume(model, &mut pending)?;
        }
    }

    /// Reads the complete lines of `pending`, keeping a partial last line.
    fn consume(&self, model: &str, pending: &mut Vec<u8>) -> Result<(), String> {
        while let Some(end) = pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            let Ok(line) = serde_json::from_slice::<Line>(&line) else {
                continue;
            };
            if let Some(error) = line.error {
                return Err(error);
            }
            if let (Some(total), Some(completed)) = (line.total, line.completed) {
                let progress = if total == 0 {
                    0.0
                } else {
                    completed as f64 * 100.0 / total as f64
                };
                self.set(
                    model,
                    Pull::Running {
                        progress: progress.min(100.0),
                    },
                );
            }
        }
        Ok(())
    }

    fn set(&self, model: &str, state: Pull) {
        let mut pulls = self.pulls.lock().unwrap_or_else(PoisonError::into_inner);
        pulls.insert(model.to_owned(), state);
    }
}

fn failed(model: &str, reason: String, attempts: u32) -> Pull {
    tracing::warn!(%model, %reason, attempts, "model pull failed");
    Pull::Failed {
        reason,
        attempts,
        retry_at: Instant::now() + retry_delay(attempts),
    }
}

fn retry_delay(attempts: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempts.saturating_sub(1).min(16));
    FIRST_RETRY.saturating_mul(factor).min(LAST_RETRY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_five_minutes() {
        assert_eq!(retry_delay(1), Duration::from_secs(5));
        assert_eq!(retry_delay(2), Duration::from_secs(10));
        assert_eq!(retry_delay(4), Duration::from_secs(40));
        assert_eq!(retry_delay(30), LAST_RETRY);
    }

    #[tokio::test]
    async fn progress_lines_move_the_state_and_an_error_line_fails_it() {
        let puller = Puller::new("http://127.0.0.1:1");
        let mut pending =
            b"{\"status\":\"pulling\",\"total\":200,\"completed\":50}\n{\"sta".to_vec();
        puller.consume("m", &mut pending).unwrap();
        assert_eq!(
            puller.pulls.lock().unwrap()["m"],
            Pull::Running { progress: 25.0 }
        );
        assert_eq!(pending, b"{\"sta");
        let mut failing = b"{\"error\":\"pull model manifest: file does not exist\"}\n".to_vec();
        assert!(
            puller
                .consume("m", &mut failing)
                .unwrap_err()
                .contains("does not exist")
        );
    }

    #[tokio::test]
    async fn an_unreachable_server_fails_the_pull_and_it_is_not_retried_at_once() {
        let puller = Arc::new(Puller::new("http://127.0.0.1:1"));
        assert_eq!(puller.want("m"), Pull::Running { progress: 0.0 });
        let deadline = Instant::now() + Duration::from_secs(5);
        while matches!(puller.want("m"), Pull::Running { .. }) {
            assert!(Instant::now() < deadline, "the pull never failed");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(matches!(puller.want("m"), Pull::Failed { attempts: 1, .. }));
    }
}
