//! The log entry, format version 1: what the public log says about one usage event.
//!
//! An entry holds no personal data. It carries the event's public metadata (the day, the
//! agency, the personal-data file, what was done, for which specific purpose and on which legal
//! basis, whether that was outside the file's purposes, how many records, whether the event is
//! withheld from its subject and on what ground) and a 32-byte [`Commitment`] to the full
//! event, which only the subject (holding the salt) can open.
//!
//! Its bytes are canonical compact JSON with a fixed key order (see `docs/log-format.md`):
//!
//! ```text
//! {"v":1,"day":"2025-03-14","agency":"MOHW-NHIA","file":"nhi-claims","action":"use",
//!  "purpose":"031","legal_basis":"PDPA-15-1","out_of_purpose":false,"records":1,
//!  "withheld":false,"ground":null,"commitment":"<64 lowercase hex digits>"}
//! ```
//!
//! (one line, no spaces). The leaf hash of the entry is `SHA-256(0x00 ‖ those bytes)`.

use std::fmt;

use lantern_domain::codes::CodeError;
use lantern_domain::{AgencyCode, FileId, LegalBasisCode, PurposeCode, RestrictionGroundCode};
use time::{Date, Month};

use crate::canonical_json::{self, FormatError, ObjectWriter, invalid};
use crate::commitment::{Commitment, Salt};
use crate::event::CanonicalEvent;
use crate::merkle::{self, Hash};

/// The entry format this library writes and reads.
pub const ENTRY_FORMAT_VERSION: u64 = 1;

/// The largest record count an entry carries: 2^53 − 1, the largest integer every JSON reader
/// (including JavaScript's) represents exactly.
pub const MAX_RECORDS: u64 = (1 << 53) - 1;

/// What was done with the personal data, in the words of the PDPA (蒐集、處理、利用…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// 蒐集: collected from the subject or a third party.
    Collect,
    /// 處理: recorded, edited, stored, linked internally or otherwise processed.
    Process,
    /// 利用: used within the file's specific purposes.
    Use,
    /// 提供: disclosed to another body.
    Disclose,
    /// 特定目的外利用: used outside the file's specific purposes (PDPA Art. 16 proviso).
    OutOfPurposeUse,
    /// 連結: linked or matched with another file.
    Link,
    /// 匯出: exported, for example as a bulk release.
    Export,
    /// 更正: corrected or supplemented (PDPA Art. 11).
    Correct,
    /// 刪除: deleted.
    Delete,
    /// 同意: the subject consented to a service's collection and use (PDPA Arts. 7-8); the
    /// event is the consent record.
    Consent,
    /// 撤回同意: the subject withdrew a consent given earlier.
    WithdrawConsent,
}

impl Action {
    /// Every action, in the order of the list above.
    pub const ALL: [Action; 11] = [
        Action::Collect,
        Action::Process,
        Action::Use,
        Action::Disclose,
        Action::OutOfPurposeUse,
        Action::Link,
        Action::Export,
        Action::Correct,
        Action::Delete,
        Action::Consent,
        Action::WithdrawConsent,
    ];

    /// The action's name in entries and events, e.g. `out_of_purpose_use`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::Collect => "collect",
            Action::Process => "process",
            Action::Use => "use",
            Action::Disclose => "disclose",
            Action::OutOfPurposeUse => "out_of_purpose_use",
            Action::Link => "link",
            Action::Export => "export",
            Action::Correct => "correct",
            Action::Delete => "delete",
            Action::Consent => "consent",
            Action::WithdrawConsent => "withdraw_consent",
        }
    }

    /// Parses an action's name.
    ///
    /// # Errors
    /// A message listing the names when `name` is none of them.
    pub fn parse(name: &str) -> Result<Self, &'static str> {
        Self::ALL
            .into_iter()
            .find(|action| action.as_str() == name)
            .ok_or(
                "one of collect, process, use, disclose, out_of_purpose_use, link, export, correct, delete, consent, withdraw_consent",
            )
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a use fell within the specific purposes registered for the file
/// (特定目的內/外). Decided by whoever knows the file's registered purposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PurposeScope {
    /// The purpose is one the file is registered for.
    WithinPurpose,
    /// The purpose is not among the file's registered purposes: an out-of-purpose use, which
    /// needs a PDPA Art. 16 (or Art. 6) basis and is counted and published as such.
    OutOfPurpose,
}

