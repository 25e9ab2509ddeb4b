//! Password hashes (argon2id, a random salt per hash), shared by staff and guardian accounts.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// The shortest password an account takes.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// The argon2id hash of `password` (PHC string).
pub fn hash(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes encode");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("password hashing failed: {e}"))
}

/// Whether `password` matches `hash` (an unreadable hash matches nothing).
pub fn verify(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Spends the time of one verification, for an account that does not exist: the answer must
/// not tell by its timing whether an e-mail address or user name is known.
pub fn burn(password: &str) {
    let _ = Argon2::default().hash_password(
        password.as_bytes(),
        &SaltString::encode_b64(&[0u8; 16]).expect("salt"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(&h, "correct horse battery"));
        assert!(!verify(&h, "correct horse batterie"));
        assert!(!verify("not a hash", "correct horse battery"));
        assert_ne!(h, hash("correct horse battery").unwrap(), "salted");
    }
}
