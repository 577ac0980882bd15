//! The canonical event: every field of one usage event (使用紀錄), encoded as bytes that the
//! commitment covers.
//!
//! These bytes are personal data (they carry the subject's pseudonym): they are stored by the
//! server, shown only to their subject (in a proof bundle) and deleted when the subject's data
//! is shredded. The log holds only their commitment.
//!
//! The encoding is canonical compact JSON with a fixed key order, like the log entry:
//!
//! ```text
//! {"v":1,"id":"…","occurred_at":"2025-03-14T02:15:00Z","agency":"MOHW-NHIA",
//!  "file":"nhi-claims","subject":"<64 hex>","action":"use","purpose":"031",
//!  "categories":["C001","C011"],"legal_basis":"PDPA-15-1","legal_citation":null,
//!  "recipient":null,"reference":"case-2025-0042","actor":"officer-7f3a","records":1,
//!  "confidential":null}
//! ```
//!
//! A value is normalised once, when the event is made: the time is converted to UTC, the
//! categories sorted and deduplicated, the id lowercased. Decoding accepts only the one
//! canonical encoding, so the bytes of an event are reproducible from its values.

use std::fmt;

use lantern_domain::{
    AgencyCode, DataCategoryCode, FileId, LegalBasisCode, PurposeCode, RestrictionGroundCode,
};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};

use crate::canonical_json::{self, FormatError, ObjectWriter, invalid};
use crate::commitment::{hex_decode_32, hex_encode};
use crate::entry::{Action, MAX_RECORDS, format_date, invalid_code, parse_date};

/// The canonical event format this library writes and reads.
pub const EVENT_FORMAT_VERSION: u64 = 1;

/// The longest free-text value (citation, recipient, reference, actor), in characters.
pub const MAX_TEXT_CHARS: usize = 1000;

/// A usage event's id: a UUID chosen by the reporting system, which makes resending harmless.
/// Held in its canonical form, 36 lowercase characters `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventId(String);

impl EventId {
    /// Parses a hyphenated UUID in either case (any version), keeping it lowercase.
    ///
    /// # Errors
    /// A message naming the rule for anything but 32 hex digits in groups 8-4-4-4-12.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let ok = text.len() == 36
            && text.bytes().enumerate().all(|(i, b)| match i {
                8 | 13 | 18 | 23 => b == b'-',
                _ => b.is_ascii_hexdigit(),
            });
        if ok {
            Ok(Self(text.to_ascii_lowercase()))
        } else {
            Err("a UUID in the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")
        }
    }

    /// The canonical text form; its ASCII bytes are the message of the salt's HMAC.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The keyed pseudonym (HMAC-SHA256 output) that stands for the subject's national ID or
/// resident certificate number. Written as 64 lowercase hex digits; its `Debug` is redacted.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubjectPseudonym([u8; 32]);

impl SubjectPseudonym {
    /// Wraps the 32 bytes of the pseudonym.
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

impl fmt::Debug for SubjectPseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SubjectPseudonym(<redacted>)")
    }
}

/// An event tied to a confidential case (密件): hidden from its subject until `until`, on the
/// stated ground.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confidential {
    /// The Freedom of Government Information Law Art. 18 ground for withholding.
    pub ground: RestrictionGroundCode,
    /// The review date on which the event becomes visible to its subject.
    pub until: Date,
}

