//! What a subject sees of their events, and shredding them.

use lantern_domain::RestrictionGroundCode;
use lantern_log::{CanonicalEvent, LogEntry, Salt, SubjectPseudonym, SubjectSecret};
use lantern_store::derived::page_limit;
use lantern_store::{Footprint, Shredded, StoreError, StoredEvent, WithheldCount};
use rusqlite::{Connection, OptionalExtension, params};
use time::Date;

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
pub(super) fn footprint(
    conn: &Connection,
    subject: &SubjectPseudonym,
    today: Date,
    limit: u32,
    offset: u32,
) -> Result<Footprint, StoreError> {
    let today = julian(today);
    let pseudonym = &subject.as_bytes()[..];
    let rows: Vec<(u64, Vec<u8>, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT u.leaf, u.canonical, e.entry
             FROM usage_events u JOIN log_entries e ON e.leaf = u.leaf
             WHERE u.subject = ?1 AND (u.withheld_until IS NULL OR u.withheld_until <= ?2)
             ORDER BY u.occurred_at DESC, u.leaf DESC
             LIMIT ?3 OFFSET ?4",
        )
        .and_then(|mut stmt| {
            stmt.query_map(
                params![pseudonym, today, page_limit(limit), offset],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )?
            .collect()
        })
        .map_err(sql)?;
    let events = if rows.is_empty() {
        Vec::new()
    } else {
        let secret = secret(conn, subject)?.ok_or_else(|| {
            StoreError::Corrupt("stored events of a subject without a secret".into())
        })?;
        rows.into_iter()
            .map(|(index, canonical, entry)| stored_event(&secret, index, &canonical, &entry))
            .collect::<Result<_, _>>()?
    };
    let total = conn
        .prepare_cached(
            "SELECT count(*) FROM usage_events
             WHERE subject = ?1 AND (withheld_until IS NULL OR withheld_until <= ?2)",
        )
        .and_then(|mut stmt| stmt.query_row(params![pseudonym, today], |row| row.get(0)))
        .map_err(sql)?;
    Ok(Footprint {
        events,
        total,
        withheld: withheld(conn, pseudonym, today)?,
    })
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

/// The subject's events withheld today, counted by review date and ground.
fn withheld(
    conn: &Connection,
    pseudonym: &[u8],
    today: i32,
) -> Result<Vec<WithheldCount>, StoreError> {
    let rows: Vec<(i32, String, u64)> = conn
        .prepare_cached(
            "SELECT withheld_until, ground, count(*) FROM usage_events
             WHERE subject = ?1 AND withheld_until > ?2
             GROUP BY withheld_until, ground
             ORDER BY withheld_until, ground",
        )
        .and_then(|mut stmt| {
            stmt.query_map(params![pseudonym, today], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })?
            .collect()
        })
        .map_err(sql)?;
    rows.into_iter()
        .map(|(until, ground, events)| {
            Ok(WithheldCount {
                ground: parsed(&ground, "restriction ground", RestrictionGroundCode::parse)?,
                until: day(until)?,
                events,
            })
        })
        .collect()
}

/// Deletes the subject's secret and events. The writer runs with `secure_delete` on, so their
/// bytes are overwritten with zeros in the pages the commit writes.
pub(super) fn shred(conn: &Connection, subject: &SubjectPseudonym) -> Result<Shredded, StoreError> {
    let pseudonym = &subject.as_bytes()[..];
    let secrets = conn
        .prepare_cached("DELETE FROM subjects WHERE pseudonym = ?1")
        .and_then(|mut stmt| stmt.execute([pseudonym]))
        .map_err(sql)?;
    let events = conn
        .prepare_cached("DELETE FROM usage_events WHERE subject = ?1")
        .and_then(|mut stmt| stmt.execute([pseudonym]))
        .map_err(sql)?;
    Ok(Shredded {
        secret_deleted: secrets > 0,
        events_deleted: events as u64,
    })
}
