//! [`lantern_store::DataRequestStore`]: requests between agencies for out-of-purpose use, moved
//! only along their transitions (filed → decided → delivered), listed by party and state.

use lantern_domain::{
    DataRequest, DataRequestSubmission, Decision, Delivery, Outcome, PersonalDataFile, RequestId,
    RequestState, TrackedRequest,
};
use lantern_store::{RequestFilter, RequestParty, Store};
use time::{Date, Duration};

use crate::fixtures::{T0, code, file_id, household_registry, nhi_claims, seed_files};

/// The id of the suite's `n`-th request.
fn request_id(n: u64) -> RequestId {
    RequestId::parse(&format!("0000000d-0000-4000-8000-{n:012x}"))
        .expect("the suite's request ids are well formed")
}

/// `days` after the day of [`T0`].
fn day(days: i64) -> Date {
    T0.date() + Duration::days(days)
}

/// Request `n` of `requester` for `file`, filed `days` after [`T0`], validated as the server
/// validates it.
fn request(n: u64, requester: &str, file: &PersonalDataFile, days: i64) -> DataRequest {
    DataRequestSubmission {
        file: file.id.to_string(),
        purpose: "157".into(),
        legal_basis: "PDPA-16-P5".into(),
        legal_citation: "個人資料保護法第16條但書第5款".into(),
        categories: vec!["C001".into()],
        subjects: "1200".into(),
        population: "研究對象".into(),
        consent_evidence: String::new(),
        retention: "研究結束後銷毀".into(),
        security: "去識別化".into(),
        recipients: "研究小組".into(),
    }
    .validate(request_id(n), code(requester), Some(file), day(days))
    .unwrap_or_else(|errors| panic!("fixture request {n} is invalid: {errors:?}"))
}

fn decision(outcome: Outcome, approved_subjects: Option<u64>) -> Decision {
    Decision {
        outcome,
        reasons: "依法審查".into(),
        approved_subjects,
        decided_on: day(10),
        decided_by: "user:holder".into(),
    }
}

fn delivery(subjects: u64) -> Delivery {
    Delivery {
        delivered_on: day(12),
        subjects,
        release: false,
    }
}

async fn file(store: &dyn Store, request: &DataRequest) -> TrackedRequest {
    store
        .file_request(request)
        .await
        .expect("file_request of a valid request")
}

/// A filed request reads back as filed, equal to what was stored; an unknown id is none.
pub async fn filed_requests_read_back(store: &dyn Store) {
    seed_files(store).await;
    let request = request(1, "MOI-HRA", &nhi_claims(), 0);
    let filed = file(store, &request).await;
    assert_eq!(filed, TrackedRequest::filed(request.clone()));
    let read = store
        .data_request(&request.id)
        .await
        .expect("data_request")
        .expect("the filed request is found");
    assert_eq!(read, filed);
    assert_eq!(read.state(), RequestState::Filed);
    assert_eq!(read.request().holder, code("MOHW-NHIA"));
    assert!(
        store
            .data_request(&request_id(2))
            .await
            .expect("data_request")
            .is_none()
    );
}

/// A taken id conflicts; an unknown requesting or holding agency or file is not found; nothing
/// of a refused write is stored.
pub async fn filing_checks_its_references(store: &dyn Store) {
    seed_files(store).await;
    let first = request(1, "MOI-HRA", &nhi_claims(), 0);
    file(store, &first).await;
    let mut again = request(1, "MOF-TAX", &household_registry(), 1);
    assert_store_err!(store.file_request(&again).await, Conflict);
    again.id = request_id(2);
    again.requester = code("NO-SUCH");
    assert_store_err!(store.file_request(&again).await, NotFound);
    again.requester = code("MOF-TAX");
    again.holder = code("NO-SUCH");
    assert_store_err!(store.file_request(&again).await, NotFound);
    again.holder = code("MOI-HRA");
    again.file = file_id("no-such-file");
    assert_store_err!(store.file_request(&again).await, NotFound);
    let all = store
        .data_requests(&RequestFilter::default())
        .await
        .expect("data_requests");
    assert_eq!(all, [TrackedRequest::filed(first)]);
}

/// A request is decided once: the decision reads back; a second one conflicts and changes
/// nothing; deciding an unknown request is not found.
pub async fn decided_once(store: &dyn Store) {
    seed_files(store).await;
    let request = request(1, "MOI-HRA", &nhi_claims(), 0);
    file(store, &request).await;
    let approve = decision(Outcome::ApproveInPart, Some(800));
    let decided = store
        .record_decision(&request.id, &approve)
        .await
        .expect("record_decision");
    assert_eq!(decided.state(), RequestState::Decided);
    assert_eq!(decided.decision(), Some(&approve));
    assert_eq!(
        store.data_request(&request.id).await.expect("read"),
        Some(decided.clone())
    );
    assert_store_err!(
        store
            .record_decision(&request.id, &decision(Outcome::Refuse, None))
            .await,
        Conflict
    );
    assert_eq!(
        store.data_request(&request.id).await.expect("read"),
        Some(decided)
    );
    assert_store_err!(
        store.record_decision(&request_id(9), &approve).await,
        NotFound
    );
}

