//! The client against a fake chromedriver on a free port: the requests it sends (method, path,
//! JSON body) are the W3C ones, replies come back as values, and W3C errors, non-JSON replies
//! and an absent driver become errors naming the command.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::{Key, Session, WebDriverError};

/// The W3C element identifier, spelt out here so a typo in the client's copy fails a test.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

const PNG: &[u8] = b"\x89PNG\r\n\x1a\nfake";

type Request = (String, String, Value);

#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<Request>>>);

impl Seen {
    fn requests(&self) -> Vec<Request> {
        self.0.lock().unwrap().clone()
    }

    fn last(&self) -> Request {
        self.requests().pop().expect("a request reached the driver")
    }
}

/// What the fake driver answers: a few canned values, the script arguments echoed back, a W3C
/// error for `#missing`, an HTML page for one property, `null` for the rest.
fn reply(method: &str, path: &str, body: &Value) -> (u16, String) {
    let value = match (method, path) {
        ("POST", "/session") => json!({"sessionId": "s1", "capabilities": {}}),
        ("POST", "/session/s1/element") if body["value"] == "#missing" => {
            let error = json!({"error": "no such element", "message": "Unable to locate element"});
            return (404, json!({ "value": error }).to_string());
        }
        ("POST", "/session/s1/element") => json!({ ELEMENT_KEY: "e1" }),
        ("POST", "/session/s1/elements") => json!([{ ELEMENT_KEY: "e1" }, { ELEMENT_KEY: "e2" }]),
        ("GET", "/session/s1/url") => json!("http://page.test/"),
        ("GET", "/session/s1/element/e1/text") => json!("first"),
        ("GET", "/session/s1/element/e2/text") => json!("second"),
        ("GET", "/session/s1/element/e1/property/value") => json!("typed"),
        ("GET", "/session/s1/element/e1/property/tabIndex") => json!(0),
        ("GET", "/session/s1/element/e2/property/value") => {
            return (502, "<html>bad gateway</html>".to_owned());
        }
        ("GET", "/session/s1/element/e1/displayed") => json!(true),
        ("GET", "/session/s1/element/e1/rect") => {
            json!({"x": 1.5, "y": 2, "width": 30, "height": 40})
        }
        ("GET", "/session/s1/screenshot") => json!(STANDARD.encode(PNG)),
        ("POST", "/session/s1/execute/sync" | "/session/s1/execute/async") => body["args"].clone(),
        _ => Value::Null,
    };
    (200, json!({ "value": value }).to_string())
}

