//! `GET /api/v1/coverage`: for every registered file, its last event, its daily volume and
//! whether it has gone silent.

use axum::Json;
use axum::extract::State;
use lantern_domain::{Rule, ValidationErrors};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::{IntoParams, ToSchema};

use super::extract::ApiQuery;
use super::filters::{Check, number};
use crate::AppState;
use crate::coverage::{self, DEFAULT_SILENT_DAYS, FileCoverage, VOLUME_WINDOW_DAYS};
use crate::error::{AppError, Problem};

/// Parameters of the coverage report.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CoverageFilters {
    /// Days without an event after which a file counts as silent, 1-3650 (default 30).
    #[param(value_type = Option<u16>, minimum = 1, maximum = 3650)]
    silent_days: Option<String>,
}

/// The coverage report.
#[derive(Debug, Serialize, ToSchema)]
pub struct Coverage {
    /// When the report was made (RFC 3339).
    pub as_of: String,
    /// The silence threshold applied, in days.
    pub silent_days: u16,
    /// The days the daily volume covers, ending today.
    pub window_days: u16,
    /// How many files are silent.
    pub silent_files: usize,
    /// Every registered file, silent ones first.
    pub files: Vec<FileCoverageView>,
}

/// One file's reporting.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileCoverageView {
    /// File id.
    pub file: String,
    /// Holding agency.
    pub agency: String,
    /// Name in Traditional Chinese.
    pub name_zh: String,
    /// Name in English.
    pub name_en: String,
    /// Whether it is a large database.
    pub large_database: bool,
    /// The latest `occurred_at` of its events; absent if it never reported.
    pub last_event: Option<String>,
    /// When it last sent events; absent if it never reported.
    pub last_reported: Option<String>,
    /// Whole days since its last event.
    pub days_since_last_event: Option<i64>,
    /// All its events.
    pub events: u64,
    /// Its events in the window.
    pub window_events: u64,
    /// Average events per day in the window.
    pub daily_average: f64,
    /// Events per day in the window, oldest first (`YYYY-MM-DD`, count).
    pub daily: Vec<DayCount>,
    /// No event for `silent_days` days, or never.
    pub silent: bool,
}

/// Events on one day.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayCount {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Number of events.
    pub events: u64,
}

/// Every registered file's reporting, silent files first.
#[utoipa::path(
    get,
    path = "/api/v1/coverage",
    operation_id = "coverage",
    tag = "statistics",
    params(CoverageFilters),
    responses(
        (status = 200, description = "The coverage report", body = Coverage),
        (status = 422, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Storage is unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn report(
    State(state): State<AppState>,
    ApiQuery(filters): ApiQuery<CoverageFilters>,
) -> Result<Json<Coverage>, AppError> {
    let mut errors = ValidationErrors::default();
    let silent_days = Check {
        errors: &mut errors,
    }
    .parsed("silent_days", filters.silent_days.as_deref(), |raw| {
        number(raw, 3650).and_then(|n| match u16::try_from(n) {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err((
                Rule::Format,
                "use a whole number of days from 1 to 3650".into(),
            )),
        })
    })
    .unwrap_or(DEFAULT_SILENT_DAYS);
    errors.into_result(()).map_err(AppError::InvalidQuery)?;
    let now = OffsetDateTime::now_utc();
    let files = coverage::coverage(state.store.as_ref(), now, silent_days).await?;
    Ok(Json(Coverage {
        as_of: rfc3339(now),
        silent_days,
        window_days: VOLUME_WINDOW_DAYS,
        silent_files: files.iter().filter(|f| f.silent).count(),
        files: files.into_iter().map(view).collect(),
    }))
}

fn view(c: FileCoverage) -> FileCoverageView {
    FileCoverageView {
        window_events: c.window_events(),
        daily_average: c.daily_average(),
        file: c.file.id.as_str().to_owned(),
        agency: c.file.agency.as_str().to_owned(),
        name_zh: c.file.name_zh,
        name_en: c.file.name_en,
        large_database: c.file.large_database.is_some(),
        last_event: c.activity.as_ref().map(|a| rfc3339(a.last_event)),
        last_reported: c.activity.as_ref().map(|a| rfc3339(a.last_reported)),
        days_since_last_event: c.days_since_last_event,
        events: c.activity.as_ref().map_or(0, |a| a.events),
        daily: c
            .daily
            .into_iter()
            .map(|(day, events)| DayCount {
                day: day.to_string(),
                events,
            })
            .collect(),
        silent: c.silent,
    }
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}
