//! What the chart renders, without a cluster: lint, kubeconform, and the values schema.

use serde_json::{Value, json};

use super::{TempDir, chart_dir, run, succeed};

#[test]
fn helm_lint_strict_finds_nothing_to_complain_about() {
    let report = succeed("helm", &["lint", "--strict", &chart_dir()], None);
    assert!(report.contains("0 chart(s) failed"), "{report}");
    assert!(!report.contains("[WARNING]"), "{report}");
}

#[test]
fn the_rendered_chart_and_its_crds_pass_kubeconform_strict() {
    let schemas = TempDir::new("coachai-crd-schemas");
    let written = crd_schemas(&schemas);
    assert!(
        written.contains(&"creator-coachai-v1alpha1.json".to_string()),
        "{written:?}"
    );
    let builtin = std::env::var("COACHAI_KUBECONFORM_SCHEMA_LOCATION").expect(
        "COACHAI_KUBECONFORM_SCHEMA_LOCATION is not set: eval \"$(tests/cluster/up.sh)\" first",
    );
    let custom = format!(
        "{}/{{{{ .ResourceKind }}}}{{{{ .KindSuffix }}}}.json",
        schemas.0.display()
    );
    let chart = chart_dir();
    let platform = super::platform_values();
    let args = [
        "-strict",
        "-summary",
        "-schema-location",
        &builtin,
        "-schema-location",
        &custom,
        "-",
    ];
    // Service account, the operator's role (or cluster role) and binding, the leader-election
    // role and binding, Service, Deployment, every CRD of the chart, and the Platform when it
    // is enabled.
    for (extra, expected) in [
        (vec![], 7 + written.len()),
        (
            vec!["--set", "operator.watchAllNamespaces=true"],
            7 + written.len(),
        ),
        (vec!["--values", platform.as_str()], 8 + written.len()),
    ] {
        let mut template = vec![
            "template",
            "coachai",
            &chart,
            "--namespace",
            "coachai-system",
            "--include-crds",
        ];
        template.extend(extra);
        let rendered = succeed("helm", &template, None);
        let summary = succeed("kubeconform", &args, Some(rendered.as_bytes()));
        assert!(
            summary.contains(&format!(
                "Valid: {expected}, Invalid: 0, Errors: 0, Skipped: 0"
            )),
            "{template:?}: {summary}"
        );
    }
}

#[test]
fn by_default_the_operator_watches_the_release_namespace_with_a_role_there_only() {
    let chart = chart_dir();
    let render = |extra: &[&str]| {
        let mut args = vec![
            "template",
            "coachai",
            chart.as_str(),
            "--namespace",
            "coachai-system",
        ];
        args.extend_from_slice(extra);
        succeed("helm", &args, None)
    };
    let kinds = |text: &str| -> Vec<String> {
        let mut found: Vec<String> = text
            .lines()
            .filter_map(|l| l.strip_prefix("kind: "))
            .filter(|k| k.contains("Role"))
            .map(str::to_owned)
            .collect();
        found.sort();
        found
    };
    let watched = |text: &str| -> String {
        let at = text
            .find("name: WATCH_NAMESPACE")
            .expect("WATCH_NAMESPACE is set");
        let value = text[at..].lines().nth(1).unwrap_or_default();
        value.trim().trim_start_matches("value: ").to_owned()
    };

    let default = render(&[]);
    assert_eq!(
        kinds(&default),
        ["Role", "Role", "RoleBinding", "RoleBinding"]
    );
    assert_eq!(watched(&default), "\"coachai-system\"");
    let other = render(&["--set", "operator.watchNamespace=tenants"]);
    assert!(other.contains("namespace: tenants"), "{other}");
    assert_eq!(watched(&other), "\"tenants\"");
    let all = render(&["--set", "operator.watchAllNamespaces=true"]);
    assert_eq!(
        kinds(&all),
        ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"]
    );
    assert_eq!(watched(&all), "\"\"");
}

