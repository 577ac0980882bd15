//! Citizens' login through an OpenID Connect provider (a national or city identity provider):
//! the authorization code flow with PKCE (S256), `state` and `nonce`, the provider found by
//! discovery, and the ID token's signature checked against the provider's published keys.
//!
//! The flow's secrets (state, nonce, PKCE verifier) are drawn by the server when the login
//! starts and kept until the callback in the `lantern_oidc` cookie (HttpOnly, `SameSite=Lax` so
//! that it comes back on the provider's redirect, `Path=/me`, ten minutes). They are random
//! values the browser only carries back: a reader who changes them can only break their own
//! login, and a foreign site can neither read nor set them.
//!
//! The provider's metadata and keys are fetched on the first login and kept for
//! [`METADATA_TTL`], so that key rotation is picked up, and so that the server starts (and serves
//! the public pages) while the provider is unreachable.

use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreProviderMetadata, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken,
    EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields, IssuerUrl,
    Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, StandardErrorResponse,
    StandardTokenResponse, TokenResponse as _,
};
use serde::{Deserialize, Serialize};

use super::secret::{constant_time_eq, is_secret_shaped, random_secret};

/// How long discovered metadata and keys are used before they are fetched again.
pub const METADATA_TTL: Duration = Duration::from_secs(10 * 60);

/// How long a started login may take before its callback is refused: ten minutes, in seconds.
pub const LOGIN_FLOW_SECONDS: u32 = 10 * 60;

/// The cookie that carries the flow's state, nonce and PKCE verifier to the callback.
pub const FLOW_COOKIE: &str = "lantern_oidc";

/// The default name of the ID-token claim that holds the national ID.
pub const DEFAULT_NATIONAL_ID_CLAIM: &str = "national_id";

/// How Lantern is registered with the citizens' identity provider.
#[derive(Clone)]
pub struct OidcSettings {
    /// The provider's issuer URL; `/.well-known/openid-configuration` is found under it.
    pub issuer: String,
    /// Lantern's client id at the provider.
    pub client_id: String,
    /// Lantern's client secret, if the provider issued one. Never printed.
    pub client_secret: Option<String>,
    /// Where the provider sends the browser back: this server's `/me/callback`.
    pub redirect_url: String,
    /// The ID-token claim that holds the citizen's national ID or resident certificate number.
    pub national_id_claim: String,
}

impl fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("redirect_url", &self.redirect_url)
            .field("national_id_claim", &self.national_id_claim)
            .finish()
    }
}

impl OidcSettings {
    /// Checks the URLs and the claim name, so that a misconfiguration stops the server at
    /// start-up rather than at the first login.
    ///
    /// # Errors
    /// A message naming the setting that is wrong.
    pub fn validate(&self) -> Result<(), String> {
        IssuerUrl::new(self.issuer.clone())
            .map_err(|e| format!("the OIDC issuer URL is not a URL: {e}"))?;
        RedirectUrl::new(self.redirect_url.clone())
            .map_err(|e| format!("the OIDC redirect URL is not a URL: {e}"))?;
        if self.client_id.trim().is_empty() {
            return Err("the OIDC client id is empty".into());
        }
        if self.national_id_claim.trim().is_empty() {
            return Err("the name of the national-ID claim is empty".into());
        }
        Ok(())
    }
}

/// Every claim of the ID token beyond the standard ones, so that the national-ID claim can be
/// configured by name. Its `Debug` is redacted: the values are personal data.
#[derive(Clone, Deserialize, Serialize)]
pub struct ExtraClaims {
    #[serde(flatten)]
    claims: HashMap<String, serde_json::Value>,
}

impl fmt::Debug for ExtraClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ExtraClaims(<redacted>)")
    }
}

impl AdditionalClaims for ExtraClaims {}

type TokenFields = IdTokenFields<
    ExtraClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

type OidcTokenResponse = StandardTokenResponse<TokenFields, CoreTokenType>;

/// The client as discovery configures it: authorization endpoint set, token endpoint maybe.
type OidcClient = Client<
    ExtraClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    OidcTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Why a login through the provider failed.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The provider could not be reached or answered nonsense; the reader may try again later.
    #[error("the identity provider is unavailable: {0}")]
    Unavailable(String),
    /// The callback does not belong to a login this browser started (missing or expired flow
    /// cookie, wrong state), or the provider refused the login.
    #[error("the login could not be matched to one this browser started: {0}")]
    Flow(String),
    /// The code exchange or the ID token failed a check (signature, issuer, audience, expiry,
    /// nonce).
    #[error("the identity provider's answer failed a check: {0}")]
    Rejected(String),
    /// The ID token lacks the national-ID claim, or it is not a string.
    #[error("the ID token has no national-ID claim")]
    MissingNationalId,
}

/// The flow's secrets between `/me/login` and `/me/callback`.
#[derive(Clone, PartialEq, Eq)]
pub struct PendingLogin {
    state: String,
    nonce: String,
    verifier: String,
}

impl fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PendingLogin(<redacted>)")
    }
}

impl PendingLogin {
    fn fresh() -> Self {
        Self {
            state: random_secret(),
            nonce: random_secret(),
            verifier: random_secret(),
        }
    }

    /// The flow cookie's value: the three secrets joined by dots (base64url has none).
    #[must_use]
    pub fn cookie_value(&self) -> String {
        format!("{}.{}.{}", self.state, self.nonce, self.verifier)
    }

    /// Reads a flow cookie's value; `None` unless it is three well-shaped secrets.
    #[must_use]
    pub fn from_cookie_value(value: &str) -> Option<Self> {
        let mut parts = value.split('.');
        let (state, nonce, verifier) = (parts.next()?, parts.next()?, parts.next()?);
        (parts.next().is_none() && [state, nonce, verifier].into_iter().all(is_secret_shaped)).then(
            || Self {
                state: state.to_owned(),
                nonce: nonce.to_owned(),
                verifier: verifier.to_owned(),
            },
        )
    }
}

