//! The usage log's tree: appends and their leaf indexes, duplicates, the stored entries and
//! hashes, proofs against earlier tree heads, all-or-nothing batches, and checkpoints.

use lantern_log::merkle::{
    EMPTY_ROOT, consistency_proof, inclusion_proof, root_of_leaves, stored_hash_count, tree_root,
    verify_consistency, verify_inclusion,
};
use lantern_log::{Action, Commitment, LogEntry, PurposeScope, Salt};
use lantern_store::hashes::with_stored_hashes;
use lantern_store::{Appended, NewUsageEvent, Store, TreeHead};
use time::macros::datetime;

use crate::fixtures::{
    Usage, all_entries, all_stored_hashes, append, at, events, footprint, leaf_hashes, seed_files,
    stored_hashes_of, subject, usage,
};

fn new(indexes: std::ops::Range<u64>) -> Vec<Appended> {
    indexes.map(|index| Appended::New { index }).collect()
}

/// Seven events of three subjects over three files, one of them confidential and one out of
/// purpose.
fn seven() -> Vec<Usage> {
    vec![
        usage(1, 1, "nhi-claims", at(0)),
        usage(2, 2, "nhi-claims", at(1)),
        Usage {
            action: Action::OutOfPurposeUse,
            purpose: "040",
            legal_basis: "PDPA-16-P2",
            scope: PurposeScope::OutOfPurpose,
            records: 12,
            ..usage(3, 1, "household-registry", at(2))
        },
        Usage {
            confidential: Some(("GIDA-18-2", datetime!(2025-06-30 0:00 UTC).date())),
            ..usage(4, 3, "tax-returns", at(3))
        },
        usage(5, 2, "household-registry", at(4)),
        Usage {
            action: Action::Disclose,
            purpose: "012",
            ..usage(6, 1, "nhi-claims", at(5))
        },
        usage(7, 3, "nhi-claims", at(6)),
    ]
}

/// A new store has the empty tree: size 0, the empty root, no entries, no hashes, no
/// checkpoint, no file activity.
pub async fn starts_empty(store: &dyn Store) {
    assert_eq!(
        store.tree_head().await.expect("tree_head"),
        TreeHead {
            size: 0,
            root: EMPTY_ROOT
        }
    );
    assert!(
        store
            .log_entries(0, 10)
            .await
            .expect("log_entries")
            .is_empty()
    );
    assert!(
        store
            .stored_hashes(&[])
            .await
            .expect("no indexes, no hashes")
            .is_empty()
    );
    assert_store_err!(store.stored_hashes(&[0]).await, NotFound);
    assert_eq!(
        store.latest_checkpoint().await.expect("latest_checkpoint"),
        None
    );
    assert!(
        store
            .file_activity()
            .await
            .expect("file_activity")
            .is_empty()
    );
}

/// New events get consecutive leaf indexes from 0, across batches, in the order given; the
/// receipt's tree is the stored tree head.
pub async fn appends_get_consecutive_indexes(store: &dyn Store) {
    seed_files(store).await;
    let usages = seven();
    let first = append(store, &usages[..3], at(10)).await;
    assert_eq!(first.outcomes, new(0..3));
    assert_eq!(first.tree.size, 3);
    assert_eq!(store.tree_head().await.expect("tree_head"), first.tree);

    let second = append(store, &usages[3..], at(20)).await;
    assert_eq!(second.outcomes, new(3..7));
    assert_eq!(second.tree.size, 7);
    assert_ne!(second.tree.root, first.tree.root);
    assert_eq!(store.tree_head().await.expect("tree_head"), second.tree);
}

