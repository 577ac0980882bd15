//! The usage log's lookup indexes (event id → leaf, subject → leaves), kept behind the appends
//! (see `migrations/0005_deferred_usage_indexes.sql` for why).
//!
//! Leaves below the stored `indexed_through` are in the index tables. The leaves from there to
//! the tree size are *pending*: every store keeps a copy of their ids and subjects in memory
//! ([`PendingCache`]), brought up to date from the event rows whenever the database has moved
//! on without it (another process appended or shredded, or the store just opened). Once
//! enough are pending, an indexing run inserts them into the index tables in key order, so
//! each index page is written once per run rather than once per event.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use lantern_log::SubjectPseudonym;
use lantern_store::StoreError;
use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};

use super::id_filter::IdFilter;
use crate::error::sql;

/// Pending events that make an append run an indexing pass afterwards. An indexing run writes
/// about every page of the two indexes, so the more events one run takes, the less each costs;
/// the pending copy holds about 100 bytes per event, 40 MB at most.
pub(crate) const INDEX_BACKLOG: u64 = 400_000;

/// An event id's index key: the first 8 bytes of SHA-256 of its 16 bytes, big-endian.
pub(super) fn id_key(id: &[u8; 16]) -> i64 {
    let digest = Sha256::digest(id);
    let mut key = [0; 8];
    key.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(key)
}

/// A subject's index key: the first 8 bytes of their pseudonym, big-endian.
pub(super) fn subject_key(subject: &SubjectPseudonym) -> i64 {
    let mut key = [0; 8];
    key.copy_from_slice(&subject.as_bytes()[..8]);
    i64::from_be_bytes(key)
}

/// The tree size and the indexes' state, as one transaction sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IndexState {
    /// Leaves in the tree.
    pub(super) size: u64,
    /// Leaves below this are in the index tables.
    pub(super) indexed_through: u64,
    /// Shreddings so far.
    pub(super) shreds: u64,
}

impl IndexState {
    /// Leaves not yet in the index tables.
    pub(super) fn backlog(&self) -> u64 {
        self.size - self.indexed_through
    }
}

/// Reads the state inside the caller's transaction.
pub(super) fn state(conn: &Connection) -> Result<IndexState, StoreError> {
    let (size, indexed_through, shreds): (u64, u64, u64) = conn
        .prepare_cached(
            "SELECT t.size, s.indexed_through, s.shreds
             FROM log_tree t, usage_index_state s WHERE t.id = 1 AND s.id = 1",
        )
        .and_then(|mut stmt| stmt.query_row([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?))))
        .map_err(sql)?;
    if indexed_through > size {
        return Err(StoreError::Corrupt(format!(
            "the usage indexes go to leaf {indexed_through}, beyond the tree of {size}"
        )));
    }
    Ok(IndexState {
        size,
        indexed_through,
        shreds,
    })
}

/// One appended event, as the pending copy holds it.
#[derive(Clone, Copy)]
pub(super) struct PendingEvent {
    pub(super) leaf: u64,
    pub(super) id: [u8; 16],
    pub(super) subject: SubjectPseudonym,
}

/// The ids and subjects of the pending leaves `indexed_through .. size`.
#[derive(Default)]
pub(super) struct Pending {
    indexed_through: u64,
    size: u64,
    shreds: u64,
    ids: HashMap<[u8; 16], u64>,
    subjects: HashMap<SubjectPseudonym, Vec<u64>>,
    /// The keys of the indexed ids, once the writer has needed them.
    filter: Option<IdFilter>,
}

impl Pending {
    /// Whether this copy is of the same indexing run and shreddings as `state`.
    fn same_epoch(&self, state: &IndexState) -> bool {
        self.indexed_through == state.indexed_through && self.shreds == state.shreds
    }

    /// Brings the copy to `state`, which must be what the transaction of `conn` sees: reads
    /// the leaves it lacks, or everything pending when it is of another epoch or ahead.
    fn sync(&mut self, conn: &Connection, state: &IndexState) -> Result<(), StoreError> {
        if !self.same_epoch(state) || self.size > state.size {
            *self = Pending {
                indexed_through: state.indexed_through,
                size: state.indexed_through,
                shreds: state.shreds,
                filter: self.filter.take(),
                ..Pending::default()
            };
        }
        if self.size < state.size {
            for event in read_events(conn, self.size, state.size)? {
                self.add(event);
            }
            self.size = state.size;
        }
        Ok(())
    }

    fn add(&mut self, event: PendingEvent) {
        self.ids.insert(event.id, event.leaf);
        self.subjects
            .entry(event.subject)
            .or_default()
            .push(event.leaf);
    }

    /// The leaf of a pending event with this id.
    pub(super) fn leaf_of(&self, id: &[u8; 16]) -> Option<u64> {
        self.ids.get(id).copied()
    }

