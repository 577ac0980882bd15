//! Imported reference lists, each replaced wholesale in one transaction.

use async_trait::async_trait;
use lantern_domain::reference::{CategoryEntry, PurposeEntry};
use lantern_domain::{DataCategoryCode, PurposeCode};
use lantern_store::{ReferenceStore, StoreError};

use crate::PostgresStore;
use crate::codec::{execute, get, query};
use crate::error::pg;

#[async_trait]
impl ReferenceStore for PostgresStore {
    async fn replace_imported_purposes(&self, entries: &[PurposeEntry]) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg)?;
        // Two replacements at once must not interleave their deletes and inserts: the second
        // waits here for the first to commit. Readers are not blocked.
        tx.batch_execute(
            "LOCK TABLE imported_purposes IN EXCLUSIVE MODE; DELETE FROM imported_purposes",
        )
        .await
        .map_err(pg)?;
        for entry in entries {
            // A code listed twice violates the key: Conflict, and the rollback keeps the old list.
            execute(
                &tx,
                "INSERT INTO imported_purposes (code, name_zh, name_en) VALUES ($1, $2, $3)",
                &[&entry.code.as_str(), &entry.name_zh, &entry.name_en],
            )
            .await?;
        }
        tx.commit().await.map_err(pg)
    }

    async fn replace_imported_categories(
        &self,
        entries: &[CategoryEntry],
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg)?;
        tx.batch_execute(
            "LOCK TABLE imported_categories IN EXCLUSIVE MODE; DELETE FROM imported_categories",
        )
        .await
        .map_err(pg)?;
        for entry in entries {
            execute(
                &tx,
                "INSERT INTO imported_categories (code, group_zh, name_zh, name_en, examples_zh)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &entry.code.as_str(),
                    &entry.group_zh,
                    &entry.name_zh,
                    &entry.name_en,
                    &entry.examples_zh,
                ],
            )
            .await?;
        }
        tx.commit().await.map_err(pg)
    }

    async fn imported_purposes(&self) -> Result<Vec<PurposeEntry>, StoreError> {
        let client = self.client().await?;
        let rows = query(
            &client,
            "SELECT code, name_zh, name_en FROM imported_purposes ORDER BY code",
            &[],
        )
        .await?;
        rows.iter()
            .map(|row| {
                let code: &str = get(row, 0)?;
                Ok(PurposeEntry {
                    code: PurposeCode::parse(code).map_err(|e| {
                        StoreError::Corrupt(format!("imported purpose code {code:?}: {e}"))
                    })?,
                    name_zh: get(row, 1)?,
                    name_en: get(row, 2)?,
                })
            })
            .collect()
    }

    async fn imported_categories(&self) -> Result<Vec<CategoryEntry>, StoreError> {
        let client = self.client().await?;
        let rows = query(
            &client,
            "SELECT code, group_zh, name_zh, name_en, examples_zh FROM imported_categories ORDER BY code",
            &[],
        )
        .await?;
        rows.iter()
            .map(|row| {
                let code: &str = get(row, 0)?;
                Ok(CategoryEntry {
                    code: DataCategoryCode::parse(code).map_err(|e| {
                        StoreError::Corrupt(format!("imported category code {code:?}: {e}"))
                    })?,
                    group_zh: get(row, 1)?,
                    name_zh: get(row, 2)?,
                    name_en: get(row, 3)?,
                    examples_zh: get(row, 4)?,
                })
            })
            .collect()
    }
}
