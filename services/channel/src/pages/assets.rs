//! The pages' files, embedded in the binary (no build step, nothing read from disk at run
//! time). Each has its content type and strong ETag (a hash of its bytes); the HTML refers to
//! the scripts and styles by versioned URLs (`?v=<hash>`), filled in once at start-up, so those
//! can be cached for a year and a new binary is picked up at once.

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// URL path under which [`ASSETS`] are served.
pub const ASSETS_PATH: &str = "/chat/_assets";

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    /// File name, as in its URL.
    pub name: &'static str,
    /// The bytes served.
    pub bytes: Vec<u8>,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// Strong ETag of `bytes`, quotes included.
    pub etag: String,
}

impl Asset {
    fn new(name: &'static str, bytes: Vec<u8>) -> Self {
        Self {
            name,
            content_type: content_type(name),
            etag: etag(&[&bytes]),
            bytes,
        }
    }

    /// The version named in this asset's URL: its ETag without quotes.
    pub fn version(&self) -> &str {
        self.etag.trim_matches('"')
    }
}

/// The scripts and styles of the pages, by name.
pub static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    [
        ("app.css", include_str!("../../assets/app.css")),
        ("api.js", include_str!("../../assets/api.js")),
        ("transcript.js", include_str!("../../assets/transcript.js")),
        ("chat.js", include_str!("../../assets/chat.js")),
        ("console.js", include_str!("../../assets/console.js")),
        ("widget.js", include_str!("../../assets/widget.js")),
    ]
    .into_iter()
    .map(|(name, text)| Asset::new(name, text.as_bytes().to_vec()))
    .collect()
});

/// The chat page (also the invitation page and the embedded chat).
pub static CHAT_PAGE: LazyLock<Asset> =
    LazyLock::new(|| page("chat.html", include_str!("../../assets/chat.html")));

/// The creator console.
pub static CONSOLE_PAGE: LazyLock<Asset> =
    LazyLock::new(|| page("console.html", include_str!("../../assets/console.html")));

/// The asset called `name`, if there is one.
pub fn asset(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

/// `template` with every `{{asset:NAME}}` replaced by NAME's versioned URL.
fn page(name: &'static str, template: &str) -> Asset {
    let mut html = template.to_owned();
    for asset in ASSETS.iter() {
        let url = format!("{ASSETS_PATH}/{}?v={}", asset.name, asset.version());
        html = html.replace(&format!("{{{{asset:{}}}}}", asset.name), &url);
    }
    Asset::new(name, html.into_bytes())
}

/// A strong ETag over `parts`: 128 bits of their SHA-256, base64url, quoted.
pub fn etag(parts: &[&[u8]]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    format!("\"{}\"", URL_SAFE_NO_PAD.encode(&hash.finalize()[..16]))
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_refer_to_their_assets_by_versioned_urls_only() {
        for page in [&*CHAT_PAGE, &*CONSOLE_PAGE] {
            let html = String::from_utf8(page.bytes.clone()).unwrap();
            assert!(!html.contains("{{"), "{}: a placeholder is left", page.name);
            let app_css = asset("app.css").unwrap();
            let wanted = format!("{ASSETS_PATH}/app.css?v={}", app_css.version());
            assert!(html.contains(&wanted), "{}", page.name);
        }
    }

    #[test]
    fn an_etag_changes_with_the_bytes() {
        assert_eq!(etag(&[b"a"]), etag(&[b"a"]));
        assert_ne!(etag(&[b"a"]), etag(&[b"b"]));
        assert_ne!(etag(&[b"ab"]), etag(&[b"a", b"b"]));
    }
}