/// The values of a usage event, before they are checked and normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventParts {
    /// The client-chosen id (idempotency key).
    pub id: EventId,
    /// When the use happened. Normalised to UTC.
    pub occurred_at: OffsetDateTime,
    /// The agency that reports the event.
    pub agency: AgencyCode,
    /// The personal-data file the data came from.
    pub file: FileId,
    /// Whose data: the subject's pseudonym, never the raw number.
    pub subject: SubjectPseudonym,
    /// What was done.
    pub action: Action,
    /// The specific purpose of the use.
    pub purpose: PurposeCode,
    /// The categories of data involved. Normalised to sorted, without repeats.
    pub categories: Vec<DataCategoryCode>,
    /// The legal basis relied on.
    pub legal_basis: LegalBasisCode,
    /// The statute article or other citation, free text.
    pub legal_citation: Option<String>,
    /// Who received the data, free text.
    pub recipient: Option<String>,
    /// The request or case the use belongs to, free text.
    pub reference: Option<String>,
    /// The acting official or system, pseudonymous, free text.
    pub actor: Option<String>,
    /// How many of the subject's records were involved, 1 to [`MAX_RECORDS`].
    pub records: u64,
    /// Present when the event is withheld from its subject for a while.
    pub confidential: Option<Confidential>,
}

/// A checked, normalised usage event with a canonical byte encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalEvent {
    parts: EventParts,
    /// `parts` encoded, once: the log's sequencer hashes and stores these bytes.
    canonical: String,
}

impl CanonicalEvent {
    /// Checks and normalises the values.
    ///
    /// # Errors
    /// [`FormatError::Invalid`] naming the field when: the time (in UTC) or the `until` date
    /// falls outside the years 0000-9999; `records` is outside 1..=[`MAX_RECORDS`]; a free-text
    /// value is empty (write `None` instead), longer than [`MAX_TEXT_CHARS`] characters or
    /// contains a control character.
    pub fn new(mut parts: EventParts) -> Result<Self, FormatError> {
        parts.occurred_at = parts
            .occurred_at
            .checked_to_offset(UtcOffset::UTC)
            .filter(|t| (0..=9999).contains(&t.year()))
            .ok_or(FormatError::Invalid {
                field: "occurred_at",
                rule: "the time in UTC must fall in the years 0000 to 9999",
            })?;
        if let Some(confidential) = &parts.confidential
            && !(0..=9999).contains(&confidential.until.year())
        {
            return Err(FormatError::Invalid {
                field: "confidential.until",
                rule: "the year must have four digits",
            });
        }
        if !(1..=MAX_RECORDS).contains(&parts.records) {
            return Err(FormatError::Invalid {
                field: "records",
                rule: "a record count is from 1 to 9007199254740991",
            });
        }
        check_text("legal_citation", parts.legal_citation.as_deref())?;
        check_text("recipient", parts.recipient.as_deref())?;
        check_text("reference", parts.reference.as_deref())?;
        check_text("actor", parts.actor.as_deref())?;
        parts.categories.sort();
        parts.categories.dedup();
        let canonical = encode(&parts);
        Ok(Self { parts, canonical })
    }

    /// The event's values (normalised).
    #[must_use]
    pub fn parts(&self) -> &EventParts {
        &self.parts
    }

    /// The UTC date of the event: the `day` of its log entry.
    #[must_use]
    pub fn day(&self) -> Date {
        self.parts.occurred_at.date()
    }

    /// The canonical bytes: compact JSON, fixed key order, RFC 8785 string escaping.
    #[must_use]
    pub fn encode(&self) -> String {
        self.canonical.clone()
    }

