//! The shared conformance suite against a store that indexes the usage log's ids and subjects
//! after every append, so lookups go through the index tables rather than the pending copy.

use lantern_store_sqlite::SqliteStore;

lantern_store_tests::conformance_suite!(async || {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = SqliteStore::open_indexing_after(&dir.path().join("lantern.db"), 1)
        .expect("opening a new database");
    (store, dir)
});
