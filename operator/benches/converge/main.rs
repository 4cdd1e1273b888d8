//! 500 Creators (models already on the Ollama double) applied at once converge to Ready; a
//! resync pass over them writes nothing; deleting them removes their tenants. Measures time,
//! API requests per Creator (the API server's own counters), operator memory and reconciles.
//!
//! ```sh
//! eval "$(tests/cluster/up.sh)"
//! cargo bench -p coachai-operator --bench converge -- [--creators 500] [--resync-secs 30]
//! ```

mod apiserver;
mod creators;
mod proxy;
mod report;
mod stack;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use coachai_common::tenancy::{CreatorId, Db};
use coachai_kube_harness::{TestNamespace, apply_crd};
use coachai_operator::crd::Creator;
use kube::{Api, Client, CustomResourceExt};

use apiserver::{Requests, operator_counter};
use report::{Phase, Report};

/// What to run: `--creators N`, `--resync-secs S`, `--limit-secs L` (each wait's limit).
struct Args {
    creators: usize,
    resync_secs: u64,
    limit: Duration,
}

fn args() -> anyhow::Result<Args> {
    let mut parsed = Args {
        creators: 500,
        resync_secs: 30,
        limit: Duration::from_secs(600),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--creators" => parsed.creators = value()?.parse()?,
            "--resync-secs" => parsed.resync_secs = value()?.parse()?,
            "--limit-secs" => parsed.limit = Duration::from_secs(value()?.parse()?),
            "--bench" => {}
            _ => {
                anyhow::bail!("unknown flag {flag}; flags: --creators, --resync-secs, --limit-secs")
            }
        }
    }
    Ok(parsed)
}

/// The running benchmark: the cluster, the operator process and the tenants' database.
struct Bench {
    args: Args,
    client: Client,
    api: Api<Creator>,
    operator: stack::Operator,
    proxy: proxy::Proxy,
    db: Db,
}

type Objects = HashMap<String, Creator>;

impl Bench {
    /// The operator's reconciles so far (those whose labels contain `with`).
    async fn reconciles(&self, with: &str) -> anyhow::Result<f64> {
        let name = "coachai_operator_reconciles_total";
        operator_counter(&self.operator.metrics_url, name, with).await
    }

    /// Runs `phase`, counting the API server's requests and the operator's reconciles in it.
    async fn measure<T>(
        &self,
        phase: impl Future<Output = anyhow::Result<T>>,
    ) -> anyhow::Result<(Phase, T)> {
        let server = Requests::read(&self.client).await?;
        let (before, reconciles) = (self.proxy.requests(), self.reconciles("").await?);
        let started = Instant::now();
        let out = phase.await?;
        let secs = started.elapsed().as_secs_f64();
        let requests = self.proxy.requests().since(&before);
        let server = Requests::read(&self.client).await?.since(&server);
        let server_writes = server.count(&report::OPERATOR_RESOURCES, true);
        let reconciles = self.reconciles("").await? - reconciles;
        let errors = self.reconciles("result=\"error\"").await?;
        let phase = Phase {
            secs,
            requests,
            server_writes,
            reconciles,
            errors,
        };
        Ok((phase, out))
    }

    /// Creates the Creators and follows them until all are Ready.
    async fn converge(&self, tag: &str, report: &mut Report) -> anyhow::Result<Objects> {
        let n = self.args.creators;
        let started = Instant::now();
        let all_ready = |o: &Objects| o.len() == n && o.values().all(creators::ready);
        let progress = |o: &Objects| {
            let ready = o.values().filter(|c| creators::ready(c)).count();
            format!(
                "{ready} of {n} Ready after {:.0} s",
                started.elapsed().as_secs_f64()
            )
        };
        let (phase, (created, objects)) = self
            .measure(async {
                let created = creators::create(&self.api, n, tag).await?;
                let objects =
                    creators::until(&self.api, self.args.limit, all_ready, progress).await?;
                anyhow::Ok((created, objects))
            })
            .await?;
        report.create_secs = created.as_secs_f64();
        report.converge = phase;
        Ok(objects)
    }

    /// Waits one resync interval (and a margin) and until every Creator was reconciled again.
    async fn resync(&self, ids: &[CreatorId], report: &mut Report) -> anyhow::Result<()> {
        let rows = creators::row_versions(&self.db, ids).await?;
        let reconciles = self.reconciles("").await?;
        let (phase, ()) = self
            .measure(async {
                let started = Instant::now();
                let due = Duration::from_secs(self.args.resync_secs + 10);
                loop {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    let again =
                        self.reconciles("").await? - reconciles >= self.args.creators as f64;
                    if (again && started.elapsed() >= due) || started.elapsed() > self.args.limit {
                        return Ok(());
                    }
                }
            })
            .await?;
        let after = creators::row_versions(&self.db, ids).await?;
        report.rows_changed = rows.iter().zip(&after).filter(|(a, b)| a != b).count();
        report.resync = phase;
        Ok(())
    }

    /// Deletes every Creator and waits until the finalizer let the last one go.
    async fn delete(&self, ids: &[CreatorId], report: &mut Report) -> anyhow::Result<()> {
        let (phase, _) = self
            .measure(async {
                creators::delete_all(&self.api).await?;
                let left = |o: &Objects| format!("{} left", o.len());
                creators::until(&self.api, self.args.limit, |o| o.is_empty(), left).await
            })
            .await?;
        report.delete = phase;
        report.rows_left = creators::row_versions(&self.db, ids)
            .await?
            .iter()
            .flatten()
            .count();
        Ok(())
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let ns = TestNamespace::create("bench-converge")
        .await
        .context("the harness cluster: eval \"$(tests/cluster/up.sh)\" first")?;
    apply_crd(ns.client(), &Creator::crd()).await?;
    // The dev stack's database, migrated by the test suites (the schema's owner is theirs).
    let url = std::env::var("DATABASE_URL").context("DATABASE_URL (source scripts/env.sh)")?;
    let db = Db::new(coachai_common::db::connect(&url, 4).await?);
    let double = stack::ollama().await?;
    let proxy = proxy::Proxy::start(ns.client()).await?;
    let operator = stack::Operator::start(
        &proxy.kubeconfig,
        &double.url(),
        ns.name(),
        args.resync_secs,
    )
    .await?;
    let mut report = Report::new(args.creators, args.resync_secs);
    let bench = Bench {
        client: ns.client(),
        api: Api::namespaced(ns.client(), ns.name()),
        args,
        operator,
        proxy,
        db,
    };
    tokio::time::sleep(Duration::from_secs(2)).await;
    report.rss_idle = bench.operator.rss_mib();
    bench.operator.reset_peak();
    let objects = bench
        .converge(&ns.name()[ns.name().len() - 8..], &mut report)
        .await?;
    report.rss_peak = bench.operator.peak_mib();
    report.reconcile_mean = bench.operator.mean_reconcile_secs().await?;
    // The reconciles each status write triggers finish first; then one resync pass.
    tokio::time::sleep(Duration::from_secs(5)).await;
    bench.operator.reset_peak();
    let ids = creators::tenant_ids(&objects);
    bench.resync(&ids, &mut report).await?;
    report.rss_rest = bench.operator.rss_mib();
    report.rss_resync_peak = bench.operator.peak_mib();
    bench.delete(&ids, &mut report).await?;
    report.rss_hwm = bench.operator.hwm_mib();
    bench.operator.stop().await?;
    ns.delete().await?;
    println!("{report}");
    report.verdict()
}
