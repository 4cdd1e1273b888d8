//! Models no Creator uses any more are deleted from Ollama after a grace period — only those
//! this operator pulled (a model installed by hand, or before the operator started, is never
//! deleted; after a restart the operator has pulled nothing yet, so it deletes nothing until
//! it pulls again).

use std::collections::HashSet;
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

use kube::Api;

use super::{Pull, Puller};
use crate::context::Context;
use crate::crd::Creator;

/// Ollama lists `name:latest` for a model asked for as `name`.
pub fn same_model(listed: &str, wanted: &str) -> bool {
    canonical(listed) == canonical(wanted)
}

fn canonical(name: &str) -> String {
    if name.contains(':') {
        name.to_owned()
    } else {
        format!("{name}:latest")
    }
}

impl Puller {
    /// Marks the pulled models `used` names as in use, and deletes those unused for `grace`;
    /// returns the deleted ones.
    pub async fn collect(&self, used: &HashSet<String>, grace: Duration) -> Vec<String> {
        let expired = self.expired(used, grace);
        let mut deleted = Vec::new();
        for model in expired {
            if self.delete(&model).await.is_ok() {
                self.forget(&model);
                deleted.push(model);
            }
        }
        deleted
    }

    fn expired(&self, used: &HashSet<String>, grace: Duration) -> Vec<String> {
        let now = Instant::now();
        let mut pulled = self.pulled.lock().unwrap_or_else(PoisonError::into_inner);
        let mut expired = Vec::new();
        for (model, unused_since) in pulled.iter_mut() {
            if used.iter().any(|u| same_model(u, model)) {
                *unused_since = None;
                continue;
            }
            let since = *unused_since.get_or_insert(now);
            if now.duration_since(since) >= grace {
                expired.push(model.clone());
            }
        }
        expired
    }

    async fn delete(&self, model: &str) -> Result<(), String> {
        let url = format!("{}/api/delete", self.base_url);
        let body = serde_json::json!({"model": model});
        let sent = self.http.delete(&url).json(&body).send().await;
        let outcome = sent.and_then(reqwest::Response::error_for_status).map(drop);
        metrics::counter!("coachai_operator_model_deletes_total").increment(1);
        outcome.map_err(|e| e.to_string())
    }

    fn forget(&self, model: &str) {
        self.pulled
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(model);
        let mut pulls = self.pulls.lock().unwrap_or_else(PoisonError::into_inner);
        if pulls.get(model) == Some(&Pull::Finished) {
            pulls.remove(model);
        }
    }
}

/// Every half grace period (at most a minute), collects the models no Creator of `namespace`
/// (all: `None`) uses; runs until dropped.
pub async fn collect_forever(ctx: Arc<Context>, namespace: Option<String>) {
    let grace = ctx.config.operator.model_grace();
    let every = (grace / 2).clamp(Duration::from_secs(1), Duration::from_secs(60));
    let creators: Api<Creator> = match &namespace {
        Some(ns) => Api::namespaced(ctx.client.clone(), ns),
        None => Api::all(ctx.client.clone()),
    };
    loop {
        tokio::time::sleep(every).await;
        if let Some(used) = used_models(&creators).await {
            let deleted = ctx.puller.collect(&used, grace).await;
            deleted.iter().for_each(|model| log_deleted(model));
        }
    }
}

/// The models the Creators name; `None` when they cannot be listed (nothing is deleted then).
async fn used_models(creators: &Api<Creator>) -> Option<HashSet<String>> {
    let list = creators.list(&Default::default()).await.ok()?;
    Some(
        list.items
            .iter()
            .flat_map(|c| [c.spec.models.chat.clone(), c.spec.models.embedding.clone()])
            .collect(),
    )
}

fn log_deleted(model: &str) {
    tracing::info!(%model, "deleted a model no Creator uses");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_without_tag_is_its_latest() {
        assert!(same_model("nomic-embed-text:latest", "nomic-embed-text"));
        assert!(same_model("smollm2:135m", "smollm2:135m"));
        assert!(!same_model("smollm2:360m", "smollm2:135m"));
    }

    #[test]
    fn a_used_model_is_kept_and_an_unused_one_expires_after_the_grace() {
        let puller = Puller::new("http://127.0.0.1:1");
        puller
            .pulled
            .lock()
            .unwrap()
            .insert("a:latest".into(), None);
        puller.pulled.lock().unwrap().insert("b:1".into(), None);
        let used = HashSet::from(["a".to_owned()]);
        assert!(
            puller
                .expired(&used, Duration::ZERO)
                .contains(&"b:1".to_owned())
        );
        assert!(
            !puller
                .expired(&used, Duration::ZERO)
                .contains(&"a:latest".to_owned())
        );
        assert!(puller.expired(&used, Duration::from_secs(3600)).is_empty());
    }
}
