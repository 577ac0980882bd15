//! RFC 6962 Merkle tree hashing, proofs and their verification.
//!
//! A leaf hash is `SHA-256(0x00 ‖ entry bytes)`, an interior node `SHA-256(0x01 ‖ left ‖
//! right)`, and the root of a tree of `n` leaves is RFC 6962's `MTH`: split at the largest
//! power of two below `n`, hash the two sides, combine.
//!
//! Proofs are generated from stored hashes read through [`HashReader`], a narrow trait over
//! whatever keeps the tree (a table, a cache of tiles). Hashes are addressed by the
//! *stored-hash index* of Crosby and Wallach as used by `tlog_tiles` and Go's sumdb: appending
//! leaf `n` stores, contiguously from index [`stored_hash_count`]`(n)`, the leaf hash followed by
//! the hash of every complete subtree that leaf closes. [`Frontier`] computes exactly those
//! hashes for a batch of appended leaves, reading only `O(log n)` earlier ones.
//!
//! Verification needs nothing but the proof, the sizes and the trusted roots.

use std::cell::RefCell;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

/// The size of every hash in the log, in bytes (SHA-256).
pub const HASH_SIZE: usize = 32;

/// The largest tree this library handles: 2^62 leaves, far beyond any real log (10^10 entries
/// a year would take 460 million years to reach it). The bound keeps every stored-hash index,
/// which is about twice the leaf index, inside a `u64`.
pub const MAX_TREE_SIZE: u64 = 1 << 62;

/// A SHA-256 hash: a leaf hash, an interior node or a tree root.
///
/// Displayed (and parsed) as standard base64 with padding, the form checkpoints and proofs use.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hash([u8; HASH_SIZE]);

/// A hash that was not 32 bytes of valid standard base64.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a hash is 32 bytes in standard base64 with padding (44 characters)")]
pub struct MalformedHash;

impl Hash {
    /// Wraps 32 bytes.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; HASH_SIZE]) -> Self {
        Self(bytes)
    }

    /// Reads 32 bytes from a slice.
    ///
    /// # Errors
    /// [`MalformedHash`] when the slice is not exactly 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, MalformedHash> {
        bytes.try_into().map(Self).map_err(|_| MalformedHash)
    }

    /// The 32 bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; HASH_SIZE] {
        &self.0
    }

    /// Standard base64 with padding.
    #[must_use]
    pub fn to_base64(&self) -> String {
        BASE64.encode(self.0)
    }

    /// Parses standard base64 with padding.
    ///
    /// # Errors
    /// [`MalformedHash`] for anything but the 44-character encoding of 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self, MalformedHash> {
        let bytes = BASE64.decode(text).map_err(|_| MalformedHash)?;
        Self::from_slice(&bytes)
    }

    fn to_tlog(self) -> tlog_tiles::Hash {
        tlog_tiles::Hash(self.0)
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_base64())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({self})")
    }
}

/// The root of the empty tree: SHA-256 of no bytes (RFC 6962 §2.1).
pub const EMPTY_ROOT: Hash = Hash(tlog_tiles::EMPTY_HASH.0);

/// The leaf hash of an entry: `SHA-256(0x00 ‖ entry)`.
#[must_use]
pub fn leaf_hash(entry: &[u8]) -> Hash {
    Hash(tlog_tiles::record_hash(entry).0)
}

/// The hash of an interior node: `SHA-256(0x01 ‖ left ‖ right)`.
#[must_use]
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    Hash(tlog_tiles::node_hash(left.to_tlog(), right.to_tlog()).0)
}

/// The RFC 6962 Merkle tree hash (`MTH`) of a list of leaf hashes, computed in memory.
///
/// For trees too large to hold in memory, feed the leaves to a [`Frontier`] instead.
#[must_use]
pub fn root_of_leaves(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => EMPTY_ROOT,
        [leaf] => *leaf,
        _ => {
            // The largest power of two strictly below the length: len >= 2 here, so the
            // subtraction cannot underflow and the split leaves both sides non-empty.
            let split = 1 << (leaves.len() - 1).ilog2();
            let (left, right) = leaves.split_at(split);
            node_hash(&root_of_leaves(left), &root_of_leaves(right))
        }
    }
}

/// Where the hash of the `index`-th node at `level` (0 = leaves) is kept in stored-hash order.
///
/// `level` counts tree levels, so a level-1 C2SP tile holds hashes at level 8.
#[must_use]
pub fn stored_hash_index(level: u8, index: u64) -> u64 {
    tlog_tiles::stored_hash_index(level, index)
}

