//! The shared conformance suite, run against a fresh database file per test.

use lantern_store_sqlite::SqliteStore;

lantern_store_tests::conformance_suite!(async || {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = SqliteStore::open(&dir.path().join("lantern.db")).expect("opening a new database");
    (store, dir)
});
