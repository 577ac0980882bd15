//! What the usage log adds up as events arrive: statistics by month, agency, file, action,
//! purpose, legal basis and scope; each file's activity; daily volumes per file. Duplicates are
//! never counted.
//!
//! The statistics cases compare the store's answer with a reference computed here from the
//! appended events. The trait orders rows "by the grouped values" without saying how actions and
//! purpose scopes compare, so rows grouped by either are compared regardless of order; every
//! other grouping must come back in the order of its values.

use std::collections::BTreeMap;

use lantern_domain::{AgencyCode, LegalBasisCode, PurposeCode};
use lantern_log::{Action, PurposeScope};
use lantern_store::{
    DailyVolume, FileActivity, NewUsageEvent, StatsDimension, StatsQuery, StatsRow, Store,
};
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime, UtcOffset};

use crate::fixtures::{
    Usage, append, code, events, file_agency_and_purpose, file_id, seed_files, usage,
};

use StatsDimension::{Action as ByAction, Agency, File, LegalBasis, Month, Purpose, Scope};

const ALL_DIMENSIONS: [StatsDimension; 7] =
    [Month, Agency, File, ByAction, Purpose, LegalBasis, Scope];

/// Nine events over four months and three files, with record counts that are distinct powers
/// of two (so a sum names the events in it). Event 4 happened on 1 April in Taipei but on 31
/// March in UTC; event 9 is confidential (still counted: statistics hold no personal data).
///
/// | id | file | UTC time | action | purpose | basis | scope | records |
/// |---|---|---|---|---|---|---|---|
/// | 1 | nhi-claims | 01-15 10:00 | use | 031 | 16-MAIN | within | 1 |
/// | 2 | nhi-claims | 01-31 23:59:59.999 | use | 031 | 16-MAIN | within | 2 |
/// | 3 | nhi-claims | 02-03 08:00 | disclose | 012 | 16-MAIN | within | 4 |
/// | 4 | nhi-claims | 03-31 23:30 | use | 040 | 16-P2 | out | 8 |
/// | 5 | household-registry | 02-28 12:00 | collect | 003 | 15-1 | within | 16 |
/// | 6 | household-registry | 03-01 00:00 | process | 038 | 15-1 | within | 32 |
/// | 7 | tax-returns | 04-01 00:00 | out_of_purpose_use | 040 | 16-P5 | out | 64 |
/// | 8 | tax-returns | 04-30 09:00 | use | 095 | 16-MAIN | within | 128 |
/// | 9 | household-registry | 01-15 11:00 | process | 038 | 16-MAIN | within | 256 |
fn dataset() -> Vec<Usage> {
    let out = |id, subject, file, at, action, basis, records| Usage {
        action,
        purpose: "040",
        legal_basis: basis,
        scope: PurposeScope::OutOfPurpose,
        records,
        ..usage(id, subject, file, at)
    };
    vec![
        usage(1, 1, "nhi-claims", datetime!(2025-01-15 10:00 UTC)),
        Usage {
            records: 2,
            ..usage(2, 2, "nhi-claims", datetime!(2025-01-31 23:59:59.999 UTC))
        },
        Usage {
            action: Action::Disclose,
            purpose: "012",
            records: 4,
            ..usage(3, 1, "nhi-claims", datetime!(2025-02-03 08:00 UTC))
        },
        out(
            4,
            3,
            "nhi-claims",
            datetime!(2025-04-01 07:30 +08:00),
            Action::Use,
            "PDPA-16-P2",
            8,
        ),
        Usage {
            action: Action::Collect,
            legal_basis: "PDPA-15-1",
            records: 16,
            ..usage(5, 2, "household-registry", datetime!(2025-02-28 12:00 UTC))
        },
        Usage {
            action: Action::Process,
            purpose: "038",
            legal_basis: "PDPA-15-1",
            records: 32,
            ..usage(6, 1, "household-registry", datetime!(2025-03-01 00:00 UTC))
        },
        out(
            7,
            3,
            "tax-returns",
            datetime!(2025-04-01 00:00 UTC),
            Action::OutOfPurposeUse,
            "PDPA-16-P5",
            64,
        ),
        Usage {
            records: 128,
            ..usage(8, 2, "tax-returns", datetime!(2025-04-30 09:00 UTC))
        },
        Usage {
            action: Action::Process,
            purpose: "038",
            records: 256,
            confidential: Some(("GIDA-18-2", date!(2026 - 01 - 01))),
            ..usage(9, 1, "household-registry", datetime!(2025-01-15 11:00 UTC))
        },
    ]
}

