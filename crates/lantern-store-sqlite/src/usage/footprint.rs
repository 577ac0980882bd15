//! What a subject sees of their events, and shredding them.

use std::collections::BTreeMap;

use lantern_domain::RestrictionGroundCode;
use lantern_log::{CanonicalEvent, LogEntry, Salt, SubjectPseudonym, SubjectSecret};
use lantern_store::derived::page_limit;
use lantern_store::footprint::{EntryOfSubject, FootprintEntries};
use lantern_store::{Footprint, Shredded, StoreError, StoredEvent, WithheldCount};
use rusqlite::{Connection, OptionalExtension};
use time::Date;

use super::pending::{self, PendingCache};
use crate::codec::{day, julian, parsed};
use crate::error::sql;

/// The subject's stored secret, if they have one.
fn secret(
    conn: &Connection,
    subject: &SubjectPseudonym,
) -> Result<Option<SubjectSecret>, StoreError> {
    let raw = conn
        .prepare_cached("SELECT secret FROM subjects WHERE pseudonym = ?1")
        .and_then(|mut stmt| {
            stmt.query_row([&subject.as_bytes()[..]], |row| {
                Ok(<[u8; 32]>::try_from(row.get_ref(0)?.as_blob()?))
            })
            .optional()
        })
        .map_err(sql)?;
    raw.map(|bytes| {
        bytes
            .map(SubjectSecret::from_bytes)
            .map_err(|_| StoreError::Corrupt("a stored secret".into()))
    })
    .transpose()
}

/// The subject's visible events on page `limit`/`offset`, how many there are, and the withheld
/// ones counted.
///
/// The subject's leaves come from the subject index and the pending copy; each leaf's row is
/// checked to be theirs (index keys are shared now and then) and sorted here, newest first.
pub(super) fn footprint(
    conn: &Connection,
    pendings: &PendingCache,
    subject: &SubjectPseudonym,
    today: Date,
    limit: u32,
    offset: u32,
) -> Result<Footprint, StoreError> {
    let (visible, withheld) = visible_leaves(conn, pendings, subject, today)?;
    let total = visible.len() as u64;
    let page: Vec<u64> = visible
        .iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(page_limit(limit)).unwrap_or(usize::MAX))
        .map(|&(_, leaf)| leaf)
        .collect();
    let events = if page.is_empty() {
        Vec::new()
    } else {
        let secret = secret(conn, subject)?.ok_or_else(|| {
            StoreError::Corrupt("stored events of a subject without a secret".into())
        })?;
        let mut stmt = conn
            .prepare_cached(
                "SELECT u.canonical, e.entry
                 FROM usage_events u JOIN log_entries e ON e.leaf = u.leaf
                 WHERE u.leaf = ?1",
            )
            .map_err(sql)?;
        page.into_iter()
            .map(|index| {
                let (canonical, entry): (Vec<u8>, Vec<u8>) = stmt
                    .query_row([index], |row| Ok((row.get(0)?, row.get(1)?)))
                    .map_err(sql)?;
                stored_event(&secret, index, &canonical, &entry)
            })
            .collect::<Result<_, _>>()?
    };
    Ok(Footprint {
        events,
        total,
        withheld,
    })
}

