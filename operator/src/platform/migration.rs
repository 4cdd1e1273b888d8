//! Apply, migration part: creates the migration Job of the current image when it does not
//! exist, reports how it stands (with the last lines of a failed run's logs when they can be
//! read), and once it succeeded deletes the platform's older migration Jobs.

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{DeleteParams, ListParams, LogParams, PostParams};
use kube::{Api, ResourceExt};

use super::PlatformError;
use super::job::{COMPONENT, job, name};
use super::names::PLATFORM_LABEL;
use crate::crd::Platform;

/// Lines of a failed migration's log kept in the status.
const LOG_LINES: i64 = 10;

/// Where the migration of the current image stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Migration {
    /// The Job runs (or was just created).
    Running(String),
    /// The Job completed: the database has the image's schema.
    Succeeded(String),
    /// The Job failed; the message says why, with the log's last lines when readable.
    Failed(String, String),
}

/// Makes sure the migration Job of `platform`'s image exists and says how it stands.
pub async fn ensure(
    jobs: &Api<Job>,
    pods: &Api<Pod>,
    platform: &Platform,
) -> Result<Migration, PlatformError> {
    let name = name(platform);
    let Some(found) = jobs.get_opt(&name).await? else {
        let object: Job = serde_json::from_value(job(platform))?;
        jobs.create(&PostParams::default(), &object).await?;
        return Ok(Migration::Running(name));
    };
    let outcome = match finished(&found) {
        Some(true) => {
            delete_older(jobs, platform, &name).await?;
            Migration::Succeeded(name)
        }
        Some(false) => {
            let message = failure(&found, pods, &name).await;
            Migration::Failed(name, message)
        }
        None => Migration::Running(name),
    };
    Ok(outcome)
}

/// `Some(true)` when the Job completed, `Some(false)` when it failed, `None` while it runs.
pub fn finished(job: &Job) -> Option<bool> {
    let conditions = job.status.as_ref()?.conditions.as_ref()?;
    let holds = |kind: &str| {
        conditions
            .iter()
            .any(|c| c.type_ == kind && c.status == "True")
    };
    if holds("Complete") {
        Some(true)
    } else if holds("Failed") {
        Some(false)
    } else {
        None
    }
}

async fn failure(job: &Job, pods: &Api<Pod>, name: &str) -> String {
    let reason = job
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Failed"))
        .and_then(|c| c.message.clone())
        .unwrap_or_else(|| "the Job failed".into());
    let logs = match last_log_lines(pods, name).await {
        Ok(lines) if lines.trim().is_empty() => "the log is empty".to_owned(),
        Ok(lines) => format!("last log lines:\n{}", lines.trim_end()),
        Err(e) => format!("its logs could not be read: {e}"),
    };
    format!("migration Job {name} failed: {reason}; {logs}")
}

async fn last_log_lines(pods: &Api<Pod>, job: &str) -> Result<String, kube::Error> {
    let listed = pods
        .list(&ListParams::default().labels(&format!("job-name={job}")))
        .await?;
    let Some(last) = listed
        .items
        .iter()
        .max_by_key(|p| p.metadata.creation_timestamp.clone())
    else {
        return Ok(String::new());
    };
    let params = LogParams {
        tail_lines: Some(LOG_LINES),
        ..LogParams::default()
    };
    pods.logs(&last.name_any(), &params).await
}

async fn delete_older(
    jobs: &Api<Job>,
    platform: &Platform,
    current: &str,
) -> Result<(), PlatformError> {
    let selector = format!(
        "{PLATFORM_LABEL}={},app.kubernetes.io/component={COMPONENT}",
        platform.name_any()
    );
    let listed = jobs.list(&ListParams::default().labels(&selector)).await?;
    for old in listed
        .items
        .iter()
        .filter(|j| j.name_any() != current && j.metadata.deletion_timestamp.is_none())
    {
        jobs.delete(&old.name_any(), &DeleteParams::background())
            .await?;
    }
    Ok(())
}
