//! What every test shares: the platform, chromedriver, one seeded creator (models of the
//! Ollama double, a coaching document ready to answer from, the widget's allowed origin) and the
//! two sites the widget is embedded in.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use coachai_browser_tests::{
    Api, Browser, Chromedriver, Client, Creator, Platform, PlatformPorts, StaticSite, Viewport,
};
use serde_json::json;
use tokio::sync::Mutex;

/// The widget's host page on an origin the creator allows.
const ALLOWED_SITE: &str = "127.0.0.2:19090";
/// The same page on an origin the creator does not allow.
const REFUSED_SITE: &str = "127.0.0.3:19090";

/// The coaching document every chat answers from. Each section's first sentence is long, so
/// the double's answer (it quotes them) takes seconds to stream at its token rate.
pub const GUIDE: &str = "# Kettlebell guide

## Swing
Drive the hips back and snap them forward so the bell floats to chest height without any pull from the arms at all.
Keep the spine long.

## Breathing
Exhale sharply at the top of every swing and let the breath return naturally as the bell falls back between the legs.
Relax the shoulders.

## Grip
Hold the handle loosely with a hook grip so that the forearms stay fresh for the whole set of twenty swings.
Chalk helps.
";

/// A chunk whose first sentence is markup an attacker would like to see executed.
pub const HOSTILE: &str = "# Hostile notes

## Swing markup
Swing tip <script>window.__pwned='script'</script> and <img src=x onerror=\"window.__pwned='img'\"> shown as text only
";

/// Shared by every test of the run. Each test makes its own client accounts.
#[derive(Debug)]
pub struct World {
    /// The platform; locked by the test that drops the network.
    pub platform: Mutex<Platform>,
    /// `http://127.0.0.1:19080`.
    pub gateway: String,
    /// The public API behind the gateway.
    pub api: Api,
    /// The seeded creator, answering from [`GUIDE`].
    pub creator: Creator,
    /// A second creator whose only document is [`HOSTILE`], so the markup stays out of the
    /// other tests' answers and screenshots.
    pub hostile: Creator,
    /// The widget's host page on an allowed origin.
    pub allowed_site: StaticSite,
    /// The widget's host page on an origin the creator does not allow.
    pub refused_site: StaticSite,
    /// Where screenshots and logs go.
    pub artifacts: PathBuf,
    driver: Chromedriver,
}

impl World {
    /// Starts everything and seeds the creator.
    pub async fn start() -> anyhow::Result<Self> {
        let local =
            std::env::var("COACHAI_LOCAL").context("COACHAI_LOCAL (source scripts/env.sh)")?;
        let dir = Path::new(&local).join("browser-suite");
        for sub in ["logs", "artifacts"] {
            let _ = std::fs::remove_dir_all(dir.join(sub));
        }
        let origins = [ALLOWED_SITE, REFUSED_SITE].map(|a| format!("http://{a}"));
        let ports = PlatformPorts {
            cors_origins: origins.to_vec(),
            ..PlatformPorts::default()
        };
        let platform = Platform::start(ports, &dir).await?;
        let driver = Chromedriver::start(&dir.join("logs/chromedriver.log")).await?;
        let gateway = platform.gateway_url();
        let api = Api::new(&gateway);
        let creator = seed(&api, &origins[0], ("Kettlebell guide", GUIDE)).await?;
        let hostile = seed(&api, &origins[0], ("Hostile notes", HOSTILE)).await?;
        let page = widget_page(&gateway, &creator.slug);
        let allowed_site = StaticSite::serve(addr(ALLOWED_SITE)?, page.clone()).await?;
        let refused_site = StaticSite::serve(addr(REFUSED_SITE)?, page).await?;
        Ok(Self {
            platform: Mutex::new(platform),
            gateway,
            api,
            creator,
            hostile,
            allowed_site,
            refused_site,
            artifacts: dir.join("artifacts"),
            driver,
        })
    }

    /// A fresh browser session (its own Chromium and empty storage) at `viewport`.
    pub async fn browser(&self, viewport: Viewport) -> anyhow::Result<Browser> {
        Ok(self.driver.session(viewport).await?)
    }

    /// A new client account of the seeded creator.
    pub async fn client(&self) -> anyhow::Result<Client> {
        Ok(self.api.client(&self.creator).await?)
    }

    /// `<gateway>/chat/<slug>` of the seeded creator.
    pub fn chat_url(&self) -> String {
        self.chat_url_of(&self.creator)
    }

    /// `<gateway>/chat/<slug>` of `creator`.
    pub fn chat_url_of(&self, creator: &Creator) -> String {
        format!("{}/chat/{}", self.gateway, creator.slug)
    }

    /// `<gateway>/console/<slug>`.
    pub fn console_url(&self) -> String {
        format!("{}/console/{}", self.gateway, self.creator.slug)
    }
}

fn addr(text: &str) -> anyhow::Result<SocketAddr> {
    text.parse().with_context(|| format!("address {text}"))
}

async fn seed(api: &Api, allowed_origin: &str, document: (&str, &str)) -> anyhow::Result<Creator> {
    let creator = api.signup("Browser Coach").await?;
    let patch = json!({
        "display_name": "Kettlebell Academy",
        "chat_model": "smollm2:135m",
        "embedding_model": "all-minilm",
        "allowed_origins": [allowed_origin],
        "persona": {"coach_name": "Coach Kira", "disclaimer": "Not medical advice."},
    });
    api.patch_creator(&creator, &patch).await?;
    let (title, body) = document;
    let id = api.upload_markdown(&creator, title, body).await?;
    api.wait_ready(&creator, &id, Duration::from_secs(60))
        .await?;
    Ok(creator)
}

fn widget_page(gateway: &str, slug: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>A coach's own site</title></head>\n<body><main><h1>Welcome to my coaching site</h1></main>\n<script src=\"{gateway}/chat/widget.js\" data-creator=\"{slug}\"></script>\n</body></html>\n"
    )
}
