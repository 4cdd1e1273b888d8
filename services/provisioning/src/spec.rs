//! The tenant request and its validation: pure, no I/O, so every caller (sign-up, operator,
//! tests) gets the same answers before anything is written.

use coachai_common::FieldError;
use serde::{Deserialize, Serialize};

use crate::ProvisionError;

/// The longest slug (the `creators_slug_format` constraint).
const MAX_SLUG: usize = 63;

/// Characters of the random suffix that makes a derived slug free.
const SUFFIX_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// Length of that suffix: 36^4, about 1.7 million variants per name.
const SUFFIX_LEN: usize = 4;

/// Slugs that would be confusing or collide with platform paths.
const RESERVED_SLUGS: &[&str] = &[
    "admin", "api", "app", "auth", "coachai", "help", "login", "root", "signup", "status",
    "support", "system", "www",
];

/// What a new tenant should look like.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSpec {
    /// Wanted slug; derived from the display name when absent. Only a wanted slug can be
    /// "already taken": a derived one gets a free variant.
    pub slug: Option<String>,
    /// The creator's display name.
    pub display_name: String,
    /// The owner's email address.
    pub owner_email: String,
    /// The owner's Argon2id PHC hash; `None` makes an owner who must set a password first.
    pub owner_password_hash: Option<String>,
}

/// A [`TenantSpec`] that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTenant {
    slug: String,
    slug_chosen: bool,
    display_name: String,
    owner_email: String,
    owner_password_hash: Option<String>,
}

impl ValidTenant {
    /// The slug, lower case.
    pub fn slug(&self) -> &str {
        &self.slug
    }
    /// Whether the requester chose the slug; otherwise it was derived from the display name.
    pub fn slug_is_chosen(&self) -> bool {
        self.slug_chosen
    }
    /// The same tenant under a variant of its slug, `<slug>-<4 random a-z0-9>` (the slug cut
    /// so the whole fits in 63 characters): the next try when a derived slug is taken.
    pub fn with_slug_suffix(&self) -> Self {
        let base = &self.slug[..self.slug.len().min(MAX_SLUG - SUFFIX_LEN - 1)];
        let suffix: String = (0..SUFFIX_LEN)
            .map(|_| char::from(SUFFIX_ALPHABET[rand::random_range(0..SUFFIX_ALPHABET.len())]))
            .collect();
        Self {
            slug: format!("{}-{suffix}", base.trim_end_matches('-')),
            ..self.clone()
        }
    }
    /// The trimmed display name.
    pub fn display_name(&self) -> &str {
        &self.display_name
    }
    /// The trimmed owner email.
    pub fn owner_email(&self) -> &str {
        &self.owner_email
    }
    /// The owner's password hash, if any.
    pub fn owner_password_hash(&self) -> Option<&str> {
        self.owner_password_hash.as_deref()
    }
    /// The same tenant with the owner's password hash set (hash after validating, so an
    /// invalid request costs no Argon2 work).
    pub fn with_owner_password_hash(mut self, phc: String) -> Self {
        self.owner_password_hash = Some(phc);
        self
    }
}

impl TenantSpec {
    /// Checks every field and reports all problems at once.
    pub fn validate(&self) -> Result<ValidTenant, ProvisionError> {
        let mut errors = Vec::new();
        let display_name = self.display_name.trim().to_owned();
        if let Err(message) = check_display_name(&display_name) {
            errors.push(field("display_name", message));
        }
        let slug = match &self.slug {
            Some(wanted) => wanted.trim().to_ascii_lowercase(),
            None => slugify(&display_name),
        };
        if let Err(message) = check_slug(&slug) {
            errors.push(field("slug", message));
        }
        let owner_email = self.owner_email.trim().to_owned();
        if let Err(message) = check_email(&owner_email) {
            errors.push(field("email", message));
        }
        if !errors.is_empty() {
            return Err(ProvisionError::Invalid(errors));
        }
        Ok(ValidTenant {
            slug,
            slug_chosen: self.slug.is_some(),
            display_name,
            owner_email,
            owner_password_hash: self.owner_password_hash.clone(),
        })
    }
}

fn field(name: &str, message: &str) -> FieldError {
    FieldError {
        field: name.to_owned(),
        message: message.to_owned(),
    }
}