/// The values of a log entry, before they are checked against each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryParts {
    /// The UTC date on which the event occurred.
    pub day: Date,
    /// The agency that reported the event.
    pub agency: AgencyCode,
    /// The personal-data file (個人資料檔案) the data came from.
    pub file: FileId,
    /// What was done.
    pub action: Action,
    /// The specific purpose (特定目的) of the use.
    pub purpose: PurposeCode,
    /// The legal basis relied on.
    pub legal_basis: LegalBasisCode,
    /// Whether the purpose is within the file's registered purposes.
    pub scope: PurposeScope,
    /// How many records of the subject were involved, 1 to [`MAX_RECORDS`].
    pub records: u64,
    /// `Some(ground)` when the event is withheld from its subject (密件) under that
    /// disclosure-restriction ground; the entry itself is public from the start.
    pub withheld: Option<RestrictionGroundCode>,
    /// The commitment to the canonical event.
    pub commitment: Commitment,
}

/// One entry of the public log (format v1). Only constructible with consistent values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    parts: EntryParts,
}

impl LogEntry {
    /// Checks the values and makes an entry.
    ///
    /// # Errors
    /// [`FormatError::Invalid`] when the day's year is not four digits, `records` is outside
    /// 1..=[`MAX_RECORDS`], or the action is `out_of_purpose_use` while the scope says within
    /// purpose.
    pub fn new(parts: EntryParts) -> Result<Self, FormatError> {
        if !(0..=9999).contains(&parts.day.year()) {
            return Err(FormatError::Invalid {
                field: "day",
                rule: "the year must have four digits",
            });
        }
        if !(1..=MAX_RECORDS).contains(&parts.records) {
            return Err(FormatError::Invalid {
                field: "records",
                rule: "a record count is from 1 to 9007199254740991",
            });
        }
        if parts.action == Action::OutOfPurposeUse && parts.scope == PurposeScope::WithinPurpose {
            return Err(FormatError::Invalid {
                field: "out_of_purpose",
                rule: "an out_of_purpose_use is always out of purpose",
            });
        }
        Ok(Self { parts })
    }

    /// The entry for a canonical event: its public metadata, with the day taken as the UTC
    /// date of `occurred_at`, and the commitment `SHA-256(tag ‖ salt ‖ event bytes)`.
    ///
    /// # Errors
    /// As [`LogEntry::new`]: only the action/scope contradiction can occur for a valid event.
    pub fn for_event(
        event: &CanonicalEvent,
        scope: PurposeScope,
        salt: &Salt,
    ) -> Result<Self, FormatError> {
        let e = event.parts();
        Self::new(EntryParts {
            day: event.day(),
            agency: e.agency.clone(),
            file: e.file.clone(),
            action: e.action,
            purpose: e.purpose.clone(),
            legal_basis: e.legal_basis.clone(),
            scope,
            records: e.records,
            withheld: e.confidential.as_ref().map(|c| c.ground.clone()),
            commitment: Commitment::compute(salt, event.canonical().as_bytes()),
        })
    }

    /// The entry's values.
    #[must_use]
    pub fn parts(&self) -> &EntryParts {
        &self.parts
    }

    /// Whether the use was outside the file's registered purposes.
    #[must_use]
    pub fn is_out_of_purpose(&self) -> bool {
        self.parts.scope == PurposeScope::OutOfPurpose
    }

    /// The canonical bytes of the entry (compact JSON, fixed key order, ASCII only).
    #[must_use]
    pub fn encode(&self) -> String {
        let p = &self.parts;
        ObjectWriter::new()
            .number("v", ENTRY_FORMAT_VERSION)
            .string("day", &format_date(p.day))
            .string("agency", p.agency.as_str())
            .string("file", p.file.as_str())
            .string("action", p.action.as_str())
            .string("purpose", p.purpose.as_str())
            .string("legal_basis", p.legal_basis.as_str())
            .boolean("out_of_purpose", self.is_out_of_purpose())
            .number("records", p.records)
            .boolean("withheld", p.withheld.is_some())
            .optional_string(
                "ground",
                p.withheld.as_ref().map(RestrictionGroundCode::as_str),
            )
            .string("commitment", &p.commitment.to_hex())
            .finish()
    }

    /// The RFC 6962 leaf hash of the entry's canonical bytes.
    #[must_use]
    pub fn leaf_hash(&self) -> Hash {
        merkle::leaf_hash(self.encode().as_bytes())
    }