/// Seeds the files and appends [`dataset`] in two batches; returns the appended events.
async fn seed_dataset(store: &dyn Store) -> Vec<NewUsageEvent> {
    seed_files(store).await;
    let usages = dataset();
    append(store, &usages[..4], datetime!(2025-05-01 09:00 UTC)).await;
    append(store, &usages[4..], datetime!(2025-05-02 09:00 UTC)).await;
    events(&usages)
}

fn month_of(day: Date) -> Date {
    day.replace_day(1).expect("every month has a first day")
}

fn scope_name(scope: PurposeScope) -> &'static str {
    match scope {
        PurposeScope::WithinPurpose => "within",
        PurposeScope::OutOfPurpose => "out",
    }
}

/// An event's value of a dimension, as text that sorts like the value (for all but actions
/// and scopes, whose order the contract leaves open).
fn event_value(new: &NewUsageEvent, dimension: StatsDimension) -> String {
    let e = new.event.parts();
    match dimension {
        Month => month_of(new.event.day()).to_string(),
        Agency => e.agency.as_str().to_owned(),
        File => e.file.as_str().to_owned(),
        ByAction => e.action.as_str().to_owned(),
        Purpose => e.purpose.as_str().to_owned(),
        LegalBasis => e.legal_basis.as_str().to_owned(),
        Scope => scope_name(new.scope).to_owned(),
    }
}

/// A row's value of a dimension, as [`event_value`] writes it; `None` when not grouped by.
fn row_value(row: &StatsRow, dimension: StatsDimension) -> Option<String> {
    match dimension {
        Month => row.month.map(|m| m.to_string()),
        Agency => row.agency.as_ref().map(|a| a.as_str().to_owned()),
        File => row.file.as_ref().map(|f| f.as_str().to_owned()),
        ByAction => row.action.map(|a| a.as_str().to_owned()),
        Purpose => row.purpose.as_ref().map(|p| p.as_str().to_owned()),
        LegalBasis => row.legal_basis.as_ref().map(|b| b.as_str().to_owned()),
        Scope => row.scope.map(|s| scope_name(s).to_owned()),
    }
}

fn empty_row() -> StatsRow {
    StatsRow {
        month: None,
        agency: None,
        file: None,
        action: None,
        purpose: None,
        legal_basis: None,
        scope: None,
        events: 0,
        records: 0,
    }
}

fn matches(new: &NewUsageEvent, query: &StatsQuery) -> bool {
    let e = new.event.parts();
    let month = month_of(new.event.day());
    query.from.is_none_or(|from| month >= month_of(from))
        && query.to.is_none_or(|to| month <= month_of(to))
        && query.agency.as_ref().is_none_or(|a| *a == e.agency)
        && query.file.as_ref().is_none_or(|f| *f == e.file)
        && query.action.is_none_or(|a| a == e.action)
        && query.purpose.as_ref().is_none_or(|p| *p == e.purpose)
        && query
            .legal_basis
            .as_ref()
            .is_none_or(|b| *b == e.legal_basis)
        && query.scope.is_none_or(|s| s == new.scope)
}

