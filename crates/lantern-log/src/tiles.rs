//! The C2SP tlog-tiles layout of the log: which tiles a tree has, their paths, and their bytes.
//!
//! Tiles have height 8: a full tile holds 256 hashes (8,192 bytes) or, for an entry bundle,
//! 256 entries. The level-`L` hash tile `N` holds the hashes of tree level `8L` at indexes
//! `256N .. 256N + W`: leaf hashes at level 0, and at level `L > 0` the root of each full tile
//! of level `L − 1`. The rightmost tile of a level is *partial* (`W < 256`) when the level's
//! hash count, `size >> 8L`, is not a multiple of 256; empty tiles do not exist. The entry
//! bundle `N` holds the entries whose leaf hashes form level-0 tile `N`, each as a big-endian
//! `u16` length and the entry bytes.
//!
//! Paths follow C2SP exactly (and not `tlog_tiles::Tile::path`, which writes Go sumdb's
//! `tile/H/L/…` form): `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`, with `N` in
//! zero-padded groups of three digits, all but the last prefixed `x`: 1234067 is
//! `x001/x234/067`. Lantern serves them under `/log/`.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;

use crate::merkle::{
    self, Frontier, HASH_SIZE, Hash, HashReader, MAX_TREE_SIZE, ProofError, TreeFull,
};

/// Tile height: each tile spans 8 tree levels.
pub const TILE_HEIGHT: u32 = 8;

/// Hashes (or entries) in a full tile: 2^8.
pub const FULL_TILE_WIDTH: u16 = 256;

/// The longest entry an entry bundle can carry: its length prefix is a `u16`.
pub const MAX_ENTRY_BYTES: usize = u16::MAX as usize;

/// The highest level a C2SP path may name.
const MAX_LEVEL: u8 = 63;

/// What a tile holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TileKind {
    /// Hashes of tree level `8 × level`.
    Hashes {
        /// The tile level, 0 to 63.
        level: u8,
    },
    /// Log entries (the entry bundle matching the level-0 hash tile of the same index).
    Entries,
}

/// The coordinates of one tile: kind, index within its level, and width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tile {
    kind: TileKind,
    index: u64,
    /// Invariant: 1..=256.
    width: u16,
}

/// Why tile coordinates, a tile path or tile bytes were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileError {
    /// Not a C2SP tile path in canonical form (for a server: 404).
    #[error("not a tile path of the form tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]")]
    NotATilePath,
    /// The level is above 63 or the width outside 1..=256: fix the coordinates.
    #[error("a tile has a level from 0 to 63 and a width from 1 to 256")]
    InvalidCoordinates,
    /// The tile does not exist in the tree of the given size: ask for a tile of that tree.
    #[error("the tile is not part of a tree of {tree_size} entries")]
    NotInTree {
        /// The tree size the tile was asked against.
        tree_size: u64,
    },
    /// The old size is larger than the new one: a log never shrinks.
    #[error("a log never shrinks: the new size must not be below the old one")]
    Shrinking,
    /// An entry is longer than [`MAX_ENTRY_BYTES`] and cannot be put in a bundle.
    #[error("an entry of {0} bytes does not fit the 16-bit length prefix of entry bundles")]
    EntryTooLong(usize),
    /// An entry bundle does not hold the tile's number of length-prefixed entries: reject it.
    #[error("the entry bundle is malformed")]
    MalformedBundle,
    /// A hash tile is not the tile's width times 32 bytes: reject it.
    #[error("the hash tile is malformed")]
    MalformedHashTile,
}

impl Tile {
    /// A hash tile.
    ///
    /// # Errors
    /// [`TileError::InvalidCoordinates`] for a level above 63 or a width outside 1..=256.
    pub fn hashes(level: u8, index: u64, width: u16) -> Result<Self, TileError> {
        if level > MAX_LEVEL {
            return Err(TileError::InvalidCoordinates);
        }
        Self::new(TileKind::Hashes { level }, index, width)
    }

    /// An entry bundle.
    ///
    /// # Errors
    /// [`TileError::InvalidCoordinates`] for a width outside 1..=256.
    pub fn entries(index: u64, width: u16) -> Result<Self, TileError> {
        Self::new(TileKind::Entries, index, width)
    }

    fn new(kind: TileKind, index: u64, width: u16) -> Result<Self, TileError> {
        if !(1..=FULL_TILE_WIDTH).contains(&width) {
            return Err(TileError::InvalidCoordinates);
        }
        Ok(Self { kind, index, width })
    }

