//! A W3C WebDriver client for the local chromedriver: plain HTTP and JSON over the workspace's
//! reqwest, covering only the commands the suite sends. Written here rather than taken from
//! fantoccini, whose `webdriver` crate brought second major versions of `http`, `cookie` and
//! the ICU crates into the lock file (one version of each dependency).

mod element;
mod error;
#[cfg(test)]
mod tests;

use std::time::Duration;

use base64::Engine;
use reqwest::Method;
use serde_json::{Value, json};

pub use element::{Element, Key};
pub use error::WebDriverError;

/// The key under which W3C WebDriver carries an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// The longest a single command may take; above chromedriver's own 30 s script timeout, so a
/// hung driver fails a test instead of stopping the run.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(90);

/// How commands reach one session: the HTTP client and the session's URL.
#[derive(Debug, Clone)]
struct Wire {
    http: reqwest::Client,
    session: String,
}

impl Wire {
    /// Sends `method` to `{session}/{path}` (`path` empty: the session itself) and returns the
    /// reply's `value`, or the W3C error it carries.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, WebDriverError> {
        let url = if path.is_empty() {
            self.session.clone()
        } else {
            format!("{}/{path}", self.session)
        };
        send(&self.http, method, url, body).await
    }
}

/// One request and its reply's `value`; POST always carries a JSON body (`{}` when the command
/// takes none), as the protocol requires.
async fn send(
    http: &reqwest::Client,
    method: Method,
    url: String,
    body: Option<Value>,
) -> Result<Value, WebDriverError> {
    let command = format!("{method} {url}");
    let mut request = http.request(method.clone(), &url);
    if method == Method::POST {
        request = request.json(&body.unwrap_or_else(|| json!({})));
    }
    let transport = |source| WebDriverError::Transport {
        command: command.clone(),
        source,
    };
    let response = request.send().await.map_err(transport)?;
    let status = response.status();
    let text = response.text().await.map_err(transport)?;
    let reply = |body: String| WebDriverError::Reply {
        command: command.clone(),
        status: status.as_u16(),
        body,
    };
    let mut parsed: Value =
        serde_json::from_str(&text).map_err(|err| reply(format!("not JSON ({err}): {text}")))?;
    let value = parsed.get_mut("value").map(Value::take);
    match (status.is_success(), value) {
        (true, Some(value)) => Ok(value),
        (false, Some(Value::Object(error))) if error.contains_key("error") => {
            let field = |key: &str| error.get(key).and_then(Value::as_str).unwrap_or_default();
            Err(WebDriverError::Command {
                command,
                error: field("error").to_owned(),
                message: field("message").to_owned(),
            })
        }
        _ => Err(reply(format!("no `value` or W3C error: {text}"))),
    }
}

/// A successful reply whose value is not what `command` returns.
fn unexpected(command: &str, wanted: &str, value: &Value) -> WebDriverError {
    let shown: String = value.to_string().chars().take(300).collect();
    WebDriverError::Reply {
        command: command.to_owned(),
        status: 200,
        body: format!("wanted {wanted}, got {shown}"),
    }
}

/// One WebDriver session: a browser the driver started for it.
#[derive(Debug, Clone)]
pub struct Session {
    wire: Wire,
}

impl Session {
    /// Asks the driver at `driver` (`http://127.0.0.1:port`) for a session matching
    /// `capabilities` (the W3C `alwaysMatch` object).
    pub async fn start(driver: &str, capabilities: Value) -> Result<Self, WebDriverError> {
        let http = reqwest::Client::builder()
            .timeout(COMMAND_TIMEOUT)
            .build()
            .map_err(|source| WebDriverError::Transport {
                command: "building the HTTP client".to_owned(),
                source,
            })?;
        let url = format!("{}/session", driver.trim_end_matches('/'));
        let body = json!({"capabilities": {"alwaysMatch": capabilities}});
        let created = send(&http, Method::POST, url.clone(), Some(body)).await?;
        let id = created["sessionId"]
            .as_str()
            .ok_or_else(|| unexpected(&format!("POST {url}"), "a sessionId", &created))?;
        let session = format!("{url}/{id}");
        Ok(Self {
            wire: Wire { http, session },
        })
    }

    /// Opens `url`; returns once the page has loaded.
    pub async fn goto(&self, url: &str) -> Result<(), WebDriverError> {
        self.wire
            .call(Method::POST, "url", Some(json!({"url": url})))
            .await?;
        Ok(())
    }

    /// The address of the current top-level page.
    pub async fn current_url(&self) -> Result<String, WebDriverError> {
        let value = self.wire.call(Method::GET, "url", None).await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// The first element matching the CSS selector `css`, now (no waiting).
    pub async fn find(&self, css: &str) -> Result<Element, WebDriverError> {
        let by = json!({"using": "css selector", "value": css});
        let found = self.wire.call(Method::POST, "element", Some(by)).await?;
        Element::from_reference(&self.wire, &found)
    }

    /// Every element matching the CSS selector `css`, in document order.
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>, WebDriverError> {
        let by = json!({"using": "css selector", "value": css});
        let found = self.wire.call(Method::POST, "elements", Some(by)).await?;
        let Value::Array(list) = found else {
            return Err(unexpected("POST elements", "a list of elements", &found));
        };
        list.iter()
            .map(|reference| Element::from_reference(&self.wire, reference))
            .collect()
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns what it returns.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value, WebDriverError> {
        let body = json!({"script": script, "args": args});
        self.wire
            .call(Method::POST, "execute/sync", Some(body))
            .await
    }

    /// Runs `script` asynchronously: it gets a callback as its last argument and the value it
    /// passes that callback is returned.
    pub async fn execute_async(
        &self,
        script: &str,
        args: Vec<Value>,
    ) -> Result<Value, WebDriverError> {
        let body = json!({"script": script, "args": args});
        self.wire
            .call(Method::POST, "execute/async", Some(body))
            .await
    }

    /// A PNG of the viewport.
    pub async fn screenshot(&self) -> Result<Vec<u8>, WebDriverError> {
        let value = self.wire.call(Method::GET, "screenshot", None).await?;
        value
            .as_str()
            .and_then(|encoded| {
                base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .ok()
            })
            .ok_or_else(|| unexpected("GET screenshot", "a base64 PNG", &value))
    }

    /// Sets the window's outer size in CSS pixels.
    pub async fn set_window_size(&self, width: u32, height: u32) -> Result<(), WebDriverError> {
        let rect = json!({"width": width, "height": height});
        self.wire
            .call(Method::POST, "window/rect", Some(rect))
            .await?;
        Ok(())
    }

    /// Makes the parent of the current frame the one commands act on.
    pub async fn enter_parent_frame(&self) -> Result<(), WebDriverError> {
        self.wire.call(Method::POST, "frame/parent", None).await?;
        Ok(())
    }

    /// Sends the DevTools protocol command `cmd` through chromedriver; its result.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Result<Value, WebDriverError> {
        let body = json!({"cmd": cmd, "params": params});
        self.wire
            .call(Method::POST, "goog/cdp/execute", Some(body))
            .await
    }

    /// Ends the session; the driver closes its browser.
    pub async fn close(self) -> Result<(), WebDriverError> {
        self.wire.call(Method::DELETE, "", None).await?;
        Ok(())
    }
}
