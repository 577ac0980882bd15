//! The SQLite backend of the Lantern store: the embedded default, one database file in the
//! data directory and nothing else to install.
//!
//! **In scope:** [`SqliteStore`], which implements every trait of [`lantern_store::Store`] on
//! one SQLite file (WAL, `synchronous=FULL`, foreign keys on); the schema as numbered
//! migrations in `migrations/`, applied when the store opens; the mapping of SQLite failures
//! onto [`StoreError`].
//!
//! **Out of scope:** what a method promises (documented on the traits in `lantern-store` and
//! checked by `lantern-store-tests`, which this crate runs in its own tests); authorisation;
//! several processes writing one file at high rates (they are safe, but queue on SQLite's lock;
//! PostgreSQL is the backend for that).
//!
//! Domain values are stored as serde JSON documents, one per version, next to the few columns
//! that searches filter on. Times are kept as microseconds since the Unix epoch and returned in
//! UTC. Every write is one `BEGIN IMMEDIATE` transaction on the single writer connection, run on
//! tokio's blocking pool; reads run on a pool of `query_only` connections. WAL checkpoints
//! run on a thread of their own. The usage log keeps its id and subject indexes behind the
//! appends, with the events not yet indexed held in memory (see `usage`).

mod access;
mod checkpointer;
mod codec;
mod connections;
mod data_requests;
mod error;
mod migrations;
mod provider_requests;
mod reference;
mod register;
mod services;
mod settings;
mod usage;

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use lantern_store::StoreError;

use crate::connections::Connections;
use crate::usage::{FrontierCache, INDEX_BACKLOG, PendingCache, SecretCache};

/// A Lantern store in one SQLite database file. Cheap to clone: clones share the connections,
/// the cached right edge of the usage log's tree, the events not yet indexed and recently
/// used subject secrets.
#[derive(Clone)]
pub struct SqliteStore {
    connections: Arc<Connections>,
    frontier: Arc<FrontierCache>,
    pending: Arc<PendingCache>,
    secrets: Arc<SecretCache>,
    /// Pending events that make an append index them.
    index_backlog: u64,
}

impl SqliteStore {
    /// Opens the database file at `path`, creating the file and its parent directories if they
    /// are missing, and applies any migrations the file lacks. Blocks while it does so (call it
    /// at start-up, or from `spawn_blocking`).
    ///
    /// Other processes may open the same file; they queue for SQLite's write lock.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the directory or file cannot be created or opened, or
    /// the file cannot be switched to WAL; [`StoreError::Corrupt`] when it is not a SQLite
    /// database or holds a schema newer than this build.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        Self::open_indexing_after(path, INDEX_BACKLOG)
    }

    /// [`SqliteStore::open`], indexing the usage log's event ids and subjects whenever
    /// `backlog` events (at least 1) are waiting, rather than the default 400,000. Small values
    /// make every append pay for an indexing run; tests use them to exercise both the
    /// indexed and the pending lookups.
    ///
    /// # Errors
    /// As [`SqliteStore::open`].
    pub fn open_indexing_after(path: &Path, backlog: u64) -> Result<SqliteStore, StoreError> {
        let connections = Arc::new(Connections::open(path)?);
        let index_backlog = backlog.max(1);
        // A log far behind (as one just migrated from a schema without these indexes) is
        // indexed now, so the pending copy stays small.
        connections.write_at_open(|tx| usage::index_pending(tx, index_backlog).map(drop))?;
        Ok(Self {
            connections,
            frontier: Arc::default(),
            pending: Arc::default(),
            secrets: Arc::default(),
            index_backlog,
        })
    }
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.connections.path())
            .finish()
    }
}