async fn driver(
    State(seen): State<Seen>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> (StatusCode, String) {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let (status, text) = reply(method.as_str(), uri.path(), &body);
    let request = (method.to_string(), uri.path().to_owned(), body);
    seen.0.lock().unwrap().push(request);
    (StatusCode::from_u16(status).unwrap(), text)
}

/// The fake driver's URL and what it has been sent.
async fn fake_driver() -> (String, Seen) {
    let seen = Seen::default();
    let app = Router::new().fallback(driver).with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

async fn session() -> (Session, Seen) {
    let (url, seen) = fake_driver().await;
    let caps = json!({"browserName": "chrome"});
    (Session::start(&url, caps).await.unwrap(), seen)
}

fn request(method: &str, path: &str, body: Value) -> Request {
    (method.to_owned(), path.to_owned(), body)
}

#[tokio::test]
async fn a_new_session_asks_for_chrome_options_and_later_commands_use_its_id() {
    let (url, seen) = fake_driver().await;
    let chrome = json!({"binary": "/usr/bin/chromium", "args": ["--headless=new"]});
    let caps = json!({"browserName": "chrome", "goog:chromeOptions": chrome});
    let session = Session::start(&format!("{url}/"), caps.clone())
        .await
        .unwrap();
    session.goto("http://page.test/").await.unwrap();
    let current = session.current_url().await.unwrap();

    assert_eq!(current, "http://page.test/");
    let always = json!({"capabilities": {"alwaysMatch": caps}});
    let navigate = json!({"url": "http://page.test/"});
    assert_eq!(
        seen.requests(),
        [
            request("POST", "/session", always),
            request("POST", "/session/s1/url", navigate),
            request("GET", "/session/s1/url", Value::Null),
        ]
    );
}

#[tokio::test]
async fn a_w3c_error_reply_is_an_error_with_its_code_and_message() {
    let (session, _) = session().await;
    let err = session.find("#missing").await.unwrap_err();

    assert_eq!(err.code(), Some("no such element"));
    assert!(err.is_missing_element());
    let said = err.to_string();
    assert!(
        said.contains("POST ") && said.contains("/session/s1/element"),
        "{said}"
    );
    assert!(said.contains("Unable to locate element"), "{said}");
}

#[tokio::test]
async fn elements_are_found_by_css_and_read_in_document_order() {
    let (session, seen) = session().await;
    let mut texts = Vec::new();
    for element in session.find_all(".item").await.unwrap() {
        texts.push(element.text().await.unwrap());
    }

    assert_eq!(texts, ["first", "second"]);
    let by = json!({"using": "css selector", "value": ".item"});
    assert_eq!(
        seen.requests()[1],
        request("POST", "/session/s1/elements", by)
    );
}

#[tokio::test]
async fn element_commands_send_what_chromedriver_expects_and_read_its_values() {
    let (session, seen) = session().await;
    let field = session.find("#message").await.unwrap();
    field.click().await.unwrap();
    field.clear().await.unwrap();
    let typed = format!("hello{}", char::from(Key::Enter));
    field.send_keys(&typed).await.unwrap();

    assert_eq!(field.prop("value").await.unwrap().as_deref(), Some("typed"));
    assert_eq!(field.prop("tabIndex").await.unwrap().as_deref(), Some("0"));
    assert_eq!(field.attr("title").await.unwrap(), None);
    assert!(field.is_displayed().await.unwrap());
    assert_eq!(field.rectangle().await.unwrap(), (1.5, 2.0, 30.0, 40.0));
    let sent = &seen.requests()[2..5];
    assert_eq!(
        sent,
        [
            request("POST", "/session/s1/element/e1/click", json!({})),
            request("POST", "/session/s1/element/e1/clear", json!({})),
            request(
                "POST",
                "/session/s1/element/e1/value",
                json!({"text": "hello\u{E007}"})
            ),
        ]
    );
}

#[tokio::test]
async fn scripts_get_their_arguments_and_return_their_value() {
    let (session, seen) = session().await;
    let sync = session
        .execute("return arguments[0];", vec![json!(7)])
        .await
        .unwrap();
    let args = vec![json!("ws://x"), json!({"a": 1})];
    let later = session
        .execute_async("done(1)", args.clone())
        .await
        .unwrap();

    assert_eq!(sync, json!([7]));
    assert_eq!(later, Value::Array(args.clone()));
    let body = json!({"script": "done(1)", "args": args});
    assert_eq!(
        seen.last(),
        request("POST", "/session/s1/execute/async", body)
    );
}

#[tokio::test]
async fn a_screenshot_is_the_png_the_driver_sent_in_base64() {
    let (session, _) = session().await;

    assert_eq!(session.screenshot().await.unwrap(), PNG);
}

#[tokio::test]
async fn window_frames_devtools_and_closing_reach_their_endpoints() {
    let (session, seen) = session().await;
    session.set_window_size(390, 844).await.unwrap();
    let frame = session.find("iframe").await.unwrap();
    frame.enter_frame().await.unwrap();
    session.enter_parent_frame().await.unwrap();
    let media = json!({"features": [{"name": "prefers-color-scheme", "value": "dark"}]});
    session
        .cdp("Emulation.setEmulatedMedia", media.clone())
        .await
        .unwrap();
    session.close().await.unwrap();

    let cdp = json!({"cmd": "Emulation.setEmulatedMedia", "params": media});
    let frame = json!({"id": { ELEMENT_KEY: "e1" }});
    let requests = seen.requests();
    assert_eq!(
        [
            &requests[1],
            &requests[3],
            &requests[4],
            &requests[5],
            &requests[6]
        ],
        [
            &request(
                "POST",
                "/session/s1/window/rect",
                json!({"width": 390, "height": 844})
            ),
            &request("POST", "/session/s1/frame", frame),
            &request("POST", "/session/s1/frame/parent", json!({})),
            &request("POST", "/session/s1/goog/cdp/execute", cdp),
            &request("DELETE", "/session/s1", Value::Null),
        ]
    );
}

#[tokio::test]
async fn a_reply_that_is_not_json_is_an_error_with_its_status_and_body() {
    let (session, _) = session().await;
    let second = session.find_all(".item").await.unwrap().remove(1);
    let err = second.prop("value").await.unwrap_err();

    assert!(
        matches!(&err, WebDriverError::Reply { status: 502, body, .. } if body.contains("bad gateway")),
        "{err}"
    );
    assert_eq!(err.code(), None);
}

#[tokio::test]
async fn no_driver_listening_is_a_transport_error_naming_the_address() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let err = Session::start(&url, json!({})).await.unwrap_err();

    assert!(matches!(err, WebDriverError::Transport { .. }), "{err}");
    assert!(
        std::error::Error::source(&err).is_some(),
        "reqwest's reason is kept"
    );
    assert!(
        err.to_string().contains(&format!("POST {url}/session")),
        "{err}"
    );
}
