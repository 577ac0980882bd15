//! The wire form of one usage event (使用紀錄), as an agency's system reports it.
//!
//! ```json
//! {"id":"0190f8a2-6c1e-7b3d-9a4f-2c5e8d1b7a60","occurred_at":"2025-03-14T10:15:00+08:00",
//!  "file":"nhi-claims","subject":"A123456789","action":"use","purpose":"031",
//!  "categories":["C001","C011"],"legal_basis":"PDPA-16-MAIN","reference":"NHI-2025-000123",
//!  "actor":"officer-7f3a","records":1}
//! ```
//!
//! Values are kept as the sender wrote them, as plain strings: [`crate::check`] then reports
//! every mistake with its field and a sentence, where a typed parser would stop at the first.
//! For the same reason a missing field reads as empty (and is reported as required by the
//! checks); only an unknown field, a value of the wrong JSON type or a repeated field is refused
//! while reading.

use std::fmt;

/// One usage event as reported: what was done with whose data, from which file, for which
/// purpose and on which legal basis.
///
/// It holds the subject's national ID or resident certificate number in clear, so its `Debug`
/// redacts `subject`; the checks replace the number by its pseudonym.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct EventSubmission {
    /// A UUID chosen by the reporting system (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`): resending
    /// an event with the same id is harmless.
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, example = "0190f8a2-6c1e-7b3d-9a4f-2c5e8d1b7a60")
    )]
    pub id: String,
    /// When it happened, RFC 3339 with an offset, e.g. `2025-03-14T10:15:00+08:00`.
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, example = "2025-03-14T10:15:00+08:00")
    )]
    pub occurred_at: String,
    /// The reporting agency's personal-data file (個人資料檔案) the data came from, e.g.
    /// `nhi-claims`.
    #[cfg_attr(feature = "openapi", schema(required = true, example = "nhi-claims"))]
    pub file: String,
    /// Whose data: a national ID (國民身分證統一編號) or resident certificate number (統一證號).
    #[cfg_attr(feature = "openapi", schema(required = true, example = "A123456789"))]
    pub subject: String,
    /// What was done: `collect`, `process`, `use`, `disclose`, `out_of_purpose_use`, `link`,
    /// `export`, `correct` or `delete`.
    #[cfg_attr(feature = "openapi", schema(required = true, example = "use"))]
    pub action: String,
    /// The specific purpose (特定目的), `001`-`182`.
    #[cfg_attr(feature = "openapi", schema(required = true, example = "031"))]
    pub purpose: String,
    /// The data categories (個人資料之類別) involved, e.g. `["C001","C011"]`; at least one.
    #[cfg_attr(feature = "openapi", schema(required = true, example = json!(["C001", "C011"])))]
    pub categories: Vec<String>,
    /// The legal basis relied on, a code of the legal-bases list, e.g. `PDPA-16-MAIN`.
    #[cfg_attr(feature = "openapi", schema(required = true, example = "PDPA-16-MAIN"))]
    pub legal_basis: String,
    /// The statute article or other citation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_citation: Option<String>,
    /// Who received the data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// The request or case the use belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The acting official or system, pseudonymous (never a person's name or ID).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// How many of the subject's records were involved; 1 when left out.
    #[cfg_attr(
        feature = "openapi",
        schema(default = 1, minimum = 1, maximum = 9_007_199_254_740_991_u64)
    )]
    pub records: u64,
    /// Present when the event is withheld from its subject for a while (密件).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidential: Option<ConfidentialSubmission>,
}

impl Default for EventSubmission {
    fn default() -> Self {
        Self {
            id: String::new(),
            occurred_at: String::new(),
            file: String::new(),
            subject: String::new(),
            action: String::new(),
            purpose: String::new(),
            categories: Vec::new(),
            legal_basis: String::new(),
            legal_citation: None,
            recipient: None,
            reference: None,
            actor: None,
            records: 1,
            confidential: None,
        }
    }
}

impl fmt::Debug for EventSubmission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventSubmission")
            .field("id", &self.id)
            .field("occurred_at", &self.occurred_at)
            .field("file", &self.file)
            .field("subject", &"<redacted>")
            .field("action", &self.action)
            .field("purpose", &self.purpose)
            .field("categories", &self.categories)
            .field("legal_basis", &self.legal_basis)
            .field("legal_citation", &self.legal_citation)
            .field("recipient", &self.recipient)
            .field("reference", &self.reference)
            .field("actor", &self.actor)
            .field("records", &self.records)
            .field("confidential", &self.confidential)
            .finish()
    }
}

/// Why and until when an event is withheld from its subject.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ConfidentialSubmission {
    /// The Freedom of Government Information Law Art. 18 para. 1 ground, `GIDA-18-1` to
    /// `GIDA-18-9`.
    #[cfg_attr(feature = "openapi", schema(required = true, example = "GIDA-18-2"))]
    pub ground: String,
    /// The review date, `YYYY-MM-DD`, after the day of the event: from then on the subject sees
    /// the event.
    #[cfg_attr(feature = "openapi", schema(required = true, example = "2026-03-15"))]
    pub until: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_values_read_as_empty_and_one_record() {
        let event: EventSubmission = serde_json::from_str("{}").unwrap();
        assert_eq!(event, EventSubmission::default());
        assert_eq!(event.records, 1);
        assert!(serde_json::from_str::<EventSubmission>(r#"{"subjct":"x"}"#).is_err());
        assert!(
            serde_json::from_str::<EventSubmission>(r#"{"confidential":{"grund":"x"}}"#).is_err()
        );
    }

    #[test]
    fn serialises_without_absent_values() {
        let event = EventSubmission {
            id: "0190f8a2-6c1e-7b3d-9a4f-2c5e8d1b7a60".into(),
            categories: vec!["C001".into()],
            reference: Some("case-1".into()),
            ..EventSubmission::default()
        };
        let json = serde_json::to_string(&event).unwrap();
        assert!(json.contains(r#""reference":"case-1""#));
        assert!(!json.contains("recipient"));
        assert_eq!(
            serde_json::from_str::<EventSubmission>(&json).unwrap(),
            event
        );
    }

    #[test]
    fn debug_hides_the_subject() {
        let event = EventSubmission {
            subject: "A123456789".into(),
            ..EventSubmission::default()
        };
        let debug = format!("{event:?}");
        assert!(!debug.contains("A123456789"), "{debug}");
        assert!(debug.contains("<redacted>"));
    }
}
