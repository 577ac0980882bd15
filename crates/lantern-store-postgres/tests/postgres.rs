//! What only the PostgreSQL backend has: schemas, migrations shared by concurrent connectors,
//! connection failures, and what happens when the database is not what the store wrote.
//!
//! Built only with `--features postgres-tests`; needs `LANTERN_TEST_POSTGRES_URL`.

mod common;

use lantern_store::{FileQuery, RegisterStore, SettingsStore, StoreError};
use lantern_store_postgres::PostgresStore;
use lantern_store_tests::fixtures::{nhi_claims, seed_files, tax_returns};

#[tokio::test]
async fn schemas_keep_stores_apart() {
    let (first, _) = common::fresh_store().await;
    let (second, _) = common::fresh_store().await;
    first.put_setting("who", "first").await.unwrap();
    assert_eq!(second.setting("who").await.unwrap(), None);
    seed_files(&second).await;
    assert!(first.agencies().await.unwrap().is_empty());
    assert_eq!(second.agencies().await.unwrap().len(), 10);
}

/// Stores connecting at once take turns at the migration lock: each migration is applied once,
/// and every store sees what was stored before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnecting_keeps_everything_and_migrates_once() {
    let (store, schema) = common::fresh_store().await;
    seed_files(&store).await;
    drop(store);

    let mut connects = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let (url, schema) = (common::url(), schema.clone());
        connects.spawn(async move { PostgresStore::connect_in_schema(&url, &schema).await });
    }
    while let Some(connected) = connects.join_next().await {
        let store = connected.unwrap().unwrap();
        let page = store
            .search_files(&FileQuery {
                limit: 10,
                ..FileQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(page.total, 5);
    }
    let applied: i64 = common::connect()
        .await
        .query_one(
            &format!("SELECT count(*) FROM {schema}.schema_migrations"),
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let shipped = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .count();
    assert_eq!(applied as usize, shipped);
}

#[tokio::test]
async fn a_newer_schema_is_refused() {
    let (store, schema) = common::fresh_store().await;
    drop(store);
    common::connect()
        .await
        .batch_execute(&format!("INSERT INTO {schema}.schema_migrations (version, name) VALUES (99, 'from_a_newer_build')"))
        .await
        .unwrap();
    let refused = PostgresStore::connect_in_schema(&common::url(), &schema).await;
    assert!(
        matches!(&refused, Err(StoreError::Corrupt(message)) if message.contains("99")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_tampered_document_reads_as_corrupt() {
    let (store, schema) = common::fresh_store().await;
    seed_files(&store).await;
    common::connect()
        .await
        .batch_execute(&format!(
            "UPDATE {schema}.file_versions SET document = '{{\"id\": \"NOT A VALID ID\"}}' WHERE file_id = 'nhi-claims'"
        ))
        .await
        .unwrap();
    let read = store.file(&nhi_claims().id, None).await;
    assert!(matches!(read, Err(StoreError::Corrupt(_))), "{read:?}");
    let search = store
        .search_files(&FileQuery {
            limit: 10,
            ..FileQuery::default()
        })
        .await;
    assert!(matches!(search, Err(StoreError::Corrupt(_))), "{search:?}");
    assert!(store.file(&tax_returns().id, None).await.unwrap().is_some());
}

#[tokio::test]
async fn a_dropped_connection_is_unavailable_then_replaced() {
    let (_, schema) = common::fresh_store().await;
    // A name of its own lets the server end exactly this store's sessions.
    let application = format!("lantern_test_{}", uuid::Uuid::new_v4().simple());
    let store = PostgresStore::connect_in_schema(
        &format!("{}?application_name={application}", common::url()),
        &schema,
    )
    .await
    .unwrap();
    store.put_setting("k", "v").await.unwrap();
    let admin = common::connect().await;
    let sessions = "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1";
    let ended: i64 = admin
        .query_one(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1) AS t",
            &[&application],
        )
        .await
        .unwrap()
        .get(0);
    assert!(ended >= 1, "the store had a session to end");
    // Termination is asynchronous: wait until the server reports the sessions gone.
    while admin
        .query_one(sessions, &[&application])
        .await
        .unwrap()
        .get::<_, i64>(0)
        > 0
    {}
    // A call that meets the closed connection fails as unavailable (unless the pool noticed the
    // closure first); the pool then replaces the connection.
    let first = store.setting("k").await;
    assert!(
        matches!(first, Err(StoreError::Unavailable(_)) | Ok(Some(_))),
        "{first:?}"
    );
    assert_eq!(store.setting("k").await.unwrap().as_deref(), Some("v"));
}

#[tokio::test]
async fn unreachable_servers_and_bad_names_are_unavailable() {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    let refused =
        PostgresStore::connect("postgres://lantern:lantern@127.0.0.1:1/lantern_test").await;
    assert!(
        matches!(refused, Err(StoreError::Unavailable(_))),
        "{refused:?}"
    );
    let bad_schema = PostgresStore::connect_in_schema(&common::url(), "Robert'); DROP TABLE").await;
    assert!(
        matches!(bad_schema, Err(StoreError::Unavailable(_))),
        "{bad_schema:?}"
    );
    let url = common::url().replacen("lantern:lantern@", "lantern:wrong@", 1);
    let wrong_password = PostgresStore::connect(&url).await;
    assert!(
        matches!(&wrong_password, Err(StoreError::Unavailable(m)) if !m.contains("wrong")),
        "{wrong_password:?}"
    );
}
