//! `/staff/data-requests`: the requests between agencies that the staff member's agency made
//! and received, and the spreadsheet upload (CSV or ODS, from the template) that files many at
//! once. A file with any broken rule files nothing; the page lists every error by row and
//! column. Deciding and delivering go through the API (docs/data-requests.md).

use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use lantern_domain::TrackedRequest;
use lantern_store::{RequestFilter, RequestParty};

use super::{LOGIN_PATH, private, session_error};
use crate::AppState;
use crate::api::data_requests::import_rows;
use crate::auth::{AgencyActor, StaffSession, constant_time_eq};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::pages::context::{Chrome, Nav, PageCtx};
use crate::pages::error_page::{PageError, render};

#[derive(Template)]
#[template(path = "staff_data_requests.html")]
struct RequestsPage {
    t: Tr,
    chrome: Chrome,
    csrf_token: String,
    recorded: Option<usize>,
    errors: Vec<(String, String, String)>,
    sections: Vec<Section>,
}

/// The requests made, or those received.
struct Section {
    title: String,
    other: String,
    rows: Vec<RequestRow>,
}

/// One request in a list.
struct RequestRow {
    id: String,
    other: String,
    file: String,
    filed: String,
    state: String,
}

/// `GET /staff/data-requests`.
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

/// `POST /staff/data-requests`: a multipart form with `csrf` and the spreadsheet `file`.
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
    let (csrf, file) = super::provider_requests::read_upload(t, multipart).await?;
    if !constant_time_eq(csrf.as_bytes(), staff.session.csrf_token.as_bytes()) {
        return Err(PageError::BadRequest(vec![t.get("logout-error-csrf")]));
    }
    let media = match super::provider_requests::media_of(t, file) {
        Ok(media) => media,
        Err(error) => return show(ctx, state, staff, None, vec![error]).await,
    };
    let actor = AgencyActor {
        agency: staff.user.agency.clone(),
        actor: format!("user:{}", staff.user.username),
    };
    match import_rows(state, &actor, media.0, &media.1).await {
        Ok(n) => show(ctx, state, staff, Some(n), Vec::new()).await,
        Err(AppError::InvalidRows(errors)) => {
            let errors = super::provider_requests::error_rows(errors);
            show(ctx, state, staff, None, errors).await
        }
        Err(other) => Err(session_error(other)),
    }
}

async fn show(
    ctx: &PageCtx,
    state: &AppState,
    staff: &StaffSession,
    recorded: Option<usize>,
    errors: Vec<(String, String, String)>,
) -> Result<Response, PageError> {
    let t = ctx.tr();
    let agency = &staff.user.agency;
    let list = |party| RequestFilter {
        party: Some(party),
        state: None,
    };
    let made = state
        .store
        .data_requests(&list(RequestParty::Requester(agency.clone())))
        .await?;
    let received = state
        .store
        .data_requests(&list(RequestParty::Holder(agency.clone())))
        .await?;
    let failed = !errors.is_empty();
    let page = RequestsPage {
        chrome: ctx.chrome(Nav::Staff, &t.get("staff-dr-title")),
        csrf_token: staff.session.csrf_token.clone(),
        recorded,
        errors,
        sections: vec![
            Section {
                title: t.get("staff-dr-made"),
                other: t.get("staff-dr-holder"),
                rows: made.iter().map(|r| row(t, r, true)).collect(),
            },
            Section {
                title: t.get("staff-dr-received"),
                other: t.get("staff-dr-requester"),
                rows: received.iter().map(|r| row(t, r, false)).collect(),
            },
        ],
        t,
    };
    let status = if failed {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    Ok(private((status, render(&page)?).into_response()))
}

fn row(t: Tr, tracked: &TrackedRequest, made: bool) -> RequestRow {
    let request = tracked.request();
    RequestRow {
        id: request.id.to_string(),
        other: if made {
            request.holder.to_string()
        } else {
            request.requester.to_string()
        },
        file: request.file.to_string(),
        filed: crate::report::iso(request.filed_on),
        state: t.get(&format!("staff-dr-state-{}", tracked.state().as_str())),
    }
}