    /// What the tile holds.
    #[must_use]
    pub fn kind(&self) -> TileKind {
        self.kind
    }

    /// The index `N` within the level.
    #[must_use]
    pub fn index(&self) -> u64 {
        self.index
    }

    /// How many hashes or entries the tile holds, 1 to 256.
    #[must_use]
    pub fn width(&self) -> u16 {
        self.width
    }

    /// A full tile never changes, so it may be cached for ever; a partial one grows into it.
    #[must_use]
    pub fn is_full(&self) -> bool {
        self.width == FULL_TILE_WIDTH
    }

    /// The full tile this one is (or grows into).
    #[must_use]
    pub fn full(&self) -> Self {
        Self {
            width: FULL_TILE_WIDTH,
            ..*self
        }
    }

    /// The tile level; entry bundles sit beside level 0.
    fn level(&self) -> u8 {
        match self.kind {
            TileKind::Hashes { level } => level,
            TileKind::Entries => 0,
        }
    }

    /// The index in its tree level of the tile's first hash (or, for a bundle, of its first
    /// entry). Entry `i` of a bundle is log entry `first_index() + i`.
    #[must_use]
    pub fn first_index(&self) -> u64 {
        self.index.saturating_mul(u64::from(FULL_TILE_WIDTH))
    }

    /// Whether the tile exists, with exactly this width or as a wider one, in the tree of
    /// `tree_size` entries.
    #[must_use]
    pub fn is_in_tree(&self, tree_size: u64) -> bool {
        self.index
            .checked_mul(u64::from(FULL_TILE_WIDTH))
            .and_then(|first| first.checked_add(u64::from(self.width)))
            .is_some_and(|end| end <= hashes_at_level(tree_size, self.level()))
    }

    /// The C2SP path, relative to the log's prefix: `tile/0/x001/x234/067.p/5`,
    /// `tile/entries/000`.
    #[must_use]
    pub fn path(&self) -> String {
        let mut path = String::from("tile/");
        match self.kind {
            TileKind::Hashes { level } => path.push_str(&level.to_string()),
            TileKind::Entries => path.push_str("entries"),
        }
        path.push('/');
        path.push_str(&encode_index(self.index));
        if !self.is_full() {
            path.push_str(".p/");
            path.push_str(&self.width.to_string());
        }
        path
    }

    /// Parses a C2SP path relative to the log's prefix (`tile/…`). Only the canonical path of
    /// a tile is accepted: no leading zeros in `L` or `W`, no unneeded `x000` groups, no
    /// `.p/256`.
    ///
    /// # Errors
    /// [`TileError::NotATilePath`] for anything else.
    pub fn parse_path(path: &str) -> Result<Self, TileError> {
        // The longest canonical path (level 63, u64::MAX, .p/255) is 47 bytes.
        if path.len() > 64 {
            return Err(TileError::NotATilePath);
        }
        let rest = path.strip_prefix("tile/").ok_or(TileError::NotATilePath)?;
        let (head, rest) = rest.split_once('/').ok_or(TileError::NotATilePath)?;
        let kind = if head == "entries" {
            TileKind::Entries
        } else {
            let level = parse_decimal(head).ok_or(TileError::NotATilePath)?;
            TileKind::Hashes {
                level: u8::try_from(level).map_err(|_| TileError::NotATilePath)?,
            }
        };
        let (index_path, width) = match rest.split_once(".p/") {
            Some((index_path, width)) => (
                index_path,
                parse_decimal(width)
                    .and_then(|w| u16::try_from(w).ok())
                    .filter(|w| (1..FULL_TILE_WIDTH).contains(w))
                    .ok_or(TileError::NotATilePath)?,
            ),
            None => (rest, FULL_TILE_WIDTH),
        };
        let mut index: u64 = 0;
        let mut groups = index_path.split('/').peekable();
        while let Some(group) = groups.next() {
            let digits = if groups.peek().is_some() {
                group.strip_prefix('x').ok_or(TileError::NotATilePath)?
            } else {
                group
            };
            if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(TileError::NotATilePath);
            }
            let value = parse_decimal_digits(digits).ok_or(TileError::NotATilePath)?;
            index = index
                .checked_mul(1000)
                .and_then(|i| i.checked_add(value))
                .ok_or(TileError::NotATilePath)?;
        }
        let tile = match kind {
            TileKind::Hashes { level } => Self::hashes(level, index, width),
            TileKind::Entries => Self::entries(index, width),
        }
        .map_err(|_| TileError::NotATilePath)?;
        // Rejects every non-canonical spelling (leading x000 groups, for one) in one check.
        if tile.path() != path {
            return Err(TileError::NotATilePath);
        }
        Ok(tile)
    }
}

