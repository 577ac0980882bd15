//! Named settings.

use async_trait::async_trait;
use lantern_store::{SettingsStore, StoreError};
use rusqlite::OptionalExtension;

use crate::SqliteStore;
use crate::error::sql;

#[async_trait]
impl SettingsStore for SqliteStore {
    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        let key = key.to_owned();
        self.connections
            .read(move |tx| {
                tx.prepare_cached("SELECT value FROM settings WHERE key = ?1")
                    .and_then(|mut stmt| stmt.query_row([&key], |row| row.get(0)).optional())
                    .map_err(sql)
            })
            .await
    }

    async fn put_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let (key, value) = (key.to_owned(), value.to_owned());
        self.connections
            .write(move |tx| {
                tx.prepare_cached(
                    "INSERT INTO settings (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )
                .and_then(|mut stmt| stmt.execute([&key, &value]))
                .map_err(sql)?;
                Ok(())
            })
            .await
    }
}
