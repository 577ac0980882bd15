//! An in-memory log for the integration tests: stored hashes in a vector, indexed by
//! stored-hash index, filled through a `Frontier` as a sequencer would.

use lantern_log::merkle::{self, Frontier, Hash, HashReader};

#[derive(Default)]
pub struct MemoryLog {
    pub hashes: Vec<Hash>,
    frontier: Frontier,
}

/// A read beyond the stored hashes.
#[derive(Debug, PartialEq, Eq)]
pub struct Missing(pub u64);

impl MemoryLog {
    pub fn with_leaves(leaves: impl IntoIterator<Item = Hash>) -> Self {
        let mut log = Self::default();
        for leaf in leaves {
            log.append(leaf);
        }
        log
    }

    pub fn append(&mut self, leaf: Hash) {
        self.frontier
            .append(leaf, &mut self.hashes)
            .expect("far below the maximum size");
        assert_eq!(
            self.hashes.len() as u64,
            merkle::stored_hash_count(self.frontier.size())
        );
    }

    pub fn root(&self) -> Hash {
        self.frontier.root()
    }
}

impl HashReader for MemoryLog {
    type Error = Missing;

    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Missing> {
        indexes
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|i| self.hashes.get(i).copied())
                    .ok_or(Missing(i))
            })
            .collect()
    }
}
