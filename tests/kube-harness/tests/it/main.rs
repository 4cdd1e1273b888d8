//! Smoke tests that prove the harness cluster is a real API server: structural-schema validation
//! of a CRD, server-side apply semantics, the status subresource, RBAC, and (when the optional
//! controllers run) a Deployment rolling out to Available.

mod rbac;
mod rollout;
mod server_side_apply;
mod status_subresource;
mod structural_schema;
mod tools;
mod widget;
