//! Appending a batch of events: one write transaction that looks up what the batch needs,
//! plans the append with the shared [`plan_append`], and writes the plan.

use std::collections::{HashMap, HashSet};

use lantern_log::{EventId, Frontier, SubjectPseudonym, SubjectSecret};
use lantern_store::sequencing::{AppendPlan, plan_append};
use lantern_store::{AppendReceipt, NewUsageEvent, StoreError};
use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use super::tree::{self, FrontierCache};
use crate::codec::{julian, micros};
use crate::error::sql;

/// Appends `events` inside the write transaction `conn` is in. Returns the receipt and the
/// advanced frontier, which the caller caches once the transaction has committed.
pub(super) fn append(
    conn: &Connection,
    cache: &FrontierCache,
    events: &[NewUsageEvent],
    received_at: OffsetDateTime,
) -> Result<(AppendReceipt, Frontier), StoreError> {
    let head = tree::head(conn)?;
    let mut frontier = tree::frontier(conn, cache, &head)?;
    let stored_ids = stored_ids(conn, events)?;
    let secrets = stored_secrets(conn, events)?;
    // `rand::random` draws from the thread-local ChaCha generator seeded by the OS: a CSPRNG.
    let plan = plan_append(&mut frontier, events, &stored_ids, &secrets, || {
        SubjectSecret::from_bytes(rand::random())
    })?;
    if !plan.rows.is_empty() {
        write(conn, &plan, micros(received_at)?)?;
    }
    Ok((
        AppendReceipt {
            outcomes: plan.outcomes,
            tree: plan.tree,
        },
        frontier,
    ))
}

/// An event id as stored: the UUID's 16 bytes.
pub(super) fn id_bytes(id: &EventId) -> Result<[u8; 16], StoreError> {
    uuid::Uuid::try_parse(id.as_str())
        .map(uuid::Uuid::into_bytes)
        .map_err(|e| StoreError::Corrupt(format!("event id {id}: {e}")))
}

/// The leaf indexes of the batch's events whose ids are stored already.
fn stored_ids(
    conn: &Connection,
    events: &[NewUsageEvent],
) -> Result<HashMap<EventId, u64>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT leaf FROM usage_events WHERE id = ?1")
        .map_err(sql)?;
    let mut stored = HashMap::new();
    for new in events {
        let id = &new.event.parts().id;
        let leaf = stmt
            .query_row([&id_bytes(id)?[..]], |row| row.get(0))
            .optional()
            .map_err(sql)?;
        if let Some(leaf) = leaf {
            stored.insert(id.clone(), leaf);
        }
    }
    Ok(stored)
}

/// The stored secrets of the batch's subjects who have one.
fn stored_secrets(
    conn: &Connection,
    events: &[NewUsageEvent],
) -> Result<HashMap<SubjectPseudonym, SubjectSecret>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT secret FROM subjects WHERE pseudonym = ?1")
        .map_err(sql)?;
    let mut asked = HashSet::with_capacity(events.len());
    let mut secrets = HashMap::with_capacity(events.len());
    for new in events {
        let subject = new.event.parts().subject;
        if !asked.insert(subject) {
            continue;
        }
        let secret = stmt
            .query_row([&subject.as_bytes()[..]], |row| {
                Ok(<[u8; 32]>::try_from(row.get_ref(0)?.as_blob()?))
            })
            .optional()
            .map_err(sql)?;
        if let Some(secret) = secret {
            let secret = secret.map_err(|_| StoreError::Corrupt("a stored secret".into()))?;
            secrets.insert(subject, SubjectSecret::from_bytes(secret));
        }
    }
    Ok(secrets)
}

/// Writes everything the plan adds.
fn write(conn: &Connection, plan: &AppendPlan<'_>, received_at: i64) -> Result<(), StoreError> {
    write_secrets(conn, plan)?;
    write_events(conn, plan)?;
    write_hashes(conn, plan)?;
    write_statistics(conn, plan, received_at)?;
    tree::set_head(conn, &plan.tree)
}

