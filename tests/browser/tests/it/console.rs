//! The creator console: the owner uploads a markdown file and watches it become ready, and
//! edits the coach's name.

use std::time::Duration;

use anyhow::ensure;
use coachai_browser_tests::Viewport;
use serde_json::Value;

use crate::with_browser;
use crate::world::World;

/// The owner signs in, uploads a markdown file through the file input, and the content list
/// shows it `ready` (processed by the AI Engine) without a reload; the statistics are shown. A
/// desktop screenshot of the console is saved.
pub async fn the_console_uploads_a_markdown_file_that_becomes_ready(
    world: &World,
) -> anyhow::Result<()> {
    let name = format!("mobility-{}", uuid_suffix());
    let file = world.artifacts.join(format!("{name}.md"));
    std::fs::create_dir_all(&world.artifacts)?;
    std::fs::write(
        &file,
        "# Mobility\n\n## Hips\nOpen the hips with slow goblet squats before any swing.\n",
    )?;
    with_browser!(world, Viewport::DESKTOP, |browser| {
        browser.goto(&world.console_url()).await?;
        browser.fill("#email", &world.creator.owner_email).await?;
        browser
            .fill("#password", &world.creator.owner_password)
            .await?;
        browser.click("#sign-in").await?;
        let input = browser.visible("#upload-file").await?;
        input.send_keys(&file.display().to_string()).await?;
        browser.click("#upload").await?;
        let script = "const rows = Array.from(document.querySelectorAll('#content-list li'));
const row = rows.find((r) => (r.querySelector('.content-title') || r).textContent === arguments[0]);
return row ? (row.querySelector('.content-status') || row).textContent : null;";
        browser
            .until(
                "the uploaded file `ready` in #content-list",
                Duration::from_secs(60),
                || async {
                    let status = browser
                        .eval(script, vec![Value::from(name.as_str())])
                        .await?;
                    Ok(match status.as_str() {
                        Some("ready") => Ok(()),
                        _ => Err(format!("{status}")),
                    })
                },
            )
            .await?;
        let stats = browser.find("#stats").await?.text().await?;
        ensure!(
            stats.contains("Ready"),
            "the statistics are shown: {stats:?}"
        );
        browser
            .screenshot(&world.artifacts.join("console-desktop.png"))
            .await?;
        Ok(())
    })
}

/// The owner renames the coach in the console; the profile holds the new name.
pub async fn the_console_saves_the_coach_name(world: &World) -> anyhow::Result<()> {
    let name = format!("Coach {}", uuid_suffix());
    with_browser!(world, Viewport::DESKTOP, |browser| {
        browser.goto(&world.console_url()).await?;
        browser.fill("#email", &world.creator.owner_email).await?;
        browser
            .fill("#password", &world.creator.owner_password)
            .await?;
        browser.click("#sign-in").await?;
        browser
            .until("the profile loaded", Duration::from_secs(10), || async {
                let value = browser
                    .find("#persona-coach-name")
                    .await?
                    .prop("value")
                    .await?;
                Ok(if value.as_deref().is_some_and(|v| !v.is_empty()) {
                    Ok(())
                } else {
                    Err(format!("{value:?}"))
                })
            })
            .await?;
        browser.fill("#persona-coach-name", &name).await?;
        browser.click("#save-profile").await?;
        browser
            .until(
                "the new coach name in the profile",
                Duration::from_secs(10),
                || async {
                    let profile = world.api.profile(&world.creator).await?;
                    let saved = profile["persona"]["coach_name"].clone();
                    Ok(if saved == name.as_str() {
                        Ok(())
                    } else {
                        Err(saved.to_string())
                    })
                },
            )
            .await?;
        Ok(())
    })
}

fn uuid_suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_owned()
}
