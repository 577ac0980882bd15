//! The file register: creation, versions and history, optimistic concurrency, refusals that
//! leave nothing behind.

use lantern_domain::file::{DataCategory, Purpose};
use lantern_domain::{PersonalDataFile, PurposeCode};
use lantern_store::{FileQuery, MAX_PAGE, Store, VersionInfo};

use crate::fixtures::{at, change, code, file_id, household_registry, nhi_claims, seed_agencies};

fn info(version: u32, actor: &str, minutes: i64, fields: &[&str]) -> VersionInfo {
    VersionInfo {
        version,
        changed_by: actor.to_owned(),
        changed_at: at(minutes),
        changed_fields: fields.iter().map(|f| (*f).to_owned()).collect(),
    }
}

async fn file_count(store: &dyn Store) -> u64 {
    store
        .search_files(&FileQuery {
            limit: MAX_PAGE,
            ..FileQuery::default()
        })
        .await
        .expect("search_files")
        .total
}

/// A new file is version 1 and reads back whole, current and as version 1 (including numbers
/// beyond 32 bits and every nested disclosure).
pub async fn created_as_version_1(store: &dyn Store) {
    seed_agencies(store).await;
    let nhi = nhi_claims();
    let created = store
        .create_file(&nhi, &change("user:alice", 1))
        .await
        .expect("create_file");
    assert_eq!(created.value, nhi);
    assert_eq!(created.info, info(1, "user:alice", 1, &[]));
    assert_eq!(
        store.file(&nhi.id, None).await.expect("current"),
        Some(created.clone())
    );
    assert_eq!(
        store.file(&nhi.id, Some(1)).await.expect("version 1"),
        Some(created.clone())
    );
    assert_eq!(
        store.file_history(&nhi.id).await.expect("history"),
        [created.info]
    );
}

/// Creating a file whose id is taken, even by another agency's file, is a conflict and leaves
/// the stored file untouched.
pub async fn taken_id_conflicts(store: &dyn Store) {
    seed_agencies(store).await;
    let nhi = nhi_claims();
    let created = store
        .create_file(&nhi, &change("user:alice", 1))
        .await
        .expect("create_file");

    let mut again = nhi.clone();
    again.name_en = "Another file".into();
    assert_store_err!(
        store.create_file(&again, &change("user:bob", 2)).await,
        Conflict
    );
    let mut elsewhere = household_registry();
    elsewhere.id = nhi.id.clone();
    assert_store_err!(
        store.create_file(&elsewhere, &change("user:bob", 3)).await,
        Conflict
    );

    assert_eq!(
        store.file(&nhi.id, None).await.expect("file"),
        Some(created.clone())
    );
    assert_eq!(
        store.file_history(&nhi.id).await.expect("history"),
        [created.info]
    );
    assert_eq!(file_count(store).await, 1);
}

/// A file of an unregistered agency is refused and leaves nothing behind: no file, no history,
/// nothing found by any filter.
pub async fn unknown_agency_is_not_found(store: &dyn Store) {
    let nhi = nhi_claims();
    assert_store_err!(
        store.create_file(&nhi, &change("user:alice", 0)).await,
        NotFound
    );
    assert_eq!(store.file(&nhi.id, None).await.expect("file"), None);
    assert!(
        store
            .file_history(&nhi.id)
            .await
            .expect("history")
            .is_empty()
    );
    let by_purpose = FileQuery {
        purpose: Some(PurposeCode::parse("031").expect("code")),
        limit: 10,
        ..FileQuery::default()
    };
    assert_eq!(
        store.search_files(&by_purpose).await.expect("search").total,
        0
    );
    assert_eq!(file_count(store).await, 0);

    // The agency appearing later makes the same write succeed: the refusal left no residue.
    seed_agencies(store).await;
    let created = store
        .create_file(&nhi, &change("user:alice", 1))
        .await
        .expect("create_file");
    assert_eq!(created.info.version, 1);
}

/// Updates make versions 2, 3, …; the history lists every version oldest first with who, when
/// and which top-level fields changed.
pub async fn updates_make_versions_with_history(store: &dyn Store) {
    seed_agencies(store).await;
    let v1 = nhi_claims();
    store
        .create_file(&v1, &change("user:alice", 0))
        .await
        .expect("create_file");

    let mut v2 = v1.clone();
    v2.name_en = "NHI claims".into();
    let stored = store
        .update_file(&v2, None, &change("user:bob", 10))
        .await
        .expect("update 2");
    assert_eq!(stored.value, v2);
    assert_eq!(stored.info, info(2, "user:bob", 10, &["name_en"]));

    let mut v3 = v2.clone();
    v3.purposes.push(Purpose::Described {
        description: "長期照顧服務".into(),
    });
    if let Some(db) = v3.large_database.as_mut() {
        db.retention = "申報資料保存7年".into();
    }
    let stored = store
        .update_file(&v3, Some(2), &change("token:7 (MOHW-NHIA)", 20))
        .await
        .expect("update 3");
    assert_eq!(
        stored.info,
        info(
            3,
            "token:7 (MOHW-NHIA)",
            20,
            &["purposes", "large_database"]
        )
    );

    assert_eq!(
        store.file(&v1.id, None).await.expect("current"),
        Some(stored)
    );
    assert_eq!(
        store.file_history(&v1.id).await.expect("history"),
        [
            info(1, "user:alice", 0, &[]),
            info(2, "user:bob", 10, &["name_en"]),
            info(
                3,
                "token:7 (MOHW-NHIA)",
                20,
                &["purposes", "large_database"]
            ),
        ]
    );
}

