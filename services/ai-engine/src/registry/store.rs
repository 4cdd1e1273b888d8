//! The `models` table: platform data with no tenant, read and written on the service's pool
//! (no tenant is set, and none is needed: the table has no row level security).

use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use super::error::RegistryError;
use super::model::{Discovered, ModelEntry, ModelStatus};

const COLUMNS: &str = "name, status, digest, family, parameter_size, quantization, size_bytes, \
    context_length, capabilities, updated_at";

/// Every row, by name.
pub async fn list(pool: &PgPool) -> Result<Vec<ModelEntry>, RegistryError> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM models ORDER BY name"))
        .fetch_all(pool)
        .await?;
    rows.iter().map(entry).collect()
}

/// Records what Ollama lists as `available` and marks every `available` row it no longer lists
/// `missing`, in one transaction. Rows being pulled or whose pull failed keep their status
/// until Ollama lists them. Returns how many rows became `missing`.
pub async fn apply_refresh(pool: &PgPool, found: &[Discovered]) -> Result<u64, RegistryError> {
    let mut tx = pool.begin().await?;
    for model in found {
        upsert_available(&mut tx, model).await?;
    }
    let names: Vec<&str> = found.iter().map(|m| m.name.as_str()).collect();
    let missing = sqlx::query(
        "UPDATE models SET status = 'missing', updated_at = now() \
         WHERE status = 'available' AND NOT (name = ANY($1))",
    )
    .bind(&names)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(missing)
}

/// Inserts or replaces the row of an installed model, `available`.
pub async fn upsert_available(
    conn: &mut sqlx::PgConnection,
    model: &Discovered,
) -> Result<(), RegistryError> {
    sqlx::query(
        "INSERT INTO models (name, status, digest, family, parameter_size, quantization, \
             size_bytes, context_length, capabilities, updated_at) \
         VALUES ($1, 'available', $2, $3, $4, $5, $6, $7, $8, now()) \
         ON CONFLICT (name) DO UPDATE SET status = 'available', digest = EXCLUDED.digest, \
             family = EXCLUDED.family, parameter_size = EXCLUDED.parameter_size, \
             quantization = EXCLUDED.quantization, size_bytes = EXCLUDED.size_bytes, \
             context_length = EXCLUDED.context_length, capabilities = EXCLUDED.capabilities, \
             updated_at = now() \
         WHERE (models.status, models.digest, models.family, models.parameter_size, \
                models.quantization, models.size_bytes, models.context_length, \
                models.capabilities) \
             IS DISTINCT FROM ('available', EXCLUDED.digest, EXCLUDED.family, \
                EXCLUDED.parameter_size, EXCLUDED.quantization, EXCLUDED.size_bytes, \
                EXCLUDED.context_length, EXCLUDED.capabilities)",
    )
    .bind(&model.name)
    .bind(&model.digest)
    .bind(&model.family)
    .bind(&model.parameter_size)
    .bind(&model.quantization)
    .bind(model.size_bytes)
    .bind(model.context_length)
    .bind(&model.capabilities)
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets the status of `name`, creating its row when there is none (a pull of a new model).
pub async fn set_status(
    pool: &PgPool,
    name: &str,
    status: ModelStatus,
) -> Result<(), RegistryError> {
    sqlx::query(
        "INSERT INTO models (name, status) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET status = EXCLUDED.status, updated_at = now()",
    )
    .bind(name)
    .bind(status.as_str())
    .execute(pool)
    .await?;
    Ok(())
}

fn entry(row: &PgRow) -> Result<ModelEntry, RegistryError> {
    let status: String = row.try_get("status")?;
    Ok(ModelEntry {
        status: ModelStatus::from_name(&status).ok_or(RegistryError::Corrupt(status))?,
        name: row.try_get("name")?,
        digest: row.try_get("digest")?,
        family: row.try_get("family")?,
        parameter_size: row.try_get("parameter_size")?,
        quantization: row.try_get("quantization")?,
        size_bytes: row.try_get("size_bytes")?,
        context_length: row.try_get("context_length")?,
        capabilities: row.try_get("capabilities")?,
        updated_at: row.try_get("updated_at")?,
    })
}
