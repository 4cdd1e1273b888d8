//! Markup in content never runs: the answer and its sources are shown as text, and the page's
//! Content-Security-Policy refuses inline script even when markup does reach the DOM.

use std::time::Duration;

use anyhow::ensure;
use coachai_browser_tests::Viewport;

use crate::steps::{answer_done, ask, sign_in};
use crate::with_browser;
use crate::world::World;

const PWNED: &str = "return window.__pwned === undefined ? null : String(window.__pwned);";

/// A chunk holding `<script>` and `<img onerror>` comes back in the answer (the double quotes
/// it): the page shows the markup as text and neither runs. Then markup with an inline handler
/// and an inline script is put into the page's DOM directly: the policy blocks both.
pub async fn markup_in_an_answer_is_shown_as_text_and_never_runs(
    world: &World,
) -> anyhow::Result<()> {
    let client = world.api.client(&world.hostile).await?;
    with_browser!(world, Viewport::DESKTOP, |browser| {
        sign_in(&browser, &world.chat_url_of(&world.hostile), &client).await?;
        ask(&browser, "Any swing markup tip shown as text?").await?;
        let answer = answer_done(&browser).await?;
        ensure!(
            answer
                .text
                .contains("<script>window.__pwned='script'</script>")
                && answer.text.contains("onerror="),
            "the hostile passage is quoted in the answer as text: {:?}",
            answer.text
        );
        let images = browser
            .eval(
                "return document.querySelectorAll('#transcript img, #transcript script').length;",
                vec![],
            )
            .await?;
        ensure!(images == 0, "no element was made from the answer: {images}");
        ensure!(browser.eval(PWNED, vec![]).await?.is_null(), "nothing ran");

        browser
            .eval(
                "document.body.insertAdjacentHTML('beforeend', '<img src=\"x\" onerror=\"window.__pwned=1\">');
                 const s = document.createElement('script');
                 s.textContent = 'window.__pwned = 2';
                 document.body.appendChild(s);",
                vec![],
            )
            .await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let pwned = browser.eval(PWNED, vec![]).await?;
        ensure!(
            pwned.is_null(),
            "the CSP blocks an inline handler and an inline script; ran: {pwned}"
        );
        Ok(())
    })
}
