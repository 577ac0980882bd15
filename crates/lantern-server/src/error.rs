//! The one error type of the JSON API and its RFC 9457 `application/problem+json` answers.
//!
//! Every variant says what the client must do about it. Variants that carry text meant for the
//! client (`detail`) are written by handlers; the text of internal failures (store, hashing) is
//! logged and replaced by a generic sentence, so neither internal details nor personal data
//! reach a response body.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lantern_domain::{FieldError, Rule, ValidationErrors};
use lantern_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error answer of the API.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Prefix of every problem `type`: a stable identifier, documented in `docs/api.md`.
pub const PROBLEM_TYPE_PREFIX: &str = "urn:lantern:problem:";

/// Why an API request failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 422: the request body breaks rules; fix every listed field and send it again.
    #[error("invalid request body: {0}")]
    InvalidBody(#[from] ValidationErrors),
    /// 422: query parameters break rules; each error names its parameter.
    #[error("invalid query parameters: {0}")]
    InvalidQuery(ValidationErrors),
    /// 422: events of a batch break rules; each error names the event's position and field,
    /// and nothing of the batch was stored.
    #[error("{} invalid event(s) in the batch", .0.len())]
    InvalidEvents(Vec<ProblemError>),
    /// 422: rows of an imported spreadsheet break rules; each error names its row and column,
    /// and nothing of the file was stored.
    #[error("{} broken rule(s) in the imported rows", .0.len())]
    InvalidRows(Vec<ProblemError>),
    /// 400: the body is not JSON; fix the syntax at the given place.
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    MalformedJson {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What the parser expected, without the position.
        message: String,
    },
    /// 400: the request cannot be understood (query-string syntax, a malformed header).
    #[error("malformed request: {0}")]
    MalformedRequest(String),
    /// 415: send the body in one of the named media types.
    #[error("unsupported media type")]
    UnsupportedMediaType(&'static str),
    /// 413: the body is larger than the API accepts (the limit in bytes).
    #[error("request body too large")]
    PayloadTooLarge(usize),
    /// 413: the batch holds more events than one request may (the limit).
    #[error("too many events in one batch")]
    TooManyEvents(usize),
    /// 401: authenticate (a bearer token or a staff session) and try again.
    #[error("authentication required: {0}")]
    Unauthenticated(&'static str),
    /// 401: the username or password is wrong (deliberately not saying which).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// 403: the caller is known but may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 403: a cookie-authenticated change lacks the session's `X-CSRF-Token` header.
    #[error("missing or wrong X-CSRF-Token")]
    CsrfTokenMismatch,
    /// 404: there is no such resource.
    #[error("not found: {0}")]
    NotFound(String),
    /// 405: the resource exists but does not accept this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409: the change conflicts with what is stored; re-read and decide.
    #[error("conflict: {0}")]
    Conflict(String),
    /// 412: the `If-Match` version is no longer current; re-read and decide.
    #[error("precondition failed: {0}")]
    PreconditionFailed(String),
    /// 503: storage is unavailable; retry later. The text is logged, never sent.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// 500: a defect or corrupt data. The text is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

/// An RFC 9457 problem details object, as every API error is answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Problem {
    /// Stable identifier of the kind of problem, e.g. `urn:lantern:problem:validation`.
    #[serde(rename = "type")]
    #[schema(example = "urn:lantern:problem:validation")]
    pub problem_type: String,
    /// Short, fixed summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this request, in a sentence a person can act on.
    pub detail: String,
    /// For validation problems: every broken rule, naming the field (or query parameter), and
    /// for a batch of events the event's position.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemError>,
    /// For malformed JSON: the 1-based line of the syntax error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// For malformed JSON: the 1-based column of the syntax error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

/// One broken rule in a problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProblemError {
    /// In a batch of events: the 0-based position of the event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<usize>,
    /// In a batch of events: the event's id, when it had a readable one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// In an imported spreadsheet: the row as the spreadsheet numbers it (the header is row 1;
    /// 0 for the file as a whole).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// Dotted path of the offending field or name of the query parameter.
    pub field: String,
    /// The rule that was broken.
    pub rule: Rule,
    /// A plain sentence explaining what is wrong and how to fix it.
    pub message: String,
}

impl From<FieldError> for ProblemError {
    fn from(error: FieldError) -> Self {
        Self {
            position: None,
            id: None,
            row: None,
            field: error.field,
            rule: error.rule,
            message: error.message,
        }
    }
}

/// The fixed parts of a kind of problem.
struct Kind {
    status: StatusCode,
    slug: &'static str,
    title: &'static str,
}

impl AppError {
    fn kind(&self) -> Kind {
        let (status, slug, title) = match self {
            Self::InvalidBody(_)
            | Self::InvalidQuery(_)
            | Self::InvalidEvents(_)
            | Self::InvalidRows(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                "The request breaks validation rules",
            ),
            Self::MalformedJson { .. } => (
                StatusCode::BAD_REQUEST,
                "malformed-json",
                "The body is not valid JSON",
            ),
            Self::MalformedRequest(_) => (
                StatusCode::BAD_REQUEST,
                "malformed-request",
                "The request is malformed",
            ),
            Self::UnsupportedMediaType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
            ),
            Self::PayloadTooLarge(_) | Self::TooManyEvents(_) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "The body is too large",
            ),
            Self::Unauthenticated(_) => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Authentication required",
            ),
            Self::InvalidCredentials => (
                StatusCode::UNAUTHORIZED,
                "invalid-credentials",
                "Invalid credentials",
            ),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", "Not allowed"),
            Self::CsrfTokenMismatch => (
                StatusCode::FORBIDDEN,
                "csrf-token-mismatch",
                "CSRF token missing or wrong",
            ),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            Self::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
            ),
            Self::Conflict(_) => (StatusCode::CONFLICT, "conflict", "Conflict"),
            Self::PreconditionFailed(_) => (
                StatusCode::PRECONDITION_FAILED,
                "precondition-failed",
                "The version is not current",
            ),
            Self::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Service unavailable",
            ),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
            ),
        };
        Kind {
            status,
            slug,
            title,
        }
    }

    /// The HTTP status this error is answered with.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.kind().status
    }

    /// The problem details object this error is answered with. Internal failures get a generic
    /// detail; their text only goes to the log.
    #[must_use]
    pub fn problem(&self) -> Problem {
        let kind = self.kind();
        let detail = match self {
            Self::InvalidBody(errors) => format!("the request body breaks {} rule(s); see errors", errors.0.len()),
            Self::InvalidQuery(errors) => format!("{} query parameter(s) are invalid; see errors", errors.0.len()),
            Self::InvalidEvents(errors) => format!(
                "the batch was not stored: {} rule(s) broken; see errors, each naming the event's position and field",
                errors.len()
            ),
            Self::InvalidRows(errors) => format!(
                "nothing was stored: {} rule(s) broken; see errors, each naming the row (the header is row 1) or item position and the column",
                errors.len()
            ),
            Self::MalformedJson { line, column, message } => {
                format!("the body is not valid JSON: {message} (line {line}, column {column})")
            }
            Self::UnsupportedMediaType(accepted) => format!("send the body with the header Content-Type: {accepted}"),
            Self::PayloadTooLarge(limit) => format!("the body may be at most {limit} bytes"),
            Self::TooManyEvents(limit) => format!("a batch holds at most {limit} events; split the events over several requests"),
            Self::Unauthenticated(why) => (*why).to_owned(),
            Self::InvalidCredentials => "the username or the password is wrong".into(),
            Self::CsrfTokenMismatch => {
                "a change made with a session cookie must carry the session's token in the X-CSRF-Token header".into()
            }
            Self::MethodNotAllowed => "this resource does not accept that method; see the Allow header".into(),
            Self::MalformedRequest(detail)
            | Self::Forbidden(detail)
            | Self::NotFound(detail)
            | Self::Conflict(detail)
            | Self::PreconditionFailed(detail) => detail.clone(),
            Self::Unavailable(_) => "storage is unavailable; try again later".into(),
            Self::Internal(_) => "an internal error occurred; it has been logged".into(),
        };
        let errors = match self {
            Self::InvalidBody(errors) | Self::InvalidQuery(errors) => {
                errors.0.iter().cloned().map(ProblemError::from).collect()
            }
            Self::InvalidEvents(errors) | Self::InvalidRows(errors) => errors.clone(),
            _ => Vec::new(),
        };
        let (line, column) = match self {
            Self::MalformedJson { line, column, .. } => (Some(*line), Some(*column)),
            _ => (None, None),
        };
        Problem {
            problem_type: format!("{PROBLEM_TYPE_PREFIX}{}", kind.slug),
            title: kind.title.to_owned(),
            status: kind.status.as_u16(),
            detail,
            errors,
            line,
            column,
        }
    }
}

