//! The SQLite usage log's deferred indexes: the pending copy each store keeps, shared
//! index keys, stores in several processes on one file, and a log indexed on opening.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::collections::HashMap;
use std::path::Path;

use lantern_log::{CanonicalEvent, SubjectPseudonym};
use lantern_store::{Appended, FootprintQuery, NewUsageEvent, UsageLogStore};
use lantern_store_sqlite::SqliteStore;
use lantern_store_tests::fixtures::{at, events, subject, usage};
use time::macros::date;

const TODAY: time::Date = date!(2025 - 06 - 01);

/// Event `id` of `who`, a pseudonym of any bytes.
fn event_of(id: u64, who: SubjectPseudonym) -> NewUsageEvent {
    let template = usage(id, 1, "nhi-claims", at(i64::try_from(id).unwrap())).event();
    let mut parts = template.event.parts().clone();
    parts.subject = who;
    NewUsageEvent {
        event: CanonicalEvent::new(parts).unwrap(),
        scope: template.scope,
    }
}

/// The leaf indexes of `who`'s visible events, ascending.
async fn leaves_of(store: &SqliteStore, who: &SubjectPseudonym) -> Vec<u64> {
    let footprint = store
        .footprint(FootprintQuery {
            subject: who,
            today: TODAY,
            limit: 500,
            offset: 0,
        })
        .await
        .unwrap();
    let mut leaves: Vec<u64> = footprint.events.iter().map(|e| e.index).collect();
    leaves.sort_unstable();
    assert_eq!(footprint.total, leaves.len() as u64);
    leaves
}

fn indexed_through(path: &Path) -> u64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row("SELECT indexed_through FROM usage_index_state", [], |row| {
            row.get(0)
        })
        .unwrap()
}

/// Both lookups, through the index tables (indexing after every append) and through the
/// pending copy (never indexing here), answer the same.
const BACKLOGS: [u64; 2] = [1, 1_000_000];

#[tokio::test]
async fn subjects_sharing_an_index_key_see_only_their_own_events() {
    for backlog in BACKLOGS {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open_indexing_after(&dir.path().join("l.db"), backlog).unwrap();
        let mut first = [7; 32];
        let mut second = [7; 32];
        first[31] = 1;
        second[31] = 2;
        let (first, second) = (
            SubjectPseudonym::from_bytes(first),
            SubjectPseudonym::from_bytes(second),
        );
        for id in 1..=6 {
            let who = if id % 3 == 0 { second } else { first };
            store
                .append_events(vec![event_of(id, who)], at(100))
                .await
                .unwrap();
        }
        assert_eq!(leaves_of(&store, &first).await, [0, 1, 3, 4], "{backlog}");
        assert_eq!(leaves_of(&store, &second).await, [2, 5], "{backlog}");
        let shredded = store.shred_subject(&second).await.unwrap();
        assert_eq!(shredded.events_deleted, 2);
        assert_eq!(leaves_of(&store, &first).await, [0, 1, 3, 4]);
        assert!(leaves_of(&store, &second).await.is_empty());
    }
}

#[tokio::test]
async fn stores_sharing_a_file_see_each_others_appends_and_shreddings() {
    for backlog in BACKLOGS {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.db");
        let a = SqliteStore::open_indexing_after(&path, backlog).unwrap();
        let b = SqliteStore::open_indexing_after(&path, backlog).unwrap();
        let batch = |ids: std::ops::RangeInclusive<u64>| {
            let usages: Vec<_> = ids.map(|id| usage(id, 1, "nhi-claims", at(0))).collect();
            events(&usages)
        };
        a.append_events(batch(1..=5), at(1)).await.unwrap();
        // b's copy of the pending events is read from the file before it looks ids up.
        let receipt = b.append_events(batch(3..=8), at(2)).await.unwrap();
        assert_eq!(
            receipt.outcomes,
            [
                Appended::Duplicate { index: 2 },
                Appended::Duplicate { index: 3 },
                Appended::Duplicate { index: 4 },
                Appended::New { index: 5 },
                Appended::New { index: 6 },
                Appended::New { index: 7 },
            ],
            "{backlog}"
        );
        assert_eq!(leaves_of(&a, &subject(1)).await, (0..8).collect::<Vec<_>>());
        assert_eq!(leaves_of(&b, &subject(1)).await, (0..8).collect::<Vec<_>>());

        a.shred_subject(&subject(1)).await.unwrap();
        assert!(leaves_of(&b, &subject(1)).await.is_empty(), "{backlog}");
        // The shredded ids are gone with their events: sent again, they are new.
        let again = b.append_events(batch(1..=1), at(3)).await.unwrap();
        assert_eq!(again.outcomes, [Appended::New { index: 8 }], "{backlog}");
        assert_eq!(leaves_of(&a, &subject(1)).await, [8]);
    }
}

#[tokio::test]
async fn a_log_far_behind_its_indexes_is_indexed_on_opening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.db");
    let usages: Vec<_> = (1..=30)
        .map(|id| usage(id, u8::try_from(id % 3).unwrap(), "nhi-claims", at(0)))
        .collect();
    SqliteStore::open(&path)
        .unwrap()
        .append_events(events(&usages), at(1))
        .await
        .unwrap();
    assert_eq!(
        indexed_through(&path),
        0,
        "30 events wait below the backlog"
    );

    let store = SqliteStore::open_indexing_after(&path, 10).unwrap();
    assert_eq!(indexed_through(&path), 30);
    let again = store
        .append_events(events(&usages[..2]), at(2))
        .await
        .unwrap();
    assert_eq!(
        again.outcomes,
        [
            Appended::Duplicate { index: 0 },
            Appended::Duplicate { index: 1 }
        ]
    );
    assert_eq!(leaves_of(&store, &subject(0)).await.len(), 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_across_indexing_runs_log_each_id_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_indexing_after(&dir.path().join("l.db"), 25).unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..6_u64 {
        let store = store.clone();
        tasks.spawn(async move {
            let mut seen = Vec::new();
            for batch in 0..10_u64 {
                // Tasks overlap: ids repeat across tasks and batches.
                let usages: Vec<_> = (0..10_u64)
                    .map(|i| {
                        let id = 1 + (task * 37 + batch * 10 + i) % 200;
                        usage(id, u8::try_from(id % 7).unwrap(), "nhi-claims", at(0))
                    })
                    .collect();
                let receipt = store.append_events(events(&usages), at(1)).await.unwrap();
                for (u, outcome) in usages.iter().zip(receipt.outcomes) {
                    seen.push((u.id, outcome.index()));
                }
            }
            seen
        });
    }
    let mut leaf_of: HashMap<u64, u64> = HashMap::new();
    while let Some(seen) = tasks.join_next().await {
        for (id, index) in seen.unwrap() {
            assert_eq!(*leaf_of.entry(id).or_insert(index), index, "id {id}");
        }
    }
    let size = store.tree_head().await.unwrap().size;
    assert_eq!(size, leaf_of.len() as u64);
    let mut leaves: Vec<u64> = leaf_of.values().copied().collect();
    leaves.sort_unstable();
    assert_eq!(leaves, (0..size).collect::<Vec<_>>());
    assert_eq!(events_in_footprints(&store).await as u64, size);
}

/// Every subject's events, counted through the footprint.
async fn events_in_footprints(store: &SqliteStore) -> usize {
    let mut total = 0;
    for n in 0..7 {
        total += leaves_of(store, &subject(n)).await.len();
    }
    total
}
