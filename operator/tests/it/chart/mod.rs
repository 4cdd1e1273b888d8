//! The Helm chart `helm/coachai` against the harness: `helm lint`, `helm template` through
//! `kubeconform -strict` with the chart's own CRD schemas, the values schema, `helm install`,
//! and the RBAC it grants (impersonating its ServiceAccount). Releases are uninstalled and their
//! namespaces deleted when a test ends.

mod install;
mod live;
mod rbac;
mod rbac_deny;
mod render;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use coachai_kube_harness::TestNamespace;

/// The chart's directory in the repository.
pub fn chart_dir() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../helm/coachai").to_string()
}

/// A values file that enables the Platform (`fixtures/platform-values.yaml`).
pub fn platform_values() -> String {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/it/chart/fixtures/platform-values.yaml"
    )
    .to_string()
}

/// Runs a tool `up.sh` put on PATH, feeding `stdin`.
pub fn run(program: &str, args: &[&str], stdin: Option<&[u8]>) -> Output {
    use std::io::Write;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run {program} (is PATH from tests/cluster/up.sh?): {e}")
        });
    let mut pipe = child.stdin.take();
    if let (Some(pipe), Some(input)) = (pipe.as_mut(), stdin) {
        pipe.write_all(input).unwrap();
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}

/// Runs a tool and returns its standard output, failing the test with its output otherwise.
pub fn succeed(program: &str, args: &[&str], stdin: Option<&[u8]>) -> String {
    let out = run(program, args, stdin);
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A file in a fresh temporary directory (removed with the directory when dropped).
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    /// Writes `name` and returns its path.
    pub fn write(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The release `coachai` of the chart, installed into a fresh namespace; uninstalled (its
/// cluster-scoped ClusterRole and binding with it) and the namespace deleted on drop.
pub struct Release {
    pub ns: TestNamespace,
}

/// The release's name, so its objects are all named `coachai` (the chart's full name).
pub const RELEASE: &str = "coachai";

impl Release {
    /// `helm install coachai helm/coachai` with `args` into a fresh namespace.
    pub async fn install(prefix: &str, args: &[&str]) -> Self {
        let ns = TestNamespace::create(prefix).await.unwrap();
        let chart = chart_dir();
        let mut all = vec!["install", RELEASE, chart.as_str(), "--namespace", ns.name()];
        all.extend_from_slice(args);
        succeed("helm", &all, None);
        Self { ns }
    }

    /// The ServiceAccount's user name, as the API server authenticates the operator's pods.
    pub fn service_account_user(&self) -> String {
        format!("system:serviceaccount:{}:{RELEASE}", self.ns.name())
    }
}

impl Drop for Release {
    fn drop(&mut self) {
        let out = run(
            "helm",
            &["uninstall", RELEASE, "--namespace", self.ns.name()],
            None,
        );
        if !out.status.success() {
            eprintln!(
                "helm uninstall failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
