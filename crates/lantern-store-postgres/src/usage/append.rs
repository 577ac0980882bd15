//! Appending a batch of events: sequenced under the lock on `log_head`, planned by
//! [`plan_append`], and written in bulk, one statement per table whatever the batch's size.

use std::collections::{HashMap, HashSet};

use deadpool_postgres::GenericClient;
use lantern_domain::FileId;
use lantern_log::{EventId, Hash, SubjectPseudonym, SubjectSecret};
use lantern_store::derived::stored_instant;
use lantern_store::sequencing::{
    ActivityDelta, AppendPlan, Counts, EventRow, MonthlyKey, plan_append,
};
use lantern_store::{AppendReceipt, NewUsageEvent, StoreError, TreeHead};
use rand::Rng;
use time::{Date, OffsetDateTime};

use super::tree::lock_head;
use crate::PostgresStore;
use crate::codec::{bytes32, code, db_u64, execute, get, query, stored_u64};
use crate::error::pg;

/// The `SET` list of an upsert that adds its counts to those of the row aliased `$alias`;
/// records saturate at the largest `BIGINT`.
macro_rules! add_counts {
    ($alias:literal) => {
        concat!(
            "events = ",
            $alias,
            ".events + excluded.events, records = least(",
            $alias,
            ".records, 9223372036854775807 - excluded.records) + excluded.records"
        )
    };
}

/// Appends `events` in one transaction; the cached frontier advances only once it commits.
pub(super) async fn append(
    store: &PostgresStore,
    events: &[NewUsageEvent],
    received_at: OffsetDateTime,
) -> Result<AppendReceipt, StoreError> {
    let mut client = store.client().await?;
    let tx = client.transaction().await.map_err(pg)?;
    let head = lock_head(&tx).await?;
    let mut frontier = store.frontier.working_copy(&tx, head).await?;
    let (stored_ids, secrets) =
        tokio::try_join!(biased; stored_ids(&tx, events), secrets(&tx, events))?;
    let plan = {
        // ThreadRng: a CSPRNG seeded from the operating system.
        let mut rng = rand::rng();
        plan_append(&mut frontier, events, &stored_ids, &secrets, || {
            SubjectSecret::from_bytes(rng.random())
        })?
    };
    if !plan.rows.is_empty() {
        write(&tx, &plan, received_at).await?;
    }
    tx.commit().await.map_err(pg)?;
    store.frontier.keep(frontier);
    Ok(AppendReceipt {
        outcomes: plan.outcomes,
        tree: plan.tree,
    })
}

/// The leaf indexes of the batch's events that are stored already.
async fn stored_ids<C: GenericClient>(
    tx: &C,
    events: &[NewUsageEvent],
) -> Result<HashMap<EventId, u64>, StoreError> {
    let ids: Vec<&str> = events.iter().map(|e| e.event.parts().id.as_str()).collect();
    let rows = query(
        tx,
        "SELECT id::text, leaf FROM usage_events WHERE id = ANY($1::text[]::uuid[])",
        &[&ids],
    )
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                code(get(row, 0)?, EventId::parse)?,
                stored_u64(get(row, 1)?)?,
            ))
        })
        .collect()
}

/// The stored secrets of the batch's subjects.
async fn secrets<C: GenericClient>(
    tx: &C,
    events: &[NewUsageEvent],
) -> Result<HashMap<SubjectPseudonym, SubjectSecret>, StoreError> {
    let subjects: HashSet<&[u8]> = events
        .iter()
        .map(|e| &e.event.parts().subject.as_bytes()[..])
        .collect();
    let subjects: Vec<&[u8]> = subjects.into_iter().collect();
    let rows = query(
        tx,
        "SELECT pseudonym, secret FROM subjects WHERE pseudonym = ANY($1)",
        &[&subjects],
    )
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                SubjectPseudonym::from_bytes(bytes32(get(row, 0)?, "pseudonym")?),
                SubjectSecret::from_bytes(bytes32(get(row, 1)?, "secret")?),
            ))
        })
        .collect()
}

