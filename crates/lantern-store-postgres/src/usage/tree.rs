//! The stored tree: its head, hashes and entries, and the latest signed checkpoint.

use std::collections::HashMap;

use deadpool_postgres::GenericClient;
use lantern_log::Hash;
use lantern_store::{StoreError, TreeHead};
use tokio_postgres::Row;

use crate::codec::{db_u64, execute, get, query, query_opt, stored_u64, tree_hash};

/// The head in a row of `size, root`.
fn head(row: Option<Row>) -> Result<TreeHead, StoreError> {
    let row = row.ok_or_else(|| StoreError::Corrupt("the log_head row is missing".into()))?;
    Ok(TreeHead {
        size: stored_u64(get(&row, 0)?)?,
        root: tree_hash(get(&row, 1)?)?,
    })
}

/// The committed head.
pub(super) async fn tree_head<C: GenericClient>(client: &C) -> Result<TreeHead, StoreError> {
    head(query_opt(client, "SELECT size, root FROM log_head", &[]).await?)
}

/// Locks the head row for the rest of the transaction and reads it. Appends and shreds call this
/// first: under READ COMMITTED each later statement of theirs reads a snapshot taken after the
/// lock was granted, so it sees whatever the previous holder committed.
pub(super) async fn lock_head<C: GenericClient>(tx: &C) -> Result<TreeHead, StoreError> {
    head(query_opt(tx, "SELECT size, root FROM log_head FOR UPDATE", &[]).await?)
}

/// The stored hashes among `indexes`, by index; those not stored are absent.
pub(super) async fn hashes_at<C: GenericClient>(
    client: &C,
    indexes: &[u64],
) -> Result<HashMap<u64, Hash>, StoreError> {
    // An index beyond BIGINT is not stored.
    let wanted: Vec<i64> = indexes
        .iter()
        .filter_map(|&i| i64::try_from(i).ok())
        .collect();
    let rows = query(
        client,
        "SELECT idx, hash FROM log_hashes WHERE idx = ANY($1)",
        &[&wanted],
    )
    .await?;
    rows.iter()
        .map(|row| Ok((stored_u64(get(row, 0)?)?, tree_hash(get(row, 1)?)?)))
        .collect()
}

/// The hashes at `indexes`, in the order asked; not found when one is not stored.
pub(super) async fn stored_hashes<C: GenericClient>(
    client: &C,
    indexes: &[u64],
) -> Result<Vec<Hash>, StoreError> {
    let found = hashes_at(client, indexes).await?;
    indexes
        .iter()
        .map(|index| {
            found
                .get(index)
                .copied()
                .ok_or_else(|| StoreError::NotFound(format!("stored hash {index}")))
        })
        .collect()
}

/// The entries of leaves `start .. start + count` that exist, in order.
pub(super) async fn log_entries<C: GenericClient>(
    client: &C,
    start: u64,
    count: u64,
) -> Result<Vec<Vec<u8>>, StoreError> {
    let Ok(first) = i64::try_from(start) else {
        return Ok(Vec::new());
    };
    let end = i64::try_from(start.saturating_add(count)).unwrap_or(i64::MAX);
    let rows = query(
        client,
        "SELECT entry FROM log_entries WHERE leaf >= $1 AND leaf < $2 ORDER BY leaf",
        &[&first, &end],
    )
    .await?;
    rows.iter().map(|row| get(row, 0)).collect()
}

/// The saved checkpoint's size and note.
pub(super) async fn latest_checkpoint<C: GenericClient>(
    client: &C,
) -> Result<Option<(u64, String)>, StoreError> {
    let row = query_opt(client, "SELECT size, note FROM log_checkpoint", &[]).await?;
    row.map(|row| Ok((stored_u64(get(&row, 0)?)?, get(&row, 1)?)))
        .transpose()
}

/// Saves the checkpoint unless one at least as large is saved. One statement: the upsert waits
/// for a concurrent one and then compares against what it saved.
pub(super) async fn save_checkpoint<C: GenericClient>(
    client: &C,
    size: u64,
    note: &str,
) -> Result<bool, StoreError> {
    let saved = execute(
        client,
        "INSERT INTO log_checkpoint AS c (size, note) VALUES ($1, $2)
         ON CONFLICT (only_row) DO UPDATE SET size = excluded.size, note = excluded.note
         WHERE c.size < excluded.size",
        &[&db_u64(size)?, &note],
    )
    .await?;
    Ok(saved == 1)
}