/// The relying party: the settings, an HTTP client, and the discovered provider.
pub struct OidcProvider {
    settings: OidcSettings,
    http: reqwest::Client,
    discovered: tokio::sync::Mutex<Option<(Instant, OidcClient)>>,
}

impl fmt::Debug for OidcProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcProvider")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl OidcProvider {
    /// A provider for `settings`. Contacts nobody yet.
    ///
    /// # Errors
    /// When the settings are invalid or the HTTP client cannot be built.
    pub fn new(settings: OidcSettings) -> Result<Self, String> {
        settings.validate()?;
        let http = reqwest::Client::builder()
            // Following redirects would let the provider's answers point us anywhere (SSRF).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| format!("HTTP client for OIDC: {e}"))?;
        Ok(Self {
            settings,
            http,
            discovered: tokio::sync::Mutex::new(None),
        })
    }

    /// The settings.
    #[must_use]
    pub const fn settings(&self) -> &OidcSettings {
        &self.settings
    }

    /// The discovered client, fetched again once older than [`METADATA_TTL`].
    async fn client(&self) -> Result<OidcClient, OidcError> {
        let mut cached = self.discovered.lock().await;
        if let Some((at, client)) = cached.as_ref()
            && at.elapsed() < METADATA_TTL
        {
            return Ok(client.clone());
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| OidcError::Unavailable(format!("issuer URL: {e}")))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| OidcError::Unavailable(format!("discovery: {}", error_chain(&e))))?;
        let redirect = RedirectUrl::new(self.settings.redirect_url.clone())
            .map_err(|e| OidcError::Unavailable(format!("redirect URL: {e}")))?;
        let client = OidcClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            self.settings.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect);
        *cached = Some((Instant::now(), client.clone()));
        drop(cached);
        Ok(client)
    }

    /// Starts a login: the provider's authorization URL to redirect the browser to, and the
    /// flow's secrets to keep in the flow cookie.
    ///
    /// # Errors
    /// [`OidcError::Unavailable`] when the provider cannot be discovered.
    pub async fn begin(&self) -> Result<(String, PendingLogin), OidcError> {
        let client = self.client().await?;
        let pending = PendingLogin::fresh();
        let verifier = PkceCodeVerifier::new(pending.verifier.clone());
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&verifier);
        let (state, nonce) = (pending.state.clone(), pending.nonce.clone());
        let (url, _, _) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                move || CsrfToken::new(state),
                move || Nonce::new(nonce),
            )
            .set_pkce_challenge(challenge)
            .url();
        Ok((url.to_string(), pending))
    }

    /// Finishes a login: checks `state` against the pending login, exchanges `code` (with the
    /// PKCE verifier), verifies the ID token (signature against the provider's keys, issuer,
    /// audience, expiry, nonce) and returns the national-ID claim's text. The text is not yet
    /// checked as a national ID: the caller parses it.
    ///
    /// # Errors
    /// [`OidcError::Flow`] for a state that does not match; [`OidcError::Rejected`] when the
    /// exchange or the token fails a check; [`OidcError::MissingNationalId`];
    /// [`OidcError::Unavailable`] when the provider cannot be reached.
    pub async fn finish(
        &self,
        pending: &PendingLogin,
        state: &str,
        code: &str,
    ) -> Result<String, OidcError> {
        if !constant_time_eq(state.as_bytes(), pending.state.as_bytes()) {
            return Err(OidcError::Flow("the state does not match".into()));
        }
        let client = self.client().await?;
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| OidcError::Unavailable(format!("token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Rejected(format!("code exchange: {}", error_chain(&e))))?;
        let id_token = response
            .id_token()
            .ok_or_else(|| OidcError::Rejected("the token response has no ID token".into()))?;
        let nonce = Nonce::new(pending.nonce.clone());
        let verifier = client.id_token_verifier().set_allowed_algs(ASYMMETRIC);
        let claims = id_token
            .claims(&verifier, &nonce)
            .map_err(|e| OidcError::Rejected(format!("ID token: {}", error_chain(&e))))?;
        claims
            .additional_claims()
            .claims
            .get(&self.settings.national_id_claim)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
            .ok_or(OidcError::MissingNationalId)
    }
}

/// The signature algorithms an ID token may use: every asymmetric one the library verifies.
/// Never `none`, and no HMAC, which is keyed with the client secret and would let anyone
/// holding it mint tokens.
const ASYMMETRIC: [CoreJwsSigningAlgorithm; 9] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// An error and its sources on one line, for the log.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_logins_round_trip_through_the_cookie() {
        let pending = PendingLogin::fresh();
        assert_eq!(
            PendingLogin::from_cookie_value(&pending.cookie_value()),
            Some(pending.clone())
        );
        assert_eq!(PendingLogin::from_cookie_value("a.b.c"), None);
        assert_eq!(
            PendingLogin::from_cookie_value(&format!("{}.x", pending.cookie_value())),
            None
        );
        assert!(!format!("{pending:?}").contains(&pending.state));
    }

    #[test]
    fn the_secret_is_never_printed() {
        let settings = OidcSettings {
            issuer: "https://id.example.gov.tw".into(),
            client_id: "lantern".into(),
            client_secret: Some("hunter2-very-secret".into()),
            redirect_url: "https://lantern.example.gov.tw/me/callback".into(),
            national_id_claim: DEFAULT_NATIONAL_ID_CLAIM.into(),
        };
        assert!(settings.validate().is_ok());
        assert!(!format!("{settings:?}").contains("hunter2"));
    }
}
