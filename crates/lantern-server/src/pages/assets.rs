//! The stylesheet, compiled into the binary and served with a year-long cache lifetime. Its
//! address carries a hash of its content, so a changed stylesheet is a new address and no
//! reader keeps a stale one.

use std::sync::LazyLock;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Path the stylesheet is served at.
pub(crate) const CSS_PATH: &str = "/static/lantern.css";

const CSS: &str = include_str!("../../static/lantern.css");

static CSS_HREF: LazyLock<String> = LazyLock::new(|| {
    let digest = Sha256::digest(CSS.as_bytes());
    let short: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("{CSS_PATH}?v={short}")
});

/// The stylesheet's address with its content hash.
pub(crate) fn css_href() -> &'static str {
    &CSS_HREF
}

/// `GET /static/lantern.css`.
pub(crate) async fn stylesheet() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        CSS,
    )
        .into_response()
}
