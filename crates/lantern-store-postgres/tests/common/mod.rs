//! What the PostgreSQL test binaries share: the server to use, and a fresh schema per test.
//!
//! Test schemas are named `lantern_test_<unix seconds>_<random>`. Each new one first sweeps away
//! those older than [`SCHEMA_LIFETIME`]: a test's schema outlives it (a failed test's data stays
//! there for inspection) but never piles up across runs. The sweep runs in the test's own
//! runtime; dropping a schema when a test ends would have to block that runtime while the
//! store's connections, which it drives, might still hold locks in the schema.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lantern_store_postgres::PostgresStore;

/// The environment variable naming the test server.
const URL_VARIABLE: &str = "LANTERN_TEST_POSTGRES_URL";

/// The prefix of every test schema.
const PREFIX: &str = "lantern_test_";

/// How long a test schema is kept: far longer than any test runs.
const SCHEMA_LIFETIME: Duration = Duration::from_secs(10 * 60);

/// The test server's URL.
///
/// # Panics
/// When the variable is unset: these tests were asked for (`--features postgres-tests`), so
/// they must not pass without a server.
pub fn url() -> String {
    std::env::var(URL_VARIABLE).unwrap_or_else(|_| {
        panic!(
            "{URL_VARIABLE} is not set. The PostgreSQL tests need a server: \
             export {URL_VARIABLE}=$(scripts/postgres.sh)"
        )
    })
}

fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs()
}

/// A plain connection to the test server, for work behind the store's back.
pub async fn connect() -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(&url(), tokio_postgres::NoTls)
        .await
        .expect("connecting to the test server");
    tokio::spawn(connection);
    client
}

/// Drops the test schemas older than [`SCHEMA_LIFETIME`]. Tests sweeping at the same time may
/// race for a schema; whoever loses ignores it.
async fn sweep_old_schemas(client: &tokio_postgres::Client) {
    let oldest_kept = unix_seconds().saturating_sub(SCHEMA_LIFETIME.as_secs());
    let rows = client
        .query(
            "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)",
            &[&PREFIX],
        )
        .await
        .expect("listing test schemas");
    for row in rows {
        let name: String = row.get(0);
        let created = name[PREFIX.len()..]
            .split('_')
            .next()
            .and_then(|s| s.parse::<u64>().ok());
        if created.is_some_and(|created| created < oldest_kept) {
            let _ = client
                .batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                .await;
        }
    }
}

/// A store in a new, empty schema, and the schema's name.
pub async fn fresh_store() -> (PostgresStore, String) {
    sweep_old_schemas(&connect().await).await;
    let schema = format!(
        "{PREFIX}{}_{}",
        unix_seconds(),
        uuid::Uuid::new_v4().simple()
    );
    let store = PostgresStore::connect_in_schema(&url(), &schema)
        .await
        .expect("connecting to the test server");
    (store, schema)
}