impl From<StoreError> for AppError {
    /// Maps a store failure that a handler did not give a more precise meaning to. The store's
    /// own text is logged, not sent: it is written for operators.
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => {
                tracing::debug!(%what, "store: not found");
                Self::NotFound("the requested record does not exist".into())
            }
            StoreError::Conflict(what) => {
                tracing::debug!(%what, "store: conflict");
                Self::Conflict(
                    "the change conflicts with the stored record; read it again and retry".into(),
                )
            }
            StoreError::Unavailable(why) => Self::Unavailable(why),
            StoreError::Corrupt(why) => Self::Internal(format!("corrupt stored data: {why}")),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            Self::Internal(_) => tracing::error!(error = %self, "request failed"),
            Self::Unavailable(_) => tracing::warn!(error = %self, "request failed"),
            _ => tracing::debug!(error = %self, "request refused"),
        }
        let problem = self.problem();
        let body = match serde_json::to_vec(&problem) {
            Ok(body) => body,
            // Serialising a struct of strings and numbers cannot fail; answer something anyway.
            Err(_) => br#"{"type":"about:blank","title":"Internal error","status":500}"#.to_vec(),
        };
        let mut response = (self.status(), body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if self.status() == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Bearer realm="lantern""#),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use lantern_domain::Rule;

    use super::*;

    #[test]
    fn internal_text_never_reaches_the_problem() {
        for error in [
            AppError::Internal("SELECT * FROM users failed".into()),
            AppError::Unavailable("disk /var/lib full".into()),
            AppError::from(StoreError::Corrupt("row 7 of users".into())),
            AppError::from(StoreError::NotFound("user alice".into())),
            AppError::from(StoreError::Conflict(
                "UNIQUE constraint failed: files.id".into(),
            )),
        ] {
            let body = serde_json::to_string(&error.problem()).unwrap();
            for secret in ["SELECT", "/var/lib", "row 7", "alice", "UNIQUE"] {
                assert!(!body.contains(secret), "{body} leaks {secret}");
            }
        }
    }

    #[test]
    fn validation_problems_list_field_and_rule() {
        let mut errors = ValidationErrors::default();
        errors.push(
            "purposes[0].code",
            Rule::UnknownCode,
            "codes run from 001 to 182",
        );
        let problem = AppError::from(errors).problem();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.problem_type, "urn:lantern:problem:validation");
        let json = serde_json::to_value(&problem).unwrap();
        assert_eq!(json["errors"][0]["field"], "purposes[0].code");
        assert_eq!(json["errors"][0]["rule"], "unknown_code");
        assert!(json.get("line").is_none());
    }

    #[test]
    fn unauthenticated_answers_carry_a_challenge() {
        let response = AppError::Unauthenticated("log in").into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        assert!(response.headers().contains_key(header::WWW_AUTHENTICATE));
    }
}