/// How many hashes a hash store holds for a tree of `tree_size` leaves. The hashes for the next
/// leaf are stored from this index on.
#[must_use]
pub fn stored_hash_count(tree_size: u64) -> u64 {
    tlog_tiles::stored_hash_count(tree_size)
}

/// Reads stored hashes by stored-hash index. Implemented by whatever keeps the tree.
pub trait HashReader {
    /// What a failed read reports (for example the store's own error type).
    type Error;

    /// Returns the hashes at `indexes`, in the same order and exactly one per index. Callers
    /// ask only for hashes of the tree they name, and usually in increasing order.
    ///
    /// # Errors
    /// Whatever kept the read from completing; the caller passes it on unchanged.
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Self::Error>;
}

/// Why a proof, a root or a tile could not be produced from stored hashes.
#[derive(Debug, thiserror::Error)]
pub enum ProofError<E> {
    /// The index or sizes asked for do not exist in the tree: the request was wrong.
    #[error("{0}")]
    OutOfRange(&'static str),
    /// The hash store failed; the inner error says whether retrying can help.
    #[error("reading stored hashes failed")]
    Read(#[source] E),
    /// The hash store answered with the wrong number of hashes: it is faulty and must be
    /// repaired, not retried.
    #[error("the hash store returned {returned} hashes for {requested} indexes")]
    CorruptStore {
        /// How many hashes were asked for.
        requested: usize,
        /// How many came back.
        returned: usize,
    },
}

/// Reads hashes and insists on one per index.
pub(crate) fn read_exact<R: HashReader + ?Sized>(
    reader: &R,
    indexes: &[u64],
) -> Result<Vec<Hash>, ProofError<R::Error>> {
    let hashes = reader.read_hashes(indexes).map_err(ProofError::Read)?;
    if hashes.len() != indexes.len() {
        return Err(ProofError::CorruptStore {
            requested: indexes.len(),
            returned: hashes.len(),
        });
    }
    Ok(hashes)
}

/// Lends a [`HashReader`] to `tlog_tiles`, whose reader trait has no room for a foreign error:
/// the real failure is kept aside and handed back by [`TlogReader::finish`]. The length check
/// happens here too, because `tlog_tiles` panics on a reader that returns the wrong count.
struct TlogReader<'a, R: HashReader + ?Sized> {
    inner: &'a R,
    failure: RefCell<Option<ProofError<R::Error>>>,
}

impl<'a, R: HashReader + ?Sized> TlogReader<'a, R> {
    fn new(inner: &'a R) -> Self {
        Self {
            inner,
            failure: RefCell::new(None),
        }
    }

    fn finish<T>(self, result: Result<T, tlog_tiles::Error>) -> Result<T, ProofError<R::Error>> {
        result.map_err(|_| {
            self.failure
                .into_inner()
                // Every size is checked before `tlog_tiles` is called, so an error that is not a
                // read failure means the arguments were still out of its range.
                .unwrap_or(ProofError::OutOfRange(
                    "the sizes do not describe a proof in this tree",
                ))
        })
    }
}

impl<R: HashReader + ?Sized> tlog_tiles::HashReader for TlogReader<'_, R> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<tlog_tiles::Hash>, tlog_tiles::Error> {
        match read_exact(self.inner, indexes) {
            Ok(hashes) => Ok(hashes.into_iter().map(Hash::to_tlog).collect()),
            Err(failure) => {
                self.failure.replace(Some(failure));
                Err(tlog_tiles::Error::IndexesNotInTree)
            }
        }
    }
}

fn check_size<E>(tree_size: u64) -> Result<(), ProofError<E>> {
    if tree_size > MAX_TREE_SIZE {
        return Err(ProofError::OutOfRange(
            "the tree size is beyond the largest tree this log supports",
        ));
    }
    Ok(())
}

/// The root of the tree of `tree_size` leaves, from at most `1 + log2(tree_size)` stored
/// hashes read in one call.
///
/// # Errors
/// [`ProofError::OutOfRange`] beyond [`MAX_TREE_SIZE`]; [`ProofError::Read`] and
/// [`ProofError::CorruptStore`] from the reader.
pub fn tree_root<R: HashReader + ?Sized>(
    tree_size: u64,
    reader: &R,
) -> Result<Hash, ProofError<R::Error>> {
    check_size(tree_size)?;
    let adapter = TlogReader::new(reader);
    let result = tlog_tiles::tree_hash(tree_size, &adapter);
    adapter.finish(result).map(|h| Hash(h.0))
}

