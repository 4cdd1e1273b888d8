//! The API server's own request counters (`apiserver_request_total` on its `/metrics`), read
//! before and after a phase, so a phase's requests are counted by the server and not by us.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use kube::Client;

/// The verbs that change something (the server says `APPLY` for a server-side apply).
const WRITES: [&str; 6] = [
    "POST",
    "PUT",
    "PATCH",
    "APPLY",
    "DELETE",
    "DELETECOLLECTION",
];

/// Requests per (verb, resource[/subresource]), summed over response codes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Requests(pub BTreeMap<(String, String), f64>);

impl Requests {
    /// The counters now.
    pub async fn read(client: &Client) -> anyhow::Result<Self> {
        let request = http::Request::get("/metrics").body(Vec::new())?;
        let text = client.request_text(request).await?;
        Ok(Self::parse(&text))
    }

    /// The counters of the Prometheus text `text`.
    pub fn parse(text: &str) -> Self {
        let mut counts = BTreeMap::new();
        for line in text.lines() {
            let Some(rest) = line.strip_prefix("apiserver_request_total{") else {
                continue;
            };
            let Some((labels, value)) = rest.rsplit_once("} ") else {
                continue;
            };
            let label = |name: &str| label(labels, name).unwrap_or_default();
            let resource = match label("subresource") {
                sub if sub.is_empty() || label("resource").is_empty() => label("resource"),
                sub => format!("{}/{sub}", label("resource")),
            };
            if resource.is_empty() {
                continue;
            }
            *counts.entry((label("verb"), resource)).or_insert(0.0) +=
                value.trim().parse::<f64>().unwrap_or(0.0);
        }
        Self(counts)
    }

    /// What `later` counted since `self`.
    pub fn since(&self, earlier: &Self) -> Self {
        let mut delta = BTreeMap::new();
        for (key, value) in &self.0 {
            let before = earlier.0.get(key).copied().unwrap_or(0.0);
            if *value > before {
                delta.insert(key.clone(), value - before);
            }
        }
        Self(delta)
    }

    /// Requests whose resource is one of `resources` (a subresource counts with its resource),
    /// writes if `writes`, else reads.
    pub fn count(&self, resources: &[&str], writes: bool) -> f64 {
        self.0
            .iter()
            .filter(|((verb, resource), _)| {
                let base = resource.split('/').next().unwrap_or_default();
                resources.contains(&base) && WRITES.contains(&verb.as_str()) == writes
            })
            .map(|(_, n)| n)
            .sum()
    }

    /// A table of every (verb, resource) counted, writes first.
    pub fn table(&self) -> String {
        let mut rows: Vec<_> = self.0.iter().collect();
        rows.sort_by_key(|((verb, resource), _)| {
            (!WRITES.contains(&verb.as_str()), resource.clone())
        });
        let mut out = String::new();
        for ((verb, resource), n) in rows {
            let _ = writeln!(out, "    {verb:<17} {resource:<32} {n:>8.0}");
        }
        out
    }
}

/// The value of `name="…"` in a Prometheus label set.
fn label(labels: &str, name: &str) -> Option<String> {
    let start = labels.find(&format!("{name}=\""))? + name.len() + 2;
    let end = labels[start..].find('"')? + start;
    Some(labels[start..end].to_owned())
}

/// `/metrics` of the operator at `url`: the series `name` whose labels contain `with`, summed.
pub async fn operator_counter(url: &str, name: &str, with: &str) -> anyhow::Result<f64> {
    let text = reqwest::get(url).await?.error_for_status()?.text().await?;
    Ok(text
        .lines()
        .filter(|line| {
            line.strip_prefix(name).is_some_and(|rest| {
                (rest.starts_with('{') || rest.starts_with(' ')) && rest.contains(with)
            })
        })
        .filter_map(|line| line.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum())
}
