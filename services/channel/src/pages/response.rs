//! The headers of every page response: content type, `Content-Security-Policy`, `nosniff`,
//! framing, `Cache-Control`, a strong `ETag`, and 304 when `If-None-Match` names it.

use axum::body::Body;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;

use super::assets::{Asset, etag};

/// The pages' policy: nothing inline, nothing from elsewhere but images, WebSockets to any
/// host (the gateway's own, behind whatever name it is reached by), never framed.
pub const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
                            img-src 'self' https: data:; connect-src 'self' ws: wss:; \
                            frame-ancestors 'none'";
/// Scripts and styles are not documents: they may load nothing.
const FILE_CSP: &str = "default-src 'none'; frame-ancestors 'none'";
const CROSS_ORIGIN_RESOURCE_POLICY: HeaderName =
    HeaderName::from_static("cross-origin-resource-policy");

/// Who may frame a page.
pub(super) enum Framing {
    /// Nobody (`frame-ancestors 'none'`, `X-Frame-Options: DENY`).
    Nowhere,
    /// Exactly these origins (`'none'` when empty): the embedded chat.
    Origins(Vec<String>),
}

/// How long a file may be reused without asking again.
pub(super) enum Caching {
    /// Always revalidate (`no-cache`): HTML and unversioned URLs.
    Revalidate,
    /// Five minutes: the widget script, whose URL creators paste once.
    Briefly,
    /// A year: a versioned URL never changes its bytes.
    Immutable,
}

impl Caching {
    fn header(&self) -> &'static str {
        match self {
            Self::Revalidate => "no-cache",
            Self::Briefly => "public, max-age=300",
            Self::Immutable => "public, max-age=31536000, immutable",
        }
    }
}

/// The embedded chat's policy: [`PAGE_CSP`] with `frame-ancestors` the given origins.
pub fn embed_csp(origins: &[String]) -> String {
    let ancestors: Vec<&str> = origins
        .iter()
        .map(String::as_str)
        .filter(|o| is_plain_origin(o))
        .collect();
    let ancestors = if ancestors.is_empty() {
        "'none'".to_owned()
    } else {
        ancestors.join(" ")
    };
    PAGE_CSP.replace(
        "frame-ancestors 'none'",
        &format!("frame-ancestors {ancestors}"),
    )
}

/// An origin the Hub could have stored (`scheme://host[:port]`): nothing that could end the
/// directive or add another.
fn is_plain_origin(origin: &str) -> bool {
    (origin.starts_with("https://") || origin.starts_with("http://"))
        && origin
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:/[]".contains(&b))
}

/// An HTML page: `no-cache`, the page policy with `framing`, its ETag covering the policy too
/// (so a change of the allowed origins is not answered 304).
pub(super) fn page(asset: &'static Asset, framing: Framing, request: &HeaderMap) -> Response {
    let (csp, frame_options) = match framing {
        Framing::Nowhere => (PAGE_CSP.to_owned(), Some("DENY")),
        Framing::Origins(origins) => (embed_csp(&origins), None),
    };
    let tag = etag(&[&asset.bytes, csp.as_bytes()]);
    let mut headers = common(asset, &tag, Caching::Revalidate);
    insert(&mut headers, CONTENT_SECURITY_POLICY, &csp);
    insert(&mut headers, REFERRER_POLICY, "no-referrer");
    if let Some(value) = frame_options {
        insert(&mut headers, X_FRAME_OPTIONS, value);
    }
    respond(asset, headers, &tag, request)
}

/// A script or style.
pub(super) fn file(asset: &'static Asset, caching: Caching, request: &HeaderMap) -> Response {
    let mut headers = common(asset, &asset.etag, caching);
    insert(&mut headers, CONTENT_SECURITY_POLICY, FILE_CSP);
    // The widget script is loaded by creators' own sites.
    insert(&mut headers, CROSS_ORIGIN_RESOURCE_POLICY, "cross-origin");
    respond(asset, headers, &asset.etag, request)
}

fn common(asset: &Asset, tag: &str, caching: Caching) -> HeaderMap {
    let mut headers = HeaderMap::new();
    insert(&mut headers, CONTENT_TYPE, asset.content_type);
    insert(&mut headers, X_CONTENT_TYPE_OPTIONS, "nosniff");
    insert(&mut headers, CACHE_CONTROL, caching.header());
    insert(&mut headers, ETAG, tag);
    headers
}

fn respond(asset: &'static Asset, headers: HeaderMap, tag: &str, request: &HeaderMap) -> Response {
    let fresh = request
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().trim_start_matches("W/"))
        .any(|v| v == tag || v == "*");
    let (status, body) = if fresh {
        (StatusCode::NOT_MODIFIED, Body::empty())
    } else {
        (StatusCode::OK, Body::from(asset.bytes.as_slice()))
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

fn insert(headers: &mut HeaderMap, name: HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embed_policy_names_only_well_formed_origins() {
        let origins = vec![
            "https://coach.example.com".to_owned(),
            "http://localhost:3000".to_owned(),
            "https://evil.test; script-src *".to_owned(),
        ];
        let csp = embed_csp(&origins);
        assert!(csp.ends_with("frame-ancestors https://coach.example.com http://localhost:3000"));
        assert!(!csp.contains("evil"));
        assert!(embed_csp(&[]).ends_with("frame-ancestors 'none'"));
    }
}