    /// Reads an entry from its canonical bytes.
    ///
    /// # Errors
    /// [`FormatError::UnsupportedVersion`] for another `v`; [`FormatError::Malformed`] for
    /// bytes that are not an entry object (unknown or missing keys, wrong types);
    /// [`FormatError::Invalid`] for a value that breaks a rule; [`FormatError::NotCanonical`]
    /// for a valid entry in any but its canonical encoding.
    pub fn decode(bytes: &[u8]) -> Result<Self, FormatError> {
        let wire: WireEntry = canonical_json::parse(bytes, ENTRY_FORMAT_VERSION)?;
        if wire.v != ENTRY_FORMAT_VERSION {
            return Err(FormatError::UnsupportedVersion { found: wire.v });
        }
        let scope = if wire.out_of_purpose {
            PurposeScope::OutOfPurpose
        } else {
            PurposeScope::WithinPurpose
        };
        let withheld = match (wire.withheld, wire.ground) {
            (true, Some(ground)) => {
                Some(RestrictionGroundCode::parse(&ground).map_err(invalid_code("ground"))?)
            }
            (false, None) => None,
            (true, None) => {
                return Err(FormatError::Invalid {
                    field: "ground",
                    rule: "a withheld entry names its restriction ground",
                });
            }
            (false, Some(_)) => {
                return Err(FormatError::Invalid {
                    field: "ground",
                    rule: "only a withheld entry has a restriction ground",
                });
            }
        };
        let entry = Self::new(EntryParts {
            day: parse_date(&wire.day).map_err(invalid("day"))?,
            agency: AgencyCode::parse(&wire.agency).map_err(invalid("agency"))?,
            file: FileId::parse(&wire.file).map_err(invalid("file"))?,
            action: Action::parse(&wire.action).map_err(invalid("action"))?,
            purpose: PurposeCode::parse(&wire.purpose).map_err(invalid_code("purpose"))?,
            legal_basis: LegalBasisCode::parse(&wire.legal_basis)
                .map_err(invalid_code("legal_basis"))?,
            scope,
            records: wire.records,
            withheld,
            commitment: Commitment::from_hex(&wire.commitment).map_err(invalid("commitment"))?,
        })?;
        if entry.encode().as_bytes() != bytes {
            return Err(FormatError::NotCanonical);
        }
        Ok(entry)
    }
}

/// The JSON shape of an entry, read before any value is checked.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct WireEntry {
    v: u64,
    day: String,
    agency: String,
    file: String,
    action: String,
    purpose: String,
    legal_basis: String,
    out_of_purpose: bool,
    records: u64,
    withheld: bool,
    ground: Option<String>,
    commitment: String,
}

/// Maps a refused domain code of one field to [`FormatError::Invalid`].
pub(crate) fn invalid_code(field: &'static str) -> impl Fn(CodeError) -> FormatError {
    move |error| match error {
        CodeError::Format(rule) | CodeError::Unknown(rule) => FormatError::Invalid { field, rule },
    }
}

