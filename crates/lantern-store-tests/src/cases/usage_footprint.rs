//! What a subject sees of the usage log (their footprint): only their events, newest first,
//! paged, confidential ones withheld until their date; and crypto-shredding, which removes a
//! subject's events and secret but never the log.

use lantern_domain::RestrictionGroundCode;
use lantern_log::merkle::{inclusion_proof, verify_inclusion};
use lantern_log::{Commitment, EventId, LogEntry};
use lantern_store::hashes::with_stored_hashes;
use lantern_store::{
    Appended, Footprint, FootprintQuery, MAX_PAGE, Shredded, Store, WithheldCount,
};
use time::macros::{date, datetime};
use time::{Date, Duration};

use crate::fixtures::{
    Usage, all_entries, all_stored_hashes, append, at, event_id, footprint, leaf_hashes,
    seed_files, subject, usage,
};

/// A day after every date the suite uses.
const LATER: Date = date!(2030 - 01 - 01);

fn ids(footprint: &Footprint) -> Vec<EventId> {
    footprint
        .events
        .iter()
        .map(|e| e.event.parts().id.clone())
        .collect()
}

fn id_list(numbers: &[u64]) -> Vec<EventId> {
    numbers.iter().copied().map(event_id).collect()
}

async fn page(store: &dyn Store, n: u8, today: Date, limit: u32, offset: u32) -> Footprint {
    store
        .footprint(FootprintQuery {
            subject: &subject(n),
            today,
            limit,
            offset,
        })
        .await
        .unwrap_or_else(|e| panic!("footprint limit {limit} offset {offset}: {e}"))
}

fn withheld(ground: &str, until: Date, events: u64) -> WithheldCount {
    WithheldCount {
        ground: RestrictionGroundCode::parse(ground).expect("ground"),
        until,
        events,
    }
}

fn confidential(id: u64, ground: &'static str, until: Date) -> Usage {
    Usage {
        confidential: Some((ground, until)),
        ..usage(id, 1, "nhi-claims", at(id as i64))
    }
}

/// A footprint lists its subject's events and no one else's, whatever the file; a subject
/// never logged has an empty footprint.
pub async fn only_the_subjects_events(store: &dyn Store) {
    seed_files(store).await;
    append(
        store,
        &[
            usage(1, 1, "nhi-claims", at(0)),
            usage(2, 2, "nhi-claims", at(1)),
            usage(3, 1, "household-registry", at(2)),
        ],
        at(10),
    )
    .await;
    append(
        store,
        &[
            usage(4, 3, "tax-returns", at(3)),
            usage(5, 1, "tax-returns", at(4)),
            usage(6, 2, "household-registry", at(5)),
        ],
        at(20),
    )
    .await;
    let today = at(0).date();
    let one = footprint(store, 1, today).await;
    assert_eq!(ids(&one), id_list(&[5, 3, 1]));
    assert_eq!(one.total, 3);
    assert!(one.withheld.is_empty());
    for stored in &one.events {
        assert_eq!(stored.event.parts().subject, subject(1));
    }
    assert_eq!(ids(&footprint(store, 2, today).await), id_list(&[6, 2]));
    assert_eq!(ids(&footprint(store, 3, today).await), id_list(&[4]));
    assert_eq!(
        footprint(store, 9, today).await,
        Footprint {
            events: Vec::new(),
            total: 0,
            withheld: Vec::new()
        }
    );
}