/// The tree head is the RFC 6962 root of the leaf hashes of the stored entries; each entry is
/// a canonical v1 entry carrying its event's public metadata.
pub async fn tree_head_is_the_root_of_the_entries(store: &dyn Store) {
    seed_files(store).await;
    let usages = seven();
    append(store, &usages[..2], at(10)).await;
    let receipt = append(store, &usages[2..], at(20)).await;

    let entries = all_entries(store).await;
    assert_eq!(receipt.tree.root, root_of_leaves(&leaf_hashes(&entries)));
    for (index, (bytes, new)) in entries.iter().zip(events(&usages)).enumerate() {
        let entry = LogEntry::decode(bytes)
            .unwrap_or_else(|e| panic!("entry {index} is not a canonical entry: {e}"));
        // Everything but the commitment follows from the event alone.
        let any_salt = Salt::from_bytes([0; 32]);
        let mut expected = LogEntry::for_event(&new.event, new.scope, &any_salt)
            .expect("the suite's events make entries")
            .parts()
            .clone();
        expected.commitment = entry.parts().commitment;
        assert_eq!(entry.parts(), &expected, "entry {index}");
    }
    let withheld = LogEntry::decode(&entries[3]).expect("entry 3");
    assert_eq!(
        withheld.parts().withheld.as_ref().map(|g| g.as_str()),
        Some("GIDA-18-2"),
        "a confidential event's entry names its ground"
    );
    assert!(
        LogEntry::decode(&entries[2])
            .expect("entry 2")
            .is_out_of_purpose()
    );
}

/// `log_entries` returns the encoded entries of a range in leaf order, fewer when the tree
/// ends sooner, none from the end of the tree on.
pub async fn log_entries_are_in_order_and_end_with_the_tree(store: &dyn Store) {
    seed_files(store).await;
    append(store, &seven(), at(10)).await;
    let entries = all_entries(store).await;
    assert_eq!(entries.len(), 7);
    let range = |start: u64, count: u64| async move {
        store
            .log_entries(start, count)
            .await
            .unwrap_or_else(|e| panic!("log_entries({start}, {count}): {e}"))
    };
    assert_eq!(range(2, 3).await, entries[2..5]);
    assert_eq!(range(0, 1).await, entries[..1]);
    assert_eq!(range(5, 10).await, entries[5..], "fewer at the end");
    assert_eq!(range(0, 1000).await, entries);
    assert!(range(7, 10).await.is_empty(), "none from the end on");
    assert!(range(100, 10).await.is_empty());
    assert!(range(3, 0).await.is_empty());
    // An entry is the bytes its leaf hash covers, not a re-encoding.
    for bytes in &entries {
        let decoded = LogEntry::decode(bytes).expect("a canonical entry");
        assert_eq!(decoded.encode().as_bytes(), &bytes[..]);
    }
}

/// The stored hashes are those of RFC 6962 in stored-hash order (as `Frontier` computes
/// them), returned one per index in the order asked; an index beyond the tree is not found.
pub async fn stored_hashes_follow_the_stored_hash_order(store: &dyn Store) {
    seed_files(store).await;
    append(store, &seven(), at(10)).await;
    let expected = stored_hashes_of(&leaf_hashes(&all_entries(store).await));
    assert_eq!(expected.len() as u64, stored_hash_count(7));
    assert_eq!(all_stored_hashes(store).await, expected);

    let asked = [10, 0, 3, 3, 7];
    let hashes = store.stored_hashes(&asked).await.expect("stored_hashes");
    let in_order: Vec<_> = asked.iter().map(|&i| expected[i as usize]).collect();
    assert_eq!(hashes, in_order, "one per index, in the order asked");

    let beyond = stored_hash_count(7);
    assert_store_err!(store.stored_hashes(&[beyond]).await, NotFound);
    assert_store_err!(store.stored_hashes(&[0, beyond, 1]).await, NotFound);
    assert_store_err!(store.stored_hashes(&[u64::MAX >> 2]).await, NotFound);
}

