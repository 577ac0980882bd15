//! What every page knows about its request: the reader's language, the address it was asked
//! for, whether this is a demo, and the layout's view-model ([`Chrome`]) built from them.

use std::convert::Infallible;

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::Response;

use crate::i18n::{LANG_COOKIE, Lang, Tr};
use crate::pages::assets;
use crate::pages::error_page::{PageError, error_page};
use crate::{AppState, ServerConfig};

/// How long the language cookie lasts: a year, in seconds.
const LANG_COOKIE_MAX_AGE: u32 = 365 * 24 * 60 * 60;

/// The part of the site a page belongs to, for the navigation's `aria-current`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nav {
    /// The start page.
    Home,
    /// The register of files and the file pages.
    Files,
    /// The agency pages.
    Agencies,
    /// The coverage of the usage log.
    Coverage,
    /// Staff pages.
    Staff,
    /// The citizen's own pages.
    Me,
    /// Services and their notices.
    Services,
    /// Transparency reports.
    Reports,
    /// Pages outside the navigation (errors).
    None,
}

/// The request as a page handler sees it. Never fails to extract.
#[derive(Debug, Clone)]
pub(crate) struct PageCtx {
    /// The reader's language.
    pub(crate) lang: Lang,
    /// A valid `?lang=` that differs from the cookie: the response sets the cookie.
    remember: Option<Lang>,
    /// The address asked for.
    uri: Uri,
    /// Demo mode: every page carries the synthetic-data banner.
    demo: bool,
    /// Cookies are marked `Secure`.
    secure_cookies: bool,
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(Self::new(&parts.uri, &parts.headers, &state.config))
    }
}

impl PageCtx {
    /// Reads the language from `?lang=` and the cookie.
    pub(crate) fn new(uri: &Uri, headers: &HeaderMap, config: &ServerConfig) -> Self {
        let lang = request_lang(uri, headers);
        Self {
            lang: lang.chosen,
            remember: lang.remember,
            uri: uri.clone(),
            demo: config.demo,
            secure_cookies: config.secure_cookies,
        }
    }

    /// The response for a handler's result: the page, or the error page in the reader's
    /// language; either way remembering a language chosen with `?lang=`.
    pub(crate) fn respond(&self, result: Result<Response, PageError>) -> Response {
        let mut response = match result {
            Ok(response) => response,
            Err(error) => error_page(self, error),
        };
        if let Some(lang) = self.remember {
            let secure = if self.secure_cookies { "; Secure" } else { "" };
            let cookie = format!(
                "{LANG_COOKIE}={}; Path=/; Max-Age={LANG_COOKIE_MAX_AGE}; SameSite=Lax; HttpOnly{secure}",
                lang.code()
            );
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
        }
        response
    }

    /// The request's query parameters, decoded.
    pub(crate) fn query(&self) -> Vec<(String, String)> {
        query_pairs(&self.uri)
    }

    /// The request's raw query string, empty when there is none.
    pub(crate) fn uri_query(&self) -> &str {
        self.uri.query().unwrap_or_default()
    }

    /// Whether cookies this response sets must be marked `Secure`.
    pub(crate) const fn secure_cookies(&self) -> bool {
        self.secure_cookies
    }

    /// The translator for the reader's language.
    pub(crate) const fn tr(&self) -> Tr {
        Tr::new(self.lang)
    }

    /// The layout's view-model for a page titled `title`.
    pub(crate) fn chrome(&self, nav: Nav, title: &str) -> Chrome {
        let tr = self.tr();
        let other = self.lang.other();
        let mut pairs: Vec<(String, String)> = query_pairs(&self.uri)
            .into_iter()
            .filter(|(name, _)| name != "lang")
            .collect();
        pairs.push(("lang".to_owned(), other.code().to_owned()));
        let borrowed: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        Chrome {
            html_lang: self.lang.html_lang(),
            title: tr.with("page-title", &[("page", title.into())]),
            switch_href: href(self.uri.path(), &borrowed),
            switch_label: Tr::new(other).get("lang-switch-label"),
            switch_html_lang: other.html_lang(),
            demo: self.demo,
            css_href: assets::css_href(),
            nav,
        }
    }
}

/// The language a request resolves to, and whether `?lang=` asked to remember a new choice.
struct RequestLang {
    /// The language to render in.
    chosen: Lang,
    /// A valid `?lang=` that differs from the cookie: the response should set the cookie.
    remember: Option<Lang>,
}

