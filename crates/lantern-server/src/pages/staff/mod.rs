//! Staff pages: log in, log out, and `/staff`, which shows who is logged in and links to their
//! agency's files, and its services with their vendor codes (`services`). Editing the registers
//! and notices happens through the JSON API.

mod data_requests;
mod login;
mod provider_requests;
mod service_form;
mod services;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::AppState;
use crate::auth::StaffSession;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::pages::context::{Chrome, Nav, PageCtx, href};
use crate::pages::error_page::{PageError, render};
use crate::pages::{file_row, labels};

pub(crate) use data_requests::{page as data_requests_page, upload as data_requests_upload};
pub(crate) use login::{login, login_form, logout};
pub(crate) use provider_requests::{
    page as provider_requests_page, upload as provider_requests_upload,
};
pub(crate) use service_form::{
    create as service_create, edit_form as service_edit_form, new_form as service_new_form,
    update as service_update,
};
pub(crate) use services::{
    codes_csv as service_codes_csv, list as services_list, page as service_page,
    resolve as service_resolve,
};

/// Where staff log in.
pub(super) const LOGIN_PATH: &str = "/staff/login";

#[derive(Template)]
#[template(path = "staff.html")]
struct StaffPage {
    t: Tr,
    chrome: Chrome,
    display_name: String,
    username: String,
    role: String,
    agency_name: String,
    agency_href: String,
    files_href: String,
    csrf_token: String,
}

/// `GET /staff`: who is logged in; the login page for anyone else.
pub(crate) async fn home(
    ctx: PageCtx,
    State(state): State<AppState>,
    staff: Result<Option<StaffSession>, AppError>,
) -> Response {
    ctx.respond(build_home(&ctx, &state, staff).await)
}

async fn build_home(
    ctx: &PageCtx,
    state: &AppState,
    staff: Result<Option<StaffSession>, AppError>,
) -> Result<Response, PageError> {
    let t = ctx.tr();
    let Some(staff) = staff.map_err(session_error)? else {
        return Ok(Redirect::to(LOGIN_PATH).into_response());
    };
    let agency = state
        .store
        .agency(&staff.user.agency)
        .await?
        .map(|v| v.value);
    let code = staff.user.agency.as_str();
    let page = StaffPage {
        chrome: ctx.chrome(Nav::Staff, &t.get("staff-title")),
        display_name: staff.user.display_name.clone(),
        username: staff.user.username.clone(),
        role: labels::role(t, staff.user.role),
        agency_name: agency.as_ref().map_or_else(
            || code.to_owned(),
            |a| file_row::agency_name(t.lang(), a).to_owned(),
        ),
        agency_href: format!("/agencies/{code}"),
        files_href: href("/files", &[("agency", code)]),
        csrf_token: staff.session.csrf_token,
        t,
    };
    Ok(private(render(&page)?))
}

/// Marks a staff page as never to be stored by any cache.
pub(super) fn private(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The session could not be read: the store failed.
pub(super) fn session_error(error: AppError) -> PageError {
    match error {
        AppError::Unavailable(_) => PageError::Unavailable,
        other => {
            tracing::error!(error = %other, "reading the staff session failed");
            PageError::Internal
        }
    }
}