/// Events come newest first by `occurred_at` (to the millisecond), and among events of the
/// same instant the later-logged (higher index) first, whatever the batches.
pub async fn newest_first(store: &dyn Store) {
    seed_files(store).await;
    let first = append(
        store,
        &[
            usage(1, 1, "nhi-claims", at(10)),
            usage(2, 1, "nhi-claims", at(30)),
            usage(3, 1, "household-registry", at(10)),
            usage(4, 1, "nhi-claims", at(10) + Duration::milliseconds(1)),
        ],
        at(100),
    )
    .await;
    let second = append(
        store,
        &[
            usage(5, 1, "tax-returns", at(20)),
            usage(6, 1, "nhi-claims", at(10)),
            usage(7, 2, "nhi-claims", at(15)),
        ],
        at(200),
    )
    .await;
    let index_of: Vec<u64> = first
        .outcomes
        .iter()
        .chain(&second.outcomes)
        .map(|o| o.index())
        .collect();
    let mine = footprint(store, 1, at(0).date()).await;
    assert_eq!(ids(&mine), id_list(&[2, 5, 4, 6, 3, 1]));
    for stored in &mine.events {
        let n = stored.event.parts().id.as_str()[24..]
            .parse::<usize>()
            .expect("the suite's ids end in a number");
        assert_eq!(stored.index, index_of[n - 1], "the index of event {n}");
    }
}

/// `limit` and `offset` page through the visible events; `total` counts them all whatever the
/// page; past the end a page is empty.
pub async fn pages_with_total(store: &dyn Store) {
    seed_files(store).await;
    let usages: Vec<Usage> = (1..=7)
        .map(|n| usage(n, 1, "nhi-claims", at(n as i64)))
        .collect();
    append(store, &usages, at(100)).await;
    let today = at(0).date();
    let everything = footprint(store, 1, today).await;
    assert_eq!(ids(&everything), id_list(&[7, 6, 5, 4, 3, 2, 1]));

    let mut pages = Vec::new();
    for offset in [0, 3, 6] {
        let part = page(store, 1, today, 3, offset).await;
        assert_eq!(part.total, 7, "total at offset {offset}");
        pages.extend(part.events);
    }
    assert_eq!(pages, everything.events);
    assert_eq!(ids(&page(store, 1, today, 2, 1).await), id_list(&[6, 5]));
    for (limit, offset) in [(3, 7), (3, 100), (0, 0)] {
        let empty = page(store, 1, today, limit, offset).await;
        assert!(empty.events.is_empty(), "limit {limit} offset {offset}");
        assert_eq!(empty.total, 7);
    }
}

/// A page holds at most `MAX_PAGE` events, whatever the limit asked.
pub async fn caps_page_size(store: &dyn Store) {
    seed_files(store).await;
    let count = u64::from(MAX_PAGE) + 1;
    let usages: Vec<Usage> = (1..=count)
        .map(|n| usage(n, 1, "nhi-claims", at(0) + Duration::seconds(n as i64)))
        .collect();
    append(store, &usages, at(100)).await;
    let today = at(0).date();
    let first = page(store, 1, today, u32::MAX, 0).await;
    assert_eq!(first.events.len(), MAX_PAGE as usize);
    assert_eq!(first.total, count);
    assert_eq!(ids(&first)[0], event_id(count));
    let rest = page(store, 1, today, u32::MAX, MAX_PAGE).await;
    assert_eq!(ids(&rest), id_list(&[1]));
}

/// Each listed event carries its leaf index, its entry (the stored one) and the salt that opens
/// the entry's commitment, and the event itself exactly as appended.
pub async fn events_open_their_entries(store: &dyn Store) {
    seed_files(store).await;
    let usages = [
        usage(
            1,
            1,
            "nhi-claims",
            datetime!(2025-03-01 09:30:15.789 +08:00),
        ),
        usage(2, 2, "nhi-claims", at(1)),
        confidential(3, "GIDA-18-6", date!(2025 - 02 - 01)),
        Usage {
            records: 9_007_199_254_740_991,
            ..usage(4, 1, "tax-returns", at(3))
        },
    ];
    let receipt = append(store, &usages, at(100)).await;
    let entries = all_entries(store).await;
    let leaves = leaf_hashes(&entries);
    let mine = footprint(store, 1, at(0).date()).await;
    assert_eq!(ids(&mine), id_list(&[1, 4, 3]));
    for stored in &mine.events {
        let n = stored.event.parts().id.as_str()[24..]
            .parse::<usize>()
            .expect("the suite's ids end in a number");
        let appended = usages[n - 1].event();
        assert_eq!(stored.event, appended.event, "event {n} as appended");
        assert_eq!(stored.index, receipt.outcomes[n - 1].index());
        let bytes = &entries[stored.index as usize];
        assert_eq!(
            stored.entry.encode().as_bytes(),
            &bytes[..],
            "the stored entry"
        );
        assert_eq!(
            Commitment::compute(&stored.salt, stored.event.encode().as_bytes()),
            stored.entry.parts().commitment,
            "the salt opens event {n}'s commitment"
        );
        assert_eq!(
            LogEntry::for_event(&stored.event, appended.scope, &stored.salt).expect("entry"),
            stored.entry
        );
        // What a proof bundle would carry verifies against the current head.
        let head = receipt.tree;
        let proof = with_stored_hashes(store, |r| inclusion_proof(stored.index, head.size, r))
            .await
            .expect("inclusion_proof");
        verify_inclusion(
            &stored.entry.leaf_hash(),
            stored.index,
            head.size,
            &proof,
            &head.root,
        )
        .expect("the event's entry is in the tree");
        assert_eq!(stored.entry.leaf_hash(), leaves[stored.index as usize]);
    }
}

