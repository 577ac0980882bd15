//! `GET /healthz`: whether the server can read its store.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{AppError, Problem};

/// The health check's answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`: any failure is answered with a problem instead.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Key read by the health check: any key will do, the point is one cheap round trip.
const PROBE_KEY: &str = "healthz.probe";

/// Answers `{"status":"ok"}` after one cheap read from the store.
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "health",
    tag = "health",
    responses(
        (status = 200, description = "The store answers", body = Health),
        (status = 503, description = "The store does not answer", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, AppError> {
    match state.store.setting(PROBE_KEY).await {
        Ok(_) => Ok(Json(Health { status: "ok" })),
        // Whatever the store says, the server cannot serve: 503, so load balancers stop sending.
        Err(error) => Err(AppError::Unavailable(format!("health check: {error}"))),
    }
}