/// Resolves the language of a request (see [`crate::i18n`] for the rule).
fn request_lang(uri: &Uri, headers: &HeaderMap) -> RequestLang {
    let pairs = query_pairs(uri);
    let asked = pairs
        .iter()
        .find(|(name, _)| name == "lang")
        .map(|(_, value)| value.as_str());
    let cookie = cookie(headers, LANG_COOKIE);
    let remembered = cookie.and_then(Lang::parse);
    RequestLang {
        chosen: Lang::choose(asked, cookie),
        remember: asked
            .and_then(Lang::parse)
            .filter(|lang| Some(*lang) != remembered),
    }
}

/// The layout's view-model: everything `base.html` shows around a page.
#[derive(Debug, Clone)]
pub(crate) struct Chrome {
    /// `<html lang>`.
    pub(crate) html_lang: &'static str,
    /// `<title>`: the page's title and the site name.
    pub(crate) title: String,
    /// This page in the other language.
    pub(crate) switch_href: String,
    /// The other language's name, written in that language.
    pub(crate) switch_label: String,
    /// `lang` of the switch link.
    pub(crate) switch_html_lang: &'static str,
    /// Show the synthetic-data banner.
    pub(crate) demo: bool,
    /// The stylesheet's address, with a content hash so it can be cached for a year.
    pub(crate) css_href: &'static str,
    /// Which navigation item is current.
    nav: Nav,
}

impl Chrome {
    /// True when the navigation item `name` (`home`, `files`, `agencies`, `coverage`, `staff`, `me`, `services`, `reports`) is current.
    pub(crate) fn is_current(&self, name: &str) -> bool {
        let nav = match name {
            "home" => Nav::Home,
            "files" => Nav::Files,
            "agencies" => Nav::Agencies,
            "coverage" => Nav::Coverage,
            "staff" => Nav::Staff,
            "me" => Nav::Me,
            "services" => Nav::Services,
            "reports" => Nav::Reports,
            _ => return false,
        };
        self.nav == nav
    }
}

/// The query string's name-value pairs, decoded; empty when there is none.
pub(crate) fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    // `application/x-www-form-urlencoded` decoding is lossy and never fails for pairs.
    Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map(|Query(pairs)| pairs)
        .unwrap_or_default()
}

/// The value of cookie `name`, if the request carries it.
pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(key, value)| (key == name).then_some(value))
}

/// A same-site link: `path` with the non-empty `params` as a query string.
pub(crate) fn href(path: &str, params: &[(&str, &str)]) -> String {
    let mut out = path.to_owned();
    let mut separator = '?';
    for (name, value) in params.iter().filter(|(_, value)| !value.is_empty()) {
        out.push(separator);
        out.push_str(&percent_encode(name));
        out.push('=');
        out.push_str(&percent_encode(value));
        separator = '&';
    }
    out
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub(crate) fn percent_encode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn links_encode_and_skip_empty_values() {
        assert_eq!(
            href(
                "/files",
                &[("q", "健保 資料"), ("agency", ""), ("offset", "20")]
            ),
            "/files?q=%E5%81%A5%E4%BF%9D%20%E8%B3%87%E6%96%99&offset=20"
        );
        assert_eq!(href("/files", &[]), "/files");
    }

    #[test]
    fn query_beats_cookie_and_is_remembered_only_when_new() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=b; lang=en"));
        let uri: Uri = "/files?lang=zh-TW".parse().unwrap();
        let lang = request_lang(&uri, &headers);
        assert_eq!((lang.chosen, lang.remember), (Lang::ZhTw, Some(Lang::ZhTw)));
        let lang = request_lang(&"/files?lang=en".parse().unwrap(), &headers);
        assert_eq!((lang.chosen, lang.remember), (Lang::En, None));
        let lang = request_lang(&"/files".parse().unwrap(), &headers);
        assert_eq!((lang.chosen, lang.remember), (Lang::En, None));
    }

    #[test]
    fn the_switch_link_keeps_the_query() {
        let ctx = PageCtx::new(
            &"/files?q=x&lang=zh-TW&offset=20".parse().unwrap(),
            &HeaderMap::new(),
            &ServerConfig::default(),
        );
        assert_eq!(
            ctx.chrome(Nav::Files, "t").switch_href,
            "/files?q=x&offset=20&lang=en"
        );
    }
}
