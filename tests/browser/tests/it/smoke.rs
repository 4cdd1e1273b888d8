//! The harness itself: Chromium reaches the platform through the gateway, and axe-core finds
//! what a page breaks (so a clean axe result on the chat page means something).

use coachai_browser_tests::{Viewport, run_axe};

use crate::world::World;

/// Chromium opens the Channel's health through the gateway and sees it healthy.
pub async fn the_gateway_serves_the_channel_health_to_the_browser(
    world: &World,
) -> anyhow::Result<()> {
    let browser = world.browser(Viewport::DESKTOP).await?;
    let result = async {
        browser
            .goto(&format!("{}/api/v1/channels/health", world.gateway))
            .await?;
        let body = browser.find("body").await?.text().await?;
        let health: serde_json::Value = serde_json::from_str(&body)?;
        anyhow::ensure!(
            health["service"] == "channel",
            "health names the channel: {body}"
        );
        anyhow::ensure!(
            health["checks"]["postgres"]["status"] == "up",
            "postgres up: {body}"
        );
        Ok(())
    }
    .await;
    browser.close().await?;
    result
}

/// axe-core, injected into a page with an unlabelled input and an image without text, reports
/// both as violations.
pub async fn axe_reports_the_violations_of_a_page_that_has_them(
    world: &World,
) -> anyhow::Result<()> {
    let browser = world.browser(Viewport::DESKTOP).await?;
    let result = async {
        let page =
            "data:text/html,<!doctype html><html><body><input type=text><img src=x></body></html>";
        browser.goto(page).await?;
        let violations = run_axe(&browser).await?;
        let ids: Vec<&str> = violations.iter().map(|v| v.id.as_str()).collect();
        for rule in ["label", "image-alt", "html-has-lang"] {
            anyhow::ensure!(ids.contains(&rule), "axe finds `{rule}`; found {ids:?}");
        }
        anyhow::ensure!(
            violations.iter().any(|v| v.is_serious()),
            "some are serious or critical"
        );
        Ok(())
    }
    .await;
    browser.close().await?;
    result
}
