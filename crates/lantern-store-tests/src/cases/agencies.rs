//! The agency register: versions and history, no-op writes, supervisors, ordering.

use lantern_store::{Store, VersionInfo};

use crate::fixtures::{agency, at, change, code, seed_agencies};

/// A new agency is version 1 with no changed fields, and reads back as written.
pub async fn created_as_version_1(store: &dyn Store) {
    let ey = agency("EY", "行政院", None);
    let stored = store
        .put_agency(&ey, &change("system:seed", 0))
        .await
        .expect("put_agency");
    assert_eq!(stored.value, ey);
    assert_eq!(
        stored.info,
        VersionInfo {
            version: 1,
            changed_by: "system:seed".into(),
            changed_at: at(0),
            changed_fields: vec![]
        }
    );
    assert_eq!(store.agency(&ey.code).await.expect("agency"), Some(stored));
}

/// Each change makes the next version, recording who, when and which fields changed.
pub async fn changes_make_new_versions(store: &dyn Store) {
    seed_agencies(store).await;
    let mut nhia = agency("MOHW-NHIA", "衛生福利部中央健康保險署", Some("MOHW"));
    nhia.name_en = "National Health Insurance Administration".into();
    nhia.contact.email = "privacy@nhi.example.gov.tw".into();
    let v2 = store
        .put_agency(&nhia, &change("user:alice", 5))
        .await
        .expect("second version");
    assert_eq!(v2.value, nhia);
    assert_eq!(
        v2.info,
        VersionInfo {
            version: 2,
            changed_by: "user:alice".into(),
            changed_at: at(5),
            changed_fields: vec!["name_en".into(), "contact".into()],
        }
    );

    nhia.supervisor = Some(code("EY"));
    nhia.intelligence_agency = true;
    let v3 = store
        .put_agency(&nhia, &change("user:bob", 9))
        .await
        .expect("third version");
    assert_eq!(v3.info.version, 3);
    assert_eq!(
        v3.info.changed_fields,
        ["supervisor", "intelligence_agency"]
    );
    assert_eq!(store.agency(&nhia.code).await.expect("agency"), Some(v3));

    nhia.supervisor = None;
    nhia.kind = lantern_domain::AgencyKind::OtherPublicBody;
    nhia.name_zh = "中央健康保險署".into();
    let v4 = store
        .put_agency(&nhia, &change("user:bob", 10))
        .await
        .expect("fourth version");
    assert_eq!(v4.info.changed_fields, ["name_zh", "kind", "supervisor"]);
    assert_eq!(
        store
            .agency(&nhia.code)
            .await
            .expect("agency")
            .map(|a| a.value),
        Some(nhia)
    );
}

fn info(version: u32, actor: &str, minutes: i64, fields: &[&str]) -> VersionInfo {
    VersionInfo {
        version,
        changed_by: actor.to_owned(),
        changed_at: at(minutes),
        changed_fields: fields.iter().map(|f| (*f).to_owned()).collect(),
    }
}

/// The history lists every version oldest first with who, when and which fields changed; an
/// unchanged write adds no entry.
pub async fn history_lists_every_version(store: &dyn Store) {
    let v1 = agency("EY", "行政院", None);
    store
        .put_agency(&v1, &change("system:seed", 0))
        .await
        .expect("first version");
    let mut v2 = v1.clone();
    v2.name_en = "Executive Yuan".into();
    v2.contact.email = "privacy@ey.example.gov.tw".into();
    store
        .put_agency(&v2, &change("user:alice", 5))
        .await
        .expect("second version");
    store
        .put_agency(&v2, &change("user:mallory", 6))
        .await
        .expect("same value");
    let mut v3 = v2.clone();
    v3.kind = lantern_domain::AgencyKind::OtherPublicBody;
    store
        .put_agency(&v3, &change("user:bob", 9))
        .await
        .expect("third version");

    assert_eq!(
        store.agency_history(&v1.code).await.expect("history"),
        [
            info(1, "system:seed", 0, &[]),
            info(2, "user:alice", 5, &["name_en", "contact"]),
            info(3, "user:bob", 9, &["kind"]),
        ]
    );
}

/// Every earlier version stays readable exactly as it was written, and the newest one is the
/// current version.
pub async fn old_versions_stay_readable(store: &dyn Store) {
    seed_agencies(store).await;
    let v1 = store
        .agency(&code("MOHW-NHIA"))
        .await
        .expect("agency")
        .expect("seeded");
    let mut v2 = v1.value.clone();
    v2.supervisor = Some(code("EY"));
    v2.intelligence_agency = true;
    store
        .put_agency(&v2, &change("user:bob", 5))
        .await
        .expect("second version");
    let mut v3 = v2.clone();
    v3.name_zh = "中央健康保險署".into();
    let current = store
        .put_agency(&v3, &change("user:carol", 9))
        .await
        .expect("third version");

    let read = |version| store.agency_version(&v3.code, version);
    assert_eq!(read(1).await.expect("version 1"), Some(v1.clone()));
    let second = read(2).await.expect("version 2").expect("version 2 exists");
    assert_eq!(
        (second.value, second.info),
        (
            v2,
            info(2, "user:bob", 5, &["supervisor", "intelligence_agency"])
        )
    );
    let third = read(3).await.expect("version 3").expect("version 3 exists");
    assert_eq!(third, current);
    assert_eq!(store.agency(&v3.code).await.expect("agency"), Some(third));
}

