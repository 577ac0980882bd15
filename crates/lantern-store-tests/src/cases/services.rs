//! [`lantern_store::ServiceStore`]: services versioned like register entries, and consents with
//! at most one in force per subject and service.

use lantern_domain::service::{NoticeSubmission, Outsourcing};
use lantern_domain::{ConsentChannel, Service, ServiceId, ServiceSubmission};
use lantern_store::{ConsentRecord, Store, Withdrawal};

use crate::fixtures::{at, change, code, event_id, nhi_claims, seed_files, subject};

fn service_id(raw: &str) -> ServiceId {
    ServiceId::parse(raw).expect("the suite's service ids are well formed")
}

/// A service of MOHW-NHIA over `nhi-claims`, validated as the server validates it.
fn service(id: &str) -> Service {
    ServiceSubmission {
        file: "nhi-claims".into(),
        name_zh: format!("服務 {id}"),
        name_en: String::new(),
        summary: "查詢就醫紀錄".into(),
        notice: NoticeSubmission {
            controller: "衛生福利部中央健康保險署".into(),
            purposes: vec!["031".into()],
            categories: vec!["C001".into()],
            period: "服務存續期間".into(),
            area: "中華民國境內".into(),
            recipients: "本署".into(),
            manner: "電子方式".into(),
            rights: "得請求查詢、更正、停止利用或刪除".into(),
            consequence: "無法使用本服務".into(),
            outsourcing: vec![Outsourcing {
                vendor: "甲資訊公司".into(),
                task: "系統維運".into(),
            }],
        },
    }
    .validate(service_id(id), code("MOHW-NHIA"), Some(&nhi_claims()))
    .unwrap_or_else(|errors| panic!("fixture service {id} is invalid: {errors:?}"))
}

fn consent(n: u64, subject_n: u8, service: &str, minutes: i64) -> ConsentRecord {
    ConsentRecord {
        id: event_id(n),
        subject: subject(subject_n),
        sealed_subject: vec![subject_n, 1, 2, 3],
        service: service_id(service),
        notice_version: 1,
        channel: ConsentChannel::Web,
        granted_at: at(minutes),
        withdrawal: None,
    }
}

fn withdrawal(n: u64, minutes: i64) -> Withdrawal {
    Withdrawal {
        event: event_id(n),
        at: at(minutes),
        channel: ConsentChannel::Counter,
    }
}

async fn seed_service(store: &dyn Store, id: &str) -> Service {
    let service = service(id);
    store
        .create_service(&service, &change("user:alice", 1))
        .await
        .expect("create_service");
    service
}

/// A service starts at version 1; a change writes version 2 naming the changed fields; the
/// old version stays readable; an unchanged write records nothing.
pub async fn services_are_versioned(store: &dyn Store) {
    seed_files(store).await;
    let first = seed_service(store, "nhi-express").await;
    let mut second = first.clone();
    second.notice.period = "一年".into();
    let stored = store
        .update_service(&second, Some(1), &change("user:bob", 2))
        .await
        .expect("update_service");
    assert_eq!(stored.info.version, 2);
    assert_eq!(stored.info.changed_fields, ["notice.period"]);
    let again = store
        .update_service(&second, Some(1), &change("user:bob", 3))
        .await
        .expect("unchanged update");
    assert_eq!(again.info.version, 2, "an unchanged write records nothing");
    let id = service_id("nhi-express");
    assert_eq!(
        store
            .service(&id, None)
            .await
            .expect("service")
            .map(|s| s.value),
        Some(second)
    );
    assert_eq!(
        store
            .service(&id, Some(1))
            .await
            .expect("v1")
            .map(|s| s.value),
        Some(first)
    );
    assert!(store.service(&id, Some(3)).await.expect("v3").is_none());
    let history = store.service_history(&id).await.expect("history");
    assert_eq!(
        history
            .iter()
            .map(|v| (v.version, v.changed_by.as_str()))
            .collect::<Vec<_>>(),
        [(1, "user:alice"), (2, "user:bob")]
    );
    assert!(
        store
            .service_history(&service_id("nope"))
            .await
            .expect("none")
            .is_empty()
    );
}

/// Creating a taken id conflicts; an unknown agency is not found; a stale expected version and
/// a move to another agency conflict; updating an unknown service is not found.
pub async fn service_writes_are_checked(store: &dyn Store) {
    seed_files(store).await;
    let service = seed_service(store, "nhi-express").await;
    assert_store_err!(
        store
            .create_service(&service, &change("user:alice", 2))
            .await,
        Conflict
    );
    let mut elsewhere = service.clone();
    elsewhere.id = service_id("other");
    elsewhere.agency = code("NO-SUCH");
    assert_store_err!(
        store
            .create_service(&elsewhere, &change("user:alice", 2))
            .await,
        NotFound
    );
    let mut moved = service.clone();
    moved.agency = code("MOF-TAX");
    assert_store_err!(
        store
            .update_service(&moved, None, &change("user:alice", 3))
            .await,
        Conflict
    );
    let mut changed = service.clone();
    changed.summary = "新".into();
    assert_store_err!(
        store
            .update_service(&changed, Some(7), &change("user:alice", 3))
            .await,
        Conflict
    );
    changed.id = service_id("unknown");
    assert_store_err!(
        store
            .update_service(&changed, None, &change("user:alice", 3))
            .await,
        NotFound
    );
}

