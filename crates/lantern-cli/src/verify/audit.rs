//! `lantern verify --full`: checks the whole tree of a verified checkpoint (log-format.md §10).
//!
//! Every entry bundle is downloaded and each entry parsed strictly and hashed; from the leaf
//! hashes alone every hash tile is rebuilt ([`TileBuilder`]) and compared byte for byte with
//! the served one; the root of all leaf hashes must be the checkpoint's. Tiles are fetched a
//! few at a time ahead of the check, in the order the rebuilt tiles come out, so memory stays at
//! a few tiles whatever the size of the log.

use std::collections::VecDeque;

use anyhow::{Context, bail, ensure};
use indicatif::{ProgressBar, ProgressStyle};
use lantern_log::merkle::{self, HASH_SIZE};
use lantern_log::tiles::{self, FULL_TILE_WIDTH, TILE_HEIGHT, Tile, TileBuilder, TileKind};
use lantern_log::{Checkpoint, Hash, LogEntry};
use tokio::task::JoinHandle;

use super::client::LogClient;

/// Tiles downloaded ahead of the one being checked.
const PREFETCH: usize = 16;

/// What a full check covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AuditReport {
    /// Entries parsed and hashed.
    pub(crate) entries: u64,
    /// Entry bundles read.
    pub(crate) bundles: u64,
    /// Hash tiles compared.
    pub(crate) hash_tiles: u64,
}

/// Checks every entry bundle and hash tile of the tree `checkpoint` describes.
///
/// # Errors
/// When a tile cannot be fetched, an entry bundle or entry is malformed, a hash tile differs
/// from what the entries imply, or the entries' root is not the checkpoint's.
pub(crate) async fn audit(log: &LogClient, checkpoint: &Checkpoint) -> anyhow::Result<AuditReport> {
    let size = checkpoint.size();
    let progress = progress_bar(size);
    let mut downloads = Prefetch::new(log, plan(size));
    let mut auditor = Auditor::new(size);
    let result = async {
        while let Some((tile, data)) = downloads.next().await? {
            auditor.check(&tile, &data)?;
            if tile.kind() == TileKind::Entries {
                progress.inc(u64::from(tile.width()));
            }
        }
        auditor.finish(checkpoint.root())
    }
    .await;
    match &result {
        Ok(_) => progress.finish_and_clear(),
        Err(_) => progress.abandon(),
    }
    result
}

fn progress_bar(size: u64) -> ProgressBar {
    let bar = ProgressBar::new(size);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} {elapsed_precise} [{wide_bar}] {human_pos}/{human_len} entries checked, {eta} left",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Every tile of the tree of `size` entries, in the order a [`TileBuilder`] fed entry bundle
/// by entry bundle completes them: each bundle, then each full hash tile the bundle completes
/// (lowest level first); after the last bundle, the partial hash tiles, lowest level first.
pub(crate) fn plan(size: u64) -> impl Iterator<Item = Tile> {
    let width = u64::from(FULL_TILE_WIDTH);
    let bundles = size.div_ceil(width);
    let per_bundle = (0..bundles).flat_map(move |index| {
        let entries = (size - index * width).min(width);
        let bundle = Tile::entries(index, tile_width(entries));
        // Bundle `index` completes a level-`l` tile when it ends a run of 256^l full bundles.
        let completed = (0u8..).map_while(move |level| {
            let span = 1u64.checked_shl(TILE_HEIGHT * u32::from(level))?;
            let full = entries == width && (index + 1) % span == 0;
            full.then(|| Tile::hashes(level, (index + 1) / span - 1, FULL_TILE_WIDTH))
        });
        std::iter::once(bundle).chain(completed)
    });
    let partial = (0u8..)
        .map_while(move |level| {
            let hashes = size.checked_shr(TILE_HEIGHT * u32::from(level))?;
            (hashes > 0).then_some((level, hashes))
        })
        .filter(move |(_, hashes)| hashes % width != 0)
        .map(move |(level, hashes)| {
            Tile::hashes(level, hashes / width, tile_width(hashes % width))
        });
    per_bundle.chain(partial).filter_map(Result::ok)
}

/// A width below 256 as a `u16` (the callers' values are at most 256).
fn tile_width(width: u64) -> u16 {
    u16::try_from(width).unwrap_or(FULL_TILE_WIDTH)
}

