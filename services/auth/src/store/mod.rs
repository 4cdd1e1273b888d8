//! PostgreSQL access of the Auth service. Pre-authentication look-ups take the [`Db`]
//! (`SECURITY DEFINER` functions only); everything else takes a [`TenantTx`], so a query on
//! tenant rows without a verified tenant does not compile.
//!
//! [`Db`]: coachai_common::tenancy::Db
//! [`TenantTx`]: coachai_common::TenantTx

pub mod api_keys;
pub mod invitations;
pub mod lookup;
pub mod sessions;
pub mod users;
