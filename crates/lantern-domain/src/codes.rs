//! Codes from the PDPA reference lists, each a type that can only hold a well-formed value.
//!
//! Purposes and data categories are checked for shape and range only: the lists we ship are
//! partial, so a well-formed code that is not listed is *unlisted*, not invalid (see
//! [`crate::reference`]). Legal bases and disclosure-restriction grounds are checked against
//! their complete lists.

use std::fmt;

use crate::reference::builtin;

/// Why a code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// The code does not have the shape of its kind.
    #[error("{0}")]
    Format(&'static str),
    /// The code has the right shape but does not exist.
    #[error("{0}")]
    Unknown(&'static str),
}

macro_rules! string_code {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// The code as written in the official list.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = CodeError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(deserializer)?;
                Self::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_code! {
    /// A specific purpose (特定目的) code, `001` to `182`.
    PurposeCode
}

/// The highest specific-purpose code in the official list (FL010631, 2012-10-01).
pub const MAX_PURPOSE_CODE: u16 = 182;

impl PurposeCode {
    /// Parses a three-digit code from `001` to `182`.
    ///
    /// # Errors
    /// [`CodeError::Format`] for anything but three digits, [`CodeError::Unknown`] outside the
    /// range.
    pub fn parse(raw: &str) -> Result<Self, CodeError> {
        if raw.len() != 3 || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CodeError::Format(
                "a specific-purpose code is three digits, e.g. 031",
            ));
        }
        let number: u16 = raw.parse().map_err(|_| CodeError::Format("three digits"))?;
        if !(1..=MAX_PURPOSE_CODE).contains(&number) {
            return Err(CodeError::Unknown(
                "specific-purpose codes run from 001 to 182",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The code as a number.
    #[must_use]
    pub fn number(&self) -> u16 {
        self.0.parse().unwrap_or_default()
    }
}

string_code! {
    /// A personal-data category (個人資料之類別) code such as `C001`.
    DataCategoryCode
}

/// The official category codes run in groups up to C13x; anything past C199 is a typing error.
const MAX_CATEGORY_NUMBER: u16 = 199;

impl DataCategoryCode {
    /// Parses `C` followed by three digits, from `C001` to `C199`.
    ///
    /// # Errors
    /// [`CodeError::Format`] for another shape, [`CodeError::Unknown`] outside the range.
    pub fn parse(raw: &str) -> Result<Self, CodeError> {
        let digits = raw.strip_prefix('C').unwrap_or("");
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CodeError::Format(
                "a data-category code is a capital C and three digits, e.g. C001",
            ));
        }
        let number: u16 = digits
            .parse()
            .map_err(|_| CodeError::Format("three digits"))?;
        if !(1..=MAX_CATEGORY_NUMBER).contains(&number) {
            return Err(CodeError::Unknown(
                "data-category codes run from C001 to C199",
            ));
        }
        Ok(Self(raw.to_owned()))
    }
}

string_code! {
    /// A legal basis from the PDPA (Arts. 6, 15, 16, 19, 20), e.g. `PDPA-16-P5`. The list is
    /// complete, so only listed codes exist.
    LegalBasisCode
}

impl LegalBasisCode {
    /// Parses a code from the legal-bases list.
    ///
    /// # Errors
    /// [`CodeError::Unknown`] when the code is not in the list.
    pub fn parse(raw: &str) -> Result<Self, CodeError> {
        if builtin().legal_basis(raw).is_none() {
            return Err(CodeError::Unknown(
                "not a legal-basis code from the list (e.g. PDPA-15-1, PDPA-16-P5, PDPA-6-P1)",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The PDPA article this basis belongs to.
    #[must_use]
    pub fn article(&self) -> u16 {
        self.0
            .split('-')
            .nth(1)
            .and_then(|a| a.parse().ok())
            .unwrap_or_default()
    }

    /// An exception in the Art. 6 proviso, which alone permits handling sensitive data.
    #[must_use]
    pub fn is_art6_exception(&self) -> bool {
        self.0.starts_with("PDPA-6-P") && self.0 != "PDPA-6-PARA2"
    }

    /// An exception that permits use outside the specific purpose: the Art. 16 proviso (public
    /// agencies) or the Art. 20 proviso (non-public bodies).
    #[must_use]
    pub fn is_out_of_purpose_exception(&self) -> bool {
        ["PDPA-16-P", "PDPA-20-P"]
            .iter()
            .any(|prefix| self.0.starts_with(prefix))
            && !self.0.contains("PARA")
    }

    /// The basis is the data subject's consent (Art. 6 item 6, 15 item 2, 16 item 7, 19 item 5,
    /// 20 item 6), so how consent is obtained must be disclosed.
    #[must_use]
    pub fn is_consent(&self) -> bool {
        matches!(
            self.0.as_str(),
            "PDPA-6-P6" | "PDPA-15-2" | "PDPA-16-P7" | "PDPA-19-5" | "PDPA-20-P6"
        )
    }
}

string_code! {
    /// A ground for restricting disclosure under the Freedom of Government Information Law
    /// Art. 18 para. 1 (政府資訊公開法第18條), `GIDA-18-1` to `GIDA-18-9`.
    RestrictionGroundCode
}

impl RestrictionGroundCode {
    /// Parses a code from the restriction-grounds list.
    ///
    /// # Errors
    /// [`CodeError::Unknown`] when the code is not in the list.
    pub fn parse(raw: &str) -> Result<Self, CodeError> {
        if builtin().restriction_ground(raw).is_none() {
            return Err(CodeError::Unknown(
                "not a restriction ground: use GIDA-18-1 to GIDA-18-9",
            ));
        }
        Ok(Self(raw.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn purposes() {
        assert!(PurposeCode::parse("001").is_ok());
        assert!(PurposeCode::parse("182").is_ok());
        assert!(matches!(
            PurposeCode::parse("183"),
            Err(CodeError::Unknown(_))
        ));
        assert!(matches!(
            PurposeCode::parse("000"),
            Err(CodeError::Unknown(_))
        ));
        assert!(matches!(
            PurposeCode::parse("31"),
            Err(CodeError::Format(_))
        ));
        assert!(matches!(
            PurposeCode::parse("０３１"),
            Err(CodeError::Format(_))
        ));
    }

    #[test]
    fn categories() {
        assert!(DataCategoryCode::parse("C001").is_ok());
        assert!(DataCategoryCode::parse("C111").is_ok());
        assert!(DataCategoryCode::parse("c001").is_err());
        assert!(DataCategoryCode::parse("C1").is_err());
        assert!(DataCategoryCode::parse("C000").is_err());
    }

    #[test]
    fn legal_bases() {
        let p5 = LegalBasisCode::parse("PDPA-16-P5").unwrap();
        assert_eq!(p5.article(), 16);
        assert!(p5.is_out_of_purpose_exception());
        assert!(!p5.is_art6_exception());
        assert!(
            LegalBasisCode::parse("PDPA-6-P4")
                .unwrap()
                .is_art6_exception()
        );
        assert!(
            !LegalBasisCode::parse("PDPA-6-MAIN")
                .unwrap()
                .is_art6_exception()
        );
        assert!(LegalBasisCode::parse("PDPA-16-P7").unwrap().is_consent());
        assert!(LegalBasisCode::parse("PDPA-99-1").is_err());
        assert!(RestrictionGroundCode::parse("GIDA-18-2").is_ok());
        assert!(RestrictionGroundCode::parse("GIDA-18-10").is_err());
    }

    proptest! {
        #[test]
        fn purpose_round_trip(n in 1u16..=182) {
            let code = PurposeCode::parse(&format!("{n:03}")).unwrap();
            prop_assert_eq!(code.number(), n);
            let json = serde_json::to_string(&code).unwrap();
            prop_assert_eq!(serde_json::from_str::<PurposeCode>(&json).unwrap(), code);
        }

        #[test]
        fn parsers_never_panic(input in "\\PC{0,8}") {
            let _ = PurposeCode::parse(&input);
            let _ = DataCategoryCode::parse(&input);
            let _ = LegalBasisCode::parse(&input);
        }
    }
}
