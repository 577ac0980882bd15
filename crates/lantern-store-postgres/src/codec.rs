//! Running statements (each prepared once per connection) and checking what comes back:
//! columns, versions, hashes, codes. Whatever cannot be read back is [`StoreError::Corrupt`].
//! Times travel as `TIMESTAMPTZ` (microseconds, read back in UTC) and documents as `JSONB`.

use std::fmt;

use deadpool_postgres::GenericClient;
use lantern_domain::AgencyCode;
use lantern_log::Hash;
use lantern_store::StoreError;
use tokio_postgres::Row;
use tokio_postgres::types::{FromSql, ToSql};

use crate::error::{column, pg};

/// The value of column `index` of `row`.
pub(crate) fn get<'a, T: FromSql<'a>>(row: &'a Row, index: usize) -> Result<T, StoreError> {
    row.try_get(index).map_err(column)
}

/// Runs a statement prepared once per connection and returns its rows.
pub(crate) async fn query<C: GenericClient>(
    client: &C,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Row>, StoreError> {
    let statement = client.prepare_cached(sql).await.map_err(pg)?;
    client.query(&statement, params).await.map_err(pg)
}

/// Runs a statement prepared once per connection and returns its row, if any.
pub(crate) async fn query_opt<C: GenericClient>(
    client: &C,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Option<Row>, StoreError> {
    let statement = client.prepare_cached(sql).await.map_err(pg)?;
    client.query_opt(&statement, params).await.map_err(pg)
}

/// Runs a statement prepared once per connection and returns how many rows it changed.
pub(crate) async fn execute<C: GenericClient>(
    client: &C,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<u64, StoreError> {
    let statement = client.prepare_cached(sql).await.map_err(pg)?;
    client.execute(&statement, params).await.map_err(pg)
}

/// Query parameters collected while a statement is built; each `add` names its placeholder.
#[derive(Default)]
pub(crate) struct Params {
    pub(crate) values: Vec<Box<dyn ToSql + Sync + Send>>,
}

impl Params {
    pub(crate) fn add(&mut self, value: impl ToSql + Sync + Send + 'static) -> String {
        self.values.push(Box::new(value));
        format!("${}", self.values.len())
    }

    pub(crate) fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.values
            .iter()
            .map(|v| v.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }
}

/// A version number as stored (`INTEGER`).
pub(crate) fn db_version(version: u32) -> Result<i32, StoreError> {
    i32::try_from(version).map_err(|_| {
        StoreError::Corrupt(format!(
            "version {version} is beyond what the schema stores"
        ))
    })
}

/// A stored version number.
pub(crate) fn version(raw: i32) -> Result<u32, StoreError> {
    u32::try_from(raw).map_err(|_| StoreError::Corrupt(format!("version {raw} is out of range")))
}

/// A stored SHA-256 hash.
pub(crate) fn hash(raw: &[u8]) -> Result<[u8; 32], StoreError> {
    bytes32(raw, "hash")
}

/// A stored 32-byte value (a hash, key or pseudonym), `what` naming it in the error.
pub(crate) fn bytes32(raw: &[u8], what: &str) -> Result<[u8; 32], StoreError> {
    raw.try_into().map_err(|_| {
        StoreError::Corrupt(format!("a stored {what} has {} bytes, not 32", raw.len()))
    })
}

/// A size, index or count as stored (`BIGINT`).
pub(crate) fn db_u64(value: u64) -> Result<i64, StoreError> {
    i64::try_from(value)
        .map_err(|_| StoreError::Corrupt(format!("{value} is beyond what the schema stores")))
}

/// A stored size, index or count.
pub(crate) fn stored_u64(raw: i64) -> Result<u64, StoreError> {
    u64::try_from(raw).map_err(|_| StoreError::Corrupt(format!("stored count {raw} is negative")))
}

/// A stored Merkle tree hash.
pub(crate) fn tree_hash(raw: &[u8]) -> Result<Hash, StoreError> {
    hash(raw).map(Hash::from_bytes)
}

/// A stored agency code.
pub(crate) fn agency_code(raw: &str) -> Result<AgencyCode, StoreError> {
    code(raw, AgencyCode::parse)
}

/// A stored code or name, read with `parse`.
pub(crate) fn code<T, E: fmt::Display>(
    raw: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, StoreError> {
    parse(raw).map_err(|e| StoreError::Corrupt(format!("stored value {raw:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_values_are_corrupt() {
        assert!(matches!(version(-1), Err(StoreError::Corrupt(_))));
        assert!(matches!(db_version(u32::MAX), Err(StoreError::Corrupt(_))));
        assert!(matches!(hash(&[0; 33]), Err(StoreError::Corrupt(_))));
        assert!(matches!(agency_code("lower"), Err(StoreError::Corrupt(_))));
        assert!(matches!(stored_u64(-1), Err(StoreError::Corrupt(_))));
        assert!(matches!(db_u64(u64::MAX), Err(StoreError::Corrupt(_))));
        assert!(matches!(tree_hash(&[0; 31]), Err(StoreError::Corrupt(_))));
        assert_eq!(version(7).unwrap(), 7);
    }
}
