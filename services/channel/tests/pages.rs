//! The web pages and the public creator endpoint through the service's whole router: the
//! security headers of every page, ETags and 304s, content types and caching of the assets,
//! the embedded chat's `frame-ancestors` from the creator's allowed origins, the public fields
//! (and nothing private) of a creator, and scripts that never turn server text into HTML.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(unused_macros)]
#[path = "../../../tests/shared/service_shell.rs"]
mod service_shell;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use coachai_channel::pages::{ASSETS, CHAT_PAGE, CONSOLE_PAGE, PAGE_CSP, embed_csp};
use coachai_channel::{Config, DEFAULT_PORT, router};
use coachai_common::tenancy::CreatorId;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use uuid::Uuid;

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
}

/// The service over the local stack, migrated beforehand by `make test` or `make migrate` (as
/// the shell tests assume).
async fn app() -> Router {
    let config = Config {
        common: service_shell::local_config(),
        port: DEFAULT_PORT,
    };
    router(service_shell::state(&config.common).await, &config)
}

async fn send(app: &Router, method: Method, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut request = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: body.to_vec(),
    }
}

async fn get(app: &Router, path: &str) -> Reply {
    send(app, Method::GET, path, &[]).await
}

/// A new creator with branding, a persona, allowed origins and quotas; returns its slug.
async fn creator(origins: &[&str]) -> String {
    let db = service_shell::state(&service_shell::local_config())
        .await
        .db;
    let creator = CreatorId(Uuid::new_v4());
    let slug = format!("page-{}", &creator.0.simple().to_string()[..12]);
    let mut tx = db.begin_for(creator).await.unwrap();
    sqlx::query(
        "INSERT INTO creators (id, slug, display_name, persona, branding, allowed_origins, quotas) \
         VALUES ($1, $2, 'Dee Coaching', $3, $4, $5, $6)",
    )
    .bind(creator.0)
    .bind(&slug)
    .bind(json!({"coach_name": "Coach Dee", "tone": "warm", "disclaimer": "Not medical advice."}))
    .bind(json!({"primary_color": "#aa3366", "avatar_url": "https://cdn.example.com/dee.png"}))
    .bind(origins.iter().map(|o| (*o).to_owned()).collect::<Vec<_>>())
    .bind(json!({"requests_per_minute": 99, "storage_bytes": 1000, "documents": 3}))
    .execute(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
    slug
}

fn assert_page_headers(reply: &Reply, path: &str, csp: &str) {
    assert_eq!(reply.status, StatusCode::OK, "{path}");
    assert_eq!(
        reply.header("content-type"),
        "text/html; charset=utf-8",
        "{path}"
    );
    assert_eq!(reply.header("content-security-policy"), csp, "{path}");
    assert_eq!(reply.header("x-content-type-options"), "nosniff", "{path}");
    assert_eq!(reply.header("referrer-policy"), "no-referrer", "{path}");
    assert_eq!(reply.header("cache-control"), "no-cache", "{path}");
    let etag = reply.header("etag");
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() > 10,
        "{path}: {etag}"
    );
    assert!(
        !reply.header("x-request-id").is_empty(),
        "{path}: the shared layers apply"
    );
}

#[tokio::test]
async fn every_page_is_served_with_a_strict_policy_and_is_never_framed() {
    let app = app().await;
    let slug = creator(&[]).await;
    for path in [
        format!("/chat/{slug}"),
        format!("/chat/{slug}/invite/some-invitation-token"),
        format!("/console/{slug}"),
        "/chat/no-such-creator".to_owned(),
    ] {
        let reply = get(&app, &path).await;
        assert_page_headers(&reply, &path, PAGE_CSP);
        assert_eq!(reply.header("x-frame-options"), "DENY", "{path}");
        assert!(reply.text().starts_with("<!doctype html>"), "{path}");
    }
    assert!(PAGE_CSP.contains("script-src 'self';") && PAGE_CSP.contains("style-src 'self';"));
    assert!(!PAGE_CSP.contains("unsafe"));
}