impl fmt::Display for Tile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// `N` in zero-padded groups of three digits, all but the last prefixed with `x`.
fn encode_index(index: u64) -> String {
    let mut groups = vec![format!("{:03}", index % 1000)];
    let mut rest = index / 1000;
    while rest > 0 {
        groups.push(format!("x{:03}", rest % 1000));
        rest /= 1000;
    }
    groups.reverse();
    groups.join("/")
}

/// A decimal with no sign and no leading zeros (but `0` itself).
fn parse_decimal(text: &str) -> Option<u64> {
    if text.is_empty() || (text.len() > 1 && text.starts_with('0')) {
        return None;
    }
    parse_decimal_digits(text)
}

fn parse_decimal_digits(text: &str) -> Option<u64> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// How many hashes tree level `8 × level` of a tree of `tree_size` leaves has (complete
/// subtrees of 256^level leaves).
fn hashes_at_level(tree_size: u64, level: u8) -> u64 {
    tree_size
        .checked_shr(TILE_HEIGHT * u32::from(level))
        .unwrap_or(0)
}

/// The tiles of a tree that differ between `old_size` and `new_size`: every tile (hash tiles
/// of all levels and entry bundles) that a server must write to publish `new_size`, level by
/// level from level 0, each entry bundle just before the level-0 tile of the same index. A
/// tile that was partial at `old_size` reappears, wider or full; full tiles of `old_size`
/// never reappear. `changed_tiles(0, size)` lists every tile of the tree.
///
/// The list is produced lazily: for a large tree it is long (one entry bundle and one
/// level-0 tile per 256 entries).
///
/// # Errors
/// [`TileError::Shrinking`] when `old_size > new_size`; [`TileError::NotInTree`] beyond
/// [`MAX_TREE_SIZE`].
pub fn changed_tiles(old_size: u64, new_size: u64) -> Result<ChangedTiles, TileError> {
    if old_size > new_size {
        return Err(TileError::Shrinking);
    }
    if new_size > MAX_TREE_SIZE {
        return Err(TileError::NotInTree {
            tree_size: new_size,
        });
    }
    let mut tiles = ChangedTiles {
        old_size,
        new_size,
        level: 0,
        next: 0,
        end: 0,
        bundle_done: false,
    };
    tiles.enter_level(0);
    Ok(tiles)
}

/// The iterator [`changed_tiles`] returns.
#[derive(Debug, Clone)]
pub struct ChangedTiles {
    old_size: u64,
    new_size: u64,
    level: u8,
    /// The next tile index to yield at `level`; `next..end` remain.
    next: u64,
    end: u64,
    /// At level 0, whether the entry bundle of tile `next` was already yielded.
    bundle_done: bool,
}

impl ChangedTiles {
    fn enter_level(&mut self, level: u8) {
        self.level = level;
        let old = hashes_at_level(self.old_size, level);
        let new = hashes_at_level(self.new_size, level);
        let width = u64::from(FULL_TILE_WIDTH);
        if old == new {
            self.next = 0;
            self.end = 0;
        } else {
            // The first tile that changed is the one that held the old partial (or, when the
            // old level ended on a tile boundary, the next one).
            self.next = old / width;
            self.end = new.div_ceil(width);
        }
        self.bundle_done = false;
    }

    fn width_of(&self, index: u64) -> u16 {
        let hashes = hashes_at_level(self.new_size, self.level);
        let remaining = hashes.saturating_sub(index.saturating_mul(u64::from(FULL_TILE_WIDTH)));
        u16::try_from(remaining.min(u64::from(FULL_TILE_WIDTH))).unwrap_or(FULL_TILE_WIDTH)
    }
}

impl Iterator for ChangedTiles {
    type Item = Tile;