/// `YYYY-MM-DD`, four-digit year.
pub(crate) fn format_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Parses exactly `YYYY-MM-DD` naming a real calendar day.
pub(crate) fn parse_date(text: &str) -> Result<Date, &'static str> {
    const RULE: &str = "a date is YYYY-MM-DD, e.g. 2025-03-14";
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return Err(RULE);
    }
    let number = |range: std::ops::Range<usize>| -> Result<u16, &'static str> {
        text.get(range)
            .and_then(|digits| digits.parse().ok())
            .ok_or(RULE)
    };
    let year = i32::from(number(0..4)?);
    let month = u8::try_from(number(5..7)?).map_err(|_| RULE)?;
    let day = u8::try_from(number(8..10)?).map_err(|_| RULE)?;
    let month = Month::try_from(month).map_err(|_| "no such month")?;
    Date::from_calendar_date(year, month, day).map_err(|_| "no such day in that month")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn parts() -> EntryParts {
        EntryParts {
            day: date!(2025 - 03 - 14),
            agency: AgencyCode::parse("MOHW-NHIA").unwrap(),
            file: FileId::parse("nhi-claims").unwrap(),
            action: Action::Use,
            purpose: PurposeCode::parse("031").unwrap(),
            legal_basis: LegalBasisCode::parse("PDPA-15-1").unwrap(),
            scope: PurposeScope::WithinPurpose,
            records: 1,
            withheld: None,
            commitment: Commitment::from_bytes([0xab; 32]),
        }
    }

    const EXAMPLE: &str = concat!(
        r#"{"v":1,"day":"2025-03-14","agency":"MOHW-NHIA","file":"nhi-claims","action":"use","#,
        r#""purpose":"031","legal_basis":"PDPA-15-1","out_of_purpose":false,"records":1,"#,
        r#""withheld":false,"ground":null,"#,
        r#""commitment":"abababababababababababababababababababababababababababababababab"}"#
    );

    #[test]
    fn encodes_the_documented_example() {
        let entry = LogEntry::new(parts()).unwrap();
        assert_eq!(entry.encode(), EXAMPLE);
        assert_eq!(LogEntry::decode(EXAMPLE.as_bytes()).unwrap(), entry);
    }

    #[test]
    fn withheld_and_out_of_purpose_entries() {
        let entry = LogEntry::new(EntryParts {
            action: Action::OutOfPurposeUse,
            scope: PurposeScope::OutOfPurpose,
            legal_basis: LegalBasisCode::parse("PDPA-16-P5").unwrap(),
            withheld: Some(RestrictionGroundCode::parse("GIDA-18-2").unwrap()),
            records: MAX_RECORDS,
            ..parts()
        })
        .unwrap();
        let json = entry.encode();
        assert!(json.contains(r#""action":"out_of_purpose_use""#));
        assert!(json.contains(r#""out_of_purpose":true,"records":9007199254740991,"withheld":true,"ground":"GIDA-18-2""#));
        assert_eq!(LogEntry::decode(json.as_bytes()).unwrap(), entry);
        assert!(entry.is_out_of_purpose());
    }

    #[test]
    fn refuses_inconsistent_values() {
        let contradiction = EntryParts {
            action: Action::OutOfPurposeUse,
            ..parts()
        };
        assert!(matches!(
            LogEntry::new(contradiction),
            Err(FormatError::Invalid {
                field: "out_of_purpose",
                ..
            })
        ));
        for records in [0, MAX_RECORDS + 1] {
            assert!(matches!(
                LogEntry::new(EntryParts { records, ..parts() }),
                Err(FormatError::Invalid {
                    field: "records",
                    ..
                })
            ));
        }
        let far_future = Date::from_calendar_date(10000, Month::January, 1);
        if let Ok(day) = far_future {
            assert!(LogEntry::new(EntryParts { day, ..parts() }).is_err());
        }
    }

    #[test]
    fn decoding_is_strict() {
        let reject = |json: &str| LogEntry::decode(json.as_bytes());
        // Another version, even with the right shape.
        assert_eq!(
            reject(&EXAMPLE.replace(r#""v":1"#, r#""v":2"#)),
            Err(FormatError::UnsupportedVersion { found: 2 })
        );
        // Whitespace, key order, escapes, number forms.
        assert_eq!(
            reject(&EXAMPLE.replace(",", ", ")),
            Err(FormatError::NotCanonical)
        );
        assert_eq!(
            reject(&format!("{EXAMPLE}\n")),
            Err(FormatError::NotCanonical)
        );
        assert_eq!(
            reject(&EXAMPLE.replace(
                r#""day":"2025-03-14","agency":"MOHW-NHIA""#,
                r#""agency":"MOHW-NHIA","day":"2025-03-14""#
            )),
            Err(FormatError::NotCanonical)
        );
        assert_eq!(
            reject(&EXAMPLE.replace("nhi-claims", "nhi\\u002dclaims")),
            Err(FormatError::NotCanonical)
        );
        assert!(matches!(
            reject(&EXAMPLE.replace(r#""records":1"#, r#""records":1.0"#)),
            Err(FormatError::Malformed(_))
        ));
        // Missing and unknown keys.
        assert_eq!(
            reject(&EXAMPLE.replace(r#","ground":null"#, "")),
            Err(FormatError::NotCanonical)
        );
        assert!(matches!(
            reject(&EXAMPLE.replace(r#""ground":null"#, r#""ground":null,"extra":1"#)),
            Err(FormatError::Malformed(_))
        ));
        // Values that break a rule.
        assert!(matches!(
            reject(&EXAMPLE.replace("2025-03-14", "2025-02-30")),
            Err(FormatError::Invalid { field: "day", .. })
        ));
        assert!(matches!(
            reject(&EXAMPLE.replace(r#""purpose":"031""#, r#""purpose":"183""#)),
            Err(FormatError::Invalid {
                field: "purpose",
                ..
            })
        ));
        assert!(matches!(
            reject(&EXAMPLE.replace(r#""withheld":false"#, r#""withheld":true"#)),
            Err(FormatError::Invalid {
                field: "ground",
                ..
            })
        ));
        assert!(matches!(
            reject(&EXAMPLE.replace(r#""ground":null"#, r#""ground":"GIDA-18-2""#)),
            Err(FormatError::Invalid {
                field: "ground",
                ..
            })
        ));
        assert!(matches!(
            reject(&EXAMPLE.replace("abab", "ABAB")),
            Err(FormatError::Invalid {
                field: "commitment",
                ..
            })
        ));
        assert!(matches!(
            reject(&EXAMPLE.replace(r#""action":"use""#, r#""action":"peek""#)),
            Err(FormatError::Invalid {
                field: "action",
                ..
            })
        ));
        assert!(matches!(reject(""), Err(FormatError::Malformed(_))));
        assert!(matches!(reject("[]"), Err(FormatError::Malformed(_))));
    }

    #[test]
    fn actions_round_trip() {
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Ok(action));
            assert_eq!(action.to_string(), action.as_str());
        }
        assert!(Action::parse("Use").is_err());
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2024-02-29"), Ok(date!(2024 - 02 - 29)));
        assert_eq!(format_date(date!(0001 - 01 - 01)), "0001-01-01");
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "24-01-01",
            "2024-1-01",
            "2024/01/01",
            "２０２４-01-01",
            "+202-01-01",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    fn arb_entry() -> impl Strategy<Value = LogEntry> {
        let legal = ["PDPA-15-1", "PDPA-16-P5", "PDPA-6-P1", "PDPA-19-2"];
        let grounds = ["GIDA-18-1", "GIDA-18-2", "GIDA-18-9"];
        (
            (0i32..=9999, 1u8..=12, 1u8..=28),
            "[A-Z][A-Z0-9-]{1,31}",
            "[a-z0-9][a-z0-9-]{1,63}",
            0usize..9,
            1u16..=182,
            0usize..legal.len(),
            any::<bool>(),
            1u64..=MAX_RECORDS,
            proptest::option::of(0usize..grounds.len()),
            any::<[u8; 32]>(),
        )
            .prop_map(
                move |(
                    (y, m, d),
                    agency,
                    file,
                    action,
                    purpose,
                    basis,
                    out,
                    records,
                    ground,
                    c,
                )| {
                    let action = Action::ALL[action];
                    let scope = if out || action == Action::OutOfPurposeUse {
                        PurposeScope::OutOfPurpose
                    } else {
                        PurposeScope::WithinPurpose
                    };
                    LogEntry::new(EntryParts {
                        day: Date::from_calendar_date(y, Month::try_from(m).unwrap(), d).unwrap(),
                        agency: AgencyCode::parse(&agency).unwrap(),
                        file: FileId::parse(&file).unwrap(),
                        action,
                        purpose: PurposeCode::parse(&format!("{purpose:03}")).unwrap(),
                        legal_basis: LegalBasisCode::parse(legal[basis]).unwrap(),
                        scope,
                        records,
                        withheld: ground.map(|g| RestrictionGroundCode::parse(grounds[g]).unwrap()),
                        commitment: Commitment::from_bytes(c),
                    })
                    .unwrap()
                },
            )
    }

    proptest! {
        #[test]
        fn encode_decode_round_trip(entry in arb_entry()) {
            let bytes = entry.encode();
            prop_assert!(bytes.is_ascii());
            prop_assert!(bytes.len() <= usize::from(u16::MAX));
            let decoded = LogEntry::decode(bytes.as_bytes()).unwrap();
            prop_assert_eq!(&decoded, &entry);
            prop_assert_eq!(decoded.encode(), bytes);
            // Any JSON library reads it.
            let value: serde_json::Value = serde_json::from_str(&entry.encode()).unwrap();
            prop_assert_eq!(value["records"].as_u64(), Some(entry.parts().records));
        }

        #[test]
        fn decode_never_panics_on_arbitrary_bytes(
            bytes in proptest::collection::vec(any::<u8>(), 0..400),
        ) {
            let _ = LogEntry::decode(&bytes);
        }

        #[test]
        fn decode_never_panics_on_mutated_entries(
            entry in arb_entry(),
            at in any::<prop::sample::Index>(),
            byte in any::<u8>(),
        ) {
            let mut bytes = entry.encode().into_bytes();
            let i = at.index(bytes.len());
            bytes[i] = byte;
            if let Ok(decoded) = LogEntry::decode(&bytes) {
                // A mutation that still decodes must be a different canonical entry.
                prop_assert_eq!(decoded.encode().into_bytes(), bytes);
            }
        }
    }
}
