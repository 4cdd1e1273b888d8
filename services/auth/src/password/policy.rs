//! The password strength policy: 12 to 256 characters, not breached, not built on a guessable
//! word, not the email address.

use coachai_common::{AppError, FieldError};

/// Shortest password accepted, in characters.
pub const MIN_LENGTH: usize = 12;
/// Longest password accepted, in characters (bounds hashing work per request).
pub const MAX_LENGTH: usize = 256;

/// Breached or trivially guessable passwords of acceptable length, lower case.
const BREACHED: &[&str] = &[
    "123456789012",
    "1234567890123",
    "12345678901234",
    "123456123456",
    "qwertyuiop12",
    "qwertyuiop123",
    "qwertyuiopasdf",
    "1q2w3e4r5t6y",
    "1q2w3e4r5t6y7u",
    "q1w2e3r4t5y6",
    "zaq12wsxcde3",
    "1qaz2wsx3edc",
    "qazwsxedcrfv",
    "asdfghjkl123",
    "iloveyou1234",
    "password1234",
    "password12345",
    "passw0rd1234",
    "p@ssw0rd1234",
    "letmein12345",
    "welcome12345",
    "changeme1234",
    "administrator",
    "football1234",
    "baseball1234",
    "sunshine1234",
    "princess1234",
    "trustno11234",
    "superman1234",
    "starwars1234",
    "abcdefghijkl",
    "abcd12345678",
    "aaaaaaaaaaaa",
    "000000000000",
    "111111111111",
    "correcthorsebatterystaple",
    "monkey123456",
    "dragon123456",
    "master123456",
];

/// Base words that stay guessable whatever digits and symbols surround them.
const WEAK_WORDS: &[&str] = &[
    "password",
    "passw",
    "qwerty",
    "qwertyuiop",
    "letmein",
    "welcome",
    "iloveyou",
    "admin",
    "administrator",
    "changeme",
    "coachai",
    "coach",
    "abc",
    "abcdef",
    "monkey",
    "dragon",
    "football",
    "baseball",
    "sunshine",
    "princess",
    "master",
    "shadow",
    "superman",
    "trustno",
    "starwars",
    "secret",
    "login",
    "qazwsx",
    "asdf",
    "asdfgh",
    "asdfghjkl",
    "zxcvbnm",
];

/// Checks the strength policy: 12 to 256 characters, not breached or built on a guessable
/// word, not the email address.
pub fn check_strength(password: &str, email: &str) -> Result<(), AppError> {
    let problem = |message: &str| {
        Err(AppError::Validation(vec![FieldError {
            field: "password".into(),
            message: message.into(),
        }]))
    };
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return problem("must be at least 12 characters long");
    }
    if length > MAX_LENGTH {
        return problem("must be at most 256 characters long");
    }
    let lower = password.to_lowercase();
    let letters: String = lower.chars().filter(|c| c.is_alphabetic()).collect();
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    let one_char = lower.chars().all(|c| lower.starts_with(c));
    if BREACHED.contains(&lower.as_str())
        || WEAK_WORDS.contains(&letters.as_str())
        || letters.is_empty()
        || one_char
    {
        return problem("is too common; choose a longer passphrase of unrelated words");
    }
    if lower == email.to_lowercase() || (local.len() >= 4 && letters == local) {
        return problem("must not be based on the email address");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weak(password: &str) -> bool {
        check_strength(password, "jane.doe@example.com").is_err()
    }

    #[test]
    fn short_common_and_email_based_passwords_are_refused() {
        assert!(weak("short"));
        assert!(weak("Password1234!"));
        assert!(weak("123456789012345"));
        assert!(weak("qwertyuiop123"));
        assert!(weak("zzzzzzzzzzzzzz"));
        assert!(weak("jane.doe@example.com"));
        assert!(weak(&"x".repeat(300)));
    }

    #[test]
    fn passphrases_are_accepted_including_unicode() {
        assert!(!weak("correct horse battery"));
        assert!(!weak("läuft schön über Brücken"));
        assert!(!weak("🦀 crabs 🦀 rule 🦀"));
    }
}
