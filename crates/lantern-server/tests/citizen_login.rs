//! Citizens' login through OpenID Connect, end to end over real loopback HTTP against a
//! stand-in provider; citizen sessions kept apart from staff sessions; the demo login only in
//! demo mode.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a failed step is a failed test"
)]

mod oidc_support;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use lantern_domain::{AgencyCode, SubjectId};
use lantern_log::CheckpointSigner;
use lantern_server::auth::{CITIZEN_COOKIE, CitizenSession, SESSION_COOKIE};
use lantern_server::{AppState, LogKeys, ServerConfig, app};
use lantern_store::{CitizenSession as StoredCitizenSession, Role, Session, User};
use lantern_store_sqlite::SqliteStore;
use lantern_usage::PseudonymKey;
use oidc_support::{
    Behaviour, Lantern, Provider, VALID_ID, client, cookie_value, location, set_cookie,
};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// What a login attempt came to at the callback.
struct Callback {
    response: reqwest::Response,
    body_status: u16,
}

/// Starts a login at Lantern, lets the provider answer, and returns the callback's response
/// (not followed), after `bend` may change the callback URL.
async fn login_until_callback(lantern: &Lantern, bend: impl FnOnce(String) -> String) -> Callback {
    let http = client();
    let start = http
        .get(format!("{}/me/login", lantern.base))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 303, "{start:?}");
    let flow = set_cookie(&start, "lantern_oidc").expect("flow cookie");
    assert!(
        flow.contains("HttpOnly") && flow.contains("SameSite=Lax"),
        "{flow}"
    );
    let authorize = location(&start);
    let provider = http.get(&authorize).send().await.unwrap();
    assert!(provider.status().is_redirection(), "{provider:?}");
    let back = bend(location(&provider));
    assert!(
        back.starts_with(&format!("{}/me/callback?", lantern.base)),
        "{back}"
    );
    let response = http
        .get(&back)
        .header(
            reqwest::header::COOKIE,
            format!("lantern_oidc={}", cookie_value(&flow)),
        )
        .send()
        .await
        .unwrap();
    let body_status = response.status().as_u16();
    Callback {
        response,
        body_status,
    }
}

async fn get_me(lantern: &Lantern, cookie: &str) -> reqwest::Response {
    client()
        .get(format!("{}/me?lang=en", lantern.base))
        .header(reqwest::header::COOKIE, cookie)
        .send()
        .await
        .unwrap()
}

fn csrf_of(body: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = body.find(marker).expect("a csrf field") + marker.len();
    body[start..start + 43].to_owned()
}

