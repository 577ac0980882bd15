//! Consent (同意) to a service's notice, PDPA Arts. 7-8: what is common to every consent record,
//! whatever stores it.

use std::fmt;

use crate::codes::LegalBasisCode;

/// The legal basis of collection and use under a consent: PDPA Art. 15 item 2 (經當事人同意),
/// the basis of a government agency collecting with the subject's consent.
pub const CONSENT_LEGAL_BASIS: &str = "PDPA-15-2";

/// [`CONSENT_LEGAL_BASIS`] as a code.
#[must_use]
pub fn consent_legal_basis() -> LegalBasisCode {
    LegalBasisCode::parse(CONSENT_LEGAL_BASIS).unwrap_or_else(|_| unreachable!("listed basis"))
}

/// Through which channel a consent was given or withdrawn (ISO/IEC TS 27560 "collection
/// method").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ConsentChannel {
    /// The citizen portal in a browser.
    Web,
    /// An agency system acting on the citizen's instruction through the API.
    Api,
    /// In person at a service counter, recorded by staff.
    Counter,
}

impl ConsentChannel {
    /// Every channel.
    pub const ALL: [Self; 3] = [Self::Web, Self::Api, Self::Counter];

    /// The stable name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Api => "api",
            Self::Counter => "counter",
        }
    }

    /// Parses a stable name.
    ///
    /// # Errors
    /// A message naming the allowed values.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == raw)
            .ok_or("one of web, api, counter")
    }
}

impl fmt::Display for ConsentChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_consent_basis_is_listed_and_is_consent() {
        assert!(consent_legal_basis().is_consent());
    }

    #[test]
    fn channels_round_trip_by_name() {
        for channel in ConsentChannel::ALL {
            assert_eq!(ConsentChannel::parse(channel.as_str()), Ok(channel));
        }
        assert!(ConsentChannel::parse("email").is_err());
    }
}
