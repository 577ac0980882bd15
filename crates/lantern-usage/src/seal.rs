//! Sealed subject numbers: a national ID encrypted under the server's seal key, kept where the
//! person must later be found again (a consent, to resolve a vendor's code back to a winner)
//! and nowhere else.
//!
//! ```text
//! sealed = nonce (24 random bytes) ‖ XChaCha20-Poly1305(key, nonce, aad = "lantern/v1/seal",
//!                                                       plaintext = the normalised number)
//! ```
//!
//! A sealed value reveals nothing without the key, and a value altered or sealed under another
//! key does not open. Shredding a subject deletes the rows that hold their sealed number.

use std::fmt;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use lantern_domain::SubjectId;

/// The associated data bound into every seal: a sealed value of another purpose or version
/// does not open as a subject number.
const SEAL_AAD: &[u8] = b"lantern/v1/seal";

/// Bytes of the random nonce at the front of a sealed value.
pub const SEAL_NONCE_BYTES: usize = 24;

/// The server's secret key for sealing subject numbers (32 bytes). Its `Debug` is redacted.
#[derive(Clone)]
pub struct SealKey {
    cipher: XChaCha20Poly1305,
}

/// A sealed value that does not open: altered, truncated, or sealed under another key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the sealed subject number does not open with this server's seal key")]
pub struct UnsealError;

impl SealKey {
    /// Wraps 32 secret bytes.
    #[must_use]
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(&bytes.into()),
        }
    }

    /// Seals `subject` with `nonce`, which the caller draws at random for every seal.
    #[must_use]
    pub fn seal(&self, subject: &SubjectId, nonce: [u8; SEAL_NONCE_BYTES]) -> Vec<u8> {
        let payload = Payload {
            msg: subject.expose().as_bytes(),
            aad: SEAL_AAD,
        };
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), payload)
            .unwrap_or_else(|_| unreachable!("a ten-byte message is far below the cipher's limit"));
        [nonce.as_slice(), &sealed].concat()
    }

    /// Opens a sealed value.
    ///
    /// # Errors
    /// [`UnsealError`] when it does not open or does not hold a valid number.
    pub fn open(&self, sealed: &[u8]) -> Result<SubjectId, UnsealError> {
        if sealed.len() <= SEAL_NONCE_BYTES {
            return Err(UnsealError);
        }
        let (nonce, ciphertext) = sealed.split_at(SEAL_NONCE_BYTES);
        let plain = self
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: SEAL_AAD,
                },
            )
            .map_err(|_| UnsealError)?;
        let text = std::str::from_utf8(&plain).map_err(|_| UnsealError)?;
        SubjectId::parse(text).map_err(|_| UnsealError)
    }
}

impl fmt::Debug for SealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject() -> SubjectId {
        SubjectId::with_check_digit('A', '1', "2345678").unwrap()
    }

    #[test]
    fn a_seal_opens_with_its_key_only() {
        let key = SealKey::from_bytes([3; 32]);
        let sealed = key.seal(&subject(), [9; SEAL_NONCE_BYTES]);
        assert_eq!(key.open(&sealed), Ok(subject()));
        assert_eq!(SealKey::from_bytes([4; 32]).open(&sealed), Err(UnsealError));
        assert!(
            !sealed
                .windows(10)
                .any(|w| w == subject().expose().as_bytes())
        );
    }

    #[test]
    fn altered_or_short_seals_do_not_open() {
        let key = SealKey::from_bytes([3; 32]);
        let sealed = key.seal(&subject(), [9; SEAL_NONCE_BYTES]);
        for i in 0..sealed.len() {
            let mut altered = sealed.clone();
            altered[i] ^= 1;
            assert_eq!(key.open(&altered), Err(UnsealError), "byte {i}");
        }
        assert_eq!(key.open(&sealed[..SEAL_NONCE_BYTES]), Err(UnsealError));
        assert_eq!(key.open(&[]), Err(UnsealError));
    }

    #[test]
    fn nonces_make_seals_of_one_number_differ() {
        let key = SealKey::from_bytes([3; 32]);
        assert_ne!(
            key.seal(&subject(), [1; SEAL_NONCE_BYTES]),
            key.seal(&subject(), [2; SEAL_NONCE_BYTES])
        );
    }

    #[test]
    fn debug_is_redacted() {
        assert_eq!(
            format!("{:?}", SealKey::from_bytes([1; 32])),
            "SealKey(<redacted>)"
        );
    }
}