/// The statistics the contract asks for, computed from the events in memory, ordered by the
/// grouped values.
fn reference(events: &[NewUsageEvent], query: &StatsQuery) -> Vec<StatsRow> {
    let mut groups: BTreeMap<Vec<String>, StatsRow> = BTreeMap::new();
    for new in events.iter().filter(|new| matches(new, query)) {
        let key = query
            .group_by
            .iter()
            .map(|&d| event_value(new, d))
            .collect();
        let row = groups.entry(key).or_insert_with(|| {
            let e = new.event.parts();
            let mut row = empty_row();
            for dimension in &query.group_by {
                match dimension {
                    Month => row.month = Some(month_of(new.event.day())),
                    Agency => row.agency = Some(e.agency.clone()),
                    File => row.file = Some(e.file.clone()),
                    ByAction => row.action = Some(e.action),
                    Purpose => row.purpose = Some(e.purpose.clone()),
                    LegalBasis => row.legal_basis = Some(e.legal_basis.clone()),
                    Scope => row.scope = Some(new.scope),
                }
            }
            row
        });
        row.events += 1;
        row.records += new.event.parts().records;
    }
    groups.into_values().collect()
}

/// Asserts that the store's statistics for `query` are the reference's, and returns them.
async fn check(store: &dyn Store, events: &[NewUsageEvent], query: StatsQuery) -> Vec<StatsRow> {
    let mut rows = store
        .usage_stats(&query)
        .await
        .unwrap_or_else(|e| panic!("usage_stats {query:?}: {e}"));
    let expected = reference(events, &query);
    if query.group_by.iter().any(|d| matches!(d, ByAction | Scope)) {
        let key = |row: &StatsRow| -> Vec<Option<String>> {
            query.group_by.iter().map(|&d| row_value(row, d)).collect()
        };
        rows.sort_by_key(key);
    }
    assert_eq!(rows, expected, "usage_stats {query:?}");
    rows
}

fn grouped(group_by: &[StatsDimension]) -> StatsQuery {
    StatsQuery {
        group_by: group_by.to_vec(),
        ..StatsQuery::default()
    }
}

fn total(events: u64, records: u64) -> StatsRow {
    StatsRow {
        events,
        records,
        ..empty_row()
    }
}

fn per_month(month: Date, events: u64, records: u64) -> StatsRow {
    StatsRow {
        month: Some(month),
        ..total(events, records)
    }
}

/// With nothing to group by, one row sums every event matching the filters.
pub async fn stats_without_grouping_sum_everything(store: &dyn Store) {
    let events = seed_dataset(store).await;
    assert_eq!(
        check(store, &events, StatsQuery::default()).await,
        [total(9, 511)]
    );
    let nhi = StatsQuery {
        agency: Some(code("MOHW-NHIA")),
        ..StatsQuery::default()
    };
    assert_eq!(check(store, &events, nhi).await, [total(4, 15)]);
}

/// Grouped by one dimension, a row per value of it, the others `None`; months are UTC
/// calendar months, named by their first day.
pub async fn stats_group_by_each_dimension(store: &dyn Store) {
    let events = seed_dataset(store).await;
    assert_eq!(
        check(store, &events, grouped(&[Month])).await,
        [
            per_month(date!(2025 - 01 - 01), 3, 259),
            per_month(date!(2025 - 02 - 01), 2, 20),
            per_month(date!(2025 - 03 - 01), 2, 40),
            per_month(date!(2025 - 04 - 01), 2, 192),
        ]
    );
    let per_file = |file: &str, events, records| StatsRow {
        file: Some(file_id(file)),
        ..total(events, records)
    };
    assert_eq!(
        check(store, &events, grouped(&[File])).await,
        [
            per_file("household-registry", 3, 304),
            per_file("nhi-claims", 4, 15),
            per_file("tax-returns", 2, 192),
        ]
    );
    let scopes = check(store, &events, grouped(&[Scope])).await;
    assert_eq!(scopes.len(), 2);
    for dimension in ALL_DIMENSIONS {
        check(store, &events, grouped(&[dimension])).await;
    }
}

