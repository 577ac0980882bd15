//! Property tests over random tree sizes: proofs generated from stored hashes verify, and
//! every alteration of a proof, its index or its sizes is refused; tiles rebuilt from stored
//! hashes, from leaves alone and read back by `tlog_tiles` all agree on the tree.
//!
//! The properties are ordinary functions (so that they read like code), run by `proptest!`
//! at the end of the file.

mod common;

use std::collections::HashMap;

use lantern_log::merkle::{self, Hash, VerifyError};
use lantern_log::tiles::{self, Tile, TileBuilder, TileKind};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use common::MemoryLog;

type Outcome = Result<(), TestCaseError>;

fn leaf(seed: u64, i: u64) -> Hash {
    merkle::leaf_hash(format!("entry {seed}/{i}").as_bytes())
}

fn log_of(size: u64, seed: u64) -> MemoryLog {
    MemoryLog::with_leaves((0..size).map(|i| leaf(seed, i)))
}

fn flip(hash: &Hash, bit: usize) -> Hash {
    let mut bytes = *hash.as_bytes();
    bytes[(bit / 8) % 32] ^= 1 << (bit % 8);
    Hash::from_bytes(bytes)
}

fn inclusion(size: u64, index: u64, other: u64, bit: usize, seed: u64) -> Outcome {
    let log = log_of(size, seed);
    let root = log.root();
    let leaf_hash = leaf(seed, index);
    let verify = |leaf: &Hash, index, size, proof: &[Hash], root: &Hash| {
        merkle::verify_inclusion(leaf, index, size, proof, root)
    };
    let proof = merkle::inclusion_proof(index, size, &log).expect("a proof");
    prop_assert!(proof.len() <= 64);
    prop_assert_eq!(verify(&leaf_hash, index, size, &proof, &root), Ok(()));

    // Any single bit flipped, in any proof hash, the leaf or the root.
    for i in 0..proof.len() {
        let mut altered = proof.clone();
        altered[i] = flip(&altered[i], bit);
        prop_assert_eq!(
            verify(&leaf_hash, index, size, &altered, &root),
            Err(VerifyError::Mismatch)
        );
    }
    let flipped_leaf = flip(&leaf_hash, bit);
    prop_assert!(verify(&flipped_leaf, index, size, &proof, &root).is_err());
    prop_assert!(verify(&leaf_hash, index, size, &proof, &flip(&root, bit)).is_err());

    // A hash too many or too few.
    let mut longer = proof.clone();
    longer.push(root);
    prop_assert!(verify(&leaf_hash, index, size, &longer, &root).is_err());
    if let Some((_, shorter)) = proof.split_last() {
        prop_assert!(verify(&leaf_hash, index, size, shorter, &root).is_err());
    }

    // Another index of the same tree, or one beyond it.
    if other != index {
        prop_assert!(verify(&leaf_hash, other, size, &proof, &root).is_err());
    }
    prop_assert!(verify(&leaf_hash, size, size, &proof, &root).is_err());

    // Another tree size, with that tree's own root: the proof for one tree does not prove
    // inclusion in another, unless the two proofs are the very same hashes. (Against the
    // *same* root a different size can verify, which is why the size a verifier uses must
    // come from the signed checkpoint.)
    for other_size in [size - 1, size + 1, size * 2] {
        if other_size <= index {
            continue;
        }
        let bigger = log_of(other_size.max(size), seed);
        let other_root = merkle::tree_root(other_size, &bigger).expect("a root");
        let genuine = merkle::inclusion_proof(index, other_size, &bigger).expect("a proof");
        let result = verify(&leaf_hash, index, other_size, &proof, &other_root);
        prop_assert_eq!(result.is_ok(), genuine == proof);
        let result = verify(&leaf_hash, index, other_size, &genuine, &other_root);
        prop_assert_eq!(result, Ok(()));
    }

    // Proofs into every earlier tree come from the same stored hashes.
    for earlier in [index + 1, (index + 1).max(size / 2), size] {
        let leaves: Vec<Hash> = (0..earlier).map(|i| leaf(seed, i)).collect();
        let earlier_root = merkle::tree_root(earlier, &log).expect("a root");
        prop_assert_eq!(earlier_root, merkle::root_of_leaves(&leaves));
        let earlier_proof = merkle::inclusion_proof(index, earlier, &log).expect("a proof");
        let result = verify(&leaf_hash, index, earlier, &earlier_proof, &earlier_root);
        prop_assert_eq!(result, Ok(()));
    }
    Ok(())
}