/// Writes everything the plan adds, and the new head.
async fn write<C: GenericClient>(
    tx: &C,
    plan: &AppendPlan<'_>,
    received_at: OffsetDateTime,
) -> Result<(), StoreError> {
    // Pipelined: biased polling sends the statements in this order without waiting for each
    // answer. The server runs them in order and refuses those after a failure as part of an
    // aborted transaction, so polling in order returns the failure itself.
    tokio::try_join!(
        biased;
        insert_secrets(tx, &plan.new_secrets),
        insert_events(tx, &plan.rows),
        insert_hashes(tx, plan.hashes_from, &plan.hashes),
        add_monthly(tx, &plan.monthly),
        add_daily(tx, &plan.daily),
        add_activity(tx, &plan.activity, received_at),
        set_head(tx, plan.tree),
    )?;
    Ok(())
}

async fn set_head<C: GenericClient>(tx: &C, head: TreeHead) -> Result<(), StoreError> {
    execute(
        tx,
        "UPDATE log_head SET size = $1, root = $2",
        &[&db_u64(head.size)?, &&head.root.as_bytes()[..]],
    )
    .await?;
    Ok(())
}

async fn insert_secrets<C: GenericClient>(
    tx: &C,
    secrets: &[(SubjectPseudonym, SubjectSecret)],
) -> Result<(), StoreError> {
    let (pseudonyms, secrets): (Vec<&[u8]>, Vec<&[u8]>) = secrets
        .iter()
        .map(|(p, s)| (&p.as_bytes()[..], &s.as_bytes()[..]))
        .unzip();
    execute(
        tx,
        "INSERT INTO subjects (pseudonym, secret) SELECT * FROM unnest($1::bytea[], $2::bytea[])",
        &[&pseudonyms, &secrets],
    )
    .await?;
    Ok(())
}

/// Inserts the events and their entries.
async fn insert_events<C: GenericClient>(tx: &C, rows: &[EventRow<'_>]) -> Result<(), StoreError> {
    let leaves: Vec<i64> = rows
        .iter()
        .map(|row| db_u64(row.index))
        .collect::<Result<_, _>>()?;
    let parts: Vec<_> = rows.iter().map(|row| row.event.parts()).collect();
    let ids: Vec<&str> = parts.iter().map(|p| p.id.as_str()).collect();
    let subjects: Vec<&[u8]> = parts.iter().map(|p| &p.subject.as_bytes()[..]).collect();
    let occurred: Vec<OffsetDateTime> = parts
        .iter()
        .map(|p| stored_instant(p.occurred_at))
        .collect();
    let until: Vec<Option<Date>> = parts
        .iter()
        .map(|p| p.confidential.as_ref().map(|c| c.until))
        .collect();
    let grounds: Vec<Option<&str>> = parts
        .iter()
        .map(|p| p.confidential.as_ref().map(|c| c.ground.as_str()))
        .collect();
    let canonical: Vec<&[u8]> = rows.iter().map(|row| row.canonical.as_bytes()).collect();
    let entries: Vec<&[u8]> = rows.iter().map(|row| row.entry.as_bytes()).collect();
    execute(
        tx,
        "INSERT INTO usage_events (id, leaf, subject, occurred_at, withheld_until, withheld_ground, canonical)
         SELECT * FROM unnest($1::text[]::uuid[], $2::int8[], $3::bytea[], $4::timestamptz[], $5::date[], $6::text[], $7::bytea[])",
        &[&ids, &leaves, &subjects, &occurred, &until, &grounds, &canonical],
    )
    .await?;
    execute(
        tx,
        "INSERT INTO log_entries (leaf, entry) SELECT * FROM unnest($1::int8[], $2::bytea[])",
        &[&leaves, &entries],
    )
    .await?;
    Ok(())
}

/// Inserts `hashes` at consecutive stored-hash indexes from `from`.
async fn insert_hashes<C: GenericClient>(
    tx: &C,
    from: u64,
    hashes: &[Hash],
) -> Result<(), StoreError> {
    let hashes: Vec<&[u8]> = hashes.iter().map(|h| &h.as_bytes()[..]).collect();
    execute(
        tx,
        "INSERT INTO log_hashes (idx, hash)
         SELECT $1::int8 + t.n - 1, t.hash FROM unnest($2::bytea[]) WITH ORDINALITY AS t(hash, n)",
        &[&db_u64(from)?, &hashes],
    )
    .await?;
    Ok(())
}

/// A count as stored: counts saturate at the largest `BIGINT`, as the plan's do at `u64::MAX`.
fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The columns of counts to add.
fn counts<'a>(counts: impl Iterator<Item = &'a Counts>) -> (Vec<i64>, Vec<i64>) {
    counts.map(|c| (count(c.events), count(c.records))).unzip()
}

