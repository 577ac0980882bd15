//! Usage events through the whole log core, as the server, an outsider and a citizen will use
//! it: events become entries and leaves, tiles and a signed checkpoint are published, an
//! outsider recomputes statistics and the root from the tiles alone, a citizen checks a proof
//! bundle, and crypto-shredding leaves the log verifiable.

mod common;

use std::collections::{BTreeMap, HashMap};

use lantern_domain::{
    AgencyCode, DataCategoryCode, FileId, LegalBasisCode, PurposeCode, RestrictionGroundCode,
};
use lantern_log::tiles::{self, Tile, TileKind};
use lantern_log::{
    Action, BundleError, CanonicalEvent, Checkpoint, CheckpointError, CheckpointSigner,
    CheckpointVerifier, Confidential, EventId, EventParts, LogEntry, ProofBundle, PurposeScope,
    Salt, SubjectPseudonym, SubjectSecret, merkle,
};
use time::macros::{date, datetime};

use common::MemoryLog;

const ORIGIN: &str = "lantern.example.gov.tw/log";

/// What the server keeps for each event: the canonical bytes and salt (personal data, for the
/// subject) and the public entry.
struct Stored {
    subject: usize,
    event: String,
    salt: Salt,
    entry: String,
}

struct World {
    secrets: Vec<Option<SubjectSecret>>,
    stored: Vec<Stored>,
    log: MemoryLog,
    signer: CheckpointSigner,
}

fn event(i: usize, subject: usize) -> (CanonicalEvent, PurposeScope) {
    let actions = Action::ALL;
    let action = actions[i % actions.len()];
    let scope = if action == Action::OutOfPurposeUse || i.is_multiple_of(17) {
        PurposeScope::OutOfPurpose
    } else {
        PurposeScope::WithinPurpose
    };
    let legal_basis = if scope == PurposeScope::OutOfPurpose {
        "PDPA-16-P5"
    } else {
        "PDPA-15-1"
    };
    let parts = EventParts {
        id: EventId::parse(&format!("00000000-0000-4000-8000-{i:012x}")).expect("valid test data"),
        occurred_at: datetime!(2025-01-01 00:00 +08:00) + time::Duration::minutes(97 * i as i64),
        agency: AgencyCode::parse(if i.is_multiple_of(3) {
            "MOHW-NHIA"
        } else {
            "MOI-HR"
        })
        .expect("valid test data"),
        file: FileId::parse(if i.is_multiple_of(3) {
            "nhi-claims"
        } else {
            "household-register"
        })
        .expect("valid test data"),
        subject: SubjectPseudonym::from_bytes([subject as u8; 32]),
        action,
        purpose: PurposeCode::parse(if i.is_multiple_of(2) { "031" } else { "045" })
            .expect("valid test data"),
        categories: vec![DataCategoryCode::parse("C001").expect("valid test data")],
        legal_basis: LegalBasisCode::parse(legal_basis).expect("valid test data"),
        legal_citation: (scope == PurposeScope::OutOfPurpose)
            .then(|| "個人資料保護法第16條但書第5款".to_owned()),
        recipient: (action == Action::Disclose).then(|| "衛生福利部疾病管制署".to_owned()),
        reference: Some(format!("case-{i}")),
        actor: Some(format!("officer-{}", i % 5)),
        records: 1 + (i as u64 % 4),
        confidential: (i % 23 == 5).then(|| Confidential {
            ground: RestrictionGroundCode::parse("GIDA-18-2").expect("valid test data"),
            until: date!(2026 - 06 - 30),
        }),
    };
    (CanonicalEvent::new(parts).expect("valid test data"), scope)
}

impl World {
    fn new(subjects: usize) -> Self {
        Self {
            secrets: (0..subjects)
                .map(|s| Some(SubjectSecret::from_bytes([s as u8 + 100; 32])))
                .collect(),
            stored: Vec::new(),
            log: MemoryLog::default(),
            signer: CheckpointSigner::from_seed(ORIGIN, [3; 32]).expect("valid test data"),
        }
    }

