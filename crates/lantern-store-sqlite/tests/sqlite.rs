//! What only the SQLite backend has: a file that outlives the process, migrations applied on
//! open, the file's journal mode, and what happens when the file is not what the store wrote.

use std::path::Path;

use lantern_store::{AccessStore, ReferenceStore, SettingsStore};
use lantern_store::{FileQuery, RegisterStore, Role, StoreError};
use lantern_store_sqlite::SqliteStore;
use lantern_store_tests::fixtures::{T0, change, nhi_claims, seed_files, session, user};
use rusqlite::Connection;

fn inspect(path: &Path) -> Connection {
    Connection::open(path).expect("opening the file directly")
}

#[tokio::test]
async fn reopening_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lantern.db");
    let store = SqliteStore::open(&path).unwrap();
    seed_files(&store).await;
    let mut renamed = nhi_claims();
    renamed.name_en = "Renamed".into();
    let updated = store
        .update_file(&renamed, Some(1), &change("user:alice", 5))
        .await
        .unwrap();
    store
        .create_user(&user("alice", "MOHW-NHIA", Role::Officer))
        .await
        .unwrap();
    store
        .create_session(&session(1, "alice", 60))
        .await
        .unwrap();
    store.put_setting("demo.seeded", "yes").await.unwrap();
    let purposes = lantern_domain::reference::builtin()
        .purposes()
        .take(3)
        .cloned()
        .collect::<Vec<_>>();
    store.replace_imported_purposes(&purposes).await.unwrap();
    let agencies = store.agencies().await.unwrap();
    let history = store.file_history(&renamed.id).await.unwrap();
    drop(store);

    let reopened = SqliteStore::open(&path).unwrap();
    assert_eq!(reopened.agencies().await.unwrap(), agencies);
    assert_eq!(
        reopened.file(&renamed.id, None).await.unwrap(),
        Some(updated)
    );
    assert_eq!(
        reopened
            .file(&renamed.id, Some(1))
            .await
            .unwrap()
            .map(|f| f.value),
        Some(nhi_claims())
    );
    assert_eq!(reopened.file_history(&renamed.id).await.unwrap(), history);
    let all = reopened
        .search_files(&FileQuery {
            limit: 10,
            ..FileQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(all.total, 5);
    assert_eq!(
        reopened.user("alice").await.unwrap(),
        Some(user("alice", "MOHW-NHIA", Role::Officer))
    );
    assert!(reopened.session(&[1; 32], T0).await.unwrap().is_some());
    assert_eq!(
        reopened.setting("demo.seeded").await.unwrap().as_deref(),
        Some("yes")
    );
    assert_eq!(reopened.imported_purposes().await.unwrap(), purposes);
}

#[tokio::test]
async fn migrations_are_applied_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lantern.db");
    for _ in 0..3 {
        drop(SqliteStore::open(&path).unwrap());
    }
    let conn = inspect(&path);
    let versions: Vec<(i64, String)> = conn
        .prepare("SELECT version, name FROM schema_migrations ORDER BY version")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut shipped: Vec<(i64, String)> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
            .unwrap()
            .map(|file| {
                let name = file.unwrap().file_name().into_string().unwrap();
                let (version, rest) = name.split_once('_').unwrap();
                let name = rest.strip_suffix(".sql").unwrap().to_owned();
                (version.parse().unwrap(), name)
            })
            .collect();
    shipped.sort();
    assert_eq!(versions, shipped);
}

#[tokio::test]
async fn the_file_is_in_wal_mode_and_its_directory_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data/nested/lantern.db");
    let store = SqliteStore::open(&path).unwrap();
    store.put_setting("k", "v").await.unwrap();
    let mode: String = inspect(&path)
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert!(format!("{store:?}").contains("lantern.db"));
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lantern.db");
    std::fs::write(
        &path,
        "this is a text file, not a database; it is long enough to have a header",
    )
    .unwrap();
    assert!(matches!(
        SqliteStore::open(&path),
        Err(StoreError::Corrupt(_))
    ));
}

#[tokio::test]
async fn a_directory_that_cannot_be_made_is_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "").unwrap();
    assert!(matches!(
        SqliteStore::open(&blocker.join("lantern.db")),
        Err(StoreError::Unavailable(_))
    ));
}

#[tokio::test]
async fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lantern.db");
    drop(SqliteStore::open(&path).unwrap());
    inspect(&path)
        .execute(
            "INSERT INTO schema_migrations VALUES (99, 'from_a_newer_build', 0)",
            [],
        )
        .unwrap();
    let refused = SqliteStore::open(&path);
    assert!(
        matches!(&refused, Err(StoreError::Corrupt(message)) if message.contains("99")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_tampered_document_reads_as_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lantern.db");
    let store = SqliteStore::open(&path).unwrap();
    seed_files(&store).await;
    inspect(&path)
        .execute("UPDATE file_versions SET document = '{\"id\": \"NOT A VALID ID\"}' WHERE file_id = 'nhi-claims'", [])
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
    // The other files are untouched and still readable one by one.
    assert!(
        store
            .file(&lantern_store_tests::fixtures::tax_returns().id, None)
            .await
            .unwrap()
            .is_some()
    );
}

/// Two stores on one file stand for two processes: their writers queue on SQLite's lock (the
/// busy timeout) instead of failing, and each sees what the other committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stores_on_one_file_see_each_others_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lantern.db");
    let (first, second) = (
        SqliteStore::open(&path).unwrap(),
        SqliteStore::open(&path).unwrap(),
    );
    let mut writes = tokio::task::JoinSet::new();
    for n in 0..40 {
        let store = if n % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        writes.spawn(async move { store.put_setting(&format!("key-{n}"), "value").await });
    }
    while let Some(written) = writes.join_next().await {
        written.unwrap().unwrap();
    }
    for n in 0..40 {
        assert_eq!(
            first.setting(&format!("key-{n}")).await.unwrap().as_deref(),
            Some("value")
        );
        assert_eq!(
            second
                .setting(&format!("key-{n}"))
                .await
                .unwrap()
                .as_deref(),
            Some("value")
        );
    }
}
