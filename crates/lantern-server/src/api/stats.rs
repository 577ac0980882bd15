//! `GET /api/v1/stats/usage`: usage statistics from the rollups kept at ingestion, public and
//! recomputable by anyone from the log's entries (see `docs/log-format.md`).

use axum::Json;
use axum::extract::State;
use lantern_domain::{AgencyCode, FileId, LegalBasisCode, PurposeCode, Rule, ValidationErrors};
use lantern_log::{Action, PurposeScope};
use lantern_store::{StatsDimension, StatsQuery, StatsRow};
use serde::{Deserialize, Serialize};
use time::{Date, Month};
use utoipa::{IntoParams, ToSchema};

use super::extract::ApiQuery;
use super::filters::{Check, code_error};
use crate::AppState;
use crate::error::{AppError, Problem};

/// Filters and grouping of the usage statistics. Every filter given must match.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsFilters {
    /// From this month on, `YYYY-MM`.
    #[param(example = "2025-01")]
    from: Option<String>,
    /// Up to and including this month, `YYYY-MM`.
    #[param(example = "2025-12")]
    to: Option<String>,
    /// Reported by this agency.
    #[param(example = "MOHW-NHIA")]
    agency: Option<String>,
    /// From this personal-data file.
    #[param(example = "nhi-claims")]
    file: Option<String>,
    /// This action (collect, process, use, disclose, out_of_purpose_use, link, export,
    /// correct, delete).
    action: Option<String>,
    /// This specific-purpose code.
    purpose: Option<String>,
    /// This legal-basis code.
    legal_basis: Option<String>,
    /// `within` or `outside` the file's registered purposes.
    scope: Option<String>,
    /// Comma-separated dimensions to group by, in order: month, agency, file, action, purpose,
    /// legal_basis, scope. Default `month`; empty sums everything.
    #[param(example = "month,agency")]
    group_by: Option<String>,
}

/// Usage statistics.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageStats {
    /// The dimensions grouped by, in order.
    pub group_by: Vec<&'static str>,
    /// One row per combination of the grouped values that has events.
    pub rows: Vec<UsageRow>,
}

/// Counts for one combination of grouped values; only grouped dimensions are present.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageRow {
    /// `YYYY-MM`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub month: Option<String>,
    /// Agency code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    /// File id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Specific-purpose code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// Legal-basis code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_basis: Option<String>,
    /// `within` or `outside`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<&'static str>,
    /// Number of events.
    pub events: u64,
    /// Sum of their record counts.
    pub records: u64,
}

const DIMENSIONS: [(&str, StatsDimension); 7] = [
    ("month", StatsDimension::Month),
    ("agency", StatsDimension::Agency),
    ("file", StatsDimension::File),
    ("action", StatsDimension::Action),
    ("purpose", StatsDimension::Purpose),
    ("legal_basis", StatsDimension::LegalBasis),
    ("scope", StatsDimension::Scope),
];