#[tokio::test]
async fn the_chat_and_console_pages_carry_the_elements_the_browser_tests_use() {
    let app = app().await;
    let chat = get(&app, "/chat/demo").await.text();
    for id in [
        "email",
        "password",
        "sign-in",
        "new-conversation",
        "conversations",
        "message",
        "send",
        "transcript",
        "connection-status",
        "error",
    ] {
        assert!(
            chat.contains(&format!("id=\"{id}\"")),
            "chat page lacks #{id}"
        );
    }
    let console = get(&app, "/console/demo").await.text();
    for id in [
        "email",
        "password",
        "sign-in",
        "upload-file",
        "upload",
        "content-list",
        "persona-coach-name",
        "save-profile",
        "stats",
        "error",
    ] {
        assert!(
            console.contains(&format!("id=\"{id}\"")),
            "console lacks #{id}"
        );
    }
}

#[tokio::test]
async fn the_embedded_chat_may_be_framed_by_the_creators_allowed_origins_only() {
    let app = app().await;
    let origins = ["https://coach.example.com", "http://localhost:3000"];
    let listed = creator(&origins).await;
    let reply = get(&app, &format!("/chat/{listed}?embed=1")).await;
    let csp = reply.header("content-security-policy");
    assert!(
        csp.ends_with("frame-ancestors https://coach.example.com http://localhost:3000"),
        "{csp}"
    );
    assert_eq!(csp, embed_csp(&origins.map(str::to_owned)));
    assert_eq!(
        reply.header("x-frame-options"),
        "",
        "DENY would forbid every site"
    );
    let plain = get(&app, &format!("/chat/{listed}")).await;
    assert_ne!(
        plain.header("etag"),
        reply.header("etag"),
        "the policy is part of the ETag"
    );

    let unlisted = creator(&[]).await;
    for path in [
        format!("/chat/{unlisted}?embed=1"),
        "/chat/no-such-creator?embed=1".to_owned(),
    ] {
        let reply = get(&app, &path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(
            reply
                .header("content-security-policy")
                .ends_with("frame-ancestors 'none'"),
            "{path}: {}",
            reply.header("content-security-policy")
        );
    }
}

#[tokio::test]
async fn a_page_or_asset_already_held_is_answered_304_with_its_headers() {
    let app = app().await;
    let widget = get(&app, "/chat/widget.js").await;
    for (path, first) in [
        ("/console/demo", get(&app, "/console/demo").await),
        ("/chat/widget.js", widget),
    ] {
        let etag = first.header("etag").to_owned();
        for held in [
            etag.clone(),
            format!("W/{etag}"),
            format!("\"other\", {etag}"),
        ] {
            let again = send(&app, Method::GET, path, &[("if-none-match", &held)]).await;
            assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path} {held}");
            assert!(again.body.is_empty(), "{path}");
            assert_eq!(again.header("etag"), etag, "{path}");
            assert_eq!(
                again.header("content-security-policy"),
                first.header("content-security-policy")
            );
            assert_eq!(again.header("cache-control"), first.header("cache-control"));
        }
        let changed = send(&app, Method::GET, path, &[("if-none-match", "\"stale\"")]).await;
        assert_eq!(changed.status, StatusCode::OK, "{path}");
        assert_eq!(changed.body, first.body, "{path}");
    }
}

