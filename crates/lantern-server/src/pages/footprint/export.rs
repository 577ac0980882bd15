//! `GET /me/export.csv` and `GET /me/export.json`: the citizen's whole footprint to keep.
//! CSV is UTF-8 with a byte-order mark (spreadsheets then read the Chinese right), one row per
//! visible event, headers in the reader's language; JSON carries the events' own fields and
//! the withheld counts.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use lantern_log::SubjectPseudonym;
use lantern_store::{MAX_PAGE, StoredEvent, WithheldCount};
use serde::Serialize;

use super::names::{Names, distinct_files};
use super::sentence::{action_name_id, sentence};
use super::{citizen, private, today};
use crate::AppState;
use crate::auth::CitizenSession;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::pages::context::PageCtx;
use crate::pages::error_page::PageError;
use crate::pages::labels;

/// Every visible event of the subject, newest first, and the withheld counts.
async fn everything(
    state: &AppState,
    subject: &SubjectPseudonym,
) -> Result<(Vec<StoredEvent>, Vec<WithheldCount>), PageError> {
    let today = today();
    let entries = state.store.footprint_entries(subject, today).await?;
    let indexes: Vec<u64> = entries.visible.iter().map(|e| e.index).collect();
    let mut events = Vec::with_capacity(indexes.len());
    for chunk in indexes.chunks(MAX_PAGE as usize) {
        events.extend(state.store.subject_events(subject, today, chunk).await?);
    }
    Ok((events, entries.withheld))
}

fn download(body: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// `GET /me/export.csv`.
pub(crate) async fn csv(
    ctx: PageCtx,
    State(state): State<AppState>,
    session: Result<Option<CitizenSession>, AppError>,
) -> Response {
    let result = match citizen(session) {
        Ok(subject) => build_csv(ctx.tr(), &state, &subject).await,
        Err(refused) => refused.answer(),
    };
    private(ctx.respond(result))
}

async fn build_csv(
    t: Tr,
    state: &AppState,
    subject: &SubjectPseudonym,
) -> Result<Response, PageError> {
    let (events, _) = everything(state, subject).await?;
    let files = distinct_files(events.iter().map(|e| &e.event.parts().file));
    let names = Names::load(state.store.as_ref(), files).await?;
    let reference = state.reference();
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut writer = ::csv::Writer::from_writer(&mut out);
        let headers = [
            "fp-field-when",
            "fp-field-agency",
            "fp-field-file",
            "fp-field-action",
            "fp-field-purpose",
            "fp-field-categories",
            "fp-field-basis",
            "fp-field-citation",
            "fp-field-out-of-purpose",
            "fp-field-recipient",
            "fp-field-reference",
            "fp-field-actor",
            "fp-field-records",
            "fp-field-id",
            "fp-field-index",
            "fp-event-title",
        ]
        .map(|id| t.get(id));
        writer.write_record(&headers).map_err(|e| csv_error(&e))?;
        for stored in &events {
            let parts = stored.event.parts();
            let out_of_purpose = stored.entry.is_out_of_purpose();
            let categories = parts
                .categories
                .iter()
                .map(|c| format!("{} {}", c, labels::category_code(t, &reference, c).name))
                .collect::<Vec<_>>()
                .join("; ");
            writer
                .write_record([
                    labels::time(parts.occurred_at),
                    format!("{} {}", parts.agency, names.agency(t, &parts.agency)),
                    format!("{} {}", parts.file, names.file(t, &parts.file)),
                    t.get(&action_name_id(parts.action)),
                    format!(
                        "{} {}",
                        parts.purpose,
                        labels::purpose_code(t, &reference, &parts.purpose).name
                    ),
                    categories,
                    format!(
                        "{} {}",
                        parts.legal_basis,
                        labels::basis(t, &reference, &parts.legal_basis).clause
                    ),
                    parts.legal_citation.clone().unwrap_or_default(),
                    t.get(if out_of_purpose { "fp-yes" } else { "fp-no" }),
                    parts.recipient.clone().unwrap_or_default(),
                    parts.reference.clone().unwrap_or_default(),
                    parts.actor.clone().unwrap_or_default(),
                    parts.records.to_string(),
                    parts.id.to_string(),
                    stored.index.to_string(),
                    sentence(t, &reference, &names, &stored.event, out_of_purpose),
                ])
                .map_err(|e| csv_error(&e))?;
        }
        writer.flush().map_err(|e| csv_error(&e.into()))?;
    }
    Ok(download(
        out,
        "text/csv; charset=utf-8",
        "lantern-footprint.csv",
    ))
}

fn csv_error(error: &::csv::Error) -> PageError {
    tracing::error!(%error, "writing the footprint CSV failed");
    PageError::Internal
}

/// The JSON export: the events as logged, and what is withheld.
#[derive(Serialize)]
struct Export {
    /// Visible events, newest first.
    events: Vec<ExportedEvent>,
    /// Withheld events, counted.
    withheld: Vec<ExportedWithheld>,
}

#[derive(Serialize)]
struct ExportedEvent {
    /// The public log index.
    index: u64,
    /// Whether the purpose is outside the file's registered purposes.
    out_of_purpose: bool,
    /// The event's canonical fields (`docs/log-format.md`).
    event: serde_json::Value,
}

#[derive(Serialize)]
struct ExportedWithheld {
    ground: String,
    until: String,
    events: u64,
}

/// `GET /me/export.json`.
pub(crate) async fn json(
    ctx: PageCtx,
    State(state): State<AppState>,
    session: Result<Option<CitizenSession>, AppError>,
) -> Response {
    let result = match citizen(session) {
        Ok(subject) => build_json(&state, &subject).await,
        Err(refused) => refused.answer(),
    };
    private(ctx.respond(result))
}

async fn build_json(state: &AppState, subject: &SubjectPseudonym) -> Result<Response, PageError> {
    let (events, withheld) = everything(state, subject).await?;
    let export = Export {
        events: events
            .iter()
            .map(|stored| {
                Ok(ExportedEvent {
                    index: stored.index,
                    out_of_purpose: stored.entry.is_out_of_purpose(),
                    event: serde_json::from_str(stored.event.canonical()).map_err(|e| {
                        tracing::error!(error = %e, "a canonical event is not JSON");
                        PageError::Internal
                    })?,
                })
            })
            .collect::<Result<_, PageError>>()?,
        withheld: withheld
            .iter()
            .map(|w| ExportedWithheld {
                ground: w.ground.to_string(),
                until: w.until.to_string(),
                events: w.events,
            })
            .collect(),
    };
    let body = serde_json::to_vec_pretty(&export).map_err(|e| {
        tracing::error!(error = %e, "serialising the footprint failed");
        PageError::Internal
    })?;
    Ok(download(body, "application/json", "lantern-footprint.json"))
}
