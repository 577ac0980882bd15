//! Imported reference lists, each replaced wholesale in one transaction.

use async_trait::async_trait;
use lantern_domain::reference::{CategoryEntry, PurposeEntry};
use lantern_domain::{DataCategoryCode, PurposeCode};
use lantern_store::{ReferenceStore, StoreError};
use rusqlite::params;

use crate::SqliteStore;
use crate::error::sql;

#[async_trait]
impl ReferenceStore for SqliteStore {
    async fn replace_imported_purposes(&self, entries: &[PurposeEntry]) -> Result<(), StoreError> {
        let entries = entries.to_vec();
        self.connections
            .write(move |tx| {
                tx.execute("DELETE FROM imported_purposes", []).map_err(sql)?;
                let mut insert =
                    tx.prepare_cached("INSERT INTO imported_purposes (code, name_zh, name_en) VALUES (?1, ?2, ?3)").map_err(sql)?;
                for entry in &entries {
                    // A code listed twice violates the key: Conflict, and the rollback keeps the old list.
                    insert.execute(params![entry.code.as_str(), entry.name_zh, entry.name_en]).map_err(sql)?;
                }
                Ok(())
            })
            .await
    }

    async fn replace_imported_categories(
        &self,
        entries: &[CategoryEntry],
    ) -> Result<(), StoreError> {
        let entries = entries.to_vec();
        self.connections
            .write(move |tx| {
                tx.execute("DELETE FROM imported_categories", []).map_err(sql)?;
                let mut insert = tx
                    .prepare_cached(
                        "INSERT INTO imported_categories (code, group_zh, name_zh, name_en, examples_zh)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                    )
                    .map_err(sql)?;
                for entry in &entries {
                    insert
                        .execute(params![entry.code.as_str(), entry.group_zh, entry.name_zh, entry.name_en, entry.examples_zh])
                        .map_err(sql)?;
                }
                Ok(())
            })
            .await
    }

    async fn imported_purposes(&self) -> Result<Vec<PurposeEntry>, StoreError> {
        self.connections
            .read(|tx| {
                let rows = tx
                    .prepare_cached(
                        "SELECT code, name_zh, name_en FROM imported_purposes ORDER BY code",
                    )
                    .and_then(|mut stmt| {
                        stmt.query_map([], |row| {
                            Ok((row.get::<_, String>(0)?, row.get(1)?, row.get(2)?))
                        })?
                        .collect::<Result<Vec<_>, _>>()
                    })
                    .map_err(sql)?;
                rows.into_iter()
                    .map(|(code, name_zh, name_en)| {
                        let code = PurposeCode::parse(&code).map_err(|e| {
                            StoreError::Corrupt(format!("imported purpose code {code:?}: {e}"))
                        })?;
                        Ok(PurposeEntry {
                            code,
                            name_zh,
                            name_en,
                        })
                    })
                    .collect()
            })
            .await
    }

    async fn imported_categories(&self) -> Result<Vec<CategoryEntry>, StoreError> {
        self.connections
            .read(|tx| {
                let rows = tx
                    .prepare_cached(
                        "SELECT code, group_zh, name_zh, name_en, examples_zh FROM imported_categories ORDER BY code",
                    )
                    .and_then(|mut stmt| {
                        stmt.query_map([], |row| {
                            Ok((row.get::<_, String>(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
                        })?
                        .collect::<Result<Vec<_>, _>>()
                    })
                    .map_err(sql)?;
                rows.into_iter()
                    .map(|(code, group_zh, name_zh, name_en, examples_zh)| {
                        let code = DataCategoryCode::parse(&code)
                            .map_err(|e| StoreError::Corrupt(format!("imported category code {code:?}: {e}")))?;
                        Ok(CategoryEntry { code, group_zh, name_zh, name_en, examples_zh })
                    })
                    .collect()
            })
            .await
    }
}
