//! The operator's suites: the generated CRDs are fresh, and the real API server of the harness
//! (`tests/cluster/test.sh -p coachai-operator`) enforces the `Creator` schema.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod chart;
mod crds;
mod leader;
mod platform;
mod platform_build;
mod platform_checks;
mod platform_support;
mod platform_upkeep;
mod reconcile;
mod rotation;
mod rotation_support;
mod rotation_timeout;
mod support;
mod suspension;
mod validation;
mod vectors;
