//! Named settings.

use async_trait::async_trait;
use lantern_store::{SettingsStore, StoreError};

use crate::PostgresStore;
use crate::codec::{execute, get, query_opt};

#[async_trait]
impl SettingsStore for PostgresStore {
    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        let client = self.client().await?;
        let row = query_opt(
            &client,
            "SELECT value FROM settings WHERE key = $1",
            &[&key],
        )
        .await?;
        row.as_ref().map(|row| get(row, 0)).transpose()
    }

    async fn put_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let client = self.client().await?;
        // One statement is one transaction: the upsert is atomic and durable on return.
        execute(
            &client,
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            &[&key, &value],
        )
        .await?;
        Ok(())
    }
}
