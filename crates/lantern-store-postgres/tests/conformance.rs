//! The shared conformance suite against a live PostgreSQL, each test in a fresh schema.
//!
//! Built only with `--features postgres-tests`; needs `LANTERN_TEST_POSTGRES_URL`:
//!
//! ```text
//! export LANTERN_TEST_POSTGRES_URL=$(scripts/postgres.sh)
//! cargo test -p lantern-store-postgres --features postgres-tests
//! ```

mod common;

lantern_store_tests::conformance_suite!(async || common::fresh_store().await);