/// Checks downloaded tiles, given in [`plan`] order.
pub(crate) struct Auditor {
    size: u64,
    builder: TileBuilder,
    /// Hash tiles the entries imply, not yet compared with the served ones, in plan order.
    expected: VecDeque<(Tile, Vec<u8>)>,
    report: AuditReport,
}

impl Auditor {
    pub(crate) fn new(size: u64) -> Self {
        Self {
            size,
            builder: TileBuilder::new(),
            expected: VecDeque::new(),
            report: AuditReport {
                entries: 0,
                bundles: 0,
                hash_tiles: 0,
            },
        }
    }

    /// Checks the next tile of the plan.
    ///
    /// # Errors
    /// When the tile is malformed or differs from what the entries imply.
    pub(crate) fn check(&mut self, tile: &Tile, data: &[u8]) -> anyhow::Result<()> {
        match tile.kind() {
            TileKind::Entries => self.check_bundle(tile, data),
            TileKind::Hashes { level } => self.check_hash_tile(tile, level, data),
        }
    }

    fn check_bundle(&mut self, tile: &Tile, data: &[u8]) -> anyhow::Result<()> {
        let entries = tiles::decode_entry_bundle(tile, data).with_context(|| {
            format!(
                "the entry bundle /log/{} does not hold {} length-prefixed entries",
                tile.path(),
                tile.width()
            )
        })?;
        for (index, entry) in (tile.first_index()..).zip(entries) {
            LogEntry::decode(entry).with_context(|| {
                format!(
                    "entry {index} (in /log/{}) is not a canonical v1 log entry",
                    tile.path()
                )
            })?;
            let completed = self
                .builder
                .push(merkle::leaf_hash(entry))
                .context("the tree is larger than any log holds")?;
            self.expected.extend(completed);
        }
        if self.builder.size() == self.size {
            self.expected.extend(self.builder.partial_tiles());
        }
        self.report.entries += u64::from(tile.width());
        self.report.bundles += 1;
        Ok(())
    }

    fn check_hash_tile(&mut self, tile: &Tile, level: u8, served: &[u8]) -> anyhow::Result<()> {
        let Some((expected_tile, implied)) = self.expected.pop_front() else {
            bail!(
                "internal error: hash tile {} checked before its entries",
                tile.path()
            );
        };
        ensure!(
            expected_tile == *tile,
            "internal error: checking {} where {} was due",
            tile.path(),
            expected_tile.path()
        );
        if served.len() != implied.len() {
            bail!(
                "the hash tile /log/{} is {} bytes long; a tile of {} hashes is {} bytes",
                tile.path(),
                served.len(),
                tile.width(),
                implied.len()
            );
        }
        let differing = served
            .chunks_exact(HASH_SIZE)
            .zip(implied.chunks_exact(HASH_SIZE))
            .position(|(s, i)| s != i);
        if let Some(k) = differing {
            let hash = |tile: &[u8]| {
                Hash::from_slice(&tile[k * HASH_SIZE..(k + 1) * HASH_SIZE])
                    .map_or_else(|_| "?".to_owned(), |h| h.to_base64())
            };
            bail!(
                "the hash tile /log/{} differs from what the entries imply at its hash {k} \
                 (node {} of tree level {}): served {}, computed from the entries {}",
                tile.path(),
                tile.first_index() + k as u64,
                u32::from(level) * TILE_HEIGHT,
                hash(served),
                hash(&implied)
            );
        }
        self.report.hash_tiles += 1;
        Ok(())
    }

    /// Ends the check: every tile was seen and the entries' root is `root`.
    ///
    /// # Errors
    /// When tiles are missing or the root differs.
    pub(crate) fn finish(self, root: &Hash) -> anyhow::Result<AuditReport> {
        ensure!(
            self.builder.size() == self.size && self.expected.is_empty(),
            "internal error: the check ended after {} of {} entries with {} hash tiles unchecked",
            self.builder.size(),
            self.size,
            self.expected.len()
        );
        let computed = self.builder.root();
        if computed != *root {
            bail!(
                "the root of the {} entries is {computed}, but the checkpoint's root is {root}",
                self.size
            );
        }
        Ok(self.report)
    }
}

/// Downloads the tiles of a plan, up to [`PREFETCH`] at a time, handing them out in order.
struct Prefetch<I> {
    log: LogClient,
    plan: I,
    in_flight: VecDeque<(Tile, JoinHandle<anyhow::Result<Vec<u8>>>)>,
}

