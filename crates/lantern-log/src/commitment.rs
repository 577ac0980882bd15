//! The commitment that ties a public log entry to the full usage event, and the salt that makes
//! it hiding and shreddable.
//!
//! ```text
//! salt       = HMAC-SHA256(key = subject secret, message = event id)
//! commitment = SHA-256("lantern/v1/event-commitment" ‖ 0x00 ‖ salt ‖ canonical event bytes)
//! ```
//!
//! The event id is the ASCII of its canonical text form (36 lowercase characters). Each subject
//! has one random 32-byte [`SubjectSecret`], used for nothing else. Without the salt, the
//! commitment reveals nothing about the event, even one whose fields are easy to guess; with
//! it, the subject's browser recomputes the commitment from the event bytes. Deleting the
//! subject's secret (crypto-shredding) and their stored events leaves every commitment in the
//! tree unchanged and forever unlinkable to them.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::{Digest as _, Sha256};

use crate::event::EventId;

/// The domain-separation prefix of every commitment: the ASCII text
/// `lantern/v1/event-commitment` and a zero byte, so that no other SHA-256 input of the
/// system (leaf hashes start with 0x00, nodes with 0x01) can collide with a commitment.
pub const COMMITMENT_DOMAIN_TAG: &[u8] = b"lantern/v1/event-commitment\0";

/// A subject's secret: 32 random bytes from which the salt of each of their events derives.
/// Deleting it is what crypto-shredding means. Its `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct SubjectSecret([u8; 32]);

impl SubjectSecret {
    /// Wraps 32 bytes the caller drew from a cryptographically secure random source (or read
    /// back from storage).
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The bytes, for storage.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for SubjectSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SubjectSecret(<redacted>)")
    }
}

/// The salt of one event: `HMAC-SHA256(subject secret, event id)`. Given to the subject (in a
/// proof bundle) so they can open the commitment; it reveals nothing about their other events.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Salt([u8; 32]);

impl Salt {
    /// Derives the salt of an event from its subject's secret.
    #[must_use]
    pub fn derive(secret: &SubjectSecret, event: &EventId) -> Self {
        // RFC 2104 pads a key shorter than the hash's 64-byte block with zeros, so the 32-byte
        // secret padded to 64 bytes is the same HMAC key; the block-sized constructor cannot
        // fail, unlike the slice one.
        let mut key = [0u8; 64];
        key[..32].copy_from_slice(&secret.0);
        let mut mac = <Hmac<Sha256> as hmac::digest::KeyInit>::new(&key.into());
        mac.update(event.as_str().as_bytes());
        Self(mac.finalize().into_bytes().into())
    }

    /// Wraps 32 bytes (a salt read back from storage or a proof bundle).
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The 32 bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// 64 lowercase hex digits.
    #[must_use]
    pub fn to_hex(&self) -> String {
        hex_encode(&self.0)
    }

    /// Parses 64 lowercase hex digits.
    ///
    /// # Errors
    /// A message naming the rule for anything else.
    pub fn from_hex(text: &str) -> Result<Self, &'static str> {
        hex_decode_32(text).map(Self)
    }
}

impl fmt::Debug for Salt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Salt({})", self.to_hex())
    }
}

/// `SHA-256(tag ‖ salt ‖ canonical event bytes)`: binds a log entry to one exact event without
/// revealing it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Commitment([u8; 32]);

impl Commitment {
    /// Computes the commitment to the canonical bytes of an event under a salt.
    #[must_use]
    pub fn compute(salt: &Salt, canonical_event: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(COMMITMENT_DOMAIN_TAG);
        hasher.update(salt.0);
        hasher.update(canonical_event);
        Self(hasher.finalize().into())
    }

    /// Wraps 32 bytes.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The 32 bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// 64 lowercase hex digits, the form entries carry.
    #[must_use]
    pub fn to_hex(&self) -> String {
        hex_encode(&self.0)
    }

