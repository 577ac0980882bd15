//! Values the store derives from domain values: what changed between two versions of an agency,
//! the text a search looks in, the instant a time is stored as. `lantern-store-sqlite`
//! derives them the same way; the shared conformance suite holds both to it.

use lantern_domain::{Agency, PersonalDataFile};
use lantern_store::MAX_PAGE;
use time::{Duration, OffsetDateTime, UtcOffset};

/// The top-level fields of `new` whose values differ from `earlier`, in declaration order (the
/// agency counterpart of [`PersonalDataFile::changed_fields`]).
pub(crate) fn agency_changed_fields(new: &Agency, earlier: &Agency) -> Vec<&'static str> {
    // Destructuring without `..` makes a new field of `Agency` a compile error here until it is
    // compared too.
    let Agency {
        code,
        name_zh,
        name_en,
        kind,
        supervisor,
        contact,
        intelligence_agency,
    } = new;
    let pairs = [
        ("code", *code != earlier.code),
        ("name_zh", *name_zh != earlier.name_zh),
        ("name_en", *name_en != earlier.name_en),
        ("kind", *kind != earlier.kind),
        ("supervisor", *supervisor != earlier.supervisor),
        ("contact", *contact != earlier.contact),
        (
            "intelligence_agency",
            *intelligence_agency != earlier.intelligence_agency,
        ),
    ];
    pairs
        .into_iter()
        .filter_map(|(name, changed)| changed.then_some(name))
        .collect()
}

/// What a text search looks in: the names and the description, lowercased, one per line. The
/// line breaks keep a search word from matching across two fields (words never contain one).
pub(crate) fn search_text(file: &PersonalDataFile) -> String {
    [&file.name_zh, &file.name_en, &file.description]
        .map(|s| s.to_lowercase())
        .join("\n")
}

/// The words of a text query, lowercased like [`search_text`]. Each must occur in it.
pub(crate) fn search_words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_lowercase).collect()
}

/// The page size a query gets: what it asks, up to [`MAX_PAGE`].
pub(crate) fn page_limit(limit: u32) -> u32 {
    limit.min(MAX_PAGE)
}

/// `at` as the store keeps it: in UTC, truncated to whole microseconds. Returning this from a
/// write makes the write's answer equal to what later reads return.
pub(crate) fn stored_instant(at: OffsetDateTime) -> OffsetDateTime {
    let sub_micro = Duration::nanoseconds(i64::from(at.nanosecond() % 1_000));
    (at - sub_micro).to_offset(UtcOffset::UTC)
}

#[cfg(test)]
mod tests {
    use lantern_domain::{AgencyCode, AgencyKind, Contact};
    use time::macros::datetime;

    use super::*;

    #[test]
    fn agency_changes_are_named_in_field_order() {
        let before = Agency {
            code: AgencyCode::parse("EY").unwrap(),
            name_zh: "行政院".into(),
            name_en: String::new(),
            kind: AgencyKind::Central,
            supervisor: None,
            contact: Contact::default(),
            intelligence_agency: false,
        };
        assert!(agency_changed_fields(&before, &before).is_empty());
        let after = Agency {
            intelligence_agency: true,
            name_en: "Executive Yuan".into(),
            ..before.clone()
        };
        assert_eq!(
            agency_changed_fields(&after, &before),
            ["name_en", "intelligence_agency"]
        );
    }

    #[test]
    fn search_text_keeps_fields_apart() {
        let mut file: PersonalDataFile = serde_json::from_str(
            r#"{"id": "nhi-claims", "agency": "MOHW-NHIA", "name_zh": "健保資料", "name_en": "NHI Claims",
                "description": "Ünder Review", "contact": {"unit": "u"}, "legal_basis": {"pdpa": [], "statutes": []},
                "purposes": [], "categories": [], "sensitive": null, "large_database": null}"#,
        )
        .unwrap();
        assert_eq!(search_text(&file), "健保資料\nnhi claims\nünder review");
        file.description.clear();
        assert_eq!(search_text(&file), "健保資料\nnhi claims\n");
    }

    #[test]
    fn query_words_are_lowercased_and_split_on_whitespace() {
        assert_eq!(
            search_words("  Health\tCLAIMS 健保 "),
            ["health", "claims", "健保"]
        );
        assert!(search_words(" \n ").is_empty());
    }

    #[test]
    fn instants_are_truncated_to_microseconds_in_utc() {
        let at = datetime!(2025-03-01 09:30:15.123_456_789 +08:00);
        assert_eq!(
            stored_instant(at),
            datetime!(2025-03-01 01:30:15.123_456 UTC)
        );
        assert_eq!(stored_instant(at).offset(), UtcOffset::UTC);
        let before_epoch = datetime!(1969-12-31 23:59:59.999_999_999 UTC);
        assert_eq!(
            stored_instant(before_epoch),
            datetime!(1969-12-31 23:59:59.999_999 UTC)
        );
    }
}
