//! Passwords: Argon2id hashing with OWASP's parameters (m = 19 MiB, t = 2, p = 1), a
//! constant-cost failure path for unknown users, and the strength policy.
//!
//! Hashing runs on the blocking pool so a burst of logins does not stall the async workers.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
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

/// Hashes and verifies passwords.
#[derive(Clone)]
pub struct Passwords {
    argon2: Argon2<'static>,
    /// A real hash of a random password: unknown users are verified against it so their
    /// failure costs as much as a wrong password.
    dummy: String,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passwords")
            .field("params", self.argon2.params())
            .finish_non_exhaustive()
    }
}

impl Passwords {
    /// Argon2id with the given cost.
    pub fn new(memory_kib: u32, iterations: u32, parallelism: u32) -> Result<Self, AppError> {
        let params =
            Params::new(memory_kib, iterations, parallelism, None).map_err(AppError::internal)?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let random: [u8; 24] = rand::random();
        let dummy = hash_with(&argon2, &String::from_utf8_lossy(&random))?;
        Ok(Self { argon2, dummy })
    }

    /// The PHC string of `password` with a fresh salt.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        let argon2 = self.argon2.clone();
        tokio::task::spawn_blocking(move || hash_with(&argon2, &password))
            .await
            .map_err(AppError::internal)?
    }

    /// Whether `password` matches `stored`; with no stored hash (unknown user, no password
    /// set) the dummy hash is verified anyway and the answer is `false`.
    pub async fn verify(&self, password: String, stored: Option<String>) -> bool {
        let argon2 = self.argon2.clone();
        let (phc, known) = match stored {
            Some(phc) => (phc, true),
            None => (self.dummy.clone(), false),
        };
        let matched = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&phc)
                .map(|parsed| argon2.verify_password(password.as_bytes(), &parsed).is_ok())
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        matched && known
    }
}

fn hash_with(argon2: &Argon2<'_>, password: &str) -> Result<String, AppError> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(AppError::internal)?;
    argon2
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(AppError::internal)
}

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

    #[tokio::test]
    async fn hashes_verify_and_unknown_users_never_do() {
        let passwords = Passwords::new(1024, 1, 1).unwrap();
        let phc = passwords.hash("a fine passphrase".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"));
        assert!(
            passwords
                .verify("a fine passphrase".into(), Some(phc.clone()))
                .await
        );
        assert!(!passwords.verify("another one".into(), Some(phc)).await);
        assert!(!passwords.verify("anything".into(), None).await);
        assert!(!passwords.verify("x".into(), Some("garbage".into())).await);
    }
}