    fn next(&mut self) -> Option<Tile> {
        loop {
            if hashes_at_level(self.new_size, self.level) == 0 {
                // Levels only get emptier going up.
                return None;
            }
            if self.next < self.end {
                let index = self.next;
                let width = self.width_of(index);
                if self.level == 0 && !self.bundle_done {
                    self.bundle_done = true;
                    return Some(Tile {
                        kind: TileKind::Entries,
                        index,
                        width,
                    });
                }
                self.bundle_done = false;
                self.next += 1;
                return Some(Tile {
                    kind: TileKind::Hashes { level: self.level },
                    index,
                    width,
                });
            }
            if self.level >= MAX_LEVEL {
                return None;
            }
            self.enter_level(self.level + 1);
        }
    }
}

/// The bytes of a hash tile of the tree of `tree_size` entries: its `width` hashes,
/// concatenated, read from stored hashes in one call.
///
/// # Errors
/// [`ProofError::OutOfRange`] for an entry bundle or a tile not in the tree;
/// [`ProofError::Read`] and [`ProofError::CorruptStore`] from the reader.
pub fn hash_tile_data<R: HashReader + ?Sized>(
    tile: &Tile,
    tree_size: u64,
    reader: &R,
) -> Result<Vec<u8>, ProofError<R::Error>> {
    let TileKind::Hashes { level } = tile.kind else {
        return Err(ProofError::OutOfRange(
            "an entry bundle is made from entries, not stored hashes",
        ));
    };
    if tree_size > MAX_TREE_SIZE || !tile.is_in_tree(tree_size) {
        return Err(ProofError::OutOfRange("the tile is not part of this tree"));
    }
    // The tile fits a tree within MAX_TREE_SIZE, so its tree level is below 62 and its
    // indexes stay far from overflow.
    let tree_level = u8::try_from(TILE_HEIGHT * u32::from(level))
        .map_err(|_| ProofError::OutOfRange("the tile is not part of this tree"))?;
    let first = tile.first_index();
    let indexes: Vec<u64> = (0..u64::from(tile.width))
        .map(|i| merkle::stored_hash_index(tree_level, first + i))
        .collect();
    let hashes = merkle::read_exact(reader, &indexes)?;
    Ok(hashes.iter().flat_map(|h| *h.as_bytes()).collect())
}

/// Splits hash-tile bytes into hashes, checking the length against the tile's width.
///
/// # Errors
/// [`TileError::MalformedHashTile`] unless `data` is exactly `width × 32` bytes of a hash
/// tile.
pub fn parse_hash_tile(tile: &Tile, data: &[u8]) -> Result<Vec<Hash>, TileError> {
    if tile.kind == TileKind::Entries || data.len() != usize::from(tile.width) * HASH_SIZE {
        return Err(TileError::MalformedHashTile);
    }
    data.chunks_exact(HASH_SIZE)
        .map(|chunk| Hash::from_slice(chunk).map_err(|_| TileError::MalformedHashTile))
        .collect()
}

/// Encodes entries as an entry bundle: each as its length in two big-endian bytes, then its
/// bytes.
///
/// # Errors
/// [`TileError::EntryTooLong`] for an entry over [`MAX_ENTRY_BYTES`];
/// [`TileError::MalformedBundle`] for no entries or more than 256.
pub fn encode_entry_bundle<I>(entries: I) -> Result<Vec<u8>, TileError>
where
    I: IntoIterator,
    I::Item: AsRef<[u8]>,
{
    let mut bundle = Vec::new();
    let mut count = 0usize;
    for entry in entries {
        let entry = entry.as_ref();
        let length =
            u16::try_from(entry.len()).map_err(|_| TileError::EntryTooLong(entry.len()))?;
        bundle.extend_from_slice(&length.to_be_bytes());
        bundle.extend_from_slice(entry);
        count += 1;
    }
    if !(1..=usize::from(FULL_TILE_WIDTH)).contains(&count) {
        return Err(TileError::MalformedBundle);
    }
    Ok(bundle)
}

/// Splits an entry bundle into its entries, checking that it holds exactly the tile's width of
/// them and nothing after.
///
/// # Errors
/// [`TileError::MalformedBundle`] for a hash tile, a truncated entry, trailing bytes, or a
/// count other than the tile's width.
pub fn decode_entry_bundle<'a>(tile: &Tile, data: &'a [u8]) -> Result<Vec<&'a [u8]>, TileError> {
    if tile.kind != TileKind::Entries {
        return Err(TileError::MalformedBundle);
    }
    let mut entries = Vec::with_capacity(usize::from(tile.width));
    let mut rest = data;
    while !rest.is_empty() {
        let [high, low, tail @ ..] = rest else {
            return Err(TileError::MalformedBundle);
        };
        let length = usize::from(u16::from_be_bytes([*high, *low]));
        if tail.len() < length || entries.len() == usize::from(tile.width) {
            return Err(TileError::MalformedBundle);
        }
        let (entry, after) = tail.split_at(length);
        entries.push(entry);
        rest = after;
    }
    if entries.len() != usize::from(tile.width) {
        return Err(TileError::MalformedBundle);
    }
    Ok(entries)
}