/// Only an approved request is delivered, once, to no more people than approved: an undecided
/// or refused request, a second delivery, an empty one or one beyond the approval conflict; an
/// unknown request is not found.
pub async fn delivered_once_when_approved(store: &dyn Store) {
    seed_files(store).await;
    let nhi = nhi_claims();
    let undecided = request(1, "MOI-HRA", &nhi, 0);
    let refused = request(2, "MOI-HRA", &nhi, 0);
    let approved = request(3, "MOF-TAX", &nhi, 0);
    for r in [&undecided, &refused, &approved] {
        file(store, r).await;
    }
    store
        .record_decision(&refused.id, &decision(Outcome::Refuse, None))
        .await
        .expect("refuse");
    store
        .record_decision(&approved.id, &decision(Outcome::ApproveInPart, Some(800)))
        .await
        .expect("approve in part");

    assert_store_err!(
        store.record_delivery(&undecided.id, &delivery(5)).await,
        Conflict
    );
    assert_store_err!(
        store.record_delivery(&refused.id, &delivery(5)).await,
        Conflict
    );
    assert_store_err!(
        store.record_delivery(&approved.id, &delivery(801)).await,
        Conflict
    );
    assert_store_err!(
        store.record_delivery(&approved.id, &delivery(0)).await,
        Conflict
    );
    let delivered = store
        .record_delivery(&approved.id, &delivery(790))
        .await
        .expect("record_delivery");
    assert_eq!(delivered.state(), RequestState::Delivered);
    assert_eq!(delivered.delivery(), Some(&delivery(790)));
    assert_eq!(delivered.people(), Some(790));
    assert_eq!(
        store.data_request(&approved.id).await.expect("read"),
        Some(delivered)
    );
    assert_store_err!(
        store.record_delivery(&approved.id, &delivery(1)).await,
        Conflict
    );
    assert_store_err!(
        store.record_delivery(&request_id(9), &delivery(1)).await,
        NotFound
    );
    for (id, state) in [
        (&undecided.id, RequestState::Filed),
        (&refused.id, RequestState::Decided),
    ] {
        let read = store.data_request(id).await.expect("read").expect("found");
        assert_eq!(read.state(), state, "a refused write leaves {id} as it was");
    }
}

/// Lists select by requester, holder or file, and by state, both together; newest filing first,
/// then by id.
pub async fn listed_by_party_and_state(store: &dyn Store) {
    seed_files(store).await;
    let (nhi, household) = (nhi_claims(), household_registry());
    let requests = [
        request(1, "MOI-HRA", &nhi, 0),
        request(2, "MOF-TAX", &nhi, 2),
        request(3, "MOF-TAX", &household, 1),
        request(4, "MOHW-NHIA", &household, 2),
        request(5, "MOHW-NHIA", &nhi, 1),
    ];
    for r in &requests {
        file(store, r).await;
    }
    store
        .record_decision(&requests[1].id, &decision(Outcome::Approve, None))
        .await
        .expect("decide 2");
    store
        .record_decision(&requests[3].id, &decision(Outcome::Refuse, None))
        .await
        .expect("decide 4");
    let ids = |filter: RequestFilter| async move {
        store
            .data_requests(&filter)
            .await
            .expect("data_requests")
            .iter()
            .map(|r| r.request().id.clone())
            .collect::<Vec<_>>()
    };
    let n = |ns: &[u64]| ns.iter().map(|&n| request_id(n)).collect::<Vec<_>>();
    let party = |party: RequestParty| RequestFilter {
        party: Some(party),
        state: None,
    };
    assert_eq!(ids(RequestFilter::default()).await, n(&[2, 4, 3, 5, 1]));
    assert_eq!(
        ids(party(RequestParty::Requester(code("MOF-TAX")))).await,
        n(&[2, 3])
    );
    assert_eq!(
        ids(party(RequestParty::Holder(code("MOHW-NHIA")))).await,
        n(&[2, 5, 1])
    );
    assert_eq!(
        ids(party(RequestParty::File(household.id.clone()))).await,
        n(&[4, 3])
    );
    assert_eq!(
        ids(party(RequestParty::Requester(code("EY")))).await,
        n(&[])
    );
    assert_eq!(
        ids(RequestFilter {
            party: None,
            state: Some(RequestState::Decided),
        })
        .await,
        n(&[2, 4])
    );
    assert_eq!(
        ids(RequestFilter {
            party: Some(RequestParty::Holder(code("MOHW-NHIA"))),
            state: Some(RequestState::Filed),
        })
        .await,
        n(&[5, 1])
    );
    assert_eq!(
        ids(RequestFilter {
            party: Some(RequestParty::Requester(code("MOHW-NHIA"))),
            state: Some(RequestState::Delivered),
        })
        .await,
        n(&[])
    );
}