fn consistency(new_size: u64, old_size: u64, bit: usize, seed: u64) -> Outcome {
    let log = log_of(new_size, seed);
    let old_root = merkle::tree_root(old_size, &log).expect("a root");
    let new_root = log.root();
    let verify = |old_size, old_root: &Hash, new_root: &Hash, proof: &[Hash]| {
        merkle::verify_consistency(old_size, old_root, new_size, new_root, proof)
    };
    let proof = merkle::consistency_proof(old_size, new_size, &log).expect("a proof");
    prop_assert_eq!(proof.is_empty(), old_size == new_size);
    prop_assert_eq!(verify(old_size, &old_root, &new_root, &proof), Ok(()));

    for i in 0..proof.len() {
        let mut altered = proof.clone();
        altered[i] = flip(&altered[i], bit);
        prop_assert!(verify(old_size, &old_root, &new_root, &altered).is_err());
    }
    prop_assert!(verify(old_size, &flip(&old_root, bit), &new_root, &proof).is_err());
    prop_assert!(verify(old_size, &old_root, &flip(&new_root, bit), &proof).is_err());
    let mut longer = proof.clone();
    longer.push(new_root);
    prop_assert!(verify(old_size, &old_root, &new_root, &longer).is_err());
    if let Some((_, shorter)) = proof.split_last() {
        prop_assert!(verify(old_size, &old_root, &new_root, shorter).is_err());
    }

    // Other old sizes, with their own roots.
    for other_old in [old_size - 1, old_size + 1] {
        if other_old == 0 || other_old > new_size {
            continue;
        }
        let other_root = merkle::tree_root(other_old, &log).expect("a root");
        let genuine = merkle::consistency_proof(other_old, new_size, &log).expect("a proof");
        let result = verify(other_old, &other_root, &new_root, &proof);
        prop_assert_eq!(result.is_ok(), genuine == proof);
    }
    prop_assert_eq!(
        verify(new_size + 1, &old_root, &new_root, &proof),
        Err(VerifyError::Impossible("a log never shrinks"))
    );

    // A fork, the same old prefix with a different last leaf, is not consistent.
    if old_size < new_size {
        let mut fork = log_of(new_size - 1, seed);
        fork.append(leaf(seed ^ 1, new_size - 1));
        prop_assert!(verify(old_size, &old_root, &fork.root(), &proof).is_err());
    }
    Ok(())
}

/// A `tlog_tiles` tile reader over our tiles, so that its independent tile-walking code
/// (which authenticates every tile against the root) reads what we would serve.
struct TlogTiles<'a> {
    tiles: &'a HashMap<Tile, Vec<u8>>,
}

impl tlog_tiles::TileReader for TlogTiles<'_> {
    fn height(&self) -> u8 {
        8
    }

    fn read_tiles(&self, tiles: &[tlog_tiles::Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        tiles
            .iter()
            .map(|t| {
                let width = u16::try_from(t.width()).map_err(|_| tlog_tiles::Error::InvalidTile)?;
                let ours = Tile::hashes(t.level(), t.level_index(), width)
                    .map_err(|_| tlog_tiles::Error::InvalidTile)?;
                self.tiles
                    .get(&ours)
                    .cloned()
                    .ok_or(tlog_tiles::Error::InvalidTile)
            })
            .collect()
    }

    fn save_tiles(&self, _tiles: &[tlog_tiles::Tile], _data: &[Vec<u8>]) {}
}

/// The tiles of a tree let a verifier recompute the root, whichever way they are made: from
/// stored hashes (as the server does), from the leaves alone (as `lantern verify --full`
/// does), or read back through `tlog_tiles`.
fn tiles_recompute_the_root(size: u64, seed: u64) -> Outcome {
    let log = log_of(size, seed);
    let root = log.root();

    let mut served: HashMap<Tile, Vec<u8>> = HashMap::new();
    for tile in tiles::changed_tiles(0, size).expect("a valid size") {
        if let TileKind::Hashes { .. } = tile.kind() {
            let data = tiles::hash_tile_data(&tile, size, &log).expect("tile data");
            prop_assert_eq!(data.len(), usize::from(tile.width()) * 32);
            served.insert(tile, data);
        }
    }

    // From the leaves alone.
    let mut builder = TileBuilder::new();
    let mut rebuilt: HashMap<Tile, Vec<u8>> = HashMap::new();
    for i in 0..size {
        for (tile, data) in builder.push(leaf(seed, i)).expect("room") {
            prop_assert!(tile.is_full());
            rebuilt.insert(tile, data);
        }
    }
    rebuilt.extend(builder.partial_tiles());
    prop_assert_eq!(builder.size(), size);
    prop_assert_eq!(builder.root(), root);
    prop_assert_eq!(&rebuilt, &served);

    // From the hash tiles alone, reading at most two tiles per level.
    let mut reads = 0;
    let from_tiles = tiles::root_from_tiles(size, |tile| {
        reads += 1;
        served.get(tile).cloned().ok_or(())
    });
    prop_assert_eq!(from_tiles.expect("a root"), root);
    prop_assert!(reads <= 2 * 8);

    // Through tlog_tiles, which checks each tile against the root as it reads.
    let reader = TlogTiles { tiles: &served };
    let trusted = tlog_tiles::Hash(*root.as_bytes());
    let hash_reader = tlog_tiles::TileHashReader::new(size, trusted, &reader);
    let tlog_root = tlog_tiles::tree_hash(size, &hash_reader).expect("tlog_tiles reads the tiles");
    prop_assert_eq!(tlog_root.0, *root.as_bytes());
    let index = seed % size;
    let theirs = tlog_tiles::prove_record(size, index, &hash_reader).expect("a proof");
    let ours = merkle::inclusion_proof(index, size, &log).expect("a proof");
    let theirs: Vec<[u8; 32]> = theirs.iter().map(|h| h.0).collect();
    let ours: Vec<[u8; 32]> = ours.iter().map(|h| *h.as_bytes()).collect();
    prop_assert_eq!(theirs, ours);

    // A corrupted tile on the right edge (the top one always is) changes the root.
    let top = served
        .keys()
        .copied()
        .max_by_key(|t| (t.kind(), t.index()))
        .expect("a non-empty tree has tiles");
    let mut corrupted = served.clone();
    if let Some(data) = corrupted.get_mut(&top) {
        data[0] ^= 1;
    }
    let checked = tiles::root_from_tiles(size, |t| corrupted.get(t).cloned().ok_or(()));
    prop_assert_ne!(checked.expect("a root"), root);
    Ok(())
}

