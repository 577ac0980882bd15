//! `GET /me/events/{index}`: one event in full, the register entry of its file, its legal
//! basis explained, and its proof (checked in the browser by `/assets/verify.js`, or
//! downloaded from `GET /me/events/{index}/proof.json` for `lantern verify --proof`).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use lantern_log::SubjectPseudonym;
use lantern_store::StoredEvent;

use super::names::Names;
use super::sentence::{action_name_id, sentence};
use super::{citizen, private, today};
use crate::AppState;
use crate::auth::CitizenSession;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::log::proof_bundle;
use crate::pages::context::{Chrome, Nav, PageCtx};
use crate::pages::error_page::{PageError, render};
use crate::pages::labels::{self, BasisLabel, CodeLabel};

#[derive(Template)]
#[template(path = "footprint_event.html")]
struct EventPage {
    t: Tr,
    chrome: Chrome,
    index: u64,
    sentence: String,
    when: String,
    machine_when: String,
    agency: String,
    agency_href: String,
    file: String,
    file_href: String,
    action: String,
    purpose: CodeLabel,
    categories: Vec<CodeLabel>,
    basis: BasisLabel,
    citation: Option<String>,
    out_of_purpose: bool,
    recipient: Option<String>,
    reference: Option<String>,
    actor: Option<String>,
    records: String,
    id: String,
    log_key: String,
    script_href: &'static str,
}

/// The citizen's own visible event at `index`, or 404.
async fn own_event(
    state: &AppState,
    subject: &SubjectPseudonym,
    index: &str,
) -> Result<StoredEvent, PageError> {
    let index: u64 = index.parse().map_err(|_| PageError::NotFound)?;
    state
        .store
        .subject_events(subject, today(), &[index])
        .await?
        .pop()
        .ok_or(PageError::NotFound)
}

/// `GET /me/events/{index}`.
pub(crate) async fn page(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(index): Path<String>,
    session: Result<Option<CitizenSession>, AppError>,
) -> Response {
    let result = match citizen(session) {
        Ok(subject) => build(&ctx, &state, &subject, &index).await,
        Err(refused) => refused.answer(),
    };
    private(ctx.respond(result))
}

async fn build(
    ctx: &PageCtx,
    state: &AppState,
    subject: &SubjectPseudonym,
    index: &str,
) -> Result<Response, PageError> {
    let t = ctx.tr();
    let stored = own_event(state, subject, index).await?;
    let parts = stored.event.parts();
    let names = Names::load(state.store.as_ref(), vec![parts.file.clone()]).await?;
    let reference = state.reference();
    let page = EventPage {
        chrome: ctx.chrome(Nav::Me, &t.get("fp-event-title")),
        index: stored.index,
        sentence: sentence(
            t,
            &reference,
            &names,
            &stored.event,
            stored.entry.is_out_of_purpose(),
        ),
        when: labels::time(parts.occurred_at),
        machine_when: labels::machine_time(parts.occurred_at),
        agency: names.agency(t, &parts.agency),
        agency_href: format!("/agencies/{}", parts.agency),
        file: names.file(t, &parts.file),
        file_href: format!("/files/{}", parts.file),
        action: t.get(&action_name_id(parts.action)),
        purpose: labels::purpose_code(t, &reference, &parts.purpose),
        categories: parts
            .categories
            .iter()
            .map(|code| labels::category_code(t, &reference, code))
            .collect(),
        basis: labels::basis(t, &reference, &parts.legal_basis),
        citation: parts.legal_citation.clone(),
        out_of_purpose: stored.entry.is_out_of_purpose(),
        recipient: parts.recipient.clone(),
        reference: parts.reference.clone(),
        actor: parts.actor.clone(),
        records: labels::grouped(parts.records),
        id: parts.id.to_string(),
        log_key: state.log.verifier_key().to_owned(),
        script_href: crate::pages::assets::verify_js_href(),
        t,
    };
    render(&page)
}

/// `GET /me/events/{index}/proof.json`: the event's proof bundle, as a download.
pub(crate) async fn proof(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(index): Path<String>,
    session: Result<Option<CitizenSession>, AppError>,
) -> Response {
    let result = match citizen(session) {
        Ok(subject) => bundle(&ctx, &state, &subject, &index).await,
        Err(refused) => refused.answer(),
    };
    private(ctx.respond(result))
}

async fn bundle(
    ctx: &PageCtx,
    state: &AppState,
    subject: &SubjectPseudonym,
    index: &str,
) -> Result<Response, PageError> {
    let stored = own_event(state, subject, index).await?;
    let bundle = proof_bundle(state, &stored)
        .await
        .map_err(|error| match error {
            AppError::Unavailable(_) => PageError::Unavailable,
            other => {
                tracing::error!(error = %other, "building a proof bundle failed");
                PageError::Internal
            }
        })?;
    let Some(bundle) = bundle else {
        return Err(PageError::BadRequest(vec![
            ctx.tr().get("fp-proof-pending"),
        ]));
    };
    let disposition = format!(
        "attachment; filename=\"lantern-proof-{}.json\"",
        stored.index
    );
    let mut response = bundle.to_json().into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
