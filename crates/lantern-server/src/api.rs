//! The JSON API under `/api/v1/`, its OpenAPI document and the health check.
//!
//! Reading the registers needs no credential (they are public under PDPA Art. 17); changing
//! them needs an agency's API token or a staff session (see [`crate::auth`]). Every error,
//! including a malformed body, an unknown route or a wrong method, is answered as RFC 9457
//! `application/problem+json` ([`crate::error`]).

pub(crate) mod agencies;
pub mod agency_view;
pub mod consents;
pub mod coverage;
pub mod data_requests;
pub mod events;
pub mod extract;
pub mod file_view;
pub(crate) mod files;
mod filters;
pub(crate) mod health;
pub mod proofs;
pub mod provider_requests;
pub mod services;
pub(crate) mod session;
pub mod stats;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, post};

use crate::AppState;
use crate::error::AppError;
use crate::openapi;

/// Largest request body the API accepts: 1 MiB. A file's text fields hold at most 4,000
/// characters each (about 240 KiB in all), which leaves room for long lists of linkages and
/// recipients while refusing anything that can only be a mistake or an attack.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The API's routes, to be merged into the application.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/api/openapi.json", get(openapi::serve))
        .route("/api/v1/agencies", get(agencies::list))
        .route("/api/v1/agencies/{code}", get(agencies::show))
        .route("/api/v1/files", get(files::list).post(files::create))
        .route("/api/v1/files/{id}", get(files::show).put(files::replace))
        .route(
            "/api/v1/files/{id}/approved-uses",
            get(data_requests::approved_uses),
        )
        .route(
            "/api/v1/data-requests",
            get(data_requests::list).post(data_requests::create),
        )
        .route(
            "/api/v1/data-requests/import",
            post(data_requests::import)
                .layer(DefaultBodyLimit::max(provider_requests::MAX_IMPORT_BYTES)),
        )
        .route(
            "/api/v1/data-requests/template.csv",
            get(data_requests::template),
        )
        .route("/api/v1/data-requests/{id}", get(data_requests::show))
        .route(
            "/api/v1/data-requests/{id}/decision",
            post(data_requests::decide),
        )
        .route(
            "/api/v1/data-requests/{id}/delivery",
            post(data_requests::deliver),
        )
        .route(
            "/api/v1/session",
            post(session::login).delete(session::logout),
        )
        .route(
            "/api/v1/events",
            post(events::ingest).layer(DefaultBodyLimit::max(events::MAX_EVENTS_BODY_BYTES)),
        )
        .route("/api/v1/log/proof/inclusion", get(proofs::inclusion))
        .route("/api/v1/log/proof/consistency", get(proofs::consistency))
        .route("/api/v1/stats/usage", get(stats::usage))
        .route("/api/v1/coverage", get(coverage::report))
        .route("/api/v1/services", get(services::list))
        .route(
            "/api/v1/services/{id}",
            get(services::show).put(services::put),
        )
        .route(
            "/api/v1/services/{id}/vendor-codes",
            get(services::vendor_codes),
        )
        .route(
            "/api/v1/services/{id}/vendor-codes/resolve",
            post(services::resolve),
        )
        .route(
            "/api/v1/provider-requests",
            get(provider_requests::list)
                .post(provider_requests::import)
                .layer(DefaultBodyLimit::max(provider_requests::MAX_IMPORT_BYTES)),
        )
        .route(
            "/api/v1/provider-requests/template.csv",
            get(provider_requests::template),
        )
        .route("/api/v1/me/consents", get(consents::list))
        .route(
            "/api/v1/me/consents/{service}",
            post(consents::grant).delete(consents::withdraw),
        )
        // Applies to the routes above: a known path with another method.
        .method_not_allowed_fallback(method_not_allowed)
        .route("/api", any(not_found))
        .route("/api/", any(not_found))
        .route("/api/{*rest}", any(not_found))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

async fn not_found() -> AppError {
    AppError::NotFound("there is no such API resource; see /api/openapi.json".into())
}

async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}
