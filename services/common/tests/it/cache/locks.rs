//! The cross-process load lock under failure: failing, panicking, cancelled and slow loaders,
//! and keys that look like lock keys. Several `Cache` instances stand for processes; `holder`
//! kills a real process holding the lock.

use std::sync::Arc;
use std::time::{Duration, Instant};

use coachai_common::AppError;
use coachai_common::cache::{Cache, CacheOptions};
use coachai_common::tenancy::CreatorId;
use tokio::sync::oneshot;

use super::{read, stampede, stampede_with, tenant};
use crate::support::redis_url;

pub(super) const TTL: Duration = Duration::from_secs(30);
/// Well under the 2 s a waiter used to wait for a lock that was never released.
const AT_ONCE: Duration = Duration::from_secs(1);

pub(super) fn caches(count: usize, options: &CacheOptions) -> Vec<Arc<Cache>> {
    (0..count)
        .map(|_| Arc::new(Cache::new(&redis_url(), options.clone())))
        .collect()
}

/// How a load holding the lock ends.
#[derive(Clone, Copy)]
enum Ending {
    Fails,
    Panics,
    IsCancelled,
}

type Load = tokio::task::JoinHandle<Result<String, AppError>>;

/// `cache` starts loading `key` and holds the lock until told to end its load as `ending` says.
async fn hold_lock(
    cache: Arc<Cache>,
    key: (CreatorId, &str),
    ending: Ending,
) -> (Load, oneshot::Sender<()>) {
    let (creator, key) = (key.0, key.1.to_owned());
    let (started, loading) = oneshot::channel();
    let (end, ended) = oneshot::channel::<()>();
    let holder = tokio::spawn(async move {
        let load = || async move {
            started.send(()).unwrap();
            ended.await.unwrap();
            match ending {
                Ending::Fails => Err(AppError::Unavailable("upstream down".into())),
                Ending::Panics => panic!("loader bug"),
                Ending::IsCancelled => std::future::pending().await,
            }
        };
        cache.get_or_load(creator, &key, TTL, load).await
    });
    loading.await.unwrap();
    (holder, end)
}

async fn end_load(holder: Load, end: oneshot::Sender<()>, ending: Ending) {
    if let Ending::IsCancelled = ending {
        holder.abort();
    } else {
        end.send(()).unwrap();
    }
    let held = holder.await;
    match ending {
        Ending::Fails => assert!(held.unwrap().is_err()),
        Ending::Panics => assert!(held.unwrap_err().is_panic()),
        Ending::IsCancelled => assert!(held.unwrap_err().is_cancelled()),
    }
}

/// One process starts loading and holds the lock; a second process waits for it. Once the load
/// ends as `ending` says, returns how long the second process then took to load by itself.
async fn wait_after_a_load_that(ending: Ending) -> Duration {
    let processes = caches(2, &CacheOptions::default());
    let creator = tenant();
    let (holder, end) = hold_lock(processes[0].clone(), (creator, "k"), ending).await;
    let second = processes[1].clone();
    let waiting = tokio::spawn(async move {
        let load = || async { Ok::<_, AppError>("mine".to_owned()) };
        second.get_or_load(creator, "k", TTL, load).await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !waiting.is_finished(),
        "the second process waits while the lock is held"
    );
    let since = Instant::now();
    end_load(holder, end, ending).await;
    assert_eq!(waiting.await.unwrap().unwrap(), "mine");
    since.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_load_releases_its_lock_at_once() {
    let took = wait_after_a_load_that(Ending::Fails).await;
    assert!(
        took < AT_ONCE,
        "another process waited {took:?} after a failed load"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_panicking_load_releases_its_lock_at_once() {
    let took = wait_after_a_load_that(Ending::Panics).await;
    assert!(
        took < AT_ONCE,
        "another process waited {took:?} after a panicked load"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cancelled_load_releases_its_lock_at_once() {
    let took = wait_after_a_load_that(Ending::IsCancelled).await;
    assert!(
        took < AT_ONCE,
        "another process waited {took:?} after a cancelled load"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_load_fails_its_thousand_waiters_once_and_the_next_wave_loads_again() {
    let cache = caches(1, &CacheOptions::default());
    let key = (tenant(), "failing");
    let wave = stampede_with(&cache, key, 1000, Duration::from_millis(300), false);
    let (loads, outcomes) = tokio::time::timeout(Duration::from_secs(20), wave)
        .await
        .expect("a failing wave ends in one load's time, not a load per waiter");
    assert_eq!(loads, 1, "one failure per wave, not one retry per waiter");
    assert_eq!(outcomes.len(), 1000);
    assert!(
        outcomes
            .iter()
            .all(|outcome| matches!(outcome, Err(AppError::Unavailable(_))))
    );
    let leader = outcomes
        .iter()
        .filter(|outcome| matches!(outcome, Err(AppError::Unavailable(m)) if m == "upstream down"))
        .count();
    assert_eq!(
        leader, 1,
        "the leader gets its own error, the waiters the shared failure"
    );
    let (loads, values) = stampede(cache, key.0, key.1).await;
    assert_eq!(loads, 1);
    assert!(values.iter().all(|v| v == "expensive answer"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn when_another_process_fails_its_load_one_waiting_process_loads_not_all() {
    let creator = tenant();
    let holder = caches(1, &CacheOptions::default()).remove(0);
    let (holder, end) = hold_lock(holder, (creator, "contested"), Ending::Fails).await;
    let others = caches(4, &CacheOptions::default());
    let crowd = tokio::spawn(stampede(others, creator, "contested"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    end_load(holder, end, Ending::Fails).await;
    let (loads, values) = crowd.await.unwrap();
    assert_eq!(
        loads, 1,
        "after the holder failed, one of four processes must load"
    );
    assert!(values.iter().all(|v| v == "expensive answer"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_load_slower_than_its_lock_ttl_and_the_old_two_second_wait_runs_once() {
    let options = CacheOptions {
        lock_ttl: Duration::from_millis(500),
        ..CacheOptions::default()
    };
    let processes = caches(2, &options);
    let slow = Duration::from_secs(3);
    let (loads, outcomes) = stampede_with(&processes, (tenant(), "slow"), 1000, slow, true).await;
    assert_eq!(
        loads, 1,
        "the holder renews its lock and the other process keeps waiting"
    );
    assert!(outcomes.iter().all(|outcome| outcome.is_ok()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_key_ending_in_lock_never_blocks_its_base_key() {
    let processes = caches(2, &CacheOptions::default());
    let creator = tenant();
    assert_eq!(
        read(&processes[0], creator, "profile:lock", "suffixed").await,
        "suffixed"
    );
    let started = Instant::now();
    let (loads, values) = stampede(processes.clone(), creator, "profile").await;
    let took = started.elapsed();
    assert_eq!(loads, 1);
    assert!(values.iter().all(|v| v == "expensive answer"));
    assert!(
        took < Duration::from_millis(1500),
        "the base key's callers waited {took:?}"
    );
    let suffixed = read(&processes[1], creator, "profile:lock", "reloaded").await;
    assert_eq!(suffixed, "suffixed");
}
