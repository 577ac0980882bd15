//! What the log keeps about one subject: their footprint, and shredding it.

use deadpool_postgres::Client;
use lantern_domain::RestrictionGroundCode;
use lantern_log::{CanonicalEvent, LogEntry, Salt, SubjectPseudonym, SubjectSecret};
use lantern_store::derived::page_limit;
use lantern_store::footprint::{EntryOfSubject, FootprintEntries};
use lantern_store::{Footprint, FootprintQuery, Shredded, StoreError, StoredEvent, WithheldCount};
use time::Date;
use tokio_postgres::{IsolationLevel, Row};

use super::tree::lock_head;
use crate::codec::{bytes32, code, execute, get, query, query_opt, stored_u64};
use crate::error::pg;

/// The condition that an event aliased `e` of the subject `$1` is visible on the day `$2`.
macro_rules! visible {
    () => {
        "e.subject = $1 AND (e.withheld_until IS NULL OR e.withheld_until <= $2)"
    };
}

/// The subject `$1`'s events withheld on the day `$2`, counted by date and ground (rows of
/// `until, ground, count`, see [`withheld_count`]).
const WITHHELD_COUNTS: &str = "SELECT e.withheld_until, e.withheld_ground, count(*)
     FROM usage_events e WHERE e.subject = $1 AND e.withheld_until > $2
     GROUP BY 1, 2 ORDER BY 1, 2";

/// The subject's visible events (one page, and how many in all) and withheld counts, read from
/// one snapshot.
pub(super) async fn footprint(
    client: &mut Client,
    asked: FootprintQuery<'_>,
) -> Result<Footprint, StoreError> {
    let subject = &asked.subject.as_bytes()[..];
    let limit = i64::from(page_limit(asked.limit));
    let offset = i64::from(asked.offset);
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(pg)?;
    let secret = query_opt(
        &tx,
        "SELECT secret FROM subjects WHERE pseudonym = $1",
        &[&subject],
    )
    .await?;
    let page = query(
        &tx,
        concat!(
            "SELECT e.leaf, e.canonical, l.entry FROM usage_events e",
            " JOIN log_entries l ON l.leaf = e.leaf WHERE ",
            visible!(),
            " ORDER BY e.occurred_at DESC, e.leaf DESC LIMIT $3 OFFSET $4"
        ),
        &[&subject, &asked.today, &limit, &offset],
    )
    .await?;
    let total = query_opt(
        &tx,
        concat!("SELECT count(*) FROM usage_events e WHERE ", visible!()),
        &[&subject, &asked.today],
    )
    .await?
    .ok_or_else(|| StoreError::Corrupt("a count returned no row".into()))?;
    let withheld = query(&tx, WITHHELD_COUNTS, &[&subject, &asked.today]).await?;
    tx.commit().await.map_err(pg)?;

    let events = match secret {
        None if page.is_empty() => Vec::new(),
        None => {
            return Err(StoreError::Corrupt(
                "a subject has stored events but no secret".into(),
            ));
        }
        Some(secret) => {
            let secret = SubjectSecret::from_bytes(bytes32(get(&secret, 0)?, "secret")?);
            page.iter()
                .map(|row| stored_event(row, &secret))
                .collect::<Result<_, _>>()?
        }
    };
    Ok(Footprint {
        events,
        total: stored_u64(get(&total, 0)?)?,
        withheld: withheld
            .iter()
            .map(withheld_count)
            .collect::<Result<_, _>>()?,
    })
}

