//! The worked example of `docs/log-format.md`, recomputed: every value the document shows
//! (event and entry bytes, salt, commitment, leaf hashes, root, proof, signed checkpoint,
//! verifier key) must be what this crate produces, so the specification and the code cannot
//! drift apart.

use std::fs;
use std::path::Path;

use lantern_domain::{
    AgencyCode, DataCategoryCode, FileId, LegalBasisCode, PurposeCode, RestrictionGroundCode,
};
use lantern_log::tiles::{self, Tile};
use lantern_log::{
    Action, CanonicalEvent, Checkpoint, CheckpointSigner, CheckpointVerifier, Confidential,
    EventId, EventParts, LogEntry, ProofBundle, PurposeScope, Salt, SubjectPseudonym,
    SubjectSecret, merkle,
};
use time::macros::{date, datetime};

const ORIGIN: &str = "lantern.example.gov.tw/log";

fn subject() -> SubjectPseudonym {
    SubjectPseudonym::from_hex("3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b")
        .expect("64 hex digits")
}

/// The three events of the example log; the citizen's is the second.
fn events() -> Vec<(CanonicalEvent, PurposeScope)> {
    let code = |c: &str| DataCategoryCode::parse(c).expect("a category");
    let base = EventParts {
        id: EventId::parse("0190f8a2-6c1e-7b3d-9a4f-2c5e8d1b7a5f").expect("a UUID"),
        occurred_at: datetime!(2025-03-14 09:02:11 +08:00),
        agency: AgencyCode::parse("MOHW-NHIA").expect("an agency"),
        file: FileId::parse("nhi-claims").expect("a file"),
        subject: SubjectPseudonym::from_bytes([0x11; 32]),
        action: Action::Collect,
        purpose: PurposeCode::parse("031").expect("a purpose"),
        categories: vec![code("C001"), code("C111")],
        legal_basis: LegalBasisCode::parse("PDPA-15-1").expect("a basis"),
        legal_citation: None,
        recipient: None,
        reference: None,
        actor: Some("system:nhi-batch".to_owned()),
        records: 3,
        confidential: None,
    };
    let citizens = EventParts {
        id: EventId::parse("0190f8a2-6c1e-7b3d-9a4f-2c5e8d1b7a60").expect("a UUID"),
        occurred_at: datetime!(2025-03-14 10:15:00 +08:00),
        subject: subject(),
        action: Action::Use,
        categories: vec![code("C011"), code("C001")],
        legal_basis: LegalBasisCode::parse("PDPA-16-MAIN").expect("a basis"),
        reference: Some("NHI-2025-000123".to_owned()),
        actor: Some("officer-7f3a".to_owned()),
        records: 1,
        ..base.clone()
    };
    let withheld = EventParts {
        id: EventId::parse("0190f8a2-6c1e-7b3d-9a4f-2c5e8d1b7a61").expect("a UUID"),
        occurred_at: datetime!(2025-03-15 23:40:00 +08:00),
        action: Action::Disclose,
        purpose: PurposeCode::parse("025").expect("a purpose"),
        legal_basis: LegalBasisCode::parse("PDPA-16-P1").expect("a basis"),
        legal_citation: Some("刑事訴訟法第229條".to_owned()),
        recipient: Some("法務部調查局".to_owned()),
        reference: Some("調查-2025-0042".to_owned()),
        confidential: Some(Confidential {
            ground: RestrictionGroundCode::parse("GIDA-18-2").expect("a ground"),
            until: date!(2026 - 03 - 15),
        }),
        records: 1,
        ..base.clone()
    };
    vec![
        (base, PurposeScope::WithinPurpose),
        (citizens, PurposeScope::WithinPurpose),
        (withheld, PurposeScope::OutOfPurpose),
    ]
    .into_iter()
    .map(|(parts, scope)| (CanonicalEvent::new(parts).expect("a valid event"), scope))
    .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_worked_example_of_the_specification() {
    let secret = SubjectSecret::from_bytes(std::array::from_fn(|i| i as u8));
    let signer = CheckpointSigner::from_seed(ORIGIN, [0x4c; 32]).expect("a valid origin");

    let mut entries = Vec::new();
    let mut salts = Vec::new();
    for (event, scope) in events() {
        let salt = Salt::derive(&secret, &event.parts().id);
        entries.push(
            LogEntry::for_event(&event, scope, &salt)
                .expect("an entry")
                .encode(),
        );
        salts.push(salt);
    }
    let leaves: Vec<merkle::Hash> = entries
        .iter()
        .map(|e| merkle::leaf_hash(e.as_bytes()))
        .collect();
    let root = merkle::root_of_leaves(&leaves);
    let checkpoint = signer
        .sign(&Checkpoint::new(ORIGIN, 3, root).expect("a checkpoint"))
        .expect("signed");

    let (event, _) = &events()[1];
    let proof = vec![leaves[0], leaves[2]];
    let bundle = ProofBundle {
        event: event.encode(),
        salt: salts[1],
        entry: entries[1].clone(),
        leaf_index: 1,
        inclusion_proof: proof,
        checkpoint: checkpoint.clone(),
    };
    let verifier = CheckpointVerifier::from_verifier_key(&signer.verifier_key()).expect("a key");
    bundle
        .verify(&verifier)
        .expect("the example bundle verifies");

    let bundle_tile = Tile::entries(0, 3).expect("a tile");
    let bundle_bytes = tiles::encode_entry_bundle(&entries).expect("a bundle");

    let doc_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/log-format.md");
    let doc = fs::read_to_string(&doc_path).expect("docs/log-format.md");
    let shown = [
        ("the subject secret", hex(secret.as_bytes())),
        ("the canonical event", event.encode()),
        ("the salt", salts[1].to_hex()),
        (
            "the commitment",
            LogEntry::decode(entries[1].as_bytes())
                .expect("an entry")
                .parts()
                .commitment
                .to_hex(),
        ),
        ("entry 0", entries[0].clone()),
        ("entry 1", entries[1].clone()),
        ("entry 2", entries[2].clone()),
        ("leaf 0", hex(leaves[0].as_bytes())),
        ("leaf 1", hex(leaves[1].as_bytes())),
        ("leaf 2", hex(leaves[2].as_bytes())),
        ("the root", root.to_base64()),
        ("the signed checkpoint", checkpoint),
        ("the verifier key", signer.verifier_key()),
        ("the bundle path", bundle_tile.path()),
        ("the bundle's first bytes", hex(&bundle_bytes[..4])),
        ("the bundle length", bundle_bytes.len().to_string()),
        ("the proof bundle", bundle.to_json()),
    ];
    let mut missing = Vec::new();
    for (what, value) in &shown {
        if !doc.contains(value.as_str()) {
            missing.push(format!("{what}:\n{value}\n"));
        }
    }
    assert!(
        missing.is_empty(),
        "docs/log-format.md does not show:\n{}",
        missing.join("\n")
    );
}