    /// Whether an indexed event may have this id (false: certainly none has).
    pub(super) fn may_be_indexed(&self, id: &[u8; 16]) -> bool {
        self.filter
            .as_ref()
            .is_none_or(|filter| filter.may_contain(id_key(id)))
    }

    /// Brings the id filter to the indexed leaves of `state`: adds the keys of leaves indexed
    /// since (by another process), or builds it afresh from the id index when it is missing,
    /// full or ahead.
    fn sync_filter(&mut self, conn: &Connection, state: &IndexState) -> Result<(), StoreError> {
        let through = state.indexed_through;
        match &mut self.filter {
            Some(filter) if filter.through == through => {}
            Some(filter)
                if filter.through < through && filter.has_room_for(through - filter.through) =>
            {
                for event in read_events(conn, filter.through, through)? {
                    filter.insert(id_key(&event.id));
                }
                filter.through = through;
            }
            _ => {
                let mut filter = IdFilter::with_capacity(through.saturating_mul(2), through);
                let mut stmt = conn
                    .prepare_cached("SELECT key FROM usage_event_ids")
                    .map_err(sql)?;
                let keys = stmt.query_map([], |row| row.get(0)).map_err(sql)?;
                for key in keys {
                    filter.insert(key.map_err(sql)?);
                }
                self.filter = Some(filter);
            }
        }
        Ok(())
    }

    /// The subject's pending leaves below `size`, ascending.
    fn leaves_of(&self, subject: &SubjectPseudonym, size: u64) -> Vec<u64> {
        self.subjects.get(subject).map_or_else(Vec::new, |leaves| {
            leaves.iter().copied().take_while(|&l| l < size).collect()
        })
    }
}

/// The leaf, id and subject of the stored events of leaves `from .. to`.
fn read_events(conn: &Connection, from: u64, to: u64) -> Result<Vec<PendingEvent>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT leaf, id, subject FROM usage_events WHERE leaf >= ?1 AND leaf < ?2
             ORDER BY leaf",
        )
        .map_err(sql)?;
    let rows = stmt
        .query_map(params![from, to], |row| {
            Ok((
                row.get::<_, u64>(0)?,
                row.get::<_, Vec<u8>>(1)?,
                row.get::<_, Vec<u8>>(2)?,
            ))
        })
        .map_err(sql)?;
    rows.map(|row| {
        let (leaf, id, subject) = row.map_err(sql)?;
        let corrupt = || StoreError::Corrupt(format!("stored event at leaf {leaf}"));
        Ok(PendingEvent {
            leaf,
            id: id.try_into().map_err(|_| corrupt())?,
            subject: SubjectPseudonym::from_bytes(subject.try_into().map_err(|_| corrupt())?),
        })
    })
    .collect()
}

/// A store's copy of the pending events.
#[derive(Default)]
pub(crate) struct PendingCache(Mutex<Pending>);

impl PendingCache {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        // Every change under the lock leaves a copy that is consistent or marked to be reread
        // (its size only grows once its rows are in), so a poisoned one is still usable.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The copy brought to `state`, for the writer (whose transaction sees the latest state).
    pub(super) fn synced(
        &self,
        conn: &Connection,
        state: &IndexState,
    ) -> Result<MutexGuard<'_, Pending>, StoreError> {
        let mut pending = self.lock();
        pending.sync(conn, state)?;
        pending.sync_filter(conn, state)?;
        Ok(pending)
    }

    /// Adds the id keys an indexing run committed, taking the indexed leaves from `from` to
    /// `to`. A filter not exactly at `from` is left alone: the next append catches it up.
    pub(super) fn indexed(&self, from: u64, to: u64, keys: &[i64]) {
        let mut pending = self.lock();
        if let Some(filter) = pending.filter.as_mut()
            && filter.through == from
            && filter.has_room_for(keys.len() as u64)
        {
            for &key in keys {
                filter.insert(key);
            }
            filter.through = to;
        }
    }

    /// Records events an append committed on top of `before`. A copy that is not exactly at
    /// `before` is left alone: the next use rereads what it lacks.
    pub(super) fn appended(&self, before: &IndexState, events: Vec<PendingEvent>) {
        let mut pending = self.lock();
        if pending.same_epoch(before) && pending.size == before.size {
            let size = before.size + events.len() as u64;
            for event in events {
                pending.add(event);
            }
            pending.size = size;
        }
    }

    /// The subject's pending leaves in a reader's snapshot `state`. Uses the copy when it is of
    /// the snapshot's epoch (catching it up if it is behind); otherwise, as when an indexing
    /// run committed after the snapshot was taken, scans the snapshot's pending rows.
    pub(super) fn subject_leaves(
        &self,
        conn: &Connection,
        state: &IndexState,
        subject: &SubjectPseudonym,
    ) -> Result<Vec<u64>, StoreError> {
        {
            let mut pending = self.lock();
            if pending.same_epoch(state) {
                if pending.size < state.size {
                    pending.sync(conn, state)?;
                }
                return Ok(pending.leaves_of(subject, state.size));
            }
        }
        conn.prepare_cached(
            "SELECT leaf FROM usage_events WHERE leaf >= ?1 AND leaf < ?2 AND subject = ?3
             ORDER BY leaf",
        )
        .and_then(|mut stmt| {
            stmt.query_map(
                params![state.indexed_through, state.size, &subject.as_bytes()[..]],
                |row| row.get(0),
            )?
            .collect()
        })
        .map_err(sql)
    }
}

