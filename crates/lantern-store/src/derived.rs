//! What every backend derives or decides the same way: the text a search looks in, the page
//! size a query gets, the instant a time is stored as, the version after another, and whether
//! an update of a file or service writes a new version. Shared so the backends cannot drift; the
//! conformance suite holds them to the results.

use crate::{MAX_PAGE, StoreError, Versioned};
use lantern_domain::{AgencyCode, PersonalDataFile, Service};
use time::{Duration, OffsetDateTime, UtcOffset};

/// What a text search looks in: the names and the description, lowercased, one per line. The
/// line breaks keep a search word from matching across two fields (words never contain one).
pub fn search_text(file: &PersonalDataFile) -> String {
    [&file.name_zh, &file.name_en, &file.description]
        .map(|s| s.to_lowercase())
        .join("\n")
}

/// The words of a text query, lowercased like [`search_text`]. Each must occur in it.
pub fn search_words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_lowercase).collect()
}

/// The page size a query gets: what it asks, up to [`MAX_PAGE`].
pub fn page_limit(limit: u32) -> u32 {
    limit.min(MAX_PAGE)
}

/// `at` as the store keeps it: in UTC, truncated to whole microseconds. Returning this from a
/// write makes the write's answer equal to what later reads return.
pub fn stored_instant(at: OffsetDateTime) -> OffsetDateTime {
    let sub_micro = Duration::nanoseconds(i64::from(at.nanosecond() % 1_000));
    (at - sub_micro).to_offset(UtcOffset::UTC)
}

/// The version that follows `current`.
///
/// # Errors
/// [`StoreError::Corrupt`] when `current` is the largest version there can be.
pub fn next_version(current: u32) -> Result<u32, StoreError> {
    current
        .checked_add(1)
        .ok_or_else(|| StoreError::Corrupt(format!("version {current} cannot be followed")))
}

/// What an update of a register entry must write, decided from the current version under the
/// writer's lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionUpdate {
    /// The value equals the current one: write nothing and answer the current version.
    Unchanged,
    /// Write this new version.
    NewVersion {
        /// Its number.
        version: u32,
        /// The top-level fields that differ from the current version.
        changed_fields: Vec<&'static str>,
    },
}

/// A versioned register entry held by one agency: a personal-data file or a service.
pub trait RegisterEntry: PartialEq {
    /// The holding agency.
    fn holder(&self) -> &AgencyCode;
    /// How an error names the entry, e.g. `file nhi-claims`.
    fn name(&self) -> String;
    /// The fields that differ from `earlier`.
    fn changed_fields(&self, earlier: &Self) -> Vec<&'static str>;
}

impl RegisterEntry for PersonalDataFile {
    fn holder(&self) -> &AgencyCode {
        &self.agency
    }
    fn name(&self) -> String {
        format!("file {}", self.id)
    }
    fn changed_fields(&self, earlier: &Self) -> Vec<&'static str> {
        Self::changed_fields(self, earlier)
    }
}

impl RegisterEntry for Service {
    fn holder(&self) -> &AgencyCode {
        &self.agency
    }
    fn name(&self) -> String {
        format!("service {}", self.id)
    }
    fn changed_fields(&self, earlier: &Self) -> Vec<&'static str> {
        Self::changed_fields(self, earlier)
    }
}

/// Decides an update of `current` to `entry` under the `update_file` contract. Equality is
/// checked before the expected version: an unchanged value overwrites nothing, so even a stale
/// expected version loses no one's edit, and a retried call that had committed succeeds.
///
/// # Errors
/// [`StoreError::Conflict`] when the entry would move to another agency or `expected_version`
/// is not the current version; [`StoreError::Corrupt`] when no version can follow.
pub fn plan_update<T: RegisterEntry>(
    current: &Versioned<T>,
    entry: &T,
    expected_version: Option<u32>,
) -> Result<VersionUpdate, StoreError> {
    if current.value.holder() != entry.holder() {
        return Err(StoreError::Conflict(format!(
            "{} belongs to {}; it cannot move to {}",
            entry.name(),
            current.value.holder(),
            entry.holder()
        )));
    }
    if current.value == *entry {
        return Ok(VersionUpdate::Unchanged);
    }
    if let Some(expected) = expected_version
        && expected != current.info.version
    {
        return Err(StoreError::Conflict(format!(
            "{} is at version {}, not {expected}",
            entry.name(),
            current.info.version
        )));
    }
    Ok(VersionUpdate::NewVersion {
        version: next_version(current.info.version)?,
        changed_fields: RegisterEntry::changed_fields(entry, &current.value),
    })
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn the_last_version_has_no_successor() {
        assert_eq!(next_version(1).unwrap(), 2);
        assert!(matches!(
            next_version(u32::MAX),
            Err(StoreError::Corrupt(_))
        ));
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