    /// The canonical bytes, borrowed: what [`CanonicalEvent::encode`] returns.
    #[must_use]
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// Reads an event from its canonical bytes.
    ///
    /// # Errors
    /// [`FormatError::UnsupportedVersion`] for another `v`; [`FormatError::Malformed`] for
    /// bytes that are not an event object; [`FormatError::Invalid`] for a value that breaks a
    /// rule; [`FormatError::NotCanonical`] for a valid event in any but its canonical encoding.
    pub fn decode(bytes: &[u8]) -> Result<Self, FormatError> {
        let wire: WireEvent = canonical_json::parse(bytes, EVENT_FORMAT_VERSION)?;
        if wire.v != EVENT_FORMAT_VERSION {
            return Err(FormatError::UnsupportedVersion { found: wire.v });
        }
        let categories = wire
            .categories
            .iter()
            .map(|c| DataCategoryCode::parse(c).map_err(invalid_code("categories")))
            .collect::<Result<Vec<_>, _>>()?;
        let confidential = match wire.confidential {
            None => None,
            Some(c) => Some(Confidential {
                ground: RestrictionGroundCode::parse(&c.ground)
                    .map_err(invalid_code("confidential.ground"))?,
                until: parse_date(&c.until).map_err(invalid("confidential.until"))?,
            }),
        };
        let event = Self::new(EventParts {
            id: EventId::parse(&wire.id).map_err(invalid("id"))?,
            occurred_at: OffsetDateTime::parse(&wire.occurred_at, &Rfc3339).map_err(|_| {
                FormatError::Invalid {
                    field: "occurred_at",
                    rule: "an RFC 3339 time in UTC, e.g. 2025-03-14T02:15:00Z",
                }
            })?,
            agency: AgencyCode::parse(&wire.agency).map_err(invalid("agency"))?,
            file: FileId::parse(&wire.file).map_err(invalid("file"))?,
            subject: SubjectPseudonym::from_hex(&wire.subject).map_err(invalid("subject"))?,
            action: Action::parse(&wire.action).map_err(invalid("action"))?,
            purpose: PurposeCode::parse(&wire.purpose).map_err(invalid_code("purpose"))?,
            categories,
            legal_basis: LegalBasisCode::parse(&wire.legal_basis)
                .map_err(invalid_code("legal_basis"))?,
            legal_citation: wire.legal_citation,
            recipient: wire.recipient,
            reference: wire.reference,
            actor: wire.actor,
            records: wire.records,
            confidential,
        })?;
        if event.encode().as_bytes() != bytes {
            return Err(FormatError::NotCanonical);
        }
        Ok(event)
    }
}

/// The canonical encoding of `p` (see [`CanonicalEvent::encode`]).
fn encode(p: &EventParts) -> String {
    let confidential = match &p.confidential {
        None => String::from("null"),
        Some(c) => ObjectWriter::new()
            .string("ground", c.ground.as_str())
            .string("until", &format_date(c.until))
            .finish(),
    };
    ObjectWriter::new()
        .number("v", EVENT_FORMAT_VERSION)
        .string("id", p.id.as_str())
        .string("occurred_at", &format_timestamp(p.occurred_at))
        .string("agency", p.agency.as_str())
        .string("file", p.file.as_str())
        .string("subject", &p.subject.to_hex())
        .string("action", p.action.as_str())
        .string("purpose", p.purpose.as_str())
        .strings(
            "categories",
            p.categories.iter().map(DataCategoryCode::as_str),
        )
        .string("legal_basis", p.legal_basis.as_str())
        .optional_string("legal_citation", p.legal_citation.as_deref())
        .optional_string("recipient", p.recipient.as_deref())
        .optional_string("reference", p.reference.as_deref())
        .optional_string("actor", p.actor.as_deref())
        .number("records", p.records)
        .raw("confidential", &confidential)
        .finish()
}

fn check_text(field: &'static str, value: Option<&str>) -> Result<(), FormatError> {
    let Some(value) = value else {
        return Ok(());
    };
    let rule = if value.is_empty() {
        "an absent value is null, not an empty string"
    } else if value.chars().count() > MAX_TEXT_CHARS {
        "at most 1000 characters"
    } else if value.chars().any(char::is_control) {
        "no control characters (line breaks, tabs and the like)"
    } else {
        return Ok(());
    };
    Err(FormatError::Invalid { field, rule })
}