/// Rebuilds every hash tile of a tree from its leaf hashes alone, as `lantern verify --full`
/// does to check a log's tiles: push the leaf hashes in order; each push returns the full
/// tiles it completed, and at the end [`TileBuilder::partial_tiles`] and
/// [`TileBuilder::root`] give the rest. Memory stays at one pending tile per level.
#[derive(Debug, Clone, Default)]
pub struct TileBuilder {
    frontier: Frontier,
    /// `pending[l]` holds the hashes of the tile being filled at level `l`. Invariant:
    /// `pending[l].len() == (size >> 8l) % 256`.
    pending: Vec<Vec<Hash>>,
}

impl TileBuilder {
    /// A builder for the empty tree.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of leaves pushed.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// The root of the tree of the leaves pushed so far.
    #[must_use]
    pub fn root(&self) -> Hash {
        self.frontier.root()
    }

    /// Adds the next leaf hash and returns the full hash tiles it completed with their bytes
    /// (at most one per level, lowest level first).
    ///
    /// # Errors
    /// [`TreeFull`] at [`MAX_TREE_SIZE`] leaves.
    pub fn push(&mut self, leaf: Hash) -> Result<Vec<(Tile, Vec<u8>)>, TreeFull> {
        let mut scratch = Vec::new();
        self.frontier.append(leaf, &mut scratch)?;
        let mut completed = Vec::new();
        let mut carry = leaf;
        let mut level = 0u8;
        loop {
            if self.pending.len() <= usize::from(level) {
                self.pending
                    .push(Vec::with_capacity(usize::from(FULL_TILE_WIDTH)));
            }
            let Some(tile_hashes) = self.pending.get_mut(usize::from(level)) else {
                break;
            };
            tile_hashes.push(carry);
            if tile_hashes.len() < usize::from(FULL_TILE_WIDTH) {
                break;
            }
            let hashes = std::mem::take(tile_hashes);
            // The tile just filled is the last full one at its level.
            let index = (hashes_at_level(self.size(), level) >> TILE_HEIGHT).saturating_sub(1);
            carry = merkle::root_of_leaves(&hashes);
            completed.push((
                Tile {
                    kind: TileKind::Hashes { level },
                    index,
                    width: FULL_TILE_WIDTH,
                },
                hashes.iter().flat_map(|h| *h.as_bytes()).collect(),
            ));
            level += 1;
        }
        Ok(completed)
    }

    /// The partial hash tiles of the tree so far, lowest level first, with their bytes.
    #[must_use]
    pub fn partial_tiles(&self) -> Vec<(Tile, Vec<u8>)> {
        let mut tiles = Vec::new();
        for (level, hashes) in (0u8..).zip(&self.pending) {
            let Ok(width) = u16::try_from(hashes.len()) else {
                continue;
            };
            if width == 0 {
                continue;
            }
            tiles.push((
                Tile {
                    kind: TileKind::Hashes { level },
                    index: hashes_at_level(self.size(), level) >> TILE_HEIGHT,
                    width,
                },
                hashes.iter().flat_map(|h| *h.as_bytes()).collect(),
            ));
        }
        tiles
    }
}

