//! Injectable faults: what goes wrong, on which endpoint, and how many times.

use std::time::Duration;

/// An endpoint of the Ollama API the double serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `GET /api/version`
    Version,
    /// `GET /api/tags`
    Tags,
    /// `POST /api/show`
    Show,
    /// `POST /api/pull`
    Pull,
    /// `POST /api/chat`
    Chat,
    /// `POST /api/generate`
    Generate,
    /// `POST /api/embed`
    Embed,
    /// `DELETE /api/delete`
    Delete,
    /// Any other path (answered 404).
    Unknown,
}

impl Endpoint {
    /// The endpoint a request path names.
    pub fn from_path(path: &str) -> Self {
        match path {
            "/api/version" => Self::Version,
            "/api/tags" => Self::Tags,
            "/api/show" => Self::Show,
            "/api/pull" => Self::Pull,
            "/api/chat" => Self::Chat,
            "/api/generate" => Self::Generate,
            "/api/embed" => Self::Embed,
            "/api/delete" => Self::Delete,
            _ => Self::Unknown,
        }
    }
}

/// What goes wrong with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fault {
    /// Nothing: the request is answered normally.
    #[default]
    None,
    /// Answer `500` with `{"error": "..."}`, as Ollama does when the runner fails.
    Status500,
    /// Accept the request and never answer (the client's timeout has to fire).
    Hang,
    /// Close the connection (TCP reset) without any response.
    ResetConnection,
    /// Wait this long before the first byte, and this much more between streamed lines.
    Slow(Duration),
    /// Answer `200`, stream this many lines, then reset the connection mid-stream.
    /// Only streamed responses (chat, generate, pull) break; others are answered normally.
    ResetAfterLines(usize),
}

/// A fault, where it applies and how often.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    /// The fault to inject.
    pub fault: Fault,
    /// Only this endpoint; `None` means every endpoint.
    pub endpoint: Option<Endpoint>,
    /// Only the next `n` matching requests; `None` means until cleared.
    pub remaining: Option<u32>,
}

impl FaultRule {
    /// A fault on every endpoint until cleared.
    pub fn new(fault: Fault) -> Self {
        Self {
            fault,
            endpoint: None,
            remaining: None,
        }
    }

    /// The same rule, restricted to one endpoint.
    pub fn on(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = Some(endpoint);
        self
    }

    /// The same rule, for the next `n` matching requests only (then it is gone).
    pub fn times(mut self, n: u32) -> Self {
        self.remaining = Some(n);
        self
    }
}

/// The rules in force; an endpoint-specific rule wins over a global one, older over newer.
#[derive(Debug, Default)]
pub(crate) struct FaultTable {
    rules: Vec<FaultRule>,
}

impl FaultTable {
    pub(crate) fn push(&mut self, rule: FaultRule) {
        self.rules.push(rule);
    }

    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    /// The fault for one request to `endpoint`, consuming one use of a counted rule.
    pub(crate) fn take(&mut self, endpoint: Endpoint) -> Fault {
        let specific = self.rules.iter().position(|r| r.endpoint == Some(endpoint));
        let index = specific.or_else(|| self.rules.iter().position(|r| r.endpoint.is_none()));
        let Some(index) = index else {
            return Fault::None;
        };
        let fault = self.rules[index].fault;
        if let Some(remaining) = self.rules[index].remaining.as_mut() {
            *remaining = remaining.saturating_sub(1);
            if *remaining == 0 {
                self.rules.remove(index);
            }
        }
        fault
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_rule_wins_over_a_global_rule() {
        let mut table = FaultTable::default();
        table.push(FaultRule::new(Fault::Hang));
        table.push(FaultRule::new(Fault::Status500).on(Endpoint::Chat));
        assert_eq!(table.take(Endpoint::Chat), Fault::Status500);
        assert_eq!(table.take(Endpoint::Tags), Fault::Hang);
    }

    #[test]
    fn a_counted_rule_expires_after_its_uses() {
        let mut table = FaultTable::default();
        table.push(
            FaultRule::new(Fault::Status500)
                .on(Endpoint::Embed)
                .times(2),
        );
        assert_eq!(table.take(Endpoint::Embed), Fault::Status500);
        assert_eq!(table.take(Endpoint::Chat), Fault::None);
        assert_eq!(table.take(Endpoint::Embed), Fault::Status500);
        assert_eq!(table.take(Endpoint::Embed), Fault::None);
    }
}
