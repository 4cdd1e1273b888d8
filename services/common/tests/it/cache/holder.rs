//! A real process holding the load lock is killed (SIGKILL): its lock lapses after one
//! `lock_ttl` and the survivors load once. The holder is this test binary re-run with one
//! ignored helper test, told what to hold through an environment variable.

use std::io::{BufRead, BufReader, Write};
use std::time::{Duration, Instant};

use coachai_common::AppError;
use coachai_common::cache::{Cache, CacheOptions};
use coachai_common::tenancy::CreatorId;

use super::locks::{TTL, caches};
use super::{stampede, tenant};
use crate::support::redis_url;

fn short_lock() -> CacheOptions {
    CacheOptions {
        lock_ttl: Duration::from_secs(1),
        ..CacheOptions::default()
    }
}

const HOLDER: &str = "COACHAI_TEST_LOCK_HOLDER";
const HOLDING: &str = "holding the load lock";

/// A helper process that holds the load lock of a key until it is killed.
struct Holder(std::process::Child);

impl Holder {
    fn start(creator: CreatorId, key: &str) -> Self {
        let module = module_path!().split_once("::").unwrap().1;
        let test = format!("{module}::helper_process_holds_a_load_lock_until_killed");
        let child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([test.as_str(), "--exact", "--ignored", "--nocapture"])
            .env(HOLDER, format!("{} {key}", creator.0))
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the test binary can run itself");
        Self(child)
    }

    async fn wait_until_holding(&mut self) {
        let stdout = self.0.stdout.take().unwrap();
        let holding = tokio::task::spawn_blocking(move || {
            let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
            lines.any(|line| line.contains(HOLDING))
        });
        let holding = tokio::time::timeout(Duration::from_secs(60), holding)
            .await
            .expect("the helper process takes the lock within 60 s");
        assert!(
            holding.unwrap(),
            "the helper process exited without taking the lock"
        );
    }

    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        self.kill();
    }
}

#[tokio::test]
#[ignore = "helper process of a_killed_holder_costs_one_lock_ttl_and_one_load, started by it"]
async fn helper_process_holds_a_load_lock_until_killed() {
    let target = std::env::var(HOLDER).expect(
        "COACHAI_TEST_LOCK_HOLDER (creator and key) is set by \
         a_killed_holder_costs_one_lock_ttl_and_one_load, which runs this helper",
    );
    let (creator, key) = target.split_once(' ').unwrap();
    let creator = CreatorId(creator.parse().unwrap());
    let cache = Cache::new(&redis_url(), short_lock());
    let load = || async {
        println!("{HOLDING}");
        std::io::stdout().flush().unwrap();
        tokio::time::sleep(Duration::from_secs(600)).await;
        Ok::<_, AppError>("the killed holder's value".to_owned())
    };
    cache.get_or_load(creator, key, TTL, load).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_holder_costs_one_lock_ttl_and_one_load() {
    let creator = tenant();
    let mut holder = Holder::start(creator, "orphaned");
    holder.wait_until_holding().await;
    let started = Instant::now();
    let survivors = caches(2, &short_lock());
    let crowd = tokio::spawn(stampede(survivors, creator, "orphaned"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    holder.kill();
    let (loads, values) = crowd.await.unwrap();
    let took = started.elapsed();
    assert_eq!(
        loads, 1,
        "one survivor loads once the dead holder's lock lapses"
    );
    assert!(values.iter().all(|v| v == "expensive answer"));
    assert!(
        took < Duration::from_millis(2500),
        "the survivors took {took:?}; a 1 s lock ttl and a 0.3 s load should do"
    );
}