/// Grouped by several dimensions, a row per combination that occurs, ordered by the grouped
/// values in the order the dimensions are given.
pub async fn stats_group_by_combinations(store: &dyn Store) {
    let events = seed_dataset(store).await;
    let file_month = check(store, &events, grouped(&[File, Month])).await;
    assert_eq!(file_month.len(), 7);
    assert_eq!(
        file_month[0],
        StatsRow {
            file: Some(file_id("household-registry")),
            month: Some(date!(2025 - 01 - 01)),
            ..total(1, 256)
        }
    );
    let month_file = check(store, &events, grouped(&[Month, File])).await;
    assert_eq!(
        month_file[0],
        StatsRow {
            file: Some(file_id("household-registry")),
            month: Some(date!(2025 - 01 - 01)),
            ..total(1, 256)
        }
    );
    assert_eq!(
        month_file[1],
        StatsRow {
            file: Some(file_id("nhi-claims")),
            month: Some(date!(2025 - 01 - 01)),
            ..total(2, 3)
        }
    );
    for group_by in [
        vec![Agency, Purpose],
        vec![Purpose, LegalBasis],
        vec![LegalBasis, Month, Agency],
        vec![Agency, ByAction],
        vec![Purpose, LegalBasis, Scope],
        vec![Scope, Month],
        ALL_DIMENSIONS.to_vec(),
        ALL_DIMENSIONS.iter().rev().copied().collect(),
    ] {
        check(store, &events, grouped(&group_by)).await;
    }
}

/// `from` and `to` select whole UTC months, whatever day of the month they name, both ends
/// included.
pub async fn stats_month_range_counts_whole_months(store: &dyn Store) {
    let events = seed_dataset(store).await;
    let range = |from: Option<Date>, to: Option<Date>| StatsQuery {
        from,
        to,
        group_by: vec![Month],
        ..StatsQuery::default()
    };
    assert_eq!(
        check(
            store,
            &events,
            range(Some(date!(2025 - 02 - 15)), Some(date!(2025 - 03 - 02)))
        )
        .await,
        [
            per_month(date!(2025 - 02 - 01), 2, 20),
            per_month(date!(2025 - 03 - 01), 2, 40),
        ]
    );
    assert_eq!(
        check(store, &events, range(Some(date!(2025 - 03 - 31)), None)).await,
        [
            per_month(date!(2025 - 03 - 01), 2, 40),
            per_month(date!(2025 - 04 - 01), 2, 192),
        ]
    );
    assert_eq!(
        check(store, &events, range(None, Some(date!(2025 - 01 - 01)))).await,
        [per_month(date!(2025 - 01 - 01), 3, 259)]
    );
    let march = Some(date!(2025 - 03 - 31));
    assert_eq!(
        check(store, &events, range(march, march)).await,
        [per_month(date!(2025 - 03 - 01), 2, 40)],
        "event 4 (1 April in Taipei) is a March event in UTC"
    );
    assert!(
        check(
            store,
            &events,
            range(Some(date!(2025 - 05 - 01)), Some(date!(2025 - 12 - 31)))
        )
        .await
        .is_empty()
    );
    let sums = StatsQuery {
        from: Some(date!(2025 - 01 - 31)),
        to: Some(date!(2025 - 02 - 01)),
        ..StatsQuery::default()
    };
    assert_eq!(check(store, &events, sums).await, [total(5, 279)]);
}

