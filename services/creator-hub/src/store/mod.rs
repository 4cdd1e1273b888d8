//! The Hub's queries, each taking the tenant transaction so none can run without a tenant.

pub mod content;
pub mod library;
pub mod profile;
pub mod quota;
pub mod stats;
pub mod version;
