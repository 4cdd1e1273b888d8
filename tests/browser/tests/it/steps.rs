//! What a person does on the chat page, as steps the tests share: sign in, ask, read the
//! latest answer as the page shows it.

use std::time::Duration;

use anyhow::Context;
use coachai_browser_tests::{Browser, Client};
use serde::Deserialize;
use serde_json::Value;

/// How long an answer may take from question to `done` (the double streams a few words a
/// second).
pub const ANSWER_WAIT: Duration = Duration::from_secs(60);

/// The latest answer in `#transcript`, as the page shows it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Answer {
    /// The answer's text so far.
    pub text: String,
    /// `aria-busy="true"`: still being written.
    pub busy: bool,
    /// The text of each `.citation` under it.
    pub citations: Vec<String>,
    /// Whether it carries the `.degraded` marker.
    pub degraded: bool,
}

const LAST_ANSWER: &str = "const all = document.querySelectorAll('#transcript .answer');
const a = all[all.length - 1];
if (!a) { return null; }
return {
  text: (a.querySelector('.answer-text') || a).textContent,
  busy: a.getAttribute('aria-busy') === 'true',
  citations: Array.from(a.querySelectorAll('.citation')).map((c) => c.textContent),
  degraded: a.querySelector('.degraded') !== null,
};";

/// The latest answer on the page, if any.
pub async fn last_answer(browser: &Browser) -> anyhow::Result<Option<Answer>> {
    let value = browser.eval(LAST_ANSWER, vec![]).await?;
    if value.is_null() {
        return Ok(None);
    }
    Ok(Some(
        serde_json::from_value(value).context("the answer read from the page")?,
    ))
}

/// The text of `#connection-status`.
pub async fn connection_status(browser: &Browser) -> anyhow::Result<String> {
    Ok(browser
        .find("#connection-status")
        .await?
        .text()
        .await?
        .trim()
        .to_owned())
}

/// Waits until `#connection-status` reads `wanted`.
pub async fn wait_status(browser: &Browser, wanted: &str, timeout: Duration) -> anyhow::Result<()> {
    browser
        .until(
            &format!("#connection-status `{wanted}`"),
            timeout,
            || async {
                let status = connection_status(browser).await.map_err(harness)?;
                Ok(if status == wanted {
                    Ok(())
                } else {
                    Err(status)
                })
            },
        )
        .await?;
    Ok(())
}

/// Opens `url` (a chat page), signs `client` in and waits until the page is connected.
pub async fn sign_in(browser: &Browser, url: &str, client: &Client) -> anyhow::Result<()> {
    browser.goto(url).await?;
    sign_in_here(browser, client).await
}

/// Signs `client` in on the page already open and waits until it is connected.
pub async fn sign_in_here(browser: &Browser, client: &Client) -> anyhow::Result<()> {
    browser.fill("#email", &client.email).await?;
    browser.fill("#password", &client.password).await?;
    browser.click("#sign-in").await?;
    wait_status(browser, "connected", Duration::from_secs(20))
        .await
        .context("after signing in")
}

/// Types `question` into `#message` and presses `#send`.
pub async fn ask(browser: &Browser, question: &str) -> anyhow::Result<()> {
    browser.fill("#message", question).await?;
    browser.click("#send").await?;
    Ok(())
}

/// Waits until the latest answer is complete (not busy, with text) and returns it.
pub async fn answer_done(browser: &Browser) -> anyhow::Result<Answer> {
    let answer = browser
        .until("a complete answer", ANSWER_WAIT, || async {
            let answer = last_answer(browser).await.map_err(harness)?;
            Ok(match answer {
                Some(a) if !a.busy && !a.text.trim().is_empty() => Ok(a),
                other => Err(format!(
                    "{other:?}; #error: {:?}",
                    page_error(browser).await
                )),
            })
        })
        .await?;
    Ok(answer)
}

/// The text of `#error` when it is shown.
pub async fn page_error(browser: &Browser) -> Option<String> {
    let script =
        "const e = document.getElementById('error'); return e && !e.hidden ? e.textContent : null;";
    browser
        .eval(script, vec![])
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
}

/// A probe's own failure, in the harness's error type.
pub fn harness(err: anyhow::Error) -> coachai_browser_tests::HarnessError {
    coachai_browser_tests::HarnessError::Unexpected {
        what: "probe".to_owned(),
        detail: format!("{err:#}"),
    }
}

/// Whether the page scrolls sideways (content wider than the viewport).
pub async fn overflows_sideways(browser: &Browser) -> anyhow::Result<bool> {
    let value = browser
        .eval(
            "return document.documentElement.scrollWidth > window.innerWidth;",
            vec![],
        )
        .await?;
    Ok(value == Value::Bool(true))
}

/// Runs `body` with a fresh browser session and closes the session whatever the outcome.
#[macro_export]
macro_rules! with_browser {
    ($world:expr, $viewport:expr, |$browser:ident| $body:block) => {{
        let $browser = $world.browser($viewport).await?;
        let result: anyhow::Result<()> = async { $body }.await;
        let closed = $browser.close().await;
        result?;
        closed?;
        Ok(())
    }};
}