/// Each filter keeps only the events that match it, and filters combine.
pub async fn stats_filters(store: &dyn Store) {
    let events = seed_dataset(store).await;
    let purpose = |raw: &str| Some(PurposeCode::parse(raw).expect("purpose"));
    let basis = |raw: &str| Some(LegalBasisCode::parse(raw).expect("legal basis"));
    let agency = |raw: &str| -> Option<AgencyCode> { Some(code(raw)) };
    let filters = [
        StatsQuery {
            agency: agency("MOI-HRA"),
            ..StatsQuery::default()
        },
        StatsQuery {
            agency: agency("TPE-LIB"),
            ..StatsQuery::default()
        },
        StatsQuery {
            file: Some(file_id("tax-returns")),
            ..StatsQuery::default()
        },
        StatsQuery {
            action: Some(Action::Use),
            ..StatsQuery::default()
        },
        StatsQuery {
            action: Some(Action::OutOfPurposeUse),
            ..StatsQuery::default()
        },
        StatsQuery {
            purpose: purpose("040"),
            ..StatsQuery::default()
        },
        StatsQuery {
            legal_basis: basis("PDPA-15-1"),
            ..StatsQuery::default()
        },
        StatsQuery {
            scope: Some(PurposeScope::OutOfPurpose),
            ..StatsQuery::default()
        },
        StatsQuery {
            scope: Some(PurposeScope::WithinPurpose),
            ..StatsQuery::default()
        },
        StatsQuery {
            agency: agency("MOHW-NHIA"),
            scope: Some(PurposeScope::WithinPurpose),
            from: Some(date!(2025 - 01 - 20)),
            to: Some(date!(2025 - 02 - 10)),
            ..StatsQuery::default()
        },
        StatsQuery {
            file: Some(file_id("nhi-claims")),
            action: Some(Action::Use),
            purpose: purpose("031"),
            legal_basis: basis("PDPA-16-MAIN"),
            ..StatsQuery::default()
        },
        StatsQuery {
            file: Some(file_id("nhi-claims")),
            agency: agency("MOF-TAX"),
            ..StatsQuery::default()
        },
    ];
    for filter in filters {
        for group_by in [vec![Month], vec![File, ByAction]] {
            check(
                store,
                &events,
                StatsQuery {
                    group_by,
                    ..filter.clone()
                },
            )
            .await;
        }
    }
    // Anchors for the reference.
    let by_basis = StatsQuery {
        legal_basis: basis("PDPA-15-1"),
        ..StatsQuery::default()
    };
    assert_eq!(check(store, &events, by_basis).await, [total(2, 48)]);
    let out_of_purpose = StatsQuery {
        scope: Some(PurposeScope::OutOfPurpose),
        ..StatsQuery::default()
    };
    assert_eq!(check(store, &events, out_of_purpose).await, [total(2, 72)]);
    let combined = StatsQuery {
        agency: agency("MOHW-NHIA"),
        scope: Some(PurposeScope::WithinPurpose),
        from: Some(date!(2025 - 01 - 20)),
        to: Some(date!(2025 - 02 - 10)),
        ..StatsQuery::default()
    };
    assert_eq!(check(store, &events, combined).await, [total(3, 7)]);
}

fn activity(
    file: &str,
    first_event: OffsetDateTime,
    last_event: OffsetDateTime,
    last_reported: OffsetDateTime,
    events: u64,
) -> FileActivity {
    FileActivity {
        file: file_id(file),
        agency: code(file_agency_and_purpose(file).0),
        first_event,
        last_event,
        last_reported,
        events,
    }
}

#[track_caller]
fn assert_utc(activities: &[FileActivity]) {
    for a in activities {
        for t in [a.first_event, a.last_event, a.last_reported] {
            assert_eq!(t.offset(), UtcOffset::UTC, "{} times are in UTC", a.file);
        }
    }
}

