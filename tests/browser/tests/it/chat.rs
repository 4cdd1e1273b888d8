//! The chat page through the gateway: sign-in, an answer streaming in with its sources, a
//! network drop in the middle of it, past conversations, and a phone-sized screen.

use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use coachai_browser_tests::{Browser, Viewport};

use crate::steps::{
    ANSWER_WAIT, answer_done, ask, harness, last_answer, overflows_sideways, sign_in, wait_status,
};
use crate::with_browser;
use crate::world::World;

const QUESTION: &str = "How should I swing, breathe and grip the kettlebell?";

/// A client signs in, asks, and sees the answer arrive in several steps; the gateway then goes
/// away mid-answer (every socket through it closed by the server side): the page says it is
/// reconnecting, comes back by itself, and the answer completes exactly as stored, with its
/// citations. A desktop screenshot of the result is saved.
pub async fn an_answer_streams_in_and_completes_after_the_network_drops(
    world: &World,
) -> anyhow::Result<()> {
    let client = world.client().await?;
    with_browser!(world, Viewport::DESKTOP, |browser| {
        sign_in(&browser, &world.chat_url(), &client).await?;
        ask(&browser, QUESTION).await?;
        let steps = watch_it_grow(&browser).await?;
        let at_drop = steps.last().cloned().unwrap_or_default();

        let mut platform = world.platform.lock().await;
        platform.stop_gateway();
        let down = async {
            wait_status(&browser, "reconnecting", Duration::from_secs(10)).await?;
            let answer = last_answer(&browser).await?.context("the answer")?;
            ensure!(
                answer.busy,
                "the answer is unfinished while the network is down"
            );
            tokio::time::sleep(Duration::from_secs(1)).await;
            Ok(())
        }
        .await;
        platform.start_gateway()?;
        drop(platform);
        down?;

        let answer = answer_done(&browser).await?;
        wait_status(&browser, "connected", Duration::from_secs(20)).await?;
        ensure!(
            answer.text.starts_with(&at_drop) && answer.text.len() > at_drop.len(),
            "the answer went on from where the drop cut it: at the drop {at_drop:?}, now {:?}",
            answer.text
        );
        let stored = stored_answer(world, &client).await?;
        ensure!(
            answer.text.trim() == stored.trim(),
            "the page shows the whole answer once, as stored:\n page:   {:?}\n stored: {stored:?}",
            answer.text
        );
        ensure!(
            !answer.citations.is_empty(),
            "the answer cites its sources: {answer:?}"
        );
        ensure!(
            answer
                .citations
                .iter()
                .any(|c| c.contains("Kettlebell guide")),
            "a citation names the document: {:?}",
            answer.citations
        );
        browser
            .screenshot(&world.artifacts.join("chat-desktop.png"))
            .await?;
        Ok(())
    })
}

/// Samples the latest answer every 100 ms until two different, non-empty texts were seen while
/// it was still being written; returns the texts seen.
async fn watch_it_grow(browser: &Browser) -> anyhow::Result<Vec<String>> {
    let mut seen: Vec<String> = Vec::new();
    let start = Instant::now();
    while seen.len() < 2 {
        ensure!(
            start.elapsed() < ANSWER_WAIT,
            "the answer did not arrive in more than one step; seen while written: {seen:?}, now {:?}",
            last_answer(browser).await?
        );
        let answer = last_answer(browser).await?;
        if let Some(a) = answer.filter(|a| a.busy && !a.text.is_empty())
            && seen.last() != Some(&a.text)
        {
            seen.push(a.text);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(seen)
}

async fn stored_answer(
    world: &World,
    client: &coachai_browser_tests::Client,
) -> anyhow::Result<String> {
    let token = world
        .api
        .login(&world.creator.slug, &client.email, &client.password)
        .await?;
    let conversations = world.api.conversations(&token).await?;
    let id = conversations
        .first()
        .and_then(|c| c["id"].as_str())
        .context("the client has a conversation")?;
    let conversation = world.api.conversation(&token, id).await?;
    let messages = conversation["messages"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    messages
        .iter()
        .rev()
        .find(|m| m["role"] == "assistant")
        .and_then(|m| m["body"].as_str())
        .map(str::to_owned)
        .with_context(|| format!("an assistant message in {conversation}"))
}

/// On a phone-sized screen a client asks, finds the conversation in the list, starts a new one
/// (an empty transcript) and reopens the old one (question and answer back); nothing scrolls
/// sideways and the message box and send button are on screen. A phone screenshot is saved.
pub async fn a_client_on_a_phone_reopens_a_past_conversation(world: &World) -> anyhow::Result<()> {
    let client = world.client().await?;
    with_browser!(world, Viewport::PHONE, |browser| {
        sign_in(&browser, &world.chat_url(), &client).await?;
        ask(&browser, QUESTION).await?;
        let first = answer_done(&browser).await?;
        let entry = browser.find("#conversations button").await?;
        browser.click("#new-conversation").await?;
        ensure!(
            last_answer(&browser).await?.is_none(),
            "a new conversation starts with an empty transcript"
        );
        entry.click().await?;
        browser
            .until(
                "the reopened conversation",
                Duration::from_secs(10),
                || async {
                    let answer = last_answer(&browser).await.map_err(harness)?;
                    Ok(match answer {
                        Some(a) if a.text == first.text => Ok(()),
                        other => Err(format!("{other:?}")),
                    })
                },
            )
            .await?;
        let questions = browser.texts("#transcript .question").await?;
        ensure!(
            questions == [QUESTION],
            "the question is back: {questions:?}"
        );
        ensure!(
            !overflows_sideways(&browser).await?,
            "nothing scrolls sideways at 390 px"
        );
        for control in ["#message", "#send"] {
            let (x, y, width, height) = browser.find(control).await?.rectangle().await?;
            let (screen_w, screen_h) = (Viewport::PHONE.width, Viewport::PHONE.height);
            ensure!(
                x >= 0.0
                    && y >= 0.0
                    && x + width <= f64::from(screen_w)
                    && y + height <= f64::from(screen_h),
                "{control} is on the {screen_w}x{screen_h} screen: x {x}, y {y}, {width}x{height}"
            );
        }
        browser
            .screenshot(&world.artifacts.join("chat-phone.png"))
            .await?;
        Ok(())
    })
}

/// A client opens the invitation link their coach sent, chooses a password, and is chatting:
/// connected, a question typed and sent with Enter (the keyboard alone) is answered, and the
/// same password signs them in again through the API.
pub async fn a_client_accepts_an_invitation_link_and_is_connected(
    world: &World,
) -> anyhow::Result<()> {
    let email = format!("invited-{}@example.com", uuid::Uuid::new_v4().simple());
    let token = world.api.invite(&world.creator, &email).await?;
    let password = coachai_browser_tests::password();
    with_browser!(world, Viewport::DESKTOP, |browser| {
        let link = format!("{}/invite/{token}", world.chat_url());
        browser.goto(&link).await?;
        browser.fill("#invite-password", &password).await?;
        browser.click("#accept-invite").await?;
        wait_status(&browser, "connected", Duration::from_secs(20)).await?;
        let enter = char::from(coachai_browser_tests::Key::Enter);
        let message = browser.visible("#message").await?;
        message
            .send_keys(&format!("How do I grip the bell?{enter}"))
            .await?;
        let answer = answer_done(&browser).await?;
        ensure!(
            !answer.citations.is_empty(),
            "Enter sent the question: {answer:?}"
        );
        world
            .api
            .login(&world.creator.slug, &email, &password)
            .await
            .context("the password chosen on the page signs the client in")?;
        Ok(())
    })
}
