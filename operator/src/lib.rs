//! The CoachAI operator: `Creator` resources become tenants ([`creator`]) and `Platform`
//! resources running services ([`platform`]), run by [`controller::run`], started by
//! [`start::run`]; the CRDs in `crds/` are generated from [`crd`].

pub mod context;
pub mod controller;
pub mod crd;
pub mod creator;
pub mod leader;
pub mod models;
pub mod platform;
pub mod serve;
pub mod settings;
pub mod start;

pub use context::Context;
pub use settings::Config;
