//! Extractors that answer every malformed request in the API's problem format, where axum's own
//! would answer plain text.

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use lantern_domain::{FieldError, Rule, ValidationErrors};
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use crate::error::AppError;

/// A request body kept as bytes and parsed as JSON only when the handler asks, so that the
/// handler can decide authentication and authorisation before looking at the content.
///
/// Extraction fails only for a body larger than [`super::MAX_BODY_BYTES`] (413) or one that
/// cannot be read (400).
#[derive(Debug)]
pub struct JsonBody {
    content_type: Option<HeaderValue>,
    bytes: Bytes,
}

impl JsonBody {
    /// Parses the body as a `T`.
    ///
    /// # Errors
    /// 415 unless the content type is JSON; 400 naming line and column for a syntax error; 422
    /// naming the field path when a value has the wrong type, a required field is missing, or
    /// an unknown field is present.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, AppError> {
        if !self.content_type.as_ref().is_some_and(is_json) {
            return Err(AppError::UnsupportedMediaType("application/json"));
        }
        let mut deserializer = serde_json::Deserializer::from_slice(&self.bytes);
        let value = serde_path_to_error::deserialize(&mut deserializer).map_err(json_error)?;
        deserializer.end().map_err(|error| syntax_error(&error))?;
        Ok(value)
    }
}

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request.headers().get(header::CONTENT_TYPE).cloned();
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge(super::MAX_BODY_BYTES)
                } else {
                    AppError::MalformedRequest("the request body could not be read".into())
                }
            })?;
        Ok(Self {
            content_type,
            bytes,
        })
    }
}

/// A JSON request body parsed as `T`, failing as [`JsonBody::parse`] does.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        JsonBody::from_request(request, state)
            .await?
            .parse()
            .map(Self)
    }
}

/// `application/json`, or any `application/…+json`, with or without parameters.
fn is_json(content_type: &HeaderValue) -> bool {
    let Ok(content_type) = content_type.to_str() else {
        return false;
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence.starts_with("application/") && essence.ends_with("+json")
}

fn json_error(error: serde_path_to_error::Error<serde_json::Error>) -> AppError {
    let path = error.path().to_string();
    let inner = error.into_inner();
    match inner.classify() {
        Category::Data => AppError::InvalidBody(ValidationErrors(vec![data_error(&path, &inner)])),
        Category::Syntax | Category::Eof | Category::Io => syntax_error(&inner),
    }
}

fn syntax_error(error: &serde_json::Error) -> AppError {
    AppError::MalformedJson {
        line: error.line(),
        column: error.column(),
        message: message_without_position(error),
    }
}

/// serde_json appends " at line L column C"; the problem carries those as numbers.
fn message_without_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    text.strip_suffix(&position).unwrap_or(&text).to_owned()
}

/// A value of the wrong type, a missing or an unknown field, as a field error. `path` is
/// serde_path_to_error's dotted path (`.` for the body itself); the field of a missing value is
/// its parent's path and its name.
fn data_error(path: &str, error: &serde_json::Error) -> FieldError {
    let message = message_without_position(error);
    let parent = if path == "." { "" } else { path };
    let child = |name: &str| {
        if parent.is_empty() {
            name.to_owned()
        } else {
            format!("{parent}.{name}")
        }
    };
    if let Some(name) = backticked_after(&message, "missing field `") {
        return FieldError::new(child(name), Rule::Required, "this field is required");
    }
    // For an unknown field the path already ends with the field's name.
    if let Some(name) = backticked_after(&message, "unknown field `") {
        return FieldError::new(
            parent,
            Rule::Format,
            message.replacen(&format!("unknown field `{name}`"), "unknown field", 1),
        );
    }
    FieldError::new(parent, Rule::Format, message)
}

/// The text between `prefix` and the next backtick, when `message` starts with `prefix`.
fn backticked_after<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    message
        .strip_prefix(prefix)?
        .split_once('`')
        .map(|(name, _)| name)
}