/// Counts of usage events and records, grouped and filtered.
#[utoipa::path(
    get,
    path = "/api/v1/stats/usage",
    operation_id = "usageStats",
    tag = "statistics",
    params(StatsFilters),
    responses(
        (status = 200, description = "The statistics", body = UsageStats),
        (status = 422, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Storage is unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn usage(
    State(state): State<AppState>,
    ApiQuery(filters): ApiQuery<StatsFilters>,
) -> Result<Json<UsageStats>, AppError> {
    let query = filters.into_query()?;
    let rows = state.store.usage_stats(&query).await?;
    let group_by = query
        .group_by
        .iter()
        .filter_map(|d| {
            DIMENSIONS
                .iter()
                .find(|(_, x)| x == d)
                .map(|(name, _)| *name)
        })
        .collect();
    Ok(Json(UsageStats {
        group_by,
        rows: rows.into_iter().map(row).collect(),
    }))
}

fn row(row: StatsRow) -> UsageRow {
    UsageRow {
        month: row.month.map(month_text),
        agency: row.agency.map(|a| a.as_str().to_owned()),
        file: row.file.map(|f| f.as_str().to_owned()),
        action: row.action.map(|a| a.as_str().to_owned()),
        purpose: row.purpose.map(|p| p.as_str().to_owned()),
        legal_basis: row.legal_basis.map(|b| b.as_str().to_owned()),
        scope: row.scope.map(scope_name),
        events: row.events,
        records: row.records,
    }
}

/// `within` or `outside`.
#[must_use]
pub fn scope_name(scope: PurposeScope) -> &'static str {
    match scope {
        PurposeScope::WithinPurpose => "within",
        PurposeScope::OutOfPurpose => "outside",
    }
}

/// `YYYY-MM` of a date.
#[must_use]
pub fn month_text(day: Date) -> String {
    format!("{:04}-{:02}", day.year(), u8::from(day.month()))
}

/// Parses `YYYY-MM` into the first day of that month.
fn parse_month(raw: &str) -> Result<Date, (Rule, String)> {
    let bad = || (Rule::Format, "a month as YYYY-MM, e.g. 2025-03".to_owned());
    let (year, month) = raw.split_once('-').ok_or_else(bad)?;
    if year.len() != 4 || month.len() != 2 {
        return Err(bad());
    }
    let year: i32 = year.parse().map_err(|_| bad())?;
    let month: u8 = month.parse().map_err(|_| bad())?;
    let month = Month::try_from(month).map_err(|_| bad())?;
    Date::from_calendar_date(year, month, 1).map_err(|_| bad())
}

impl StatsFilters {
    fn into_query(self) -> Result<StatsQuery, AppError> {
        let mut errors = ValidationErrors::default();
        let mut check = Check {
            errors: &mut errors,
        };
        let group_by = match self.group_by.as_deref() {
            None => vec![StatsDimension::Month],
            Some(raw) => {
                let mut dims = Vec::new();
                for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    match DIMENSIONS.iter().find(|(n, _)| *n == name) {
                        Some((_, d)) if !dims.contains(d) => dims.push(*d),
                        Some(_) => check.errors.push(
                            "group_by",
                            Rule::Duplicate,
                            format!("{name:?} is listed twice"),
                        ),
                        None => check.errors.push(
                            "group_by",
                            Rule::Format,
                            format!(
                                "{name:?} is not a dimension; use month, agency, file, action, purpose, legal_basis or scope"
                            ),
                        ),
                    }
                }
                dims
            }
        };
        let query = StatsQuery {
            from: check.parsed("from", self.from.as_deref(), parse_month),
            to: check.parsed("to", self.to.as_deref(), parse_month),
            agency: check.parsed("agency", self.agency.as_deref(), |raw| {
                AgencyCode::parse(raw).map_err(|e| (Rule::Format, e.to_owned()))
            }),
            file: check.parsed("file", self.file.as_deref(), |raw| {
                FileId::parse(raw).map_err(|e| (Rule::Format, e.to_owned()))
            }),
            action: check.parsed("action", self.action.as_deref(), |raw| {
                Action::parse(raw).map_err(|e| (Rule::Format, e.to_owned()))
            }),
            purpose: check.parsed("purpose", self.purpose.as_deref(), |raw| {
                PurposeCode::parse(raw).map_err(|e| code_error(&e))
            }),
            legal_basis: check.parsed("legal_basis", self.legal_basis.as_deref(), |raw| {
                LegalBasisCode::parse(raw).map_err(|e| code_error(&e))
            }),
            scope: check.parsed("scope", self.scope.as_deref(), |raw| match raw {
                "within" => Ok(PurposeScope::WithinPurpose),
                "outside" => Ok(PurposeScope::OutOfPurpose),
                _ => Err((Rule::Format, "use within or outside".to_owned())),
            }),
            group_by,
        };
        if let (Some(from), Some(to)) = (query.from, query.to)
            && from > to
        {
            errors.push("from", Rule::Format, "from must not be after to");
        }
        errors.into_result(query).map_err(AppError::InvalidQuery)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn filters(query: &str) -> Result<StatsQuery, AppError> {
        serde_urlencoded::from_str::<StatsFilters>(query)
            .unwrap()
            .into_query()
    }

    fn bad(query: &str) -> Vec<String> {
        match filters(query) {
            Err(AppError::InvalidQuery(errors)) => errors.0.into_iter().map(|e| e.field).collect(),
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn defaults_to_grouping_by_month() {
        let query = filters("").unwrap();
        assert_eq!(query.group_by, [StatsDimension::Month]);
        assert_eq!(query.from, None);
    }

    #[test]
    fn parses_every_filter() {
        let query = filters(
            "from=2025-01&to=2025-12&agency=MOHW-NHIA&file=nhi-claims&action=out_of_purpose_use&purpose=031&legal_basis=PDPA-16-P5&scope=outside&group_by=agency,scope",
        )
        .unwrap();
        assert_eq!(query.from, Some(date!(2025 - 01 - 01)));
        assert_eq!(query.to, Some(date!(2025 - 12 - 01)));
        assert_eq!(query.action, Some(Action::OutOfPurposeUse));
        assert_eq!(query.scope, Some(PurposeScope::OutOfPurpose));
        assert_eq!(
            query.group_by,
            [StatsDimension::Agency, StatsDimension::Scope]
        );
        assert!(filters("group_by=").unwrap().group_by.is_empty());
    }

    #[test]
    fn names_every_bad_parameter() {
        assert_eq!(
            bad("from=2025-13&to=25-01&action=peek&scope=maybe&group_by=month,month,colour"),
            ["group_by", "group_by", "from", "to", "action", "scope"]
        );
        assert_eq!(bad("from=2025-06&to=2025-01"), ["from"]);
    }
}