/// The subject's visible events as entries, newest first, and withheld counts, from one
/// snapshot.
pub(super) async fn footprint_entries(
    client: &mut Client,
    subject: &SubjectPseudonym,
    today: Date,
) -> Result<FootprintEntries, StoreError> {
    let subject = &subject.as_bytes()[..];
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(pg)?;
    let rows = query(
        &tx,
        concat!(
            "SELECT e.leaf, l.entry FROM usage_events e",
            " JOIN log_entries l ON l.leaf = e.leaf WHERE ",
            visible!(),
            " ORDER BY e.occurred_at DESC, e.leaf DESC"
        ),
        &[&subject, &today],
    )
    .await?;
    let withheld = query(&tx, WITHHELD_COUNTS, &[&subject, &today]).await?;
    tx.commit().await.map_err(pg)?;
    let visible = rows
        .iter()
        .map(|row| {
            let index = stored_u64(get(row, 0)?)?;
            let entry = LogEntry::decode(get(row, 1)?)
                .map_err(|e| StoreError::Corrupt(format!("the entry of leaf {index}: {e}")))?;
            Ok(EntryOfSubject { index, entry })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(FootprintEntries {
        visible,
        withheld: withheld
            .iter()
            .map(withheld_count)
            .collect::<Result<_, _>>()?,
    })
}

/// The subject's events at `indexes` visible on `today`, in the order asked.
pub(super) async fn subject_events(
    client: &mut Client,
    subject: &SubjectPseudonym,
    today: Date,
    indexes: &[u64],
) -> Result<Vec<StoredEvent>, StoreError> {
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let leaves: Vec<i64> = indexes
        .iter()
        .filter_map(|&index| i64::try_from(index).ok())
        .collect();
    let subject = &subject.as_bytes()[..];
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(pg)?;
    let secret = query_opt(
        &tx,
        "SELECT secret FROM subjects WHERE pseudonym = $1",
        &[&subject],
    )
    .await?;
    let rows = query(
        &tx,
        concat!(
            "SELECT e.leaf, e.canonical, l.entry FROM usage_events e",
            " JOIN log_entries l ON l.leaf = e.leaf WHERE ",
            visible!(),
            " AND e.leaf = ANY($3)"
        ),
        &[&subject, &today, &leaves],
    )
    .await?;
    tx.commit().await.map_err(pg)?;
    let Some(secret) = secret else {
        return Ok(Vec::new());
    };
    let secret = SubjectSecret::from_bytes(bytes32(get(&secret, 0)?, "secret")?);
    let mut found = rows
        .iter()
        .map(|row| stored_event(row, &secret).map(|event| (event.index, event)))
        .collect::<Result<std::collections::HashMap<_, _>, _>>()?;
    Ok(indexes
        .iter()
        .filter_map(|index| found.remove(index))
        .collect())
}

/// A row of `leaf, canonical, entry`, with the salt from the subject's secret.
fn stored_event(row: &Row, secret: &SubjectSecret) -> Result<StoredEvent, StoreError> {
    let index = stored_u64(get(row, 0)?)?;
    let event = CanonicalEvent::decode(get(row, 1)?)
        .map_err(|e| StoreError::Corrupt(format!("the stored event of leaf {index}: {e}")))?;
    let entry = LogEntry::decode(get(row, 2)?)
        .map_err(|e| StoreError::Corrupt(format!("the entry of leaf {index}: {e}")))?;
    Ok(StoredEvent {
        index,
        salt: Salt::derive(secret, &event.parts().id),
        event,
        entry,
    })
}

/// A row of `until, ground, count`.
fn withheld_count(row: &Row) -> Result<WithheldCount, StoreError> {
    Ok(WithheldCount {
        until: get(row, 0)?,
        ground: code(get(row, 1)?, RestrictionGroundCode::parse)?,
        events: stored_u64(get(row, 2)?)?,
    })
}

/// Deletes the subject's events and secret in one transaction. It takes the head lock like an
/// append, so no append can write an event for the subject with a secret read before the shred.
///
/// PostgreSQL keeps deleted rows until vacuum reclaims their space (and in its write-ahead log
/// until recycled); the secret's deletion is what makes the entries unlinkable.
pub(super) async fn shred(
    client: &mut Client,
    subject: &SubjectPseudonym,
) -> Result<Shredded, StoreError> {
    let subject = &subject.as_bytes()[..];
    let tx = client.transaction().await.map_err(pg)?;
    lock_head(&tx).await?;
    let events_deleted = execute(
        &tx,
        "DELETE FROM usage_events WHERE subject = $1",
        &[&subject],
    )
    .await?;
    let secrets_deleted = execute(
        &tx,
        "DELETE FROM subjects WHERE pseudonym = $1",
        &[&subject],
    )
    .await?;
    let consents_deleted =
        execute(&tx, "DELETE FROM consents WHERE subject = $1", &[&subject]).await?;
    tx.commit().await.map_err(pg)?;
    Ok(Shredded {
        secret_deleted: secrets_deleted == 1,
        events_deleted,
        consents_deleted,
    })
}
