//! Telegram: the secret token guards the webhook; a message is answered in its chat through the
//! Bot API, split at Telegram's limit; a repeated `update_id` is answered once.

use std::time::Duration;

use coachai_common::auth::Role;
use reqwest::Method;
use serde_json::json;

use crate::support::stack::{Stack, settle};
use crate::support::{eventually, telegram_update as update};

fn chat() -> i64 {
    -i64::from(rand_u31())
}

fn rand_u31() -> u32 {
    uuid::Uuid::new_v4().as_u128() as u32 >> 1
}

async fn bot(stack: &Stack) -> (String, String) {
    let creator = stack.creator().await;
    let owner = stack.user(creator, Role::Owner).await;
    let body = json!({"kind": "telegram", "name": "Coach bot", "bot_token": "123456:AAbb-cc_dd"});
    stack.integration(creator, &owner, body).await
}

#[tokio::test]
async fn a_wrong_secret_token_is_refused_with_401() {
    let stack = Stack::start().await;
    let (id, _secret) = bot(&stack).await;
    let path = format!("/telegram/{id}/webhook");
    let wrong = [(
        "x-telegram-bot-api-secret-token",
        "not-the-secret".to_owned(),
    )];
    let answer = stack
        .send(
            Method::POST,
            &path,
            None,
            &wrong,
            Some(update(1, chat(), "hi")),
        )
        .await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.content_type, "application/problem+json");
    let missing = stack
        .send(
            Method::POST,
            &path,
            None,
            &[],
            Some(update(2, chat(), "hi")),
        )
        .await;
    assert_eq!(missing.status, 401);
    settle(Duration::from_millis(500)).await;
    assert_eq!(
        stack.answers_asked(),
        0,
        "a refused update is never answered"
    );
}

#[tokio::test]
async fn a_message_is_answered_in_its_chat_split_at_telegrams_limit_and_only_once() {
    let stack = Stack::start().await;
    // The double streams word by word (one word a piece, at most 256 pieces here), so the
    // answer is long words separated by single spaces.
    let words: Vec<String> = (0..150)
        .map(|i| format!("exhale{i:03}-slowly-and-count-to-four"))
        .collect();
    let long = words.join(" ");
    assert!(long.chars().count() > 4096);
    stack.reply(&long);
    let (id, secret) = bot(&stack).await;
    let (path, chat) = (format!("/telegram/{id}/webhook"), chat());
    let header = [("x-telegram-bot-api-secret-token", secret)];
    let first = stack
        .send(
            Method::POST,
            &path,
            None,
            &header,
            Some(update(77, chat, "How?")),
        )
        .await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    let texts = eventually(
        "both parts of the answer reach the chat",
        Duration::from_secs(20),
        || async {
            let texts = stack.telegram.telegram_texts(chat);
            (texts.len() >= 2).then_some(texts)
        },
    )
    .await;
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts.iter().all(|t| t.chars().count() <= 4096));
    assert!(texts[0].ends_with("-four"), "the cut falls between words");
    assert_eq!(texts.join(" "), long);
    let path_used = &stack.telegram.taken()[0].path;
    assert_eq!(path_used, "/bot123456:AAbb-cc_dd/sendMessage");
    let again = stack
        .send(
            Method::POST,
            &path,
            None,
            &header,
            Some(update(77, chat, "How?")),
        )
        .await;
    assert_eq!(again.status, 200, "a duplicate is acknowledged");
    settle(Duration::from_secs(2)).await;
    assert_eq!(
        stack.telegram.telegram_texts(chat).len(),
        2,
        "the duplicate is not answered"
    );
    assert_eq!(stack.answers_asked(), 1);
}

#[tokio::test]
async fn start_is_greeted_and_edits_and_photos_are_acknowledged_and_ignored() {
    let stack = Stack::start().await;
    let (id, secret) = bot(&stack).await;
    let (path, chat) = (format!("/telegram/{id}/webhook"), chat());
    let header = [("x-telegram-bot-api-secret-token", secret)];
    let start = stack
        .send(
            Method::POST,
            &path,
            None,
            &header,
            Some(update(1, chat, "/start")),
        )
        .await;
    assert_eq!(start.status, 200);
    let edited = json!({"update_id": 2, "edited_message": {"chat": {"id": chat}, "text": "x"}});
    let photo = json!({"update_id": 3, "message": {"chat": {"id": chat}, "photo": []}});
    for body in [edited, photo] {
        let answer = stack
            .send(
                Method::POST,
                &path,
                None,
                &header,
                Some(body.to_string().into_bytes()),
            )
            .await;
        assert_eq!(answer.status, 200);
    }
    let greeting = eventually(
        "the greeting reaches the chat",
        Duration::from_secs(10),
        || async { stack.telegram.telegram_texts(chat).into_iter().next() },
    )
    .await;
    assert!(greeting.starts_with("Hello!"), "{greeting}");
    settle(Duration::from_secs(1)).await;
    assert_eq!(stack.telegram.telegram_texts(chat).len(), 1);
    assert_eq!(
        stack.answers_asked(),
        0,
        "neither /start nor ignored updates ask the model"
    );
    let garbage = stack
        .send(Method::POST, &path, None, &header, Some(b"{".to_vec()))
        .await;
    assert_eq!(garbage.status, 400);
}