/// A file's activity holds its earliest and latest `occurred_at`, when its events were last
/// received and how many there are; files are listed by id, and a file that reported nothing
/// is not listed.
pub async fn file_activity_tracks_events_and_reports(store: &dyn Store) {
    seed_files(store).await;
    let first_batch = datetime!(2025-03-02 09:00:00.250 +08:00);
    let second_batch = datetime!(2025-03-03 10:15:30.500 UTC);
    append(
        store,
        &[
            usage(1, 1, "nhi-claims", datetime!(2025-02-10 08:00:00.001 UTC)),
            usage(2, 2, "nhi-claims", datetime!(2025-02-12 18:00 +08:00)),
            usage(3, 1, "household-registry", datetime!(2025-02-11 00:00 UTC)),
        ],
        first_batch,
    )
    .await;
    let after_first = store.file_activity().await.expect("file_activity");
    assert_eq!(
        after_first,
        [
            activity(
                "household-registry",
                datetime!(2025-02-11 00:00 UTC),
                datetime!(2025-02-11 00:00 UTC),
                first_batch,
                1
            ),
            activity(
                "nhi-claims",
                datetime!(2025-02-10 08:00:00.001 UTC),
                datetime!(2025-02-12 10:00 UTC),
                first_batch,
                2
            ),
        ]
    );
    assert_utc(&after_first);

    append(
        store,
        &[
            usage(4, 3, "tax-returns", datetime!(2025-03-01 00:00 UTC)),
            usage(5, 1, "nhi-claims", datetime!(2025-02-01 12:00 UTC)),
        ],
        second_batch,
    )
    .await;
    let after_second = store.file_activity().await.expect("file_activity");
    assert_eq!(
        after_second,
        [
            activity(
                "household-registry",
                datetime!(2025-02-11 00:00 UTC),
                datetime!(2025-02-11 00:00 UTC),
                first_batch,
                1
            ),
            activity(
                "nhi-claims",
                datetime!(2025-02-01 12:00 UTC),
                datetime!(2025-02-12 10:00 UTC),
                second_batch,
                3
            ),
            activity(
                "tax-returns",
                datetime!(2025-03-01 00:00 UTC),
                datetime!(2025-03-01 00:00 UTC),
                second_batch,
                1
            ),
        ]
    );
    assert_utc(&after_second);
}

/// Daily volumes count each file's events and records per UTC day, from `from` to `to`
/// inclusive, leaving out days without events, ordered by file then day; `file` keeps one file.
pub async fn daily_volume_per_file_and_day(store: &dyn Store) {
    seed_files(store).await;
    let at_records = |id, file, at, records| Usage {
        records,
        ..usage(id, 1, file, at)
    };
    append(
        store,
        &[
            at_records(1, "nhi-claims", datetime!(2025-03-01 00:00 UTC), 1),
            at_records(2, "nhi-claims", datetime!(2025-03-01 23:59:59.999 UTC), 2),
            at_records(3, "nhi-claims", datetime!(2025-03-03 12:00 UTC), 4),
            at_records(4, "nhi-claims", datetime!(2025-03-05 07:30 +08:00), 8),
            at_records(5, "household-registry", datetime!(2025-03-01 10:00 UTC), 16),
        ],
        datetime!(2025-03-06 00:00 UTC),
    )
    .await;
    append(
        store,
        &[
            at_records(6, "household-registry", datetime!(2025-03-10 10:00 UTC), 32),
            at_records(7, "tax-returns", datetime!(2025-02-28 23:00 UTC), 64),
            at_records(8, "nhi-claims", datetime!(2025-03-03 01:00 UTC), 128),
        ],
        datetime!(2025-03-11 00:00 UTC),
    )
    .await;
    let volume = |file: &str, day: Date, events: u64, records: u64| DailyVolume {
        file: file_id(file),
        day,
        events,
        records,
    };
    let daily = |file: Option<&'static str>, from: Date, to: Date| async move {
        store
            .daily_volume(file.map(file_id).as_ref(), from, to)
            .await
            .unwrap_or_else(|e| panic!("daily_volume {file:?} {from} {to}: {e}"))
    };

    assert_eq!(
        daily(None, date!(2025 - 03 - 01), date!(2025 - 03 - 04)).await,
        [
            volume("household-registry", date!(2025 - 03 - 01), 1, 16),
            volume("nhi-claims", date!(2025 - 03 - 01), 2, 3),
            volume("nhi-claims", date!(2025 - 03 - 03), 2, 132),
            volume("nhi-claims", date!(2025 - 03 - 04), 1, 8),
        ]
    );
    assert_eq!(
        daily(
            Some("nhi-claims"),
            date!(2025 - 03 - 02),
            date!(2025 - 03 - 04)
        )
        .await,
        [
            volume("nhi-claims", date!(2025 - 03 - 03), 2, 132),
            volume("nhi-claims", date!(2025 - 03 - 04), 1, 8),
        ]
    );
    assert_eq!(
        daily(None, date!(2025 - 03 - 04), date!(2025 - 03 - 10)).await,
        [
            volume("household-registry", date!(2025 - 03 - 10), 1, 32),
            volume("nhi-claims", date!(2025 - 03 - 04), 1, 8),
        ],
        "both ends included"
    );
    assert_eq!(
        daily(None, date!(2025 - 02 - 28), date!(2025 - 02 - 28)).await,
        [volume("tax-returns", date!(2025 - 02 - 28), 1, 64)]
    );
    assert!(
        daily(
            Some("library-patrons"),
            date!(2025 - 01 - 01),
            date!(2025 - 12 - 31)
        )
        .await
        .is_empty()
    );
    assert!(
        daily(None, date!(2025 - 03 - 05), date!(2025 - 03 - 09))
            .await
            .is_empty()
    );
}

