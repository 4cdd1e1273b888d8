//! The journey while the suite's own PostgreSQL restarts and its ChromaDB stops: what is in
//! flight fails cleanly (problem+json, a WebSocket `error`), nothing acknowledged is lost,
//! answers during the ChromaDB outage come from full-text retrieval marked `degraded`, and the
//! journey completes once both are back.

use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use coachai_journey_tests::{Chat, JourneyError, Probe};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::steps::{ask, cited, completed};
use crate::world::{BREATH_QUESTION, EVENT_WAIT, HINGE_QUESTION, READY_WAIT, Seeded, World};

/// How long the services may take to find a dependency again after it is back.
const RECOVERY: Duration = Duration::from_secs(120);

/// A message asked while PostgreSQL stops; its answer takes seconds at the double's pace.
const LONG_QUESTION: &str = "How do I hinge at the hips, and when do I exhale in a swing?";

/// A document uploaded just before PostgreSQL stops.
const ANKLES: &str =
    "# Ankle notes\n\n## Calf raises\nRise slowly onto the toes and lower for three.\n";

/// A document uploaded while ChromaDB is down.
const GRIP: &str = "# Grip notes\n\n## Hook grip\nWrap the thumb first and the fingers over it.\n";

pub async fn the_journey_survives_a_postgresql_restart_and_a_chromadb_outage(
    world: &World,
) -> anyhow::Result<()> {
    let seeded = world.seed("Fault Coach").await?;
    let mut chat = world.chat(&seeded.token).await?;
    let first = ask(&mut chat, None, HINGE_QUESTION).await?;
    let done = completed(&first)?;
    ensure!(
        done["degraded"] == false,
        "degraded before any fault: {done}"
    );
    let conversation = first.conversation_id().context("no conversation id")?;
    let mut acked = vec![HINGE_QUESTION.to_owned()];

    let uploaded = postgresql_restart(world, &seeded, &mut chat, &conversation, &mut acked).await?;
    chroma_outage(world, &seeded, &mut chat, &conversation, &mut acked).await?;

    let stored = world.api.conversation(&seeded.token, &conversation).await?;
    every_acked_message_is_answered(&stored, &acked)?;
    let degraded = stored["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|m| m["degraded"] == true && m["sources"].as_array().is_some_and(|s| !s.is_empty()));
    ensure!(degraded, "no stored answer is marked degraded: {stored}");
    world
        .api
        .wait_ready(&seeded.creator, &uploaded, READY_WAIT)
        .await?;
    let stats = world.gateway.stats(&seeded.creator).await?;
    ensure!(
        stats["documents_by_status"]["ready"] == 4,
        "stats at the end: {stats}"
    );
    Ok(())
}

/// Stops PostgreSQL just after an upload is accepted and while an acknowledged answer streams,
/// checks how requests and a new message fail while it is down, starts it, and finishes what
/// failed with the same tokens. The id of the upload, which must still become `ready`.
async fn postgresql_restart(
    world: &World,
    seeded: &Seeded,
    chat: &mut Chat,
    conversation: &str,
    acked: &mut Vec<String>,
) -> anyhow::Result<String> {
    let uploaded = world
        .gateway
        .upload_file(
            &seeded.creator,
            "ankles.md",
            "Ankle notes",
            ANKLES.as_bytes(),
        )
        .await?;
    let http = whole_answer_in_flight(world, &seeded.token);
    let streaming = Uuid::new_v4();
    chat.send_message(streaming, Some(conversation), LONG_QUESTION)
        .await?;
    chat.until(EVENT_WAIT, |e| e["type"] == "ack").await?;
    acked.push(LONG_QUESTION.to_owned());
    world.stack.stop_postgresql().await?;
    let broke_off = in_flight_ends_cleanly(chat, http).await?;
    let refused = while_postgresql_is_down(world, seeded, chat, conversation).await?;
    world.stack.start_postgresql().await?;
    // The answer streams for seconds at the double's pace and is stored at its end, so it
    // cannot finish while PostgreSQL is down: it breaks off.
    ensure!(
        broke_off,
        "the answer streaming while PostgreSQL stopped broke off"
    );
    let broke_off = Some(streaming);
    after_postgresql_is_back(world, seeded, chat, conversation, (broke_off, refused)).await?;
    acked.push(BREATH_QUESTION.to_owned());
    Ok(uploaded)
}

/// Once PostgreSQL is back, the same tokens work again; the message whose answer broke off and
/// the refused message are sent again under their ids and answered.
async fn after_postgresql_is_back(
    world: &World,
    seeded: &Seeded,
    chat: &mut Chat,
    conversation: &str,
    (broke_off, refused): (Option<Uuid>, Uuid),
) -> anyhow::Result<()> {
    let path = "/ai/conversations";
    let started = Instant::now();
    while world
        .gateway
        .probe(Method::GET, path, &seeded.token)
        .await?
        .status
        != 200
    {
        ensure!(started.elapsed() < RECOVERY, "{path} did not recover");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // An answer that broke off says "send the message again": the client does, under the same
    // id, and gets an answer this time.
    if let Some(id) = broke_off {
        chat.send_message(id, Some(conversation), LONG_QUESTION)
            .await?;
        completed(&chat.answer(EVENT_WAIT).await?)?;
    }
    chat.send_message(refused, Some(conversation), BREATH_QUESTION)
        .await?;
    completed(&chat.answer(EVENT_WAIT).await?)?;
    Ok(())
}

/// A whole (not streamed) `POST /ai/chat` of [`LONG_QUESTION`], asked in the background.
fn whole_answer_in_flight(
    world: &World,
    token: &str,
) -> tokio::task::JoinHandle<Result<Probe, JourneyError>> {
    let gateway = world.gateway.clone();
    let token = token.to_owned();
    let whole = json!({"message": LONG_QUESTION, "stream": false});
    tokio::spawn(async move { gateway.post("/ai/chat", &token, &whole).await })
}

/// The streamed answer ends with `done` or an `error` `unavailable`, the whole one with a 2xx
/// or a 5xx problem+json, neither hanging. Whether the streamed answer broke off.
async fn in_flight_ends_cleanly(
    chat: &mut Chat,
    http: tokio::task::JoinHandle<Result<Probe, JourneyError>>,
) -> anyhow::Result<bool> {
    let streamed = chat.answer(EVENT_WAIT).await?;
    if let Some(error) = streamed.error() {
        ensure!(error["code"] == "unavailable", "in flight: {error}");
    }
    let http = http.await??;
    ensure!(http.is_clean(), "an HTTP answer in flight: {http:?}");
    Ok(streamed.done().is_none())
}

/// While PostgreSQL is down: requests that need it are answered 5xx problem+json (not a hang,
/// not HTML), and a new message gets an `error` event. The refused message's id.
async fn while_postgresql_is_down(
    world: &World,
    seeded: &Seeded,
    chat: &mut Chat,
    conversation: &str,
) -> anyhow::Result<Uuid> {
    for (path, token) in [
        ("/ai/conversations".to_owned(), &seeded.token),
        (
            format!("/creators/{}/content", seeded.creator.id),
            &seeded.creator.token,
        ),
        (
            format!("/creators/{}/stats", seeded.creator.id),
            &seeded.creator.token,
        ),
    ] {
        let probe = world.gateway.probe(Method::GET, &path, token).await?;
        ensure!(
            probe.is_problem_5xx(),
            "while PostgreSQL is down: {probe:?}"
        );
    }
    let refused = Uuid::new_v4();
    chat.send_message(refused, Some(conversation), BREATH_QUESTION)
        .await?;
    let answer = chat
        .until(EVENT_WAIT, |e| e["type"] == "error" || e["type"] == "ack")
        .await?;
    let error = answer
        .error()
        .with_context(|| format!("a message while PostgreSQL is down: {:#?}", answer.events))?;
    ensure!(
        error["code"] == "unavailable" && error["seq"].is_null(),
        "{error}"
    );
    Ok(refused)
}

/// Stops ChromaDB: answers come from full-text retrieval marked `degraded`, an upload is
/// acknowledged; after ChromaDB is back, answers are not degraded and the upload is `ready`.
async fn chroma_outage(
    world: &World,
    seeded: &Seeded,
    chat: &mut Chat,
    conversation: &str,
    acked: &mut Vec<String>,
) -> anyhow::Result<()> {
    world.stack.stop_chroma().await?;
    let answer = ask(chat, Some(conversation), HINGE_QUESTION).await?;
    let done = completed(&answer)?;
    acked.push(HINGE_QUESTION.to_owned());
    ensure!(
        done["degraded"] == true,
        "not degraded without ChromaDB: {done}"
    );
    cited(done, &seeded.guide)?;
    let grip = world
        .gateway
        .upload_file(&seeded.creator, "grip.md", "Grip notes", GRIP.as_bytes())
        .await?;

    world.stack.start_chroma().await?;
    let started = Instant::now();
    loop {
        let answer = ask(chat, Some(conversation), HINGE_QUESTION).await?;
        let done = completed(&answer)?;
        acked.push(HINGE_QUESTION.to_owned());
        if done["degraded"] == false {
            break;
        }
        ensure!(started.elapsed() < RECOVERY, "still degraded: {done}");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    world
        .api
        .wait_ready(&seeded.creator, &grip, READY_WAIT + RECOVERY)
        .await?;
    Ok(())
}

/// Each acknowledged text is stored as a client message followed by an answer (a message
/// whose answer broke off is counted by its copy sent again).
fn every_acked_message_is_answered(stored: &Value, acked: &[String]) -> anyhow::Result<()> {
    let messages = stored["messages"].as_array().context("no messages")?;
    let mut answered: Vec<&str> = messages
        .windows(2)
        .filter(|pair| pair[0]["role"] == "user" && pair[1]["role"] == "assistant")
        .filter_map(|pair| pair[0]["body"].as_str())
        .collect();
    for text in acked {
        let Some(at) = answered.iter().position(|a| a == text) else {
            bail!("the acknowledged {text:?} has no answer: {stored}");
        };
        answered.remove(at);
    }
    Ok(())
}
