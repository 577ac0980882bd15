//! Column encodings: times as microseconds since the Unix epoch (UTC), days as Julian day
//! numbers, domain values as JSON, versions, hashes and codes checked on the way back in.
//! Whatever cannot be read back is [`StoreError::Corrupt`].

use std::fmt::Display;

use lantern_domain::AgencyCode;
use lantern_store::StoreError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::{Date, OffsetDateTime};

use lantern_store::derived::stored_instant;

/// `at` as stored: microseconds since the Unix epoch.
///
/// # Errors
/// [`StoreError::Corrupt`] for an instant beyond ±292,000 years, which `i64` microseconds
/// cannot hold (only reachable with `time`'s `large-dates`).
pub(crate) fn micros(at: OffsetDateTime) -> Result<i64, StoreError> {
    let nanos = stored_instant(at).unix_timestamp_nanos();
    i64::try_from(nanos / 1_000)
        .map_err(|_| StoreError::Corrupt(format!("{at} is out of the storable range")))
}

/// The instant stored as `micros`, in UTC.
pub(crate) fn instant(micros: i64) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000)
        .map_err(|e| StoreError::Corrupt(format!("stored time {micros}: {e}")))
}

/// `day` as stored: its Julian day number.
pub(crate) fn julian(day: Date) -> i32 {
    day.to_julian_day()
}

/// The day stored as `julian`.
pub(crate) fn day(julian: i32) -> Result<Date, StoreError> {
    Date::from_julian_day(julian)
        .map_err(|e| StoreError::Corrupt(format!("stored day {julian}: {e}")))
}

/// A stored code or name, read back with its type's own `parse`; `what` names it in the error.
pub(crate) fn parsed<T, E: Display>(
    raw: &str,
    what: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, StoreError> {
    parse(raw).map_err(|e| StoreError::Corrupt(format!("stored {what} {raw:?}: {e}")))
}

/// `value` as a JSON document.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    // The domain types serialise infallibly (no maps with non-string keys); an error here would
    // be a bug in a type, not a condition to retry.
    serde_json::to_string(value)
        .map_err(|e| StoreError::Corrupt(format!("encoding a document: {e}")))
}

/// The value of a stored JSON document; `what` names it in the error.
pub(crate) fn from_json<T: DeserializeOwned>(raw: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(raw).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

/// A stored version number.
pub(crate) fn version(raw: i64) -> Result<u32, StoreError> {
    u32::try_from(raw).map_err(|_| StoreError::Corrupt(format!("version {raw} is out of range")))
}

/// A stored SHA-256 hash.
pub(crate) fn hash(raw: &[u8]) -> Result<[u8; 32], StoreError> {
    raw.try_into()
        .map_err(|_| StoreError::Corrupt(format!("a stored hash has {} bytes, not 32", raw.len())))
}

/// A stored agency code.
pub(crate) fn agency_code(raw: &str) -> Result<AgencyCode, StoreError> {
    parsed(raw, "agency code", AgencyCode::parse)
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    #[test]
    fn times_round_trip_through_microseconds() {
        for at in [
            datetime!(2025-03-01 09:30:15.123_456 +08:00),
            datetime!(1969-12-31 23:59:59.999_999 UTC),
            datetime!(1900-01-01 00:00:00 UTC),
            datetime!(9999-12-31 23:59:59.999_999 UTC),
        ] {
            assert_eq!(instant(micros(at).unwrap()).unwrap(), at);
        }
        assert_eq!(
            micros(datetime!(1970-01-01 00:00:00.000_001_999 UTC)).unwrap(),
            1
        );
        assert_eq!(
            micros(datetime!(1969-12-31 23:59:59.999_999_999 UTC)).unwrap(),
            -1
        );
    }

    #[test]
    fn days_round_trip_through_julian_day_numbers() {
        for d in [
            date!(0000 - 01 - 01),
            date!(1970 - 01 - 01),
            date!(9999 - 12 - 31),
        ] {
            assert_eq!(day(julian(d)).unwrap(), d);
        }
        assert!(julian(date!(2025 - 03 - 01)) < julian(date!(2025 - 03 - 02)));
    }

    #[test]
    fn unreadable_values_are_corrupt() {
        assert!(matches!(day(i32::MAX), Err(StoreError::Corrupt(_))));
        assert!(matches!(version(-1), Err(StoreError::Corrupt(_))));
        assert!(matches!(hash(&[0; 31]), Err(StoreError::Corrupt(_))));
        assert!(matches!(agency_code("lower"), Err(StoreError::Corrupt(_))));
        assert!(matches!(
            from_json::<lantern_domain::Agency>("{}", "agency"),
            Err(StoreError::Corrupt(_))
        ));
        assert!(matches!(instant(i64::MAX), Err(StoreError::Corrupt(_))));
    }
}