/// A tree built in many batches of different sizes is the tree of all its leaves: after each
/// batch the head is their root and the stored hashes are theirs, and earlier entries and
/// hashes never change.
pub async fn many_batches_build_the_tree_of_one(store: &dyn Store) {
    seed_files(store).await;
    let files = ["nhi-claims", "household-registry", "tax-returns"];
    let mut next = 1;
    let mut previous_entries = Vec::new();
    let mut previous_hashes = Vec::new();
    for batch in [1u64, 2, 1, 4, 3, 8, 5, 1, 7] {
        let usages: Vec<Usage> = (next..next + batch)
            .map(|n| usage(n, (n % 5) as u8, files[(n % 3) as usize], at(n as i64)))
            .collect();
        let receipt = append(store, &usages, at(100 + next as i64)).await;
        assert_eq!(receipt.outcomes, new(next - 1..next - 1 + batch));
        next += batch;

        let entries = all_entries(store).await;
        let leaves = leaf_hashes(&entries);
        assert_eq!(receipt.tree.size, next - 1);
        assert_eq!(
            receipt.tree.root,
            root_of_leaves(&leaves),
            "size {}",
            next - 1
        );
        assert_eq!(store.tree_head().await.expect("tree_head"), receipt.tree);
        let hashes = all_stored_hashes(store).await;
        assert_eq!(hashes, stored_hashes_of(&leaves), "size {}", next - 1);
        assert!(
            entries.starts_with(&previous_entries),
            "entries never change"
        );
        assert!(
            hashes.starts_with(&previous_hashes),
            "stored hashes never change"
        );
        previous_entries = entries;
        previous_hashes = hashes;
    }
    assert_eq!(previous_entries.len(), 32);
}

/// An event whose id is already stored, even with other content, is a duplicate of the leaf it
/// was logged at: nothing is written for it, and the new events of the batch get the next
/// indexes.
pub async fn stored_id_is_a_duplicate(store: &dyn Store) {
    seed_files(store).await;
    let original = usage(1, 1, "nhi-claims", at(0));
    append(
        store,
        &[original.clone(), usage(2, 2, "nhi-claims", at(1))],
        at(10),
    )
    .await;
    let head = store.tree_head().await.expect("tree_head");
    let entries = all_entries(store).await;

    let resent = Usage {
        records: 99,
        occurred_at: at(50),
        ..original.clone()
    };
    let receipt = append(
        store,
        &[usage(3, 1, "tax-returns", at(2)), resent.clone(), resent],
        at(20),
    )
    .await;
    assert_eq!(
        receipt.outcomes,
        [
            Appended::New { index: 2 },
            Appended::Duplicate { index: 0 },
            Appended::Duplicate { index: 0 }
        ]
    );
    assert_eq!(receipt.tree.size, 3);
    let after = all_entries(store).await;
    assert_eq!(after[..2], entries[..], "earlier entries unchanged");
    assert_ne!(receipt.tree.root, head.root);

    let mine = footprint(store, 1, at(0).date()).await;
    let stored: Vec<_> = mine
        .events
        .iter()
        .map(|e| (e.index, e.event.clone()))
        .collect();
    assert_eq!(
        stored,
        [
            (2, usage(3, 1, "tax-returns", at(2)).event().event),
            (0, original.event().event)
        ],
        "the first event with an id is the one kept"
    );
}

/// An id repeated within a batch is a duplicate of its first occurrence there; only the first
/// is written.
pub async fn repeated_id_within_a_batch_is_a_duplicate(store: &dyn Store) {
    seed_files(store).await;
    let first = usage(1, 1, "nhi-claims", at(0));
    let again = Usage {
        records: 5,
        ..first.clone()
    };
    let receipt = append(
        store,
        &[
            first.clone(),
            usage(2, 2, "nhi-claims", at(1)),
            again,
            usage(3, 1, "nhi-claims", at(2)),
            first.clone(),
        ],
        at(10),
    )
    .await;
    assert_eq!(
        receipt.outcomes,
        [
            Appended::New { index: 0 },
            Appended::New { index: 1 },
            Appended::Duplicate { index: 0 },
            Appended::New { index: 2 },
            Appended::Duplicate { index: 0 },
        ]
    );
    assert_eq!(receipt.tree.size, 3);
    assert_eq!(all_entries(store).await.len(), 3);
    let mine = footprint(store, 1, at(0).date()).await;
    assert_eq!(mine.total, 2);
    assert_eq!(mine.events[1].event, first.event().event);
}

