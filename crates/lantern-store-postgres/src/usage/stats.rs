//! Usage statistics, read from the rollups each append keeps up to date.

use deadpool_postgres::GenericClient;
use lantern_domain::{FileId, LegalBasisCode, PurposeCode};
use lantern_log::{Action, PurposeScope};
use lantern_store::{DailyVolume, FileActivity, StatsDimension, StatsQuery, StatsRow, StoreError};
use time::Date;
use tokio_postgres::Row;

use crate::codec::{Params, agency_code, code, get, query, stored_u64};
use crate::error::pg;

/// The column of `usage_monthly` holding a dimension.
fn column(dimension: StatsDimension) -> &'static str {
    match dimension {
        StatsDimension::Month => "month",
        StatsDimension::Agency => "agency",
        StatsDimension::File => "file_id",
        StatsDimension::Action => "action",
        StatsDimension::Purpose => "purpose",
        StatsDimension::LegalBasis => "legal_basis",
        StatsDimension::Scope => "out_of_purpose",
    }
}

/// The first day of `day`'s month.
fn month_of(day: Date) -> Date {
    day.replace_day(1).unwrap_or(day)
}

/// The query's filters as a `WHERE` clause over `usage_monthly`, adding their values to
/// `params`.
fn filter(query: &StatsQuery, params: &mut Params) -> String {
    let mut conditions = Vec::new();
    if let Some(from) = query.from {
        conditions.push(format!("month >= {}", params.add(month_of(from))));
    }
    if let Some(to) = query.to {
        conditions.push(format!("month <= {}", params.add(month_of(to))));
    }
    let mut equal = |column: &str, value: Option<String>| {
        if let Some(value) = value {
            conditions.push(format!("{column} = {}", params.add(value)));
        }
    };
    equal(
        "agency",
        query.agency.as_ref().map(|a| a.as_str().to_owned()),
    );
    equal(
        "file_id",
        query.file.as_ref().map(|f| f.as_str().to_owned()),
    );
    equal("action", query.action.map(|a| a.as_str().to_owned()));
    equal(
        "purpose",
        query.purpose.as_ref().map(|p| p.as_str().to_owned()),
    );
    equal(
        "legal_basis",
        query.legal_basis.as_ref().map(|b| b.as_str().to_owned()),
    );
    if let Some(scope) = query.scope {
        let out_of_purpose = scope == PurposeScope::OutOfPurpose;
        conditions.push(format!("out_of_purpose = {}", params.add(out_of_purpose)));
    }
    if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    }
}

/// The statement answering `query`: the grouped columns in order, then the sums of events and
/// records (saturating at the largest `BIGINT`). Actions sort in the order of [`Action::ALL`],
/// every other value as it compares in Rust (codes byte by byte, within purpose first).
fn statement(query: &StatsQuery, params: &mut Params) -> String {
    let clause = filter(query, params);
    let groups: Vec<&str> = query.group_by.iter().map(|&d| column(d)).collect();
    let sums = "least(coalesce(sum(events), 0), 9223372036854775807)::int8, \
                least(coalesce(sum(records), 0), 9223372036854775807)::int8";
    if groups.is_empty() {
        return format!("SELECT {sums} FROM usage_monthly{clause}");
    }
    let order: Vec<String> = query
        .group_by
        .iter()
        .map(|&d| match d {
            StatsDimension::Action => {
                let names: Vec<String> =
                    Action::ALL.iter().map(|a| a.as_str().to_owned()).collect();
                format!("array_position({}::text[], action)", params.add(names))
            }
            other => column(other).to_owned(),
        })
        .collect();
    format!(
        "SELECT {}, {sums} FROM usage_monthly{clause} GROUP BY {} ORDER BY {}",
        groups.join(", "),
        groups.join(", "),
        order.join(", ")
    )
}

/// A row of the grouped columns of `dimensions`, then events and records.
fn stats_row(row: &Row, dimensions: &[StatsDimension]) -> Result<StatsRow, StoreError> {
    let mut stats = StatsRow {
        month: None,
        agency: None,
        file: None,
        action: None,
        purpose: None,
        legal_basis: None,
        scope: None,
        events: stored_u64(get(row, dimensions.len())?)?,
        records: stored_u64(get(row, dimensions.len() + 1)?)?,
    };
    for (i, dimension) in dimensions.iter().enumerate() {
        match dimension {
            StatsDimension::Month => stats.month = Some(get(row, i)?),
            StatsDimension::Agency => stats.agency = Some(agency_code(get(row, i)?)?),
            StatsDimension::File => stats.file = Some(code(get(row, i)?, FileId::parse)?),
            StatsDimension::Action => stats.action = Some(code(get(row, i)?, Action::parse)?),
            StatsDimension::Purpose => {
                stats.purpose = Some(code(get(row, i)?, PurposeCode::parse)?);
            }
            StatsDimension::LegalBasis => {
                stats.legal_basis = Some(code(get(row, i)?, LegalBasisCode::parse)?);
            }
            StatsDimension::Scope => {
                stats.scope = Some(if get(row, i)? {
                    PurposeScope::OutOfPurpose
                } else {
                    PurposeScope::WithinPurpose
                });
            }
        }
    }
    Ok(stats)
}

/// Events and records per combination of the grouped dimensions, filtered.
pub(super) async fn usage_stats<C: GenericClient>(
    client: &C,
    query: &StatsQuery,
) -> Result<Vec<StatsRow>, StoreError> {
    let mut params = Params::default();
    let sql = statement(query, &mut params);
    // Filters and groups vary per query, so the statement is prepared afresh, not cached.
    let rows = client.query(&sql, &params.refs()).await.map_err(pg)?;
    rows.iter()
        .map(|row| stats_row(row, &query.group_by))
        .collect()
}

/// Every file's activity, by file id.
pub(super) async fn file_activity<C: GenericClient>(
    client: &C,
) -> Result<Vec<FileActivity>, StoreError> {
    let rows = query(
        client,
        "SELECT file_id, agency, first_event, last_event, last_reported, events
         FROM file_activity ORDER BY file_id",
        &[],
    )
    .await?;
    rows.iter()
        .map(|row| {
            Ok(FileActivity {
                file: code(get(row, 0)?, FileId::parse)?,
                agency: agency_code(get(row, 1)?)?,
                first_event: get(row, 2)?,
                last_event: get(row, 3)?,
                last_reported: get(row, 4)?,
                events: stored_u64(get(row, 5)?)?,
            })
        })
        .collect()
}

/// The days from `from` to `to` with events, of one file or all, by file then day.
pub(super) async fn daily_volume<C: GenericClient>(
    client: &C,
    file: Option<&FileId>,
    from: Date,
    to: Date,
) -> Result<Vec<DailyVolume>, StoreError> {
    let rows = query(
        client,
        "SELECT file_id, day, events, records FROM usage_daily
         WHERE day >= $1 AND day <= $2 AND ($3::text IS NULL OR file_id = $3)
         ORDER BY file_id, day",
        &[&from, &to, &file.map(FileId::as_str)],
    )
    .await?;
    rows.iter()
        .map(|row| {
            Ok(DailyVolume {
                file: code(get(row, 0)?, FileId::parse)?,
                day: get(row, 1)?,
                events: stored_u64(get(row, 2)?)?,
                records: stored_u64(get(row, 3)?)?,
            })
        })
        .collect()
}
