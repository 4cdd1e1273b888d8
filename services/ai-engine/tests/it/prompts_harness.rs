//! The shared engine harness with what prompt-template tests add: creators with a coach persona,
//! the `/prompts` calls, and the chat path's render through the shared cache.

use std::ops::Deref;

use axum::http::Method;
use coachai_ai_engine::prompts::{ChatContext, Passage, RenderedPrompt, render_chat_prompt};
use coachai_common::tenancy::CreatorId;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::harness::{self, Reply};

/// The AI Engine of [`harness::Engine`] with prompt-template helpers; it never reaches Ollama.
pub struct Engine(harness::Engine);

impl Deref for Engine {
    type Target = harness::Engine;

    fn deref(&self) -> &harness::Engine {
        &self.0
    }
}

impl Engine {
    /// The engine with a registry on an address nothing listens on.
    pub async fn new() -> Self {
        Self(harness::Engine::new("http://127.0.0.1:9").await)
    }

    /// A new creator named "Ana Strength" whose coach persona is Ana.
    pub async fn creator(&self) -> CreatorId {
        let creator = CreatorId(Uuid::new_v4());
        let mut tx = self.tenant(creator).await;
        let slug = format!("ai-{}", &creator.0.simple().to_string()[..12]);
        let persona = json!({"coach_name": "Ana", "tone": "warm, direct",
            "avoid_topics": ["medication"], "escalation_topics": ["chest pain"],
            "disclaimer": "Not medical advice."});
        sqlx::query(
            "INSERT INTO creators (id, slug, display_name, persona)
             VALUES ($1, $2, 'Ana Strength', $3)",
        )
        .bind(creator.0)
        .bind(slug)
        .bind(persona)
        .execute(tx.conn())
        .await
        .unwrap();
        tx.commit().await.unwrap();
        creator
    }

    /// `GET /prompts`.
    pub async fn list(&self, token: &str) -> Reply {
        self.call(Method::GET, "/prompts", token, None).await
    }

    /// `POST /prompts`.
    pub async fn create(&self, token: &str, name: &str, body: &str) -> Reply {
        let json = json!({"name": name, "body": body});
        self.call(Method::POST, "/prompts", token, Some(&json))
            .await
    }

    /// `POST /prompts/{name}/versions`.
    pub async fn add_version(&self, token: &str, name: &str, body: &str, activate: bool) -> Reply {
        let json = json!({"body": body, "activate": activate});
        let path = format!("/prompts/{name}/versions");
        self.call(Method::POST, &path, token, Some(&json)).await
    }

    /// `POST /prompts/{name}/versions/{version}/activate`.
    pub async fn activate(&self, token: &str, name: &str, version: &str) -> Reply {
        let path = format!("/prompts/{name}/versions/{version}/activate");
        self.call(Method::POST, &path, token, None).await
    }

    /// `POST /prompts/{name}/preview`.
    pub async fn preview(&self, token: &str, name: &str, body: Value) -> Reply {
        let path = format!("/prompts/{name}/preview");
        self.call(Method::POST, &path, token, Some(&body)).await
    }

    /// What the chat path gets for `question` with one passage, through the shared cache.
    pub async fn render(&self, creator: CreatorId, question: &str) -> RenderedPrompt {
        let chat = ChatContext {
            question: question.into(),
            passages: vec![Passage {
                title: "Hips".into(),
                location: "page 3".into(),
                text: "Ten slow circles.".into(),
            }],
            history: vec![],
        };
        let mut tx = self.tenant(creator).await;
        let prompt = render_chat_prompt(&mut tx, &self.cache, &chat)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        prompt
    }
}
