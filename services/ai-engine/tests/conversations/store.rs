//! The store functions the chat path calls.

use coachai_ai_engine::conversations::{self, ConversationError, MessageMeta, MessageRole, Turn};
use coachai_common::auth::Role;

use super::{chat, engine};

#[tokio::test]
async fn a_conversation_continues_and_its_recent_turns_come_oldest_first() {
    let engine = engine().await;
    let creator = engine.creator().await;
    let client = engine.user(creator, Role::Client).await;
    let id = chat(&engine, &client, "How do I warm up?").await;

    let mut tx = engine.tenant(creator).await;
    let again = conversations::start_or_continue(&mut tx, &client.principal, Some(id))
        .await
        .unwrap();
    assert_eq!(again.uuid(), id);
    let meta = MessageMeta::default();
    conversations::append_message(&mut tx, again, MessageRole::User, "And after?", &meta)
        .await
        .unwrap();
    let turns = conversations::recent_turns(&mut tx, again, 2)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        turns,
        vec![
            Turn {
                role: MessageRole::Assistant,
                body: "From the sources: start with five minutes of easy cardio.".into(),
            },
            Turn {
                role: MessageRole::User,
                body: "And after?".into(),
            },
        ]
    );
}

#[tokio::test]
async fn continuing_someone_elses_conversation_is_not_found() {
    let engine = engine().await;
    let creator = engine.creator().await;
    let owner_of_it = engine.user(creator, Role::Client).await;
    let same_creator = engine.user(creator, Role::Client).await;
    let coach = engine.user(creator, Role::Coach).await;
    let other = engine.creator().await;
    let other_creator = engine.user(other, Role::Client).await;
    let id = chat(&engine, &owner_of_it, "Private question").await;

    for stranger in [&same_creator, &coach, &other_creator] {
        let mut tx = engine.tenant(stranger.principal.creator_id).await;
        let err = conversations::start_or_continue(&mut tx, &stranger.principal, Some(id))
            .await
            .unwrap_err();
        assert!(matches!(err, ConversationError::NotFound), "{err:?}");
    }
}

#[tokio::test]
async fn the_first_user_message_titles_a_new_conversation() {
    let engine = engine().await;
    let creator = engine.creator().await;
    let client = engine.user(creator, Role::Client).await;
    let long = format!("  {}", "squat ".repeat(40));
    let id = chat(&engine, &client, &long).await;

    let mut tx = engine.tenant(creator).await;
    let detail = conversations::get(&mut tx, client.principal.user_id, id)
        .await
        .unwrap();
    let title = detail.summary.title.unwrap();
    assert!(title.starts_with("squat squat"), "{title}");
    assert_eq!(title.chars().count(), 80);
    assert_eq!(detail.summary.channel, "web");
}
