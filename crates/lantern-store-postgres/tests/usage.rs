//! What only the PostgreSQL usage log has: several stores (as several server processes would)
//! sequencing one log, the cached frontier, and a database changed behind the store's back.
//! Also an ignored throughput measurement of appends.
//!
//! Built only with `--features postgres-tests`; needs `LANTERN_TEST_POSTGRES_URL`.

mod common;

use std::collections::HashSet;
use std::time::Instant;

use lantern_log::merkle::{root_of_leaves, stored_hash_index};
use lantern_store::{Appended, NewUsageEvent, StoreError, UsageLogStore};
use lantern_store_postgres::PostgresStore;
use lantern_store_tests::fixtures::{
    all_entries, all_stored_hashes, at, events, leaf_hashes, measured_event, stored_hashes_of,
    usage,
};

/// A second store on the same schema: another process sharing the database.
async fn second_store(schema: &str) -> PostgresStore {
    PostgresStore::connect_in_schema(&common::url(), schema)
        .await
        .expect("connecting a second store")
}

/// The stored tree is the tree of its entries: head root and every stored hash.
async fn assert_tree_is_consistent(store: &PostgresStore) {
    let leaves = leaf_hashes(&all_entries(store).await);
    assert_eq!(
        store.tree_head().await.expect("tree_head").root,
        root_of_leaves(&leaves)
    );
    assert_eq!(all_stored_hashes(store).await, stored_hashes_of(&leaves));
}

/// Appends from two stores at once take turns: every new event gets its own leaf, the tree is
/// the tree of the entries, and an event sent through both is logged once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stores_sharing_a_database_sequence_one_log() {
    let (first, schema) = common::fresh_store().await;
    let second = second_store(&schema).await;
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..4_u64 {
        let store = if task % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        tasks.spawn(async move {
            let mut indexes = Vec::new();
            for batch in 0..10_u64 {
                let usages: Vec<_> = (0..20_u64)
                    .map(|i| {
                        let id = 1 + task * 1000 + batch * 20 + i;
                        usage(id, u8::try_from(i).unwrap(), "nhi-claims", at(0))
                    })
                    .collect();
                let receipt = store.append_events(events(&usages), at(1)).await.unwrap();
                indexes.extend(receipt.outcomes.iter().map(|o| o.index()));
            }
            indexes
        });
    }
    let mut seen = HashSet::new();
    while let Some(indexes) = tasks.join_next().await {
        for index in indexes.unwrap() {
            assert!(seen.insert(index), "leaf {index} was given twice");
        }
    }
    assert_eq!(seen, (0..800).collect());
    assert_tree_is_consistent(&first).await;

    let batch = events(&[usage(5000, 1, "tax-returns", at(2))]);
    let (a, b) = tokio::join!(
        first.append_events(batch.clone(), at(3)),
        second.append_events(batch, at(3))
    );
    let mut outcomes = [a.unwrap().outcomes[0], b.unwrap().outcomes[0]];
    outcomes.sort_by_key(|o| matches!(o, Appended::Duplicate { .. }));
    assert_eq!(
        outcomes,
        [
            Appended::New { index: 800 },
            Appended::Duplicate { index: 800 }
        ]
    );
    assert_eq!(second.tree_head().await.unwrap().size, 801);
}

/// A store whose cached frontier is stale (another store appended since) reads it afresh.
#[tokio::test]
async fn a_stale_frontier_is_read_again() {
    let (first, schema) = common::fresh_store().await;
    let second = second_store(&schema).await;
    for (n, store) in [&first, &second, &first, &first, &second]
        .into_iter()
        .enumerate()
    {
        let id = u64::try_from(n).unwrap() * 10;
        let usages: Vec<_> = (1..=3)
            .map(|i| usage(id + i, 1, "nhi-claims", at(0)))
            .collect();
        store.append_events(events(&usages), at(1)).await.unwrap();
    }
    assert_eq!(first.tree_head().await.unwrap().size, 15);
    assert_tree_is_consistent(&first).await;
}

/// An append that fails in the database writes nothing, and the next one continues the tree
/// it left.
#[tokio::test]
async fn a_failed_append_leaves_the_tree_as_it_was() {
    let (store, schema) = common::fresh_store().await;
    let three: Vec<_> = (1..=3).map(|i| usage(i, 1, "nhi-claims", at(0))).collect();
    store.append_events(events(&three), at(1)).await.unwrap();
    let head = store.tree_head().await.unwrap();
    let admin = common::connect().await;
    // The next leaf is taken behind the store's back, so writing the batch's entries fails.
    admin
        .batch_execute(&format!(
            "INSERT INTO {schema}.log_entries (leaf, entry) VALUES (3, 'x')"
        ))
        .await
        .unwrap();
    let two: Vec<_> = (4..=5).map(|i| usage(i, 2, "tax-returns", at(0))).collect();
    let failed = store.append_events(events(&two), at(2)).await;
    assert!(matches!(failed, Err(StoreError::Conflict(_))), "{failed:?}");
    assert_eq!(store.tree_head().await.unwrap(), head);

    admin
        .batch_execute(&format!("DELETE FROM {schema}.log_entries WHERE leaf = 3"))
        .await
        .unwrap();
    let receipt = store.append_events(events(&two), at(3)).await.unwrap();
    assert_eq!(
        receipt.outcomes,
        [Appended::New { index: 3 }, Appended::New { index: 4 }]
    );
    assert_tree_is_consistent(&store).await;
}

/// Stored hashes that do not give the head's root are found when a store reads the frontier.
#[tokio::test]
async fn tampered_hashes_are_corrupt() {
    let (store, schema) = common::fresh_store().await;
    let five: Vec<_> = (1..=5).map(|i| usage(i, 1, "nhi-claims", at(0))).collect();
    store.append_events(events(&five), at(1)).await.unwrap();
    // The root of leaves 0-3: one of the two hashes the frontier of five leaves is made of.
    let subtree = stored_hash_index(2, 0);
    common::connect()
        .await
        .batch_execute(&format!(
            "UPDATE {schema}.log_hashes SET hash = '\\x{}' WHERE idx = {subtree}",
            "00".repeat(32)
        ))
        .await
        .unwrap();
    let fresh = second_store(&schema).await;
    let appended = fresh
        .append_events(events(&[usage(6, 1, "nhi-claims", at(0))]), at(2))
        .await;
    assert!(
        matches!(appended, Err(StoreError::Corrupt(_))),
        "{appended:?}"
    );
}

/// Appends 100 batches of 1,000 events over about 100,000 subjects through the trait, one
/// batch at a time, and prints the events per second. Run in release mode:
///
/// ```text
/// cargo test --release -p lantern-store-postgres --features postgres-tests --test usage \
///     -- --ignored --nocapture append_throughput
/// ```
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a test"]
async fn append_throughput() {
    const BATCHES: u64 = 100;
    const BATCH: u64 = 1_000;
    let (store, _) = common::fresh_store().await;
    let batches: Vec<Vec<NewUsageEvent>> = (0..BATCHES)
        .map(|b| {
            (0..BATCH)
                .map(|i| measured_event(b * BATCH + i, 100_000))
                .collect()
        })
        .collect();
    let started = Instant::now();
    for batch in batches {
        store.append_events(batch, at(0)).await.unwrap();
    }
    let elapsed = started.elapsed();
    let size = store.tree_head().await.unwrap().size;
    assert_eq!(size, BATCHES * BATCH);
    let rate = size as f64 / elapsed.as_secs_f64();
    eprintln!("appended {size} events in {elapsed:.2?}: {rate:.0} events/s");
}
