//! Staff sessions: login, logout and the `lantern_session` cookie.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use lantern_store::{Session, User};
use time::{Duration, OffsetDateTime};

use super::AuthError;
use super::password::verify_password;
use super::secret::{digest, is_secret_shaped, random_secret};
use crate::AppState;
use crate::error::AppError;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "lantern_session";

/// How long a session lasts: one working day.
pub const SESSION_HOURS: i64 = 8;

/// A session that has just been started.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The `Set-Cookie` value that hands the session to the browser.
    pub cookie: HeaderValue,
    /// The token that forms (and API changes made with the cookie) must carry.
    pub csrf_token: String,
}

/// Logs `username` in: checks the password and stores a new session of [`SESSION_HOURS`].
/// The cookie is `HttpOnly`, `SameSite=Strict`, `Path=/`, and `Secure` when
/// `state.config.secure_cookies`. Only the SHA-256 of its secret is stored.
///
/// # Errors
/// [`AuthError::InvalidCredentials`] for an unknown user or a wrong password (the same error,
/// after comparable work); [`AuthError::Store`] or [`AuthError::Internal`] when storage or
/// hashing fails.
pub async fn start_session(
    state: &AppState,
    username: &str,
    password: &str,
) -> Result<NewSession, AuthError> {
    let user = state.store.user(username).await?;
    // Verified even when there is no such user (against a dummy hash), to take the same time.
    let verified =
        verify_password(password, user.as_ref().map(|u| u.password_hash.as_str())).await?;
    let user = user
        .filter(|_| verified)
        .ok_or(AuthError::InvalidCredentials)?;
    let secret = random_secret();
    let now = OffsetDateTime::now_utc();
    let session = Session {
        id_hash: digest(&secret),
        username: user.username,
        csrf_token: random_secret(),
        created_at: now,
        expires_at: now + Duration::hours(SESSION_HOURS),
    };
    state.store.create_session(&session).await?;
    let max_age = Duration::hours(SESSION_HOURS).whole_seconds();
    let cookie = set_cookie(state, &secret, max_age).map_err(AuthError::Internal)?;
    Ok(NewSession {
        cookie,
        csrf_token: session.csrf_token,
    })
}

/// Logs out: forgets the session named by the request's cookie, if any, and returns the
/// `Set-Cookie` value that clears the cookie. Logging out without a session is not an error.
///
/// # Errors
/// [`AppError::Unavailable`] when the store fails.
pub async fn end_session(state: &AppState, headers: &HeaderMap) -> Result<HeaderValue, AppError> {
    if let Some(secret) = session_secret(headers) {
        state.store.delete_session(&digest(secret)).await?;
    }
    set_cookie(state, "", 0).map_err(AppError::Internal)
}

fn set_cookie(state: &AppState, value: &str, max_age_seconds: i64) -> Result<HeaderValue, String> {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_seconds}{secure}"
    );
    HeaderValue::from_str(&cookie).map_err(|e| format!("session cookie header: {e}"))
}

/// The session secret from the request's `Cookie` headers, if one is there and well shaped.
pub(super) fn session_secret(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(name, value)| {
            (name == SESSION_COOKIE && is_secret_shaped(value)).then_some(value)
        })
}

/// The live session named by the request's cookie and its account, if there is one.
///
/// # Errors
/// When the store fails.
pub(super) async fn current_session(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<StaffSession>, AppError> {
    let Some(secret) = session_secret(headers) else {
        return Ok(None);
    };
    let Some(session) = state
        .store
        .session(&digest(secret), OffsetDateTime::now_utc())
        .await?
    else {
        return Ok(None);
    };
    Ok(state
        .store
        .user(&session.username)
        .await?
        .map(|user| StaffSession { user, session }))
}

/// A logged-in staff member, taken from the session cookie. As an extractor it answers 401
/// when there is no live session; use `Option<StaffSession>` to handle that yourself.
#[derive(Debug, Clone)]
pub struct StaffSession {
    /// The account.
    pub user: User,
    /// The session, with its CSRF token.
    pub session: Session,
}

impl FromRequestParts<AppState> for StaffSession {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        current_session(state, &parts.headers)
            .await?
            .ok_or(AppError::Unauthenticated(
                "log in first: there is no session, or it has expired",
            ))
    }
}

impl OptionalFromRequestParts<AppState> for StaffSession {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        current_session(state, &parts.headers).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let secret = random_secret();
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("theme=dark"));
        headers.append(
            header::COOKIE,
            HeaderValue::from_str(&format!("a=b; {SESSION_COOKIE}={secret}")).unwrap(),
        );
        assert_eq!(session_secret(&headers), Some(secret.as_str()));
        let mut junk = HeaderMap::new();
        junk.append(
            header::COOKIE,
            HeaderValue::from_static("lantern_session=short"),
        );
        assert_eq!(session_secret(&junk), None);
    }
}