/// The RFC 6962 inclusion proof (audit path) of leaf `index` in the tree of `tree_size`
/// leaves, from the leaf upwards.
///
/// # Errors
/// [`ProofError::OutOfRange`] unless `index < tree_size <= MAX_TREE_SIZE`;
/// [`ProofError::Read`] and [`ProofError::CorruptStore`] from the reader.
pub fn inclusion_proof<R: HashReader + ?Sized>(
    index: u64,
    tree_size: u64,
    reader: &R,
) -> Result<Vec<Hash>, ProofError<R::Error>> {
    check_size(tree_size)?;
    if index >= tree_size {
        return Err(ProofError::OutOfRange(
            "the leaf index must be below the tree size",
        ));
    }
    let adapter = TlogReader::new(reader);
    let result = tlog_tiles::prove_record(tree_size, index, &adapter);
    adapter
        .finish(result)
        .map(|proof| proof.into_iter().map(|h| Hash(h.0)).collect())
}

/// The RFC 6962 consistency proof that the tree of `new_size` leaves extends the tree of
/// `old_size` leaves. Empty when the sizes are equal.
///
/// # Errors
/// [`ProofError::OutOfRange`] unless `0 < old_size <= new_size <= MAX_TREE_SIZE` (a proof from
/// the empty tree proves nothing); [`ProofError::Read`] and [`ProofError::CorruptStore`] from
/// the reader.
pub fn consistency_proof<R: HashReader + ?Sized>(
    old_size: u64,
    new_size: u64,
    reader: &R,
) -> Result<Vec<Hash>, ProofError<R::Error>> {
    check_size(new_size)?;
    if old_size == 0 {
        return Err(ProofError::OutOfRange(
            "a consistency proof starts from a non-empty tree",
        ));
    }
    if old_size > new_size {
        return Err(ProofError::OutOfRange(
            "the old tree size must not exceed the new one",
        ));
    }
    let adapter = TlogReader::new(reader);
    let result = tlog_tiles::prove_tree(new_size, old_size, &adapter);
    adapter
        .finish(result)
        .map(|proof| proof.into_iter().map(|h| Hash(h.0)).collect())
}

/// Why a proof was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The index and sizes cannot describe any valid proof (an index beyond the tree, a
    /// shrinking tree, an empty tree): the claim is wrong before any hashing.
    #[error("{0}")]
    Impossible(&'static str),
    /// The proof does not lead to the trusted root: do not trust the claim; either the proof
    /// or the log is wrong.
    #[error("the proof does not match the trusted root")]
    Mismatch,
}

/// The longest proof a tree within [`MAX_TREE_SIZE`] can need: one hash per tree level.
const MAX_PROOF_LEN: usize = 64;

/// Checks that `proof` shows the leaf with hash `leaf` at `index` in the tree of `tree_size`
/// leaves whose root is `root`.
///
/// # Errors
/// [`VerifyError::Impossible`] unless `index < tree_size <= MAX_TREE_SIZE`;
/// [`VerifyError::Mismatch`] when the proof does not lead to `root`.
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    tree_size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), VerifyError> {
    if tree_size > MAX_TREE_SIZE {
        return Err(VerifyError::Impossible(
            "the tree size is beyond the largest tree this log supports",
        ));
    }
    if index >= tree_size {
        return Err(VerifyError::Impossible(
            "the leaf index must be below the tree size",
        ));
    }
    if proof.len() > MAX_PROOF_LEN {
        return Err(VerifyError::Mismatch);
    }
    let proof: Vec<tlog_tiles::Hash> = proof.iter().copied().map(Hash::to_tlog).collect();
    tlog_tiles::check_record(&proof, tree_size, root.to_tlog(), index, leaf.to_tlog())
        .map_err(|_| VerifyError::Mismatch)
}