/// A batch of nothing but duplicates, or of nothing at all, leaves the tree, its entries and
/// its hashes as they were, and its receipt reports the unchanged head.
pub async fn only_duplicates_leave_the_tree_unchanged(store: &dyn Store) {
    seed_files(store).await;
    let usages = seven();
    append(store, &usages, at(10)).await;
    let head = store.tree_head().await.expect("tree_head");
    let entries = all_entries(store).await;
    let hashes = all_stored_hashes(store).await;

    let resent = [usages[6].clone(), usages[0].clone(), usages[6].clone()];
    let receipt = append(store, &resent, at(20)).await;
    assert_eq!(
        receipt.outcomes,
        [
            Appended::Duplicate { index: 6 },
            Appended::Duplicate { index: 0 },
            Appended::Duplicate { index: 6 },
        ]
    );
    assert_eq!(receipt.tree, head);

    let empty = store
        .append_events(Vec::new(), at(30))
        .await
        .expect("an empty batch");
    assert!(empty.outcomes.is_empty());
    assert_eq!(empty.tree, head);

    assert_eq!(store.tree_head().await.expect("tree_head"), head);
    assert_eq!(all_entries(store).await, entries);
    assert_eq!(all_stored_hashes(store).await, hashes);
}

/// A batch that fails writes nothing: not its valid events, not their subjects' secrets, not
/// their statistics or file activity. Here one event cannot make an entry (an
/// out-of-purpose use marked within purpose).
pub async fn failed_batch_writes_nothing(store: &dyn Store) {
    seed_files(store).await;
    append(store, &[usage(1, 1, "nhi-claims", at(0))], at(5)).await;
    let head = store.tree_head().await.expect("tree_head");
    let activity = store.file_activity().await.expect("file_activity");

    let contradiction = Usage {
        action: Action::OutOfPurposeUse,
        scope: PurposeScope::WithinPurpose,
        ..usage(3, 2, "nhi-claims", at(2))
    };
    let batch = vec![
        usage(2, 7, "tax-returns", at(1)).event(),
        contradiction.event(),
    ];
    let result = store.append_events(batch, at(10)).await;
    assert!(result.is_err(), "the batch should fail, got {result:?}");

    assert_eq!(store.tree_head().await.expect("tree_head"), head);
    assert_eq!(all_entries(store).await.len(), 1);
    assert_eq!(footprint(store, 7, at(0).date()).await.total, 0);
    assert_eq!(
        store.file_activity().await.expect("file_activity"),
        activity
    );
    assert!(
        !store
            .shred_subject(&subject(7))
            .await
            .expect("shred_subject")
            .secret_deleted,
        "no secret was kept for the failed batch's subject"
    );
    // The same valid event goes in afterwards as a new one.
    let receipt = append(store, &[usage(2, 7, "tax-returns", at(1))], at(20)).await;
    assert_eq!(receipt.outcomes, [Appended::New { index: 1 }]);
}

/// Inclusion proofs and tree roots computed from the stored hashes verify against every tree
/// head seen earlier, for every leaf each contained.
pub async fn inclusion_proofs_verify_against_earlier_heads(store: &dyn Store) {
    seed_files(store).await;
    let mut heads = Vec::new();
    let mut next = 1;
    for batch in [1u64, 2, 4, 6] {
        let usages: Vec<Usage> = (next..next + batch)
            .map(|n| usage(n, (n % 3) as u8, "nhi-claims", at(n as i64)))
            .collect();
        heads.push(append(store, &usages, at(100)).await.tree);
        next += batch;
    }
    let leaves = leaf_hashes(&all_entries(store).await);
    for head in &heads {
        let root = with_stored_hashes(store, |r| tree_root(head.size, r))
            .await
            .expect("tree_root");
        assert_eq!(root, head.root, "root of size {}", head.size);
        for index in 0..head.size {
            let proof = with_stored_hashes(store, |r| inclusion_proof(index, head.size, r))
                .await
                .expect("inclusion_proof");
            verify_inclusion(
                &leaves[index as usize],
                index,
                head.size,
                &proof,
                &head.root,
            )
            .unwrap_or_else(|e| panic!("leaf {index} in size {}: {e}", head.size));
        }
    }
}