/// What an indexing run did.
pub(crate) struct IndexRun {
    /// The leaves indexed before and after.
    pub(crate) from: u64,
    pub(crate) to: u64,
    /// The id keys it inserted, in key order.
    pub(crate) id_keys: Vec<i64>,
}

/// Inserts every pending event into the index tables, in key order, if at least
/// `min_backlog` are pending.
pub(crate) fn index_pending(conn: &Connection, min_backlog: u64) -> Result<IndexRun, StoreError> {
    let state = state(conn)?;
    if state.backlog() == 0 || state.backlog() < min_backlog {
        return Ok(IndexRun {
            from: state.indexed_through,
            to: state.indexed_through,
            id_keys: Vec::new(),
        });
    }
    let events = read_events(conn, state.indexed_through, state.size)?;
    let mut ids: Vec<(i64, u64)> = events.iter().map(|e| (id_key(&e.id), e.leaf)).collect();
    let mut subjects: Vec<(i64, u64)> = events
        .iter()
        .map(|e| (subject_key(&e.subject), e.leaf))
        .collect();
    ids.sort_unstable();
    subjects.sort_unstable();
    insert_keys(conn, "usage_event_ids", &ids)?;
    insert_keys(conn, "usage_subject_events", &subjects)?;
    conn.prepare_cached("UPDATE usage_index_state SET indexed_through = ?1 WHERE id = 1")
        .and_then(|mut stmt| stmt.execute([state.size]))
        .map_err(sql)?;
    Ok(IndexRun {
        from: state.indexed_through,
        to: state.size,
        id_keys: ids.into_iter().map(|(key, _)| key).collect(),
    })
}

fn insert_keys(conn: &Connection, table: &str, keys: &[(i64, u64)]) -> Result<(), StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!("INSERT INTO {table} (key, leaf) VALUES (?1, ?2)"))
        .map_err(sql)?;
    for (key, leaf) in keys {
        stmt.execute(params![key, leaf]).map_err(sql)?;
    }
    Ok(())
}

/// The subject's indexed leaves (some may be another subject's with the same key).
pub(super) fn indexed_subject_leaves(
    conn: &Connection,
    subject: &SubjectPseudonym,
) -> Result<Vec<u64>, StoreError> {
    conn.prepare_cached("SELECT leaf FROM usage_subject_events WHERE key = ?1")
        .and_then(|mut stmt| {
            stmt.query_map([subject_key(subject)], |row| row.get(0))?
                .collect()
        })
        .map_err(sql)
}

/// The leaf of the indexed event with this id.
pub(super) fn indexed_leaf_of(conn: &Connection, id: &[u8; 16]) -> Result<Option<u64>, StoreError> {
    use rusqlite::OptionalExtension;
    conn.prepare_cached(
        "SELECT k.leaf FROM usage_event_ids k JOIN usage_events u ON u.leaf = k.leaf
         WHERE k.key = ?1 AND u.id = ?2",
    )
    .and_then(|mut stmt| {
        stmt.query_row(params![id_key(id), &id[..]], |row| row.get(0))
            .optional()
    })
    .map_err(sql)
}

/// Records a shredding: other stores' pending copies are stale from now on.
pub(super) fn count_shredding(conn: &Connection) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE usage_index_state SET shreds = shreds + 1 WHERE id = 1")
        .and_then(|mut stmt| stmt.execute([]))
        .map_err(sql)?;
    Ok(())
}

/// Deletes a shredded event's index rows (a no-op for a pending one).
pub(super) fn unindex(
    conn: &Connection,
    leaf: u64,
    id: &[u8; 16],
    subject: &SubjectPseudonym,
) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM usage_event_ids WHERE key = ?1 AND leaf = ?2")
        .and_then(|mut stmt| stmt.execute(params![id_key(id), leaf]))
        .map_err(sql)?;
    conn.prepare_cached("DELETE FROM usage_subject_events WHERE key = ?1 AND leaf = ?2")
        .and_then(|mut stmt| stmt.execute(params![subject_key(subject), leaf]))
        .map_err(sql)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_leading_bytes_big_endian() {
        let subject = SubjectPseudonym::from_bytes([0x80; 32]);
        assert_eq!(subject_key(&subject), i64::from_be_bytes([0x80; 8]));
        // SHA-256 of 16 zero bytes begins 374708fff7719dd5.
        assert_eq!(id_key(&[0; 16]), 0x3747_08ff_f771_9dd5);
    }
}
