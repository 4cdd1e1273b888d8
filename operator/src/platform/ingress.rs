//! The Ingresses of a `Platform` (pure), for ingress-nginx, whose annotations apply to a whole
//! Ingress object: the API (`<name>`, default body size), content uploads (`<name>-uploads`,
//! the larger body size) and the chat WebSocket (`<name>-ws`, long read and send timeouts).
//! All three share the rate limit and CORS.

use std::collections::BTreeMap;

use kube::ResourceExt;
use serde_json::{Value, json};

use super::names::{ServiceKind, metadata};
use crate::crd::Platform;

const NGINX: &str = "nginx.ingress.kubernetes.io";
/// The content upload path of the Creator Hub (a regular expression: ingress-nginx `use-regex`).
pub const UPLOADS_PATH: &str = "/api/v1/creators/[^/]+/content";
/// The Channel service's WebSocket.
pub const WEBSOCKET_PATH: &str = "/api/v1/channels/ws";

/// The three Ingresses, each as (name, object).
pub fn ingresses(platform: &Platform) -> Vec<(String, Value)> {
    let base = platform.name_any();
    let spec = &platform.spec.ingress;
    let api_paths: Vec<(String, ServiceKind)> = ServiceKind::ALL
        .iter()
        .map(|s| (s.prefix().to_owned(), *s))
        .collect();
    let mut api = annotations(platform);
    api.insert(
        format!("{NGINX}/proxy-body-size"),
        spec.body_sizes.default.clone(),
    );
    let mut uploads = annotations(platform);
    uploads.insert(
        format!("{NGINX}/proxy-body-size"),
        spec.body_sizes.upload.clone(),
    );
    uploads.insert(format!("{NGINX}/use-regex"), "true".into());
    let mut ws = annotations(platform);
    let timeout = spec.websocket_timeout_secs.to_string();
    ws.insert(format!("{NGINX}/proxy-read-timeout"), timeout.clone());
    ws.insert(format!("{NGINX}/proxy-send-timeout"), timeout);
    vec![
        ingress(platform, &base, api, &api_paths, "Prefix"),
        ingress(
            platform,
            &format!("{base}-uploads"),
            uploads,
            &[(UPLOADS_PATH.into(), ServiceKind::CreatorHub)],
            "ImplementationSpecific",
        ),
        ingress(
            platform,
            &format!("{base}-ws"),
            ws,
            &[(WEBSOCKET_PATH.into(), ServiceKind::Channel)],
            "Exact",
        ),
    ]
}

/// The rate limit and CORS annotations every Ingress carries.
fn annotations(platform: &Platform) -> BTreeMap<String, String> {
    let spec = &platform.spec.ingress;
    let mut found = BTreeMap::from([(
        format!("{NGINX}/limit-rps"),
        spec.rate_limit.rps.to_string(),
    )]);
    if !spec.cors_origins.is_empty() {
        found.insert(format!("{NGINX}/enable-cors"), "true".into());
        found.insert(
            format!("{NGINX}/cors-allow-origin"),
            spec.cors_origins.join(", "),
        );
        found.insert(format!("{NGINX}/cors-allow-credentials"), "true".into());
    }
    found
}

fn ingress(
    platform: &Platform,
    name: &str,
    annotations: BTreeMap<String, String>,
    paths: &[(String, ServiceKind)],
    path_type: &str,
) -> (String, Value) {
    let spec = &platform.spec.ingress;
    let paths: Vec<Value> = paths
        .iter()
        .map(|(path, service)| {
            json!({
                "path": path,
                "pathType": path_type,
                "backend": {"service": {"name": service.object_name(platform), "port": {"number": service.port()}}},
            })
        })
        .collect();
    let mut rule = json!({"http": {"paths": paths}});
    if let Some(host) = &spec.host {
        rule["host"] = json!(host);
    }
    let mut metadata = metadata(platform, name, "ingress");
    metadata["annotations"] = json!(annotations);
    let mut object = json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": metadata,
        "spec": {"ingressClassName": spec.class_name, "rules": [rule]},
    });
    if let Some(secret) = &spec.tls_secret {
        object["spec"]["tls"] =
            json!([{"hosts": spec.host.iter().collect::<Vec<_>>(), "secretName": secret}]);
    }
    (name.to_owned(), object)
}
