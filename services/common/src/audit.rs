//! The audit log: one append-only row per state change, written inside the tenant transaction
//! that makes the change, so the change and its record commit or roll back together.

use std::net::IpAddr;

use serde_json::Value;
use uuid::Uuid;

use crate::error::AppError;
use crate::tenancy::TenantTx;

/// Who made a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in user.
    User(Uuid),
    /// An API key, acting for the user who created it.
    ApiKey {
        /// The user who created the key.
        user: Uuid,
    },
    /// The platform itself (provisioning, operator, background jobs).
    System,
    /// Nobody authenticated yet (a failed login, an invitation being accepted).
    Anonymous,
}

impl Actor {
    fn kind(self) -> &'static str {
        match self {
            Self::User(_) => "user",
            Self::ApiKey { .. } => "api_key",
            Self::System => "system",
            Self::Anonymous => "anonymous",
        }
    }

    fn user(self) -> Option<Uuid> {
        match self {
            Self::User(user) | Self::ApiKey { user } => Some(user),
            Self::System | Self::Anonymous => None,
        }
    }
}

/// Where a request came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The client's address (from the trusted gateway's `X-Forwarded-For`, or the socket).
    pub ip: Option<IpAddr>,
    /// The `User-Agent` header, truncated.
    pub user_agent: Option<String>,
    /// The request id (`x-request-id`).
    pub request_id: Option<String>,
}

/// One audit record: who did what to which object, from where.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    /// Who acted.
    pub actor: Actor,
    /// What happened, dotted (`auth.login`, `users.deactivate`).
    pub action: &'static str,
    /// The kind of object changed (`user`, `api_key`), if any.
    pub target_type: Option<&'static str>,
    /// The id of the object changed, if any.
    pub target_id: Option<String>,
    /// Where the request came from.
    pub origin: &'a Origin,
    /// Extra facts; never secrets.
    pub details: Value,
}

impl<'a> AuditEntry<'a> {
    /// An entry with no target and no details.
    pub fn new(actor: Actor, action: &'static str, origin: &'a Origin) -> Self {
        Self {
            actor,
            action,
            target_type: None,
            target_id: None,
            origin,
            details: Value::Object(serde_json::Map::new()),
        }
    }

    /// Names the object the action changed.
    pub fn target(mut self, kind: &'static str, id: impl ToString) -> Self {
        self.target_type = Some(kind);
        self.target_id = Some(id.to_string());
        self
    }

    /// Attaches extra facts.
    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// Appends the entry to the tenant's audit log within `tx`.
    pub async fn record(self, tx: &mut TenantTx) -> Result<(), AppError> {
        let creator = tx.creator().0;
        sqlx::query(
            "INSERT INTO audit_log (creator_id, actor_user_id, actor_kind, action, target_type,
                                    target_id, ip, user_agent, request_id, details)
             VALUES ($1, $2, $3, $4, $5, $6, $7::inet, $8, $9, $10)",
        )
        .bind(creator)
        .bind(self.actor.user())
        .bind(self.actor.kind())
        .bind(self.action)
        .bind(self.target_type)
        .bind(self.target_id)
        .bind(self.origin.ip.map(|ip| ip.to_string()))
        .bind(self.origin.user_agent.as_deref())
        .bind(self.origin.request_id.as_deref())
        .bind(self.details)
        .execute(tx.conn())
        .await?;
        Ok(())
    }
}
