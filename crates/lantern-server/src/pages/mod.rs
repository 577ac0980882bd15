//! The public web pages and the staff login, server-rendered HTML in zh-TW and English.
//!
//! Every page extracts a `PageCtx` (the reader's language and the layout's data),
//! builds a view-model of its own from the store's records, renders an askama template from
//! `templates/`, and answers errors with an error page in the same layout
//! (`PageCtx::respond`). No page needs JavaScript; the one script, `static/verify.js`, checks a
//! proof in the citizen's browser. `docs/pages.md` describes each
//! page, the language rules and the accessibility choices.
//!
//! Architecture invariant: handlers never use an extractor that can reject with a bare error;
//! they take `Result<Extractor, Rejection>` and answer with an error page.

mod agencies;
mod approved_uses;
mod assets;
mod citizen;
mod contact;
mod context;
mod coverage;
mod error_page;
mod fields;
mod file_page;
mod file_row;
mod footprint;
mod history;
mod home;
mod labels;
mod middleware;
mod register;
mod reports;
mod services;
mod staff;

use axum::Router;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::AppState;
use crate::error::AppError;
use context::PageCtx;
use error_page::PageError;

/// The pages' routes, with a 404 page for any address no route claims.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::page))
        .route("/files", get(register::page))
        .route("/files/{id}", get(file_page::page))
        .route("/files/{id}/approved-uses", get(approved_uses::page))
        .route("/agencies", get(agencies::index))
        .route("/agencies/{code}", get(agencies::page))
        .route("/coverage", get(coverage::page))
        .route("/me", get(footprint::summary_page))
        .route("/me/events", get(footprint::list_page))
        .route("/me/events/{index}", get(footprint::event_page))
        .route("/me/events/{index}/proof.json", get(footprint::event_proof))
        .route("/me/export.csv", get(footprint::export_csv))
        .route("/me/export.json", get(footprint::export_json))
        .route("/me/authorizations", get(services::authorizations))
        .route(
            "/me/authorizations/{service}/withdraw",
            post(services::withdraw),
        )
        .route("/reports", get(reports::index))
        .route("/reports/{period}", get(reports::national))
        .route("/reports/{period}/{name}", get(reports::national_item))
        .route(
            "/reports/{period}/{agency}/{name}",
            get(reports::agency_item),
        )
        .route("/open-data/catalog.jsonld", get(reports::catalogue_jsonld))
        .route("/open-data/schema/report-table.json", get(reports::schema))
        .route("/services", get(services::index))
        .route("/services/{id}", get(services::page))
        .route("/services/{id}/consent", post(services::consent))
        .route("/me/login", get(citizen::login))
        .route("/me/callback", get(citizen::callback))
        .route("/me/logout", post(citizen::logout))
        .route(
            "/me/demo-login",
            get(citizen::demo_login_form).post(citizen::demo_login),
        )
        .route("/staff", get(staff::home))
        .route("/staff/login", get(staff::login_form).post(staff::login))
        .route("/staff/logout", post(staff::logout))
        .route(
            "/staff/provider-requests",
            get(staff::provider_requests_page)
                .post(staff::provider_requests_upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::api::provider_requests::MAX_IMPORT_BYTES,
                )),
        )
        .route(
            "/staff/data-requests",
            get(staff::data_requests_page)
                .post(staff::data_requests_upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::api::provider_requests::MAX_IMPORT_BYTES,
                )),
        )
        .route("/staff/services", get(staff::services_list))
        .route(
            "/staff/services/new",
            get(staff::service_new_form).post(staff::service_create),
        )
        .route("/staff/services/{id}", get(staff::service_page))
        .route(
            "/staff/services/{id}/edit",
            get(staff::service_edit_form).post(staff::service_update),
        )
        .route(
            "/staff/services/{id}/codes.csv",
            get(staff::service_codes_csv),
        )
        .route("/staff/services/{id}/resolve", post(staff::service_resolve))
        .route(assets::CSS_PATH, get(assets::stylesheet))
        .route(assets::VERIFY_JS_PATH, get(assets::verifier_script))
        .fallback(not_found)
        .layer(axum::middleware::from_fn(middleware::page_layer))
}

/// Any address no route claims: the 404 page, or problem+json under the machine prefixes.
async fn not_found(ctx: PageCtx, uri: Uri) -> Response {
    let path = uri.path();
    if ["/api/", "/log/"]
        .iter()
        .any(|prefix| path.starts_with(prefix))
    {
        return AppError::NotFound(format!("nothing at {path}")).into_response();
    }
    ctx.respond(Err(PageError::NotFound))
}