/// The subject's visible events as log entries, newest first, and the withheld ones counted.
pub(super) fn footprint_entries(
    conn: &Connection,
    pendings: &PendingCache,
    subject: &SubjectPseudonym,
    today: Date,
) -> Result<FootprintEntries, StoreError> {
    let (visible, withheld) = visible_leaves(conn, pendings, subject, today)?;
    let mut stmt = conn
        .prepare_cached("SELECT entry FROM log_entries WHERE leaf = ?1")
        .map_err(sql)?;
    let visible = visible
        .into_iter()
        .map(|(_, index)| {
            let bytes: Vec<u8> = stmt.query_row([index], |row| row.get(0)).map_err(sql)?;
            let entry = LogEntry::decode(&bytes)
                .map_err(|e| StoreError::Corrupt(format!("stored entry {index}: {e}")))?;
            Ok(EntryOfSubject { index, entry })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(FootprintEntries { visible, withheld })
}

/// The subject's events at `indexes` that they may see on `today`, in the order asked.
pub(super) fn subject_events(
    conn: &Connection,
    subject: &SubjectPseudonym,
    today: Date,
    indexes: &[u64],
) -> Result<Vec<StoredEvent>, StoreError> {
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let Some(secret) = secret(conn, subject)? else {
        return Ok(Vec::new());
    };
    let today = julian(today);
    let mut stmt = conn
        .prepare_cached(
            "SELECT u.canonical, e.entry
             FROM usage_events u JOIN log_entries e ON e.leaf = u.leaf
             WHERE u.leaf = ?1 AND u.subject = ?2
               AND (u.withheld_until IS NULL OR u.withheld_until <= ?3)",
        )
        .map_err(sql)?;
    let mut events = Vec::with_capacity(indexes.len());
    for &index in indexes {
        let row: Option<(Vec<u8>, Vec<u8>)> = stmt
            .query_row(
                rusqlite::params![index, &subject.as_bytes()[..], today],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(sql)?;
        if let Some((canonical, entry)) = row {
            events.push(stored_event(&secret, index, &canonical, &entry)?);
        }
    }
    Ok(events)
}

/// An event's `(occurred_at, leaf)`: sorted descending, newest first.
type Occurred = (i64, u64);

/// The subject's visible `(occurred_at, leaf)` pairs, newest first, and their withheld events
/// counted by date and ground.
fn visible_leaves(
    conn: &Connection,
    pendings: &PendingCache,
    subject: &SubjectPseudonym,
    today: Date,
) -> Result<(Vec<Occurred>, Vec<WithheldCount>), StoreError> {
    let today = julian(today);
    let mut visible: Vec<Occurred> = Vec::new();
    let mut withheld: BTreeMap<(i32, String), u64> = BTreeMap::new();
    for row in subject_rows(conn, pendings, subject)? {
        match row.withheld {
            Some((until, ground)) if until > today => {
                *withheld.entry((until, ground)).or_default() += 1;
            }
            _ => visible.push((row.occurred_at, row.leaf)),
        }
    }
    visible.sort_unstable_by(|a, b| b.cmp(a));
    let withheld = withheld
        .into_iter()
        .map(|((until, ground), events)| {
            Ok(WithheldCount {
                ground: parsed(&ground, "restriction ground", RestrictionGroundCode::parse)?,
                until: day(until)?,
                events,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok((visible, withheld))
}

/// What the footprint needs of one of a subject's event rows.
struct SubjectRow {
    leaf: u64,
    id: [u8; 16],
    occurred_at: i64,
    /// The day it becomes visible, and the ground it is withheld on until then.
    withheld: Option<(i32, String)>,
}

/// The subject's stored events, in no particular order.
fn subject_rows(
    conn: &Connection,
    pendings: &PendingCache,
    subject: &SubjectPseudonym,
) -> Result<Vec<SubjectRow>, StoreError> {
    let state = pending::state(conn)?;
    let mut leaves = pending::indexed_subject_leaves(conn, subject)?;
    leaves.extend(pendings.subject_leaves(conn, &state, subject)?);
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, subject, occurred_at, withheld_until, ground FROM usage_events
             WHERE leaf = ?1",
        )
        .map_err(sql)?;
    let mut rows = Vec::with_capacity(leaves.len());
    for leaf in leaves {
        let row = stmt
            .query_row([leaf], |row| {
                let until: Option<i32> = row.get(3)?;
                let ground: Option<String> = row.get(4)?;
                Ok((
                    row.get::<_, Vec<u8>>(0)?,
                    row.get_ref(1)?.as_blob()? == &subject.as_bytes()[..],
                    row.get::<_, i64>(2)?,
                    until.zip(ground),
                ))
            })
            .optional()
            .map_err(sql)?;
        // An index key shared with another subject leads to their rows: skip those.
        if let Some((id, true, occurred_at, withheld)) = row {
            let id = id
                .try_into()
                .map_err(|_| StoreError::Corrupt(format!("stored event id at leaf {leaf}")))?;
            rows.push(SubjectRow {
                leaf,
                id,
                occurred_at,
                withheld,
            });
        }
    }
    Ok(rows)
}

fn stored_event(
    secret: &SubjectSecret,
    index: u64,
    canonical: &[u8],
    entry: &[u8],
) -> Result<StoredEvent, StoreError> {
    let event = CanonicalEvent::decode(canonical)
        .map_err(|e| StoreError::Corrupt(format!("stored event at leaf {index}: {e}")))?;
    let entry = LogEntry::decode(entry)
        .map_err(|e| StoreError::Corrupt(format!("stored entry {index}: {e}")))?;
    Ok(StoredEvent {
        index,
        salt: Salt::derive(secret, &event.parts().id),
        event,
        entry,
    })
}

/// Deletes the subject's secret and events, and their index rows. The writer runs with
/// `secure_delete` on, so their bytes are overwritten with zeros in the pages the commit
/// writes.
pub(super) fn shred(
    conn: &Connection,
    pendings: &PendingCache,
    subject: &SubjectPseudonym,
) -> Result<Shredded, StoreError> {
    let secrets = conn
        .prepare_cached("DELETE FROM subjects WHERE pseudonym = ?1")
        .and_then(|mut stmt| stmt.execute([&subject.as_bytes()[..]]))
        .map_err(sql)?;
    let rows = subject_rows(conn, pendings, subject)?;
    let mut delete = conn
        .prepare_cached("DELETE FROM usage_events WHERE leaf = ?1")
        .map_err(sql)?;
    for row in &rows {
        delete.execute([row.leaf]).map_err(sql)?;
        pending::unindex(conn, row.leaf, &row.id, subject)?;
    }
    let consents = conn
        .prepare_cached("DELETE FROM consents WHERE subject = ?1")
        .and_then(|mut stmt| stmt.execute([&subject.as_bytes()[..]]))
        .map_err(sql)?;
    pending::count_shredding(conn)?;
    Ok(Shredded {
        secret_deleted: secrets > 0,
        events_deleted: rows.len() as u64,
        consents_deleted: consents as u64,
    })
}
