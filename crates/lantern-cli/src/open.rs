//! Opening the store a command works on: PostgreSQL when a URL is given, else SQLite in the
//! data directory.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use lantern_store::Store;
use lantern_store_postgres::PostgresStore;
use lantern_store_sqlite::SqliteStore;

use crate::cli::StoreArgs;

/// The SQLite database's file name inside the data directory.
pub(crate) const SQLITE_FILE: &str = "lantern.db";

/// Opens the store named by `args`, creating the data directory if needed.
pub(crate) async fn open_store(args: &StoreArgs) -> anyhow::Result<Arc<dyn Store>> {
    match &args.database_url {
        Some(url) => {
            let store = PostgresStore::connect(url)
                .await
                .context("connecting to PostgreSQL")?;
            Ok(Arc::new(store))
        }
        None => open_sqlite(&args.data),
    }
}

/// Opens (creating if needed) the SQLite store in `data`.
pub(crate) fn open_sqlite(data: &Path) -> anyhow::Result<Arc<dyn Store>> {
    std::fs::create_dir_all(data)
        .with_context(|| format!("creating data directory {}", data.display()))?;
    let path = data.join(SQLITE_FILE);
    let store = SqliteStore::open(&path).with_context(|| format!("opening {}", path.display()))?;
    Ok(Arc::new(store))
}
