//! `POST /api/v1/session` and `DELETE /api/v1/session`: staff login and logout for API clients
//! that use a cookie (a browser's scripts, or a person trying the API).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::ApiJson;
use crate::AppState;
use crate::auth::{AuthError, Caller, end_session, start_session};
use crate::error::{AppError, Problem};

/// A login.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The staff account's username.
    pub username: String,
    /// Its password.
    #[schema(format = Password)]
    pub password: String,
}

/// A started session. The session itself travels in the `lantern_session` cookie.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send this in the `X-CSRF-Token` header with every change made with the cookie.
    pub csrf_token: String,
    /// The agency the account acts for.
    #[schema(example = "MOHW-NHIA")]
    pub agency: String,
    /// The account.
    pub username: String,
}

/// Logs a staff member in and sets the session cookie.
#[utoipa::path(
    post,
    path = "/api/v1/session",
    operation_id = "logIn",
    tag = "session",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in; the session cookie is set", body = LoginResponse,
            headers(("Set-Cookie" = String, description = "lantern_session=…; HttpOnly; SameSite=Strict; Path=/"))),
        (status = 401, description = "Unknown username or wrong password", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The body lacks username or password", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(login): ApiJson<LoginRequest>,
) -> Result<Response, AppError> {
    let session = start_session(&state, &login.username, &login.password).await?;
    // The account was just read by `start_session`; it is read again for the answer.
    let user = state
        .store
        .user(&login.username)
        .await?
        .ok_or(AuthError::InvalidCredentials)?;
    let body = LoginResponse {
        csrf_token: session.csrf_token,
        agency: user.agency.to_string(),
        username: user.username,
    };
    let headers = [
        (header::SET_COOKIE, session.cookie),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ];
    Ok((StatusCode::OK, headers, Json(body)).into_response())
}

/// Logs out: ends the session named by the cookie and clears the cookie.
#[utoipa::path(
    delete,
    path = "/api/v1/session",
    operation_id = "logOut",
    tag = "session",
    security(("session" = [])),
    responses(
        (status = 204, description = "Logged out (also when there was no session)",
            headers(("Set-Cookie" = String, description = "Clears the session cookie"))),
        (status = 403, description = "The X-CSRF-Token header is missing or wrong", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn logout(
    State(state): State<AppState>,
    _csrf_checked: Caller,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    // Extracting the caller has already refused a live session without its CSRF token.
    let cookie = end_session(&state, &headers).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}
