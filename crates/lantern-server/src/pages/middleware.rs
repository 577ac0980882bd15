//! The layer around every page: the headers every HTML page carries, and an error page in place
//! of any bare error that did not come from a page handler (a defect: handlers answer their own
//! errors through [`super::context::PageCtx::respond`]).

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::ServerConfig;
use crate::pages::context::PageCtx;
use crate::pages::error_page::error_response;

/// Pages load nothing but this site's stylesheet and its one script (the proof verifier, which
/// fetches proofs from this site only), submit forms only to this site and cannot be framed.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     script-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; \
     frame-ancestors 'none'";

/// Wraps every page route.
pub(crate) async fn page_layer(request: Request, next: Next) -> Response {
    let uri = request.uri().clone();
    let headers = request.headers().clone();
    let mut response = next.run(request).await;

    let status = response.status();
    let is_error = status.is_client_error() || status.is_server_error();
    let bare = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_none_or(|v| v.as_bytes().starts_with(b"text/plain"));
    if is_error && bare {
        // An extractor rejection or axum's own 405: there is no handler state here, so the
        // page goes without the demo banner.
        let ctx = PageCtx::new(&uri, &headers, &ServerConfig::default());
        let allow = response.headers().get(header::ALLOW).cloned();
        response = error_response(&ctx, status, Vec::new());
        if let Some(allow) = allow {
            response.headers_mut().insert(header::ALLOW, allow);
        }
    }

    let out = response.headers_mut();
    out.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    out.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if out
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"))
    {
        out.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
        // The language comes from a cookie, so caches must key on it.
        out.insert(header::VARY, HeaderValue::from_static("Cookie"));
        if !out.contains_key(header::CACHE_CONTROL) {
            out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        }
    }
    response
}
