//! The PostgreSQL backend of the Lantern store: the backend for production and scale.
//!
//! **In scope:** [`PostgresStore`], which implements every trait of [`lantern_store::Store`]
//! over a pool of connections to one database (optionally confined to one schema); the schema
//! as numbered migrations in `migrations/`, applied under an advisory lock when the store
//! connects; the mapping of PostgreSQL failures onto [`StoreError`].
//!
//! **Out of scope:** what a method promises (documented on the traits in `lantern-store` and
//! checked by `lantern-store-tests`, which this crate runs against a live server when built
//! with the `postgres-tests` feature); authorisation; TLS (connect over loopback, a Unix
//! socket or a private network); distribution (Citus sharding of usage events comes with them).
//!
//! Domain values are stored as serde JSON documents (`JSONB`), one per version, next to the few
//! columns that searches filter on; the schema is the SQLite backend's, in PostgreSQL's types.
//! Every write is one transaction; rows it decides on are locked (`FOR UPDATE`, or an insert
//! that waits on a concurrent one) so concurrent writers serialise instead of failing.

mod access;
mod codec;
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
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Client, Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use lantern_store::StoreError;
use tokio_postgres::NoTls;

use crate::error::pool;
use crate::usage::FrontierCache;

/// Connections a store keeps at most. Every call holds one connection for its duration, so
/// this bounds the calls in flight; more wait for a free connection.
const POOL_SIZE: usize = 16;

/// How long a call waits for a free connection, and how long opening one may take, before the
/// call fails as unavailable.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);

/// A Lantern store in a PostgreSQL database. Cheap to clone: clones share the pool.
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    schema: Option<String>,
    /// Shared by clones, which sequence appends to the same log.
    frontier: Arc<FrontierCache>,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/database`, or any
    /// form `tokio_postgres::Config` parses) and applies any migrations it lacks, in the schema
    /// the connection's `search_path` selects (by default `public`).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when `url` does not parse or the server cannot be reached or
    /// refuses the login; [`StoreError::Corrupt`] when the database holds a schema newer than
    /// this build.
    pub async fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        Self::start(parse_url(url)?, None).await
    }

    /// Like [`PostgresStore::connect`], but keeps every table in `schema`, creating it if
    /// missing: every pooled connection starts with `search_path` set to it. Several stores can
    /// so share one database without seeing each other's data — separate deployments, or one
    /// fresh, empty store per test.
    ///
    /// `schema` is a lowercase SQL identifier: a letter or `_`, then letters, digits or `_`, at
    /// most 63 bytes, not starting with `pg_`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when `schema` is not such an identifier, and as
    /// [`PostgresStore::connect`].
    pub async fn connect_in_schema(url: &str, schema: &str) -> Result<PostgresStore, StoreError> {
        let schema = schema_name(schema)?;
        let mut config = parse_url(url)?;
        let search_path = format!("-c search_path={schema}");
        let options = match config.get_options() {
            Some(given) => format!("{given} {search_path}"),
            None => search_path,
        };
        config.options(options);
        Self::start(config, Some(schema)).await
    }

    async fn start(
        config: tokio_postgres::Config,
        schema: Option<&str>,
    ) -> Result<PostgresStore, StoreError> {
        // Fast recycling only checks that a returned connection is open; a connection the server
        // dropped fails its next statement as unavailable and is discarded.
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(CONNECTION_TIMEOUT))
            .create_timeout(Some(CONNECTION_TIMEOUT))
            .build()
            .map_err(|e| StoreError::Unavailable(format!("building the connection pool: {e}")))?;
        let store = Self {
            pool,
            schema: schema.map(str::to_owned),
            frontier: Arc::default(),
        };
        let mut client = store.client().await?;
        migrations::apply(&mut client, schema).await?;
        Ok(store)
    }

    /// A pooled connection.
    async fn client(&self) -> Result<Client, StoreError> {
        self.pool.get().await.map_err(pool)
    }
}

impl fmt::Debug for PostgresStore {
    // The pool's configuration holds the password: show only what identifies the store.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("schema", &self.schema)
            .field("connections", &self.pool.status().size)
            .finish_non_exhaustive()
    }
}

/// Parses a connection URL. The error never repeats the URL, which may hold a password.
fn parse_url(url: &str) -> Result<tokio_postgres::Config, StoreError> {
    url.parse()
        .map_err(|e| StoreError::Unavailable(format!("the PostgreSQL URL does not parse: {e}")))
}

/// Checks that `raw` can be spliced into SQL as a schema name without quoting.
fn schema_name(raw: &str) -> Result<&str, StoreError> {
    let ok_start = raw
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b == b'_');
    let ok_chars = raw
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok_start && ok_chars && raw.len() <= 63 && !raw.starts_with("pg_") {
        Ok(raw)
    } else {
        Err(StoreError::Unavailable(format!(
            "{raw:?} is not a usable schema name: use a lowercase letter or _, then letters, digits or _"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_are_plain_identifiers() {
        for good in ["lantern", "_t", "lantern_test_0a1b", &"a".repeat(63)] {
            assert!(schema_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "Lantern",
            "1abc",
            "a-b",
            "a;drop",
            "pg_catalog",
            "a b",
            "\"x\"",
            &"a".repeat(64),
        ] {
            assert!(schema_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_bad_url_is_reported_without_echoing_it() {
        let e = parse_url("postgres://user:s3cret@host:notaport/db").unwrap_err();
        assert!(
            matches!(&e, StoreError::Unavailable(m) if !m.contains("s3cret")),
            "{e:?}"
        );
    }
}
