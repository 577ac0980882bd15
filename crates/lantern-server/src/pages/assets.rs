//! The stylesheet and the proof verifier script, compiled into the binary and served with a
//! year-long cache lifetime. Their addresses carry a hash of their content, so a changed file
//! is a new address and no reader keeps a stale one.

use std::sync::LazyLock;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Path the stylesheet is served at.
pub(crate) const CSS_PATH: &str = "/static/lantern.css";

const CSS: &str = include_str!("../../static/lantern.css");

/// Path the proof verifier (`static/verify.js`, an ES module) is served at.
pub(crate) const VERIFY_JS_PATH: &str = "/static/verify.js";

const VERIFY_JS: &str = include_str!("../../static/verify.js");

static CSS_HREF: LazyLock<String> = LazyLock::new(|| versioned(CSS_PATH, CSS));

static VERIFY_JS_HREF: LazyLock<String> = LazyLock::new(|| versioned(VERIFY_JS_PATH, VERIFY_JS));

/// `path?v=<first 12 hex digits of SHA-256(content)>`.
fn versioned(path: &str, content: &str) -> String {
    let digest = Sha256::digest(content.as_bytes());
    let short: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("{path}?v={short}")
}

/// The verifier script's address with its content hash.
pub(crate) fn verify_js_href() -> &'static str {
    &VERIFY_JS_HREF
}

/// The stylesheet's address with its content hash.
pub(crate) fn css_href() -> &'static str {
    &CSS_HREF
}

/// `GET /static/lantern.css`.
pub(crate) async fn stylesheet() -> Response {
    immutable("text/css; charset=utf-8", CSS)
}

/// `GET /static/verify.js`.
pub(crate) async fn verifier_script() -> Response {
    immutable("text/javascript; charset=utf-8", VERIFY_JS)
}

fn immutable(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        body,
    )
        .into_response()
}
