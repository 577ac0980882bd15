//! The tree as stored: its head, stored hashes and entries, the latest signed checkpoint, and
//! the cached frontier appends start from.

use std::sync::{Mutex, PoisonError};

use lantern_log::merkle::stored_hash_count;
use lantern_log::{Frontier, Hash, HashReader, ProofError};
use lantern_store::{StoreError, TreeHead};
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::sql;

/// The frontier of the stored tree as of the last append this store committed, so that an
/// append need not read it back. Every append checks it against the stored tree size first,
/// so a stale one (another process appended, or a commit's answer was lost) is reloaded, never
/// used.
#[derive(Default)]
pub(crate) struct FrontierCache(Mutex<Option<Frontier>>);

impl FrontierCache {
    /// A copy of the cached frontier, if it is the frontier of a tree of `size` leaves.
    pub(super) fn copy_of(&self, size: u64) -> Option<Frontier> {
        // Only whole values are ever stored under the lock, so a poisoned one is consistent.
        let cached = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        cached.as_ref().filter(|f| f.size() == size).cloned()
    }

    /// Keeps `frontier`, committed by an append, unless a larger tree's is cached already (an
    /// append that started later but finished first).
    pub(super) fn advance(&self, frontier: Frontier) {
        let mut cached = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if cached.as_ref().is_none_or(|c| c.size() < frontier.size()) {
            *cached = Some(frontier);
        }
    }
}

/// Reads stored hashes through a connection, inside whatever transaction it is in.
pub(super) struct StoredHashes<'a>(pub(super) &'a Connection);

impl HashReader for StoredHashes<'_> {
    type Error = StoreError;

    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StoreError> {
        let mut stmt = self
            .0
            .prepare_cached("SELECT hash FROM log_hashes WHERE idx = ?1")
            .map_err(sql)?;
        indexes
            .iter()
            .map(|&idx| {
                stmt.query_row([idx], |row| {
                    Ok(Hash::from_slice(row.get_ref(0)?.as_blob()?))
                })
                .optional()
                .map_err(sql)?
                .ok_or_else(|| StoreError::Corrupt(format!("stored hash {idx} is missing")))?
                .map_err(|e| StoreError::Corrupt(format!("stored hash {idx}: {e}")))
            })
            .collect()
    }
}

/// The stored tree's size and root.
pub(super) fn head(conn: &Connection) -> Result<TreeHead, StoreError> {
    let (size, root) = conn
        .prepare_cached("SELECT size, root FROM log_tree WHERE id = 1")
        .and_then(|mut stmt| {
            stmt.query_row([], |row| {
                Ok((
                    row.get::<_, u64>(0)?,
                    Hash::from_slice(row.get_ref(1)?.as_blob()?),
                ))
            })
        })
        .map_err(sql)?;
    let root = root.map_err(|e| StoreError::Corrupt(format!("stored tree root: {e}")))?;
    Ok(TreeHead { size, root })
}

/// Writes the tree's new head.
pub(super) fn set_head(conn: &Connection, tree: &TreeHead) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE log_tree SET size = ?1, root = ?2 WHERE id = 1")
        .and_then(|mut stmt| stmt.execute(params![tree.size, &tree.root.as_bytes()[..]]))
        .map_err(sql)?;
    Ok(())
}

/// The frontier of the stored tree `head`, from the cache or read back, checked against the
/// stored root.
pub(super) fn frontier(
    conn: &Connection,
    cache: &FrontierCache,
    head: &TreeHead,
) -> Result<Frontier, StoreError> {
    let frontier = match cache.copy_of(head.size) {
        Some(cached) => cached,
        None => Frontier::load(head.size, &StoredHashes(conn)).map_err(|e| match e {
            ProofError::Read(e) => e,
            other => StoreError::Corrupt(format!("loading the tree's frontier: {other}")),
        })?,
    };
    if frontier.root() != head.root {
        return Err(StoreError::Corrupt(format!(
            "the stored hashes of the tree of size {} do not lead to its stored root",
            head.size
        )));
    }
    Ok(frontier)
}

/// The stored hashes at `indexes`, each of which must be within the stored tree.
pub(super) fn stored_hashes(conn: &Connection, indexes: &[u64]) -> Result<Vec<Hash>, StoreError> {
    let stored = stored_hash_count(head(conn)?.size);
    if let Some(beyond) = indexes.iter().find(|&&idx| idx >= stored) {
        return Err(StoreError::NotFound(format!(
            "stored hash {beyond} (the tree has {stored})"
        )));
    }
    StoredHashes(conn).read_hashes(indexes)
}

/// The entries of leaves `start .. start + count`, as far as the tree goes.
pub(super) fn entries(
    conn: &Connection,
    start: u64,
    count: u64,
) -> Result<Vec<Vec<u8>>, StoreError> {
    // Leaf indexes stay far below i64::MAX, so clamping changes no answer.
    let clamp = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    conn.prepare_cached(
        "SELECT entry FROM log_entries WHERE leaf >= ?1 AND leaf < ?2 ORDER BY leaf",
    )
    .and_then(|mut stmt| {
        stmt.query_map([clamp(start), clamp(start.saturating_add(count))], |row| {
            row.get(0)
        })?
        .collect()
    })
    .map_err(sql)
}

/// The latest saved checkpoint and its tree size.
pub(super) fn latest_checkpoint(conn: &Connection) -> Result<Option<(u64, String)>, StoreError> {
    conn.prepare_cached("SELECT size, note FROM log_checkpoint WHERE id = 1")
        .and_then(|mut stmt| {
            stmt.query_row([], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()
        })
        .map_err(sql)
}

/// Saves the checkpoint unless one of the same or a larger tree is saved; whether it was.
pub(super) fn save_checkpoint(
    conn: &Connection,
    size: u64,
    note: &str,
) -> Result<bool, StoreError> {
    let saved = conn
        .prepare_cached(
            "INSERT INTO log_checkpoint (id, size, note) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET size = excluded.size, note = excluded.note
             WHERE excluded.size > log_checkpoint.size",
        )
        .and_then(|mut stmt| stmt.execute(params![size, note]))
        .map_err(sql)?;
    Ok(saved > 0)
}
