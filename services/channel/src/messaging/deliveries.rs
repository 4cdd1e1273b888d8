//! `GET /{creator_id}/deliveries?state=` and `POST /{creator_id}/deliveries/{id}/redeliver`:
//! the outbox as the creator's owner or admins see it, dead letters included, and a manual
//! redelivery of a dead one (a fresh schedule of attempts, the same `Idempotency-Key`).

use axum::extract::Path;
use chrono::{DateTime, Utc};
use coachai_common::AppError;
use coachai_common::error::Problem;
use coachai_common::json::ApiJson;
use coachai_common::query::ApiQuery;
use coachai_common::tenancy::Tenant;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::integrations::{authorize, id};
use super::outbox::{DELIVERY_WAKE, wake};

/// One outbound message.
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct DeliveryView {
    /// The delivery, also its `Idempotency-Key`.
    pub id: Uuid,
    /// The integration it goes through.
    pub integration_id: Uuid,
    /// The external chat.
    pub external_chat: String,
    /// Its position in a long answer split into several messages (0 first).
    pub part: i32,
    /// `pending`, `delivered` or `dead`.
    pub state: String,
    /// Failed attempts.
    pub attempts: i32,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the next attempt is due (pending).
    pub next_run_at: DateTime<Utc>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When the destination acknowledged it.
    pub delivered_at: Option<DateTime<Utc>>,
}

/// `?state=` of the list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only deliveries in this state: `pending`, `delivered` or `dead`.
    pub state: Option<String>,
}

/// The creator's deliveries, newest first (at most 500).
#[utoipa::path(
    get, path = "/{creator_id}/deliveries", tag = "messaging",
    security(("bearer" = [])),
    params(("creator_id" = Uuid, Path, description = "the caller's creator"), DeliveryQuery),
    responses(
        (status = 200, description = "the deliveries", body = Vec<DeliveryView>),
        (status = 400, description = "an unknown state", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "not the owner or an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not the caller's creator", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn list_deliveries(
    Path(creator): Path<String>,
    ApiQuery(query): ApiQuery<DeliveryQuery>,
    Tenant { principal, mut tx }: Tenant,
) -> Result<ApiJson<Vec<DeliveryView>>, AppError> {
    authorize(&principal, &creator)?;
    if let Some(state) = &query.state
        && !matches!(state.as_str(), "pending" | "delivered" | "dead")
    {
        return Err(AppError::BadRequest(
            "state must be pending, delivered or dead".into(),
        ));
    }
    let list = sqlx::query_as(
        "SELECT id, integration_id, external_chat, part, state, attempts, last_error, next_run_at,
                created_at, delivered_at
           FROM channel_deliveries WHERE ($1::text IS NULL OR state = $1)
          ORDER BY created_at DESC, part DESC LIMIT 500",
    )
    .bind(&query.state)
    .fetch_all(tx.conn())
    .await?;
    tx.commit().await?;
    Ok(ApiJson(list))
}

/// Puts a dead delivery back in the queue with a fresh schedule of attempts.
#[utoipa::path(
    post, path = "/{creator_id}/deliveries/{id}/redeliver", tag = "messaging",
    security(("bearer" = [])),
    params(
        ("creator_id" = Uuid, Path, description = "the caller's creator"),
        ("id" = Uuid, Path, description = "the delivery")
    ),
    responses(
        (status = 202, description = "queued again", body = DeliveryView),
        (status = 403, description = "not the owner or an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such delivery of the caller's creator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the delivery is not dead", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn redeliver(
    Path((creator, raw)): Path<(String, String)>,
    Tenant { principal, mut tx }: Tenant,
) -> Result<(axum::http::StatusCode, ApiJson<DeliveryView>), AppError> {
    authorize(&principal, &creator)?;
    let delivery = id(&raw, "delivery")?;
    let state: Option<String> =
        sqlx::query_scalar("SELECT state FROM channel_deliveries WHERE id = $1")
            .bind(delivery)
            .fetch_optional(tx.conn())
            .await?;
    match state.as_deref() {
        None => return Err(AppError::NotFound(format!("no delivery `{raw}`"))),
        Some("dead") => {}
        Some(other) => {
            return Err(AppError::Conflict(format!(
                "delivery `{raw}` is {other}; only dead deliveries are redelivered"
            )));
        }
    }
    let view = sqlx::query_as(
        "UPDATE channel_deliveries
            SET state = 'pending', attempts = 0, next_run_at = now(), lease_token = NULL,
                updated_at = now()
          WHERE id = $1
      RETURNING id, integration_id, external_chat, part, state, attempts, last_error,
                next_run_at, created_at, delivered_at",
    )
    .bind(delivery)
    .fetch_one(tx.conn())
    .await?;
    wake(&mut tx, DELIVERY_WAKE).await?;
    tx.commit().await?;
    Ok((axum::http::StatusCode::ACCEPTED, ApiJson(view)))
}
