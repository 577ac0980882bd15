//! `/api/v1/provider-requests`: an agency's register of requests to online providers. Agencies
//! send rows as JSON, CSV or an ODS spreadsheet (the template is at `…/template.csv`); a file
//! with any broken rule stores nothing, and every error names its row and column.

use std::io::Cursor;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use calamine::{Data, Ods, Reader};
use lantern_domain::import::RowError;
use lantern_domain::provider_request::import;
use lantern_domain::provider_request::{COLUMNS, ProviderRequest, ProviderRequestSubmission};
use lantern_domain::{AgencyCode, Rule};
use lantern_store::{Change, ProviderRequestQuery, StoreError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use super::extract::ApiQuery;
use crate::AppState;
use crate::auth::{Caller, authorize_write};
use crate::error::{AppError, Problem, ProblemError};

/// The largest import accepted: 10,000 rows of a spreadsheet.
pub const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;

/// The media types an import may be sent as.
const ACCEPTED: &str = "application/json (an array of rows), text/csv, or application/vnd.oasis.opendocument.spreadsheet";

/// What an import stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReceipt {
    /// Requests recorded.
    pub recorded: usize,
}

/// Which of the agency's requests to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RequestFilter {
    /// Sent on or after this day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Sent on or before this day, `YYYY-MM-DD`.
    pub to: Option<String>,
}

/// `POST /api/v1/provider-requests`: records the caller's agency's requests, all or nothing.
#[utoipa::path(
    post,
    path = "/api/v1/provider-requests",
    operation_id = "importProviderRequests",
    tag = "provider-requests",
    request_body(content = Vec<ProviderRequestSubmission>, description = "The rows as a JSON array, or the same columns as CSV (text/csv) or an ODS spreadsheet's first sheet"),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "Every row recorded", body = ImportReceipt),
        (status = 401, description = "No valid credential", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON, CSV or ODS", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Rows break rules; `errors` names each row (or position) and column; nothing stored", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportReceipt>), AppError> {
    let agency = caller.require_agency()?.clone();
    let actor = authorize_write(caller, &agency)?.actor;
    let media = media_type(&headers);
    let recorded = record(&state, &agency, &actor, &media, &body).await?;
    Ok((StatusCode::CREATED, Json(ImportReceipt { recorded })))
}

/// Reads `body` as `media`, checks every row and records them for `agency`; returns how many.
pub(crate) async fn record(
    state: &AppState,
    agency: &AgencyCode,
    actor: &str,
    media: &str,
    body: &[u8],
) -> Result<usize, AppError> {
    let (rows, json) = match media {
        "application/json" => (json_rows(body)?, true),
        _ => (spreadsheet_rows(media, body, ACCEPTED)?, false),
    };
    let today = OffsetDateTime::now_utc().date();
    let requests = import::requests(&rows, agency, today).map_err(|e| rows_error(e, json))?;
    taken_references(state, agency, &requests)
        .await
        .map_err(|e| rows_error(e, json))?;
    let change = Change {
        actor: actor.to_owned(),
        at: OffsetDateTime::now_utc(),
    };
    state
        .store
        .record_provider_requests(&requests, &change)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(message) => AppError::Conflict(message),
            other => other.into(),
        })?;
    Ok(requests.len())
}

