//! One delivery attempt over HTTP: Telegram's `sendMessage`, or a signed POST to a webhook's
//! URL carrying `Idempotency-Key: <delivery id>` so a receiver that already took it (and whose
//! answer was lost) can recognise the retry. Any 2xx is an acknowledgement.

use serde_json::{Value, json};

use super::Messaging;
use super::outbox::Claimed;
use super::signing::{SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};
use super::store::Opened;

/// Sends `claimed` through `integration`; `Err` says why it did not arrive.
pub async fn attempt(
    messaging: &Messaging,
    integration: &Opened,
    claimed: &Claimed,
) -> Result<(), String> {
    let request = match (
        integration.kind.as_str(),
        &integration.bot_token,
        &integration.url,
    ) {
        ("telegram", Some(token), _) => telegram(messaging, token, claimed),
        ("webhook", _, Some(url)) => webhook(messaging, url, &integration.inbound_secret, claimed),
        _ => return Err("the integration has no destination".into()),
    };
    let response = request
        .send()
        .await
        .map_err(|e| format!("the destination did not answer: {}", without_url(&e)))?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("the destination answered {status}"))
    }
}

fn telegram(messaging: &Messaging, token: &str, claimed: &Claimed) -> reqwest::RequestBuilder {
    let base = messaging.settings.telegram_api_url.trim_end_matches('/');
    let chat_id = claimed
        .external_chat
        .parse::<i64>()
        .map_or_else(|_| Value::from(claimed.external_chat.clone()), Value::from);
    messaging
        .http
        .post(format!("{base}/bot{token}/sendMessage"))
        .json(&json!({"chat_id": chat_id, "text": claimed.body}))
}

fn webhook(
    messaging: &Messaging,
    url: &str,
    secret: &str,
    claimed: &Claimed,
) -> reqwest::RequestBuilder {
    let body = json!({
        "id": claimed.id,
        "conversation": claimed.external_chat,
        "text": claimed.body,
    })
    .to_string();
    let timestamp = chrono::Utc::now().timestamp();
    messaging
        .http
        .post(url)
        .header("content-type", "application/json")
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(SIGNATURE_HEADER, sign(secret, timestamp, body.as_bytes()))
        .header("idempotency-key", claimed.id.to_string())
        .body(body)
}

/// The error without its URL: a Telegram URL holds the bot token, which must not reach the
/// delivery's `last_error` or the logs.
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    kind.to_owned()
}
