//! Subject pseudonyms: the keyed hash that stands for a national ID or resident certificate
//! number everywhere after ingestion.
//!
//! ```text
//! pseudonym = HMAC-SHA256(key = the server's 32-byte pseudonym key,
//!                         message = "lantern/v1/subject" ‖ 0x00 ‖ the normalised number)
//! ```
//!
//! The normalised number is the ten ASCII characters of [`SubjectId::expose`] (capital letters
//! and digits, check digit verified). The citizen portal recomputes the same pseudonym from a
//! logged-in citizen's verified ID to find their events, so this construction is fixed for
//! log format v1: changing the tag, the key or the normalisation makes every logged event
//! unfindable by its subject.
//!
//! The key is secret and stays on the server: without it a pseudonym cannot be reversed by
//! trying the (small) space of valid numbers, nor recomputed by anyone else. The tag keeps these
//! HMAC outputs apart from any other use of the same key.

use std::fmt;

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac as _};
use lantern_domain::SubjectId;
use lantern_log::SubjectPseudonym;
use sha2::Sha256;

/// The domain-separation prefix of the message: the ASCII text `lantern/v1/subject` and a
/// zero byte (no subject number contains one).
pub const SUBJECT_PSEUDONYM_TAG: &[u8] = b"lantern/v1/subject\0";

/// The server's secret key for subject pseudonyms (32 bytes). Its `Debug` is redacted.
#[derive(Clone)]
pub struct PseudonymKey {
    /// HMAC state after the key and the tag: each pseudonym clones it and hashes only the
    /// number, which saves the key schedule per event.
    keyed: Hmac<Sha256>,
}

impl PseudonymKey {
    /// Wraps 32 secret bytes the caller drew from a cryptographically secure source (or read
    /// from its configuration).
    #[must_use]
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        // RFC 2104 pads a key shorter than the 64-byte block with zeros, so the padded key is
        // the same HMAC key; the block-sized constructor cannot fail, unlike the slice one.
        let mut key = [0u8; 64];
        key[..32].copy_from_slice(&bytes);
        let mut keyed = <Hmac<Sha256> as KeyInit>::new(&key.into());
        keyed.update(SUBJECT_PSEUDONYM_TAG);
        Self { keyed }
    }

    /// The pseudonym of a subject: `HMAC-SHA256(key, tag ‖ normalised number)`.
    #[must_use]
    pub fn pseudonymise(&self, subject: &SubjectId) -> SubjectPseudonym {
        let mut mac = self.keyed.clone();
        mac.update(subject.expose().as_bytes());
        SubjectPseudonym::from_bytes(mac.finalize().into_bytes().into())
    }
}

impl fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PseudonymKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest as _;

    fn id(body: &str) -> SubjectId {
        SubjectId::with_check_digit('A', '1', body).unwrap()
    }

    /// HMAC-SHA256 written out from RFC 2104, independently of the precomputed state.
    fn reference_hmac(key: &[u8; 32], message: &[u8]) -> [u8; 32] {
        let mut padded = [0u8; 64];
        padded[..32].copy_from_slice(key);
        let inner_key: Vec<u8> = padded.iter().map(|b| b ^ 0x36).collect();
        let outer_key: Vec<u8> = padded.iter().map(|b| b ^ 0x5c).collect();
        let inner = Sha256::new()
            .chain_update(&inner_key)
            .chain_update(message)
            .finalize();
        Sha256::new()
            .chain_update(&outer_key)
            .chain_update(inner)
            .finalize()
            .into()
    }

    #[test]
    fn is_the_documented_hmac() {
        let key = [7u8; 32];
        let subject = id("2345678");
        let mut message = b"lantern/v1/subject\0".to_vec();
        message.extend_from_slice(subject.expose().as_bytes());
        assert_eq!(
            PseudonymKey::from_bytes(key).pseudonymise(&subject),
            SubjectPseudonym::from_bytes(reference_hmac(&key, &message))
        );
    }

    #[test]
    fn deterministic_and_key_dependent() {
        let key = PseudonymKey::from_bytes([1; 32]);
        let subject = id("2345678");
        assert_eq!(key.pseudonymise(&subject), key.pseudonymise(&subject));
        assert_eq!(
            key.pseudonymise(&subject),
            PseudonymKey::from_bytes([1; 32]).pseudonymise(&id("2345678"))
        );
        assert_ne!(key.pseudonymise(&subject), key.pseudonymise(&id("2345679")));
        assert_ne!(
            key.pseudonymise(&subject),
            PseudonymKey::from_bytes([2; 32]).pseudonymise(&subject)
        );
    }

    #[test]
    fn debug_is_redacted() {
        let key = PseudonymKey::from_bytes([0xab; 32]);
        assert_eq!(format!("{key:?}"), "PseudonymKey(<redacted>)");
    }
}
