//! axe-core run inside the page: the pinned copy scripts/tools.sh installs (`AXE_CORE_JS`) is
//! injected through WebDriver (which the page's Content-Security-Policy does not govern) and
//! `axe.run` reports the violations.

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::Value;

use crate::browser::Browser;
use crate::error::HarnessError;

/// One rule the page breaks, as axe reports it.
#[derive(Debug, Clone, Deserialize)]
pub struct Violation {
    /// The rule (`color-contrast`, `label`, ...).
    pub id: String,
    /// `minor`, `moderate`, `serious` or `critical`.
    pub impact: Option<String>,
    /// What the rule asks for.
    pub help: String,
    /// The offending elements.
    pub nodes: Vec<ViolationNode>,
}

/// An element that breaks a rule.
#[derive(Debug, Clone, Deserialize)]
pub struct ViolationNode {
    /// CSS selectors reaching the element.
    pub target: Vec<Value>,
    /// What is wrong with it.
    #[serde(rename = "failureSummary")]
    pub failure_summary: Option<String>,
}

impl Violation {
    /// Whether the impact is `serious` or `critical`.
    pub fn is_serious(&self) -> bool {
        matches!(self.impact.as_deref(), Some("serious" | "critical"))
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let impact = self.impact.as_deref().unwrap_or("?");
        writeln!(f, "[{impact}] {}: {}", self.id, self.help)?;
        for node in &self.nodes {
            let summary = node
                .failure_summary
                .as_deref()
                .unwrap_or("")
                .replace('\n', " ");
            writeln!(f, "    at {:?}: {summary}", node.target)?;
        }
        Ok(())
    }
}

const RUN: &str = "const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] })
  .then((r) => done(JSON.stringify(r.violations)))
  .catch((e) => done('axe failed: ' + e));";

/// Injects axe-core into the current page and returns every violation it finds.
pub async fn run_axe(browser: &Browser) -> Result<Vec<Violation>, HarnessError> {
    let path =
        PathBuf::from(std::env::var("AXE_CORE_JS").map_err(|_| HarnessError::Env("AXE_CORE_JS"))?);
    let source = std::fs::read_to_string(&path).map_err(|source| HarnessError::Missing {
        what: "axe-core".to_owned(),
        path: path.clone(),
        hint: format!("scripts/tools.sh installs it ({source})"),
    })?;
    browser.eval(&source, vec![]).await?;
    let answer = browser.client().execute_async(RUN, vec![]).await?;
    let text = answer.as_str().unwrap_or_default();
    serde_json::from_str(text).map_err(|err| HarnessError::Unexpected {
        what: "axe result".to_owned(),
        detail: format!("{err}: {text}"),
    })
}
