//! Shared building blocks of the four CoachAI services.
//!
//! Everything a service needs before its first business endpoint lives here: typed
//! configuration, the PostgreSQL pool and the tenant transaction extractor, local JWT
//! verification against the Auth service's JWKS, RFC 9457 problem responses, health checks,
//! Prometheus metrics, request ids, JSON logs, graceful shutdown and a tenant-prefixed Redis
//! cache with stampede protection.

pub mod audit;
pub mod auth;
pub mod cache;
pub mod config;
pub mod cursor;
pub mod db;
pub mod error;
pub mod health;
pub mod http;
pub mod json;
pub mod query;
pub mod ratelimit;
pub mod redis_pool;
pub mod scoped;
pub mod secret;
pub mod service;
pub mod state;
pub mod telemetry;
pub mod tenancy;

pub use error::{AppError, FieldError};
pub use tenancy::{CreatorId, TenantTx};
