//! A stand-in OpenID provider on 127.0.0.1 for the citizen-login tests, and a Lantern server
//! on a real loopback port that trusts it.
//!
//! The provider publishes discovery metadata and a JWKS with one P-256 key drawn for the test,
//! answers `/authorize` at once with a redirect carrying a code, and `/token` with an ES256 ID
//! token (signed with `jsonwebtoken`) holding the national-ID claim and the nonce it was given.
//! It checks the PKCE verifier against the challenge. What it signs can be bent per test
//! ([`Behaviour`]) to exercise the relying party's checks.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a failed step is a failed test"
)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use lantern_log::CheckpointSigner;
use lantern_server::auth::oidc::OidcSettings;
use lantern_server::{AppState, LogKeys, ServerConfig, app};
use lantern_store_sqlite::SqliteStore;
use lantern_usage::PseudonymKey;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use rand::RngCore;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tempfile::TempDir;

/// The client id Lantern is registered under.
pub const CLIENT_ID: &str = "lantern-test";

/// The client secret.
pub const CLIENT_SECRET: &str = "test-client-secret";

/// What the provider puts in the next ID tokens.
#[derive(Debug, Clone)]
pub struct Behaviour {
    /// The national-ID claim's value (`None`: no claim).
    pub national_id: Option<String>,
    /// Sign with a key the JWKS does not publish.
    pub foreign_key: bool,
    /// Put this nonce in the token instead of the one the login sent.
    pub nonce: Option<String>,
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            national_id: Some(VALID_ID.to_owned()),
            foreign_key: false,
            nonce: None,
        }
    }
}

/// A national ID with a right check digit (A123456789 is the textbook example).
pub const VALID_ID: &str = "A123456789";

/// One P-256 key: PEM for signing, JWK coordinates for publishing.
struct Key {
    pem: String,
    x: String,
    y: String,
}

impl Key {
    fn generate() -> Self {
        // 32 random bytes are a valid P-256 scalar with overwhelming probability.
        let secret = loop {
            let mut bytes = [0u8; 32];
            rand::rng().fill_bytes(&mut bytes);
            if let Ok(secret) = p256::SecretKey::from_slice(&bytes) {
                break secret;
            }
        };
        let point = secret.public_key().to_encoded_point(false);
        Self {
            pem: secret.to_pkcs8_pem(LineEnding::LF).unwrap().to_string(),
            x: URL_SAFE_NO_PAD.encode(point.x().unwrap()),
            y: URL_SAFE_NO_PAD.encode(point.y().unwrap()),
        }
    }
}

/// An authorization the provider granted and has not yet exchanged.
struct Grant {
    nonce: String,
    challenge: String,
}

struct ProviderState {
    issuer: String,
    published: Key,
    foreign: Key,
    behaviour: Mutex<Behaviour>,
    grants: Mutex<HashMap<String, Grant>>,
}

/// The stand-in provider, serving until dropped with the runtime.
pub struct Provider {
    pub issuer: String,
    state: Arc<ProviderState>,
}

impl Provider {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(ProviderState {
            issuer: issuer.clone(),
            published: Key::generate(),
            foreign: Key::generate(),
            behaviour: Mutex::new(Behaviour::default()),
            grants: Mutex::new(HashMap::new()),
        });
        let router = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .with_state(Arc::clone(&state));
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { issuer, state }
    }

    /// Changes what the next ID tokens hold.
    pub fn set(&self, behaviour: Behaviour) {
        *self.state.behaviour.lock().unwrap() = behaviour;
    }
}

async fn discovery(State(state): State<Arc<ProviderState>>) -> Json<Value> {
    let issuer = &state.issuer;
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "code_challenge_methods_supported": ["S256"],
    }))
}

async fn jwks(State(state): State<Arc<ProviderState>>) -> Json<Value> {
    Json(json!({ "keys": [{
        "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": "test-key",
        "x": state.published.x, "y": state.published.y,
    }]}))
}

async fn authorize(
    State(state): State<Arc<ProviderState>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["client_id"], CLIENT_ID);
    assert_eq!(query["code_challenge_method"], "S256");
    assert!(query["scope"].split(' ').any(|s| s == "openid"));
    let mut code = [0u8; 16];
    rand::rng().fill_bytes(&mut code);
    let code = URL_SAFE_NO_PAD.encode(code);
    state.grants.lock().unwrap().insert(
        code.clone(),
        Grant {
            nonce: query["nonce"].clone(),
            challenge: query["code_challenge"].clone(),
        },
    );
    let back = format!(
        "{}?code={code}&state={}",
        query["redirect_uri"],
        urlencode(&query["state"])
    );
    Redirect::to(&back).into_response()
}

async fn token(
    State(state): State<Arc<ProviderState>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let Some(grant) = state.grants.lock().unwrap().remove(&form["code"]) else {
        return (
            axum::http::StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response();
    };
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(form["code_verifier"].as_bytes()));
    if challenge != grant.challenge {
        return (
            axum::http::StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant", "error_description": "PKCE"})),
        )
            .into_response();
    }
    let behaviour = state.behaviour.lock().unwrap().clone();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut claims = json!({
        "iss": state.issuer,
        "sub": "citizen-1",
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 300,
        "nonce": behaviour.nonce.unwrap_or(grant.nonce),
    });
    if let Some(id) = behaviour.national_id {
        claims["national_id"] = json!(id);
    }
    let key = if behaviour.foreign_key {
        &state.foreign
    } else {
        &state.published
    };
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("test-key".into());
    let id_token = jsonwebtoken::encode(
        &header,
        &claims,
        &EncodingKey::from_ec_pem(key.pem.as_bytes()).unwrap(),
    )
    .unwrap();
    Json(json!({
        "access_token": "opaque-access-token",
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token,
    }))
    .into_response()
}

fn urlencode(raw: &str) -> String {
    form_urlencoded::byte_serialize(raw.as_bytes()).collect()
}

/// A Lantern server on a real loopback port, trusting `provider`.
pub struct Lantern {
    pub base: String,
    pub state: AppState,
    _dir: TempDir,
}

impl Lantern {
    pub async fn start(provider: &Provider) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("lantern.db")).unwrap();
        lantern_store_tests::fixtures::seed_agencies(&store).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let config = ServerConfig {
            demo: false,
            secure_cookies: false,
            oidc: Some(OidcSettings {
                issuer: provider.issuer.clone(),
                client_id: CLIENT_ID.into(),
                client_secret: Some(CLIENT_SECRET.into()),
                redirect_url: format!("{base}/me/callback"),
                national_id_claim: "national_id".into(),
            }),
        };
        let keys = LogKeys {
            signer: CheckpointSigner::from_seed("test.lantern.example/log", [7; 32]).unwrap(),
            subject_key: PseudonymKey::from_bytes([9; 32]),
            seal_key: lantern_usage::SealKey::from_bytes([11; 32]),
            vendor_code_key: lantern_usage::VendorCodeKey::from_bytes([13; 32]),
        };
        let state = AppState::new(std::sync::Arc::new(store), config, keys)
            .await
            .unwrap();
        let router = app(state.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self {
            base,
            state,
            _dir: dir,
        }
    }
}

/// An HTTP client that follows no redirects, so each step can be looked at.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The `name=value` of every `Set-Cookie` named `name` in `response`.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// The value part of a `Set-Cookie` line.
pub fn cookie_value(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .map(|(_, v)| v.to_owned())
        .unwrap()
}

/// The `Location` of a redirect.
pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .unwrap_or_else(|| panic!("no Location in {response:?}"))
        .to_str()
        .unwrap()
        .to_owned()
}
