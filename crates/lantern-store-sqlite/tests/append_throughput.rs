//! An ignored measurement of appends through the store, without HTTP: how many events a
//! second the SQLite sequencer takes as the log grows. Run in release mode:
//!
//! ```text
//! cargo test --release -p lantern-store-sqlite --test append_throughput -- --ignored --nocapture
//! ```
#![allow(clippy::unwrap_used, reason = "a measurement")]

use std::time::Instant;

use lantern_store::{NewUsageEvent, UsageLogStore};
use lantern_store_sqlite::SqliteStore;
use lantern_store_tests::fixtures::{at, measured_event};

/// Appends 2,000 batches of 1,000 events over 100,000 subjects, one batch at a time, and
/// prints the rate of every 200,000 events.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a test"]
async fn append_throughput() {
    const BATCHES: u64 = 2_000;
    const BATCH: u64 = 1_000;
    const REPORT_EVERY: u64 = 200;
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("lantern.db")).unwrap();
    let all = Instant::now();
    let mut segment = Instant::now();
    for b in 0..BATCHES {
        let batch: Vec<NewUsageEvent> = (0..BATCH)
            .map(|i| measured_event(b * BATCH + i, 100_000))
            .collect();
        store.append_events(batch, at(0)).await.unwrap();
        if (b + 1) % REPORT_EVERY == 0 {
            let rate = (REPORT_EVERY * BATCH) as f64 / segment.elapsed().as_secs_f64();
            eprintln!("{:>9} events: {rate:>7.0} events/s", (b + 1) * BATCH);
            segment = Instant::now();
        }
    }
    let size = store.tree_head().await.unwrap().size;
    assert_eq!(size, BATCHES * BATCH);
    let rate = size as f64 / all.elapsed().as_secs_f64();
    eprintln!("appended {size} events: {rate:.0} events/s");
}