/// Checks that `proof` shows the tree of `new_size` leaves with root `new_root` to extend the
/// tree of `old_size` leaves with root `old_root`.
///
/// # Errors
/// [`VerifyError::Impossible`] unless `0 < old_size <= new_size <= MAX_TREE_SIZE`;
/// [`VerifyError::Mismatch`] when the proof does not lead to both roots.
pub fn verify_consistency(
    old_size: u64,
    old_root: &Hash,
    new_size: u64,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), VerifyError> {
    if new_size > MAX_TREE_SIZE {
        return Err(VerifyError::Impossible(
            "the tree size is beyond the largest tree this log supports",
        ));
    }
    if old_size == 0 {
        return Err(VerifyError::Impossible(
            "a consistency proof from the empty tree proves nothing",
        ));
    }
    if old_size > new_size {
        return Err(VerifyError::Impossible("a log never shrinks"));
    }
    if proof.len() > MAX_PROOF_LEN {
        return Err(VerifyError::Mismatch);
    }
    let proof: Vec<tlog_tiles::Hash> = proof.iter().copied().map(Hash::to_tlog).collect();
    tlog_tiles::check_tree(
        &proof,
        new_size,
        new_root.to_tlog(),
        old_size,
        old_root.to_tlog(),
    )
    .map_err(|_| VerifyError::Mismatch)
}

/// The tree holds [`MAX_TREE_SIZE`] leaves and takes no more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the log holds the largest number of entries it supports")]
pub struct TreeFull;

/// The right edge of a tree: the roots of the perfect subtrees its leaves decompose into, from
/// the largest (leftmost) to the smallest, one per set bit of the size. Enough to append leaves
/// and to compute the root, in `O(log n)` memory.
///
/// A sequencer loads the frontier of the stored tree once, appends a batch of leaves, writes
/// the stored hashes each append reports, and reads the new root; `lantern verify --full`
/// streams every entry of the log through one to recompute the root.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    /// Invariant: `subtrees[i]` is the root of the perfect subtree for the i-th set bit of
    /// `size`, counting from the most significant; so `subtrees.len() == size.count_ones()`.
    subtrees: Vec<Hash>,
}

impl Frontier {
    /// The frontier of the empty tree.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the frontier of the stored tree of `tree_size` leaves (at most 62 hashes, one
    /// read).
    ///
    /// # Errors
    /// [`ProofError::OutOfRange`] beyond [`MAX_TREE_SIZE`]; [`ProofError::Read`] and
    /// [`ProofError::CorruptStore`] from the reader.
    pub fn load<R: HashReader + ?Sized>(
        tree_size: u64,
        reader: &R,
    ) -> Result<Self, ProofError<R::Error>> {
        check_size(tree_size)?;
        // The stored indexes of the perfect subtrees covering [0, tree_size), left to right.
        let indexes = tlog_tiles::sub_tree_index(0, tree_size, Vec::new());
        let subtrees = if indexes.is_empty() {
            Vec::new()
        } else {
            read_exact(reader, &indexes)?
        };
        Ok(Self {
            size: tree_size,
            subtrees,
        })
    }

    /// The number of leaves.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The root of the tree (the empty root for no leaves).
    #[must_use]
    pub fn root(&self) -> Hash {
        let mut from_right = self.subtrees.iter().rev();
        match from_right.next() {
            None => EMPTY_ROOT,
            Some(smallest) => from_right.fold(*smallest, |right, left| node_hash(left, &right)),
        }
    }

