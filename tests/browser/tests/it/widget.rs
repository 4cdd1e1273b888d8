//! The widget on a creator's own site: it chats where the site's origin is in the creator's
//! `allowed_origins`, and the server refuses it elsewhere (the embedded page's
//! `frame-ancestors`, and the WebSocket handshake's `Origin` check).

use std::time::Duration;

use anyhow::{Context, ensure};
use coachai_browser_tests::{Browser, Viewport};
use serde_json::Value;

use crate::steps::{answer_done, ask, sign_in_here};
use crate::with_browser;
use crate::world::World;

/// Opens the widget on the page at `site` and enters its frame.
async fn open_widget(browser: &Browser, site: &str) -> anyhow::Result<()> {
    browser.goto(&format!("{site}/")).await?;
    browser.click("#coachai-widget-button").await?;
    let frame = browser.find("#coachai-widget-frame").await?;
    frame.enter_frame().await?;
    Ok(())
}

/// Waits until the current frame's document has loaded; its address.
async fn frame_settled(browser: &Browser) -> anyhow::Result<String> {
    let settled = "return document.readyState === 'complete' ? location.href : null;";
    let href = browser
        .until(
            "the widget's frame to load",
            Duration::from_secs(10),
            || async {
                let href = browser.eval(settled, vec![]).await?;
                Ok(href
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| href.to_string()))
            },
        )
        .await?;
    Ok(href)
}

/// Opens a WebSocket from the current page with a ticket; `open` or how it ended.
async fn try_socket(browser: &Browser, url: &str) -> anyhow::Result<String> {
    let script = "const done = arguments[arguments.length - 1];
const ws = new WebSocket(arguments[0]);
ws.onopen = () => { ws.close(); done('open'); };
ws.onclose = (e) => done('closed ' + e.code);";
    let value = browser
        .client()
        .execute_async(script, vec![Value::from(url)])
        .await?;
    Ok(value.as_str().unwrap_or_default().to_owned())
}

async fn socket_from(world: &World, browser: &Browser, site: &str) -> anyhow::Result<String> {
    let client = world.client().await?;
    let token = world
        .api
        .login(&world.creator.slug, &client.email, &client.password)
        .await?;
    let ticket = world.api.ws_ticket(&token).await?;
    browser.goto(&format!("{site}/")).await?;
    let ws = world.gateway.replacen("http://", "ws://", 1);
    try_socket(browser, &format!("{ws}/api/v1/channels/ws?ticket={ticket}")).await
}

/// On the allowed site the bubble opens the chat, a client signs in inside it and gets an
/// answer with its sources.
pub async fn the_widget_chats_on_an_allowed_site(world: &World) -> anyhow::Result<()> {
    let client = world.client().await?;
    with_browser!(world, Viewport::DESKTOP, |browser| {
        open_widget(&browser, world.allowed_site.origin()).await?;
        let href = frame_settled(&browser).await?;
        ensure!(
            href.starts_with(&world.chat_url()),
            "the frame shows the chat page: {href}"
        );
        sign_in_here(&browser, &client).await?;
        ask(&browser, "How do I breathe during the swing?").await?;
        let answer = answer_done(&browser).await?;
        ensure!(
            !answer.citations.is_empty(),
            "the answer in the widget cites: {answer:?}"
        );
        Ok(())
    })
}

/// On a site the creator did not allow, the chat never shows inside the widget (the server's
/// `frame-ancestors` names only the allowed origin), and a WebSocket opened from that site
/// with a valid ticket is refused at the handshake, while the allowed site's opens.
pub async fn the_widget_is_refused_on_a_site_the_creator_did_not_allow(
    world: &World,
) -> anyhow::Result<()> {
    let refused = world.refused_site.origin();
    let allowed = world.allowed_site.origin();
    let (status, headers) = world
        .api
        .page_headers(&format!("/chat/{}?embed=1", world.creator.slug))
        .await?;
    let csp = headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .context("the embedded chat has a Content-Security-Policy")?
        .to_owned();
    ensure!(status == 200, "the embedded chat answers 200, got {status}");
    ensure!(
        csp.contains(&format!("frame-ancestors {allowed}")) && !csp.contains(refused),
        "frame-ancestors names only the allowed site: {csp}"
    );
    with_browser!(world, Viewport::DESKTOP, |browser| {
        open_widget(&browser, refused).await?;
        let href = frame_settled(&browser).await?;
        ensure!(
            href.starts_with("chrome-error://"),
            "the browser refused to show the chat in the frame; the frame shows {href}"
        );
        let shown = browser
            .eval("return document.getElementById('email') !== null;", vec![])
            .await?;
        ensure!(
            shown == Value::Bool(false),
            "no sign-in form inside the refused frame"
        );
        browser.client().enter_parent_frame().await?;

        let from_refused = socket_from(world, &browser, refused).await?;
        ensure!(
            from_refused.starts_with("closed"),
            "refused at the handshake: {from_refused}"
        );
        let from_allowed = socket_from(world, &browser, allowed).await?;
        ensure!(
            from_allowed == "open",
            "the allowed site's socket opens: {from_allowed}"
        );
        Ok(())
    })
}
