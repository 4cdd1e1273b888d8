//! What the Platform suite checks on the objects the operator made: each Deployment is owned
//! by the Platform and hardened, and the Ingresses carry ingress-nginx's annotations.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Container;
use k8s_openapi::api::networking::v1::Ingress;
use kube::{Api, ResourceExt};

use coachai_operator::crd::Platform;

const NGINX: &str = "nginx.ingress.kubernetes.io";

/// `deployment` runs `coachai serve <service>` of image 1.0.0, hardened, owned by `owner`.
pub fn assert_hardened(deployment: &Deployment, service: &str, owner: &Platform) {
    let reference = &deployment.owner_references()[0];
    assert_eq!(
        (reference.uid.as_str(), reference.controller),
        (owner.uid().unwrap().as_str(), Some(true))
    );
    let pod = deployment.spec.template.spec.as_ref().unwrap();
    let container = &pod.containers[0];
    assert_eq!(container.args.clone().unwrap(), ["serve", service]);
    assert_eq!(
        container.image.as_deref(),
        Some("registry.invalid/coachai/coachai:1.0.0")
    );
    assert_security(container);
    assert_probes_and_resources(container, service);
}

fn assert_security(container: &Container) {
    let security = container.security_context.clone().unwrap();
    let flags = (
        security.run_as_non_root,
        security.read_only_root_filesystem,
        security.allow_privilege_escalation,
    );
    assert_eq!(flags, (Some(true), Some(true), Some(false)), "{security:?}");
    let dropped = security
        .capabilities
        .and_then(|c| c.drop)
        .unwrap_or_default();
    assert_eq!(dropped, ["ALL"]);
    let seccomp = security.seccomp_profile.map(|p| p.type_);
    assert_eq!(seccomp.as_deref(), Some("RuntimeDefault"));
}

fn assert_probes_and_resources(container: &Container, service: &str) {
    let path = |probe: Option<&k8s_openapi::api::core::v1::Probe>| {
        probe
            .and_then(|p| p.http_get.as_ref())
            .and_then(|h| h.path.clone())
            .unwrap_or_default()
    };
    let readiness = path(container.readiness_probe.as_ref());
    assert!(
        readiness.starts_with("/api/v1/") && readiness.ends_with("/health"),
        "{readiness}"
    );
    assert_eq!(path(container.liveness_probe.as_ref()), readiness);
    let resources = container.resources.clone().unwrap_or_default();
    assert!(
        resources.requests.is_some() && resources.limits.is_some(),
        "{service}: {resources:?}"
    );
}

/// The API, uploads and WebSocket Ingresses of the Platform `demo` of the suite's spec.
pub async fn assert_ingresses(api: &Api<Ingress>) {
    let main = api.get("demo").await.unwrap();
    assert_eq!(annotation(&main, "limit-rps"), "30");
    let cors = annotation(&main, "cors-allow-origin");
    assert_eq!(cors, "https://coach.example.com");
    assert_eq!(annotation(&main, "proxy-body-size"), "1m");
    let class = main.spec.and_then(|s| s.ingress_class_name);
    assert_eq!(class.as_deref(), Some("nginx"));
    let uploads = api.get("demo-uploads").await.unwrap();
    let sizes = (
        annotation(&uploads, "proxy-body-size"),
        annotation(&uploads, "limit-rps"),
    );
    assert_eq!(sizes, ("50m".to_owned(), "30".to_owned()));
    let ws = api.get("demo-ws").await.unwrap();
    assert_eq!(annotation(&ws, "proxy-read-timeout"), "3600");
    assert_websocket_rule(&ws);
}

fn annotation(ingress: &Ingress, key: &str) -> String {
    let found = ingress.annotations().get(&format!("{NGINX}/{key}"));
    found.cloned().unwrap_or_default()
}

fn assert_websocket_rule(ws: &Ingress) {
    let rule = ws
        .spec
        .clone()
        .and_then(|s| s.rules)
        .unwrap_or_default()
        .remove(0);
    assert_eq!(rule.host.as_deref(), Some("coach.example.com"));
    let path = rule
        .http
        .map(|h| h.paths[0].path.clone())
        .unwrap_or_default();
    assert_eq!(path.as_deref(), Some("/api/v1/channels/ws"));
}
