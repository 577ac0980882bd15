//! The citizen's footprint pages end to end over loopback HTTP: the summary, the filtered
//! list, an event's page and its proof bundle (checked with the log library, and rejected once
//! tampered with), the exports; and that a citizen reaches only their own visible events.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a failed step is a failed test"
)]

use std::sync::Arc;

use lantern_log::{CheckpointSigner, CheckpointVerifier, ProofBundle, PurposeScope};
use lantern_server::{AppState, LogKeys, ServerConfig, app};
use lantern_store::{CitizenSession, Store};
use lantern_store_sqlite::SqliteStore;
use lantern_store_tests::fixtures::{self, Usage, append, at, seed_agencies, seed_files, usage};
use lantern_usage::PseudonymKey;
use sha2::{Digest, Sha256};
use time::macros::date;
use time::{Duration, OffsetDateTime};

/// A server whose log holds subject 1's events (one out of purpose, one withheld until 2099)
/// and subject 2's, and the cookies of both subjects' sessions.
struct World {
    base: String,
    state: AppState,
    /// Leaf indexes, in the order of [`events`].
    index: Vec<u64>,
    _dir: tempfile::TempDir,
}

/// The log's events: recent, so they fall in the last 12 months.
fn events() -> Vec<Usage> {
    let now = OffsetDateTime::now_utc() - Duration::days(10);
    let start = now - fixtures::T0;
    let when = |minutes: i64| at(start.whole_minutes() + minutes);
    vec![
        usage(1, 1, "nhi-claims", when(0)),
        Usage {
            action: lantern_log::Action::Disclose,
            records: 3,
            ..usage(2, 1, "nhi-claims", when(60))
        },
        usage(3, 1, "tax-returns", when(120)),
        Usage {
            action: lantern_log::Action::OutOfPurposeUse,
            purpose: "025",
            legal_basis: "PDPA-16-P5",
            scope: PurposeScope::OutOfPurpose,
            ..usage(4, 1, "household-registry", when(180))
        },
        Usage {
            confidential: Some(("GIDA-18-2", date!(2099 - 01 - 01))),
            ..usage(5, 1, "nhi-claims", when(240))
        },
        usage(6, 2, "nhi-claims", when(300)),
    ]
}

/// A session cookie for subject `n`.
async fn session(store: &dyn Store, n: u8) -> String {
    // 43 URL-safe base64 characters: 32 bytes, the shape of a session secret.
    let secret = format!("{}{}A", char::from(b'a' + n), "s".repeat(41));
    let now = OffsetDateTime::now_utc();
    store
        .create_citizen_session(&CitizenSession {
            id_hash: Sha256::digest(&secret).into(),
            subject: fixtures::subject(n),
            sealed_subject: Vec::new(),
            csrf_token: "c".repeat(43),
            created_at: now,
            expires_at: now + Duration::hours(1),
        })
        .await
        .unwrap();
    format!("lantern_citizen={secret}")
}

impl World {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("lantern.db")).unwrap();
        seed_agencies(&store).await;
        seed_files(&store).await;
        let receipt = append(&store, &events(), OffsetDateTime::now_utc()).await;
        let index = receipt.outcomes.iter().map(|o| o.index()).collect();
        let keys = LogKeys {
            signer: CheckpointSigner::from_seed("test.lantern.example/log", [7; 32]).unwrap(),
            subject_key: PseudonymKey::from_bytes([9; 32]),
            seal_key: lantern_usage::SealKey::from_bytes([11; 32]),
            vendor_code_key: lantern_usage::VendorCodeKey::from_bytes([13; 32]),
        };
        let config = ServerConfig {
            demo: false,
            secure_cookies: false,
            oidc: None,
        };
        let state = AppState::new(Arc::new(store), config, keys).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = app(state.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self {
            base,
            state,
            index,
            _dir: dir,
        }
    }

    async fn get(&self, path: &str, cookie: Option<&str>) -> reqwest::Response {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut request = client.get(format!("{}{path}", self.base));
        if let Some(cookie) = cookie {
            request = request.header(reqwest::header::COOKIE, cookie);
        }
        request.send().await.unwrap()
    }

    async fn page(&self, path: &str, cookie: &str) -> String {
        let response = self.get(path, Some(cookie)).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            response.headers()[reqwest::header::CACHE_CONTROL],
            "no-store",
            "{path}"
        );
        response.text().await.unwrap()
    }
}

#[tokio::test]
async fn the_summary_counts_the_last_year_and_names_what_is_withheld() {
    let world = World::start().await;
    let me = session(world.state.store.as_ref(), 1).await;
    let body = world.page("/me?lang=en", &me).await;
    assert!(
        body.contains("4 uses, involving 6 records, by 3 agencies."),
        "{body}"
    );
    assert!(
        body.contains("Uses outside the original purposes"),
        "{body}"
    );
    assert!(body.contains("PDPA Art. 16, proviso item 5"), "{body}");
    assert!(
        body.contains("GIDA-18-2") && body.contains("2099-01-01"),
        "{body}"
    );
    for chart in ["chart-month", "chart-agency", "chart-purpose"] {
        assert!(body.contains(&format!("id=\"{chart}\"")), "{chart}");
    }
    assert!(body.contains("<table>"), "a table alternative");

    let other = session(world.state.store.as_ref(), 2).await;
    let theirs = world.page("/me?lang=en", &other).await;
    assert!(
        theirs.contains("1 uses, involving 1 records, by 1 agencies."),
        "{theirs}"
    );
    assert!(!theirs.contains("GIDA-18-2"));
}

