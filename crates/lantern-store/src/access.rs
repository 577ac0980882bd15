//! Who may act: staff accounts, their sessions, and agencies' API tokens. Secrets are never
//! stored: tokens and session ids are kept as SHA-256 hashes, passwords as Argon2 PHC strings.

use async_trait::async_trait;
use lantern_domain::AgencyCode;
use lantern_log::SubjectPseudonym;
use time::OffsetDateTime;

use crate::StoreError;

/// What a staff member may do within their agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// 承辦人: keeps the agency's registers.
    Officer,
    /// 個人資料保護長 (Art. 18): the agency's data protection officer.
    DataProtectionOfficer,
    /// Manages the agency's accounts and tokens.
    AgencyAdmin,
}

impl Role {
    /// The stored name of the role.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Officer => "officer",
            Self::DataProtectionOfficer => "dpo",
            Self::AgencyAdmin => "agency_admin",
        }
    }

    /// Parses a stored name.
    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Officer,
            Self::DataProtectionOfficer,
            Self::AgencyAdmin,
        ]
        .into_iter()
        .find(|r| r.as_str() == raw)
    }
}

/// A staff account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Login name, unique.
    pub username: String,
    /// Name shown in change histories.
    pub display_name: String,
    /// The agency the account acts for.
    pub agency: AgencyCode,
    /// What the account may do.
    pub role: Role,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// When the account was made.
    pub created_at: OffsetDateTime,
}

/// A logged-in staff session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the session cookie's secret.
    pub id_hash: [u8; 32],
    /// Whose session.
    pub username: String,
    /// The CSRF token that forms of this session must carry.
    pub csrf_token: String,
    /// When it started.
    pub created_at: OffsetDateTime,
    /// When it ends.
    pub expires_at: OffsetDateTime,
}

/// A logged-in citizen's session (the citizen portal, 我的個資足跡). Distinct from a staff
/// [`Session`]: it names no account, only the subject's pseudonym and sealed number — the raw
/// national ID is never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitizenSession {
    /// SHA-256 of the session cookie's secret.
    pub id_hash: [u8; 32],
    /// The keyed pseudonym of the citizen's national ID or resident certificate number.
    pub subject: SubjectPseudonym,
    /// The citizen's national ID sealed with the server's seal key, so that a consent given in
    /// this session can later be resolved back to the person (a vendor code); never the raw
    /// number.
    pub sealed_subject: Vec<u8>,
    /// The CSRF token that forms of this session must carry.
    pub csrf_token: String,
    /// When it started.
    pub created_at: OffsetDateTime,
    /// When it ends.
    pub expires_at: OffsetDateTime,
}

/// A new API token to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    /// SHA-256 of the token secret.
    pub secret_hash: [u8; 32],
    /// The one agency the token acts for.
    pub agency: AgencyCode,
    /// What the token is for, e.g. "NHI claims system".
    pub label: String,
    /// When it was issued.
    pub created_at: OffsetDateTime,
}

/// A stored API token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Store-assigned number, shown in change histories instead of the secret.
    pub id: i64,
    /// The one agency the token acts for.
    pub agency: AgencyCode,
    /// What the token is for.
    pub label: String,
    /// When it was issued.
    pub created_at: OffsetDateTime,
}

/// Accounts, sessions and tokens.
#[async_trait]
pub trait AccessStore {
    /// Stores a new API token and returns it with its id. Durable on return.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the agency does not exist.
    async fn create_api_token(&self, token: &NewApiToken) -> Result<ApiToken, StoreError>;

    /// The token whose secret hashes to `secret_hash`, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn api_token(&self, secret_hash: &[u8; 32]) -> Result<Option<ApiToken>, StoreError>;

    /// Creates a staff account.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the username is taken; [`StoreError::NotFound`] when the
    /// agency does not exist.
    async fn create_user(&self, user: &User) -> Result<(), StoreError>;

    /// The account named `username`, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn user(&self, username: &str) -> Result<Option<User>, StoreError>;

    /// Stores a new session.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the user does not exist.
    async fn create_session(&self, session: &Session) -> Result<(), StoreError>;

    /// The session with this id hash if it has not expired at `now`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn session(
        &self,
        id_hash: &[u8; 32],
        now: OffsetDateTime,
    ) -> Result<Option<Session>, StoreError>;

    /// Ends a session. Ending an unknown session is not an error.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn delete_session(&self, id_hash: &[u8; 32]) -> Result<(), StoreError>;

    /// Stores a new citizen session. Durable on return.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when a session with this id hash exists (a secret drawn twice);
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn create_citizen_session(&self, session: &CitizenSession) -> Result<(), StoreError>;

    /// The citizen session with this id hash if it has not expired at `now`. Staff sessions are
    /// never returned: the two kinds are kept apart.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn citizen_session(
        &self,
        id_hash: &[u8; 32],
        now: OffsetDateTime,
    ) -> Result<Option<CitizenSession>, StoreError>;

    /// Ends a citizen session. Ending an unknown session is not an error.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn delete_citizen_session(&self, id_hash: &[u8; 32]) -> Result<(), StoreError>;
}