/// A file's approved uses are its requests approved whole or in part, delivered or not; refused
/// and undecided requests, and other files' requests, are not listed.
pub async fn approved_uses_are_the_approved_requests_of_the_file(store: &dyn Store) {
    seed_files(store).await;
    let (nhi, household) = (nhi_claims(), household_registry());
    let requests = [
        request(1, "MOI-HRA", &nhi, 0),
        request(2, "MOF-TAX", &nhi, 1),
        request(3, "MOF-TAX", &nhi, 2),
        request(4, "MOI-HRA", &nhi, 3),
        request(5, "MOHW-NHIA", &household, 4),
    ];
    for r in &requests {
        file(store, r).await;
    }
    let decide = |n: usize, d: Decision| {
        let id = requests[n].id.clone();
        async move { store.record_decision(&id, &d).await.expect("decide") }
    };
    decide(0, decision(Outcome::Approve, None)).await;
    decide(1, decision(Outcome::Refuse, None)).await;
    decide(2, decision(Outcome::ApproveInPart, Some(10))).await;
    decide(4, decision(Outcome::Approve, None)).await;
    store
        .record_delivery(&requests[0].id, &delivery(1200))
        .await
        .expect("deliver");
    let uses = store.approved_uses(&nhi.id).await.expect("approved_uses");
    assert_eq!(
        uses.iter()
            .map(|r| (r.request().id.clone(), r.state(), r.people()))
            .collect::<Vec<_>>(),
        [
            (request_id(3), RequestState::Decided, Some(10)),
            (request_id(1), RequestState::Delivered, Some(1200)),
        ]
    );
    assert!(
        store
            .approved_uses(&file_id("tax-returns"))
            .await
            .expect("none")
            .is_empty()
    );
}

/// Two decisions on one request racing each other: one is recorded, the other conflicts.
pub async fn concurrent_decisions_let_one_win(store: &dyn Store) {
    seed_files(store).await;
    let request = request(1, "MOI-HRA", &nhi_claims(), 0);
    file(store, &request).await;
    let (approve, refuse) = (
        decision(Outcome::Approve, None),
        decision(Outcome::Refuse, None),
    );
    let (a, b) = tokio::join!(
        store.record_decision(&request.id, &approve),
        store.record_decision(&request.id, &refuse)
    );
    let winner = match (a, b) {
        (Ok(won), Err(lantern_store::StoreError::Conflict(_)))
        | (Err(lantern_store::StoreError::Conflict(_)), Ok(won)) => won,
        other => panic!("expected one decision and one conflict, got {other:?}"),
    };
    assert_eq!(
        store.data_request(&request.id).await.expect("read"),
        Some(winner)
    );
}

/// A batch of requests is filed all or nothing: one taken id, and none of the batch is stored.
pub async fn a_batch_is_filed_whole_or_not_at_all(store: &dyn Store) {
    seed_files(store).await;
    let first = request(1, "MOI-HRA", &nhi_claims(), 0);
    file(store, &first).await;
    let fresh = request(2, "MOI-HRA", &nhi_claims(), 1);
    assert_store_err!(
        store.file_requests(&[fresh.clone(), first.clone()]).await,
        Conflict
    );
    assert!(
        store
            .data_request(&fresh.id)
            .await
            .expect("data_request")
            .is_none(),
        "nothing of the refused batch is stored"
    );
    let more = request(3, "MOI-HRA", &nhi_claims(), 2);
    store
        .file_requests(&[fresh.clone(), more.clone()])
        .await
        .expect("file_requests");
    for id in [&fresh.id, &more.id] {
        assert!(
            store
                .data_request(id)
                .await
                .expect("data_request")
                .is_some()
        );
    }
}

/// A release goes out in batches: each adds its people to the release record, up to the
/// approval, keeping the day of the first batch.
pub async fn a_release_adds_up_its_batches(store: &dyn Store) {
    seed_files(store).await;
    let request = request(1, "MOI-HRA", &nhi_claims(), 0);
    file(store, &request).await;
    store
        .record_decision(&request.id, &decision(Outcome::Approve, None))
        .await
        .expect("decide");
    let approved = store
        .data_request(&request.id)
        .await
        .expect("data_request")
        .expect("filed")
        .approved_subjects()
        .expect("a number of people was asked for");
    let first = Delivery {
        release: true,
        ..delivery(approved - 1)
    };
    store
        .record_delivery(&request.id, &first)
        .await
        .expect("first batch");
    let later = Delivery {
        delivered_on: first.delivered_on.next_day().expect("a next day"),
        release: true,
        ..delivery(1)
    };
    let done = store
        .record_delivery(&request.id, &later)
        .await
        .expect("second batch");
    let recorded = done.delivery().expect("delivered");
    assert_eq!(recorded.subjects, approved);
    assert_eq!(recorded.delivered_on, first.delivered_on);
    let read = store
        .data_request(&request.id)
        .await
        .expect("data_request")
        .expect("filed");
    assert_eq!(read, done, "the stored record is the sum of the batches");
    assert_store_err!(store.record_delivery(&request.id, &later).await, Conflict);
}
