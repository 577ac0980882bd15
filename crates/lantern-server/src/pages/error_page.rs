//! Errors of page handlers and the HTML error page that shows them in the site's layout.
//!
//! A handler returns [`PageError`] and [`super::context::PageCtx::respond`], which knows the
//! reader's language, renders the page. Internal error text is logged here and never shown.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use lantern_store::StoreError;

use crate::i18n::Tr;
use crate::pages::context::{Chrome, Nav, PageCtx};

/// Why a page cannot be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PageError {
    /// No such page or record: 404.
    NotFound,
    /// The request is malformed: 400 with the reasons, already in the reader's language.
    BadRequest(Vec<String>),
    /// The store could not be reached; the reader may try again: 503.
    Unavailable,
    /// A defect: 500, details only in the log.
    Internal,
}

impl PageError {
    fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<StoreError> for PageError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(_) => Self::NotFound,
            StoreError::Unavailable(_) => {
                tracing::warn!(%error, "store unavailable while rendering a page");
                Self::Unavailable
            }
            StoreError::Conflict(_) | StoreError::Corrupt(_) => {
                tracing::error!(%error, "store error while rendering a page");
                Self::Internal
            }
        }
    }
}

impl From<askama::Error> for PageError {
    fn from(error: askama::Error) -> Self {
        tracing::error!(%error, "template failed to render");
        Self::Internal
    }
}

/// Renders a page template as a 200 response.
///
/// # Errors
/// [`PageError::Internal`] when the template fails.
pub(crate) fn render(page: &impl Template) -> Result<Response, PageError> {
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    t: Tr,
    chrome: Chrome,
    heading: String,
    explanation: String,
    reasons: Vec<String>,
}

/// The error page for `status`, with `reasons` for a 400. Falls back to plain text if even the
/// error template fails.
pub(crate) fn error_response(ctx: &PageCtx, status: StatusCode, reasons: Vec<String>) -> Response {
    let t = ctx.tr();
    let key = match status {
        StatusCode::NOT_FOUND => "not-found",
        StatusCode::BAD_REQUEST => "bad-request",
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => "forbidden",
        StatusCode::METHOD_NOT_ALLOWED => "method-not-allowed",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        _ if status.is_client_error() => "bad-request",
        _ => "internal",
    };
    let heading = t.get(&format!("error-{key}-heading"));
    let page = ErrorTemplate {
        chrome: ctx.chrome(Nav::None, &heading),
        explanation: t.get(&format!("error-{key}-explanation")),
        heading,
        reasons,
        t,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "error page failed to render");
            (status, status.canonical_reason().unwrap_or("error")).into_response()
        }
    }
}

/// Replaces a page error's placeholder body with the error page.
pub(crate) fn error_page(ctx: &PageCtx, error: PageError) -> Response {
    let status = error.status();
    let reasons = match error {
        PageError::BadRequest(reasons) => reasons,
        PageError::NotFound | PageError::Unavailable | PageError::Internal => Vec::new(),
    };
    error_response(ctx, status, reasons)
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;
    use axum::http::HeaderMap;

    use super::*;
    use crate::ServerConfig;

    async fn page_for(error: StoreError) -> (StatusCode, String) {
        let ctx = PageCtx::new(
            &"/files".parse().unwrap(),
            &HeaderMap::new(),
            &ServerConfig::default(),
        );
        let response = error_page(&ctx, PageError::from(error));
        let status = response.status();
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn store_failures_never_show_their_details() {
        let (status, body) = page_for(StoreError::Unavailable(
            "connection to /srv/secret.db refused".into(),
        ))
        .await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            body.contains("暫時無法提供服務") && !body.contains("secret"),
            "{body}"
        );
        let (status, body) = page_for(StoreError::Corrupt("row 7 of files: bad json".into())).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            body.contains("系統發生錯誤") && !body.contains("bad json"),
            "{body}"
        );
    }

    #[test]
    fn every_status_has_its_words() {
        let ctx = PageCtx::new(
            &"/".parse().unwrap(),
            &HeaderMap::new(),
            &ServerConfig::default(),
        );
        for status in [400, 401, 403, 404, 405, 415, 500, 503] {
            let response = error_response(&ctx, StatusCode::from_u16(status).unwrap(), Vec::new());
            assert_eq!(response.status().as_u16(), status);
        }
        for key in [
            "not-found",
            "bad-request",
            "forbidden",
            "method-not-allowed",
            "unavailable",
            "internal",
        ] {
            for lang in crate::i18n::Lang::ALL {
                for part in ["heading", "explanation"] {
                    assert!(
                        crate::i18n::has_message(lang, &format!("error-{key}-{part}")),
                        "error-{key}-{part}"
                    );
                }
            }
        }
    }
}