#[tokio::test]
async fn a_citizen_logs_in_sees_their_page_and_logs_out() {
    let provider = Provider::start().await;
    let lantern = Lantern::start(&provider).await;

    let callback = login_until_callback(&lantern, |url| url).await;
    assert_eq!(callback.body_status, 303);
    assert_eq!(location(&callback.response), "/me");
    let session = set_cookie(&callback.response, CITIZEN_COOKIE).expect("session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=3600"] {
        assert!(session.contains(attribute), "{session} lacks {attribute}");
    }
    assert!(
        !session.contains("Secure"),
        "plain HTTP on loopback: {session}"
    );
    let cookie = format!("{CITIZEN_COOKIE}={}", cookie_value(&session));

    // The session holds the pseudonym, never the number.
    let secret = cookie_value(&session);
    let stored = lantern
        .state
        .store
        .citizen_session(&Sha256::digest(&secret).into(), OffsetDateTime::now_utc())
        .await
        .unwrap()
        .expect("stored session");
    let expected =
        PseudonymKey::from_bytes([9; 32]).pseudonymise(&SubjectId::parse(VALID_ID).unwrap());
    assert_eq!(stored.subject, expected);

    let me = get_me(&lantern, &cookie).await;
    assert_eq!(me.status(), 200);
    let body = me.text().await.unwrap();
    assert!(body.contains("My data footprint"), "{body}");
    assert!(!body.contains(VALID_ID), "the raw number is never shown");
    let csrf = csrf_of(&body);

    // Logging out without the form's token changes nothing.
    let refused = client()
        .post(format!("{}/me/logout", lantern.base))
        .header(reqwest::header::COOKIE, &cookie)
        .form(&[("csrf", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    assert_eq!(get_me(&lantern, &cookie).await.status(), 200);

    let out = client()
        .post(format!("{}/me/logout", lantern.base))
        .header(reqwest::header::COOKIE, &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    let cleared = set_cookie(&out, CITIZEN_COOKIE).expect("cleared cookie");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");

    let after = get_me(&lantern, &cookie).await;
    assert_eq!(after.status(), 303);
    assert_eq!(location(&after), "/me/login");
}

/// Asserts a failed callback: an error page saying `message`, and no session.
async fn assert_refused(callback: Callback, message: &str) {
    assert_eq!(callback.body_status, 400);
    assert!(set_cookie(&callback.response, CITIZEN_COOKIE).is_none());
    let body = callback.response.text().await.unwrap();
    assert!(body.contains(message), "{body}");
}

#[tokio::test]
async fn a_wrong_state_starts_no_session() {
    let provider = Provider::start().await;
    let lantern = Lantern::start(&provider).await;
    let callback = login_until_callback(&lantern, |url| {
        let (head, _) = url.split_once("&state=").unwrap();
        format!("{head}&state=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    })
    .await;
    assert_refused(callback, "這次登入不是從這個瀏覽器開始").await;
}

#[tokio::test]
async fn a_wrong_nonce_starts_no_session() {
    let provider = Provider::start().await;
    let lantern = Lantern::start(&provider).await;
    provider.set(Behaviour {
        nonce: Some("a-nonce-from-another-login".into()),
        ..Behaviour::default()
    });
    let callback = login_until_callback(&lantern, |url| url).await;
    assert_refused(callback, "無法驗證身分驗證服務的回應").await;
}

#[tokio::test]
async fn a_token_signed_by_another_key_starts_no_session() {
    let provider = Provider::start().await;
    let lantern = Lantern::start(&provider).await;
    provider.set(Behaviour {
        foreign_key: true,
        ..Behaviour::default()
    });
    let callback = login_until_callback(&lantern, |url| url).await;
    assert_refused(callback, "無法驗證身分驗證服務的回應").await;
}

#[tokio::test]
async fn an_invalid_national_id_starts_no_session() {
    let provider = Provider::start().await;
    let lantern = Lantern::start(&provider).await;
    for claim in [Some("A123456788"), Some("not an id"), None] {
        provider.set(Behaviour {
            national_id: claim.map(str::to_owned),
            ..Behaviour::default()
        });
        let callback = login_until_callback(&lantern, |url| url).await;
        let message = if claim.is_some() {
            "沒有提供有效的身分證統一編號"
        } else {
            "無法驗證身分驗證服務的回應"
        };
        assert_refused(callback, message).await;
    }
}

#[tokio::test]
async fn a_callback_without_its_flow_cookie_starts_no_session() {
    let provider = Provider::start().await;
    let lantern = Lantern::start(&provider).await;
    let response = client()
        .get(format!("{}/me/callback?code=x&state=y", lantern.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(set_cookie(&response, CITIZEN_COOKIE).is_none());
}

#[tokio::test]
async fn forged_and_expired_cookies_lead_to_the_login() {
    let provider = Provider::start().await;
    let lantern = Lantern::start(&provider).await;
    let forged = secret(0xA);
    let expired_secret = secret(0xB);
    let now = OffsetDateTime::now_utc();
    lantern
        .state
        .store
        .create_citizen_session(&StoredCitizenSession {
            id_hash: Sha256::digest(&expired_secret).into(),
            subject: lantern_log::SubjectPseudonym::from_bytes([1; 32]),
            sealed_subject: Vec::new(),
            csrf_token: "x".into(),
            created_at: now - Duration::hours(2),
            expires_at: now - Duration::minutes(1),
        })
        .await
        .unwrap();
    for secret in [forged.as_str(), expired_secret.as_str(), "short"] {
        let response = get_me(&lantern, &format!("{CITIZEN_COOKIE}={secret}")).await;
        assert_eq!(response.status(), 303, "{secret}");
        assert_eq!(location(&response), "/me/login");
    }
}

/// A world with one staff session and one citizen session, both with known secrets.
struct TwoSessions {
    state: AppState,
    staff_secret: String,
    citizen_secret: String,
    _dir: tempfile::TempDir,
}

async fn two_sessions(demo: bool) -> TwoSessions {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("lantern.db")).unwrap();
    lantern_store_tests::fixtures::seed_agencies(&store).await;
    let now = OffsetDateTime::now_utc();
    let state = AppState::new(
        Arc::new(store),
        ServerConfig {
            demo,
            ..ServerConfig::default()
        },
        LogKeys {
            signer: CheckpointSigner::from_seed("test.lantern.example/log", [7; 32]).unwrap(),
            subject_key: PseudonymKey::from_bytes([9; 32]),
            seal_key: lantern_usage::SealKey::from_bytes([11; 32]),
            vendor_code_key: lantern_usage::VendorCodeKey::from_bytes([13; 32]),
        },
    )
    .await
    .unwrap();
    state
        .store
        .create_user(&User {
            username: "tester".into(),
            display_name: "Tester".into(),
            agency: AgencyCode::parse("MOHW-NHIA").unwrap(),
            role: Role::Officer,
            password_hash: "not-a-hash".into(),
            created_at: now,
        })
        .await
        .unwrap();
    let (staff_secret, citizen_secret) = (secret(0x5), secret(0xC));
    state
        .store
        .create_session(&Session {
            id_hash: Sha256::digest(&staff_secret).into(),
            username: "tester".into(),
            csrf_token: "staff-csrf".into(),
            created_at: now,
            expires_at: now + Duration::hours(1),
        })
        .await
        .unwrap();
    state
        .store
        .create_citizen_session(&StoredCitizenSession {
            id_hash: Sha256::digest(&citizen_secret).into(),
            subject: lantern_log::SubjectPseudonym::from_bytes([3; 32]),
            sealed_subject: Vec::new(),
            csrf_token: "citizen-csrf".into(),
            created_at: now,
            expires_at: now + Duration::hours(1),
        })
        .await
        .unwrap();
    TwoSessions {
        state,
        staff_secret,
        citizen_secret,
        _dir: dir,
    }
}

/// The app plus probe routes that use the `CitizenSession` extractor as the API and pages will.
fn probe_app(state: AppState) -> Router {
    async fn probe(session: CitizenSession) -> String {
        session.subject.to_hex()
    }
    Router::new()
        .route("/api/v1/me/probe", get(probe).post(probe))
        .route("/me/probe", get(probe))
        .with_state(state.clone())
        .merge(app(state))
}

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

#[tokio::test]
async fn staff_and_citizen_sessions_do_not_pass_for_each_other() {
    let world = two_sessions(false).await;
    let base = serve(probe_app(world.state.clone())).await;
    let http = client();
    let get = |path: &str, cookie: String| {
        http.get(format!("{base}{path}"))
            .header(reqwest::header::COOKIE, cookie)
            .send()
    };

    // Each cookie works where it belongs.
    let citizen = get(
        "/api/v1/me/probe",
        format!("{CITIZEN_COOKIE}={}", world.citizen_secret),
    )
    .await
    .unwrap();
    assert_eq!(citizen.status(), 200);
    assert_eq!(citizen.text().await.unwrap(), hex32(3));
    let staff = get("/staff", format!("{SESSION_COOKIE}={}", world.staff_secret))
        .await
        .unwrap();
    assert_eq!(staff.status(), 200);

    // A staff session is no citizen session, under either cookie name.
    for cookie in [
        format!("{SESSION_COOKIE}={}", world.staff_secret),
        format!("{CITIZEN_COOKIE}={}", world.staff_secret),
    ] {
        let api = get("/api/v1/me/probe", cookie.clone()).await.unwrap();
        assert_eq!(api.status(), 401);
        assert_eq!(
            api.headers()[reqwest::header::CONTENT_TYPE],
            "application/problem+json"
        );
        let page = get("/me/probe", cookie.clone()).await.unwrap();
        assert_eq!(page.status(), 303);
        assert_eq!(location(&page), "/me/login");
        assert_eq!(location(&get("/me", cookie).await.unwrap()), "/me/login");
    }
    // A citizen session is no staff session, under either cookie name.
    for cookie in [
        format!("{CITIZEN_COOKIE}={}", world.citizen_secret),
        format!("{SESSION_COOKIE}={}", world.citizen_secret),
    ] {
        let page = get("/staff", cookie.clone()).await.unwrap();
        assert_eq!(page.status(), 303, "{cookie}");
        assert_eq!(location(&page), "/staff/login");
        let api = http
            .get(format!("{base}/api/v1/session"))
            .header(reqwest::header::COOKIE, cookie)
            .send()
            .await
            .unwrap();
        assert_ne!(api.status(), 200);
    }

    // A change through the API with the citizen cookie needs the session's CSRF token.
    let post = |csrf: Option<&str>| {
        let mut request = http.post(format!("{base}/api/v1/me/probe")).header(
            reqwest::header::COOKIE,
            format!("{CITIZEN_COOKIE}={}", world.citizen_secret),
        );
        if let Some(csrf) = csrf {
            request = request.header("x-csrf-token", csrf);
        }
        request.send()
    };
    assert_eq!(post(None).await.unwrap().status(), 403);
    assert_eq!(post(Some("citizen-csrf")).await.unwrap().status(), 200);
}

/// A well-shaped session secret: 32 bytes as unpadded base64url.
fn secret(byte: u8) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([byte; 32])
}

fn hex32(byte: u8) -> String {
    format!("{byte:02x}").repeat(32)
}

#[tokio::test]
async fn the_demo_login_exists_only_in_demo_mode() {
    let production = two_sessions(false).await;
    let base = serve(app(production.state.clone())).await;
    let http = client();
    let form = http
        .get(format!("{base}/me/demo-login"))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 404);
    let post = http
        .post(format!("{base}/me/demo-login"))
        .form(&[("csrf", "x"), ("citizen", "0")])
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 404);
    assert!(set_cookie(&post, CITIZEN_COOKIE).is_none());
    // Without a provider and outside demo mode, citizen login does not exist.
    let login = http.get(format!("{base}/me/login")).send().await.unwrap();
    assert_eq!(login.status(), 404);
}

#[tokio::test]
async fn a_demo_citizen_logs_in_in_demo_mode() {
    let demo = two_sessions(true).await;
    let base = serve(app(demo.state.clone())).await;
    let http = client();
    let login = http.get(format!("{base}/me/login")).send().await.unwrap();
    assert_eq!(location(&login), "/me/demo-login");

    let form = http
        .get(format!("{base}/me/demo-login?lang=en"))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 200);
    let csrf_cookie = set_cookie(&form, "lantern_demo_csrf").expect("form cookie");
    let body = form.text().await.unwrap();
    let citizens = lantern_demo::demo_citizens();
    let first = &citizens[0];
    let id = first.id.expose();
    let masked = format!("{}****{}", &id[..3], &id[7..]);
    assert!(body.contains(&masked), "{body}");
    assert!(body.contains(&first.name_en), "{body}");
    assert!(!body.contains(id), "the full number is not shown");
    let csrf = csrf_of(&body);

    // Without the form's cookie (a foreign site's form), nobody is logged in.
    let forged = http
        .post(format!("{base}/me/demo-login"))
        .form(&[("csrf", csrf.as_str()), ("citizen", "0")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    assert!(set_cookie(&forged, CITIZEN_COOKIE).is_none());

    let done = http
        .post(format!("{base}/me/demo-login"))
        .header(
            reqwest::header::COOKIE,
            format!("lantern_demo_csrf={}", cookie_value(&csrf_cookie)),
        )
        .form(&[("csrf", csrf.as_str()), ("citizen", "0")])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    assert_eq!(location(&done), "/me");
    let session = cookie_value(&set_cookie(&done, CITIZEN_COOKIE).expect("session"));
    let stored = demo
        .state
        .store
        .citizen_session(&Sha256::digest(&session).into(), OffsetDateTime::now_utc())
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(
        stored.subject,
        PseudonymKey::from_bytes([9; 32]).pseudonymise(&first.id)
    );
    let me = http
        .get(format!("{base}/me?lang=en"))
        .header(
            reqwest::header::COOKIE,
            format!("{CITIZEN_COOKIE}={session}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
}