/// Derives a slug from a display name: ASCII letters and digits, dashes between words, 3–63
/// characters. A name with too few ASCII letters (say, only CJK) gets a random slug.
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len().min(MAX_SLUG));
    for c in name.chars() {
        if slug.len() >= MAX_SLUG {
            break;
        }
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.len() >= 3 && !RESERVED_SLUGS.contains(&slug.as_str()) {
        return slug;
    }
    let suffix: u32 = rand::random();
    format!("creator-{:08x}", suffix)
}

fn check_slug(slug: &str) -> Result<(), &'static str> {
    let bytes = slug.as_bytes();
    let ok_char = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-';
    let edge = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if !(3..=MAX_SLUG).contains(&bytes.len()) {
        Err("must be 3 to 63 characters long")
    } else if !bytes.iter().all(ok_char) || !edge(bytes.first()) || !edge(bytes.last()) {
        Err("may contain only a-z, 0-9 and inner dashes")
    } else if RESERVED_SLUGS.contains(&slug) {
        Err("is reserved")
    } else {
        Ok(())
    }
}

fn check_display_name(name: &str) -> Result<(), &'static str> {
    let length = name.chars().count();
    if !(1..=200).contains(&length) {
        Err("must be 1 to 200 characters long")
    } else if name.chars().any(char::is_control) {
        Err("must not contain control characters")
    } else {
        Ok(())
    }
}

/// A deliberately small syntax check; the HTTP layer has already applied a full one.
fn check_email(email: &str) -> Result<(), &'static str> {
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.contains('@')
        })
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(())
    } else {
        Err("is not a valid email address")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn spec(slug: Option<&str>, name: &str) -> TenantSpec {
        TenantSpec {
            slug: slug.map(str::to_owned),
            display_name: name.to_owned(),
            owner_email: "owner@example.com".to_owned(),
            owner_password_hash: None,
        }
    }

    #[test]
    fn slug_is_derived_from_the_display_name() {
        let valid = spec(None, "  Jane's Coaching  Studio! ")
            .validate()
            .unwrap();
        assert_eq!(valid.slug(), "jane-s-coaching-studio");
        assert_eq!(valid.display_name(), "Jane's Coaching  Studio!");
    }

    #[test]
    fn names_without_ascii_get_a_random_slug() {
        let valid = spec(None, "日本のコーチ").validate().unwrap();
        assert!(valid.slug().starts_with("creator-"), "{}", valid.slug());
    }

    #[test]
    fn given_slugs_are_lower_cased_and_checked() {
        assert_eq!(spec(Some("Acme"), "A").validate().unwrap().slug(), "acme");
        for bad in ["ab", "-abc", "abc-", "a_b_c", "api", "drop table;", "ünï"] {
            let err = spec(Some(bad), "A").validate().unwrap_err();
            assert!(matches!(err, ProvisionError::Invalid(_)), "{bad}");
        }
    }

    #[test]
    fn all_problems_are_reported_together() {
        let mut bad = spec(Some("x"), "");
        bad.owner_email = "nope".into();
        let ProvisionError::Invalid(fields) = bad.validate().unwrap_err() else {
            panic!("expected a validation error");
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["display_name", "slug", "email"]);
    }

    #[test]
    fn a_derived_slug_is_not_chosen_and_its_variants_keep_its_stem() {
        let derived = spec(None, "Coach Alpha").validate().unwrap();
        assert!(!derived.slug_is_chosen());
        assert!(
            spec(Some("coach-alpha"), "A")
                .validate()
                .unwrap()
                .slug_is_chosen()
        );
        let variant = derived.with_slug_suffix();
        assert!(
            variant.slug().starts_with("coach-alpha-"),
            "{}",
            variant.slug()
        );
        assert_eq!(variant.slug().len(), "coach-alpha-".len() + SUFFIX_LEN);
        assert_ne!(variant.slug(), derived.with_slug_suffix().slug());
    }

    proptest! {
        #[test]
        fn slugify_always_yields_a_valid_slug(name in "\\PC{0,300}") {
            let slug = slugify(&name);
            prop_assert!(check_slug(&slug).is_ok(), "{slug:?}");
        }

        #[test]
        fn slug_variants_are_always_valid(name in "\\PC{0,300}") {
            let valid = spec(None, "x").validate().unwrap();
            let valid = ValidTenant { slug: slugify(&name), ..valid };
            let variant = valid.with_slug_suffix();
            prop_assert!(check_slug(variant.slug()).is_ok(), "{:?}", variant.slug());
        }
    }
}
