//! Minting API keys (`cak_<prefix>_<secret>`). Resolving them is shared by every service:
//! [`coachai_common::auth::api_keys::ApiKeyStore`].

use coachai_common::auth::API_KEY_PREFIX;

use crate::tokens::opaque_secret;

/// A freshly minted key: (public prefix, full key to show once).
pub fn mint() -> (String, String) {
    let prefix: String = rand::random::<[u8; 6]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let key = format!("{API_KEY_PREFIX}{prefix}_{}", opaque_secret());
    (prefix, key)
}

#[cfg(test)]
mod tests {
    use coachai_common::auth::api_keys::parse;

    use super::*;

    #[test]
    fn minted_keys_parse_back_to_their_prefix() {
        let (prefix, key) = mint();
        assert!(key.starts_with("cak_"));
        assert_eq!(parse(&key), Some(prefix.as_str()));
    }
}
