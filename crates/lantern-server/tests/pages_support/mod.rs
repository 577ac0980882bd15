//! The page tests' world (a seeded SQLite store behind the app), responses as text, and a small
//! structural HTML check.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed step is a failed test"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, Request, StatusCode, header};
use http_body_util::BodyExt;
use lantern_demo::{SeedOptions, SeedOutcome};
use lantern_domain::AgencyCode;
use lantern_log::CheckpointSigner;
use lantern_server::i18n::{Lang, message_ids};
use lantern_server::{AppState, LogKeys, ServerConfig, app};
use lantern_store::{AccessStore, FileQuery, Role, User};
use lantern_store_sqlite::SqliteStore;
use lantern_usage::{Ingestor, PseudonymKey};
use tempfile::TempDir;
use tower::ServiceExt;

/// The CSRF token of the staff sessions [`World::staff_session`] starts.
#[allow(
    dead_code,
    reason = "only the test binaries that start staff sessions use it"
)]
pub const STAFF_CSRF: &str = "ccccccccccccccccccccccccccccccccccccccccccc";

/// The demo world behind the app, plus one staff account with a real password hash.
pub struct World {
    _dir: TempDir,
    pub state: AppState,
    app: Router,
}

impl World {
    /// The password of the `tester` account (MOHW-NHIA officer).
    pub const PASSWORD: &'static str = "correct-horse-battery";

    pub async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("lantern.db")).unwrap();
        let now = time::OffsetDateTime::now_utc();
        let subject_key = PseudonymKey::from_bytes([9; 32]);
        let ingestor = Ingestor::new(Arc::new(store.clone()), subject_key.clone());
        // The demo accounts are not logged into here, so their hashes need not be real.
        let options = SeedOptions {
            password_hasher: &|password| Ok(format!("not-a-hash:{password}")),
            ingestor: &ingestor,
            usage_events: 2_000,
        };
        let outcome = lantern_demo::seed(&store, now, &options).await.unwrap();
        assert!(matches!(outcome, SeedOutcome::Seeded(_)));
        store
            .create_user(&User {
                username: "tester".into(),
                display_name: "測試承辦人".into(),
                agency: AgencyCode::parse("MOHW-NHIA").unwrap(),
                role: Role::Officer,
                password_hash: lantern_server::auth::hash_password(Self::PASSWORD).unwrap(),
                created_at: now,
            })
            .await
            .unwrap();
        let config = ServerConfig {
            demo: true,
            secure_cookies: false,
            ..ServerConfig::default()
        };
        let keys = LogKeys {
            signer: CheckpointSigner::from_seed("test.lantern.example/log", [7; 32]).unwrap(),
            subject_key,
            seal_key: lantern_usage::SealKey::from_bytes([11; 32]),
            vendor_code_key: lantern_usage::VendorCodeKey::from_bytes([13; 32]),
        };
        let state = AppState::new(Arc::new(store), config, keys).await.unwrap();
        Self {
            _dir: dir,
            app: app(state.clone()),
            state,
        }
    }

    /// How many files the store finds for `query`.
    pub async fn count(&self, query: FileQuery) -> u64 {
        self.state
            .store
            .search_files(&FileQuery { limit: 1, ..query })
            .await
            .unwrap()
            .total
    }

    pub async fn get(&self, uri: &str) -> Page {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    /// Starts a staff session of a new officer account `username` of `agency` (no password
    /// login needed) with the CSRF token [`STAFF_CSRF`]; returns the cookie header value.
    #[allow(
        dead_code,
        reason = "only the test binaries that start staff sessions use it"
    )]
    pub async fn staff_session(&self, username: &str, agency: &str) -> String {
        let now = time::OffsetDateTime::now_utc();
        let store = &self.state.store;
        store
            .create_user(&User {
                username: username.into(),
                display_name: "承辦人".into(),
                agency: AgencyCode::parse(agency).unwrap(),
                role: Role::Officer,
                password_hash: "not-used".into(),
                created_at: now,
            })
            .await
            .unwrap();
        // 43 URL-safe base64 characters, the shape of a session secret, different per account.
        let secret = format!("{}{}A", &username[..1], "t".repeat(41));
        store
            .create_session(&lantern_store::Session {
                id_hash: <sha2::Sha256 as sha2::Digest>::digest(&secret).into(),
                username: username.into(),
                csrf_token: STAFF_CSRF.to_owned(),
                created_at: now,
                expires_at: now + time::Duration::hours(1),
            })
            .await
            .unwrap();
        format!("lantern_session={secret}")
    }

    pub async fn get_with_cookie(&self, uri: &str, cookie: &str) -> Page {
        self.send(
            Request::get(uri)
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    pub async fn post(&self, uri: &str, form: &str, cookie: Option<&str>) -> Page {
        let mut request =
            Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::from(form.to_owned())).unwrap())
            .await
    }

    pub async fn send(&self, request: Request<Body>) -> Page {
        let uri = request.uri().to_string();
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Page {
            uri,
            status,
            headers,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }
}

/// A response, body as text.
pub struct Page {
    pub uri: String,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    #[track_caller]
    pub fn assert_status(&self, status: StatusCode) {
        assert_eq!(self.status, status, "{}: {}", self.uri, self.body);
    }

    #[track_caller]
    pub fn assert_contains(&self, needles: &[&str]) {
        for needle in needles {
            assert!(
                self.body.contains(needle),
                "{} lacks {needle:?}:\n{}",
                self.uri,
                self.body
            );
        }
    }

