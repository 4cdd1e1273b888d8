//! The coach's side: the Channel's handoff routes over HTTP, and a stack with one creator, a
//! client and a coach.

use axum::http::Method;
use coachai_common::auth::Role;
use coachai_common::tenancy::CreatorId;
use serde_json::Value;
use uuid::Uuid;

use crate::harness::User;
use crate::support::client::Client;
use crate::support::dial::{Credential, Dial};
use crate::support::events::{ends_answer, message};
use crate::support::stack::{Shape, Stack};

/// A status and the JSON body (`Null` when there is none).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub content_type: String,
}

/// One Channel process, a creator, their client and a coach.
pub struct Scene {
    pub stack: Stack,
    pub creator: CreatorId,
    pub client: User,
    pub coach: User,
}

impl Scene {
    pub async fn start() -> Self {
        let stack = Stack::start(Shape {
            replicas: 1,
            gateway: false,
        })
        .await;
        let creator = stack.creator().await;
        let client = stack.client(creator).await;
        let coach = stack.engine.user(creator, Role::Coach).await;
        Self {
            stack,
            creator,
            client,
            coach,
        }
    }

    /// A WebSocket connection of `user`.
    pub async fn connect(&self, user: &User) -> Client {
        Dial::new(
            self.stack.replica(0),
            Credential::Bearer(user.token.clone()),
        )
        .connect()
        .await
    }

    /// Sends `text` on `ws` in `conversation` (a new one when `None`) and reads until the answer
    /// ends or `stop` accepts an event.
    pub async fn say(
        &self,
        ws: &mut Client,
        conversation: Option<&str>,
        text: &str,
        stop: impl Fn(&Value) -> bool,
    ) -> Vec<Value> {
        ws.send(&message(Uuid::new_v4(), conversation, text)).await;
        ws.until(|e| ends_answer(e) || stop(e)).await
    }

    /// Calls the Channel's `/api/v1/channels{path}` as `token`.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Answer {
        let url = format!("http://{}/api/v1/channels{path}", self.stack.replica(0));
        let http = reqwest::Client::new();
        let mut request = http
            .request(
                reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap(),
                url,
            )
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body = response.json().await.unwrap_or(Value::Null);
        Answer {
            status,
            body,
            content_type,
        }
    }

    /// `POST /conversations/{id}/handoff {state}` as `user`.
    pub async fn hand(&self, user: &User, conversation: &str, state: &str) -> Answer {
        let path = format!("/conversations/{conversation}/handoff");
        let body = serde_json::json!({ "state": state });
        self.call(Method::POST, &path, &user.token, Some(body))
            .await
    }

    /// `POST /conversations/{id}/messages {text}` as `user`.
    pub async fn reply(&self, user: &User, conversation: &str, text: &str) -> Answer {
        let path = format!("/conversations/{conversation}/messages");
        let body = serde_json::json!({ "text": text });
        self.call(Method::POST, &path, &user.token, Some(body))
            .await
    }

    /// The ids of `GET /conversations{query}` as `user` (which must succeed).
    pub async fn listed(&self, user: &User, query: &str) -> Vec<Value> {
        let answer = self
            .call(
                Method::GET,
                &format!("/conversations{query}"),
                &user.token,
                None,
            )
            .await;
        assert_eq!(answer.status, 200, "{answer:?}");
        answer.body["items"].as_array().unwrap().clone()
    }
}

/// The `id`s of listed conversations.
pub fn ids(items: &[Value]) -> Vec<&str> {
    items.iter().map(|c| c["id"].as_str().unwrap()).collect()
}
