//! Allowed origins: the browser origins (`scheme://host[:port]`, RFC 6454) that may embed a
//! creator's chat. Stored normalised so the Channel service compares them byte for byte with
//! the `Origin` header a browser sends.

/// Most origins a creator may list.
pub const MAX_ORIGINS: usize = 20;

/// The normalised form of an origin (`https://Example.com:443/` → `https://example.com`), or
/// why it is not one: only `http`/`https`, a host, no credentials, path, query or fragment.
pub fn normalise(value: &str) -> Result<String, String> {
    let parsed = url::Url::parse(value).map_err(|_| format!("`{value}` is not an origin"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "`{value}`: only http and https origins can embed the chat"
        ));
    }
    let clean = parsed.username().is_empty()
        && parsed.password().is_none()
        && parsed.path() == "/"
        && parsed.query().is_none()
        && parsed.fragment().is_none()
        && !value.trim_end_matches('/').ends_with('?');
    match parsed.host_str() {
        Some(host) if clean => Ok(match parsed.port() {
            Some(port) => format!("{}://{host}:{port}", parsed.scheme()),
            None => format!("{}://{host}", parsed.scheme()),
        }),
        _ => Err(format!(
            "`{value}` must be scheme://host[:port] with nothing after it"
        )),
    }
}

/// garde check of a whole list.
pub fn origins(values: &[String], _: &()) -> garde::Result {
    if values.len() > MAX_ORIGINS {
        return Err(garde::Error::new(format!("at most {MAX_ORIGINS} origins")));
    }
    values
        .iter()
        .try_for_each(|value| normalise(value).map(|_| ()))
        .map_err(garde::Error::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised_to_scheme_host_and_port() {
        assert_eq!(
            normalise("https://Coach.Example.com").unwrap(),
            "https://coach.example.com"
        );
        assert_eq!(
            normalise("https://example.com:443/").unwrap(),
            "https://example.com"
        );
        assert_eq!(
            normalise("http://localhost:3000").unwrap(),
            "http://localhost:3000"
        );
    }

    #[test]
    fn anything_more_or_less_than_an_origin_is_refused() {
        for bad in [
            "example.com",
            "ftp://example.com",
            "https://example.com/path",
            "https://user:pw@example.com",
            "https://example.com?x=1",
            "https://example.com#top",
            "javascript:alert(1)",
            "",
        ] {
            assert!(normalise(bad).is_err(), "{bad}");
        }
        let many: Vec<String> = (0..21)
            .map(|i| format!("https://s{i}.example.com"))
            .collect();
        assert!(origins(&many, &()).is_err());
    }
}
