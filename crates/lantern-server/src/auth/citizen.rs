//! Citizens' sessions: the `lantern_citizen` cookie and the [`CitizenSession`] extractor.
//!
//! A citizen session is a kind of its own, stored apart from staff sessions
//! (`AccessStore::create_citizen_session`): it names no account, only the pseudonym of the
//! citizen's national ID, computed with the server's pseudonym key exactly as the ingestion
//! path computes it, so it finds the citizen's logged events, and the number sealed with the
//! server's seal key, so a consent given in the session can later be resolved back to the
//! person (vendor codes). The raw number is never stored.
//! Only the SHA-256 of the cookie's secret is stored. A staff cookie is never read as a citizen
//! cookie nor the other way round: the names differ and so do the tables.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use lantern_domain::SubjectId;
use lantern_log::SubjectPseudonym;
use time::{Duration, OffsetDateTime};

use super::caller::csrf_header_matches;
use super::secret::{digest, is_secret_shaped, random_secret};
use crate::AppState;
use crate::error::AppError;

/// Name of the citizen session cookie.
pub const CITIZEN_COOKIE: &str = "lantern_citizen";

/// How long a citizen session lasts: one hour, then the citizen logs in again.
pub const CITIZEN_SESSION_MINUTES: i64 = 60;

/// Where citizens log in.
pub const CITIZEN_LOGIN_PATH: &str = "/me/login";

/// A logged-in citizen, taken from the `lantern_citizen` cookie.
///
/// As an extractor it rejects a request without a live session: pages are redirected to
/// `/me/login`, API requests (paths under `/api/`) answered 401 problem+json. A cookie-
/// authenticated API request with an unsafe method must also carry the session's CSRF token in
/// `X-CSRF-Token` (403 otherwise). Use `Option<CitizenSession>` to handle absence yourself.
#[derive(Debug, Clone)]
pub struct CitizenSession {
    /// The pseudonym of the citizen's national ID: what their usage events are stored under.
    pub subject: SubjectPseudonym,
    /// The citizen's number sealed with the server's seal key (for consents).
    pub sealed_subject: Vec<u8>,
    /// The token that forms (and API changes) of this session must carry.
    pub csrf_token: String,
    /// When the session ends.
    pub expires_at: OffsetDateTime,
}

/// Starts a session for the citizen whose verified number is `subject`: stores its pseudonym,
/// the number sealed, and the digest of a fresh secret, and returns the `Set-Cookie` value (HttpOnly,
/// `SameSite=Lax`, `Path=/`, [`CITIZEN_SESSION_MINUTES`], `Secure` unless serving plain HTTP on
/// loopback).
///
/// # Errors
/// When the store fails, or (a defect) the header cannot be built.
pub async fn start_citizen_session(
    state: &AppState,
    subject: &SubjectId,
) -> Result<HeaderValue, AppError> {
    let secret = random_secret();
    let now = OffsetDateTime::now_utc();
    let session = lantern_store::CitizenSession {
        id_hash: digest(&secret),
        subject: state.subject_key.pseudonymise(subject),
        sealed_subject: state.seal_key.seal(subject, rand::random()),
        csrf_token: random_secret(),
        created_at: now,
        expires_at: now + Duration::minutes(CITIZEN_SESSION_MINUTES),
    };
    state.store.create_citizen_session(&session).await?;
    citizen_cookie(
        state,
        &secret,
        Duration::minutes(CITIZEN_SESSION_MINUTES).whole_seconds(),
    )
}

/// Logs the citizen out: forgets the session named by the request's cookie, if any, and returns
/// the `Set-Cookie` value that clears the cookie.
///
/// # Errors
/// When the store fails.
pub async fn end_citizen_session(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<HeaderValue, AppError> {
    if let Some(secret) = citizen_secret(headers) {
        state.store.delete_citizen_session(&digest(secret)).await?;
    }
    citizen_cookie(state, "", 0)
}

fn citizen_cookie(
    state: &AppState,
    value: &str,
    max_age_seconds: i64,
) -> Result<HeaderValue, AppError> {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{CITIZEN_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}"
    ))
    .map_err(|e| AppError::Internal(format!("citizen cookie header: {e}")))
}

/// The citizen session secret from the request's cookies, if one is there and well shaped.
fn citizen_secret(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(name, value)| {
            (name == CITIZEN_COOKIE && is_secret_shaped(value)).then_some(value)
        })
}

/// The live citizen session named by the request's cookie, if there is one.
///
/// # Errors
/// When the store fails.
pub(crate) async fn current_citizen(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<CitizenSession>, AppError> {
    let Some(secret) = citizen_secret(headers) else {
        return Ok(None);
    };
    Ok(state
        .store
        .citizen_session(&digest(secret), OffsetDateTime::now_utc())
        .await?
        .map(|stored| CitizenSession {
            subject: stored.subject,
            sealed_subject: stored.sealed_subject,
            csrf_token: stored.csrf_token,
            expires_at: stored.expires_at,
        }))
}

/// Why a request has no citizen session, answered for pages or for the API.
#[derive(Debug)]
pub enum CitizenRejection {
    /// A page asked without a session: redirect to the login.
    LoginPage,
    /// An API request failed: problem+json.
    Api(AppError),
    /// A page could not read the session (the store failed): a bare status, which the pages'
    /// layer turns into the error page.
    PageStatus(StatusCode),
}

impl IntoResponse for CitizenRejection {
    fn into_response(self) -> Response {
        match self {
            Self::LoginPage => Redirect::to(CITIZEN_LOGIN_PATH).into_response(),
            Self::Api(error) => error.into_response(),
            Self::PageStatus(status) => status.into_response(),
        }
    }
}

impl FromRequestParts<AppState> for CitizenSession {
    type Rejection = CitizenRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let api = parts.uri.path().starts_with("/api/");
        match current_citizen(state, &parts.headers).await {
            Ok(Some(session)) if api && !is_safe(&parts.method) => {
                if csrf_header_matches(&parts.headers, &session.csrf_token) {
                    Ok(session)
                } else {
                    Err(CitizenRejection::Api(AppError::CsrfTokenMismatch))
                }
            }
            Ok(Some(session)) => Ok(session),
            Ok(None) if api => Err(CitizenRejection::Api(AppError::Unauthenticated(
                "log in as a citizen first: there is no citizen session, or it has expired",
            ))),
            Ok(None) => Err(CitizenRejection::LoginPage),
            Err(error) if api => Err(CitizenRejection::Api(error)),
            Err(error) => {
                tracing::warn!(%error, "reading the citizen session failed");
                Err(CitizenRejection::PageStatus(match error {
                    AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
                    _ => StatusCode::INTERNAL_SERVER_ERROR,
                }))
            }
        }
    }
}

impl OptionalFromRequestParts<AppState> for CitizenSession {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        current_citizen(state, &parts.headers).await
    }
}

/// Methods that change nothing and so need no CSRF token.
fn is_safe(method: &Method) -> bool {
    [Method::GET, Method::HEAD, Method::OPTIONS, Method::TRACE].contains(method)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_staff_cookie_is_not_a_citizen_cookie() {
        let secret = random_secret();
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_str(&format!("lantern_session={secret}")).unwrap(),
        );
        assert_eq!(citizen_secret(&headers), None);
        headers.append(
            header::COOKIE,
            HeaderValue::from_str(&format!("{CITIZEN_COOKIE}={secret}")).unwrap(),
        );
        assert_eq!(citizen_secret(&headers), Some(secret.as_str()));
    }
}