    /// Parses 64 lowercase hex digits.
    ///
    /// # Errors
    /// A message naming the rule for anything else.
    pub fn from_hex(text: &str) -> Result<Self, &'static str> {
        hex_decode_32(text).map(Self)
    }
}

impl fmt::Display for Commitment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Commitment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Commitment({})", self.to_hex())
    }
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

pub(crate) fn hex_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(HEX_DIGITS[usize::from(byte & 0xf)]));
    }
    out
}

/// Lowercase only, so that one value has one spelling.
pub(crate) fn hex_decode_32(text: &str) -> Result<[u8; 32], &'static str> {
    const RULE: &str = "64 lowercase hexadecimal digits";
    let digits = text.as_bytes();
    if digits.len() != 64 {
        return Err(RULE);
    }
    let value = |digit: u8| -> Result<u8, &'static str> {
        match digit {
            b'0'..=b'9' => Ok(digit - b'0'),
            b'a'..=b'f' => Ok(digit - b'a' + 10),
            _ => Err(RULE),
        }
    };
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        *byte = (value(pair[0])? << 4) | value(pair[1])?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const EVENT_ID: &str = "3f2b8c1e-5d4a-4e9b-9c7d-1a2b3c4d5e6f";

    #[test]
    fn salt_is_hmac_sha256_of_the_event_id() {
        let secret = SubjectSecret::from_bytes([7; 32]);
        let id = EventId::parse(EVENT_ID).unwrap();
        let mut reference = <Hmac<Sha256> as Mac>::new_from_slice(&[7; 32]).unwrap();
        reference.update(EVENT_ID.as_bytes());
        let expected: [u8; 32] = reference.finalize().into_bytes().into();
        assert_eq!(Salt::derive(&secret, &id).as_bytes(), &expected);
        // Another secret or another event gives an unrelated salt.
        let other = SubjectSecret::from_bytes([8; 32]);
        assert_ne!(Salt::derive(&other, &id), Salt::derive(&secret, &id));
        let other_id = EventId::parse("3f2b8c1e-5d4a-4e9b-9c7d-1a2b3c4d5e70").unwrap();
        assert_ne!(Salt::derive(&secret, &other_id), Salt::derive(&secret, &id));
    }

    #[test]
    fn commitment_is_sha256_over_tag_salt_and_event() {
        let salt = Salt::from_bytes([1; 32]);
        let event = br#"{"v":1}"#;
        let mut input = b"lantern/v1/event-commitment\x00".to_vec();
        input.extend_from_slice(&[1; 32]);
        input.extend_from_slice(event);
        let expected: [u8; 32] = Sha256::digest(&input).into();
        assert_eq!(Commitment::compute(&salt, event).as_bytes(), &expected);
    }

    #[test]
    fn secrets_are_redacted() {
        let secret = SubjectSecret::from_bytes([0x5a; 32]);
        assert_eq!(format!("{secret:?}"), "SubjectSecret(<redacted>)");
        assert_eq!(secret.as_bytes(), &[0x5a; 32]);
    }

    #[test]
    fn hex_is_lowercase_and_exact() {
        let c = Commitment::from_bytes([0xab; 32]);
        assert_eq!(c.to_hex(), "ab".repeat(32));
        assert_eq!(Commitment::from_hex(&"ab".repeat(32)), Ok(c));
        assert!(Commitment::from_hex(&"AB".repeat(32)).is_err());
        assert!(Commitment::from_hex(&"ab".repeat(31)).is_err());
        assert!(Salt::from_hex(&"zz".repeat(32)).is_err());
        assert!(Salt::from_hex("").is_err());
    }

    proptest! {
        #[test]
        fn hex_round_trips(bytes in any::<[u8; 32]>()) {
            let salt = Salt::from_bytes(bytes);
            prop_assert_eq!(Salt::from_hex(&salt.to_hex()), Ok(salt));
            prop_assert_eq!(format!("{:?}", salt), format!("Salt({})", salt.to_hex()));
        }
    }
}