    #[track_caller]
    pub fn header(&self, name: &HeaderName) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("{}: no {name} header", self.uri))
            .to_str()
            .unwrap()
    }

    /// The value a `Set-Cookie` header gives cookie `name`.
    #[track_caller]
    pub fn cookie(&self, name: &str) -> String {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| {
                v.strip_prefix(&format!("{name}="))
                    .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
            })
            .unwrap_or_else(|| panic!("{}: no cookie {name}", self.uri))
    }

    /// The value of the hidden input `name`.
    #[track_caller]
    pub fn hidden_value(&self, name: &str) -> String {
        let marker = format!(r#"<input type="hidden" name="{name}" value=""#);
        let rest = self
            .body
            .split(&marker)
            .nth(1)
            .unwrap_or_else(|| panic!("{}: no hidden {name}", self.uri));
        rest.split('"').next().unwrap().to_owned()
    }
}

/// Elements that never have a closing tag.
const VOID: [&str; 6] = ["meta", "link", "input", "br", "img", "hr"];

/// One tag of a page.
struct Tag {
    name: String,
    closing: bool,
    attributes: BTreeMap<String, String>,
}

/// Checks what every page must satisfy: one `<html lang>`, `<main>` and `<h1>`; balanced
/// tags; unique ids; every visible form control labelled; every in-page link pointing at an
/// id that exists; and no message id shown in place of a missing translation.
#[track_caller]
pub fn assert_well_formed(page: &Page) {
    let html = &page.body;
    let uri = &page.uri;
    assert!(html.starts_with("<!DOCTYPE html>"), "{uri}: no doctype");
    let tags = tags(html);
    let count = |name: &str| tags.iter().filter(|t| t.name == name && !t.closing).count();
    assert_eq!(count("html"), 1, "{uri}");
    assert_eq!(count("main"), 1, "{uri}");
    assert_eq!(count("h1"), 1, "{uri}: one h1");
    assert!(
        tags[0]
            .attributes
            .get("lang")
            .is_some_and(|l| !l.is_empty()),
        "{uri}: <html> has no lang"
    );

    let mut stack: Vec<&str> = Vec::new();
    for tag in &tags {
        if VOID.contains(&tag.name.as_str()) {
            continue;
        }
        if tag.closing {
            let open = stack.pop();
            assert_eq!(
                open,
                Some(tag.name.as_str()),
                "{uri}: </{}> closes {open:?}",
                tag.name
            );
        } else {
            stack.push(&tag.name);
        }
    }
    assert!(stack.is_empty(), "{uri}: unclosed {stack:?}");

    let mut ids = BTreeSet::new();
    for id in tags.iter().filter_map(|t| t.attributes.get("id")) {
        assert!(ids.insert(id.as_str()), "{uri}: duplicate id {id}");
    }
    let labelled: BTreeSet<&str> = tags
        .iter()
        .filter(|t| t.name == "label")
        .filter_map(|t| t.attributes.get("for").map(String::as_str))
        .collect();
    for control in tags
        .iter()
        .filter(|t| matches!(t.name.as_str(), "input" | "select" | "textarea") && !t.closing)
    {
        if control
            .attributes
            .get("type")
            .is_some_and(|t| t == "hidden")
        {
            continue;
        }
        let id = control
            .attributes
            .get("id")
            .unwrap_or_else(|| panic!("{uri}: a <{}> without id", control.name));
        assert!(
            labelled.contains(id.as_str()),
            "{uri}: <{} id={id}> has no <label>",
            control.name
        );
    }
    for tag in &tags {
        for attribute in ["aria-describedby", "aria-labelledby"] {
            for target in tag
                .attributes
                .get(attribute)
                .into_iter()
                .flat_map(|v| v.split_whitespace())
            {
                assert!(
                    ids.contains(target),
                    "{uri}: {attribute} names missing id {target}"
                );
            }
        }
        if let Some(fragment) = tag.attributes.get("href").and_then(|h| h.strip_prefix('#')) {
            assert!(ids.contains(fragment), "{uri}: link to missing #{fragment}");
        }
    }

    let known: BTreeSet<&str> = Lang::ALL.iter().flat_map(|l| message_ids(*l)).collect();
    for text in html
        .split('>')
        .filter_map(|chunk| chunk.split('<').next())
        .map(str::trim)
    {
        assert!(
            !known.contains(text),
            "{uri}: message id {text:?} shown instead of its text"
        );
    }
}

fn tags(html: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let end = rest.find('>').expect("unterminated tag");
        let inner = &rest[..end];
        rest = &rest[end + 1..];
        if inner.starts_with('!') {
            continue;
        }
        let closing = inner.starts_with('/');
        let inner = inner.trim_start_matches('/');
        let name_end = inner
            .find(|c: char| c.is_whitespace())
            .unwrap_or(inner.len());
        let name = inner[..name_end].to_ascii_lowercase();
        out.push(Tag {
            name,
            closing,
            attributes: attributes(&inner[name_end..]),
        });
    }
    out
}

fn attributes(mut raw: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    loop {
        raw = raw.trim_start();
        if raw.is_empty() {
            return out;
        }
        let name_end = raw
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(raw.len());
        let name = raw[..name_end].to_ascii_lowercase();
        raw = &raw[name_end..];
        if let Some(after) = raw.strip_prefix("=\"") {
            let close = after.find('"').expect("unterminated attribute");
            out.insert(name, after[..close].to_owned());
            raw = &after[close + 1..];
        } else {
            out.insert(name, String::new());
        }
    }
}
