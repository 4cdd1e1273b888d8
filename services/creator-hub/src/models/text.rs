//! Field checks shared by the Hub's request models (garde custom validators).

/// No control characters (line breaks included): names and labels are single-line.
pub fn no_control(value: &str, _: &()) -> garde::Result {
    if value.chars().any(char::is_control) {
        Err(garde::Error::new("must not contain control characters"))
    } else {
        Ok(())
    }
}

/// Something besides whitespace: names and labels are stored trimmed and must stay non-empty.
pub fn not_blank(value: &str, _: &()) -> garde::Result {
    if value.trim().is_empty() {
        Err(garde::Error::new("must not be blank"))
    } else {
        Ok(())
    }
}

/// `#rrggbb`.
pub fn color(value: &str, _: &()) -> garde::Result {
    let hex = value.strip_prefix('#').unwrap_or("");
    if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(garde::Error::new("must be a colour like #0f766e"))
    }
}

/// An absolute `http` or `https` URL.
pub fn url(value: &str, _: &()) -> garde::Result {
    match url::Url::parse(value) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.has_host() => Ok(()),
        _ => Err(garde::Error::new("must be an absolute http(s) URL")),
    }
}

/// An Ollama model name: 1–200 of `A-Z a-z 0-9 . _ : / -`.
pub fn model_name(value: &str, _: &()) -> garde::Result {
    let ok = (1..=200).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._:/-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(garde::Error::new(
            "must be a model name such as `llama3.2:3b` (letters, digits, `._:/-`)",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_hash_and_six_hex_digits() {
        assert!(color("#0F766e", &()).is_ok());
        assert!(color("0f766e", &()).is_err());
        assert!(color("#0f766", &()).is_err());
    }

    #[test]
    fn urls_model_names_and_labels_are_checked() {
        assert!(url("https://cdn.example.com/a.png", &()).is_ok());
        assert!(url("javascript:alert(1)", &()).is_err());
        assert!(url("/relative.png", &()).is_err());
        assert!(model_name("llama3.2:3b", &()).is_ok());
        assert!(model_name("llama; rm -rf /", &()).is_err());
        assert!(model_name("", &()).is_err());
        assert!(no_control("line\nbreak", &()).is_err());
        assert!(not_blank(" \u{a0} ", &()).is_err());
        assert!(not_blank(" a ", &()).is_ok());
    }
}