async fn add_monthly<C: GenericClient>(
    tx: &C,
    monthly: &[(MonthlyKey, Counts)],
) -> Result<(), StoreError> {
    let keys: Vec<&MonthlyKey> = monthly.iter().map(|(key, _)| key).collect();
    let months: Vec<Date> = keys.iter().map(|k| k.month).collect();
    let agencies: Vec<&str> = keys.iter().map(|k| k.agency.as_str()).collect();
    let files: Vec<&str> = keys.iter().map(|k| k.file.as_str()).collect();
    let actions: Vec<&str> = keys.iter().map(|k| k.action.as_str()).collect();
    let purposes: Vec<&str> = keys.iter().map(|k| k.purpose.as_str()).collect();
    let bases: Vec<&str> = keys.iter().map(|k| k.legal_basis.as_str()).collect();
    let out_of_purpose: Vec<bool> = keys.iter().map(|k| k.out_of_purpose).collect();
    let (events, records) = counts(monthly.iter().map(|(_, c)| c));
    execute(
        tx,
        concat!(
            "INSERT INTO usage_monthly AS m (month, agency, file_id, action, purpose, legal_basis, out_of_purpose, events, records)
             SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[], $8::int8[], $9::int8[])
             ON CONFLICT (month, agency, file_id, action, purpose, legal_basis, out_of_purpose) DO UPDATE SET ",
            add_counts!("m"),
        ),
        &[&months, &agencies, &files, &actions, &purposes, &bases, &out_of_purpose, &events, &records],
    )
    .await?;
    Ok(())
}

async fn add_daily<C: GenericClient>(
    tx: &C,
    daily: &[((FileId, Date), Counts)],
) -> Result<(), StoreError> {
    let (files, days): (Vec<&str>, Vec<Date>) = daily
        .iter()
        .map(|((file, day), _)| (file.as_str(), *day))
        .unzip();
    let (events, records) = counts(daily.iter().map(|(_, c)| c));
    execute(
        tx,
        concat!(
            "INSERT INTO usage_daily AS d (file_id, day, events, records)
             SELECT * FROM unnest($1::text[], $2::date[], $3::int8[], $4::int8[])
             ON CONFLICT (file_id, day) DO UPDATE SET ",
            add_counts!("d"),
        ),
        &[&files, &days, &events, &records],
    )
    .await?;
    Ok(())
}

async fn add_activity<C: GenericClient>(
    tx: &C,
    activity: &[ActivityDelta],
    received_at: OffsetDateTime,
) -> Result<(), StoreError> {
    let files: Vec<&str> = activity.iter().map(|a| a.file.as_str()).collect();
    let agencies: Vec<&str> = activity.iter().map(|a| a.agency.as_str()).collect();
    let firsts: Vec<OffsetDateTime> = activity
        .iter()
        .map(|a| stored_instant(a.first_event))
        .collect();
    let lasts: Vec<OffsetDateTime> = activity
        .iter()
        .map(|a| stored_instant(a.last_event))
        .collect();
    let events: Vec<i64> = activity.iter().map(|a| count(a.events)).collect();
    execute(
        tx,
        "INSERT INTO file_activity AS a (file_id, agency, first_event, last_event, last_reported, events)
         SELECT t.file_id, t.agency, t.first_event, t.last_event, $6, t.events
         FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::int8[])
             AS t(file_id, agency, first_event, last_event, events)
         ON CONFLICT (file_id) DO UPDATE SET
             first_event = least(a.first_event, excluded.first_event),
             last_event = greatest(a.last_event, excluded.last_event),
             last_reported = excluded.last_reported,
             events = a.events + excluded.events",
        &[&files, &agencies, &firsts, &lasts, &events, &stored_instant(received_at)],
    )
    .await?;
    Ok(())
}
