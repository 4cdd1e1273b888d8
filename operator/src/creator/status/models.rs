//! The `ModelsReady` condition and the per-model status, from what the model probe and the
//! background pulls report.

use super::{Observed, Part};
use crate::crd::{ConditionStatus, ModelPull};
use crate::creator::probes::ModelPresence;
use crate::models::Pull;

pub(super) fn models(observed: &Observed) -> Part {
    let models = match &observed.models {
        Ok(models) => models,
        Err(e) => {
            return (
                ConditionStatus::Unknown,
                "OllamaUnavailable".into(),
                e.clone(),
            );
        }
    };
    let failed: Vec<String> = models
        .iter()
        .filter_map(|m| match &m.pull {
            Some(Pull::Failed { reason, .. }) => Some(format!("{}: {reason}", m.name)),
            _ => None,
        })
        .collect();
    let pulling: Vec<String> = models
        .iter()
        .filter(|m| m.digest.is_none() && !matches!(m.pull, Some(Pull::Failed { .. })))
        .map(|m| format!("{} ({:.0} %)", m.name, progress(m).unwrap_or(0.0)))
        .collect();
    match (failed.is_empty(), pulling.is_empty()) {
        (true, true) => (
            ConditionStatus::True,
            "Present".into(),
            "every model is on the Ollama server".into(),
        ),
        (false, _) => {
            let message = format!("pull failed, retrying: {}", failed.join("; "));
            (ConditionStatus::False, "PullFailed".into(), message)
        }
        (true, false) => (
            ConditionStatus::False,
            "Pulling".into(),
            format!("pulling {}", pulling.join(", ")),
        ),
    }
}

fn progress(model: &ModelPresence) -> Option<f64> {
    match (&model.digest, &model.pull) {
        (Some(_), _) => Some(100.0),
        (None, Some(Pull::Running { progress })) => Some((progress * 10.0).round() / 10.0),
        _ => None,
    }
}

pub(super) fn model_pulls(observed: &Observed) -> Vec<ModelPull> {
    let models = observed
        .models
        .as_ref()
        .map(Vec::as_slice)
        .unwrap_or_default();
    models
        .iter()
        .map(|m| ModelPull {
            name: m.name.clone(),
            digest: m.digest.clone(),
            state: match (&m.digest, &m.pull) {
                (Some(_), _) => "Present",
                (None, Some(Pull::Failed { .. })) => "Failed",
                (None, _) => "Pulling",
            }
            .into(),
            progress: progress(m),
        })
        .collect()
}
