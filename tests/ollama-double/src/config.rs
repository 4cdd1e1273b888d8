//! What the double starts with: the models it has, the models it can pull, its pace and its reply.

use std::net::SocketAddr;
use std::time::Duration;

/// What a model can do; decides `capabilities` in `/api/show` and which endpoints accept it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    /// A text model: `/api/chat` and `/api/generate` answer, `/api/embed` refuses.
    Completion,
    /// An embedding model: `/api/embed` answers, `/api/chat` and `/api/generate` refuse.
    Embedding,
}

/// A model as the double reports it in `/api/tags` and `/api/show`.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Name as clients write it; `x` and `x:latest` name the same model.
    pub name: String,
    /// What the model can do.
    pub kind: ModelKind,
    /// Architecture, reported as `details.family` and `model_info["general.architecture"]`.
    pub family: String,
    /// `details.parameter_size`, e.g. `"135M"`.
    pub parameter_size: String,
    /// `details.quantization_level`, e.g. `"Q8_0"`.
    pub quantization_level: String,
    /// `model_info["<family>.context_length"]`; `/api/embed` inputs longer than this are cut.
    pub context_length: u64,
    /// `model_info["<family>.embedding_length"]`; also the length of the vectors `/api/embed`
    /// returns for this model.
    pub embedding_length: u64,
    /// Size on disk in bytes, reported by `/api/tags` and as the pull's download total.
    pub size: u64,
}

impl Model {
    /// A chat model shaped like SmolLM2-135M-Instruct (llama architecture, 8192-token context).
    pub fn completion(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            kind: ModelKind::Completion,
            family: "llama".to_owned(),
            parameter_size: "135M".to_owned(),
            quantization_level: "Q8_0".to_owned(),
            context_length: 8192,
            embedding_length: 576,
            size: 144_808_000,
        }
    }

    /// An embedding model shaped like all-MiniLM-L6-v2 (bert architecture, 384 dimensions).
    pub fn embedding(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            kind: ModelKind::Embedding,
            family: "bert".to_owned(),
            parameter_size: "23M".to_owned(),
            quantization_level: "F16".to_owned(),
            context_length: 512,
            embedding_length: 384,
            size: 45_960_000,
        }
    }

    /// The same model with another context length.
    pub fn with_context_length(mut self, context_length: u64) -> Self {
        self.context_length = context_length;
        self
    }

    /// The same model with another embedding length (vector dimensions for `/api/embed`).
    pub fn with_embedding_length(mut self, embedding_length: u64) -> Self {
        self.embedding_length = embedding_length;
        self
    }
}

/// What `/api/chat` and `/api/generate` answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Reply {
    /// Quote the first sentence of every passage in the prompt (see [`Config::passage_tag`]),
    /// or, with no passage, echo the first words of the last user message.
    #[default]
    Grounded,
    /// Always answer this text, streamed word by word.
    Fixed(String),
}

/// How the double starts. `Config::default()` suits most tests.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen; the default `127.0.0.1:0` picks a free port.
    pub bind: SocketAddr,
    /// Models present at start.
    pub models: Vec<Model>,
    /// Models `/api/pull` can fetch; pulling any other name fails like Ollama does.
    pub registry: Vec<Model>,
    /// `/api/version`'s answer.
    pub version: String,
    /// Streamed tokens per second; `None` sends them as fast as the client reads.
    pub token_rate: Option<f64>,
    /// Delay before the first byte of every response.
    pub latency: Duration,
    /// Context window used when a request sets no `options.num_ctx` (Ollama's default is 4096).
    pub default_num_ctx: u64,
    /// Passages are the text between `<TAG ...>` and `</TAG>` in the prompt.
    pub passage_tag: String,
    /// What chat and generate answer.
    pub reply: Reply,
}

impl Default for Config {
    fn default() -> Self {
        let models = vec![
            Model::completion("smollm2:135m"),
            Model::embedding("all-minilm"),
        ];
        let mut registry = models.clone();
        registry.push(Model::completion("llama3.2"));
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            models,
            registry,
            version: "0.12.6".to_owned(),
            token_rate: None,
            latency: Duration::ZERO,
            default_num_ctx: 4096,
            passage_tag: "passage".to_owned(),
            reply: Reply::Grounded,
        }
    }
}

/// The canonical form of a model name: a name without a tag gets `:latest`, as in Ollama.
pub fn canonical_name(name: &str) -> String {
    let last = name.rsplit('/').next().unwrap_or(name);
    if last.contains(':') {
        name.to_owned()
    } else {
        format!("{name}:latest")
    }
}

#[cfg(test)]
mod tests {
    use super::canonical_name;

    #[test]
    fn an_untagged_name_means_latest() {
        assert_eq!(canonical_name("all-minilm"), "all-minilm:latest");
        assert_eq!(canonical_name("smollm2:135m"), "smollm2:135m");
        assert_eq!(
            canonical_name("host:5000/ns/model"),
            "host:5000/ns/model:latest"
        );
    }
}
