//! The statistics kept as events arrive: monthly rollups, daily volumes and file activity.

use lantern_domain::{AgencyCode, FileId, LegalBasisCode, PurposeCode};
use lantern_log::{Action, PurposeScope};
use lantern_store::{DailyVolume, FileActivity, StatsDimension, StatsQuery, StatsRow, StoreError};
use rusqlite::types::Value;
use rusqlite::{Connection, Row, params, params_from_iter};
use time::Date;

use crate::codec::{agency_code, day, instant, julian, parsed};
use crate::error::sql;

/// The `usage_monthly` column holding a dimension.
fn column(dimension: StatsDimension) -> &'static str {
    match dimension {
        StatsDimension::Month => "month",
        StatsDimension::Agency => "agency",
        StatsDimension::File => "file",
        StatsDimension::Action => "action",
        StatsDimension::Purpose => "purpose",
        StatsDimension::LegalBasis => "legal_basis",
        StatsDimension::Scope => "out_of_purpose",
    }
}

/// The first day of `date`'s month, as stored.
fn month(date: Date) -> i32 {
    julian(date) - i32::from(date.day()) + 1
}

/// The filters of `query` as a `WHERE` clause over bound parameters, and their values.
fn filters(query: &StatsQuery) -> (String, Vec<Value>) {
    let mut clauses = Vec::new();
    let mut values = Vec::new();
    let mut filter = |clause: &'static str, value: Value| {
        clauses.push(clause);
        values.push(value);
    };
    if let Some(from) = query.from {
        filter("month >= ?", Value::Integer(month(from).into()));
    }
    if let Some(to) = query.to {
        filter("month <= ?", Value::Integer(month(to).into()));
    }
    let text = |s: &str| Value::Text(s.to_owned());
    if let Some(agency) = &query.agency {
        filter("agency = ?", text(agency.as_str()));
    }
    if let Some(file) = &query.file {
        filter("file = ?", text(file.as_str()));
    }
    if let Some(action) = query.action {
        filter("action = ?", text(action.as_str()));
    }
    if let Some(purpose) = &query.purpose {
        filter("purpose = ?", text(purpose.as_str()));
    }
    if let Some(basis) = &query.legal_basis {
        filter("legal_basis = ?", text(basis.as_str()));
    }
    if let Some(scope) = query.scope {
        let out = scope == PurposeScope::OutOfPurpose;
        filter("out_of_purpose = ?", Value::Integer(out.into()));
    }
    let clause = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    (clause, values)
}

/// Events and records per combination of the grouped dimensions, filtered, in grouped order.
pub(super) fn usage_stats(
    conn: &Connection,
    query: &StatsQuery,
) -> Result<Vec<StatsRow>, StoreError> {
    let grouped: Vec<&str> = query.group_by.iter().map(|&d| column(d)).collect();
    let (clause, values) = filters(query);
    let text = if grouped.is_empty() {
        format!(
            "SELECT coalesce(sum(events), 0), coalesce(sum(records), 0) FROM usage_monthly{clause}"
        )
    } else {
        let grouped = grouped.join(", ");
        format!(
            "SELECT {grouped}, sum(events), sum(records) FROM usage_monthly{clause}
             GROUP BY {grouped} ORDER BY {grouped}"
        )
    };
    let raw = conn
        .prepare(&text)
        .and_then(|mut stmt| {
            stmt.query_map(params_from_iter(&values), |row| {
                raw_row(row, &query.group_by)
            })?
            .collect::<Result<Vec<_>, _>>()
        })
        .map_err(sql)?;
    raw.into_iter().map(RawRow::decode).collect()
}

/// A statistics row as read: the grouped values in order, then the sums.
struct RawRow {
    groups: Vec<(StatsDimension, Value)>,
    events: u64,
    records: u64,
}

fn raw_row(row: &Row<'_>, dimensions: &[StatsDimension]) -> rusqlite::Result<RawRow> {
    let groups = dimensions
        .iter()
        .enumerate()
        .map(|(i, &d)| Ok((d, row.get(i)?)))
        .collect::<rusqlite::Result<_>>()?;
    Ok(RawRow {
        groups,
        events: row.get(dimensions.len())?,
        records: row.get(dimensions.len() + 1)?,
    })
}