#[tokio::test]
async fn scripts_and_styles_have_their_types_and_versioned_urls_are_cached_for_a_year() {
    let app = app().await;
    let html = get(&app, "/chat/demo").await.text();
    let urls: Vec<&str> = html
        .split(['"', '\''])
        .filter(|piece| piece.starts_with("/chat/_assets/"))
        .collect();
    assert_eq!(
        urls.len(),
        4,
        "app.css, api.js, transcript.js, chat.js: {urls:?}"
    );
    for url in urls {
        let reply = get(&app, url).await;
        assert_eq!(reply.status, StatusCode::OK, "{url}");
        let wanted = if url.contains(".css?") {
            "text/css; charset=utf-8"
        } else {
            "text/javascript; charset=utf-8"
        };
        assert_eq!(reply.header("content-type"), wanted, "{url}");
        assert_eq!(reply.header("x-content-type-options"), "nosniff", "{url}");
        assert_eq!(
            reply.header("cache-control"),
            "public, max-age=31536000, immutable",
            "{url}"
        );
        let unversioned = get(&app, url.split('?').next().unwrap()).await;
        assert_eq!(unversioned.header("cache-control"), "no-cache", "{url}");
        assert_eq!(unversioned.body, reply.body);
    }
    let widget = get(&app, "/chat/widget.js").await;
    assert_eq!(
        widget.header("content-type"),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(widget.header("cache-control"), "public, max-age=300");
    assert_eq!(
        widget.header("cross-origin-resource-policy"),
        "cross-origin"
    );
    assert!(widget.text().contains("?embed=1"));
    let missing = get(&app, "/chat/_assets/secrets.env").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.header("content-type"), "application/problem+json");
    let posted = send(&app, Method::POST, "/chat/demo", &[]).await;
    assert_eq!(posted.status, StatusCode::METHOD_NOT_ALLOWED);
    let head = send(&app, Method::HEAD, "/chat/demo", &[]).await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.body.is_empty());
}

#[tokio::test]
async fn the_public_creator_endpoint_gives_the_branding_and_nothing_private() {
    let app = app().await;
    let slug = creator(&["https://coach.example.com"]).await;
    let reply = get(&app, &format!("/api/v1/channels/public/creators/{slug}")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json(),
        json!({
            "slug": slug, "display_name": "Dee Coaching", "coach_name": "Coach Dee",
            "disclaimer": "Not medical advice.", "primary_color": "#aa3366",
            "avatar_url": "https://cdn.example.com/dee.png"
        }),
        "exactly the public fields: no id, quotas, allowed_origins, tone or models"
    );
    for unknown in ["no-such-creator", "Not_A_Slug", "ab"] {
        let reply = get(&app, &format!("/api/v1/channels/public/creators/{unknown}")).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{unknown}");
        assert_eq!(reply.header("content-type"), "application/problem+json");
        assert_eq!(reply.json()["status"], 404, "{unknown}");
    }
    let openapi = get(&app, "/api/v1/channels/openapi.json").await.json();
    let documented = &openapi["paths"]["/api/v1/channels/public/creators/{slug}"]["get"];
    assert!(documented["responses"]["404"].is_object(), "{documented}");
    assert!(openapi["components"]["schemas"]["PublicCreator"].is_object());
}

#[test]
fn the_page_scripts_never_turn_text_into_html_or_code() {
    let forbidden = [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        "setAttribute(\"style\"",
        "setAttribute(\"on",
        "srcdoc",
    ];
    for asset in ASSETS.iter().filter(|a| a.name.ends_with(".js")) {
        let text = String::from_utf8(asset.bytes.clone()).unwrap();
        for pattern in forbidden {
            assert!(!text.contains(pattern), "{} uses {pattern}", asset.name);
        }
        assert!(text.contains("textContent"), "{}", asset.name);
    }
    for page in [&*CHAT_PAGE, &*CONSOLE_PAGE] {
        let html = String::from_utf8(page.bytes.clone()).unwrap();
        assert!(!html.contains(" style="), "{}: inline style", page.name);
        assert!(!html.contains("<style"), "{}: inline style", page.name);
        assert_eq!(
            html.matches("<script").count(),
            html.matches("<script src=\"/chat/_assets/").count(),
            "{}: every script is an embedded file",
            page.name
        );
        let handlers = html
            .split_whitespace()
            .filter(|w| w.starts_with("on") && w.contains('='));
        assert_eq!(handlers.count(), 0, "{}: inline event handler", page.name);
    }
}