/// Duplicates are written nowhere: a batch of resent events changes no statistics, daily
/// volume or file activity (not even when the file last reported), and in a mixed batch only
/// the new events count, once each.
pub async fn duplicates_are_not_counted(store: &dyn Store) {
    let mut events = seed_dataset(store).await;
    let everything = grouped(&ALL_DIMENSIONS);
    let stats = check(store, &events, everything.clone()).await;
    let activity = store.file_activity().await.expect("file_activity");
    let (from, to) = (date!(2025 - 01 - 01), date!(2025 - 12 - 31));
    let volume = store
        .daily_volume(None, from, to)
        .await
        .expect("daily_volume");

    let usages = dataset();
    let resent = [
        usages[0].clone(),
        Usage {
            records: 1000,
            occurred_at: datetime!(2025-06-01 00:00 UTC),
            ..usages[7].clone()
        },
        usages[0].clone(),
    ];
    append(store, &resent, datetime!(2025-07-01 00:00 UTC)).await;
    assert_eq!(check(store, &events, everything.clone()).await, stats);
    assert_eq!(
        store.file_activity().await.expect("file_activity"),
        activity,
        "a batch of duplicates is no report"
    );
    assert_eq!(
        store
            .daily_volume(None, from, to)
            .await
            .expect("daily_volume"),
        volume
    );

    let fresh = usage(10, 4, "tax-returns", datetime!(2025-04-30 10:00 UTC));
    let received = datetime!(2025-08-01 00:00 UTC);
    append(
        store,
        &[
            usages[4].clone(),
            fresh.clone(),
            Usage {
                records: 77,
                ..fresh.clone()
            },
            usages[8].clone(),
        ],
        received,
    )
    .await;
    events.push(fresh.event());
    check(store, &events, everything).await;
    check(store, &events, StatsQuery::default()).await;
    let activity = store.file_activity().await.expect("file_activity");
    let tax = activity
        .iter()
        .find(|a| a.file.as_str() == "tax-returns")
        .expect("tax-returns reported");
    assert_eq!(tax.events, 3);
    assert_eq!(tax.last_reported, received);
    let household = activity
        .iter()
        .find(|a| a.file.as_str() == "household-registry")
        .expect("household-registry reported");
    assert_eq!(household.events, 3);
    assert_eq!(
        household.last_reported,
        datetime!(2025-05-02 09:00 UTC),
        "only duplicates of this file were resent"
    );
    assert_eq!(
        store
            .daily_volume(Some(&file_id("tax-returns")), from, to)
            .await
            .expect("daily_volume"),
        [
            DailyVolume {
                file: file_id("tax-returns"),
                day: date!(2025 - 04 - 01),
                events: 1,
                records: 64
            },
            DailyVolume {
                file: file_id("tax-returns"),
                day: date!(2025 - 04 - 30),
                events: 2,
                records: 129
            },
        ]
    );
}
