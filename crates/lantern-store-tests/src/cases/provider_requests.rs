//! [`lantern_store::ProviderRequestStore`]: requests recorded all or nothing, unique per agency
//! and reference, read back in order and by filter.

use lantern_domain::provider_request::{ProviderRequest, ProviderRequestSubmission};
use lantern_store::{ProviderRequestQuery, Store};
use time::Date;
use time::macros::date;

use crate::fixtures::{change, code, seed_agencies};

fn request(agency: &str, reference: &str, day: &str, confidential: bool) -> ProviderRequest {
    ProviderRequestSubmission {
        reference: reference.into(),
        requested_on: day.into(),
        provider: "示範電信".into(),
        sector: "telecom".into(),
        statute: "稅捐稽徵法".into(),
        article: "第 30 條".into(),
        purpose: "administrative_investigation".into(),
        data_types: "subscriber".into(),
        identifiers: "2".into(),
        approver_role: "科長".into(),
        approved_on: day.into(),
        outcome: "all".into(),
        confidential_ground: if confidential {
            "GIDA-18-2".into()
        } else {
            String::new()
        },
        confidential_until: if confidential {
            "2027-01-01".into()
        } else {
            String::new()
        },
    }
    .validate(&code(agency), date!(2026 - 12 - 31))
    .unwrap_or_else(|errors| panic!("fixture request {reference} is invalid: {errors:?}"))
}

async fn read(store: &dyn Store, query: ProviderRequestQuery) -> Vec<(String, String)> {
    store
        .provider_requests(&query)
        .await
        .expect("provider_requests")
        .into_iter()
        .map(|r| (r.agency.to_string(), r.reference))
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, r)| ((*a).to_owned(), (*r).to_owned()))
        .collect()
}

/// Requests come back whole, by day, agency and reference; filters narrow them.
pub async fn requests_round_trip_in_order(store: &dyn Store) {
    seed_agencies(store).await;
    let secret = request("MOF-TAX", "b-2", "2025-02-01", true);
    let batch = [
        request("MOHW-NHIA", "z-1", "2025-03-01", false),
        secret.clone(),
        request("MOF-TAX", "a-1", "2025-02-01", false),
        request("MOF-TAX", "c-3", "2025-06-30", false),
    ];
    store
        .record_provider_requests(&batch, &change("user:alice", 1))
        .await
        .expect("record");
    assert_eq!(
        read(store, ProviderRequestQuery::default()).await,
        pairs(&[
            ("MOF-TAX", "a-1"),
            ("MOF-TAX", "b-2"),
            ("MOHW-NHIA", "z-1"),
            ("MOF-TAX", "c-3")
        ])
    );
    let from: Date = date!(2025 - 02 - 02);
    assert_eq!(
        read(
            store,
            ProviderRequestQuery {
                agency: Some(code("MOF-TAX")),
                from: Some(from),
                to: Some(date!(2025 - 06 - 30)),
            }
        )
        .await,
        pairs(&[("MOF-TAX", "c-3")])
    );
    let all = store
        .provider_requests(&ProviderRequestQuery::default())
        .await
        .expect("read");
    assert_eq!(
        all[1], secret,
        "the whole request, confidentiality included"
    );
}

/// A reference taken (stored or repeated in the batch) or an unknown agency writes nothing.
pub async fn a_bad_batch_writes_nothing(store: &dyn Store) {
    seed_agencies(store).await;
    store
        .record_provider_requests(
            &[request("MOF-TAX", "a-1", "2025-02-01", false)],
            &change("user:alice", 1),
        )
        .await
        .expect("record");
    for batch in [
        vec![
            request("MOF-TAX", "new-1", "2025-02-01", false),
            request("MOF-TAX", "a-1", "2025-02-02", false),
        ],
        vec![
            request("MOF-TAX", "new-2", "2025-02-01", false),
            request("MOF-TAX", "new-2", "2025-02-02", false),
        ],
    ] {
        assert_store_err!(
            store
                .record_provider_requests(&batch, &change("user:alice", 2))
                .await,
            Conflict
        );
    }
    assert_store_err!(
        store
            .record_provider_requests(
                &[
                    request("MOF-TAX", "new-3", "2025-02-01", false),
                    request("NO-SUCH", "x", "2025-02-01", false)
                ],
                &change("user:alice", 3)
            )
            .await,
        NotFound
    );
    assert_eq!(
        read(store, ProviderRequestQuery::default()).await,
        pairs(&[("MOF-TAX", "a-1")])
    );
    // The same reference is free for another agency.
    store
        .record_provider_requests(
            &[request("MOHW-NHIA", "a-1", "2025-02-01", false)],
            &change("user:bob", 4),
        )
        .await
        .expect("another agency's reference");
}