#[test]
fn a_value_of_the_wrong_type_or_range_fails_helm_template_naming_it() {
    let cases = [
        ("replicaCount: two\n", "/replicaCount", "want integer"),
        (
            "image:\n  pullPolicy: Sometimes\n",
            "/image/pullPolicy",
            "must be one of",
        ),
        ("operator:\n  port: 80\n", "/operator/port", "minimum"),
        (
            "operator:\n  watchNamespace: Tenants_A\n",
            "/operator/watchNamespace",
            "does not match pattern",
        ),
        (
            "operator:\n  watchAllNamespaces: \"yes\"\n",
            "/operator/watchAllNamespaces",
            "want boolean",
        ),
        (
            "leaderElection:\n  leaseDurationSecs: \"15\"\n",
            "/leaderElection/leaseDurationSecs",
            "want integer",
        ),
        (
            "platform:\n  enabled: \"yes\"\n",
            "/platform/enabled",
            "want boolean",
        ),
        // A secret value has no place in the values: only the name of a Secret does.
        (
            "operator:\n  databaseUrl: postgres://u:p@db/coachai\n",
            "/operator",
            "databaseUrl",
        ),
    ];
    let dir = TempDir::new("coachai-bad-values");
    let chart = chart_dir();
    for (values, path, reason) in cases {
        let file = dir.write("values.yaml", values);
        let out = run(
            "helm",
            &["template", "coachai", &chart, "--values", &file],
            None,
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{values:?} was accepted");
        assert!(
            stderr.contains("values don't meet the specifications"),
            "{values:?}: {stderr}"
        );
        assert!(
            stderr.contains(&format!("at '{path}'")),
            "{values:?} should name {path}: {stderr}"
        );
        assert!(
            stderr.contains(reason),
            "{values:?} should say {reason:?}: {stderr}"
        );
    }
}

/// kubeconform schemas (`<kind>-<group's first label>-<version>.json`) from the chart's CRD
/// files, strict like kubeconform's own: unknown fields are errors. Returns the file names.
fn crd_schemas(out: &TempDir) -> Vec<String> {
    let mut written = Vec::new();
    let crds = std::path::Path::new(&chart_dir()).join("crds");
    for entry in std::fs::read_dir(crds).unwrap() {
        let yaml = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let crd: Value = serde_saphyr::from_str(&yaml).unwrap();
        let group = crd["spec"]["group"].as_str().unwrap();
        let kind = crd["spec"]["names"]["kind"]
            .as_str()
            .unwrap()
            .to_lowercase();
        for version in crd["spec"]["versions"].as_array().unwrap() {
            let mut schema = strict(version["schema"]["openAPIV3Schema"].clone());
            let properties = schema["properties"].as_object_mut().unwrap();
            properties.insert("apiVersion".into(), json!({"type": "string"}));
            properties.insert("kind".into(), json!({"type": "string"}));
            properties.insert("metadata".into(), json!({"type": "object"}));
            let prefix = group.split('.').next().unwrap();
            let name = format!("{kind}-{prefix}-{}.json", version["name"].as_str().unwrap());
            out.write(&name, &schema.to_string());
            written.push(name);
        }
    }
    written
}

/// OpenAPI v3 (structural) to JSON schema: `nullable` allows null, and an object with
/// properties refuses others unless it preserves unknown fields.
fn strict(mut node: Value) -> Value {
    if let Some(map) = node.as_object_mut() {
        for value in map.values_mut() {
            *value = strict(value.take());
        }
        if map.get("nullable") == Some(&Value::Bool(true))
            && let Some(kind) = map.get("type").cloned()
        {
            map.insert("type".into(), json!([kind, "null"]));
        }
        let preserves = map.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
        if map.contains_key("properties") && !map.contains_key("additionalProperties") && !preserves
        {
            map.insert("additionalProperties".into(), Value::Bool(false));
        }
    } else if let Some(items) = node.as_array_mut() {
        for item in items {
            *item = strict(item.take());
        }
    }
    node
}