impl RawRow {
    fn decode(self) -> Result<StatsRow, StoreError> {
        let mut out = StatsRow {
            month: None,
            agency: None,
            file: None,
            action: None,
            purpose: None,
            legal_basis: None,
            scope: None,
            events: self.events,
            records: self.records,
        };
        for (dimension, value) in self.groups {
            match (dimension, value) {
                (StatsDimension::Month, Value::Integer(n)) => {
                    let n = i32::try_from(n)
                        .map_err(|_| StoreError::Corrupt(format!("stored month {n}")))?;
                    out.month = Some(day(n)?);
                }
                (StatsDimension::Scope, Value::Integer(out_of_purpose)) => {
                    out.scope = Some(if out_of_purpose == 0 {
                        PurposeScope::WithinPurpose
                    } else {
                        PurposeScope::OutOfPurpose
                    });
                }
                (StatsDimension::Agency, Value::Text(s)) => {
                    out.agency = Some(agency_code(&s)?);
                }
                (StatsDimension::File, Value::Text(s)) => {
                    out.file = Some(parsed(&s, "file id", FileId::parse)?);
                }
                (StatsDimension::Action, Value::Text(s)) => {
                    out.action = Some(parsed(&s, "action", Action::parse)?);
                }
                (StatsDimension::Purpose, Value::Text(s)) => {
                    out.purpose = Some(parsed(&s, "purpose", PurposeCode::parse)?);
                }
                (StatsDimension::LegalBasis, Value::Text(s)) => {
                    out.legal_basis = Some(parsed(&s, "legal basis", LegalBasisCode::parse)?);
                }
                (dimension, value) => {
                    return Err(StoreError::Corrupt(format!(
                        "stored {dimension:?} statistic {value:?}"
                    )));
                }
            }
        }
        Ok(out)
    }
}

/// Every file that has reported, by file id.
pub(super) fn file_activity(conn: &Connection) -> Result<Vec<FileActivity>, StoreError> {
    type Raw = (String, String, i64, i64, i64, u64);
    let rows: Vec<Raw> = conn
        .prepare_cached(
            "SELECT file, agency, first_event, last_event, last_reported, events
             FROM usage_file_activity ORDER BY file",
        )
        .and_then(|mut stmt| {
            stmt.query_map([], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                ))
            })?
            .collect()
        })
        .map_err(sql)?;
    rows.into_iter()
        .map(|(file, agency, first, last, reported, events)| {
            Ok(FileActivity {
                file: parsed(&file, "file id", FileId::parse)?,
                agency: parsed(&agency, "agency code", AgencyCode::parse)?,
                first_event: instant(first)?,
                last_event: instant(last)?,
                last_reported: instant(reported)?,
                events,
            })
        })
        .collect()
}

/// Events per file and day from `from` to `to`, for one file or all.
pub(super) fn daily_volume(
    conn: &Connection,
    file: Option<&FileId>,
    from: Date,
    to: Date,
) -> Result<Vec<DailyVolume>, StoreError> {
    let read = |row: &Row<'_>| -> rusqlite::Result<(String, i32, u64, u64)> {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
    };
    let (from, to) = (julian(from), julian(to));
    let rows: Vec<_> = match file {
        Some(file) => conn
            .prepare_cached(
                "SELECT file, day, events, records FROM usage_daily
                 WHERE file = ?1 AND day BETWEEN ?2 AND ?3 ORDER BY day",
            )
            .and_then(|mut stmt| {
                stmt.query_map(params![file.as_str(), from, to], read)?
                    .collect()
            }),
        None => conn
            .prepare_cached(
                "SELECT file, day, events, records FROM usage_daily
                 WHERE day BETWEEN ?1 AND ?2 ORDER BY file, day",
            )
            .and_then(|mut stmt| stmt.query_map(params![from, to], read)?.collect()),
    }
    .map_err(sql)?;
    rows.into_iter()
        .map(|(file, raw_day, events, records)| {
            Ok(DailyVolume {
                file: parsed(&file, "file id", FileId::parse)?,
                day: day(raw_day)?,
                events,
                records,
            })
        })
        .collect()
}
