//! Who is on a connection, fixed at the handshake.

use std::sync::Arc;

use coachai_common::tenancy::CreatorId;
use uuid::Uuid;

/// The verified caller of one connection.
#[derive(Debug, Clone)]
pub struct Session {
    /// The connection's number in this process.
    pub id: u64,
    /// The caller.
    pub user: Uuid,
    /// The caller's creator (tenant).
    pub creator: CreatorId,
    /// The credential, forwarded to the AI Engine for each answer.
    pub credential: Arc<str>,
    /// The request id of the handshake, sent along with every answer's request.
    pub request_id: Arc<str>,
}
