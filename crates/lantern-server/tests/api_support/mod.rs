//! The API tests' world: a SQLite store seeded with the store suite's agencies and files (behind
//! a switch that makes every store call fail), the app in front of it, credentials, and
//! requests and answers that read well in assertions.
//!
//! The agencies form this tree (from `lantern_store_tests::fixtures`):
//! EY → MOHW → MOHW-NHIA, EY → MOI → MOI-HRA, EY → MOF → MOF-TAX, TPE → TPE-LIB, TPE → TPE-HOSP;
//! each file belongs to one of the leaves (`nhi-claims` to MOHW-NHIA, `tax-returns` to MOF-TAX…).

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the support module"
)]
#![allow(
    clippy::unwrap_used,
    reason = "test support: a failed step is a failed test"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use lantern_domain::reference::{CategoryEntry, PurposeEntry};
use lantern_domain::{Agency, AgencyCode, FileId, PersonalDataFile};
use lantern_log::{CheckpointSigner, Hash, SubjectPseudonym};
use lantern_server::auth::{hash_password, issue_api_token};
use lantern_server::{AppState, LogKeys, ServerConfig, app};
use lantern_store::{
    AccessStore, ApiToken, AppendReceipt, Change, CitizenSession, DailyVolume, FileActivity,
    FileQuery, Footprint, FootprintQuery, NewApiToken, NewUsageEvent, Page, ReferenceStore,
    RegisterStore, Role, Session, SettingsStore, Shredded, StatsQuery, StatsRow, StoreError,
    TreeHead, UsageLogStore, User, VersionInfo, Versioned,
};
use lantern_store_sqlite::SqliteStore;
use lantern_store_tests::fixtures;
use lantern_usage::PseudonymKey;
use serde_json::Value;
use tempfile::TempDir;
use time::{Date, OffsetDateTime};
use tower::ServiceExt;

/// The NHI claims database as an agency submits it: large, with sensitive data, complete.
pub const NHI_CLAIMS_JSON: &str =
    include_str!("../../../lantern-store-tests/fixtures/nhi-claims.json");

/// A small file without sensitive data, not a large database.
pub const LIBRARY_PATRONS_JSON: &str =
    include_str!("../../../lantern-store-tests/fixtures/library-patrons.json");

/// The password of every staff account made by [`World::staff`].
pub const PASSWORD: &str = "correct horse battery staple";

/// A seeded store behind the app.
pub struct World {
    pub state: AppState,
    pub store: Arc<SwitchableStore>,
    app: Router,
    _dir: TempDir,
}

impl World {
    /// The suite's agencies and five files in a fresh SQLite store.
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = SqliteStore::open(&dir.path().join("lantern.db")).unwrap();
        fixtures::seed_files(&sqlite).await;
        let store = Arc::new(SwitchableStore {
            inner: sqlite,
            failing: AtomicBool::new(false),
        });
        let config = ServerConfig {
            demo: false,
            secure_cookies: false,
            ..ServerConfig::default()
        };
        let state = AppState::new(store.clone(), config, test_keys())
            .await
            .unwrap();
        Self {
            app: app(state.clone()),
            state,
            store,
            _dir: dir,
        }
    }

    /// The application, for serving on a real port.
    pub fn app(&self) -> Router {
        self.app.clone()
    }

    /// A new API token of `agency`.
    pub async fn token(&self, agency: &str) -> String {
        issue_api_token(
            self.state.store.as_ref(),
            &code(agency),
            "test system",
            OffsetDateTime::now_utc(),
        )
        .await
        .unwrap()
    }

    /// A staff account of `agency` with password [`PASSWORD`].
    pub async fn staff(&self, username: &str, agency: &str) {
        let user = User {
            username: username.to_owned(),
            display_name: format!("{username} 承辦人"),
            agency: code(agency),
            role: Role::Officer,
            password_hash: hash_password(PASSWORD).unwrap(),
            created_at: OffsetDateTime::now_utc(),
        };
        self.state.store.create_user(&user).await.unwrap();
    }

    /// The current version of a file, straight from the store.
    pub async fn stored_file(&self, id: &str) -> Versioned<PersonalDataFile> {
        self.state
            .store
            .file(&FileId::parse(id).unwrap(), None)
            .await
            .unwrap()
            .unwrap()
    }

    /// Sends a request through the app in-process.
    pub async fn send(&self, request: Call) -> Answer {
        let response = self.app.clone().oneshot(request.build()).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Answer {
            status,
            headers,
            body,
        }
    }
}

