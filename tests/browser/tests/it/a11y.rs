//! axe-core on the pages: no `serious` or `critical` violation (all of them are printed when
//! the test fails; lesser ones are printed as notes).

use anyhow::ensure;
use coachai_browser_tests::{Browser, Viewport, Violation, run_axe};

use crate::steps::{answer_done, ask, sign_in};
use crate::with_browser;
use crate::world::World;

async fn check(browser: &Browser, what: &str) -> anyhow::Result<Vec<Violation>> {
    let violations = run_axe(browser).await?;
    for minor in violations.iter().filter(|v| !v.is_serious()) {
        eprintln!("note: axe on {what}: {minor}");
    }
    Ok(violations
        .into_iter()
        .filter(Violation::is_serious)
        .collect())
}

fn report(found: &[(String, Vec<Violation>)]) -> String {
    found
        .iter()
        .flat_map(|(what, vs)| vs.iter().map(move |v| format!("{what}: {v}")))
        .collect()
}

/// The chat page signed out (the sign-in form) and signed in with an answer and its
/// citations, at desktop and phone size.
pub async fn the_chat_page_has_no_serious_accessibility_violations(
    world: &World,
) -> anyhow::Result<()> {
    let client = world.client().await?;
    let mut found = Vec::new();
    with_browser!(world, Viewport::DESKTOP, |browser| {
        browser.goto(&world.chat_url()).await?;
        browser.find("#email").await?;
        found.push((
            "chat page, signed out".to_owned(),
            check(&browser, "the signed-out chat page").await?,
        ));
        sign_in(&browser, &world.chat_url(), &client).await?;
        ask(&browser, "How do I grip the bell?").await?;
        answer_done(&browser).await?;
        found.push((
            "chat page, an answer shown".to_owned(),
            check(&browser, "the chat page").await?,
        ));
        browser.resize(Viewport::PHONE).await?;
        found.push((
            "chat page, phone size".to_owned(),
            check(&browser, "the phone-sized chat page").await?,
        ));
        let serious = found.iter().any(|(_, v)| !v.is_empty());
        ensure!(
            !serious,
            "serious or critical violations:\n{}",
            report(&found)
        );
        Ok(())
    })
}

/// The console's sign-in form and, signed in, its content, profile and statistics.
pub async fn the_console_has_no_serious_accessibility_violations(
    world: &World,
) -> anyhow::Result<()> {
    let mut found = Vec::new();
    with_browser!(world, Viewport::DESKTOP, |browser| {
        browser.goto(&world.console_url()).await?;
        browser.find("#email").await?;
        found.push((
            "console, signed out".to_owned(),
            check(&browser, "the signed-out console").await?,
        ));
        browser.fill("#email", &world.creator.owner_email).await?;
        browser
            .fill("#password", &world.creator.owner_password)
            .await?;
        browser.click("#sign-in").await?;
        browser.find("#content-list li").await?;
        found.push((
            "console, signed in".to_owned(),
            check(&browser, "the console").await?,
        ));
        let serious = found.iter().any(|(_, v)| !v.is_empty());
        ensure!(
            !serious,
            "serious or critical violations:\n{}",
            report(&found)
        );
        Ok(())
    })
}
