//! The benchmark's own requests: creating the Creators (bounded concurrency), following them
//! with one watch until a predicate holds for all, deleting them, and reading their tenants'
//! creator rows. Each request this module sends is counted, so it can be told apart from the
//! operator's in the API server's counters.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use coachai_common::tenancy::{CreatorId, Db};
use coachai_operator::crd::Creator;
use futures::{StreamExt, TryStreamExt, stream};
use kube::api::{DeleteParams, ListParams, PostParams};
use kube::runtime::watcher::{self, Event};
use kube::{Api, ResourceExt};
use serde_json::json;

/// How many creates are in flight at once.
const CONCURRENCY: usize = 32;

/// Creates `count` Creators `bench-<i>` naming the double's models; how long it took.
pub async fn create(api: &Api<Creator>, count: usize, tag: &str) -> anyhow::Result<Duration> {
    let started = Instant::now();
    stream::iter(0..count)
        .map(|i| async move {
            let object: Creator = serde_json::from_value(json!({
                "apiVersion": "coachai.dev/v1alpha1", "kind": "Creator",
                "metadata": {"name": format!("bench-{i}")},
                "spec": {
                    "displayName": format!("Bench Coach {i}"),
                    "slug": format!("bench-{tag}-{i}"),
                    "owner": {"email": format!("coach-{i}@bench.example")},
                    "models": {"chat": crate::stack::CHAT, "embedding": crate::stack::EMBEDDING},
                },
            }))?;
            api.create(&PostParams::default(), &object)
                .await
                .with_context(|| format!("creating bench-{i}"))?;
            anyhow::Ok(())
        })
        .buffer_unordered(CONCURRENCY)
        .try_collect::<()>()
        .await?;
    Ok(started.elapsed())
}

/// Whether the Creator's condition Ready is True.
pub fn ready(creator: &Creator) -> bool {
    creator.status.as_ref().is_some_and(|status| {
        status
            .conditions
            .iter()
            .any(|c| c.type_ == "Ready" && format!("{:?}", c.status) == "True")
    })
}

/// Follows the namespace's Creators with one watch until `done(objects)` holds, or `limit`
/// passes; the objects then. `progress` is printed every 10 s.
pub async fn until(
    api: &Api<Creator>,
    limit: Duration,
    done: impl Fn(&HashMap<String, Creator>) -> bool,
    progress: impl Fn(&HashMap<String, Creator>) -> String,
) -> anyhow::Result<HashMap<String, Creator>> {
    let deadline = Instant::now() + limit;
    let mut next_report = Instant::now() + Duration::from_secs(10);
    let mut objects = HashMap::new();
    let mut fresh = HashMap::new();
    let mut listed = false;
    let mut events = watcher::watcher(api.clone(), watcher::Config::default()).boxed();
    loop {
        let wait = deadline.saturating_duration_since(Instant::now());
        let event = tokio::time::timeout(wait.min(Duration::from_secs(1)), events.next()).await;
        match event {
            Ok(Some(event)) => {
                let event = event?;
                listed |= matches!(event, Event::InitDone);
                apply(&mut objects, &mut fresh, event);
            }
            Ok(None) => anyhow::bail!("the watch ended"),
            Err(_) => {}
        }
        if listed && done(&objects) {
            return Ok(objects);
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "not within {limit:?}: {}",
            progress(&objects)
        );
        if Instant::now() >= next_report {
            eprintln!("  … {}", progress(&objects));
            next_report += Duration::from_secs(10);
        }
    }
}

fn apply(
    objects: &mut HashMap<String, Creator>,
    fresh: &mut HashMap<String, Creator>,
    event: Event<Creator>,
) {
    match event {
        Event::Apply(c) => {
            objects.insert(c.name_any(), c);
        }
        Event::Delete(c) => {
            objects.remove(&c.name_any());
        }
        Event::Init => fresh.clear(),
        Event::InitApply(c) => {
            fresh.insert(c.name_any(), c);
        }
        Event::InitDone => *objects = std::mem::take(fresh),
    }
}

/// Deletes every Creator of the namespace in one request.
pub async fn delete_all(api: &Api<Creator>) -> anyhow::Result<()> {
    api.delete_collection(&DeleteParams::default(), &ListParams::default())
        .await?;
    Ok(())
}

/// A creator row's version: its `xmin` (changes with any update) and `updated_at`.
pub type RowVersion = Option<(String, String)>;

/// The row version of each tenant `ids` names (`None` once the row is gone).
pub async fn row_versions(db: &Db, ids: &[CreatorId]) -> anyhow::Result<Vec<RowVersion>> {
    stream::iter(ids.iter().copied())
        .map(|id| async move {
            let mut tx = db.begin_for(id).await?;
            let row: RowVersion =
                sqlx::query_as("SELECT xmin::text, updated_at::text FROM creators WHERE id = $1")
                    .bind(id.0)
                    .fetch_optional(tx.conn())
                    .await?;
            tx.commit().await?;
            anyhow::Ok(row)
        })
        .buffered(4)
        .try_collect()
        .await
}

/// The tenant ids (object UIDs) of `objects`.
pub fn tenant_ids(objects: &HashMap<String, Creator>) -> Vec<CreatorId> {
    objects
        .values()
        .filter_map(|c| c.uid()?.parse().ok().map(CreatorId))
        .collect()
}