/// Computes the root of the tree of `tree_size` entries from its hash tiles alone, reading
/// each needed tile once through `read_tile` (at most two per level: the last full tile and
/// the partial one). This is how a client checks served tiles against a signed checkpoint
/// without the entries.
///
/// # Errors
/// [`RootFromTilesError::Read`] when `read_tile` fails; [`RootFromTilesError::Tile`] for a
/// tile of the wrong length or a size beyond [`MAX_TREE_SIZE`].
pub fn root_from_tiles<F, E>(
    tree_size: u64,
    mut read_tile: F,
) -> Result<Hash, RootFromTilesError<E>>
where
    F: FnMut(&Tile) -> Result<Vec<u8>, E>,
{
    if tree_size > MAX_TREE_SIZE {
        return Err(RootFromTilesError::Tile(TileError::NotInTree { tree_size }));
    }
    let mut cache: HashMap<Tile, Vec<Hash>> = HashMap::new();
    let mut subtrees = Vec::new();
    let mut start = 0u64;
    // The tree splits into perfect subtrees, one per set bit of the size, largest first.
    for height in (0..64u32).rev() {
        let span = 1u64 << height;
        if tree_size & span == 0 {
            continue;
        }
        let level = u8::try_from(height / TILE_HEIGHT)
            .map_err(|_| RootFromTilesError::Tile(TileError::NotInTree { tree_size }))?;
        let within = height % TILE_HEIGHT;
        // The subtree is 2^within consecutive hashes of tree level 8·level, all in one tile,
        // because it is aligned to its own size and that size divides 256.
        let first = start >> (TILE_HEIGHT * u32::from(level));
        let count = 1u64 << within;
        let index = first >> TILE_HEIGHT;
        let available = hashes_at_level(tree_size, level) - (index << TILE_HEIGHT);
        let tile = Tile {
            kind: TileKind::Hashes { level },
            index,
            width: u16::try_from(available.min(u64::from(FULL_TILE_WIDTH)))
                .map_err(|_| RootFromTilesError::Tile(TileError::InvalidCoordinates))?,
        };
        let hashes = match cache.entry(tile) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => {
                let data = read_tile(&tile).map_err(RootFromTilesError::Read)?;
                slot.insert(parse_hash_tile(&tile, &data).map_err(RootFromTilesError::Tile)?)
            }
        };
        let offset = usize::try_from(first - (index << TILE_HEIGHT))
            .map_err(|_| RootFromTilesError::Tile(TileError::InvalidCoordinates))?;
        let count = usize::try_from(count)
            .map_err(|_| RootFromTilesError::Tile(TileError::InvalidCoordinates))?;
        let slice = hashes
            .get(offset..offset + count)
            .ok_or(RootFromTilesError::Tile(TileError::MalformedHashTile))?;
        subtrees.push(merkle::root_of_leaves(slice));
        start += span;
    }
    let mut from_right = subtrees.iter().rev();
    Ok(match from_right.next() {
        None => merkle::EMPTY_ROOT,
        Some(smallest) => from_right.fold(*smallest, |right, left| merkle::node_hash(left, &right)),
    })
}

