//! Prints access tokens for benches that need many distinct ones (every request a first
//! sight): signed with the key ring the Auth service loads from `SIGNING_KEYS_DIR` (and
//! `SIGNING_KEY_ID`), for the `JWT_ISSUER`/`JWT_AUDIENCE` it verifies, one token a line.
//!
//! `SIGNING_KEYS_DIR=dir cargo run --release -p coachai-auth --example mint_tokens -- \
//!     <count> <creator id> <user id> [owner|admin|coach|client]`

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use coachai_auth::Config;
use coachai_auth::keys::{KeyRing, LiveKeys};
use coachai_auth::tokens::TokenIssuer;
use coachai_common::auth::Role;
use coachai_common::tenancy::CreatorId;
use uuid::Uuid;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [count, creator, user, rest @ ..] = args.as_slice() else {
        bail!("usage: mint_tokens <count> <creator id> <user id> [owner|admin|coach|client]");
    };
    let count: usize = count.parse().context("<count> must be a number")?;
    let creator = CreatorId(creator.parse().context("<creator id> must be a UUID")?);
    let user: Uuid = user.parse().context("<user id> must be a UUID")?;
    let role = role(rest.first().map_or("owner", String::as_str))?;
    let config = Config::from_env()?;
    if config.signing_keys_dir.is_empty() {
        bail!("set SIGNING_KEYS_DIR to the key directory the Auth service under test loads");
    }
    let keys = KeyRing::load(Path::new(&config.signing_keys_dir), &config.signing_key_id)?;
    let issuer = TokenIssuer::new(
        LiveKeys::new(keys),
        &config.common.jwt_issuer,
        &config.common.jwt_audience,
        Duration::from_secs(config.access_token_ttl_secs),
    );
    let mut out = BufWriter::new(std::io::stdout().lock());
    for _ in 0..count {
        writeln!(out, "{}", issuer.access(user, creator, role)?.token)?;
    }
    out.flush()?;
    Ok(())
}

fn role(name: &str) -> anyhow::Result<Role> {
    Ok(match name {
        "owner" => Role::Owner,
        "admin" => Role::Admin,
        "coach" => Role::Coach,
        "client" => Role::Client,
        other => bail!("unknown role `{other}`"),
    })
}
