//! Handoff on a messaging channel: when the coach takes a Telegram conversation over, the client
//! is told in the chat, the AI answers nothing, the coach's reply goes out through the Bot API,
//! and after the hand-back the AI answers again; the client asks for the coach with `/coach`.

use std::time::Duration;

use coachai_common::auth::Role;
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use crate::support::stack::Answer;
use crate::support::stack::{Stack, settle};
use crate::support::{eventually, telegram_update};

/// A creator with a Telegram bot, its owner and a coach, and one chat of the bot.
struct BotChat {
    creator: coachai_common::tenancy::CreatorId,
    coach: crate::harness::User,
    path: String,
    header: [(&'static str, String); 1],
    chat: i64,
}

impl BotChat {
    async fn new(stack: &Stack, chat: i64) -> Self {
        let creator = stack.creator().await;
        let owner = stack.user(creator, Role::Owner).await;
        let coach = stack.user(creator, Role::Coach).await;
        let body =
            json!({"kind": "telegram", "name": "Coach bot", "bot_token": "123456:AAbb-cc_dd"});
        let (id, secret) = stack.integration(creator, &owner, body).await;
        Self {
            creator,
            coach,
            path: format!("/telegram/{id}/webhook"),
            header: [("x-telegram-bot-api-secret-token", secret)],
            chat,
        }
    }

    /// Telegram delivers update `n` with `text` in the chat.
    async fn post(&self, stack: &Stack, n: i64, text: &str) -> Answer {
        let update = telegram_update(n, self.chat, text);
        stack
            .send(Method::POST, &self.path, None, &self.header, Some(update))
            .await
    }
}

/// Waits until the chat has received `count` messages and returns them.
async fn texts(stack: &Stack, chat: i64, count: usize) -> Vec<String> {
    eventually(
        &format!("{count} message(s) in the Telegram chat"),
        Duration::from_secs(20),
        || async {
            let texts = stack.telegram.telegram_texts(chat);
            (texts.len() >= count).then_some(texts)
        },
    )
    .await
}

/// `token`'s holder hands `conversation` to `state` (`coach` or `ai`).
async fn handoff(stack: &Stack, token: &str, conversation: Uuid, state: &str) {
    let body = json!({"state": state}).to_string().into_bytes();
    let path = format!("/conversations/{conversation}/handoff");
    let answer = stack
        .send(Method::POST, &path, Some(token), &[], Some(body))
        .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
}

#[tokio::test]
async fn a_coach_takes_a_telegram_chat_over_replies_in_it_and_hands_it_back() {
    let stack = Stack::start().await;
    stack.reply("Breathe out at the top of the swing.");
    let bot = BotChat::new(&stack, -4_242_001).await;
    let (creator, coach, chat) = (bot.creator, &bot.coach, bot.chat);
    let post = |n: i64, text: &'static str| bot.post(&stack, n, text);
    assert_eq!(post(1, "How do I breathe?").await.status, 200);
    assert_eq!(
        texts(&stack, chat, 1).await[0],
        "Breathe out at the top of the swing."
    );
    let conversation: Uuid = {
        let mut tx = stack.tenant(creator).await;
        sqlx::query_scalar("SELECT conversation_id FROM channel_chats WHERE external_chat = $1")
            .bind(chat.to_string())
            .fetch_one(tx.conn())
            .await
            .unwrap()
    };
    handoff(&stack, &coach.token, conversation, "coach").await;
    let told = texts(&stack, chat, 2).await;
    assert!(told[1].contains("coach has joined"), "{told:?}");
    assert_eq!(post(2, "Can you check my form video?").await.status, 200);
    settle(Duration::from_secs(2)).await;
    assert_eq!(
        stack.answers_asked(),
        1,
        "the AI answers nothing while the coach has the chat"
    );
    assert_eq!(stack.telegram.telegram_texts(chat).len(), 2);
    let reply = json!({"text": "Send it over, I'll look tonight."})
        .to_string()
        .into_bytes();
    let sent = stack
        .send(
            Method::POST,
            &format!("/conversations/{conversation}/messages"),
            Some(&coach.token),
            &[],
            Some(reply),
        )
        .await;
    assert_eq!(sent.status, 201, "{:?}", sent.body);
    assert_eq!(
        texts(&stack, chat, 3).await[2],
        "Send it over, I'll look tonight."
    );

    handoff(&stack, &coach.token, conversation, "ai").await;
    assert!(texts(&stack, chat, 4).await[3].contains("back to the AI"));
    assert_eq!(post(3, "And the swing?").await.status, 200);
    assert_eq!(
        texts(&stack, chat, 5).await[4],
        "Breathe out at the top of the swing."
    );
    assert_eq!(stack.answers_asked(), 2);
}

#[tokio::test]
async fn coach_in_a_telegram_chat_asks_for_the_coach_and_the_model_is_not_asked() {
    let stack = Stack::start().await;
    stack.reply("Breathe out at the top of the swing.");
    let bot = BotChat::new(&stack, -4_242_002).await;
    let (coach, chat) = (&bot.coach, bot.chat);
    let post = |n: i64, text: &'static str| bot.post(&stack, n, text);
    let attention = || async {
        let answer = stack
            .send(
                Method::GET,
                "/conversations?attention=true",
                Some(&coach.token),
                &[],
                None,
            )
            .await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        answer.body["items"].as_array().unwrap().clone()
    };

    assert_eq!(post(1, "/coach").await.status, 200);
    assert!(texts(&stack, chat, 1).await[0].contains("nothing to hand over"));
    assert!(attention().await.is_empty(), "no conversation was created");

    assert_eq!(post(2, "How do I breathe?").await.status, 200);
    texts(&stack, chat, 2).await;
    assert_eq!(post(3, "/coach@CoachBot").await.status, 200);
    assert_eq!(
        texts(&stack, chat, 3).await[2],
        "I've asked your coach to join; they'll answer here."
    );
    let flagged = attention().await;
    assert_eq!(flagged.len(), 1, "{flagged:#?}");
    assert_eq!(flagged[0]["attention"], "handoff_requested");

    assert_eq!(
        post(3, "/coach@CoachBot").await.status,
        200,
        "a repeated update"
    );
    settle(Duration::from_secs(1)).await;
    assert_eq!(
        stack.telegram.telegram_texts(chat).len(),
        3,
        "answered once"
    );
    assert_eq!(
        stack.answers_asked(),
        1,
        "only the question reached the model"
    );
}
