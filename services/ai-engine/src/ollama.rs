//! The engine's Ollama client: `ollama-rs` over one HTTP client with connect and request
//! timeouts, and the engine's reading of its failures: the server is unreachable or failing
//! (retry later, degrade), a model is not on the server (name it), or the answer is unusable.

use std::time::Duration;

use coachai_common::AppError;
use ollama_rs::Ollama;
use ollama_rs::error::OllamaError;
use ollama_rs::generation::embeddings::request::{EmbeddingsInput, GenerateEmbeddingsRequest};

/// How long a connection attempt to Ollama may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Why an Ollama call did not give a usable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OllamaFailure {
    /// Ollama could not be reached, timed out, or failed on its side.
    #[error("the Ollama server is unavailable: {0}")]
    Unavailable(String),
    /// The model is not on the Ollama server.
    #[error("the model {0:?} is not available on the Ollama server")]
    ModelMissing(String),
    /// Ollama answered with something the engine cannot use.
    #[error("Ollama gave an unusable answer: {0}")]
    Unusable(String),
}

impl From<OllamaFailure> for AppError {
    fn from(err: OllamaFailure) -> Self {
        AppError::Unavailable(err.to_string())
    }
}

/// A cheap-to-clone Ollama client.
#[derive(Debug, Clone)]
pub struct OllamaClient {
    inner: Ollama,
}

impl OllamaClient {
    /// A client of the Ollama server at `url` whose requests give up after `timeout`.
    pub fn new(url: &str, timeout: Duration) -> Result<Self, OllamaFailure> {
        Self::with_http(url, reqwest::Client::builder().timeout(timeout))
    }

    /// A client for streamed answers: a request gives up when no byte arrives for `idle`, however
    /// long the whole answer takes.
    pub fn streaming(url: &str, idle: Duration) -> Result<Self, OllamaFailure> {
        Self::with_http(url, reqwest::Client::builder().read_timeout(idle))
    }

    fn with_http(url: &str, builder: reqwest::ClientBuilder) -> Result<Self, OllamaFailure> {
        let http = builder
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .map_err(|e| OllamaFailure::Unavailable(e.to_string()))?;
        let url = url::Url::parse(url)
            .map_err(|e| OllamaFailure::Unavailable(format!("bad Ollama URL {url:?}: {e}")))?;
        let host = format!(
            "{}://{}",
            url.scheme(),
            url.host_str().unwrap_or("127.0.0.1")
        );
        let port = url.port_or_known_default().unwrap_or(11434);
        let inner = Ollama::builder()
            .host(host)
            .port(port)
            .reqwest_client(http)
            .build();
        Ok(Self { inner })
    }

    /// The `ollama-rs` client, for calls this module does not wrap.
    pub fn raw(&self) -> &Ollama {
        &self.inner
    }

    /// One embedding per text, in order, from `model` (`/api/embed`).
    pub async fn embed(
        &self,
        model: &str,
        texts: Vec<String>,
    ) -> Result<Vec<Vec<f32>>, OllamaFailure> {
        let expected = texts.len();
        let request =
            GenerateEmbeddingsRequest::new(model.to_owned(), EmbeddingsInput::Multiple(texts));
        let reply = self
            .inner
            .generate_embeddings(request)
            .await
            .map_err(|e| classify(model, e))?;
        if reply.embeddings.len() != expected {
            return Err(OllamaFailure::Unusable(format!(
                "{} embeddings for {expected} texts",
                reply.embeddings.len()
            )));
        }
        Ok(reply.embeddings)
    }
}

/// Reads an `ollama-rs` error: Ollama's "model ... not found" is [`OllamaFailure::ModelMissing`];
/// transport errors and server errors are [`OllamaFailure::Unavailable`].
pub fn classify(model: &str, err: OllamaError) -> OllamaFailure {
    let text = match &err {
        OllamaError::InternalError(inner) => inner.message.clone(),
        OllamaError::Other(text) => text.clone(),
        OllamaError::JsonError(e) => return OllamaFailure::Unusable(e.to_string()),
        OllamaError::ReqwestError(e) => return OllamaFailure::Unavailable(transport(e)),
        OllamaError::ToolCallError(e) => return OllamaFailure::Unusable(e.to_string()),
    };
    if text.contains("not found") && text.contains("model") {
        return OllamaFailure::ModelMissing(model.to_owned());
    }
    OllamaFailure::Unavailable(text)
}

fn transport(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "the request timed out".to_owned()
    } else if err.is_connect() {
        "connection refused or unreachable".to_owned()
    } else {
        err.to_string()
    }
}
