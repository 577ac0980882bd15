//! The citizen portal's view of a footprint: every visible entry newest first, filters, the
//! summary of a period, and one subject's events looked up by index (never another's, never a
//! withheld one).

use lantern_domain::{AgencyCode, FileId, LegalBasisCode, PurposeCode};
use lantern_log::{Action, Commitment, EventId, PurposeScope};
use lantern_store::Store;
use lantern_store::footprint::{FootprintFilter, FootprintSummary, filtered_footprint};
use time::macros::date;
use time::{Date, Duration};

use crate::fixtures::{Usage, append, at, event_id, seed_files, subject, usage};

/// A day after every date the suite uses.
const LATER: Date = date!(2030 - 01 - 01);

/// Subject 1's events over three months (plus one withheld and one of subject 2).
async fn seed(store: &dyn Store) -> Vec<u64> {
    seed_files(store).await;
    let day = Duration::days(1);
    let receipt = append(
        store,
        &[
            usage(1, 1, "nhi-claims", at(0)),
            Usage {
                action: Action::Disclose,
                records: 4,
                ..usage(2, 1, "nhi-claims", at(0) + day * 31)
            },
            usage(3, 1, "tax-returns", at(0) + day * 32),
            Usage {
                action: Action::OutOfPurposeUse,
                purpose: "025",
                legal_basis: "PDPA-16-P5",
                scope: PurposeScope::OutOfPurpose,
                ..usage(4, 1, "household-registry", at(0) + day * 62)
            },
            Usage {
                confidential: Some(("GIDA-18-2", LATER)),
                ..usage(5, 1, "nhi-claims", at(0) + day * 63)
            },
            usage(6, 2, "nhi-claims", at(0) + day * 40),
        ],
        at(0) + day * 70,
    )
    .await;
    receipt.outcomes.iter().map(|o| o.index()).collect()
}

fn ids_of(events: &[lantern_store::StoredEvent]) -> Vec<EventId> {
    events.iter().map(|e| e.event.parts().id.clone()).collect()
}

fn id_list(numbers: &[u64]) -> Vec<EventId> {
    numbers.iter().copied().map(event_id).collect()
}

/// The entries are the subject's visible events, newest first, and the withheld counted.
pub async fn entries_list_the_visible_events_newest_first(store: &dyn Store) {
    let index = seed(store).await;
    let today = at(0).date();
    let entries = store
        .footprint_entries(&subject(1), today)
        .await
        .expect("the store answers");
    let listed: Vec<u64> = entries.visible.iter().map(|e| e.index).collect();
    assert_eq!(listed, [index[3], index[2], index[1], index[0]]);
    assert_eq!(entries.withheld.len(), 1);
    assert_eq!(entries.withheld[0].events, 1);
    assert_eq!(
        entries.visible[3].entry.parts().file,
        FileId::parse("nhi-claims").expect("the suite\'s codes are valid")
    );
    let later = store
        .footprint_entries(&subject(1), LATER)
        .await
        .expect("the store answers");
    assert_eq!(later.visible.len(), 5, "visible from its date on");
    assert!(later.withheld.is_empty());
    let nobody = store
        .footprint_entries(&subject(9), today)
        .await
        .expect("the store answers");
    assert!(nobody.visible.is_empty() && nobody.withheld.is_empty());
}

/// Each filter field narrows the list, the total counts the filtered events, and paging
/// applies after filtering.
pub async fn filters_narrow_the_list(store: &dyn Store) {
    seed(store).await;
    let today = at(0).date();
    let list = |filter: FootprintFilter, limit: u32, offset: u32| async move {
        filtered_footprint(store, &subject(1), today, &filter, limit, offset)
            .await
            .expect("the store answers")
    };
    let all = list(FootprintFilter::default(), 50, 0).await;
    assert_eq!(ids_of(&all.events), id_list(&[4, 3, 2, 1]));
    assert_eq!((all.total, all.withheld.len()), (4, 1));

    let nhi = FootprintFilter {
        file: Some(FileId::parse("nhi-claims").expect("the suite\'s codes are valid")),
        ..FootprintFilter::default()
    };
    let by_file = list(nhi, 50, 0).await;
    assert_eq!(ids_of(&by_file.events), id_list(&[2, 1]));
    assert_eq!(by_file.total, 2);

    let by_agency = list(
        FootprintFilter {
            agency: Some(AgencyCode::parse("MOF-TAX").expect("the suite\'s codes are valid")),
            ..FootprintFilter::default()
        },
        50,
        0,
    )
    .await;
    assert_eq!(ids_of(&by_agency.events), id_list(&[3]));

    let by_action = list(
        FootprintFilter {
            action: Some(Action::Disclose),
            ..FootprintFilter::default()
        },
        50,
        0,
    )
    .await;
    assert_eq!(ids_of(&by_action.events), id_list(&[2]));

    let by_purpose = list(
        FootprintFilter {
            purpose: Some(PurposeCode::parse("025").expect("the suite\'s codes are valid")),
            ..FootprintFilter::default()
        },
        50,
        0,
    )
    .await;
    assert_eq!(ids_of(&by_purpose.events), id_list(&[4]));

    let april = list(
        FootprintFilter {
            from: Some(date!(2025 - 04 - 01)),
            to: Some(date!(2025 - 04 - 30)),
            ..FootprintFilter::default()
        },
        50,
        0,
    )
    .await;
    assert_eq!(ids_of(&april.events), id_list(&[3, 2]));

    let second_page = list(FootprintFilter::default(), 2, 2).await;
    assert_eq!(ids_of(&second_page.events), id_list(&[2, 1]));
    assert_eq!(second_page.total, 4);

    let none = list(
        FootprintFilter {
            from: Some(date!(2026 - 01 - 01)),
            ..FootprintFilter::default()
        },
        50,
        0,
    )
    .await;
    assert!(none.events.is_empty());
    assert_eq!(none.total, 0);
}

