//! Invitations of new users into a tenant.

use chrono::{DateTime, Utc};
use coachai_common::auth::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::no_control;

/// The roles an invitation may grant (never `owner`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum InviteRole {
    /// Manages content, clients and settings (only an owner may invite one).
    Admin,
    /// Works with clients and content.
    Coach,
    /// A coachee.
    #[default]
    Client,
}

impl InviteRole {
    /// The role it grants.
    pub fn role(self) -> Role {
        match self {
            Self::Admin => Role::Admin,
            Self::Coach => Role::Coach,
            Self::Client => Role::Client,
        }
    }
}

/// `POST /invitations`.
#[derive(Debug, Clone, Deserialize, garde::Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    /// Who is invited.
    #[garde(email, length(max = 254), custom(no_control))]
    pub email: String,
    /// The role granted on acceptance (default `client`).
    #[serde(default)]
    #[garde(skip)]
    pub role: InviteRole,
}

/// A new invitation; the token is shown only here.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InvitationCreated {
    /// The invitation's id.
    pub id: Uuid,
    /// Who is invited.
    pub email: String,
    /// The role granted.
    pub role: InviteRole,
    /// Single-use secret to pass to `/invitations/accept`; not retrievable later.
    pub token: String,
    /// When the invitation lapses.
    pub expires_at: DateTime<Utc>,
}

/// `POST /invitations/accept`.
#[derive(Debug, Clone, Deserialize, garde::Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    /// The invitation token.
    #[garde(length(min = 1, max = 1024))]
    pub token: String,
    /// The new user's password (at least 12 characters, not a common one).
    #[garde(length(chars, max = 1024))]
    pub password: String,
    /// Optional display name.
    #[garde(inner(length(chars, min = 1, max = 200), custom(no_control)))]
    pub display_name: Option<String>,
}
