//! Random secrets and their stored digests.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Bytes of randomness in every token, session secret and CSRF token: 256 bits, beyond any
/// guessing.
const SECRET_BYTES: usize = 32;

/// Length of [`random_secret`]'s text: unpadded base64url of [`SECRET_BYTES`].
pub(super) const SECRET_CHARS: usize = 43;

/// A fresh secret as unpadded base64url text. `rand::rng()` is a CSPRNG seeded from the OS.
pub(crate) fn random_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// True when `text` has the shape of a [`random_secret`]. Checked before any store lookup so
/// that garbage is refused without touching the store.
pub(super) fn is_secret_shaped(text: &str) -> bool {
    text.len() == SECRET_CHARS
        && URL_SAFE_NO_PAD
            .decode(text)
            .is_ok_and(|bytes| bytes.len() == SECRET_BYTES)
}

/// The digest under which a secret is stored: SHA-256 of its text as sent.
pub(super) fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// Compares two values in time that depends only on their lengths.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_fresh_and_well_shaped() {
        let (a, b) = (random_secret(), random_secret());
        assert_ne!(a, b);
        assert_eq!(a.len(), SECRET_CHARS);
        assert!(is_secret_shaped(&a));
        assert!(!is_secret_shaped(&a[1..]));
        assert!(!is_secret_shaped(&format!("{}=", &a[1..])));
        assert!(!is_secret_shaped(""));
    }

    #[test]
    fn comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
