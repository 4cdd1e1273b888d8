//! `GET /public/creators/{slug}`: the little a chat page shows about a creator before anyone
//! signs in (name, coach name, disclaimer, colour, avatar), and the origins allowed to embed
//! the chat. Found by slug through the pre-auth function `app_creator_by_slug`, then read in
//! that creator's tenant transaction and cached for [`PAGE_TTL`].

use std::time::Duration;

use axum::extract::{Path, State};
use coachai_common::AppError;
use coachai_common::error::Problem;
use coachai_common::json::ApiJson;
use coachai_common::state::CoreState;
use coachai_common::tenancy::CreatorId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// How long a creator's public fields and allowed origins are cached (a change made in the
/// Creator Hub shows on the pages within this).
pub const PAGE_TTL: Duration = Duration::from_secs(30);
/// Cache key of a creator's [`CreatorPage`].
const CACHE_KEY: &str = "channel-page";

/// What anyone may know about a creator: the chat page's branding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "slug": "demo", "display_name": "Demo Coaching", "coach_name": "Coach Dee",
    "disclaimer": "Not medical advice.", "primary_color": "#2f6fed",
    "avatar_url": "https://cdn.example.com/dee.png"
}))]
pub struct PublicCreator {
    /// The creator's slug, as in `/chat/{slug}`.
    pub slug: String,
    /// The creator's name.
    pub display_name: String,
    /// The AI coach's name (`persona.coach_name`), if set.
    pub coach_name: Option<String>,
    /// The disclaimer shown with every chat (`persona.disclaimer`), if set.
    pub disclaimer: Option<String>,
    /// Brand colour `#rrggbb` (`branding.primary_color`), if set.
    pub primary_color: Option<String>,
    /// Avatar image URL (`branding.avatar_url`), if set.
    pub avatar_url: Option<String>,
}

/// A creator as the pages need it: the public fields, and the origins that may embed the chat
/// (never sent to a browser as data; they become the embed page's `frame-ancestors`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreatorPage {
    /// The public fields.
    pub public: PublicCreator,
    /// `allowed_origins` of the creator, lower-case `scheme://host[:port]`.
    pub allowed_origins: Vec<String>,
}

type Row = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Vec<String>,
);

/// The creator with `slug` (active ones only), or `None`.
pub async fn lookup(state: &CoreState, slug: &str) -> Result<Option<CreatorPage>, AppError> {
    if !is_slug(slug) {
        return Ok(None);
    }
    let id: Option<Uuid> = sqlx::query_scalar("SELECT app_creator_by_slug($1)")
        .bind(slug)
        .fetch_one(state.db.preauth())
        .await?;
    let Some(id) = id else {
        return Ok(None);
    };
    let creator = CreatorId(id);
    state
        .cache
        .get_or_load(creator, CACHE_KEY, PAGE_TTL, || load(state, creator))
        .await
}

async fn load(state: &CoreState, creator: CreatorId) -> Result<Option<CreatorPage>, AppError> {
    let mut tx = state.db.begin_for(creator).await?;
    let row: Option<Row> = sqlx::query_as(
        "SELECT slug::text, display_name, persona->>'coach_name', persona->>'disclaimer', \
         branding->>'primary_color', branding->>'avatar_url', allowed_origins \
         FROM creators WHERE id = $1",
    )
    .bind(creator.0)
    .fetch_optional(tx.conn())
    .await?;
    tx.commit().await?;
    Ok(row.map(
        |(slug, display_name, coach, disclaimer, color, avatar, origins)| CreatorPage {
            public: PublicCreator {
                slug,
                display_name,
                coach_name: coach,
                disclaimer,
                primary_color: color,
                avatar_url: avatar,
            },
            allowed_origins: origins,
        },
    ))
}

/// The slug format of `creators.slug`: 3–63 of `a-z0-9-`, not starting or ending with `-`.
pub fn is_slug(slug: &str) -> bool {
    let bytes = slug.as_bytes();
    let inner = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-';
    let edge = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    (3..=63).contains(&bytes.len())
        && bytes.iter().all(inner)
        && edge(bytes.first())
        && edge(bytes.last())
}

/// The public route, relative to [`crate::PREFIX`].
pub fn api(state: CoreState) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(public_creator))
        .with_state(state)
}

/// A creator's public branding for its chat page; no credential needed.
#[utoipa::path(
    get, path = "/public/creators/{slug}", tag = "pages",
    params(("slug" = String, Path, description = "the creator's slug")),
    responses(
        (status = 200, description = "the creator's public fields", body = PublicCreator),
        (status = 404, description = "no active creator has this slug", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn public_creator(
    State(state): State<CoreState>,
    Path(slug): Path<String>,
) -> Result<ApiJson<PublicCreator>, AppError> {
    lookup(&state, &slug)
        .await?
        .map(|page| ApiJson(page.public))
        .ok_or_else(|| AppError::NotFound(format!("no creator has the slug `{slug}`")))
}

#[cfg(test)]
mod tests {
    use super::is_slug;

    #[test]
    fn slugs_follow_the_database_format() {
        for good in ["demo", "a1b", "coach-dee", "x2-y3"] {
            assert!(is_slug(good), "{good}");
        }
        for bad in [
            "",
            "ab",
            "-demo",
            "demo-",
            "Demo",
            "de_mo",
            "widget.js",
            &"a".repeat(64),
        ] {
            assert!(!is_slug(bad), "{bad}");
        }
    }
}