    /// The server's part: ingest one event.
    fn ingest(&mut self, i: usize) {
        let subject = i % self.secrets.len();
        let (event, scope) = event(i, subject);
        let secret = self.secrets[subject].as_ref().expect("not shredded");
        let salt = Salt::derive(secret, &event.parts().id);
        let entry = LogEntry::for_event(&event, scope, &salt).expect("valid test data");
        self.log.append(entry.leaf_hash());
        self.stored.push(Stored {
            subject,
            event: event.encode(),
            salt,
            entry: entry.encode(),
        });
    }

    fn checkpoint(&self) -> String {
        self.sign(self.size()).expect("a non-empty log is signed")
    }

    fn size(&self) -> u64 {
        self.stored.len() as u64
    }

    fn sign(&self, size: u64) -> Option<String> {
        let root = merkle::tree_root(size, &self.log).ok()?;
        self.signer
            .sign(&Checkpoint::new(ORIGIN, size, root).ok()?)
            .ok()
    }

    /// Everything served under /log/tile/, by path.
    fn tiles(&self) -> HashMap<String, Vec<u8>> {
        let size = self.size();
        tiles::changed_tiles(0, size)
            .expect("valid test data")
            .map(|tile| {
                let data = match tile.kind() {
                    TileKind::Hashes { .. } => {
                        tiles::hash_tile_data(&tile, size, &self.log).expect("valid test data")
                    }
                    TileKind::Entries => {
                        let first = tile.first_index() as usize;
                        let last = first + usize::from(tile.width());
                        tiles::encode_entry_bundle(
                            self.stored[first..last].iter().map(|s| s.entry.as_bytes()),
                        )
                        .expect("valid test data")
                    }
                };
                (tile.path(), data)
            })
            .collect()
    }

    /// The server's part: a citizen asks for the proof of one of their events.
    fn bundle(&self, index: usize, checkpoint: &str) -> ProofBundle {
        let stored = &self.stored[index];
        ProofBundle {
            event: stored.event.clone(),
            salt: stored.salt,
            entry: stored.entry.clone(),
            leaf_index: index as u64,
            inclusion_proof: merkle::inclusion_proof(index as u64, self.size(), &self.log)
                .expect("valid test data"),
            checkpoint: checkpoint.to_owned(),
        }
    }
}

#[test]
fn an_outsider_audits_the_log_from_its_public_files() {
    let mut world = World::new(40);
    for i in 0..1_000 {
        world.ingest(i);
    }
    let served = world.tiles();
    let key = world.signer.verifier_key();
    let checkpoint_note = world.checkpoint();

    // The outsider knows only the key, and fetches /log/checkpoint and /log/tile/….
    let verifier = CheckpointVerifier::from_verifier_key(&key).unwrap();
    let checkpoint = verifier.verify(checkpoint_note.as_bytes()).unwrap();
    assert_eq!(checkpoint.size(), 1_000);

    let mut builder = tiles::TileBuilder::new();
    let mut leaves = Vec::new();
    let mut per_action: BTreeMap<String, u64> = BTreeMap::new();
    let mut out_of_purpose = 0;
    let mut withheld = 0;
    let mut records = 0;
    for tile in tiles::changed_tiles(0, checkpoint.size()).unwrap() {
        if tile.kind() != TileKind::Entries {
            continue;
        }
        let bundle = &served[&tile.path()];
        for bytes in tiles::decode_entry_bundle(&tile, bundle).unwrap() {
            // Any JSON library reads an entry; ours also checks it is canonical.
            let entry = LogEntry::decode(bytes).unwrap();
            let generic: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            assert_eq!(generic["action"], entry.parts().action.as_str());
            *per_action
                .entry(entry.parts().action.to_string())
                .or_default() += 1;
            out_of_purpose += u64::from(entry.is_out_of_purpose());
            withheld += u64::from(entry.parts().withheld.is_some());
            records += entry.parts().records;
            leaves.push(merkle::leaf_hash(bytes));
            for (full, data) in builder.push(merkle::leaf_hash(bytes)).unwrap() {
                assert_eq!(served[&full.path()], data, "{full}");
            }
        }
    }
    for (partial, data) in builder.partial_tiles() {
        assert_eq!(served[&partial.path()], data, "{partial}");
    }
    assert_eq!(builder.root(), *checkpoint.root());
    assert_eq!(
        tiles::root_from_tiles(checkpoint.size(), |t| served
            .get(&t.path())
            .cloned()
            .ok_or(()))
        .unwrap(),
        *checkpoint.root()
    );

    // With its own copy of the tree, the outsider produces the same proofs as the server.
    let copy = MemoryLog::with_leaves(leaves);
    assert_eq!(copy.root(), *checkpoint.root());
    assert_eq!(
        merkle::inclusion_proof(123, 1_000, &copy).unwrap(),
        merkle::inclusion_proof(123, 1_000, &world.log).unwrap()
    );

    // The statistics an outsider recomputes are what was ingested.
    assert_eq!(per_action.values().sum::<u64>(), 1_000);
    let expected_out_of_purpose_uses = (0..1_000)
        .filter(|i| event(*i, 0).0.parts().action == Action::OutOfPurposeUse)
        .count() as u64;
    assert_eq!(
        per_action["out_of_purpose_use"],
        expected_out_of_purpose_uses
    );
    let expected_out = (0..1_000)
        .filter(|i| event(*i, 0).1 == PurposeScope::OutOfPurpose)
        .count() as u64;
    assert_eq!(out_of_purpose, expected_out);
    assert_eq!(withheld, (0..1_000).filter(|i| i % 23 == 5).count() as u64);
    assert_eq!(records, (0..1_000u64).map(|i| 1 + i % 4).sum::<u64>());
}

