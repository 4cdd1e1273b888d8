//! The command-line tools `up.sh` puts first on PATH work against the harness cluster: the pinned
//! kubectl, helm installing a chart, and kubeconform validating offline with local schemas.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use coachai_kube_harness::TestNamespace;
use k8s_openapi::api::core::v1::ConfigMap;

fn run(program: &str, args: &[&str], stdin: Option<&[u8]>) -> anyhow::Result<Output> {
    use std::io::Write;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot run {program} (is PATH from up.sh?): {e}"))?;
    let mut pipe = child.stdin.take();
    if let (Some(pipe), Some(input)) = (pipe.as_mut(), stdin) {
        pipe.write_all(input)?;
    }
    drop(pipe);
    Ok(child.wait_with_output()?)
}

fn succeed(program: &str, args: &[&str], stdin: Option<&[u8]>) -> anyhow::Result<String> {
    let out = run(program, args, stdin)?;
    anyhow::ensure!(
        out.status.success(),
        "{program} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8(out.stdout)?)
}

/// A one-template chart in a fresh temporary directory.
fn chart() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("coachai-smoke-chart-{}", std::process::id()));
    let templates = dir.join("templates");
    std::fs::create_dir_all(&templates)?;
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: smoke\nversion: 0.1.0\n",
    )?;
    std::fs::write(dir.join("values.yaml"), "greeting: hello\n")?;
    std::fs::write(
        templates.join("configmap.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\n\
         data:\n  greeting: {{ .Values.greeting | quote }}\n",
    )?;
    Ok(dir)
}

fn path_str(path: &Path) -> anyhow::Result<&str> {
    path.to_str()
        .ok_or_else(|| anyhow::anyhow!("non-UTF-8 path {path:?}"))
}

#[tokio::test]
async fn kubectl_on_path_is_the_pinned_release_and_talks_to_the_cluster() -> anyhow::Result<()> {
    let ns = TestNamespace::create("kubectl").await?;
    let pinned = std::env::var("COACHAI_K8S_VERSION")?;

    let version = succeed("kubectl", &["version", "-o", "json"], None)?;
    let version: serde_json::Value = serde_json::from_str(&version)?;
    assert_eq!(version["clientVersion"]["gitVersion"], pinned.as_str());
    assert_eq!(version["serverVersion"]["gitVersion"], pinned.as_str());

    let names = succeed("kubectl", &["get", "ns", "-o", "name"], None)?;
    assert!(
        names
            .lines()
            .any(|l| l == format!("namespace/{}", ns.name())),
        "{names}"
    );
    Ok(())
}

#[tokio::test]
async fn helm_installs_a_chart_into_the_test_namespace() -> anyhow::Result<()> {
    let ns = TestNamespace::create("helm").await?;
    let dir = chart()?;

    let installed = succeed(
        "helm",
        &[
            "install",
            "smoke",
            path_str(&dir)?,
            "--namespace",
            ns.name(),
            "--set",
            "greeting=hi",
        ],
        None,
    );
    std::fs::remove_dir_all(&dir)?;
    installed?;

    let settings = ns.api::<ConfigMap>().get("smoke-settings").await?;
    assert_eq!(settings.data.unwrap_or_default()["greeting"], "hi");
    let labels = settings.metadata.labels.unwrap_or_default();
    assert_eq!(
        labels
            .get("app.kubernetes.io/managed-by")
            .map(String::as_str),
        Some("Helm")
    );
    let releases = succeed("helm", &["list", "--namespace", ns.name(), "--short"], None)?;
    assert_eq!(releases.trim(), "smoke");
    Ok(())
}

#[test]
fn kubeconform_validates_offline_against_the_clusters_schemas() -> anyhow::Result<()> {
    let location = std::env::var("COACHAI_KUBECONFORM_SCHEMA_LOCATION").map_err(|_| {
        anyhow::anyhow!(
            "COACHAI_KUBECONFORM_SCHEMA_LOCATION is not set: run via tests/cluster/test.sh"
        )
    })?;
    let args = [
        "-strict",
        "-summary",
        "-schema-location",
        location.as_str(),
        "-",
    ];
    let valid = b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  \
                  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    \
                  metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      \
                  - name: web\n        image: web:1\n        ports: [{containerPort: 80}]\n        \
                  resources: {limits: {cpu: 1, memory: 64Mi}}\n";
    let summary = succeed("kubeconform", &args, Some(valid))?;
    assert!(summary.contains("Valid: 1, Invalid: 0"), "{summary}");

    let invalid = String::from_utf8_lossy(valid)
        .replace("replicas: 2", "replicas: two")
        .replace(
            "image: web:1",
            "image: web:1\n        imagePullPolicyy: Always",
        );
    let rejected = run("kubeconform", &args, Some(invalid.as_bytes()))?;
    let report = String::from_utf8_lossy(&rejected.stdout);
    assert!(!rejected.status.success(), "{report}");
    assert!(report.contains("/spec/replicas"), "{report}");
    assert!(report.contains("imagePullPolicyy"), "{report}");
    Ok(())
}
