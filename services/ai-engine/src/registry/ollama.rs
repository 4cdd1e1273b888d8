//! What the registry asks Ollama: the installed models with their details, and pulls.
//!
//! `/api/show` and `/api/pull` go through `ollama-rs`. `/api/tags` is read with the same
//! `reqwest` client directly because ollama-rs 0.3.6's `LocalModel` keeps only name, date and
//! size, dropping the digest and the `details` (family, parameter size, quantization) that the
//! registry records.

use std::time::Duration;

use ollama_rs::Ollama;
use ollama_rs::models::pull::PullModelStatusStream;
use reqwest::Url;
use serde::Deserialize;

use super::error::{RegistryError, describe, describe_reqwest};
use super::model::{Discovered, context_length};

/// Longest wait for `/api/tags` or `/api/show`.
const META_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest wait for a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Longest silence within a pull's progress stream before it counts as broken.
const PULL_READ_TIMEOUT: Duration = Duration::from_secs(120);

/// Ollama as the registry uses it.
#[derive(Debug, Clone)]
pub struct OllamaModels {
    tags_url: Url,
    http: reqwest::Client,
    meta: Ollama,
    pull: Ollama,
}

#[derive(Debug, Deserialize)]
struct Tags {
    #[serde(default)]
    models: Vec<Tag>,
}

#[derive(Debug, Deserialize)]
struct Tag {
    name: String,
    #[serde(default)]
    digest: Option<String>,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    details: Details,
}

#[derive(Debug, Default, Deserialize)]
struct Details {
    family: Option<String>,
    parameter_size: Option<String>,
    quantization_level: Option<String>,
}

impl OllamaModels {
    /// A client of the Ollama server at `base_url` (`http://host:port`).
    pub fn new(base_url: &str) -> Result<Self, RegistryError> {
        let bad = || RegistryError::BadUrl(base_url.to_owned());
        let base = Url::parse(base_url).map_err(|_| bad())?;
        if !matches!(base.scheme(), "http" | "https") || !base.has_host() {
            return Err(bad());
        }
        let tags_url = base.join("/api/tags").map_err(|_| bad())?;
        let http = client(reqwest::Client::builder().timeout(META_TIMEOUT))?;
        let streaming = client(reqwest::Client::builder().read_timeout(PULL_READ_TIMEOUT))?;
        let build = |c: reqwest::Client| {
            Ollama::builder()
                .url(base.clone())
                .reqwest_client(c)
                .build()
        };
        Ok(Self {
            tags_url,
            meta: build(http.clone()),
            pull: build(streaming),
            http,
        })
    }

    /// Every installed model with its details; fails when Ollama does not answer `/api/tags`.
    /// A model that vanishes between the listing and its `/api/show` is left out.
    pub async fn discover(&self) -> Result<Vec<Discovered>, RegistryError> {
        let tags = self.tags().await?;
        let mut found = Vec::with_capacity(tags.len());
        for tag in tags {
            found.extend(self.show(tag).await?);
        }
        Ok(found)
    }

    /// The details of one listed model; `None` when Ollama no longer shows it.
    async fn show(&self, tag: Tag) -> Result<Option<Discovered>, RegistryError> {
        match self.meta.show_model_info(tag.name.clone()).await {
            Ok(info) => Ok(Some(discovered(tag, Some(info)))),
            Err(ollama_rs::error::OllamaError::Other(e)) => {
                tracing::warn!(model = %tag.name, error = %e, "model listed but not shown");
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Starts pulling `name`: the stream of Ollama's progress lines, or an error when Ollama
    /// cannot be reached or refuses the request outright.
    pub async fn pull(&self, name: &str) -> Result<PullModelStatusStream, RegistryError> {
        self.pull
            .pull_model_stream(name.to_owned(), false)
            .await
            .map_err(|e| RegistryError::OllamaUnavailable(describe(&e)))
    }

    async fn tags(&self) -> Result<Vec<Tag>, RegistryError> {
        let unavailable =
            |e: reqwest::Error| RegistryError::OllamaUnavailable(describe_reqwest(&e));
        let response = self
            .http
            .get(self.tags_url.clone())
            .send()
            .await
            .map_err(unavailable)?;
        let response = response.error_for_status().map_err(unavailable)?;
        let tags: Tags = response.json().await.map_err(unavailable)?;
        Ok(tags.models)
    }
}

fn client(builder: reqwest::ClientBuilder) -> Result<reqwest::Client, RegistryError> {
    builder
        .connect_timeout(CONNECT_TIMEOUT)
        .build()
        .map_err(|e| RegistryError::OllamaUnavailable(e.to_string()))
}

fn discovered(tag: Tag, info: Option<ollama_rs::models::ModelInfo>) -> Discovered {
    let (capabilities, model_info) = info
        .map(|i| (i.capabilities, i.model_info))
        .unwrap_or_default();
    let architecture = model_info
        .get("general.architecture")
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    Discovered {
        digest: tag.digest,
        family: tag.details.family.or(architecture),
        parameter_size: tag.details.parameter_size,
        quantization: tag.details.quantization_level,
        size_bytes: tag.size.and_then(|s| i64::try_from(s).ok()),
        context_length: context_length(&model_info),
        capabilities,
        name: tag.name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_http_urls_are_accepted() {
        assert!(OllamaModels::new("http://127.0.0.1:11434").is_ok());
        assert!(OllamaModels::new("127.0.0.1:11434").is_err());
        assert!(OllamaModels::new("file:///tmp/ollama").is_err());
    }
}