/// Why [`root_from_tiles`] failed.
#[derive(Debug, thiserror::Error)]
pub enum RootFromTilesError<E> {
    /// Fetching a tile failed; the inner error says whether retrying can help.
    #[error("reading a tile failed")]
    Read(#[source] E),
    /// A tile had the wrong length, or the size is out of range: the tiles are bad.
    #[error(transparent)]
    Tile(TileError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hashes(level: u8, index: u64, width: u16) -> Tile {
        Tile::hashes(level, index, width).unwrap()
    }

    #[test]
    fn paths_from_the_spec() {
        assert_eq!(hashes(0, 1_234_067, 256).path(), "tile/0/x001/x234/067");
        assert_eq!(hashes(4, 1_234_067, 1).path(), "tile/4/x001/x234/067.p/1");
        assert_eq!(hashes(0, 0, 256).path(), "tile/0/000");
        assert_eq!(hashes(1, 999, 255).path(), "tile/1/999.p/255");
        assert_eq!(hashes(2, 1000, 256).path(), "tile/2/x001/000");
        assert_eq!(
            hashes(63, u64::MAX, 255).path(),
            "tile/63/x018/x446/x744/x073/x709/x551/615.p/255"
        );
        let bundle = Tile::entries(1_234_067, 112).unwrap();
        assert_eq!(bundle.path(), "tile/entries/x001/x234/067.p/112");
        assert_eq!(bundle.to_string(), bundle.path());
        assert_eq!(Tile::entries(5, 256).unwrap().path(), "tile/entries/005");
    }

    #[test]
    fn parses_only_canonical_paths() {
        for path in [
            "tile/0/x001/x234/067",
            "tile/4/x001/x234/067.p/1",
            "tile/entries/000",
            "tile/entries/x001/x234/067.p/112",
            "tile/63/x018/x446/x744/x073/x709/x551/615.p/255",
        ] {
            assert_eq!(Tile::parse_path(path).unwrap().path(), path);
        }
        for bad in [
            "",
            "tile/0",
            "tile/0/",
            "/tile/0/000",
            "tile/00/000",
            "tile/01/000",
            "tile/64/000",
            "tile/-1/000",
            "tile/0/0",
            "tile/0/0000",
            "tile/0/x000/001",
            "tile/0/001/234",
            "tile/0/x001/234/",
            "tile/0/000.p/0",
            "tile/0/000.p/256",
            "tile/0/000.p/05",
            "tile/0/000.p/",
            "tile/0/000.p/5/6",
            "tile/data/000",
            "tile/entries/000.p/1x",
            "tile/0/x018/x446/x744/x073/x709/x551/616",
            "tile/8/1/000",
            "tile/0/+12",
        ] {
            assert_eq!(Tile::parse_path(bad), Err(TileError::NotATilePath), "{bad}");
        }
    }

    #[test]
    fn coordinates_are_checked() {
        assert_eq!(Tile::hashes(64, 0, 1), Err(TileError::InvalidCoordinates));
        assert_eq!(Tile::hashes(0, 0, 0), Err(TileError::InvalidCoordinates));
        assert_eq!(Tile::entries(0, 257), Err(TileError::InvalidCoordinates));
        let partial = hashes(1, 3, 17);
        assert!(!partial.is_full());
        assert_eq!(partial.full(), hashes(1, 3, 256));
        assert_eq!(partial.first_index(), 768);
    }

    /// The example of the C2SP spec: a tree of 70,000 entries has 273 full level-0 tiles, a
    /// partial one of width 112, one full level-1 tile, a partial level-1 tile of width 17,
    /// and a partial level-2 tile of width 1.
    #[test]
    fn tiles_of_a_tree_of_70000() {
        let tiles: Vec<Tile> = changed_tiles(0, 70_000).unwrap().collect();
        let level = |l: u8| -> Vec<Tile> {
            tiles
                .iter()
                .copied()
                .filter(|t| t.kind == TileKind::Hashes { level: l })
                .collect()
        };
        assert_eq!(level(0).len(), 274);
        assert!(level(0)[..273].iter().all(Tile::is_full));
        assert_eq!(level(0)[273], hashes(0, 273, 112));
        assert_eq!(level(1), vec![hashes(1, 0, 256), hashes(1, 1, 17)]);
        assert_eq!(level(2), vec![hashes(2, 0, 1)]);
        assert!(level(3).is_empty());
        let bundles: Vec<Tile> = tiles
            .iter()
            .copied()
            .filter(|t| t.kind == TileKind::Entries)
            .collect();
        assert_eq!(bundles.len(), 274);
        assert_eq!(bundles[273], Tile::entries(273, 112).unwrap());
        assert!(tiles.iter().all(|t| t.is_in_tree(70_000)));
    }

    #[test]
    fn a_tree_of_256_has_a_partial_level_1_tile() {
        let tiles: Vec<Tile> = changed_tiles(0, 256).unwrap().collect();
        assert_eq!(
            tiles,
            vec![
                Tile::entries(0, 256).unwrap(),
                hashes(0, 0, 256),
                hashes(1, 0, 1)
            ]
        );
    }

    #[test]
    fn changed_tiles_between_sizes() {
        assert_eq!(changed_tiles(0, 0).unwrap().count(), 0);
        assert_eq!(changed_tiles(10, 10).unwrap().count(), 0);
        assert_eq!(changed_tiles(11, 10).err(), Some(TileError::Shrinking));
        assert!(changed_tiles(0, MAX_TREE_SIZE + 1).is_err());
        // One more entry in a partial tile: the bundle and the level-0 tile grow.
        assert_eq!(
            changed_tiles(100, 101).unwrap().collect::<Vec<_>>(),
            vec![Tile::entries(0, 101).unwrap(), hashes(0, 0, 101)]
        );
        // Completing a tile rewrites it full and starts the level above.
        assert_eq!(
            changed_tiles(255, 257).unwrap().collect::<Vec<_>>(),
            vec![
                Tile::entries(0, 256).unwrap(),
                hashes(0, 0, 256),
                Tile::entries(1, 1).unwrap(),
                hashes(0, 1, 1),
                hashes(1, 0, 1)
            ]
        );
        // Growth that stays below the next full level-0 tile does not touch level 1.
        assert_eq!(changed_tiles(256, 300).unwrap().count(), 2);
        // The largest tree has tiles up to level 7 and no further.
        let last = changed_tiles(MAX_TREE_SIZE - 1, MAX_TREE_SIZE)
            .unwrap()
            .last();
        assert_eq!(last.map(|t| t.kind), Some(TileKind::Hashes { level: 7 }));
    }

    #[test]
    fn entry_bundles() {
        let entries: Vec<Vec<u8>> = vec![b"a".to_vec(), Vec::new(), vec![7; 300]];
        let bundle = encode_entry_bundle(&entries).unwrap();
        assert_eq!(&bundle[..5], &[0, 1, b'a', 0, 0]);
        assert_eq!(&bundle[5..7], &[1, 44]);
        let tile = Tile::entries(0, 3).unwrap();
        let decoded = decode_entry_bundle(&tile, &bundle).unwrap();
        assert_eq!(
            decoded,
            entries.iter().map(Vec::as_slice).collect::<Vec<_>>()
        );
        // Wrong count, truncation, trailing bytes, wrong kind.
        assert!(decode_entry_bundle(&Tile::entries(0, 2).unwrap(), &bundle).is_err());
        assert!(decode_entry_bundle(&Tile::entries(0, 4).unwrap(), &bundle).is_err());
        assert!(decode_entry_bundle(&tile, &bundle[..bundle.len() - 1]).is_err());
        let mut longer = bundle.clone();
        longer.push(0);
        assert!(decode_entry_bundle(&tile, &longer).is_err());
        assert!(decode_entry_bundle(&hashes(0, 0, 3), &bundle).is_err());
        // Limits.
        assert_eq!(
            encode_entry_bundle([vec![0u8; MAX_ENTRY_BYTES + 1]]),
            Err(TileError::EntryTooLong(MAX_ENTRY_BYTES + 1))
        );
        assert!(encode_entry_bundle([vec![0u8; MAX_ENTRY_BYTES]]).is_ok());
        assert_eq!(
            encode_entry_bundle(Vec::<Vec<u8>>::new()),
            Err(TileError::MalformedBundle)
        );
        assert_eq!(
            encode_entry_bundle(vec![b"x"; 257]),
            Err(TileError::MalformedBundle)
        );
    }

    proptest! {
        #[test]
        fn paths_round_trip(
            level in 0u8..=63,
            index in any::<u64>(),
            width in 1u16..=256,
            entries in any::<bool>(),
        ) {
            let tile = if entries {
                Tile::entries(index, width).unwrap()
            } else {
                Tile::hashes(level, index, width).unwrap()
            };
            prop_assert_eq!(Tile::parse_path(&tile.path()), Ok(tile));
        }

        #[test]
        fn parse_path_never_panics(path in "tile/[0-9a-z./x]{0,60}") {
            if let Ok(tile) = Tile::parse_path(&path) {
                prop_assert_eq!(tile.path(), path);
            }
        }

        #[test]
        fn bundles_round_trip(
            entries in proptest::collection::vec(
                proptest::collection::vec(any::<u8>(), 0..40),
                1..=256,
            ),
        ) {
            let bundle = encode_entry_bundle(&entries).unwrap();
            let tile = Tile::entries(9, u16::try_from(entries.len()).unwrap()).unwrap();
            let decoded = decode_entry_bundle(&tile, &bundle).unwrap();
            prop_assert_eq!(decoded, entries.iter().map(Vec::as_slice).collect::<Vec<_>>());
        }

        #[test]
        fn decode_bundle_never_panics(
            data in proptest::collection::vec(any::<u8>(), 0..300),
            width in 1u16..=256,
        ) {
            let _ = decode_entry_bundle(&Tile::entries(0, width).unwrap(), &data);
        }

        /// Growing a tree step by step and applying `changed_tiles` at each step ends with
        /// exactly the tiles of the final tree.
        #[test]
        fn changed_tiles_accumulate_to_the_tiles_of_the_tree(
            steps in proptest::collection::vec(0u64..2000, 1..8),
        ) {
            let mut latest: HashMap<(TileKind, u64), u16> = HashMap::new();
            let mut size = 0;
            for step in steps {
                let next = size + step;
                for tile in changed_tiles(size, next).unwrap() {
                    prop_assert!(tile.is_in_tree(next));
                    let previous = latest.insert((tile.kind, tile.index), tile.width);
                    prop_assert!(previous.is_none_or(|w| w < tile.width));
                }
                size = next;
            }
            let all: HashMap<(TileKind, u64), u16> = changed_tiles(0, size)
                .unwrap()
                .map(|t| ((t.kind, t.index), t.width))
                .collect();
            prop_assert_eq!(latest, all);
        }
    }
}
