//! The Merkle code against the test vectors of transparency-dev/merkle (see
//! `vectors/README.md` for their origin and licence): every inclusion and consistency probe,
//! verified, and for the valid ones, regenerated from the reference tree; and the reference
//! tree's node and root hashes.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use lantern_log::merkle::{self, Hash};
use sha2::{Digest as _, Sha256};

use common::MemoryLog;

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).expect("vector directory") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The probes carry hashes as base64 byte strings, some of them deliberately not 32 bytes long
/// (empty, or "don't care"). Our API types every hash as 32 bytes. A leaf hash or root of
/// another length cannot even be handed to the inclusion verifier: it is refused when parsed,
/// which is right, as every such probe expects an error (transparency-dev's verifier refuses
/// it by length). Everywhere else such a value is replaced by a 32-byte stand-in (the value
/// hashed under a marker), which keeps equal values equal and different ones different:
/// garbage proof components stay garbage, and consistency roots are only ever compared.
/// Returns the hash and whether the value was 32 bytes.
fn hash(value: &serde_json::Value) -> (Hash, bool) {
    let bytes = match value {
        serde_json::Value::Null => Vec::new(),
        serde_json::Value::String(text) => BASE64.decode(text).expect("base64 in the vectors"),
        other => panic!("unexpected hash value {other}"),
    };
    match Hash::from_slice(&bytes) {
        Ok(hash) => (hash, true),
        Err(_) => {
            let mut stand_in = Sha256::new();
            stand_in.update(b"vector value that is not 32 bytes:");
            stand_in.update(&bytes);
            (Hash::from_bytes(stand_in.finalize().into()), false)
        }
    }
}

fn proof(value: &serde_json::Value) -> Vec<Hash> {
    match value {
        serde_json::Value::Null => Vec::new(),
        serde_json::Value::Array(items) => items.iter().map(|item| hash(item).0).collect(),
        other => panic!("unexpected proof {other}"),
    }
}

fn read(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(path).expect("vector file")).expect("vector JSON")
}

fn number(probe: &serde_json::Value, key: &str) -> u64 {
    probe[key].as_u64().expect("a u64 in the probe")
}

struct ReferenceTree {
    leaves: Vec<Vec<u8>>,
    nodes_by_level: Vec<Vec<Hash>>,
    roots_by_size: Vec<Hash>,
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

fn hex_hash(value: &serde_json::Value) -> Hash {
    Hash::from_slice(&hex(value.as_str().expect("hex string"))).expect("32 bytes")
}

fn reference_tree() -> ReferenceTree {
    let tree = read(&vectors().join("tree.json"));
    ReferenceTree {
        leaves: tree["leaf_inputs_hex"]
            .as_array()
            .expect("leaves")
            .iter()
            .map(|l| hex(l.as_str().expect("hex")))
            .collect(),
        nodes_by_level: tree["node_hashes_hex_by_level"]
            .as_array()
            .expect("levels")
            .iter()
            .map(|level| {
                level
                    .as_array()
                    .expect("level")
                    .iter()
                    .map(hex_hash)
                    .collect()
            })
            .collect(),
        roots_by_size: tree["root_hashes_hex_by_size"]
            .as_array()
            .expect("roots")
            .iter()
            .map(hex_hash)
            .collect(),
    }
}

impl ReferenceTree {
    /// The reference tree of `size` leaves, in our in-memory log.
    fn log(&self, size: u64) -> MemoryLog {
        MemoryLog::with_leaves(
            self.leaves
                .iter()
                .take(size as usize)
                .map(|leaf| merkle::leaf_hash(leaf)),
        )
    }
}

#[test]
fn reference_tree_hashes_and_roots() {
    let tree = reference_tree();
    assert_eq!(tree.leaves.len(), 8);
    let log = tree.log(8);
    for (level, nodes) in tree.nodes_by_level.iter().enumerate() {
        for (n, expected) in nodes.iter().enumerate() {
            let index = merkle::stored_hash_index(level as u8, n as u64);
            assert_eq!(&log.hashes[index as usize], expected, "node ({level}, {n})");
        }
    }
    for (size, expected) in tree.roots_by_size.iter().enumerate() {
        let leaves: Vec<Hash> = tree.leaves[..size]
            .iter()
            .map(|l| merkle::leaf_hash(l))
            .collect();
        assert_eq!(&merkle::root_of_leaves(&leaves), expected, "size {size}");
        assert_eq!(&tree.log(size as u64).root(), expected, "size {size}");
        assert_eq!(
            &merkle::tree_root(size as u64, &log).expect("root"),
            expected,
            "size {size}"
        );
    }
    assert_eq!(tree.roots_by_size[0], merkle::EMPTY_ROOT);
}

#[test]
fn inclusion_probes() {
    let tree = reference_tree();
    let files = json_files(&vectors().join("inclusion"));
    assert_eq!(files.len(), 98, "all inclusion probes are present");
    let mut accepted = 0;
    let mut regenerated = 0;
    let mut rejected_at_parse = 0;
    for path in files {
        let probe = read(&path);
        let (index, size) = (number(&probe, "leafIdx"), number(&probe, "treeSize"));
        let (leaf, leaf_ok) = hash(&probe["leafHash"]);
        let (root, root_ok) = hash(&probe["root"]);
        let path_proof = proof(&probe["proof"]);
        let want_err = probe["wantErr"].as_bool().expect("wantErr");
        if !(leaf_ok && root_ok) {
            // Refused before verification; every such probe expects an error.
            assert!(want_err, "{}", path.display());
            rejected_at_parse += 1;
            continue;
        }
        let result = merkle::verify_inclusion(&leaf, index, size, &path_proof, &root);
        assert_eq!(result.is_err(), want_err, "{}: {result:?}", path.display());
        if !want_err {
            accepted += 1;
            // Regenerate the proof from the reference tree, when the probe is about it.
            if size <= 8 && tree.log(size).root() == root {
                regenerated += 1;
                assert_eq!(
                    merkle::inclusion_proof(index, size, &tree.log(size)).expect("proof"),
                    path_proof,
                    "{}",
                    path.display()
                );
            }
        }
    }
    assert!(accepted >= 5, "the happy paths were exercised");
    assert!(regenerated >= 5, "the happy paths were regenerated");
    assert!(rejected_at_parse < 20, "most probes reached the verifier");
}

#[test]
fn consistency_probes() {
    let tree = reference_tree();
    let files = json_files(&vectors().join("consistency"));
    assert_eq!(files.len(), 98, "all consistency probes are present");
    let mut accepted = 0;
    let mut regenerated = 0;
    for path in files {
        let probe = read(&path);
        let (old_size, new_size) = (number(&probe, "size1"), number(&probe, "size2"));
        let ((old_root, _), (new_root, _)) = (hash(&probe["root1"]), hash(&probe["root2"]));
        let path_proof = proof(&probe["proof"]);
        let want_err = probe["wantErr"].as_bool().expect("wantErr");
        let result =
            merkle::verify_consistency(old_size, &old_root, new_size, &new_root, &path_proof);
        assert_eq!(result.is_err(), want_err, "{}: {result:?}", path.display());
        if !want_err {
            accepted += 1;
            if new_size <= 8 && tree.log(new_size).root() == new_root {
                regenerated += 1;
                assert_eq!(
                    merkle::consistency_proof(old_size, new_size, &tree.log(new_size))
                        .expect("proof"),
                    path_proof,
                    "{}",
                    path.display()
                );
            }
        }
    }
    assert!(accepted >= 5, "the happy paths were exercised");
    assert!(regenerated >= 5, "the happy paths were regenerated");
}
