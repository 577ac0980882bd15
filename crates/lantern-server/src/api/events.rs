//! `POST /api/v1/events`: an agency reports a batch of usage events, as a JSON array or as
//! NDJSON. The batch is checked whole against the register and logged all or nothing; resent
//! ids are reported as duplicates with their original log index.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use lantern_store::Appended;
use lantern_usage::batch::{self, BatchError};
use lantern_usage::{EventError, IngestError};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{AppError, Problem, ProblemError};

/// The largest body accepted: 10,000 events with long free texts.
pub const MAX_EVENTS_BODY_BYTES: usize = 32 * 1024 * 1024;

const ACCEPTED_TYPES: &str = "application/json (an array of events) or application/x-ndjson";

/// What became of a batch.
#[derive(Debug, Serialize, ToSchema)]
pub struct IngestResponse {
    /// Events newly logged.
    pub accepted: u64,
    /// Events already logged before (or earlier in this batch): not logged again.
    pub duplicates: u64,
    /// The log's size after this batch; the events are in a signed checkpoint within a second.
    pub tree_size: u64,
    /// Each event's log index, in the order sent.
    pub events: Vec<EventOutcome>,
}

/// One event's outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventOutcome {
    /// The event's id (lowercase).
    pub id: String,
    /// Its leaf index in the log.
    pub index: u64,
    /// `accepted` or `duplicate`.
    pub status: &'static str,
}

/// Reports a batch of up to 10,000 usage events of the caller's agency.
///
/// Each event: `id` (UUID, the idempotency key), `occurred_at` (RFC 3339), `file` (a file of
/// the caller's agency), `subject` (national ID or resident certificate number; pseudonymised
/// before anything is stored), `action`, `purpose`, `categories`, `legal_basis`, optional
/// `legal_citation`, `recipient`, `reference`, `actor`, `records` (default 1) and
/// `confidential` {`ground`, `until`}. See docs/api.md.
#[utoipa::path(
    post,
    path = "/api/v1/events",
    operation_id = "reportEvents",
    tag = "events",
    request_body(
        description = "A JSON array of events, or one event per line as NDJSON",
        content(
            (Vec<lantern_usage::EventSubmission> = "application/json"),
            (lantern_usage::EventSubmission = "application/x-ndjson"),
        ),
    ),
    responses(
        (status = 200, description = "The batch was logged (or was logged before)", body = IngestResponse),
        (status = 400, description = "The body is not a JSON array or NDJSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API token or session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's agency is not registered", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "More than 10,000 events, or a body over 32 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON or NDJSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Events break rules; nothing was logged. Each error names the event's position and field", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Storage is unavailable; resend the batch", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn ingest(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<IngestResponse>, AppError> {
    let agency = caller.require_agency()?.clone();
    let ndjson = match media_type(&headers).as_deref() {
        Some("application/json") => false,
        Some("application/x-ndjson") => true,
        _ => return Err(AppError::UnsupportedMediaType(ACCEPTED_TYPES)),
    };
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge(MAX_EVENTS_BODY_BYTES)
        } else {
            AppError::MalformedRequest("the request body could not be read".into())
        }
    })?;
    let parsed = if ndjson {
        batch::parse_ndjson(&body)
    } else {
        batch::parse_json_array(&body)
    };
    let submissions = parsed.map_err(|error| match error {
        BatchError::Malformed(why) => AppError::MalformedRequest(why),
        BatchError::TooLarge { limit } => AppError::TooManyEvents(limit),
        BatchError::Unreadable(errors) => invalid(errors),
    })?;
    let report = state
        .ingestor
        .ingest(&agency, submissions, OffsetDateTime::now_utc())
        .await
        .map_err(|error| match error {
            IngestError::Invalid(errors) => invalid(errors),
            IngestError::UnknownAgency => {
                AppError::Forbidden(format!("agency {agency} is not in the register"))
            }
            IngestError::Store(e) => e.into(),
        })?;
    if report.accepted > 0 {
        state.log.appended();
    }
    Ok(Json(IngestResponse {
        accepted: report.accepted,
        duplicates: report.duplicates,
        tree_size: report.tree.size,
        events: report
            .outcomes
            .into_iter()
            .map(|(id, outcome)| EventOutcome {
                id: id.as_str().to_owned(),
                index: outcome.index(),
                status: match outcome {
                    Appended::New { .. } => "accepted",
                    Appended::Duplicate { .. } => "duplicate",
                },
            })
            .collect(),
    }))
}

/// The media type without parameters, lowercase.
fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = value.split(';').next()?.trim();
    Some(essence.to_ascii_lowercase())
}

fn invalid(errors: Vec<EventError>) -> AppError {
    AppError::InvalidEvents(
        errors
            .into_iter()
            .map(|e| ProblemError {
                position: Some(e.position),
                id: e.id,
                row: None,
                field: e.field,
                rule: e.rule,
                message: e.message,
            })
            .collect(),
    )
}
