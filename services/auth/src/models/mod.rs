//! Request and response bodies of the Auth service. Field names are a contract that clients
//! are written against; unknown request fields are refused.

pub mod api_keys;
pub mod invitations;
pub mod session;
pub mod users;

/// garde: refuses control characters (NUL above all, which PostgreSQL text cannot hold).
pub fn no_control(value: &str, _: &()) -> garde::Result {
    if value.chars().any(char::is_control) {
        return Err(garde::Error::new("must not contain control characters"));
    }
    Ok(())
}
