//! Authentication happens before the upgrade, through the gateway: wrong, expired or missing
//! credentials and used tickets are refused with 401 problem+json; a ticket opens one
//! connection; an API key works like a token; browsers of other origins get 403.

use serde_json::Value;
use uuid::Uuid;

use crate::support::dial::{Credential, Dial, Refusal};
use crate::support::events::{assert_new_answer, ends_answer, message};
use crate::support::stack::{Shape, Stack};

async fn edge() -> Stack {
    Stack::start(Shape {
        replicas: 1,
        gateway: true,
    })
    .await
}

fn assert_problem(refusal: &Refusal, status: u16, what: &str) {
    assert_eq!(refusal.status, status, "{what}: {refusal:?}");
    assert!(
        refusal.content_type.starts_with("application/problem+json"),
        "{what}: {refusal:?}"
    );
    assert_eq!(refusal.body["status"], status, "{what}: {refusal:?}");
}

/// Asks for a ticket through the gateway with `token`: the status and body.
async fn ticket(stack: &Stack, token: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("http://{}/api/v1/channels/ws-ticket", stack.edge()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_tampered_expired_or_missing_credentials_are_refused_at_the_handshake_with_401() {
    let stack = edge().await;
    let user = stack.client(stack.creator().await).await;
    let tampered = format!("{}AAAA", &user.token[..user.token.len() - 4]);
    let expired = stack.engine.expired_token(&user, 3600);
    let prefix = Uuid::new_v4().simple().to_string()[..12].to_owned();
    let unknown_key = format!("cak_{prefix}_{}", Uuid::new_v4().simple());
    let cases = [
        (
            "a string that is no token",
            Credential::Bearer("not-a-token".into()),
        ),
        (
            "a token with a forged signature",
            Credential::Bearer(tampered),
        ),
        (
            "a token that expired an hour ago",
            Credential::Bearer(expired),
        ),
        ("an unknown API key", Credential::Bearer(unknown_key)),
        (
            "a ticket never issued",
            Credential::Ticket(Uuid::new_v4().simple().to_string()),
        ),
        ("no credential", Credential::Nothing),
    ];

    for (what, credential) in cases {
        let refusal = Dial::new(stack.edge(), credential).refused().await;
        assert_problem(&refusal, 401, what);
    }
    let mut good = Dial::new(stack.edge(), Credential::Bearer(user.token))
        .connect()
        .await;
    assert_eq!(good.pong().await, Vec::<Value>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_opens_one_connection_and_is_refused_with_401_when_used_again() {
    let stack = edge().await;
    let user = stack.client(stack.creator().await).await;
    let (status, body) = ticket(&stack, &user.token).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["expires_in"], 60, "{body}");
    let issued = body["ticket"].as_str().unwrap().to_owned();
    assert_eq!(ticket(&stack, "not-a-token").await.0, 401);

    let mut first = Dial::new(stack.edge(), Credential::Ticket(issued.clone()))
        .connect()
        .await;
    let again = Dial::new(stack.edge(), Credential::Ticket(issued))
        .refused()
        .await;

    assert_problem(&again, 401, "a ticket used twice");
    assert_eq!(first.protocol, None);
    let id = Uuid::new_v4();
    first
        .send(&message(id, None, "Is a ticket enough to chat?"))
        .await;
    assert_new_answer(&first.until(ends_answer).await, id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_key_with_the_chat_scope_in_the_subprotocol_connects_and_gets_answers() {
    let stack = edge().await;
    let creator = stack.creator().await;
    let key = stack.engine.api_key(creator, &["chat"]).await;
    let mut client = Dial::new(stack.edge(), Credential::Bearer(key))
        .connect()
        .await;
    let id = Uuid::new_v4();

    client
        .send(&message(id, None, "Can my site widget chat?"))
        .await;

    assert_eq!(client.protocol.as_deref(), Some("bearer"));
    assert_new_answer(&client.until(ends_answer).await, id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_of_an_origin_neither_the_sites_nor_the_creators_is_refused_with_403() {
    let stack = edge().await;
    let creator = stack.creator().await;
    stack
        .allow_origins(creator, &["https://coach.example.com"])
        .await;
    let user = stack.client(creator).await;
    let dial = |origin: &str| {
        Dial::new(stack.edge(), Credential::Bearer(user.token.clone())).origin(origin)
    };

    let refusal = dial("https://evil.example.net").refused().await;

    assert_problem(&refusal, 403, "a foreign origin");
    let mut allowed = dial("https://coach.example.com").connect().await;
    assert_eq!(allowed.pong().await, Vec::<Value>::new());
    let mut own = dial(&stack.gateway.as_ref().unwrap().origin())
        .connect()
        .await;
    assert_eq!(own.pong().await, Vec::<Value>::new());
    let other = stack.client(stack.creator().await).await;
    let refusal = Dial::new(stack.edge(), Credential::Bearer(other.token))
        .origin("https://coach.example.com")
        .refused()
        .await;
    assert_problem(&refusal, 403, "another creator's allowed origin");
}