/// Every earlier version stays readable exactly as it was written.
pub async fn old_versions_stay_readable(store: &dyn Store) {
    seed_agencies(store).await;
    let v1 = nhi_claims();
    store
        .create_file(&v1, &change("user:alice", 0))
        .await
        .expect("create_file");
    let mut v2 = v1.clone();
    v2.sensitive = None;
    v2.categories
        .retain(|c| !matches!(c, DataCategory::Code { code } if code.as_str() == "C111"));
    store
        .update_file(&v2, Some(1), &change("user:bob", 5))
        .await
        .expect("update");
    let mut v3 = v2.clone();
    v3.description = "改寫後的說明".into();
    store
        .update_file(&v3, Some(2), &change("user:carol", 9))
        .await
        .expect("update");

    let read = |version| store.file(&v1.id, Some(version));
    let first = read(1).await.expect("version 1").expect("version 1 exists");
    assert_eq!(
        (first.value, first.info),
        (v1.clone(), info(1, "user:alice", 0, &[]))
    );
    let second = read(2).await.expect("version 2").expect("version 2 exists");
    assert_eq!(
        (second.value, second.info),
        (v2, info(2, "user:bob", 5, &["categories", "sensitive"]))
    );
    let third = read(3).await.expect("version 3").expect("version 3 exists");
    assert_eq!(third.value, v3);
    assert_eq!(
        store.file(&v1.id, None).await.expect("current"),
        Some(third)
    );
}

/// Writing the current value again records nothing and returns the current version, with or
/// without an expected version, and even with a stale one (nothing would be overwritten, and a
/// retry of a call that committed must succeed).
pub async fn unchanged_write_records_nothing(store: &dyn Store) {
    seed_agencies(store).await;
    let nhi = nhi_claims();
    let v1 = store
        .create_file(&nhi, &change("user:alice", 0))
        .await
        .expect("create_file");
    assert_eq!(
        store
            .update_file(&nhi, None, &change("user:bob", 1))
            .await
            .expect("no-op"),
        v1
    );
    assert_eq!(
        store
            .update_file(&nhi, Some(1), &change("user:bob", 2))
            .await
            .expect("no-op"),
        v1
    );

    let mut renamed = nhi.clone();
    renamed.name_en = "Renamed".into();
    let v2 = store
        .update_file(&renamed, Some(1), &change("user:carol", 3))
        .await
        .expect("update");
    // The same call again, as a client retrying after a lost reply would send it.
    assert_eq!(
        store
            .update_file(&renamed, Some(1), &change("user:carol", 4))
            .await
            .expect("retry"),
        v2
    );
    assert_eq!(store.file_history(&nhi.id).await.expect("history").len(), 2);
}

/// An update with a stale or future `expected_version` is a conflict and writes nothing; the
/// current version number lets it through.
pub async fn expected_version_must_be_current(store: &dyn Store) {
    seed_agencies(store).await;
    let nhi = nhi_claims();
    store
        .create_file(&nhi, &change("user:alice", 0))
        .await
        .expect("create_file");
    let mut first_edit = nhi.clone();
    first_edit.name_en = "First edit".into();
    let v2 = store
        .update_file(&first_edit, Some(1), &change("user:alice", 1))
        .await
        .expect("update");

    let mut late_edit = nhi.clone();
    late_edit.description = "Edited from a stale form".into();
    assert_store_err!(
        store
            .update_file(&late_edit, Some(1), &change("user:bob", 2))
            .await,
        Conflict
    );
    assert_store_err!(
        store
            .update_file(&late_edit, Some(3), &change("user:bob", 2))
            .await,
        Conflict
    );
    assert_eq!(store.file(&nhi.id, None).await.expect("current"), Some(v2));
    assert_eq!(store.file_history(&nhi.id).await.expect("history").len(), 2);

    let v3 = store
        .update_file(&late_edit, Some(2), &change("user:bob", 3))
        .await
        .expect("update");
    assert_eq!(v3.info.version, 3);
    assert_eq!(v3.info.changed_fields, ["name_en", "description"]);
}

