//! The whole journey through the gateway only: sign-up, an accepted invitation, a markdown file
//! and a transcript made `ready`, a streamed chat citing the right heading and time span, a
//! dropped connection resumed, stats, and a deletion that changes the answer.

use anyhow::{Context, ensure};
use coachai_journey_tests::Chat;
use serde_json::json;
use uuid::Uuid;

use crate::steps::{ask, cited, cites, completed};
use crate::world::{BREATH_QUESTION, EVENT_WAIT, HINGE_QUESTION, HINGE_SENTENCE, Seeded, World};

pub async fn a_creator_and_a_client_go_from_sign_up_to_deletion_through_the_gateway(
    world: &World,
) -> anyhow::Result<()> {
    let seeded = world.seed("Journey Coach").await?;
    let mut chat = world.chat(&seeded.token).await?;
    let conversation = answers_cite_the_heading_and_the_time_span(&seeded, &mut chat).await?;

    let resumed = drop_and_resume(world, &seeded.token, chat, &conversation).await?;
    ensure!(resumed.contains(HINGE_SENTENCE), "{resumed}");

    let stats = world.gateway.stats(&seeded.creator).await?;
    ensure!(
        stats["documents"] == 2
            && stats["documents_by_status"]["ready"] == 2
            && stats["conversations"] == 1
            && stats["messages"] == 6,
        "stats after three questions on two documents: {stats}"
    );
    a_deleted_document_is_no_longer_cited(world, &seeded, &conversation).await
}

/// The hinge question streams an answer citing the guide's "Hip hinge" heading; the breathing
/// question one citing the transcript's time span. The conversation's id.
async fn answers_cite_the_heading_and_the_time_span(
    seeded: &Seeded,
    chat: &mut Chat,
) -> anyhow::Result<String> {
    let hinge = ask(chat, None, HINGE_QUESTION).await?;
    let done = completed(&hinge)?;
    let conversation = hinge.conversation_id().context("no conversation id")?;
    ensure!(hinge.seqs() == (1..=hinge.seqs().len() as u64).collect::<Vec<_>>());
    ensure!(done["degraded"] == false, "a degraded answer: {done}");
    let guide = cited(done, &seeded.guide)?;
    ensure!(
        guide["title"] == "Mobility guide"
            && guide["location"] == json!({"heading_path": ["Mobility guide", "Hip hinge"]}),
        "the guide is cited without its heading: {guide}"
    );
    ensure!(hinge.text().contains(HINGE_SENTENCE), "{}", hinge.text());

    let breath = ask(chat, Some(&conversation), BREATH_QUESTION).await?;
    let done = completed(&breath)?;
    let transcript = cited(done, &seeded.transcript)?;
    ensure!(
        transcript["location"] == json!({"start": "00:01:05", "end": "00:01:20"}),
        "the transcript is cited without its time span: {transcript}"
    );
    Ok(conversation)
}

/// Deleting the guide changes the answer to the hinge question: it no longer cites the guide
/// nor quotes it, and the stats count one document.
async fn a_deleted_document_is_no_longer_cited(
    world: &World,
    seeded: &Seeded,
    conversation: &str,
) -> anyhow::Result<()> {
    world
        .gateway
        .delete_content(&seeded.creator, &seeded.guide)
        .await?;
    let mut chat = world.chat(&seeded.token).await?;
    let after = ask(&mut chat, Some(conversation), HINGE_QUESTION).await?;
    let done = completed(&after)?;
    ensure!(
        !cites(done, &seeded.guide) && !after.text().contains(HINGE_SENTENCE),
        "the deleted guide is still cited: {done} {}",
        after.text()
    );
    let stats = world.gateway.stats(&seeded.creator).await?;
    ensure!(stats["documents"] == 1, "stats after the deletion: {stats}");
    Ok(())
}

/// Asks a two-part question, drops the connection after a few tokens, reconnects with a ticket
/// and resumes from the last `seq`: the rest arrives exactly once, in order, and the whole
/// answer is what the AI Engine stored. The answer's text.
async fn drop_and_resume(
    world: &World,
    token: &str,
    mut chat: Chat,
    conversation: &str,
) -> anyhow::Result<String> {
    let question = "How do I hinge at the hips, and when do I exhale in a kettlebell swing?";
    chat.send_message(Uuid::new_v4(), Some(conversation), question)
        .await?;
    let before = chat
        .until(EVENT_WAIT, |e| {
            e["type"] == "token" && e["seq"].as_u64().is_some()
        })
        .await?;
    let more = chat.until(EVENT_WAIT, |e| e["type"] == "token").await?;
    let last_seq = *more.seqs().last().context("no seq before the drop")?;
    ensure!(more.done().is_none(), "the answer ended before the drop");
    drop(chat);

    let mut resumed = world.chat_by_ticket(token).await?;
    resumed.resume(conversation, last_seq).await?;
    let rest = resumed.answer(EVENT_WAIT).await?;
    let done = rest.done().context("the resumed answer did not complete")?;
    let expected: Vec<u64> = (last_seq + 1..=last_seq + rest.seqs().len() as u64).collect();
    ensure!(
        rest.seqs() == expected,
        "seqs after {last_seq}: {:?}",
        rest.seqs()
    );

    let text = format!("{}{}{}", before.text(), more.text(), rest.text());
    let stored = world.api.conversation(token, conversation).await?;
    let messages = stored["messages"].as_array().context("no messages")?;
    let last = messages.last().context("an empty conversation")?;
    ensure!(
        last["role"] == "assistant" && last["id"] == done["message_id"] && last["body"] == text,
        "streamed {text:?}, stored {last}"
    );
    Ok(text)
}