impl<I: Iterator<Item = Tile>> Prefetch<I> {
    fn new(log: &LogClient, plan: I) -> Self {
        Self {
            log: log.clone(),
            plan,
            in_flight: VecDeque::with_capacity(PREFETCH),
        }
    }

    async fn next(&mut self) -> anyhow::Result<Option<(Tile, Vec<u8>)>> {
        while self.in_flight.len() < PREFETCH {
            let Some(tile) = self.plan.next() else {
                break;
            };
            let log = self.log.clone();
            let download = tokio::spawn(async move { log.tile(&tile).await });
            self.in_flight.push_back((tile, download));
        }
        let Some((tile, download)) = self.in_flight.pop_front() else {
            return Ok(None);
        };
        let data = download.await.context("a tile download stopped")??;
        Ok(Some((tile, data)))
    }
}

impl<I> Drop for Prefetch<I> {
    fn drop(&mut self) {
        for (_, download) in &self.in_flight {
            download.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};
    use std::convert::Infallible;

    use lantern_log::HashReader;
    use lantern_log::merkle::Frontier;

    /// A valid v1 entry, different for each `n`.
    fn entry(n: u64) -> Vec<u8> {
        format!(
            r#"{{"v":1,"day":"2025-03-14","agency":"MOHW-NHIA","file":"nhi-claims","action":"use","purpose":"031","legal_basis":"PDPA-16-MAIN","out_of_purpose":false,"records":{},"withheld":false,"ground":null,"commitment":"1a5b3f4b9991468cc66b31e717f639c7d25bd4861fa51d8571a9be79961e4062"}}"#,
            n + 1
        )
        .into_bytes()
    }

    /// Stored hashes, as a server keeps them.
    struct Stored(Vec<Hash>);

    impl HashReader for Stored {
        type Error = Infallible;
        fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Infallible> {
            Ok(indexes.iter().map(|&i| self.0[i as usize]).collect())
        }
    }

    /// Every tile a server of a log of `size` entries serves, made the way a server makes them
    /// (stored hashes, not a `TileBuilder`), and the root.
    fn served_log(size: u64) -> (BTreeMap<Tile, Vec<u8>>, Hash) {
        let entries: Vec<Vec<u8>> = (0..size).map(entry).collect();
        let mut frontier = Frontier::new();
        let mut stored = Vec::new();
        for e in &entries {
            frontier.append(merkle::leaf_hash(e), &mut stored).unwrap();
        }
        let store = Stored(stored);
        let mut served = BTreeMap::new();
        for tile in tiles::changed_tiles(0, size).unwrap() {
            let data = match tile.kind() {
                TileKind::Entries => {
                    let first = tile.first_index() as usize;
                    let width = usize::from(tile.width());
                    tiles::encode_entry_bundle(&entries[first..first + width]).unwrap()
                }
                TileKind::Hashes { .. } => tiles::hash_tile_data(&tile, size, &store).unwrap(),
            };
            served.insert(tile, data);
        }
        (served, frontier.root())
    }

    fn run(
        size: u64,
        served: &BTreeMap<Tile, Vec<u8>>,
        root: &Hash,
    ) -> anyhow::Result<AuditReport> {
        let mut auditor = Auditor::new(size);
        for tile in plan(size) {
            let data = served
                .get(&tile)
                .with_context(|| format!("no {}", tile.path()))?;
            auditor.check(&tile, data)?;
        }
        auditor.finish(root)
    }

    #[test]
    fn the_plan_lists_every_tile_of_the_tree_once() {
        for size in [
            0, 1, 2, 255, 256, 257, 511, 512, 513, 65_535, 65_536, 65_537, 70_000, 16_777_216,
            16_777_217,
        ] {
            let planned: Vec<Tile> = plan(size).collect();
            let unique: BTreeSet<Tile> = planned.iter().copied().collect();
            assert_eq!(unique.len(), planned.len(), "size {size}");
            let all: BTreeSet<Tile> = tiles::changed_tiles(0, size).unwrap().collect();
            assert_eq!(unique, all, "size {size}");
        }
    }

    #[test]
    fn the_plan_follows_the_tile_builder() {
        // The order in which a TileBuilder completes tiles, bundle by bundle.
        for size in [1u64, 255, 256, 300, 512, 65_536 + 300] {
            let mut builder = TileBuilder::new();
            let mut order = Vec::new();
            for bundle in 0..size.div_ceil(256) {
                let width = (size - bundle * 256).min(256);
                order.push(Tile::entries(bundle, width as u16).unwrap());
                for i in 0..width {
                    let leaf = merkle::leaf_hash(&(bundle * 256 + i).to_be_bytes());
                    order.extend(builder.push(leaf).unwrap().into_iter().map(|(t, _)| t));
                }
            }
            order.extend(builder.partial_tiles().into_iter().map(|(t, _)| t));
            assert_eq!(plan(size).collect::<Vec<_>>(), order, "size {size}");
        }
    }

    #[test]
    fn an_honest_log_passes() {
        for size in [1, 3, 255, 256, 257, 600] {
            let (served, root) = served_log(size);
            let report = run(size, &served, &root).unwrap();
            let hash_tiles = served
                .keys()
                .filter(|t| t.kind() != TileKind::Entries)
                .count();
            assert_eq!(
                report,
                AuditReport {
                    entries: size,
                    bundles: size.div_ceil(256),
                    hash_tiles: hash_tiles as u64
                }
            );
        }
    }

    #[test]
    fn every_kind_of_tampering_is_named() {
        let size = 600;
        let (served, root) = served_log(size);
        let error = |served: &BTreeMap<Tile, Vec<u8>>, root: &Hash| {
            format!("{:#}", run(size, served, root).unwrap_err())
        };

        // A wrong root in the checkpoint.
        let other_root = merkle::leaf_hash(b"another tree");
        assert_eq!(
            error(&served, &other_root),
            format!(
                "the root of the 600 entries is {root}, but the checkpoint's root is {other_root}"
            )
        );

        // One hash changed in a level-0 tile.
        let mut bad = served.clone();
        let tile = Tile::hashes(0, 1, 256).unwrap();
        bad.get_mut(&tile).unwrap()[32 * 5] ^= 1;
        let message = error(&bad, &root);
        assert!(
            message.starts_with("the hash tile /log/tile/0/001 differs from what the entries imply at its hash 5 (node 261 of tree level 0): served "),
            "{message}"
        );

        // A level-1 tile one hash short.
        let mut bad = served.clone();
        let tile = Tile::hashes(1, 0, 2).unwrap();
        bad.get_mut(&tile).unwrap().truncate(32);
        assert_eq!(
            error(&bad, &root),
            "the hash tile /log/tile/1/000.p/2 is 32 bytes long; a tile of 2 hashes is 64 bytes"
        );

        // An entry changed: still a valid entry, but its leaf hash no longer matches the tile.
        let mut bad = served.clone();
        let bundle = Tile::entries(2, 88).unwrap();
        let original = bad[&bundle].clone();
        let altered =
            String::from_utf8(original)
                .unwrap()
                .replacen("\"records\":513", "\"records\":999", 1);
        bad.insert(bundle, altered.into_bytes());
        let message = error(&bad, &root);
        assert!(
            message.starts_with("the hash tile /log/tile/0/002.p/88 differs from what the entries imply at its hash 0 (node 512 of tree level 0)"),
            "{message}"
        );

        // An entry that is not canonical.
        let mut bad = served.clone();
        let non_canonical: Vec<Vec<u8>> = (0..256)
            .map(|i| {
                if i == 3 {
                    b"{\"v\": 1}".to_vec()
                } else {
                    entry(i)
                }
            })
            .collect();
        bad.insert(
            Tile::entries(0, 256).unwrap(),
            tiles::encode_entry_bundle(&non_canonical).unwrap(),
        );
        let message = error(&bad, &root);
        assert!(
            message.starts_with(
                "entry 3 (in /log/tile/entries/000) is not a canonical v1 log entry: "
            ),
            "{message}"
        );

        // A bundle with an entry too few.
        let mut bad = served;
        let bundle = Tile::entries(2, 88).unwrap();
        let short: Vec<Vec<u8>> = (512..599).map(entry).collect();
        bad.insert(bundle, tiles::encode_entry_bundle(&short).unwrap());
        assert!(error(&bad, &root).starts_with(
            "the entry bundle /log/tile/entries/002.p/88 does not hold 88 length-prefixed entries"
        ),);
    }
}