/// Consistency proofs computed from the stored hashes verify between every pair of tree heads
/// seen as the log grew.
pub async fn consistency_proofs_verify_between_heads(store: &dyn Store) {
    seed_files(store).await;
    let mut heads = Vec::new();
    let mut next = 1;
    for batch in [1u64, 1, 2, 3, 1, 5, 8] {
        let usages: Vec<Usage> = (next..next + batch)
            .map(|n| usage(n, 1, "household-registry", at(n as i64)))
            .collect();
        heads.push(append(store, &usages, at(100)).await.tree);
        next += batch;
    }
    for (i, old) in heads.iter().enumerate() {
        for new in &heads[i..] {
            let proof = with_stored_hashes(store, |r| consistency_proof(old.size, new.size, r))
                .await
                .expect("consistency_proof");
            verify_consistency(old.size, &old.root, new.size, &new.root, &proof)
                .unwrap_or_else(|e| panic!("{} to {}: {e}", old.size, new.size));
        }
    }
}

/// Each entry's commitment opens with the salt the store keeps for its event: it is
/// `Commitment::compute(salt, event bytes)`, and the entry is exactly `LogEntry::for_event`.
pub async fn entries_commit_to_their_events(store: &dyn Store) {
    seed_files(store).await;
    let usages = seven();
    append(store, &usages[..4], at(10)).await;
    append(store, &usages[4..], at(20)).await;
    let entries = all_entries(store).await;
    let after_everything = datetime!(2030-01-01 0:00 UTC).date();
    let mut salts = Vec::new();
    for n in 1..=3 {
        for stored in footprint(store, n, after_everything).await.events {
            let NewUsageEvent { event, scope } = &events(&usages)[stored.index as usize];
            assert_eq!(&stored.event, event, "event {}", stored.index);
            let entry = LogEntry::decode(&entries[stored.index as usize]).expect("entry");
            assert_eq!(
                Commitment::compute(&stored.salt, event.encode().as_bytes()),
                entry.parts().commitment,
                "the salt opens the commitment of entry {}",
                stored.index
            );
            assert_eq!(
                LogEntry::for_event(event, *scope, &stored.salt).expect("entry"),
                entry
            );
            assert_eq!(stored.entry, entry);
            salts.push(stored.salt);
        }
    }
    assert_eq!(salts.len(), 7, "every event is its subject's to see");
    for (i, salt) in salts.iter().enumerate() {
        assert!(!salts[..i].contains(salt), "each event has its own salt");
    }
}

/// No checkpoint at first; a saved checkpoint is the latest; one of the same or a smaller size
/// is not saved and changes nothing; a larger one replaces it.
pub async fn checkpoints_only_grow(store: &dyn Store) {
    seed_files(store).await;
    assert_eq!(store.latest_checkpoint().await.expect("latest"), None);
    let usages = seven();
    let small = append(store, &usages[..3], at(10)).await.tree;
    let large = append(store, &usages[3..], at(20)).await.tree;
    let note = |head: TreeHead, signature: &str| {
        format!(
            "lantern.example/log\n{}\n{}\n\n— lantern.example/log {signature}\n",
            head.size, head.root
        )
    };

    let first = note(small, "AAAAAWFiY2Q=");
    assert!(store.save_checkpoint(3, &first).await.expect("save 3"));
    assert_eq!(
        store.latest_checkpoint().await.expect("latest"),
        Some((3, first.clone()))
    );
    assert!(
        !store
            .save_checkpoint(3, &note(small, "AAAAAXh5enc="))
            .await
            .expect("save 3 again"),
        "the same size is not saved again"
    );
    assert!(
        !store
            .save_checkpoint(2, "lantern.example/log\n2\n…\n")
            .await
            .expect("save 2"),
        "a smaller size is not saved"
    );
    assert_eq!(
        store.latest_checkpoint().await.expect("latest"),
        Some((3, first))
    );

    let second = note(large, "AAAAAWVmZ2g=");
    assert!(store.save_checkpoint(7, &second).await.expect("save 7"));
    assert_eq!(
        store.latest_checkpoint().await.expect("latest"),
        Some((7, second))
    );
}