#[tokio::test]
async fn the_list_is_the_citizens_own_newest_first_and_filters() {
    let world = World::start().await;
    let me = session(world.state.store.as_ref(), 1).await;
    let body = world.page("/me/events", &me).await;
    let links: Vec<String> = world.index[..4]
        .iter()
        .rev()
        .map(|i| format!("href=\"/me/events/{i}\""))
        .collect();
    let positions: Vec<usize> = links
        .iter()
        .map(|l| {
            body.find(l.as_str())
                .unwrap_or_else(|| panic!("{l} in {body}"))
        })
        .collect();
    assert!(positions.is_sorted(), "newest first: {positions:?}");
    assert!(
        !body.contains(&format!("href=\"/me/events/{}\"", world.index[4])),
        "withheld"
    );
    assert!(
        !body.contains(&format!("href=\"/me/events/{}\"", world.index[5])),
        "another's"
    );
    assert!(body.contains("共 4 筆符合"), "{body}");
    assert!(body.contains("【特定目的外利用】"), "{body}");
    assert!(body.contains("提供"), "the disclosure's verb");

    let tax = world.page("/me/events?agency=MOF-TAX", &me).await;
    assert!(tax.contains("共 1 筆符合"), "{tax}");
    assert!(tax.contains(&format!("href=\"/me/events/{}\"", world.index[2])));

    let disclosed = world.page("/me/events?action=disclose&lang=en", &me).await;
    assert!(disclosed.contains("1 matching"), "{disclosed}");
    assert!(disclosed.contains("disclosed your"), "{disclosed}");

    let wrong = world.page("/me/events?from=14-03-2025&lang=en", &me).await;
    assert!(wrong.contains("error-summary"), "{wrong}");
    assert!(
        wrong.contains("From must be a date written YYYY-MM-DD"),
        "{wrong}"
    );
    assert!(
        wrong.contains("4 matching"),
        "a wrong field filters nothing"
    );
}

#[tokio::test]
async fn an_event_page_explains_it_and_its_proof_verifies() {
    let world = World::start().await;
    let me = session(world.state.store.as_ref(), 1).await;
    let oop = world.index[3];
    let body = world.page(&format!("/me/events/{oop}?lang=en"), &me).await;
    assert!(
        body.contains("href=\"/files/household-registry\""),
        "{body}"
    );
    assert!(body.contains("id=\"verify-in-browser\""));
    assert!(body.contains(&format!("data-bundle-url=\"/me/events/{oop}/proof.json\"")));
    let key = world.state.log.verifier_key().to_owned();
    assert!(body.contains(&key), "the log key is shown");

    let response = world
        .get(&format!("/me/events/{oop}/proof.json"), Some(&me))
        .await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()[reqwest::header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let bytes = response.bytes().await.unwrap();
    let bundle = ProofBundle::from_json(&bytes).unwrap();
    let verifier = CheckpointVerifier::from_verifier_key(&key).unwrap();
    let verified = bundle
        .verify(&verifier)
        .expect("the downloaded bundle verifies");
    assert_eq!(verified.leaf_index, oop);

    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let tampered = text.replacen("household-registry", "tax-returns", 1);
    assert_ne!(tampered, text);
    let rejected = ProofBundle::from_json(tampered.as_bytes())
        .map_err(|e| e.to_string())
        .and_then(|b| b.verify(&verifier).map_err(|e| e.to_string()));
    assert!(rejected.is_err(), "a tampered bundle is rejected");
}

#[tokio::test]
async fn a_citizen_reaches_only_their_own_visible_events() {
    let world = World::start().await;
    let me = session(world.state.store.as_ref(), 1).await;
    let other = session(world.state.store.as_ref(), 2).await;
    let (withheld, theirs) = (world.index[4], world.index[5]);
    for path in [
        format!("/me/events/{theirs}"),
        format!("/me/events/{theirs}/proof.json"),
        format!("/me/events/{withheld}"),
        format!("/me/events/{withheld}/proof.json"),
        "/me/events/999999".to_owned(),
        "/me/events/not-a-number".to_owned(),
    ] {
        let response = world.get(&path, Some(&me)).await;
        assert_eq!(response.status(), 404, "{path}");
    }
    assert_eq!(
        world
            .get(&format!("/me/events/{theirs}"), Some(&other))
            .await
            .status(),
        200
    );
    for path in [
        "/me",
        "/me/events",
        "/me/export.csv",
        "/me/export.json",
        "/me/events/0",
    ] {
        for cookie in [
            None,
            Some("lantern_session=ssssssssssssssssssssssssssssssssssssssssssA"),
        ] {
            let response = world.get(path, cookie).await;
            assert_eq!(response.status(), 303, "{path} {cookie:?}");
            assert_eq!(response.headers()[reqwest::header::LOCATION], "/me/login");
        }
    }
}

#[tokio::test]
async fn the_exports_hold_every_visible_event() {
    let world = World::start().await;
    let me = session(world.state.store.as_ref(), 1).await;
    let response = world.get("/me/export.csv", Some(&me)).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = response.text().await.unwrap();
    assert!(
        csv.starts_with('\u{feff}'),
        "a byte-order mark for spreadsheets"
    );
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(reader.headers().unwrap().get(0), Some("時間"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4);
    assert!(
        rows.iter().any(|r| r.get(8) == Some("是")),
        "one out of purpose"
    );

    let json: serde_json::Value = world
        .get("/me/export.json", Some(&me))
        .await
        .json()
        .await
        .unwrap();
    let listed = json["events"].as_array().unwrap();
    assert_eq!(listed.len(), 4);
    assert_eq!(listed[0]["event"]["id"], fixtures::event_id(4).as_str());
    assert_eq!(json["withheld"][0]["ground"], "GIDA-18-2");
    assert_eq!(json["withheld"][0]["events"], 1);
}
