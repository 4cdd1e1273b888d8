//! The Hub's queries, each taking the tenant transaction so none can run without a tenant.

pub mod profile;
