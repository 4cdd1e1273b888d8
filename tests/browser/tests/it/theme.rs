//! Light and dark: the chat page follows the colour scheme the device asks for, and stays
//! readable (axe's contrast rules) in the dark one.

use anyhow::ensure;
use coachai_browser_tests::{Browser, Viewport, run_axe};
use serde_json::Value;

use crate::steps::{answer_done, ask, sign_in};
use crate::with_browser;
use crate::world::World;

const COLOURS: &str = "const s = getComputedStyle(document.body);
return [s.backgroundColor, s.color];";

/// Relative luminance (0 black … 1 white) of a computed `rgb(r, g, b)` colour.
fn luminance(css: &str) -> Option<f64> {
    let inner = css.split_once('(')?.1.trim_end_matches(')');
    let channels: Vec<f64> = inner
        .split(',')
        .take(3)
        .map(|c| c.trim().parse::<f64>().ok().map(|v| v / 255.0))
        .collect::<Option<_>>()?;
    let linear = |c: f64| {
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let [r, g, b] = channels.as_slice() else {
        return None;
    };
    Some(0.2126 * linear(*r) + 0.7152 * linear(*g) + 0.0722 * linear(*b))
}

async fn body_luminance(browser: &Browser) -> anyhow::Result<(f64, f64)> {
    let colours = browser.eval(COLOURS, vec![]).await?;
    let read = |i: usize| colours.get(i).and_then(Value::as_str).and_then(luminance);
    match (read(0), read(1)) {
        (Some(bg), Some(fg)) => Ok((bg, fg)),
        _ => anyhow::bail!("unreadable body colours: {colours}"),
    }
}

/// With the device set to dark the page is light text on a dark background (and the other way
/// round in light), an answer with its citations has no serious or critical axe violation in
/// the dark, and a dark screenshot is saved.
pub async fn the_chat_page_follows_the_dark_colour_scheme(world: &World) -> anyhow::Result<()> {
    let client = world.client().await?;
    with_browser!(world, Viewport::DESKTOP, |browser| {
        browser.color_scheme("light").await?;
        sign_in(&browser, &world.chat_url(), &client).await?;
        let (bg, fg) = body_luminance(&browser).await?;
        ensure!(
            bg > fg,
            "light: a light background behind darker text ({bg:.2} vs {fg:.2})"
        );

        browser.color_scheme("dark").await?;
        let (bg, fg) = body_luminance(&browser).await?;
        ensure!(
            bg < 0.1 && fg > 0.5,
            "dark: light text on a dark background ({bg:.2} vs {fg:.2})"
        );
        ask(&browser, "How do I breathe during the swing?").await?;
        answer_done(&browser).await?;
        let serious: Vec<String> = run_axe(&browser)
            .await?
            .into_iter()
            .filter(|v| v.is_serious())
            .map(|v| v.to_string())
            .collect();
        ensure!(
            serious.is_empty(),
            "serious violations in the dark:\n{}",
            serious.concat()
        );
        browser
            .screenshot(&world.artifacts.join("chat-dark.png"))
            .await?;
        Ok(())
    })
}
