//! `/staff/provider-requests`: the agency's register of requests to online providers, and the
//! spreadsheet upload (CSV or ODS, from the template) that adds to it. A file with any broken
//! rule stores nothing; the page lists every error by row and column.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use lantern_domain::provider_request::ProviderRequest;
use lantern_store::ProviderRequestQuery;

use super::{LOGIN_PATH, private, session_error};
use crate::AppState;
use crate::api::provider_requests::record;
use crate::auth::{StaffSession, constant_time_eq};
use crate::error::{AppError, ProblemError};
use crate::i18n::Tr;
use crate::pages::context::{Chrome, Nav, PageCtx};
use crate::pages::error_page::{PageError, render};

/// Requests shown on the page, newest first.
const SHOWN: usize = 100;

#[derive(Template)]
#[template(path = "staff_provider_requests.html")]
struct RegisterPage {
    t: Tr,
    chrome: Chrome,
    csrf_token: String,
    recorded: Option<usize>,
    errors: Vec<(String, String, String)>,
    total: usize,
    requests: Vec<RequestRow>,
}

/// One request in the list.
struct RequestRow {
    reference: String,
    sent: String,
    provider: String,
    statute: String,
    outcome: String,
    confidential: bool,
}

/// `GET /staff/provider-requests`.
pub(crate) async fn page(
    ctx: PageCtx,
    State(state): State<AppState>,
    staff: Result<Option<StaffSession>, AppError>,
) -> Response {
    let result = match staff.map_err(session_error) {
        Ok(Some(staff)) => show(&ctx, &state, &staff, None, Vec::new()).await,
        Ok(None) => Ok(Redirect::to(LOGIN_PATH).into_response()),
        Err(e) => Err(e),
    };
    ctx.respond(result)
}

/// `POST /staff/provider-requests`: a multipart form with `csrf` and the spreadsheet `file`.
pub(crate) async fn upload(
    ctx: PageCtx,
    State(state): State<AppState>,
    staff: Result<Option<StaffSession>, AppError>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let result = match staff.map_err(session_error) {
        Ok(Some(staff)) => try_upload(&ctx, &state, &staff, multipart).await,
        Ok(None) => Ok(Redirect::to(LOGIN_PATH).into_response()),
        Err(e) => Err(e),
    };
    ctx.respond(result)
}

async fn try_upload(
    ctx: &PageCtx,
    state: &AppState,
    staff: &StaffSession,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, PageError> {
    let t = ctx.tr();
    let (csrf, file) = read_upload(t, multipart).await?;
    if !constant_time_eq(csrf.as_bytes(), staff.session.csrf_token.as_bytes()) {
        return Err(PageError::BadRequest(vec![t.get("logout-error-csrf")]));
    }
    let (media, bytes) = match media_of(t, file) {
        Ok(file) => file,
        Err(error) => return show(ctx, state, staff, None, vec![error]).await,
    };
    let actor = format!("user:{}", staff.user.username);
    match record(state, &staff.user.agency, &actor, media, &bytes).await {
        Ok(n) => show(ctx, state, staff, Some(n), Vec::new()).await,
        Err(AppError::InvalidRows(errors)) => {
            show(ctx, state, staff, None, error_rows(errors)).await
        }
        Err(AppError::Conflict(message)) => {
            show(
                ctx,
                state,
                staff,
                None,
                vec![(String::new(), String::new(), message)],
            )
            .await
        }
        Err(other) => Err(session_error(other)),
    }
}

/// An uploaded spreadsheet: the file's name (lowercased) and bytes.
type Upload = Option<(String, Bytes)>;

/// Reads an upload form: its CSRF field and its `file`.
pub(super) async fn read_upload(
    t: Tr,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(String, Upload), PageError> {
    let unreadable = || PageError::BadRequest(vec![t.get("staff-pr-error-form")]);
    let mut multipart = multipart.map_err(|_| unreadable())?;
    let (mut csrf, mut file) = (String::new(), None);
    while let Some(field) = multipart.next_field().await.map_err(|_| unreadable())? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(|_| unreadable())?,
            Some("file") => {
                let name = field.file_name().unwrap_or_default().to_ascii_lowercase();
                let bytes = field.bytes().await.map_err(|_| unreadable())?;
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    Ok((csrf, file))
}

/// The media type of an uploaded file by its extension, or the error row to show.
pub(super) fn media_of(
    t: Tr,
    file: Upload,
) -> Result<(&'static str, Bytes), (String, String, String)> {
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Err((
            String::new(),
            String::new(),
            t.get("staff-pr-error-no-file"),
        ));
    };
    if name.ends_with(".ods") {
        Ok(("application/vnd.oasis.opendocument.spreadsheet", bytes))
    } else if name.ends_with(".csv") {
        Ok(("text/csv", bytes))
    } else {
        Err((String::new(), String::new(), t.get("staff-pr-error-kind")))
    }
}

/// Row errors as the page's table rows: row, column, problem.
pub(super) fn error_rows(errors: Vec<ProblemError>) -> Vec<(String, String, String)> {
    errors
        .into_iter()
        .map(|e| {
            let row = e.row.map_or_else(String::new, |r| r.to_string());
            (row, e.field, e.message)
        })
        .collect()
}

async fn show(
    ctx: &PageCtx,
    state: &AppState,
    staff: &StaffSession,
    recorded: Option<usize>,
    errors: Vec<(String, String, String)>,
) -> Result<Response, PageError> {
    let t = ctx.tr();
    let mut requests = state
        .store
        .provider_requests(&ProviderRequestQuery {
            agency: Some(staff.user.agency.clone()),
            ..ProviderRequestQuery::default()
        })
        .await?;
    let total = requests.len();
    requests.reverse();
    let rows = requests.iter().take(SHOWN).map(row).collect();
    let failed = !errors.is_empty();
    let page = RegisterPage {
        chrome: ctx.chrome(Nav::Staff, &t.get("staff-pr-title")),
        csrf_token: staff.session.csrf_token.clone(),
        recorded,
        errors,
        total,
        requests: rows,
        t,
    };
    let status = if failed {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    Ok(private((status, render(&page)?).into_response()))
}

fn row(request: &ProviderRequest) -> RequestRow {
    RequestRow {
        reference: request.reference.clone(),
        sent: crate::report::iso(request.requested_on),
        provider: request.provider.clone(),
        statute: format!("{} {}", request.statute, request.article),
        outcome: request.outcome.to_string(),
        confidential: request.confidential.is_some(),
    }
}
