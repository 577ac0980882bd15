//! Pairwise pseudonymous codes for vendors (the coupon-lottery case): an agency hands a vendor
//! codes that stand for consenting citizens, different for every service and vendor, so two
//! vendors cannot link their lists and no vendor learns who anyone is.
//!
//! ```text
//! pair key = HMAC-SHA256(the server's vendor-code key,
//!                        "lantern/v1/vendor-code" ‖ 0x00 ‖ service id ‖ 0x00 ‖ vendor)
//! code     = first 80 bits of HMAC-SHA256(pair key, subject pseudonym),
//!            in Crockford base32, grouped XXXX-XXXX-XXXX-XXXX
//! ```
//!
//! Codes are not stored: an agency resolves a vendor's list by recomputing the codes of the
//! service's consents in force and matching them, so a code of a withdrawn consent no longer
//! resolves.

use std::fmt;

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac as _};
use lantern_domain::ServiceId;
use lantern_log::SubjectPseudonym;
use sha2::Sha256;

/// The domain-separation prefix of a pair key's message.
const PAIR_TAG: &[u8] = b"lantern/v1/vendor-code\0";

/// Crockford's base32 alphabet: no I, L, O or U, so a code read aloud or typed is unambiguous.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters of a code without its hyphens (80 bits, 5 bits per character).
const CODE_CHARS: usize = 16;

/// Longest vendor name, in characters.
pub const MAX_VENDOR_CHARS: usize = 200;

/// The server's secret key for vendor codes (32 bytes). Its `Debug` is redacted.
#[derive(Clone)]
pub struct VendorCodeKey {
    key: [u8; 32],
}

/// The codes of one service for one vendor.
#[derive(Clone)]
pub struct PairKey {
    keyed: Hmac<Sha256>,
}

/// A vendor code: 16 Crockford base32 characters, shown in groups of four.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VendorCode([u8; CODE_CHARS]);

impl VendorCodeKey {
    /// Wraps 32 secret bytes.
    #[must_use]
    pub fn from_bytes(key: [u8; 32]) -> Self {
        Self { key }
    }

    /// The key of the codes `service` hands to `vendor` (the vendor's name as the agency writes
    /// it, compared after trimming).
    #[must_use]
    pub fn pair(&self, service: &ServiceId, vendor: &str) -> PairKey {
        let mut mac = hmac(&self.key);
        mac.update(PAIR_TAG);
        mac.update(service.as_str().as_bytes());
        mac.update(b"\0");
        mac.update(vendor.trim().as_bytes());
        let pair: [u8; 32] = mac.finalize().into_bytes().into();
        PairKey { keyed: hmac(&pair) }
    }
}

impl PairKey {
    /// The code of a subject.
    #[must_use]
    pub fn code(&self, subject: &SubjectPseudonym) -> VendorCode {
        let mut mac = self.keyed.clone();
        mac.update(subject.as_bytes());
        let digest = mac.finalize().into_bytes();
        let bits = digest[..10]
            .iter()
            .fold(0u128, |acc, b| (acc << 8) | u128::from(*b));
        let mut chars = [0u8; CODE_CHARS];
        for (i, c) in chars.iter_mut().enumerate() {
            let shift = 5 * (CODE_CHARS - 1 - i);
            *c = ALPHABET[usize::try_from((bits >> shift) & 0x1f).unwrap_or(0)];
        }
        VendorCode(chars)
    }
}

fn hmac(key: &[u8; 32]) -> Hmac<Sha256> {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(key);
    <Hmac<Sha256> as KeyInit>::new(&block.into())
}

impl VendorCode {
    /// Reads a code as people type it: any case, with or without hyphens or spaces, and the
    /// letters Crockford reads as digits (`O` as 0, `I` and `L` as 1).
    ///
    /// # Errors
    /// A message naming the rule for anything else.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        const RULE: &str = "a code is 16 letters and digits, e.g. 7K2M-9QXR-4D8F-B3NW";
        let mut chars = [0u8; CODE_CHARS];
        let mut n = 0;
        for c in text.bytes().filter(|c| !matches!(c, b'-' | b' ')) {
            let c = match c.to_ascii_uppercase() {
                b'O' => b'0',
                b'I' | b'L' => b'1',
                c if ALPHABET.contains(&c) => c,
                _ => return Err(RULE),
            };
            *chars.get_mut(n).ok_or(RULE)? = c;
            n += 1;
        }
        if n == CODE_CHARS {
            Ok(Self(chars))
        } else {
            Err(RULE)
        }
    }
}

impl fmt::Display for VendorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, group) in self.0.chunks(4).enumerate() {
            if i > 0 {
                f.write_str("-")?;
            }
            f.write_str(std::str::from_utf8(group).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}

impl fmt::Debug for VendorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VendorCode({self})")
    }
}

impl fmt::Debug for VendorCodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VendorCodeKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn service(id: &str) -> ServiceId {
        ServiceId::parse(id).unwrap()
    }

    #[test]
    fn codes_are_pairwise() {
        let key = VendorCodeKey::from_bytes([5; 32]);
        let alice = SubjectPseudonym::from_bytes([1; 32]);
        let bob = SubjectPseudonym::from_bytes([2; 32]);
        let lottery = key.pair(&service("coupon"), "甲商店");
        assert_eq!(lottery.code(&alice), lottery.code(&alice));
        assert_ne!(lottery.code(&alice), lottery.code(&bob));
        assert_eq!(
            key.pair(&service("coupon"), " 甲商店 ").code(&alice),
            lottery.code(&alice)
        );
        for other in [
            key.pair(&service("coupon"), "乙商店"),
            key.pair(&service("other"), "甲商店"),
            VendorCodeKey::from_bytes([6; 32]).pair(&service("coupon"), "甲商店"),
        ] {
            assert_ne!(other.code(&alice), lottery.code(&alice));
        }
    }

    #[test]
    fn codes_are_grouped_crockford_base32() {
        let code = VendorCodeKey::from_bytes([5; 32])
            .pair(&service("coupon"), "甲商店")
            .code(&SubjectPseudonym::from_bytes([1; 32]))
            .to_string();
        assert_eq!(code.len(), 19);
        assert!(code.split('-').all(|g| g.len() == 4));
        assert!(code.bytes().all(|b| b == b'-' || ALPHABET.contains(&b)));
    }

    #[test]
    fn typing_variants_parse_to_the_same_code() {
        let code = VendorCode::parse("7K2M-9QXR-4D8F-B3NW").unwrap();
        assert_eq!(VendorCode::parse("7k2m 9qxr 4d8f b3nw"), Ok(code));
        assert_eq!(
            VendorCode::parse("0000-1111-0000-1111"),
            VendorCode::parse("OOOO-IlIL-oooo-1111")
        );
        for bad in [
            "",
            "7K2M-9QXR-4D8F",
            "7K2M-9QXR-4D8F-B3NW0",
            "7K2M-9QXR-4D8F-B3N!",
            "UUUU-UUUU-UUUU-UUUU",
        ] {
            assert!(VendorCode::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn a_shown_code_parses_back(bytes in any::<[u8; 32]>(), vendor in "\\PC{0,20}") {
            let code = VendorCodeKey::from_bytes([9; 32])
                .pair(&service("coupon"), &vendor)
                .code(&SubjectPseudonym::from_bytes(bytes));
            prop_assert_eq!(VendorCode::parse(&code.to_string()), Ok(code));
        }

        #[test]
        fn parsing_never_panics(text in "\\PC{0,40}") {
            let _ = VendorCode::parse(&text);
        }
    }
}
