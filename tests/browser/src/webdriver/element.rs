//! An element of the page a [`Session`](super::Session) found, and what the suite does with
//! it: click, type, read its text, property, attribute and rectangle, enter it as a frame.

use reqwest::Method;
use serde_json::{Value, json};

use super::{ELEMENT_KEY, WebDriverError, Wire, unexpected};

/// A key without a character of its own, typed through [`Element::send_keys`] as the
/// protocol's code point for it (`char::from(Key::Enter)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// Return / Enter.
    Enter,
}

impl From<Key> for char {
    fn from(key: Key) -> Self {
        match key {
            Key::Enter => '\u{E007}',
        }
    }
}

/// One element of the current page, as the driver knows it (its reference goes stale when the
/// page removes it).
#[derive(Debug, Clone)]
pub struct Element {
    wire: Wire,
    id: String,
}

impl Element {
    /// The element a W3C element reference (`{"element-6066-…": id}`) names.
    pub(super) fn from_reference(wire: &Wire, reference: &Value) -> Result<Self, WebDriverError> {
        let id = reference[ELEMENT_KEY]
            .as_str()
            .ok_or_else(|| unexpected("finding an element", "an element reference", reference))?;
        Ok(Self {
            wire: wire.clone(),
            id: id.to_owned(),
        })
    }

    /// The element as a W3C element reference, for commands and script arguments.
    pub fn reference(&self) -> Value {
        json!({ ELEMENT_KEY: self.id })
    }

    async fn call(
        &self,
        method: Method,
        verb: &str,
        body: Option<Value>,
    ) -> Result<Value, WebDriverError> {
        let path = format!("element/{}/{verb}", self.id);
        self.wire.call(method, &path, body).await
    }

    /// Clicks the element's centre, as a user would (fails if something else covers it).
    pub async fn click(&self) -> Result<(), WebDriverError> {
        self.call(Method::POST, "click", None).await?;
        Ok(())
    }

    /// Empties an editable element.
    pub async fn clear(&self) -> Result<(), WebDriverError> {
        self.call(Method::POST, "clear", None).await?;
        Ok(())
    }

    /// Types `text` into the element (a file input takes a path); [`Key`]s as their chars.
    pub async fn send_keys(&self, text: &str) -> Result<(), WebDriverError> {
        let body = json!({"text": text});
        self.call(Method::POST, "value", Some(body)).await?;
        Ok(())
    }

    /// The element's rendered text, as a user reads it.
    pub async fn text(&self) -> Result<String, WebDriverError> {
        let value = self.call(Method::GET, "text", None).await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// Whether the element is displayed.
    pub async fn is_displayed(&self) -> Result<bool, WebDriverError> {
        let value = self.call(Method::GET, "displayed", None).await?;
        Ok(value.as_bool().unwrap_or(false))
    }

    /// The DOM property `name` (`value` of a field): `None` when undefined or null, numbers
    /// and booleans as their JSON text.
    pub async fn prop(&self, name: &str) -> Result<Option<String>, WebDriverError> {
        let value = self
            .call(Method::GET, &format!("property/{name}"), None)
            .await?;
        Ok(as_text(value))
    }

    /// The HTML attribute `name` as written in the markup; `None` when absent.
    pub async fn attr(&self, name: &str) -> Result<Option<String>, WebDriverError> {
        let value = self
            .call(Method::GET, &format!("attribute/{name}"), None)
            .await?;
        Ok(as_text(value))
    }

    /// `(x, y, width, height)` of the element's box in CSS pixels, from the page's top left.
    pub async fn rectangle(&self) -> Result<(f64, f64, f64, f64), WebDriverError> {
        let rect = self.call(Method::GET, "rect", None).await?;
        let field = |key: &str| rect[key].as_f64();
        match (field("x"), field("y"), field("width"), field("height")) {
            (Some(x), Some(y), Some(width), Some(height)) => Ok((x, y, width, height)),
            _ => Err(unexpected("GET rect", "x, y, width and height", &rect)),
        }
    }

    /// Makes this element (an `iframe`) the frame later commands act on.
    pub async fn enter_frame(&self) -> Result<(), WebDriverError> {
        let body = json!({"id": self.reference()});
        self.wire.call(Method::POST, "frame", Some(body)).await?;
        Ok(())
    }
}

fn as_text(value: Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text),
        other => Some(other.to_string()),
    }
}
