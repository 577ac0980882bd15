//! What every handler shares: the store, the reference lists in force, and the configuration.

use std::sync::{Arc, RwLock};

use lantern_domain::ReferenceData;
use lantern_domain::reference::builtin;
use lantern_store::{Store, StoreError};

/// Server settings that handlers need.
#[derive(Debug, Clone, Default)]
pub struct ServerConfig {
    /// Demo mode: the start page lists demo accounts. Never on in production.
    pub demo: bool,
    /// Mark cookies `Secure`. Off only when serving plain HTTP on loopback.
    pub secure_cookies: bool,
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
}

impl AppState {
    /// Builds the state, loading any imported reference lists from the store.
    ///
    /// # Errors
    /// When the store cannot be read.
    pub async fn new(store: Arc<dyn Store>, config: ServerConfig) -> Result<Self, StoreError> {
        let state = Self {
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
