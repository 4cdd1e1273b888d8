//! Users of a tenant as their managers see them.

use chrono::{DateTime, Utc};
use coachai_common::auth::Role;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// One user.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct UserView {
    /// The user's id.
    pub id: Uuid,
    /// Email address.
    pub email: String,
    /// Role in the tenant.
    #[sqlx(try_from = "String")]
    pub role: RoleName,
    /// `active` or `deactivated`.
    pub status: String,
    /// Optional display name.
    pub display_name: Option<String>,
    /// When the user was created.
    pub created_at: DateTime<Utc>,
}

/// A role read from the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct RoleName(pub Role);

impl TryFrom<String> for RoleName {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        parse_role(&value)
            .map(Self)
            .ok_or_else(|| format!("unknown role {value}"))
    }
}

/// Parses a role as stored in the database.
pub fn parse_role(value: &str) -> Option<Role> {
    match value {
        "owner" => Some(Role::Owner),
        "admin" => Some(Role::Admin),
        "coach" => Some(Role::Coach),
        "client" => Some(Role::Client),
        _ => None,
    }
}

/// `GET /users`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UserList {
    /// Users, oldest first.
    pub users: Vec<UserView>,
}

/// Paging of lists.
#[derive(Debug, Clone, Deserialize, IntoParams)]
pub struct Page {
    /// At most this many items (1–200, default 50).
    pub limit: Option<i64>,
    /// Skip this many items.
    pub offset: Option<i64>,
}

impl Page {
    /// The limit, clamped.
    pub fn limit(&self) -> i64 {
        self.limit.unwrap_or(50).clamp(1, 200)
    }
    /// The offset, never negative.
    pub fn offset(&self) -> i64 {
        self.offset.unwrap_or(0).max(0)
    }
}
