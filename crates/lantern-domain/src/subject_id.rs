//! Identifiers of data subjects: the national ID (國民身分證統一編號) and the new- and old-format
//! resident certificate numbers (統一證號). All three carry a check digit; a [`SubjectId`] can
//! only be built from a number whose check digit is right.

use std::fmt;

/// Which kind of number a [`SubjectId`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubjectIdKind {
    /// 國民身分證統一編號: a letter, `1` or `2`, eight digits.
    NationalId,
    /// 新式統一證號 (issued from 2021-01-02): a letter, `8` or `9`, eight digits.
    ResidentNew,
    /// 舊式統一證號: two letters (the second A-D), eight digits.
    ResidentOld,
}

/// Why a string is not a valid subject identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SubjectIdError {
    /// Not ten characters of the shapes `[A-Z][1289]\d{8}` or `[A-Z][A-D]\d{8}`.
    #[error(
        "must be 10 characters: a capital letter then 1, 2, 8 or 9 and eight digits (national ID, new resident number), or two capital letters (the second A-D) and eight digits (old resident number)"
    )]
    Format,
    /// The shape is right but the check digit is not.
    #[error("the check digit does not match; please check the number for a typing error")]
    CheckDigit,
}

/// A validated national ID or resident certificate number. The value is personal data: it is
/// never logged (its `Debug` is redacted) and is pseudonymised before anything is stored.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SubjectId {
    value: [u8; 10],
    kind: SubjectIdKind,
}

/// The two-digit code of each initial letter, in the official order A..Z.
const LETTER_CODES: [u8; 26] = [
    10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25, 26, 27, 28, 29, 32, 30,
    31, 33,
];

/// Weights of positions 2..=9 (the check digit at position 10 has weight 1).
const DIGIT_WEIGHTS: [u32; 8] = [8, 7, 6, 5, 4, 3, 2, 1];

impl SubjectId {
    /// Parses and checks a number.
    ///
    /// # Errors
    /// [`SubjectIdError::Format`] for a wrong shape, [`SubjectIdError::CheckDigit`] for a wrong
    /// check digit.
    pub fn parse(input: &str) -> Result<Self, SubjectIdError> {
        let bytes: [u8; 10] = input
            .as_bytes()
            .try_into()
            .map_err(|_| SubjectIdError::Format)?;
        let first = bytes[0];
        let second = bytes[1];
        if !first.is_ascii_uppercase() || !bytes[2..].iter().all(u8::is_ascii_digit) {
            return Err(SubjectIdError::Format);
        }
        let letter = u32::from(LETTER_CODES[usize::from(first - b'A')]);
        let (kind, second_value) = match second {
            b'1' | b'2' => (SubjectIdKind::NationalId, u32::from(second - b'0')),
            b'8' | b'9' => (SubjectIdKind::ResidentNew, u32::from(second - b'0')),
            // Old format: the second letter counts as the units digit of its own letter code.
            b'A'..=b'D' => (
                SubjectIdKind::ResidentOld,
                u32::from(LETTER_CODES[usize::from(second - b'A')] % 10),
            ),
            _ => return Err(SubjectIdError::Format),
        };
        let digits = bytes[2..].iter().map(|b| u32::from(b - b'0'));
        let mut sum = letter / 10 + (letter % 10) * 9 + second_value * DIGIT_WEIGHTS[0];
        let mut check = 0;
        for (i, digit) in digits.enumerate() {
            match DIGIT_WEIGHTS.get(i + 1) {
                Some(weight) => sum += digit * weight,
                None => check = digit,
            }
        }
        if !(sum + check).is_multiple_of(10) {
            return Err(SubjectIdError::CheckDigit);
        }
        Ok(Self { value: bytes, kind })
    }

    /// Which kind of number this is.
    #[must_use]
    pub const fn kind(&self) -> SubjectIdKind {
        self.kind
    }

    /// The number itself. Handle with care: this is personal data.
    #[must_use]
    pub fn expose(&self) -> &str {
        // The constructor only accepts ASCII.
        std::str::from_utf8(&self.value).unwrap_or_default()
    }

    /// Builds a valid number from a letter, a kind and eight digits of body (the check digit is
    /// computed). For synthetic test and demo data.
    ///
    /// # Errors
    /// [`SubjectIdError::Format`] when `letter` is not `A`-`Z`, `second` does not fit, or
    /// `body` is not seven digits.
    pub fn with_check_digit(
        letter: char,
        second: char,
        body: &str,
    ) -> Result<Self, SubjectIdError> {
        if body.len() != 7 {
            return Err(SubjectIdError::Format);
        }
        for check in 0..10 {
            let candidate = format!("{letter}{second}{body}{check}");
            match Self::parse(&candidate) {
                Ok(id) => return Ok(id),
                Err(SubjectIdError::CheckDigit) => {}
                Err(SubjectIdError::Format) => return Err(SubjectIdError::Format),
            }
        }
        Err(SubjectIdError::CheckDigit)
    }
}

impl fmt::Debug for SubjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SubjectId({:?}, <redacted>)", self.kind)
    }
}

impl std::str::FromStr for SubjectId {
    type Err = SubjectIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl<'de> serde::Deserialize<'de> for SubjectId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn published_examples() {
        for valid in [
            "B123456780",
            "K209876548",
            "Z100000002",
            "A123456789",
            "D931415924",
            "E876543219",
            "W900000016",
            "A800000014",
            "AA00000009",
        ] {
            assert!(SubjectId::parse(valid).is_ok(), "{valid} should be valid");
        }
        for invalid in [
            "B123456785",
            "K209876541",
            "Z100000003",
            "D931415920",
            "E876543210",
            "W900000011",
            "A123456788",
        ] {
            assert_eq!(
                SubjectId::parse(invalid),
                Err(SubjectIdError::CheckDigit),
                "{invalid}"
            );
        }
    }

    #[test]
    fn kinds() {
        assert_eq!(
            SubjectId::parse("B123456780").unwrap().kind(),
            SubjectIdKind::NationalId
        );
        assert_eq!(
            SubjectId::parse("D931415924").unwrap().kind(),
            SubjectIdKind::ResidentNew
        );
        assert_eq!(
            SubjectId::parse("AA00000009").unwrap().kind(),
            SubjectIdKind::ResidentOld
        );
    }

    #[test]
    fn shapes() {
        for bad in [
            "",
            "b123456780",
            "B323456780",
            "B12345678",
            "B1234567800",
            "BE00000009",
            "B12345678X",
            "Ｂ12345678",
        ] {
            assert_eq!(
                SubjectId::parse(bad),
                Err(SubjectIdError::Format),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn debug_is_redacted() {
        let id = SubjectId::parse("B123456780").unwrap();
        assert!(!format!("{id:?}").contains("123456780"));
    }

    proptest! {
        #[test]
        fn exactly_one_check_digit_fits(letter in 0u8..26, second in prop::sample::select(vec!['1', '2', '8', '9', 'A', 'B', 'C', 'D']), body in "[0-9]{7}") {
            let letter = char::from(b'A' + letter);
            let valid: Vec<_> = (0..10).filter(|d| SubjectId::parse(&format!("{letter}{second}{body}{d}")).is_ok()).collect();
            prop_assert_eq!(valid.len(), 1);
            let built = SubjectId::with_check_digit(letter, second, &body).unwrap();
            prop_assert_eq!(SubjectId::parse(built.expose()).unwrap(), built);
        }

        #[test]
        fn never_panics(input in "\\PC{0,12}") {
            let _ = SubjectId::parse(&input);
        }
    }
}
