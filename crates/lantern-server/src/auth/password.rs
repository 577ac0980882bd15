//! Staff passwords: Argon2id hashes in PHC string form.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;

use super::AuthError;

/// Hashes `password` with Argon2id (the crate's defaults: 19 MiB, 2 passes, 1 lane, as OWASP
/// recommends) and a fresh random salt, as a PHC string.
///
/// # Errors
/// [`AuthError::Internal`] when hashing fails (it does not for any password of sane length).
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt =
        SaltString::encode_b64(&salt).map_err(|e| AuthError::Internal(format!("salt: {e}")))?;
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| AuthError::Internal(format!("argon2: {e}")))?;
    Ok(hash.to_string())
}

/// A hash of a password nobody knows, verified against when the username is unknown so that an
/// unknown user costs as much time as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("lantern: no such user").unwrap_or_default());

/// Checks `password` against a stored PHC string, or against [`DUMMY_HASH`] when there is no
/// account (`None`), in which case the answer is always false. Argon2's verification compares
/// in constant time. It runs on the blocking pool: it takes tens of milliseconds of CPU.
pub(super) async fn verify_password(
    password: &str,
    stored_hash: Option<&str>,
) -> Result<bool, AuthError> {
    let stored_hash = stored_hash.map(str::to_owned);
    let password = password.to_owned();
    let matches = tokio::task::spawn_blocking(move || {
        let hash = stored_hash.as_deref().unwrap_or(&DUMMY_HASH);
        // An unparsable stored hash cannot match any password.
        PasswordHash::new(hash).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        }) && stored_hash.is_some()
    })
    .await
    .map_err(|e| AuthError::Internal(format!("password check did not finish: {e}")))?;
    Ok(matches)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_only_their_password() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert_ne!(
            hash,
            hash_password("correct horse").unwrap(),
            "salts differ"
        );
        assert!(verify_password("correct horse", Some(&hash)).await.unwrap());
        assert!(!verify_password("wrong horse", Some(&hash)).await.unwrap());
        assert!(
            !verify_password("lantern: no such user", None)
                .await
                .unwrap()
        );
        assert!(
            !verify_password("x", Some("not a phc string"))
                .await
                .unwrap()
        );
    }
}