/// Versions that were never written, and every version of an unknown agency, read as `None`;
/// an unknown agency's history is empty.
pub async fn unknown_agency_versions_are_none(store: &dyn Store) {
    let ey = agency("EY", "行政院", None);
    store
        .put_agency(&ey, &change("system:seed", 0))
        .await
        .expect("put_agency");
    for version in [0, 2, u32::MAX] {
        assert_eq!(
            store
                .agency_version(&ey.code, version)
                .await
                .expect("agency_version"),
            None,
            "version {version}"
        );
    }
    assert_eq!(
        store
            .agency_version(&code("NOPE"), 1)
            .await
            .expect("agency_version"),
        None
    );
    assert!(
        store
            .agency_history(&code("NOPE"))
            .await
            .expect("history")
            .is_empty()
    );
}

/// Writing the current value again records nothing and returns the current version as it was.
pub async fn unchanged_write_records_nothing(store: &dyn Store) {
    let ey = agency("EY", "行政院", None);
    let v1 = store
        .put_agency(&ey, &change("system:seed", 0))
        .await
        .expect("first write");
    let again = store
        .put_agency(&ey, &change("user:mallory", 30))
        .await
        .expect("same value");
    assert_eq!(again, v1);

    let mut renamed = ey.clone();
    renamed.name_en = "Executive Yuan".into();
    let v2 = store
        .put_agency(&renamed, &change("user:alice", 40))
        .await
        .expect("real change");
    let again = store
        .put_agency(&renamed, &change("user:mallory", 50))
        .await
        .expect("same value");
    assert_eq!(again, v2);
    assert_eq!(store.agency(&ey.code).await.expect("agency"), Some(v2));
}

/// An agency whose supervisor is not registered is refused, new or existing, and nothing is
/// written.
pub async fn unknown_supervisor_is_not_found(store: &dyn Store) {
    let orphan = agency("MOHW", "衛生福利部", Some("EY"));
    assert_store_err!(
        store.put_agency(&orphan, &change("user:alice", 0)).await,
        NotFound
    );
    assert_eq!(store.agency(&orphan.code).await.expect("agency"), None);
    assert!(store.agencies().await.expect("agencies").is_empty());

    let ey = store
        .put_agency(&agency("EY", "行政院", None), &change("system:seed", 0))
        .await
        .expect("EY");
    let mut moved = ey.value.clone();
    moved.supervisor = Some(code("PRESIDENT"));
    assert_store_err!(
        store.put_agency(&moved, &change("user:alice", 1)).await,
        NotFound
    );
    assert_eq!(
        store.agency(&ey.value.code).await.expect("agency"),
        Some(ey)
    );
}

/// `agencies` lists every current version ordered by code, comparing codes byte by byte
/// (`-` < digits < letters), whatever the database's locale.
pub async fn listed_by_code(store: &dyn Store) {
    for raw in ["ABA", "EY", "AB-C", "AB1"] {
        store
            .put_agency(&agency(raw, "機關", None), &change("system:seed", 0))
            .await
            .expect("put_agency");
    }
    let mut renamed = agency("AB1", "新名稱", None);
    renamed.name_en = "Renamed".into();
    store
        .put_agency(&renamed, &change("user:alice", 1))
        .await
        .expect("rename");

    let listed = store.agencies().await.expect("agencies");
    let codes: Vec<&str> = listed.iter().map(|a| a.code.as_str()).collect();
    assert_eq!(codes, ["AB-C", "AB1", "ABA", "EY"]);
    assert_eq!(listed[1], renamed);
}

/// Unknown codes read as `None`, and an empty register lists nothing.
pub async fn unknown_agency_is_none(store: &dyn Store) {
    assert_eq!(store.agency(&code("NOPE")).await.expect("agency"), None);
    assert!(store.agencies().await.expect("agencies").is_empty());
}

/// Two first writes of the same agency racing each other both succeed: one creates version 1,
/// the other records version 2 over it.
pub async fn concurrent_first_writes_both_land(store: &dyn Store) {
    let first = agency("EY", "行政院", None);
    let mut second = first.clone();
    second.name_en = "Executive Yuan".into();
    let (by_alice, by_bob) = (change("user:alice", 0), change("user:bob", 0));
    let (a, b) = tokio::join!(
        store.put_agency(&first, &by_alice),
        store.put_agency(&second, &by_bob)
    );
    let (a, b) = (a.expect("first writer"), b.expect("second writer"));
    let mut versions = [a.info.version, b.info.version];
    versions.sort_unstable();
    assert_eq!(versions, [1, 2]);
    let last = if a.info.version == 2 { a } else { b };
    assert_eq!(store.agency(&first.code).await.expect("agency"), Some(last));
}