/// A server that rebuilds only the tiles `changed_tiles` lists, after each batch, ends up
/// serving the tiles of the whole tree: a partial tile's bytes are a prefix of the tile it
/// grows into, every entry bundle hashes to its level-0 tile, and the tiles give the root.
fn rebuilding_changed_tiles(steps: &[u64], seed: u64) -> Outcome {
    let mut log = MemoryLog::default();
    let mut served: HashMap<(TileKind, u64), Vec<u8>> = HashMap::new();
    let mut size = 0u64;
    for step in steps {
        let new_size = size + step;
        for i in size..new_size {
            log.append(leaf(seed, i));
        }
        for tile in tiles::changed_tiles(size, new_size).expect("growing") {
            let data = match tile.kind() {
                TileKind::Hashes { .. } => {
                    tiles::hash_tile_data(&tile, new_size, &log).expect("tile data")
                }
                TileKind::Entries => {
                    let first = tile.first_index();
                    let entries = (first..first + u64::from(tile.width()))
                        .map(|i| format!("entry {seed}/{i}").into_bytes());
                    tiles::encode_entry_bundle(entries).expect("a bundle")
                }
            };
            if let Some(before) = served.get(&(tile.kind(), tile.index())) {
                prop_assert!(data.starts_with(before));
                prop_assert!(data.len() > before.len());
            }
            served.insert((tile.kind(), tile.index()), data);
        }
        size = new_size;
    }

    for ((kind, index), data) in &served {
        if *kind != TileKind::Entries {
            continue;
        }
        let level0_bytes = &served[&(TileKind::Hashes { level: 0 }, *index)];
        let width = u16::try_from(level0_bytes.len() / 32).expect("at most 256 hashes");
        let bundle = Tile::entries(*index, width).expect("a bundle tile");
        let entries = tiles::decode_entry_bundle(&bundle, data).expect("a well-formed bundle");
        let level0 = Tile::hashes(0, *index, width).expect("a level-0 tile");
        let hashes = tiles::parse_hash_tile(&level0, level0_bytes).expect("a hash tile");
        let leaves: Vec<Hash> = entries.iter().map(|e| merkle::leaf_hash(e)).collect();
        prop_assert_eq!(leaves, hashes);
    }

    let root = tiles::root_from_tiles(size, |tile| {
        served.get(&(tile.kind(), tile.index())).cloned().ok_or(())
    });
    prop_assert_eq!(root.expect("a root"), log.root());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn inclusion_proofs_verify_and_alterations_fail(
        size in 1u64..700,
        index in any::<prop::sample::Index>(),
        other in any::<prop::sample::Index>(),
        bit in 0usize..256,
        seed in any::<u64>(),
    ) {
        let pick = |i: prop::sample::Index| i.index(size as usize) as u64;
        inclusion(size, pick(index), pick(other), bit, seed)?;
    }

    #[test]
    fn consistency_proofs_verify_and_alterations_fail(
        new_size in 1u64..700,
        old in any::<prop::sample::Index>(),
        bit in 0usize..256,
        seed in any::<u64>(),
    ) {
        consistency(new_size, 1 + old.index(new_size as usize) as u64, bit, seed)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn tiles_let_a_verifier_recompute_the_root(
        size in prop_oneof![1u64..1200, 65_000u64..66_500],
        seed in any::<u64>(),
    ) {
        tiles_recompute_the_root(size, seed)?;
    }

    #[test]
    fn rebuilding_changed_tiles_keeps_the_tiles_right(
        steps in proptest::collection::vec(0u64..700, 1..6),
        seed in any::<u64>(),
    ) {
        rebuilding_changed_tiles(&steps, seed)?;
    }
}