/// An event confidential until after `today` is not listed nor counted in `total`, but counted
/// in `withheld` by ground and date (ordered by date, then ground); it is listed from its date
/// on. Paging leaves the withheld counts alone, and the withheld event is in the log all along.
pub async fn confidential_events_are_withheld_until_their_date(store: &dyn Store) {
    seed_files(store).await;
    let june = date!(2025 - 06 - 30);
    let april = date!(2025 - 04 - 15);
    let usages = [
        usage(1, 1, "nhi-claims", at(1)),
        confidential(2, "GIDA-18-4", june),
        confidential(3, "GIDA-18-2", june),
        confidential(4, "GIDA-18-2", june),
        confidential(5, "GIDA-18-2", april),
        confidential(6, "GIDA-18-6", date!(2025 - 02 - 01)),
        Usage {
            subject: 2,
            ..confidential(7, "GIDA-18-2", june)
        },
    ];
    append(store, &usages, at(100)).await;
    assert_eq!(
        all_entries(store).await.len(),
        7,
        "withheld events are logged"
    );

    for today in [date!(2025 - 03 - 01), date!(2025 - 04 - 14)] {
        let mine = footprint(store, 1, today).await;
        assert_eq!(ids(&mine), id_list(&[6, 1]), "on {today}");
        assert_eq!(mine.total, 2);
        assert_eq!(
            mine.withheld,
            [
                withheld("GIDA-18-2", april, 1),
                withheld("GIDA-18-2", june, 2),
                withheld("GIDA-18-4", june, 1),
            ],
            "on {today}"
        );
    }
    let paged = page(store, 1, date!(2025 - 03 - 01), 1, 1).await;
    assert_eq!(ids(&paged), id_list(&[1]));
    assert_eq!(paged.total, 2);
    assert_eq!(paged.withheld.len(), 3, "withheld counts are not paged");

    let on_the_day = footprint(store, 1, april).await;
    assert_eq!(ids(&on_the_day), id_list(&[6, 5, 1]), "visible on its date");
    assert_eq!(on_the_day.total, 3);
    assert_eq!(
        on_the_day.withheld,
        [
            withheld("GIDA-18-2", june, 2),
            withheld("GIDA-18-4", june, 1)
        ]
    );

    let all = footprint(store, 1, june).await;
    assert_eq!(ids(&all), id_list(&[6, 5, 4, 3, 2, 1]));
    assert!(all.withheld.is_empty());

    let other = footprint(store, 2, april).await;
    assert_eq!(other.total, 0);
    assert_eq!(other.withheld, [withheld("GIDA-18-2", june, 1)]);
}