/// The list holds every service's current version by agency then id.
pub async fn services_are_listed_by_agency_then_id(store: &dyn Store) {
    seed_files(store).await;
    for id in ["zz-last", "aa-first"] {
        seed_service(store, id).await;
    }
    let mut changed = service("zz-last");
    changed.summary = "第二版".into();
    store
        .update_service(&changed, None, &change("user:alice", 2))
        .await
        .expect("update");
    let listed = store.services().await.expect("services");
    assert_eq!(
        listed
            .iter()
            .map(|s| (s.value.id.as_str(), s.info.version))
            .collect::<Vec<_>>(),
        [("aa-first", 1), ("zz-last", 2)]
    );
}

/// One consent in force per subject and service: a second grant conflicts until the first is
/// withdrawn; after that the subject may grant again.
pub async fn one_consent_in_force_per_service(store: &dyn Store) {
    seed_files(store).await;
    seed_service(store, "nhi-express").await;
    store
        .record_consent(&consent(1, 1, "nhi-express", 5))
        .await
        .expect("grant");
    assert_store_err!(
        store.record_consent(&consent(2, 1, "nhi-express", 6)).await,
        Conflict
    );
    assert_store_err!(
        store.record_consent(&consent(1, 2, "nhi-express", 6)).await,
        Conflict
    );
    store
        .record_consent(&consent(3, 2, "nhi-express", 6))
        .await
        .expect("another subject grants");
    let withdrawn = store
        .record_withdrawal(&subject(1), &service_id("nhi-express"), &withdrawal(4, 7))
        .await
        .expect("withdraw");
    assert_eq!(withdrawn.id, event_id(1));
    assert_eq!(withdrawn.withdrawal, Some(withdrawal(4, 7)));
    store
        .record_consent(&consent(5, 1, "nhi-express", 8))
        .await
        .expect("a withdrawn consent may be given again");
}

/// A withdrawal takes the consent out of the service's list at once; the subject's list keeps
/// it, withdrawn, newest grant first, with every field as stored.
pub async fn withdrawal_is_effective_at_once(store: &dyn Store) {
    seed_files(store).await;
    seed_service(store, "nhi-express").await;
    seed_service(store, "other").await;
    for c in [
        consent(1, 1, "nhi-express", 5),
        consent(2, 2, "nhi-express", 6),
        consent(3, 1, "other", 7),
    ] {
        store.record_consent(&c).await.expect("grant");
    }
    let ids = |list: Vec<ConsentRecord>| list.into_iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store
            .service_consents(&service_id("nhi-express"))
            .await
            .expect("list")),
        [event_id(1), event_id(2)]
    );
    store
        .record_withdrawal(&subject(1), &service_id("nhi-express"), &withdrawal(9, 8))
        .await
        .expect("withdraw");
    assert_eq!(
        ids(store
            .service_consents(&service_id("nhi-express"))
            .await
            .expect("list")),
        [event_id(2)]
    );
    let mine = store.subject_consents(&subject(1)).await.expect("mine");
    let mut expected_first = consent(1, 1, "nhi-express", 5);
    expected_first.withdrawal = Some(withdrawal(9, 8));
    assert_eq!(mine, [consent(3, 1, "other", 7), expected_first]);
    assert_store_err!(
        store
            .record_withdrawal(&subject(1), &service_id("nhi-express"), &withdrawal(10, 9))
            .await,
        NotFound
    );
}

/// A consent names an existing version of an existing service; another subject's consents are
/// never in a subject's list.
pub async fn consents_refer_to_stored_notices(store: &dyn Store) {
    seed_files(store).await;
    seed_service(store, "nhi-express").await;
    let mut unknown_version = consent(1, 1, "nhi-express", 5);
    unknown_version.notice_version = 2;
    assert_store_err!(store.record_consent(&unknown_version).await, NotFound);
    assert_store_err!(
        store
            .record_consent(&consent(2, 1, "no-such-service", 5))
            .await,
        NotFound
    );
    store
        .record_consent(&consent(3, 2, "nhi-express", 5))
        .await
        .expect("grant");
    assert!(
        store
            .subject_consents(&subject(1))
            .await
            .expect("mine")
            .is_empty()
    );
    assert_store_err!(
        store
            .record_withdrawal(&subject(1), &service_id("nhi-express"), &withdrawal(4, 6))
            .await,
        NotFound
    );
}

/// Shredding a subject deletes their consent records (which hold the sealed number) and no one
/// else's.
pub async fn shredding_deletes_consents(store: &dyn Store) {
    seed_files(store).await;
    seed_service(store, "nhi-express").await;
    store
        .record_consent(&consent(1, 1, "nhi-express", 5))
        .await
        .expect("grant");
    store
        .record_consent(&consent(2, 2, "nhi-express", 5))
        .await
        .expect("grant");
    let shredded = store.shred_subject(&subject(1)).await.expect("shred");
    assert_eq!(shredded.consents_deleted, 1);
    assert!(
        store
            .subject_consents(&subject(1))
            .await
            .expect("mine")
            .is_empty()
    );
    assert_eq!(
        store
            .subject_consents(&subject(2))
            .await
            .expect("theirs")
            .len(),
        1
    );
}
