//! What every handler shares: the store, the reference lists in force, and the configuration.

use std::sync::{Arc, RwLock};

use lantern_domain::ReferenceData;
use lantern_domain::reference::builtin;
use lantern_log::CheckpointSigner;
use lantern_store::{Store, StoreError};
use lantern_usage::{Consents, Ingestor, PseudonymKey, SealKey, VendorCodeKey};

use crate::auth::oidc::{OidcProvider, OidcSettings};
use crate::log::Publisher;

/// Server settings that handlers need.
#[derive(Debug, Clone, Default)]
pub struct ServerConfig {
    /// Demo mode: the start page lists demo accounts, and citizens may log in as a demo
    /// citizen. Never on in production.
    pub demo: bool,
    /// Mark cookies `Secure`. Off only when serving plain HTTP on loopback.
    pub secure_cookies: bool,
    /// The citizens' OpenID Connect provider. Without it citizens cannot log in (except as
    /// demo citizens in demo mode).
    pub oidc: Option<OidcSettings>,
}

/// The server's keys: the checkpoint signing key (with the origin it signs for), the key of the
/// subjects' pseudonyms, the key sealing the numbers of consents and the key of vendor codes.
/// Kept in the data directory, or supplied by the operator.
pub struct LogKeys {
    /// Signs checkpoints.
    pub signer: CheckpointSigner,
    /// Turns national IDs into pseudonyms.
    pub subject_key: PseudonymKey,
    /// Seals a logged-in citizen's number for their consents.
    pub seal_key: SealKey,
    /// Makes the pairwise codes handed to vendors.
    pub vendor_code_key: VendorCodeKey,
}

/// Why the state could not be built.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The citizens' OpenID Connect settings are unusable.
    #[error("OpenID Connect settings: {0}")]
    Oidc(String),
}

/// Shared state of all handlers. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The backend.
    pub store: Arc<dyn Store>,
    /// The reference lists in force: shipped lists with any imported ones laid over them.
    reference: Arc<RwLock<Arc<ReferenceData>>>,
    /// Settings.
    pub config: Arc<ServerConfig>,
    /// The checkpoint publisher.
    pub log: Arc<Publisher>,
    /// The ingestion path of usage events.
    pub ingestor: Arc<Ingestor>,
    /// The key of the subjects' pseudonyms, to find a logged-in citizen's events.
    pub subject_key: Arc<PseudonymKey>,
    /// Seals a logged-in citizen's number into their session.
    pub seal_key: Arc<SealKey>,
    /// Consents to services and vendor codes.
    pub consents: Arc<Consents>,
    /// The citizens' identity provider, when one is configured.
    pub oidc: Option<Arc<OidcProvider>>,
}

impl AppState {
    /// Builds the state, loading any imported reference lists from the store, and starts the
    /// checkpoint publisher (so it must run inside a tokio runtime).
    ///
    /// # Errors
    /// [`StartError::Store`] when the store cannot be read; [`StartError::Oidc`] when the OIDC
    /// settings are invalid.
    pub async fn new(
        store: Arc<dyn Store>,
        config: ServerConfig,
        keys: LogKeys,
    ) -> Result<Self, StartError> {
        let oidc = match &config.oidc {
            Some(settings) => Some(Arc::new(
                OidcProvider::new(settings.clone()).map_err(StartError::Oidc)?,
            )),
            None => None,
        };
        let state = Self {
            log: Publisher::start(Arc::clone(&store), keys.signer).await?,
            subject_key: Arc::new(keys.subject_key.clone()),
            seal_key: Arc::new(keys.seal_key.clone()),
            consents: Arc::new(Consents::new(
                Arc::clone(&store),
                keys.subject_key.clone(),
                keys.seal_key,
                keys.vendor_code_key,
            )),
            oidc,
            ingestor: Arc::new(Ingestor::new(Arc::clone(&store), keys.subject_key)),
            store,
            reference: Arc::new(RwLock::new(Arc::new(builtin().clone()))),
            config: Arc::new(config),
        };
        state.reload_reference().await?;
        Ok(state)
    }

    /// The reference lists in force.
    #[must_use]
    pub fn reference(&self) -> Arc<ReferenceData> {
        match self.reference.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Re-reads imported reference lists from the store (after `lantern admin import-codes`).
    ///
    /// # Errors
    /// When the store cannot be read.
    pub async fn reload_reference(&self) -> Result<(), StoreError> {
        let purposes = self.store.imported_purposes().await?;
        let categories = self.store.imported_categories().await?;
        let data = Arc::new(ReferenceData::with_imported(purposes, categories));
        match self.reference.write() {
            Ok(mut guard) => *guard = data,
            Err(poisoned) => *poisoned.into_inner() = data,
        }
        Ok(())
    }
}