/// Parses an agency code the tests spell correctly.
pub fn code(raw: &str) -> AgencyCode {
    AgencyCode::parse(raw).unwrap()
}

/// A submission in JSON with `edit` applied.
pub fn submission(json: &str, edit: impl FnOnce(&mut Value)) -> Value {
    let mut value: Value = serde_json::from_str(json).unwrap();
    edit(&mut value);
    value
}

/// A request under construction.
#[derive(Debug)]
pub struct Call {
    method: Method,
    uri: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Vec<u8>,
}

impl Call {
    pub fn new(method: Method, uri: &str) -> Self {
        Self {
            method,
            uri: uri.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn get(uri: &str) -> Self {
        Self::new(Method::GET, uri)
    }

    pub fn post(uri: &str) -> Self {
        Self::new(Method::POST, uri)
    }

    pub fn put(uri: &str) -> Self {
        Self::new(Method::PUT, uri)
    }

    pub fn delete(uri: &str) -> Self {
        Self::new(Method::DELETE, uri)
    }

    pub fn header(mut self, name: impl TryInto<HeaderName>, value: &str) -> Self {
        let name = name.try_into().ok().unwrap();
        self.headers
            .push((name, HeaderValue::from_str(value).unwrap()));
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header(header::AUTHORIZATION, &format!("Bearer {token}"))
    }

    /// A JSON body with its content type.
    pub fn json(self, body: &Value) -> Self {
        self.raw("application/json", serde_json::to_vec(body).unwrap())
    }

    /// Any body with any content type.
    pub fn raw(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self.header(header::CONTENT_TYPE, content_type)
    }

    /// A body without a content type.
    pub fn untyped(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    fn build(self) -> Request<Body> {
        let mut request = Request::builder().method(self.method).uri(self.uri);
        for (name, value) in self.headers {
            request = request.header(name, value);
        }
        request.body(Body::from(self.body)).unwrap()
    }
}

/// A response, read to the end.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{} is not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// Asserts a problem+json answer with `status`, and returns it.
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(
            self.header(header::CONTENT_TYPE.as_str()),
            Some("application/problem+json")
        );
        let problem = self.json();
        assert_eq!(problem["status"], status);
        for member in ["type", "title", "detail"] {
            assert!(
                problem[member].is_string(),
                "problem lacks {member}: {problem}"
            );
        }
        problem
    }

    /// Asserts a 422 validation problem and returns its `(field, rule)` pairs.
    pub fn broken_rules(&self) -> Vec<(String, String)> {
        let problem = self.problem(422);
        assert_eq!(problem["type"], "urn:lantern:problem:validation");
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["field"].as_str().unwrap().to_owned(),
                    e["rule"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// Asserts a success with `status` and returns the JSON body.
    pub fn ok(&self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        self.json()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

/// The SQLite store with a switch that makes every call fail as if the database were gone.
pub struct SwitchableStore {
    inner: SqliteStore,
    failing: AtomicBool,
}

impl SwitchableStore {
    /// From now on every call fails with [`StoreError::Unavailable`] (or works again).
    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }

    fn check(&self) -> Result<(), StoreError> {
        if self.failing.load(Ordering::SeqCst) {
            Err(StoreError::Unavailable(
                "injected fault: database file is on fire".into(),
            ))
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl RegisterStore for SwitchableStore {
    async fn put_agency(
        &self,
        agency: &Agency,
        change: &Change,
    ) -> Result<Versioned<Agency>, StoreError> {
        self.check()?;
        self.inner.put_agency(agency, change).await
    }

    async fn agency(&self, code: &AgencyCode) -> Result<Option<Versioned<Agency>>, StoreError> {
        self.check()?;
        self.inner.agency(code).await
    }

    async fn agency_version(
        &self,
        code: &AgencyCode,
        version: u32,
    ) -> Result<Option<Versioned<Agency>>, StoreError> {
        self.check()?;
        self.inner.agency_version(code, version).await
    }

    async fn agency_history(&self, code: &AgencyCode) -> Result<Vec<VersionInfo>, StoreError> {
        self.check()?;
        self.inner.agency_history(code).await
    }

    async fn agencies(&self) -> Result<Vec<Agency>, StoreError> {
        self.check()?;
        self.inner.agencies().await
    }

    async fn create_file(
        &self,
        file: &PersonalDataFile,
        change: &Change,
    ) -> Result<Versioned<PersonalDataFile>, StoreError> {
        self.check()?;
        self.inner.create_file(file, change).await
    }

    async fn update_file(
        &self,
        file: &PersonalDataFile,
        expected_version: Option<u32>,
        change: &Change,
    ) -> Result<Versioned<PersonalDataFile>, StoreError> {
        self.check()?;
        self.inner.update_file(file, expected_version, change).await
    }

    async fn file(
        &self,
        id: &FileId,
        version: Option<u32>,
    ) -> Result<Option<Versioned<PersonalDataFile>>, StoreError> {
        self.check()?;
        self.inner.file(id, version).await
    }

    async fn file_history(&self, id: &FileId) -> Result<Vec<VersionInfo>, StoreError> {
        self.check()?;
        self.inner.file_history(id).await
    }

    async fn search_files(
        &self,
        query: &FileQuery,
    ) -> Result<Page<Versioned<PersonalDataFile>>, StoreError> {
        self.check()?;
        self.inner.search_files(query).await
    }
}

#[async_trait]
impl AccessStore for SwitchableStore {
    async fn create_api_token(&self, token: &NewApiToken) -> Result<ApiToken, StoreError> {
        self.check()?;
        self.inner.create_api_token(token).await
    }

    async fn api_token(&self, secret_hash: &[u8; 32]) -> Result<Option<ApiToken>, StoreError> {
        self.check()?;
        self.inner.api_token(secret_hash).await
    }

    async fn create_user(&self, user: &User) -> Result<(), StoreError> {
        self.check()?;
        self.inner.create_user(user).await
    }

    async fn user(&self, username: &str) -> Result<Option<User>, StoreError> {
        self.check()?;
        self.inner.user(username).await
    }

    async fn create_session(&self, session: &Session) -> Result<(), StoreError> {
        self.check()?;
        self.inner.create_session(session).await
    }

    async fn session(
        &self,
        id_hash: &[u8; 32],
        now: OffsetDateTime,
    ) -> Result<Option<Session>, StoreError> {
        self.check()?;
        self.inner.session(id_hash, now).await
    }

    async fn delete_session(&self, id_hash: &[u8; 32]) -> Result<(), StoreError> {
        self.check()?;
        self.inner.delete_session(id_hash).await
    }

    async fn create_citizen_session(&self, session: &CitizenSession) -> Result<(), StoreError> {
        self.check()?;
        self.inner.create_citizen_session(session).await
    }

    async fn citizen_session(
        &self,
        id_hash: &[u8; 32],
        now: OffsetDateTime,
    ) -> Result<Option<CitizenSession>, StoreError> {
        self.check()?;
        self.inner.citizen_session(id_hash, now).await
    }

    async fn delete_citizen_session(&self, id_hash: &[u8; 32]) -> Result<(), StoreError> {
        self.check()?;
        self.inner.delete_citizen_session(id_hash).await
    }
}

#[async_trait]
impl ReferenceStore for SwitchableStore {
    async fn replace_imported_purposes(&self, entries: &[PurposeEntry]) -> Result<(), StoreError> {
        self.check()?;
        self.inner.replace_imported_purposes(entries).await
    }

    async fn replace_imported_categories(
        &self,
        entries: &[CategoryEntry],
    ) -> Result<(), StoreError> {
        self.check()?;
        self.inner.replace_imported_categories(entries).await
    }

    async fn imported_purposes(&self) -> Result<Vec<PurposeEntry>, StoreError> {
        self.check()?;
        self.inner.imported_purposes().await
    }

    async fn imported_categories(&self) -> Result<Vec<CategoryEntry>, StoreError> {
        self.check()?;
        self.inner.imported_categories().await
    }
}

#[async_trait]
impl lantern_store::ServiceStore for SwitchableStore {
    async fn create_service(
        &self,
        service: &lantern_domain::Service,
        change: &Change,
    ) -> Result<Versioned<lantern_domain::Service>, StoreError> {
        self.check()?;
        self.inner.create_service(service, change).await
    }

    async fn update_service(
        &self,
        service: &lantern_domain::Service,
        expected_version: Option<u32>,
        change: &Change,
    ) -> Result<Versioned<lantern_domain::Service>, StoreError> {
        self.check()?;
        self.inner
            .update_service(service, expected_version, change)
            .await
    }

    async fn service(
        &self,
        id: &lantern_domain::ServiceId,
        version: Option<u32>,
    ) -> Result<Option<Versioned<lantern_domain::Service>>, StoreError> {
        self.check()?;
        self.inner.service(id, version).await
    }

    async fn service_history(
        &self,
        id: &lantern_domain::ServiceId,
    ) -> Result<Vec<VersionInfo>, StoreError> {
        self.check()?;
        self.inner.service_history(id).await
    }

    async fn services(&self) -> Result<Vec<Versioned<lantern_domain::Service>>, StoreError> {
        self.check()?;
        self.inner.services().await
    }

    async fn record_consent(
        &self,
        consent: &lantern_store::ConsentRecord,
    ) -> Result<(), StoreError> {
        self.check()?;
        self.inner.record_consent(consent).await
    }

    async fn record_withdrawal(
        &self,
        subject: &SubjectPseudonym,
        service: &lantern_domain::ServiceId,
        withdrawal: &lantern_store::Withdrawal,
    ) -> Result<lantern_store::ConsentRecord, StoreError> {
        self.check()?;
        self.inner
            .record_withdrawal(subject, service, withdrawal)
            .await
    }

    async fn subject_consents(
        &self,
        subject: &SubjectPseudonym,
    ) -> Result<Vec<lantern_store::ConsentRecord>, StoreError> {
        self.check()?;
        self.inner.subject_consents(subject).await
    }

    async fn service_consents(
        &self,
        service: &lantern_domain::ServiceId,
    ) -> Result<Vec<lantern_store::ConsentRecord>, StoreError> {
        self.check()?;
        self.inner.service_consents(service).await
    }
}

#[async_trait]
impl lantern_store::ProviderRequestStore for SwitchableStore {
    async fn record_provider_requests(
        &self,
        requests: &[lantern_domain::provider_request::ProviderRequest],
        change: &Change,
    ) -> Result<(), StoreError> {
        self.check()?;
        self.inner.record_provider_requests(requests, change).await
    }

    async fn provider_requests(
        &self,
        query: &lantern_store::ProviderRequestQuery,
    ) -> Result<Vec<lantern_domain::provider_request::ProviderRequest>, StoreError> {
        self.check()?;
        self.inner.provider_requests(query).await
    }
}

#[async_trait]
impl lantern_store::DataRequestStore for SwitchableStore {
    async fn file_request(
        &self,
        request: &lantern_domain::DataRequest,
    ) -> Result<lantern_domain::TrackedRequest, StoreError> {
        self.check()?;
        self.inner.file_request(request).await
    }

    async fn file_requests(
        &self,
        requests: &[lantern_domain::DataRequest],
    ) -> Result<(), StoreError> {
        self.check()?;
        self.inner.file_requests(requests).await
    }

    async fn record_decision(
        &self,
        id: &lantern_domain::RequestId,
        decision: &lantern_domain::Decision,
    ) -> Result<lantern_domain::TrackedRequest, StoreError> {
        self.check()?;
        self.inner.record_decision(id, decision).await
    }

    async fn record_delivery(
        &self,
        id: &lantern_domain::RequestId,
        delivery: &lantern_domain::Delivery,
    ) -> Result<lantern_domain::TrackedRequest, StoreError> {
        self.check()?;
        self.inner.record_delivery(id, delivery).await
    }

    async fn data_request(
        &self,
        id: &lantern_domain::RequestId,
    ) -> Result<Option<lantern_domain::TrackedRequest>, StoreError> {
        self.check()?;
        self.inner.data_request(id).await
    }

    async fn data_requests(
        &self,
        filter: &lantern_store::RequestFilter,
    ) -> Result<Vec<lantern_domain::TrackedRequest>, StoreError> {
        self.check()?;
        self.inner.data_requests(filter).await
    }

    async fn approved_uses(
        &self,
        file: &FileId,
    ) -> Result<Vec<lantern_domain::TrackedRequest>, StoreError> {
        self.check()?;
        self.inner.approved_uses(file).await
    }
}

#[async_trait]
impl SettingsStore for SwitchableStore {
    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.check()?;
        self.inner.setting(key).await
    }

    async fn put_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.check()?;
        self.inner.put_setting(key, value).await
    }
}

#[async_trait]
impl UsageLogStore for SwitchableStore {
    async fn append_events(
        &self,
        events: Vec<NewUsageEvent>,
        received_at: OffsetDateTime,
    ) -> Result<AppendReceipt, StoreError> {
        self.check()?;
        self.inner.append_events(events, received_at).await
    }

    async fn tree_head(&self) -> Result<TreeHead, StoreError> {
        self.check()?;
        self.inner.tree_head().await
    }

    async fn stored_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StoreError> {
        self.check()?;
        self.inner.stored_hashes(indexes).await
    }

    async fn log_entries(&self, start: u64, count: u64) -> Result<Vec<Vec<u8>>, StoreError> {
        self.check()?;
        self.inner.log_entries(start, count).await
    }

    async fn latest_checkpoint(&self) -> Result<Option<(u64, String)>, StoreError> {
        self.check()?;
        self.inner.latest_checkpoint().await
    }

    async fn save_checkpoint(&self, size: u64, note: &str) -> Result<bool, StoreError> {
        self.check()?;
        self.inner.save_checkpoint(size, note).await
    }

    async fn footprint(&self, query: FootprintQuery<'_>) -> Result<Footprint, StoreError> {
        self.check()?;
        self.inner.footprint(query).await
    }

    async fn footprint_entries(
        &self,
        subject: &SubjectPseudonym,
        today: time::Date,
    ) -> Result<lantern_store::footprint::FootprintEntries, StoreError> {
        self.check()?;
        self.inner.footprint_entries(subject, today).await
    }

    async fn subject_events(
        &self,
        subject: &SubjectPseudonym,
        today: time::Date,
        indexes: &[u64],
    ) -> Result<Vec<lantern_store::StoredEvent>, StoreError> {
        self.check()?;
        self.inner.subject_events(subject, today, indexes).await
    }

    async fn shred_subject(&self, subject: &SubjectPseudonym) -> Result<Shredded, StoreError> {
        self.check()?;
        self.inner.shred_subject(subject).await
    }

    async fn usage_stats(&self, query: &StatsQuery) -> Result<Vec<StatsRow>, StoreError> {
        self.check()?;
        self.inner.usage_stats(query).await
    }

    async fn file_activity(&self) -> Result<Vec<FileActivity>, StoreError> {
        self.check()?;
        self.inner.file_activity().await
    }

    async fn daily_volume(
        &self,
        file: Option<&FileId>,
        from: Date,
        to: Date,
    ) -> Result<Vec<DailyVolume>, StoreError> {
        self.check()?;
        self.inner.daily_volume(file, from, to).await
    }
}

/// Fixed log keys for tests: origin `test.lantern.example/log`.
pub fn test_keys() -> LogKeys {
    LogKeys {
        signer: CheckpointSigner::from_seed(TEST_ORIGIN, [7; 32]).unwrap(),
        subject_key: PseudonymKey::from_bytes([9; 32]),
        seal_key: lantern_usage::SealKey::from_bytes([11; 32]),
        vendor_code_key: lantern_usage::VendorCodeKey::from_bytes([13; 32]),
    }
}

/// The checkpoint origin of [`test_keys`].
pub const TEST_ORIGIN: &str = "test.lantern.example/log";
