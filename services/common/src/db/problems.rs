//! Database errors as problems a client may see: named constraint violations become 409/422 in
//! fixed words, naming the field when the constraint's name tells it; PostgreSQL's own message
//! (which quotes relations, constraints and sometimes values) goes to the log only.

use sqlx::error::DatabaseError;
use sqlx::postgres::PgDatabaseError;

use crate::error::{AppError, FieldError};

/// Suffixes of constraint names in `migrations/` that say what kind of rule it is, not which
/// field it guards.
const RULE_SUFFIXES: &[&str] = &["_fkey", "_key", "_check", "_length", "_format", "_idx"];

/// The field named when a constraint guards no single field we can tell.
const WHOLE_BODY: &str = "body";

/// Maps a database error onto a problem: named constraint violations become 409/422, a lost
/// connection becomes 503, everything else is internal.
pub fn classify(err: sqlx::Error) -> AppError {
    match &err {
        sqlx::Error::RowNotFound => AppError::NotFound("no such resource".into()),
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            AppError::Unavailable("the database is unavailable, retry shortly".into())
        }
        sqlx::Error::Database(db) => {
            classify_database(db.as_ref()).unwrap_or_else(|| AppError::internal(err))
        }
        _ => AppError::internal(err),
    }
}

/// The problem of a constraint violation or a refused row, or `None` for any other error.
fn classify_database(db: &dyn DatabaseError) -> Option<AppError> {
    let code = db.code()?;
    // Insufficient privilege, which includes an RLS `WITH CHECK` refusal: the row belongs to
    // another tenant, so the caller learns nothing about it.
    if code == "42501" {
        return Some(AppError::NotFound("no such resource".into()));
    }
    let constraint = db.constraint().unwrap_or_default();
    let rule = violated_rule(&code, constraint)?;
    tracing::info!(
        code = %code,
        constraint,
        error = %db.message(),
        "constraint violation answered as a client error"
    );
    Some(rule.problem(field_of(db)))
}

/// The kind of rule a request broke.
enum Rule {
    /// A unique key: the request duplicates something (409).
    Unique,
    /// A rule on one field, with what it asks for (422).
    Field(&'static str),
}

impl Rule {
    /// The problem of breaking this rule on `field` (when known).
    fn problem(self, field: Option<String>) -> AppError {
        match (self, field) {
            (Self::Unique, Some(field)) => {
                AppError::Conflict(format!("something with this `{field}` already exists"))
            }
            (Self::Unique, None) => AppError::Conflict("this already exists".to_owned()),
            (Self::Field(message), field) => AppError::Validation(vec![FieldError {
                field: field.unwrap_or_else(|| WHOLE_BODY.to_owned()),
                message: message.to_owned(),
            }]),
        }
    }
}

/// The rule behind SQLSTATE `code`, or `None` when it is no constraint violation.
fn violated_rule(code: &str, constraint: &str) -> Option<Rule> {
    let message = match code {
        "23505" => return Some(Rule::Unique),
        "23502" => "is required",
        "23514" => check_message(constraint),
        "23503" => "refers to something that does not exist",
        "22001" => "is too long",
        _ => return None,
    };
    Some(Rule::Field(message))
}

/// What a violated CHECK constraint asks for, by the naming of `migrations/`.
fn check_message(constraint: &str) -> &'static str {
    if constraint.ends_with("_length") {
        "is too short or too long"
    } else if constraint.ends_with("_format") {
        "is not in the allowed format"
    } else {
        "is not an allowed value"
    }
}

/// The field a violation concerns: the column PostgreSQL names (not-null violations), else
/// what the constraint's name says.
fn field_of(db: &dyn DatabaseError) -> Option<String> {
    let column = db
        .try_downcast_ref::<PgDatabaseError>()
        .and_then(PgDatabaseError::column);
    match column {
        Some(column) => Some(column.to_owned()),
        None => field_from_constraint(db.table()?, db.constraint()?),
    }
}

/// Reads the field out of a constraint named `<table>_<field>[_<rule>]`, as in `migrations/`:
/// `users_creator_email_key` → `email` (the tenant column every composite key starts with is
/// not a field a client sets), `creators_slug_format` → `slug`, `users_pkey` → `id`.
fn field_from_constraint(table: &str, constraint: &str) -> Option<String> {
    if constraint.ends_with("_pkey") {
        return Some("id".to_owned());
    }
    let rest = constraint.strip_prefix(table)?;
    let rest = RULE_SUFFIXES
        .iter()
        .find_map(|suffix| rest.strip_suffix(suffix))
        .unwrap_or(rest);
    let rest = rest.strip_prefix('_')?;
    if rest == "creator_id" {
        return None;
    }
    let rest = ["creator_id_", "creator_"]
        .iter()
        .find_map(|tenant| rest.strip_prefix(tenant))
        .unwrap_or(rest);
    (!rest.is_empty()).then(|| rest.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_rows_are_not_found() {
        assert_eq!(classify(sqlx::Error::RowNotFound).status().as_u16(), 404);
    }

    #[test]
    fn constraint_names_tell_the_field_they_guard() {
        let cases = [
            ("creators", "creators_slug_format", Some("slug")),
            ("creators", "creators_slug_key", Some("slug")),
            ("creators", "creators_pkey", Some("id")),
            ("users", "users_creator_email_key", Some("email")),
            ("users", "users_role", Some("role")),
            ("content_items", "content_items_title_length", Some("title")),
            (
                "content_chunks",
                "content_chunks_creator_id_content_id_fkey",
                Some("content_id"),
            ),
            ("users", "users_creator_id_fkey", None),
            (
                "channel_connections",
                "channel_connections_name_key",
                Some("name"),
            ),
            ("users", "some_other_tables_rule", None),
        ];
        for (table, constraint, field) in cases {
            assert_eq!(
                field_from_constraint(table, constraint).as_deref(),
                field,
                "{constraint}"
            );
        }
    }
}
