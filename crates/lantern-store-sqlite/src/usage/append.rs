//! Appending a batch of events: one write transaction that looks up what the batch needs,
//! plans the append with the shared [`plan_append`], and writes the plan. Nothing is written
//! to the id and subject indexes here: see [`super::pending`].

use std::collections::{HashMap, HashSet};

use lantern_log::{EventId, Frontier, SubjectPseudonym, SubjectSecret};
use lantern_store::sequencing::{AppendPlan, plan_append};
use lantern_store::{AppendReceipt, NewUsageEvent, StoreError};
use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use super::pending::{self, IndexState, PendingCache, PendingEvent};
use super::secrets::SecretCache;
use super::tree::{self, FrontierCache};
use crate::codec::{julian, micros};
use crate::error::sql;

/// What an append leaves for the store to cache once its transaction has committed.
pub(super) struct Appended {
    pub(super) receipt: AppendReceipt,
    /// The advanced frontier.
    pub(super) frontier: Frontier,
    /// The index state the append started from.
    pub(super) before: IndexState,
    /// The new events, now pending indexing.
    pub(super) pending: Vec<PendingEvent>,
    /// Secrets read or created, to be cached once the transaction has committed.
    pub(super) secrets: Vec<(SubjectPseudonym, SubjectSecret)>,
}

/// The store's in-memory copies an append reads. None is changed before the transaction
/// commits: what it adds is returned in [`Appended`].
pub(super) struct Caches<'a> {
    pub(super) frontier: &'a FrontierCache,
    pub(super) pending: &'a PendingCache,
    pub(super) secrets: &'a SecretCache,
}

/// Appends `events` inside the write transaction `conn` is in.
pub(super) fn append(
    conn: &Connection,
    caches: &Caches<'_>,
    events: &[NewUsageEvent],
    received_at: OffsetDateTime,
) -> Result<Appended, StoreError> {
    let head = tree::head(conn)?;
    let before = pending::state(conn)?;
    let mut frontier = tree::frontier(conn, caches.frontier, &head)?;
    let stored_ids = stored_ids(conn, caches.pending, &before, events)?;
    let (secrets, mut read) = stored_secrets(conn, caches.secrets, before.shreds, events)?;
    // `rand::random` draws from the thread-local ChaCha generator seeded by the OS: a CSPRNG.
    let plan = plan_append(&mut frontier, events, &stored_ids, &secrets, || {
        SubjectSecret::from_bytes(rand::random())
    })?;
    if !plan.rows.is_empty() {
        write(conn, &plan, micros(received_at)?)?;
    }
    let pending = plan
        .rows
        .iter()
        .map(|row| {
            let parts = row.event.parts();
            Ok(PendingEvent {
                leaf: row.index,
                id: id_bytes(&parts.id)?,
                subject: parts.subject,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Appended {
        receipt: AppendReceipt {
            outcomes: plan.outcomes,
            tree: plan.tree,
        },
        frontier,
        before,
        pending,
        secrets: {
            read.extend(plan.new_secrets);
            read
        },
    })
}

/// An event id as stored: the UUID's 16 bytes.
pub(super) fn id_bytes(id: &EventId) -> Result<[u8; 16], StoreError> {
    uuid::Uuid::try_parse(id.as_str())
        .map(uuid::Uuid::into_bytes)
        .map_err(|e| StoreError::Corrupt(format!("event id {id}: {e}")))
}

/// The leaf indexes of the batch's events whose ids are stored already: pending or indexed.
fn stored_ids(
    conn: &Connection,
    pendings: &PendingCache,
    state: &IndexState,
    events: &[NewUsageEvent],
) -> Result<HashMap<EventId, u64>, StoreError> {
    let pending = pendings.synced(conn, state)?;
    let mut stored = HashMap::new();
    for new in events {
        let id = &new.event.parts().id;
        let bytes = id_bytes(id)?;
        let leaf = match pending.leaf_of(&bytes) {
            Some(leaf) => Some(leaf),
            None if pending.may_be_indexed(&bytes) => pending::indexed_leaf_of(conn, &bytes)?,
            None => None,
        };
        if let Some(leaf) = leaf {
            stored.insert(id.clone(), leaf);
        }
    }
    Ok(stored)
}

/// A batch's stored secrets, and those of them that were read rather than cached.
type SecretsFound = (
    HashMap<SubjectPseudonym, SubjectSecret>,
    Vec<(SubjectPseudonym, SubjectSecret)>,
);

/// The stored secrets of the batch's subjects who have one, from the cache or read; and the
/// ones read, to be cached once the transaction has committed.
fn stored_secrets(
    conn: &Connection,
    cache: &SecretCache,
    shreds: u64,
    events: &[NewUsageEvent],
) -> Result<SecretsFound, StoreError> {
    let mut secrets = cache.get(shreds, events.iter().map(|new| new.event.parts().subject));
    let mut stmt = conn
        .prepare_cached("SELECT secret FROM subjects WHERE pseudonym = ?1")
        .map_err(sql)?;
    let mut asked = HashSet::with_capacity(events.len());
    let mut read = Vec::new();
    for new in events {
        let subject = new.event.parts().subject;
        if secrets.contains_key(&subject) || !asked.insert(subject) {
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
            read.push((subject, SubjectSecret::from_bytes(secret)));
        }
    }
    secrets.extend(read.iter().cloned());
    Ok((secrets, read))
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