/// RFC 3339 in UTC with `Z`, seconds always present, and a fraction only when the time has
/// one, without trailing zeros: `2025-03-14T02:15:00Z`, `2025-03-14T02:15:00.25Z`.
fn format_timestamp(t: OffsetDateTime) -> String {
    let mut out = format!(
        "{}T{:02}:{:02}:{:02}",
        format_date(t.date()),
        t.hour(),
        t.minute(),
        t.second()
    );
    let nanos = t.nanosecond();
    if nanos != 0 {
        let fraction = format!("{nanos:09}");
        out.push('.');
        out.push_str(fraction.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

/// The JSON shape of an event, read before any value is checked.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct WireEvent {
    v: u64,
    id: String,
    occurred_at: String,
    agency: String,
    file: String,
    subject: String,
    action: String,
    purpose: String,
    categories: Vec<String>,
    legal_basis: String,
    legal_citation: Option<String>,
    recipient: Option<String>,
    reference: Option<String>,
    actor: Option<String>,
    records: u64,
    confidential: Option<WireConfidential>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct WireConfidential {
    ground: String,
    until: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::{date, datetime};

    pub(crate) fn example() -> EventParts {
        EventParts {
            id: EventId::parse("3F2B8C1E-5D4A-4E9B-9C7D-1A2B3C4D5E6F").unwrap(),
            occurred_at: datetime!(2025-03-14 10:15:00 +08:00),
            agency: AgencyCode::parse("MOHW-NHIA").unwrap(),
            file: FileId::parse("nhi-claims").unwrap(),
            subject: SubjectPseudonym::from_bytes([0x11; 32]),
            action: Action::Use,
            purpose: PurposeCode::parse("031").unwrap(),
            categories: vec![
                DataCategoryCode::parse("C011").unwrap(),
                DataCategoryCode::parse("C001").unwrap(),
                DataCategoryCode::parse("C011").unwrap(),
            ],
            legal_basis: LegalBasisCode::parse("PDPA-15-1").unwrap(),
            legal_citation: None,
            recipient: None,
            reference: Some("case-2025-0042".into()),
            actor: Some("officer-7f3a".into()),
            records: 1,
            confidential: None,
        }
    }

    const EXAMPLE: &str = concat!(
        r#"{"v":1,"id":"3f2b8c1e-5d4a-4e9b-9c7d-1a2b3c4d5e6f","occurred_at":"2025-03-14T02:15:00Z","#,
        r#""agency":"MOHW-NHIA","file":"nhi-claims","#,
        r#""subject":"1111111111111111111111111111111111111111111111111111111111111111","#,
        r#""action":"use","purpose":"031","categories":["C001","C011"],"legal_basis":"PDPA-15-1","#,
        r#""legal_citation":null,"recipient":null,"reference":"case-2025-0042","actor":"officer-7f3a","#,
        r#""records":1,"confidential":null}"#
    );

    #[test]
    fn normalises_and_encodes_the_documented_example() {
        let event = CanonicalEvent::new(example()).unwrap();
        assert_eq!(event.encode(), EXAMPLE);
        assert_eq!(event.day(), date!(2025 - 03 - 14));
        assert_eq!(CanonicalEvent::decode(EXAMPLE.as_bytes()).unwrap(), event);
    }

    #[test]
    fn the_utc_day_can_differ_from_the_local_one() {
        let event = CanonicalEvent::new(EventParts {
            occurred_at: datetime!(2025-03-14 07:59:59.5 +08:00),
            ..example()
        })
        .unwrap();
        assert_eq!(event.day(), date!(2025 - 03 - 13));
        assert!(
            event
                .encode()
                .contains(r#""occurred_at":"2025-03-13T23:59:59.5Z""#)
        );
    }

    #[test]
    fn confidential_and_free_text_fields() {
        let event = CanonicalEvent::new(EventParts {
            legal_citation: Some("個人資料保護法第16條但書第5款 \"quoted\" \\ back".into()),
            recipient: Some("衛生福利部".into()),
            confidential: Some(Confidential {
                ground: RestrictionGroundCode::parse("GIDA-18-2").unwrap(),
                until: date!(2026 - 01 - 31),
            }),
            ..example()
        })
        .unwrap();
        let json = event.encode();
        assert!(json.ends_with(r#""confidential":{"ground":"GIDA-18-2","until":"2026-01-31"}}"#));
        assert!(
            json.contains(r#""legal_citation":"個人資料保護法第16條但書第5款 \"quoted\" \\ back""#)
        );
        assert_eq!(CanonicalEvent::decode(json.as_bytes()).unwrap(), event);
    }

    #[test]
    fn refuses_bad_values() {
        let field = |parts: EventParts| match CanonicalEvent::new(parts) {
            Err(FormatError::Invalid { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        };
        assert_eq!(
            field(EventParts {
                actor: Some(String::new()),
                ..example()
            }),
            "actor"
        );
        assert_eq!(
            field(EventParts {
                reference: Some("a\nb".into()),
                ..example()
            }),
            "reference"
        );
        assert_eq!(
            field(EventParts {
                recipient: Some("x".repeat(MAX_TEXT_CHARS + 1)),
                ..example()
            }),
            "recipient"
        );
        assert!(
            CanonicalEvent::new(EventParts {
                recipient: Some("台".repeat(MAX_TEXT_CHARS)),
                ..example()
            })
            .is_ok()
        );
        assert_eq!(
            field(EventParts {
                records: 0,
                ..example()
            }),
            "records"
        );
        assert_eq!(
            field(EventParts {
                occurred_at: datetime!(9999-12-31 23:00 -05:00),
                ..example()
            }),
            "occurred_at"
        );
    }

    #[test]
    fn event_ids() {
        let id = EventId::parse("3F2B8C1E-5D4A-4E9B-9C7D-1A2B3C4D5E6F").unwrap();
        assert_eq!(id.as_str(), "3f2b8c1e-5d4a-4e9b-9c7d-1a2b3c4d5e6f");
        assert_eq!(id.to_string(), id.as_str());
        for bad in [
            "",
            "3f2b8c1e5d4a4e9b9c7d1a2b3c4d5e6f",
            "{3f2b8c1e-5d4a-4e9b-9c7d-1a2b3c4d5e6f}",
            "3f2b8c1e-5d4a-4e9b-9c7d-1a2b3c4d5e6g",
            "3f2b8c1e-5d4a-4e9b-9c7d1-a2b3c4d5e6f",
        ] {
            assert!(EventId::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            format!("{:?}", SubjectPseudonym::from_bytes([1; 32])),
            "SubjectPseudonym(<redacted>)"
        );
    }

    #[test]
    fn decoding_is_strict() {
        let reject = |json: String| CanonicalEvent::decode(json.as_bytes());
        assert_eq!(
            reject(EXAMPLE.replace(r#""v":1"#, r#""v":7"#)),
            Err(FormatError::UnsupportedVersion { found: 7 })
        );
        for non_canonical in [
            EXAMPLE.replace("3f2b8c1e", "3F2B8C1E"),
            EXAMPLE.replace(r#"["C001","C011"]"#, r#"["C011","C001"]"#),
            EXAMPLE.replace(r#"["C001","C011"]"#, r#"["C001","C011","C011"]"#),
            EXAMPLE.replace("02:15:00Z", "10:15:00+08:00"),
            EXAMPLE.replace("02:15:00Z", "02:15:00.000Z"),
            EXAMPLE.replace(r#""records":1,"#, r#""records":1 ,"#),
            EXAMPLE.replace("case-2025-0042", "case\\u002d2025-0042"),
        ] {
            assert_eq!(reject(non_canonical), Err(FormatError::NotCanonical));
        }
        assert!(matches!(
            reject(EXAMPLE.replace(r#""actor":"officer-7f3a""#, r#""actor":"""#)),
            Err(FormatError::Invalid { field: "actor", .. })
        ));
        assert!(matches!(
            reject(EXAMPLE.replace(
                r#""confidential":null"#,
                r#""confidential":{"ground":"GIDA-18-2"}"#
            )),
            Err(FormatError::Malformed(_))
        ));
        assert!(matches!(
            reject(EXAMPLE.replace(
                r#""confidential":null"#,
                r#""confidential":{"ground":"GIDA-18-2","until":"2026-02-30"}"#
            )),
            Err(FormatError::Invalid {
                field: "confidential.until",
                ..
            })
        ));
        assert!(matches!(
            reject(EXAMPLE.replace("C011", "C200")),
            Err(FormatError::Invalid {
                field: "categories",
                ..
            })
        ));
    }

    fn arb_text() -> impl Strategy<Value = Option<String>> {
        proptest::option::of("[^\\p{Cc}]{1,40}")
    }

    fn arb_event() -> impl Strategy<Value = CanonicalEvent> {
        (
            any::<[u8; 16]>(),
            (
                0i64..253_402_300_799,
                0u32..1_000_000_000,
                -86_399i32..=86_399,
            ),
            any::<[u8; 32]>(),
            (
                0usize..9,
                1u16..=182,
                proptest::collection::vec(1u16..=199, 0..6),
            ),
            (arb_text(), arb_text(), arb_text(), arb_text()),
            1u64..=MAX_RECORDS,
            proptest::option::of((1u8..=9, 0i32..=3_000_000)),
        )
            .prop_filter_map(
                "time outside the four-digit years",
                |(
                    id,
                    (secs, nanos, offset),
                    subject,
                    (action, purpose, categories),
                    texts,
                    records,
                    confidential,
                )| {
                    let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
                    let id = format!(
                        "{}-{}-{}-{}-{}",
                        &id[..8],
                        &id[8..12],
                        &id[12..16],
                        &id[16..20],
                        &id[20..]
                    );
                    let offset = UtcOffset::from_whole_seconds(offset).ok()?;
                    let occurred_at = OffsetDateTime::from_unix_timestamp(secs)
                        .ok()?
                        .replace_nanosecond(nanos)
                        .ok()?
                        .checked_to_offset(offset)?;
                    let (legal_citation, recipient, reference, actor) = texts;
                    CanonicalEvent::new(EventParts {
                        id: EventId::parse(&id).unwrap(),
                        occurred_at,
                        agency: AgencyCode::parse("MOI-HR").unwrap(),
                        file: FileId::parse("household-register").unwrap(),
                        subject: SubjectPseudonym::from_bytes(subject),
                        action: Action::ALL[action],
                        purpose: PurposeCode::parse(&format!("{purpose:03}")).unwrap(),
                        categories: categories
                            .into_iter()
                            .map(|c| DataCategoryCode::parse(&format!("C{c:03}")).unwrap())
                            .collect(),
                        legal_basis: LegalBasisCode::parse("PDPA-16-P2").unwrap(),
                        legal_citation,
                        recipient,
                        reference,
                        actor,
                        records,
                        confidential: confidential.map(|(ground, days)| Confidential {
                            ground: RestrictionGroundCode::parse(&format!("GIDA-18-{ground}"))
                                .unwrap(),
                            until: Date::from_julian_day(days).unwrap(),
                        }),
                    })
                    .ok()
                },
            )
    }

    proptest! {
        #[test]
        fn encode_decode_round_trip(event in arb_event()) {
            let bytes = event.encode();
            let decoded = CanonicalEvent::decode(bytes.as_bytes()).unwrap();
            prop_assert_eq!(&decoded, &event);
            prop_assert_eq!(decoded.encode(), bytes);
            let value: serde_json::Value = serde_json::from_str(&event.encode()).unwrap();
            prop_assert_eq!(value["id"].as_str(), Some(event.parts().id.as_str()));
        }

        #[test]
        fn decode_never_panics_on_arbitrary_bytes(
            bytes in proptest::collection::vec(any::<u8>(), 0..600),
        ) {
            let _ = CanonicalEvent::decode(&bytes);
        }

        #[test]
        fn decode_never_panics_on_mutated_events(
            event in arb_event(),
            at in any::<prop::sample::Index>(),
            byte in any::<u8>(),
        ) {
            let mut bytes = event.encode().into_bytes();
            let i = at.index(bytes.len());
            bytes[i] = byte;
            if let Ok(decoded) = CanonicalEvent::decode(&bytes) {
                prop_assert_eq!(decoded.encode().into_bytes(), bytes);
            }
        }
    }
}
