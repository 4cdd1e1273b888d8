//! The creator profile as clients read and change it (`GET|PATCH /api/v1/creators/{id}`).

use garde::Validate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::origin::origins;
use super::text::{color, model_name, no_control, url};

/// How the chat page and widget look.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Branding {
    /// Accent colour, `#rrggbb`.
    #[garde(inner(custom(color)))]
    #[schema(example = "#0f766e")]
    pub primary_color: Option<String>,
    /// An `https` (or `http`) image URL of at most 2,048 characters.
    #[garde(inner(length(max = 2048), custom(url)))]
    pub avatar_url: Option<String>,
}

/// Who the AI coach is and what it must not do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    /// The coach's name in the chat.
    #[garde(inner(length(chars, max = 100), custom(no_control)))]
    pub coach_name: Option<String>,
    /// How it speaks, e.g. "warm, direct, no jargon".
    #[garde(inner(length(chars, max = 200), custom(no_control)))]
    pub tone: Option<String>,
    /// Topics the AI declines.
    #[serde(default)]
    #[garde(
        length(max = 50),
        inner(length(chars, min = 1, max = 100), custom(no_control))
    )]
    pub avoid_topics: Vec<String>,
    /// Topics the AI hands over to the human coach.
    #[serde(default)]
    #[garde(
        length(max = 50),
        inner(length(chars, min = 1, max = 100), custom(no_control))
    )]
    pub escalation_topics: Vec<String>,
    /// Shown under every conversation.
    #[garde(inner(length(chars, max = 1000)))]
    pub disclaimer: Option<String>,
}

/// Limits set by the platform operator (read-only here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Quotas {
    /// Chat requests per minute.
    pub requests_per_minute: i64,
    /// Stored content, in bytes.
    pub storage_bytes: i64,
    /// Content items.
    pub documents: i64,
}

/// What the creator uses of the quotas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Usage {
    /// Stored content, in bytes.
    pub storage_bytes: i64,
    /// Content items.
    pub documents: i64,
}

/// A creator's profile and settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "0195f3a0-1b2c-7d3e-8f40-5a6b7c8d9e0f", "slug": "ana-strength",
    "display_name": "Ana Strength", "bio": "Kettlebells and mobility for busy people.",
    "branding": {"primary_color": "#0f766e", "avatar_url": "https://cdn.example.com/ana.png"},
    "persona": {"coach_name": "Ana", "tone": "warm, direct", "avoid_topics": ["medication"],
        "escalation_topics": ["chest pain"], "disclaimer": "Not medical advice."},
    "chat_model": "llama2:7b-chat", "embedding_model": "nomic-embed-text",
    "allowed_origins": ["https://ana.example.com"],
    "quotas": {"requests_per_minute": 60, "storage_bytes": 104857600, "documents": 200},
    "usage": {"storage_bytes": 8412, "documents": 1}}))]
pub struct Profile {
    /// The creator id.
    pub id: Uuid,
    /// Public handle, used in chat page URLs.
    pub slug: String,
    /// Shown to clients.
    pub display_name: String,
    /// A few words about the coach.
    pub bio: String,
    /// Look of the chat page.
    pub branding: Branding,
    /// The AI coach's persona.
    pub persona: Persona,
    /// The Ollama model that answers.
    pub chat_model: String,
    /// The Ollama model that embeds content.
    pub embedding_model: String,
    /// Origins (`scheme://host[:port]`) allowed to embed the chat widget.
    pub allowed_origins: Vec<String>,
    /// Limits.
    pub quotas: Quotas,
    /// Current use.
    pub usage: Usage,
}

/// `PATCH /api/v1/creators/{id}`: the fields present replace the stored ones (`branding` and
/// `persona` as a whole); `quotas`, `usage`, `id` and `slug` cannot be changed here.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "Ana Strength",
    "allowed_origins": ["https://ana.example.com"],
    "persona": {"coach_name": "Ana", "tone": "warm, direct", "avoid_topics": ["medication"],
        "escalation_topics": ["chest pain"], "disclaimer": "Not medical advice."}}))]
pub struct ProfilePatch {
    /// Shown to clients, 1–200 characters.
    #[garde(inner(length(chars, min = 1, max = 200), custom(no_control)))]
    pub display_name: Option<String>,
    /// At most 2,000 characters.
    #[garde(inner(length(chars, max = 2000)))]
    pub bio: Option<String>,
    /// Replaces the branding.
    #[garde(dive)]
    pub branding: Option<Branding>,
    /// Replaces the persona.
    #[garde(dive)]
    pub persona: Option<Persona>,
    /// An Ollama model name such as `llama3.2:3b`.
    #[garde(inner(custom(model_name)))]
    pub chat_model: Option<String>,
    /// An Ollama embedding model name.
    #[garde(inner(custom(model_name)))]
    pub embedding_model: Option<String>,
    /// At most 20 origins, `scheme://host[:port]`; stored normalised.
    #[garde(inner(custom(origins)))]
    pub allowed_origins: Option<Vec<String>>,
}