/// Shredding a subject deletes their secret and every stored event of theirs, withheld ones
/// included, and says so; shredding again, or shredding a subject never logged, deletes
/// nothing.
pub async fn shredding_deletes_events_and_secret(store: &dyn Store) {
    seed_files(store).await;
    append(
        store,
        &[
            usage(1, 1, "nhi-claims", at(1)),
            usage(2, 2, "nhi-claims", at(2)),
            confidential(3, "GIDA-18-2", LATER),
            usage(4, 1, "tax-returns", at(4)),
        ],
        at(100),
    )
    .await;
    assert_eq!(
        store.shred_subject(&subject(1)).await.expect("shred"),
        Shredded {
            secret_deleted: true,
            events_deleted: 3,
            consents_deleted: 0
        }
    );
    let empty = Footprint {
        events: Vec::new(),
        total: 0,
        withheld: Vec::new(),
    };
    assert_eq!(footprint(store, 1, at(0).date()).await, empty);
    assert_eq!(footprint(store, 1, LATER).await, empty);
    assert_eq!(
        store.shred_subject(&subject(1)).await.expect("shred again"),
        Shredded {
            secret_deleted: false,
            events_deleted: 0,
            consents_deleted: 0
        }
    );
    assert_eq!(
        store
            .shred_subject(&subject(9))
            .await
            .expect("shred unknown"),
        Shredded {
            secret_deleted: false,
            events_deleted: 0,
            consents_deleted: 0
        }
    );
}

/// Shredding leaves the log as it was (tree head, entries, stored hashes) and other subjects'
/// footprints as they were, salts included; the next event takes the next leaf.
pub async fn shredding_keeps_the_log_and_other_subjects(store: &dyn Store) {
    seed_files(store).await;
    append(
        store,
        &[
            usage(1, 1, "nhi-claims", at(1)),
            usage(2, 2, "nhi-claims", at(2)),
            usage(3, 1, "household-registry", at(3)),
            usage(4, 2, "tax-returns", at(4)),
            Usage {
                subject: 2,
                ..confidential(5, "GIDA-18-2", LATER)
            },
        ],
        at(100),
    )
    .await;
    let head = store.tree_head().await.expect("tree_head");
    let entries = all_entries(store).await;
    let hashes = all_stored_hashes(store).await;
    let today = at(0).date();
    let theirs = footprint(store, 2, today).await;
    assert_eq!(theirs.total, 2);

    store.shred_subject(&subject(1)).await.expect("shred");
    assert_eq!(store.tree_head().await.expect("tree_head"), head);
    assert_eq!(all_entries(store).await, entries);
    assert_eq!(all_stored_hashes(store).await, hashes);
    assert_eq!(footprint(store, 2, today).await, theirs);
    assert_eq!(footprint(store, 2, LATER).await.total, 3);

    let receipt = append(store, &[usage(6, 2, "nhi-claims", at(6))], at(200)).await;
    assert_eq!(receipt.outcomes, [Appended::New { index: 5 }]);
    assert!(all_entries(store).await.starts_with(&entries));
}

/// A shredded subject logged again starts afresh: only the new event is theirs to see, its
/// salt (from a new secret) opens its entry, and shredding them again deletes that new secret.
pub async fn shredded_subject_starts_afresh(store: &dyn Store) {
    seed_files(store).await;
    append(
        store,
        &[
            usage(1, 1, "nhi-claims", at(1)),
            usage(2, 1, "nhi-claims", at(2)),
        ],
        at(100),
    )
    .await;
    let before = footprint(store, 1, at(0).date()).await;
    store.shred_subject(&subject(1)).await.expect("shred");

    let receipt = append(store, &[usage(3, 1, "nhi-claims", at(3))], at(200)).await;
    assert_eq!(receipt.outcomes, [Appended::New { index: 2 }]);
    let after = footprint(store, 1, at(0).date()).await;
    assert_eq!(ids(&after), id_list(&[3]));
    let stored = &after.events[0];
    assert_eq!(
        Commitment::compute(&stored.salt, stored.event.encode().as_bytes()),
        stored.entry.parts().commitment
    );
    assert_eq!(
        stored.entry.encode().as_bytes(),
        &all_entries(store).await[2][..]
    );
    for old in &before.events {
        assert_ne!(old.salt, stored.salt);
    }
    assert_eq!(
        store.shred_subject(&subject(1)).await.expect("shred again"),
        Shredded {
            secret_deleted: true,
            events_deleted: 1,
            consents_deleted: 0
        }
    );
}