/// Rows of references the agency has already recorded.
async fn taken_references(
    state: &AppState,
    agency: &AgencyCode,
    requests: &[ProviderRequest],
) -> Result<(), Vec<RowError>> {
    let stored = state
        .store
        .provider_requests(&ProviderRequestQuery {
            agency: Some(agency.clone()),
            ..ProviderRequestQuery::default()
        })
        .await
        .map_err(|e| {
            vec![RowError {
                row: 0,
                column: String::new(),
                rule: Rule::NotAllowed,
                message: format!("the register could not be read: {e}"),
            }]
        })?;
    let errors: Vec<RowError> = requests
        .iter()
        .enumerate()
        .filter(|(_, r)| stored.iter().any(|s| s.reference == r.reference))
        .map(|(i, _)| RowError {
            row: i + 2,
            column: "reference".into(),
            rule: Rule::Duplicate,
            message: "a request with this reference is already recorded".into(),
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The rows of a CSV or ODS body; any other media type is refused naming `accepted`.
pub(crate) fn spreadsheet_rows(
    media: &str,
    body: &[u8],
    accepted: &'static str,
) -> Result<Vec<Vec<String>>, AppError> {
    match media {
        "text/csv" => {
            import::csv_rows(&String::from_utf8_lossy(body)).map_err(|e| rows_error(e, false))
        }
        "application/vnd.oasis.opendocument.spreadsheet" => ods_rows(body),
        _ => Err(AppError::UnsupportedMediaType(accepted)),
    }
}

/// The media type of a request, lowercased, without parameters.
pub(crate) fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// A JSON array of rows as a header and cells, so JSON and spreadsheets share one check.
fn json_rows(body: &[u8]) -> Result<Vec<Vec<String>>, AppError> {
    let submissions: Vec<ProviderRequestSubmission> =
        serde_json::from_slice(body).map_err(|e| AppError::MalformedJson {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
    let mut rows = vec![COLUMNS.iter().map(|c| (*c).to_owned()).collect()];
    for mut submission in submissions {
        rows.push(
            COLUMNS
                .iter()
                .map(|c| {
                    submission
                        .column_mut(c)
                        .map(|v| v.clone())
                        .unwrap_or_default()
                })
                .collect(),
        );
    }
    Ok(rows)
}

/// The first sheet of an ODS spreadsheet as rows of cell texts.
fn ods_rows(body: &[u8]) -> Result<Vec<Vec<String>>, AppError> {
    let unreadable = |e: String| {
        AppError::InvalidRows(vec![ProblemError {
            position: None,
            id: None,
            row: Some(0),
            field: String::new(),
            rule: Rule::Format,
            message: format!("not a readable ODS spreadsheet: {e}"),
        }])
    };
    let mut book = Ods::new(Cursor::new(body)).map_err(|e| unreadable(e.to_string()))?;
    let sheet = book
        .worksheet_range_at(0)
        .ok_or_else(|| unreadable("it has no sheet".into()))?
        .map_err(|e| unreadable(e.to_string()))?;
    // Rows are taken from the sheet's first row, so spreadsheet row numbers stay right.
    let start = sheet.start().map_or(0, |(row, _)| row as usize);
    let mut rows = vec![Vec::new(); start];
    rows.extend(
        sheet
            .rows()
            .map(|cells| cells.iter().map(cell_text).collect::<Vec<_>>()),
    );
    Ok(rows)
}

/// A cell as the text the row checks read: numbers without a trailing `.0`, dates as
/// `YYYY-MM-DD`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::DateTimeIso(text) => text.get(..10).unwrap_or(text).to_owned(),
        other => other.to_string(),
    }
}

/// Row errors as a problem: spreadsheet rows, or positions in a JSON array.
pub(crate) fn rows_error(errors: Vec<RowError>, json: bool) -> AppError {
    AppError::InvalidRows(
        errors
            .into_iter()
            .map(|e| ProblemError {
                position: (json && e.row >= 2).then(|| e.row - 2),
                id: None,
                row: (!json).then_some(e.row),
                field: e.column,
                rule: e.rule,
                message: e.message,
            })
            .collect(),
    )
}

/// `GET /api/v1/provider-requests`: the caller's agency's requests, confidential ones included.
#[utoipa::path(
    get,
    path = "/api/v1/provider-requests",
    operation_id = "listProviderRequests",
    tag = "provider-requests",
    params(RequestFilter),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The agency's own requests, by day sent", body = Vec<serde_json::Value>),
        (status = 401, description = "No valid credential", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A date is malformed", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(filter): ApiQuery<RequestFilter>,
) -> Result<Json<Vec<ProviderRequest>>, AppError> {
    let agency = caller.require_agency()?.clone();
    let mut errors = lantern_domain::ValidationErrors::default();
    let mut day = |name: &str, raw: Option<&str>| {
        raw.and_then(|raw| {
            let parsed = time::Date::parse(
                raw,
                time::macros::format_description!("[year]-[month]-[day]"),
            );
            if parsed.is_err() {
                errors.push(name, Rule::Format, "a date YYYY-MM-DD");
            }
            parsed.ok()
        })
    };
    let from = day("from", filter.from.as_deref());
    let to = day("to", filter.to.as_deref());
    if !errors.is_empty() {
        return Err(AppError::InvalidQuery(errors));
    }
    let requests = state
        .store
        .provider_requests(&ProviderRequestQuery {
            agency: Some(agency),
            from,
            to,
        })
        .await?;
    Ok(Json(requests))
}

/// `GET /api/v1/provider-requests/template.csv`: the import template (header and an example
/// row), UTF-8 with a byte-order mark for spreadsheet programs.
#[utoipa::path(
    get,
    path = "/api/v1/provider-requests/template.csv",
    operation_id = "providerRequestTemplate",
    tag = "provider-requests",
    responses((status = 200, description = "The CSV template", content_type = "text/csv"))
)]
pub async fn template() -> Response {
    let mut response = format!("\u{feff}{}", import::template_csv()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"provider-requests-template.csv\""),
    );
    response
}