    /// Appends a leaf, pushing onto `stored` the hashes a hash store must keep for it, in
    /// stored-hash order: the leaf hash, then the root of every subtree the leaf completes. For
    /// the leaf at index `n` they belong at [`stored_hash_count`]`(n)` onwards.
    ///
    /// # Errors
    /// [`TreeFull`] when the tree already holds [`MAX_TREE_SIZE`] leaves; nothing changes.
    pub fn append(&mut self, leaf: Hash, stored: &mut Vec<Hash>) -> Result<(), TreeFull> {
        if self.size >= MAX_TREE_SIZE {
            return Err(TreeFull);
        }
        stored.push(leaf);
        let mut hash = leaf;
        // Each trailing one bit of the old size is a perfect subtree of the same height as the
        // one being built: merge them, as binary addition carries.
        for _ in 0..self.size.trailing_ones() {
            let Some(left) = self.subtrees.pop() else {
                break;
            };
            hash = node_hash(&left, &hash);
            stored.push(hash);
        }
        self.subtrees.push(hash);
        self.size += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    /// A hash store in a vector, indexed by stored-hash index.
    #[derive(Default)]
    struct Memory(Vec<Hash>);

    impl HashReader for Memory {
        type Error = Infallible;
        fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Infallible> {
            Ok(indexes.iter().map(|&i| self.0[i as usize]).collect())
        }
    }

    fn leaf(i: u64) -> Hash {
        leaf_hash(format!("leaf {i}").as_bytes())
    }

    #[test]
    fn frontier_matches_stored_hashes_and_roots() {
        let mut frontier = Frontier::new();
        let mut store = Memory::default();
        let mut leaves = Vec::new();
        assert_eq!(frontier.root(), EMPTY_ROOT);
        for i in 0..300 {
            assert_eq!(store.0.len() as u64, stored_hash_count(i));
            let mut stored = Vec::new();
            frontier.append(leaf(i), &mut stored).unwrap();
            // The same hashes tlog_tiles would store.
            let expected = tlog_tiles::stored_hashes_for_record_hash(
                i,
                leaf(i).to_tlog(),
                &TlogReader::new(&store),
            )
            .unwrap();
            assert_eq!(
                stored,
                expected.into_iter().map(|h| Hash(h.0)).collect::<Vec<_>>()
            );
            store.0.extend(stored);
            leaves.push(leaf(i));
            assert_eq!(frontier.root(), root_of_leaves(&leaves));
            assert_eq!(tree_root(i + 1, &store).unwrap(), frontier.root());
            assert_eq!(Frontier::load(i + 1, &store).unwrap(), frontier);
        }
    }

    #[test]
    fn hash_text_forms() {
        let h = leaf_hash(b"");
        assert_eq!(
            h.to_base64(),
            "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0="
        );
        assert_eq!(Hash::from_base64(&h.to_base64()), Ok(h));
        assert_eq!(format!("{h:?}"), format!("Hash({h})"));
        assert_eq!(Hash::from_base64("bjQL"), Err(MalformedHash));
        assert_eq!(Hash::from_base64("not base64!"), Err(MalformedHash));
        assert_eq!(Hash::from_slice(&[0; 31]), Err(MalformedHash));
        assert_eq!(
            EMPTY_ROOT.to_base64(),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }

    #[test]
    fn reader_failures_are_passed_on() {
        struct Broken;
        impl HashReader for Broken {
            type Error = &'static str;
            fn read_hashes(&self, _: &[u64]) -> Result<Vec<Hash>, &'static str> {
                Err("disk on fire")
            }
        }
        struct Short;
        impl HashReader for Short {
            type Error = Infallible;
            fn read_hashes(&self, _: &[u64]) -> Result<Vec<Hash>, Infallible> {
                Ok(vec![EMPTY_ROOT])
            }
        }
        assert!(matches!(
            inclusion_proof(3, 10, &Broken),
            Err(ProofError::Read("disk on fire"))
        ));
        assert!(matches!(
            tree_root(10, &Short),
            Err(ProofError::CorruptStore {
                requested: 2,
                returned: 1
            })
        ));
        assert!(matches!(
            consistency_proof(3, 10, &Short),
            Err(ProofError::CorruptStore { .. })
        ));
        assert!(matches!(
            Frontier::load(7, &Short),
            Err(ProofError::CorruptStore { .. })
        ));
    }

    #[test]
    fn out_of_range_requests_are_refused_before_reading() {
        let store = Memory::default();
        assert!(matches!(
            inclusion_proof(5, 5, &store),
            Err(ProofError::OutOfRange(_))
        ));
        assert!(matches!(
            inclusion_proof(0, 0, &store),
            Err(ProofError::OutOfRange(_))
        ));
        assert!(matches!(
            consistency_proof(0, 5, &store),
            Err(ProofError::OutOfRange(_))
        ));
        assert!(matches!(
            consistency_proof(6, 5, &store),
            Err(ProofError::OutOfRange(_))
        ));
        assert!(matches!(
            tree_root(MAX_TREE_SIZE + 1, &store),
            Err(ProofError::OutOfRange(_))
        ));
        assert_eq!(tree_root(0, &store).unwrap(), EMPTY_ROOT);
        assert_eq!(
            verify_inclusion(&EMPTY_ROOT, 0, u64::MAX, &[], &EMPTY_ROOT),
            Err(VerifyError::Impossible(
                "the tree size is beyond the largest tree this log supports"
            ))
        );
        assert_eq!(
            verify_inclusion(&EMPTY_ROOT, 0, 2, &[EMPTY_ROOT; 65], &EMPTY_ROOT),
            Err(VerifyError::Mismatch)
        );
    }

    #[test]
    fn full_tree_takes_no_more_leaves() {
        let mut frontier = Frontier {
            size: MAX_TREE_SIZE,
            subtrees: vec![EMPTY_ROOT],
        };
        let mut stored = Vec::new();
        assert_eq!(frontier.append(EMPTY_ROOT, &mut stored), Err(TreeFull));
        assert!(stored.is_empty());
        assert_eq!(frontier.size(), MAX_TREE_SIZE);
    }
}