fn write_secrets(conn: &Connection, plan: &AppendPlan<'_>) -> Result<(), StoreError> {
    let mut stmt = conn
        .prepare_cached("INSERT INTO subjects (pseudonym, secret) VALUES (?1, ?2)")
        .map_err(sql)?;
    for (subject, secret) in &plan.new_secrets {
        stmt.execute([&subject.as_bytes()[..], &secret.as_bytes()[..]])
            .map_err(sql)?;
    }
    Ok(())
}

fn write_events(conn: &Connection, plan: &AppendPlan<'_>) -> Result<(), StoreError> {
    let mut event_stmt = conn
        .prepare_cached(
            "INSERT INTO usage_events
                 (leaf, id, subject, occurred_at, withheld_until, ground, canonical)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(sql)?;
    let mut entry_stmt = conn
        .prepare_cached("INSERT INTO log_entries (leaf, entry) VALUES (?1, ?2)")
        .map_err(sql)?;
    for row in &plan.rows {
        let parts = row.event.parts();
        let confidential = parts.confidential.as_ref();
        event_stmt
            .execute(params![
                row.index,
                &id_bytes(&parts.id)?[..],
                &parts.subject.as_bytes()[..],
                micros(parts.occurred_at)?,
                confidential.map(|c| julian(c.until)),
                confidential.map(|c| c.ground.as_str()),
                row.canonical.as_bytes(),
            ])
            .map_err(sql)?;
        entry_stmt
            .execute(params![row.index, row.entry.as_bytes()])
            .map_err(sql)?;
    }
    Ok(())
}

fn write_hashes(conn: &Connection, plan: &AppendPlan<'_>) -> Result<(), StoreError> {
    let mut stmt = conn
        .prepare_cached("INSERT INTO log_hashes (idx, hash) VALUES (?1, ?2)")
        .map_err(sql)?;
    for (idx, hash) in (plan.hashes_from..).zip(&plan.hashes) {
        stmt.execute(params![idx, &hash.as_bytes()[..]])
            .map_err(sql)?;
    }
    Ok(())
}

/// `SET` clause adding `excluded`'s counts to a rollup row; records saturate at `i64::MAX`.
macro_rules! add_counts {
    () => {
        "events = events + excluded.events,
         records = CASE WHEN records > 9223372036854775807 - excluded.records
                        THEN 9223372036854775807 ELSE records + excluded.records END"
    };
}

/// A record count as stored: saturated at `i64::MAX`.
fn records(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn write_statistics(
    conn: &Connection,
    plan: &AppendPlan<'_>,
    received_at: i64,
) -> Result<(), StoreError> {
    let mut monthly = conn
        .prepare_cached(concat!(
            "INSERT INTO usage_monthly
                 (month, agency, file, action, purpose, legal_basis, out_of_purpose, events, records)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (month, agency, file, action, purpose, legal_basis, out_of_purpose)
             DO UPDATE SET ",
            add_counts!()
        ))
        .map_err(sql)?;
    for (key, counts) in &plan.monthly {
        monthly
            .execute(params![
                julian(key.month),
                key.agency.as_str(),
                key.file.as_str(),
                key.action.as_str(),
                key.purpose.as_str(),
                key.legal_basis.as_str(),
                key.out_of_purpose,
                counts.events,
                records(counts.records),
            ])
            .map_err(sql)?;
    }
    let mut daily = conn
        .prepare_cached(concat!(
            "INSERT INTO usage_daily (file, day, events, records) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (file, day) DO UPDATE SET ",
            add_counts!()
        ))
        .map_err(sql)?;
    for ((file, day), counts) in &plan.daily {
        daily
            .execute(params![
                file.as_str(),
                julian(*day),
                counts.events,
                records(counts.records)
            ])
            .map_err(sql)?;
    }
    let mut activity = conn
        .prepare_cached(
            "INSERT INTO usage_file_activity
                 (file, agency, first_event, last_event, last_reported, events)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (file) DO UPDATE SET
                 first_event = min(first_event, excluded.first_event),
                 last_event = max(last_event, excluded.last_event),
                 last_reported = excluded.last_reported,
                 events = events + excluded.events",
        )
        .map_err(sql)?;
    for delta in &plan.activity {
        activity
            .execute(params![
                delta.file.as_str(),
                delta.agency.as_str(),
                micros(delta.first_event)?,
                micros(delta.last_event)?,
                received_at,
                delta.events,
            ])
            .map_err(sql)?;
    }
    Ok(())
}
