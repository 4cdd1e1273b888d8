//! Stampede prevention and degradation of the Redis cache, against real Redis servers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use coachai_common::AppError;
use coachai_common::cache::{Cache, CacheOptions};
use coachai_common::tenancy::CreatorId;
use uuid::Uuid;

use crate::support::redis_url;

mod holder;
mod locks;

pub(super) fn tenant() -> CreatorId {
    CreatorId(Uuid::new_v4())
}

/// `callers` concurrent callers of one key spread over `caches`, whose loader takes `took` and
/// then answers "expensive answer" or fails; returns how often it ran and what each caller got.
pub(super) async fn stampede_with(
    caches: &[Arc<Cache>],
    (creator, key): (CreatorId, &str),
    callers: usize,
    took: Duration,
    succeed: bool,
) -> (usize, Vec<Result<String, AppError>>) {
    let loads = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..callers)
        .map(|i| {
            let cache = caches[i % caches.len()].clone();
            let (loads, key) = (loads.clone(), key.to_owned());
            tokio::spawn(async move {
                cache
                    .get_or_load(creator, &key, Duration::from_secs(30), || async move {
                        loads.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(took).await;
                        if succeed {
                            Ok("expensive answer".to_owned())
                        } else {
                            Err(AppError::Unavailable("upstream down".into()))
                        }
                    })
                    .await
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    (loads.load(Ordering::SeqCst), outcomes)
}

/// 1,000 concurrent callers of one key whose 300 ms load succeeds.
pub(super) async fn stampede(
    caches: Vec<Arc<Cache>>,
    creator: CreatorId,
    key: &str,
) -> (usize, Vec<String>) {
    let took = Duration::from_millis(300);
    let (loads, outcomes) = stampede_with(&caches, (creator, key), 1000, took, true).await;
    (loads, outcomes.into_iter().map(Result::unwrap).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_misses_run_the_loader_once() {
    let cache = Arc::new(Cache::new(&redis_url(), CacheOptions::default()));
    let creator = tenant();
    let (loads, values) = stampede(vec![cache], creator, "hot-key").await;
    assert_eq!(loads, 1);
    assert!(values.iter().all(|v| v == "expensive answer"));
    let fresh = Cache::new(&redis_url(), CacheOptions::default());
    let again = fresh.get_or_load(creator, "hot-key", Duration::from_secs(30), || async {
        Ok::<_, AppError>("loaded again: the value never reached Redis".to_owned())
    });
    assert_eq!(
        again.await.unwrap(),
        "expensive answer",
        "another process must find the value in Redis"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_share_one_load_through_the_redis_lock() {
    let options = CacheOptions::default();
    let first = Arc::new(Cache::new(&redis_url(), options.clone()));
    let second = Arc::new(Cache::new(&redis_url(), options));
    let (loads, values) = stampede(vec![first, second], tenant(), "shared-key").await;
    assert_eq!(
        loads, 1,
        "the second process must wait for the first one's load"
    );
    assert_eq!(values.len(), 1000);
}

#[tokio::test]
async fn cached_values_are_served_without_loading_again_and_invalidate_reloads() {
    let cache = Cache::new(&redis_url(), CacheOptions::default());
    let creator = tenant();
    let loads = AtomicUsize::new(0);
    let load = || async {
        loads.fetch_add(1, Ordering::SeqCst);
        Ok::<_, AppError>(vec![1_u32, 2, 3])
    };
    let ttl = Duration::from_secs(60);
    assert_eq!(
        cache.get_or_load(creator, "k", ttl, load).await.unwrap(),
        vec![1, 2, 3]
    );
    assert_eq!(
        cache.get_or_load(creator, "k", ttl, load).await.unwrap(),
        vec![1, 2, 3]
    );
    assert_eq!(loads.load(Ordering::SeqCst), 1);
    cache.invalidate(creator, "k").await;
    cache.get_or_load(creator, "k", ttl, load).await.unwrap();
    assert_eq!(loads.load(Ordering::SeqCst), 2);
}

/// Reads `key` of `creator`, loading `fallback` on a miss.
pub(super) async fn read(cache: &Cache, creator: CreatorId, key: &str, fallback: &str) -> String {
    let fallback = fallback.to_owned();
    cache
        .get_or_load(creator, key, Duration::from_secs(60), || async {
            Ok::<_, AppError>(fallback)
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn the_same_key_of_two_tenants_never_shares_a_value() {
    let cache = Cache::new(&redis_url(), CacheOptions::default());
    let (a, b) = (tenant(), tenant());
    assert_eq!(read(&cache, a, "profile", "A").await, "A");
    assert_eq!(
        read(&cache, b, "profile", "B").await,
        "B",
        "B must not read A's value"
    );
    assert_eq!(read(&cache, a, "profile", "A reloaded").await, "A");
    assert_eq!(read(&cache, b, "profile", "B reloaded").await, "B");
    cache.invalidate(a, "profile").await;
    assert_eq!(
        read(&cache, b, "profile", "B reloaded").await,
        "B",
        "A's invalidation must leave B's value cached"
    );
    assert_eq!(read(&cache, a, "profile", "A reloaded").await, "A reloaded");
}

#[tokio::test]
async fn loader_errors_reach_the_caller_and_are_not_cached() {
    let cache = Cache::new(&redis_url(), CacheOptions::default());
    let creator = tenant();
    let ttl = Duration::from_secs(60);
    let failed = cache
        .get_or_load(creator, "flaky", ttl, || async {
            Err::<String, _>(AppError::Unavailable("upstream down".into()))
        })
        .await;
    assert!(matches!(failed, Err(AppError::Unavailable(_))));
    let ok = cache.get_or_load(creator, "flaky", ttl, || async { Ok::<_, AppError>(7_u8) });
    assert_eq!(ok.await.unwrap(), 7);
}

/// A private Redis server that the test can stop.
struct OwnRedis {
    child: std::process::Child,
    url: String,
}

impl OwnRedis {
    async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server is installed by scripts/stack/up.sh");
        let url = format!("redis://127.0.0.1:{port}");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Self { child, url }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_redis_stopped_the_call_still_returns_the_loaded_value() {
    let mut redis = OwnRedis::start().await;
    let cache = Arc::new(Cache::new(&redis.url, CacheOptions::default()));
    let creator = tenant();
    let warm = cache.get_or_load(creator, "k", Duration::from_secs(60), || async {
        Ok::<_, AppError>("v1".to_owned())
    });
    assert_eq!(warm.await.unwrap(), "v1");
    redis.stop();
    let fresh = cache.get_or_load(creator, "other", Duration::from_secs(60), || async {
        Ok::<_, AppError>("loaded without redis".to_owned())
    });
    assert_eq!(fresh.await.unwrap(), "loaded without redis");
    let (loads, values) = stampede(vec![cache], creator, "hot-without-redis").await;
    assert_eq!(loads, 1, "single-flight still holds inside the process");
    assert!(values.iter().all(|v| v == "expensive answer"));
}
