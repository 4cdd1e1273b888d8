//! The CoachAI operator: `Creator` resources become tenants (the reconciler is planned, issue
//! 12); the CRDs in `crds/` are generated from [`crd`].

pub mod crd;