/// Updating a file that was never created is refused and creates nothing.
pub async fn update_of_unknown_file_is_not_found(store: &dyn Store) {
    seed_agencies(store).await;
    let nhi = nhi_claims();
    assert_store_err!(
        store
            .update_file(&nhi, None, &change("user:alice", 0))
            .await,
        NotFound
    );
    assert_store_err!(
        store
            .update_file(&nhi, Some(1), &change("user:alice", 0))
            .await,
        NotFound
    );
    assert_eq!(store.file(&nhi.id, None).await.expect("file"), None);
    assert!(
        store
            .file_history(&nhi.id)
            .await
            .expect("history")
            .is_empty()
    );
}

/// A file never moves to another agency, not even to a registered one.
pub async fn cannot_move_to_another_agency(store: &dyn Store) {
    seed_agencies(store).await;
    let nhi = nhi_claims();
    let v1 = store
        .create_file(&nhi, &change("user:alice", 0))
        .await
        .expect("create_file");
    let mut moved = nhi.clone();
    moved.agency = code("MOHW");
    assert_store_err!(
        store
            .update_file(&moved, None, &change("user:alice", 1))
            .await,
        Conflict
    );
    assert_store_err!(
        store
            .update_file(&moved, Some(1), &change("user:alice", 1))
            .await,
        Conflict
    );
    assert_eq!(store.file(&nhi.id, None).await.expect("file"), Some(v1));
    let by_agency = FileQuery {
        agency: Some(code("MOHW")),
        limit: 10,
        ..FileQuery::default()
    };
    assert_eq!(
        store.search_files(&by_agency).await.expect("search").total,
        0
    );
}

/// Versions that do not exist, and files that do not exist, read as `None` or an empty history.
pub async fn unknown_versions_are_none(store: &dyn Store) {
    seed_agencies(store).await;
    let nhi = nhi_claims();
    store
        .create_file(&nhi, &change("user:alice", 0))
        .await
        .expect("create_file");
    assert_eq!(store.file(&nhi.id, Some(0)).await.expect("version 0"), None);
    assert_eq!(store.file(&nhi.id, Some(2)).await.expect("version 2"), None);
    assert_eq!(
        store
            .file(&nhi.id, Some(u32::MAX))
            .await
            .expect("version max"),
        None
    );
    let unknown = file_id("no-such-file");
    assert_eq!(store.file(&unknown, None).await.expect("unknown"), None);
    assert_eq!(store.file(&unknown, Some(1)).await.expect("unknown"), None);
    assert!(
        store
            .file_history(&unknown)
            .await
            .expect("history")
            .is_empty()
    );
}

/// Two updates racing from the same expected version: exactly one wins, the other is a
/// conflict, and the stored file is the winner's.
pub async fn concurrent_updates_let_one_win(store: &dyn Store) {
    seed_agencies(store).await;
    let nhi = nhi_claims();
    store
        .create_file(&nhi, &change("user:seed", 0))
        .await
        .expect("create_file");
    let edit = |name: &str| PersonalDataFile {
        name_en: name.to_owned(),
        ..nhi.clone()
    };
    let (alice, bob) = (edit("Alice's edit"), edit("Bob's edit"));
    let (by_alice, by_bob) = (change("user:alice", 1), change("user:bob", 1));
    let (a, b) = tokio::join!(
        store.update_file(&alice, Some(1), &by_alice),
        store.update_file(&bob, Some(1), &by_bob)
    );
    let winner = match (a, b) {
        (Ok(won), Err(lantern_store::StoreError::Conflict(_)))
        | (Err(lantern_store::StoreError::Conflict(_)), Ok(won)) => won,
        other => panic!("expected one update and one conflict, got {other:?}"),
    };
    assert_eq!(winner.info.version, 2);
    assert_eq!(
        store.file(&nhi.id, None).await.expect("current"),
        Some(winner)
    );
    assert_eq!(store.file_history(&nhi.id).await.expect("history").len(), 2);
}

/// Two creations of the same id racing each other: one is created, the other is a conflict.
pub async fn concurrent_creates_let_one_win(store: &dyn Store) {
    seed_agencies(store).await;
    let nhi = nhi_claims();
    let mut rival = household_registry();
    rival.id = nhi.id.clone();
    let (by_alice, by_bob) = (change("user:alice", 0), change("user:bob", 0));
    let (a, b) = tokio::join!(
        store.create_file(&nhi, &by_alice),
        store.create_file(&rival, &by_bob)
    );
    let winner = match (a, b) {
        (Ok(won), Err(lantern_store::StoreError::Conflict(_)))
        | (Err(lantern_store::StoreError::Conflict(_)), Ok(won)) => won,
        other => panic!("expected one creation and one conflict, got {other:?}"),
    };
    assert_eq!(
        store.file(&nhi.id, None).await.expect("current"),
        Some(winner)
    );
    assert_eq!(store.file_history(&nhi.id).await.expect("history").len(), 1);
    assert_eq!(file_count(store).await, 1);
}