/// The summary counts the period's events by agency, purpose, action and month (empty months
/// included), and the out-of-purpose ones by legal basis.
pub async fn summary_counts_the_period(store: &dyn Store) {
    seed(store).await;
    let today = at(0).date();
    let entries = store
        .footprint_entries(&subject(1), today)
        .await
        .expect("the store answers");
    let summary = FootprintSummary::tally(&entries, date!(2025 - 02 - 01), date!(2025 - 05 - 31));
    assert_eq!(summary.events, 4);
    assert_eq!(summary.records, 7);
    assert_eq!(
        summary.by_agency,
        [
            (
                AgencyCode::parse("MOHW-NHIA").expect("the suite\'s codes are valid"),
                2
            ),
            (
                AgencyCode::parse("MOF-TAX").expect("the suite\'s codes are valid"),
                1
            ),
            (
                AgencyCode::parse("MOI-HRA").expect("the suite\'s codes are valid"),
                1
            ),
        ]
    );
    assert_eq!(
        summary.by_purpose[0],
        (
            PurposeCode::parse("031").expect("the suite\'s codes are valid"),
            2
        )
    );
    assert_eq!(
        summary.by_action,
        [
            (Action::Use, 2),
            (Action::Disclose, 1),
            (Action::OutOfPurposeUse, 1)
        ]
    );
    assert_eq!(
        summary.by_month,
        [
            ((2025, 2), 0),
            ((2025, 3), 1),
            ((2025, 4), 2),
            ((2025, 5), 1)
        ]
    );
    assert_eq!(summary.out_of_purpose, 1);
    assert_eq!(
        summary.out_of_purpose_by_basis,
        [(
            LegalBasisCode::parse("PDPA-16-P5").expect("the suite\'s codes are valid"),
            1
        )]
    );
    assert_eq!(summary.withheld.len(), 1);

    let april = FootprintSummary::tally(&entries, date!(2025 - 04 - 01), date!(2025 - 04 - 30));
    assert_eq!(april.events, 2);
    assert_eq!(april.by_month, [((2025, 4), 2)]);
}

/// Looking events up by index returns the subject's own visible events, in the order asked,
/// and leaves out another subject's, a withheld one and one that does not exist.
pub async fn subject_events_are_only_their_own(store: &dyn Store) {
    let index = seed(store).await;
    let today = at(0).date();
    let asked = [index[2], index[5], index[0], index[4], 999_999];
    let found = store
        .subject_events(&subject(1), today, &asked)
        .await
        .expect("the store answers");
    assert_eq!(ids_of(&found), id_list(&[3, 1]));
    for event in &found {
        assert_eq!(
            event.entry.parts().commitment,
            Commitment::compute(&event.salt, event.event.canonical().as_bytes()),
            "the salt opens the entry's commitment"
        );
    }
    let theirs = store
        .subject_events(&subject(2), today, &[index[5]])
        .await
        .expect("the store answers");
    assert_eq!(ids_of(&theirs), id_list(&[6]));
    let once_visible = store
        .subject_events(&subject(1), LATER, &[index[4]])
        .await
        .expect("the store answers");
    assert_eq!(ids_of(&once_visible), id_list(&[5]));
    assert!(
        store
            .subject_events(&subject(9), today, &asked)
            .await
            .expect("the store answers")
            .is_empty()
    );
}
