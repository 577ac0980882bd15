//! The OpenAPI 3.1 document of the JSON API, generated from the handlers and their types and
//! served at `/api/openapi.json`. A copy is checked in as `openapi.json`; a test fails when it
//! is out of date (`UPDATE_OPENAPI=1 cargo test -p lantern-server --test api_openapi` rewrites it).

use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api::{
    agencies, consents, coverage, data_requests, events, files, health, proofs, provider_requests,
    services, session, stats,
};
use crate::auth::{CITIZEN_COOKIE, SESSION_COOKIE};

/// The API's description, assembled from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Lantern API",
        description = "Public registers of government agencies and their personal-data files \
                       (PDPA Art. 17), with every change versioned; usage events reported \
                       into the public log, its proofs and statistics; requests between \
                       agencies for out-of-purpose use (PDPA Art. 16 proviso). The log itself is \
                       served under /log/ as C2SP tlog-tiles (docs/log-format.md). Errors are \
                       RFC 9457 application/problem+json; see docs/api.md."
    ),
    paths(
        health::healthz,
        agencies::list,
        agencies::show,
        files::list,
        files::show,
        files::create,
        files::replace,
        session::login,
        session::logout,
        events::ingest,
        proofs::inclusion,
        proofs::consistency,
        stats::usage,
        coverage::report,
        services::list,
        services::show,
        services::put,
        services::vendor_codes,
        services::resolve,
        consents::list,
        consents::grant,
        consents::withdraw,
        provider_requests::import,
        provider_requests::list,
        provider_requests::template,
        data_requests::create,
        data_requests::import,
        data_requests::template,
        data_requests::list,
        data_requests::show,
        data_requests::decide,
        data_requests::deliver,
        data_requests::approved_uses,
    ),
    modifiers(&Credentials),
    tags(
        (name = "agencies", description = "The register of agencies and their supervision tree"),
        (name = "files", description = "The register of personal-data files (個人資料檔案)"),
        (name = "session", description = "Staff login for cookie-based clients"),
        (name = "events", description = "Agencies report usage events (使用紀錄) into the public log"),
        (name = "log", description = "Proofs against the log's signed checkpoints"),
        (name = "statistics", description = "Usage statistics and the coverage of the log"),
        (name = "health", description = "Liveness of the server and its store"),
        (name = "services", description = "Services with their PDPA Art. 8 notices, and vendor codes of consenting citizens"),
        (name = "consents", description = "A logged-in citizen's consents (ISO/IEC TS 27560 records)"),
        (name = "provider-requests", description = "Agencies' requests to online providers for internet users' data"),
        (name = "data-requests", description = "Requests between agencies to use a registered file outside its specific purposes (PDPA Art. 16 proviso): decision, delivery logged as usage events, and each file's public register of approved uses"),
    )
)]
struct ApiDoc;

/// Declares the two credentials: agency API tokens and staff session cookies.
struct Credentials;

impl Modify for Credentials {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An agency API token: lt_ followed by 43 base64url characters",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "A staff session from POST /api/v1/session; changes must also send X-CSRF-Token",
            ))),
        );
        components.add_security_scheme(
            "citizen",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                CITIZEN_COOKIE,
                "A citizen session from logging in at /me/login; changes must also send X-CSRF-Token",
            ))),
        );
    }
}

/// The OpenAPI document.
#[must_use]
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The document as checked in: pretty JSON with a final newline.
///
/// # Errors
/// When the document cannot be serialised (it always can).
pub fn document_json() -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&document()).map(|json| json + "\n")
}

/// `GET /api/openapi.json`.
pub(crate) async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}