#[test]
fn a_citizen_checks_a_proof_bundle() {
    let mut world = World::new(7);
    for i in 0..300 {
        world.ingest(i);
    }
    let checkpoint = world.checkpoint();
    let verifier = CheckpointVerifier::from_verifier_key(&world.signer.verifier_key()).unwrap();

    // The confidential event 258 (258 % 23 == 5): withheld, but in the log from the start.
    let bundle = world.bundle(258, &checkpoint);
    let json = bundle.to_json();
    let received = ProofBundle::from_json(json.as_bytes()).unwrap();
    assert_eq!(received, bundle);
    let verified = received.verify(&verifier).unwrap();
    assert_eq!(verified.leaf_index, 258);
    assert_eq!(verified.checkpoint.size(), 300);
    assert_eq!(
        verified.event.parts().subject,
        SubjectPseudonym::from_bytes([(258usize % 7) as u8; 32])
    );
    assert!(verified.entry.parts().withheld.is_some());
    assert_eq!(world.stored[258].subject, 258 % 7);

    // Whitespace in the bundle's JSON is fine; the embedded bytes are what count.
    let pretty: serde_json::Value = serde_json::from_str(&json).unwrap();
    let pretty = serde_json::to_string_pretty(&pretty).unwrap();
    assert!(
        ProofBundle::from_json(pretty.as_bytes())
            .unwrap()
            .verify(&verifier)
            .is_ok()
    );

    // Tampering with any part fails, each for its own reason.
    let fails = |b: ProofBundle| b.verify(&verifier).unwrap_err();
    let other_salt = Salt::from_bytes([0; 32]);
    assert_eq!(
        fails(ProofBundle {
            salt: other_salt,
            ..bundle.clone()
        }),
        BundleError::CommitmentMismatch
    );
    assert_eq!(
        fails(ProofBundle {
            event: bundle.event.replace("officer-3", "officer-4"),
            ..bundle.clone()
        }),
        BundleError::CommitmentMismatch
    );
    assert!(matches!(
        fails(ProofBundle {
            event: bundle.event.replace(r#""v":1,"#, r#""v":1, "#),
            ..bundle.clone()
        }),
        BundleError::Event(_)
    ));
    // A public entry misreporting the purpose, with the right commitment.
    let misreported = bundle
        .entry
        .replace(r#""purpose":"031""#, r#""purpose":"001""#);
    assert_ne!(misreported, bundle.entry);
    assert_eq!(
        fails(ProofBundle {
            entry: misreported,
            ..bundle.clone()
        }),
        BundleError::EntryMismatch { field: "purpose" }
    );
    assert!(matches!(
        fails(ProofBundle {
            leaf_index: 257,
            ..bundle.clone()
        }),
        BundleError::NotIncluded(_)
    ));
    assert!(matches!(
        fails(ProofBundle {
            leaf_index: 300,
            ..bundle.clone()
        }),
        BundleError::NotIncluded(merkle::VerifyError::Impossible(_))
    ));
    // Another event's entry, salt and event: valid on their own, not at this index.
    let other = world.bundle(259, &checkpoint);
    assert!(matches!(
        fails(ProofBundle {
            inclusion_proof: other.inclusion_proof,
            ..bundle.clone()
        }),
        BundleError::NotIncluded(_)
    ));
    let impostor = CheckpointSigner::from_seed(ORIGIN, [4; 32]).unwrap();
    let forged = impostor
        .sign(&Checkpoint::new(ORIGIN, world.size(), world.log.root()).unwrap())
        .unwrap();
    assert_eq!(
        fails(ProofBundle {
            checkpoint: forged,
            ..bundle.clone()
        }),
        BundleError::Checkpoint(CheckpointError::NotSignedByLog)
    );
    // A proof into a tree that does not yet hold the entry.
    assert!(matches!(
        fails(ProofBundle {
            checkpoint: world.sign(200).unwrap(),
            ..bundle
        }),
        BundleError::NotIncluded(_)
    ));

    for malformed in [
        "",
        "{}",
        r#"{"v":2}"#,
        &json.replace(r#""salt":""#, r#""salt":"zz"#),
    ] {
        assert!(matches!(
            ProofBundle::from_json(malformed.as_bytes()),
            Err(BundleError::Malformed(_))
        ));
    }
}

#[test]
fn crypto_shredding_leaves_the_log_verifiable_and_unlinkable() {
    let mut world = World::new(5);
    for i in 0..120 {
        world.ingest(i);
    }
    let before = world.checkpoint();
    let verifier = CheckpointVerifier::from_verifier_key(&world.signer.verifier_key()).unwrap();
    let old = verifier.verify(before.as_bytes()).unwrap();

    // Subject 2 is shredded: their secret and stored events are deleted.
    let shredded = 2;
    let old_secret = world.secrets[shredded].take().unwrap();
    let their_entries: Vec<String> = world
        .stored
        .iter()
        .filter(|s| s.subject == shredded)
        .map(|s| s.entry.clone())
        .collect();
    for stored in world.stored.iter_mut().filter(|s| s.subject == shredded) {
        stored.event.clear();
    }
    assert!(!their_entries.is_empty());

    // The log goes on (the shredded subject gets a fresh secret if they come back).
    world.secrets[shredded] = Some(SubjectSecret::from_bytes([250; 32]));
    for i in 120..200 {
        world.ingest(i);
    }
    let after = world.checkpoint();
    let new = verifier.verify(after.as_bytes()).unwrap();
    let proof = merkle::consistency_proof(old.size(), new.size(), &world.log).unwrap();
    assert_eq!(
        merkle::verify_consistency(old.size(), old.root(), new.size(), new.root(), &proof),
        Ok(())
    );

    // Whoever later learns the subject's events (even the exact event bytes) cannot tie them
    // to the old entries without the deleted secret: a salt from any other secret gives
    // another commitment.
    let i = (0..120).find(|i| i % 5 == shredded).unwrap();
    let (event_again, scope) = event(i, shredded);
    let fresh = Salt::derive(
        world.secrets[shredded].as_ref().unwrap(),
        &event_again.parts().id,
    );
    let relinked = LogEntry::for_event(&event_again, scope, &fresh)
        .unwrap()
        .encode();
    assert!(!their_entries.contains(&relinked));
    // Only the deleted secret would have reproduced it.
    let original = Salt::derive(&old_secret, &event_again.parts().id);
    assert!(
        their_entries.contains(
            &LogEntry::for_event(&event_again, scope, &original)
                .unwrap()
                .encode()
        )
    );
}

#[test]
fn no_checkpoint_for_the_empty_log() {
    let world = World::new(1);
    assert_eq!(
        world
            .signer
            .sign(&Checkpoint::new(ORIGIN, 0, merkle::EMPTY_ROOT).unwrap()),
        Err(CheckpointError::EmptyTree)
    );
    assert_eq!(tiles::changed_tiles(0, 0).unwrap().count(), 0);
    let served: HashMap<Tile, Vec<u8>> = HashMap::new();
    assert_eq!(
        tiles::root_from_tiles(0, |t| served.get(t).cloned().ok_or(())).unwrap(),
        merkle::EMPTY_ROOT
    );
}
