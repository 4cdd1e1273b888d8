//! Stampede prevention and degradation of the Redis cache, against real Redis servers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use coachai_common::AppError;
use coachai_common::cache::{Cache, CacheOptions};
use coachai_common::tenancy::CreatorId;
use uuid::Uuid;

use crate::support::redis_url;

fn tenant() -> CreatorId {
    CreatorId(Uuid::new_v4())
}

/// 1,000 concurrent callers of one key; returns how often the loader ran and what they got.
async fn stampede(caches: Vec<Arc<Cache>>, creator: CreatorId, key: &str) -> (usize, Vec<String>) {
    let loads = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..1000)
        .map(|i| {
            let cache = caches[i % caches.len()].clone();
            let (loads, key) = (loads.clone(), key.to_owned());
            tokio::spawn(async move {
                cache
                    .get_or_load(creator, &key, Duration::from_secs(30), || async move {
                        loads.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(300)).await;
                        Ok::<_, AppError>("expensive answer".to_owned())
                    })
                    .await
            })
        })
        .collect();
    let mut values = Vec::new();
    for task in tasks {
        values.push(task.await.unwrap().unwrap());
    }
    (loads.load(Ordering::SeqCst), values)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_misses_run_the_loader_once() {
    let cache = Arc::new(Cache::new(&redis_url(), CacheOptions::default()));
    let (loads, values) = stampede(vec![cache], tenant(), "hot-key").await;
    assert_eq!(loads, 1);
    assert!(values.iter().all(|v| v == "expensive answer"));
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

#[tokio::test]
async fn the_same_key_of_two_tenants_never_shares_a_value() {
    let cache = Cache::new(&redis_url(), CacheOptions::default());
    let ttl = Duration::from_secs(60);
    let (a, b) = (tenant(), tenant());
    let got_a = cache.get_or_load(a, "profile", ttl, || async {
        Ok::<_, AppError>("A".to_owned())
    });
    assert_eq!(got_a.await.unwrap(), "A");
    let got_b = cache.get_or_load(b, "profile", ttl, || async {
        Ok::<_, AppError>("B".to_owned())
    });
    assert_eq!(got_b.await.unwrap(), "B");
    assert_ne!(
        Cache::tenant_key(a, "profile"),
        Cache::tenant_key(b, "profile")
    );
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