/// Query parameters deserialised into `T`.
///
/// # Errors
/// 400 naming the parameter when the query string cannot be deserialised (an unknown or
/// repeated parameter, a value of the wrong shape for `T`). Handlers check values further and
/// answer 422 naming the parameter.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(Self)
            .map_err(|error| {
                let parameter = match error.path().to_string() {
                    root if root == "." => String::new(),
                    path => format!(" `{path}`"),
                };
                let message = error.inner().to_string().replace("field", "parameter");
                AppError::MalformedRequest(format!("query parameter{parameter}: {message}"))
            })
    }
}

/// Path parameters deserialised into `T`; a segment that cannot be decoded is a 400 problem.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Self(value)),
            Err(PathRejection::FailedToDeserializePathParams(error)) => {
                Err(AppError::MalformedRequest(format!(
                    "the address is malformed: {}",
                    error.body_text()
                )))
            }
            Err(other) => Err(AppError::Internal(format!(
                "path extraction: {}",
                other.body_text()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use lantern_domain::FileSubmission;

    use super::*;

    fn body(content_type: &'static str, json: &str) -> JsonBody {
        JsonBody {
            content_type: Some(HeaderValue::from_static(content_type)),
            bytes: Bytes::from(json.to_owned()),
        }
    }

    fn field_error(json: &str) -> FieldError {
        match body("application/json", json).parse::<FileSubmission>() {
            Err(AppError::InvalidBody(errors)) => errors.0.into_iter().next().unwrap(),
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn content_types() {
        for good in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON",
            "application/problem+json",
        ] {
            assert!(is_json(&HeaderValue::from_static(good)), "{good}");
        }
        for bad in [
            "text/plain",
            "application/jsonx",
            "text/json",
            "application/x-www-form-urlencoded",
            "",
        ] {
            assert!(!is_json(&HeaderValue::from_static(bad)), "{bad}");
        }
        let missing = JsonBody {
            content_type: None,
            bytes: Bytes::from_static(b"{}"),
        };
        assert!(matches!(
            missing.parse::<FileSubmission>(),
            Err(AppError::UnsupportedMediaType(_))
        ));
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let error = body("application/json", "{\n  \"name_zh\": \"x\",\n  oops\n}")
            .parse::<FileSubmission>()
            .unwrap_err();
        let AppError::MalformedJson {
            line,
            column,
            message,
        } = error
        else {
            panic!("{error:?}")
        };
        assert_eq!((line, column), (3, 3));
        assert!(!message.contains("at line"), "{message}");
        assert!(matches!(
            body("application/json", "{} x").parse::<FileSubmission>(),
            Err(AppError::MalformedJson { .. })
        ));
        assert!(matches!(
            body("application/json", "").parse::<FileSubmission>(),
            Err(AppError::MalformedJson { .. })
        ));
    }

    #[test]
    fn data_errors_name_the_field() {
        let wrong_type = field_error(r#"{"large_database": {"record_count": "many"}}"#);
        assert_eq!(
            (wrong_type.field.as_str(), wrong_type.rule),
            ("large_database.record_count", Rule::Format)
        );
        let nested = field_error(r#"{"purposes": [{"code": "031"}, {"code": 31}]}"#);
        assert_eq!(nested.field, "purposes[1].code");
        let missing = field_error(r#"{"contact": {"phone": "02"}}"#);
        assert_eq!(
            (missing.field.as_str(), missing.rule),
            ("contact.unit", Rule::Required)
        );
        let unknown = field_error(r#"{"legal_basis": {"pdpa": [], "typo": 1}}"#);
        assert_eq!(
            (unknown.field.as_str(), unknown.rule),
            ("legal_basis.typo", Rule::Format)
        );
        let root = field_error(r#""a string""#);
        assert_eq!(root.field, "");
    }
}
