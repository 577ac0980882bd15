//! The [`Caller`] extractor: who sends an API request.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use lantern_domain::AgencyCode;

use super::AgencyActor;
use super::secret::constant_time_eq;
use super::session::current_session;
use super::token;
use crate::AppState;
use crate::error::AppError;

/// The header that must repeat the session's CSRF token on cookie-authenticated changes.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Why an anonymous caller may not change anything.
pub(super) const WRITE_NEEDS_CREDENTIAL: &str =
    "changing a register needs an API token (Authorization: Bearer) or a staff session";

/// Who sends an API request.
///
/// Built from `Authorization: Bearer <token>` when that header is present (a malformed or
/// unknown token is refused with 401, never treated as anonymous), else from a live staff
/// session cookie, else anonymous. A cookie-authenticated request with an unsafe method
/// (anything but GET, HEAD, OPTIONS, TRACE) must carry the session's token in the
/// `X-CSRF-Token` header, or it is refused with 403.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// No credential was sent (or the session cookie has expired).
    Anonymous,
    /// An agency acting through a token or a staff member.
    Agency(AgencyActor),
}

impl Caller {
    /// The agency the caller acts for, if any.
    #[must_use]
    pub fn agency(&self) -> Option<&AgencyCode> {
        match self {
            Self::Anonymous => None,
            Self::Agency(actor) => Some(&actor.agency),
        }
    }

    /// The agency the caller acts for.
    ///
    /// # Errors
    /// [`AppError::Unauthenticated`] (401) for an anonymous caller.
    pub fn require_agency(&self) -> Result<&AgencyCode, AppError> {
        self.agency()
            .ok_or(AppError::Unauthenticated(WRITE_NEEDS_CREDENTIAL))
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(authorization) = parts.headers.get(header::AUTHORIZATION) {
            let token_text = authorization.to_str().ok().and_then(bearer_token).ok_or(
                AppError::Unauthenticated("the Authorization header must be `Bearer <token>`"),
            )?;
            let token = token::authenticate(state.store.as_ref(), token_text).await?;
            return Ok(Self::Agency(AgencyActor {
                agency: token.agency,
                actor: format!("token:{}", token.id),
            }));
        }
        let Some(staff) = current_session(state, &parts.headers).await? else {
            return Ok(Self::Anonymous);
        };
        if !is_safe(&parts.method)
            && !csrf_header_matches(&parts.headers, &staff.session.csrf_token)
        {
            return Err(AppError::CsrfTokenMismatch);
        }
        Ok(Self::Agency(AgencyActor {
            agency: staff.user.agency,
            actor: format!("user:{}", staff.user.username),
        }))
    }
}

/// The token of an `Authorization: Bearer <token>` value (the scheme is case-insensitive).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Methods that change nothing and so need no CSRF token.
fn is_safe(method: &Method) -> bool {
    [Method::GET, Method::HEAD, Method::OPTIONS, Method::TRACE].contains(method)
}

/// True when the request's `X-CSRF-Token` equals the session's token.
pub(crate) fn csrf_header_matches(headers: &HeaderMap, expected: &str) -> bool {
    headers
        .get(CSRF_HEADER)
        .is_some_and(|sent| constant_time_eq(sent.as_bytes(), expected.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_parsed() {
        assert_eq!(bearer_token("Bearer lt_abc"), Some("lt_abc"));
        assert_eq!(bearer_token("bearer   lt_abc "), Some("lt_abc"));
        assert_eq!(bearer_token("Basic dXNlcjpwYXNz"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("lt_abc"), None);
    }
}
