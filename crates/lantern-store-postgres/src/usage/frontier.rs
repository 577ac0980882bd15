//! The right edge of the stored tree, kept between appends so that an append reads no hashes
//! unless another process appended since, or this one has not appended yet.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use deadpool_postgres::GenericClient;
use lantern_log::{Frontier, Hash, HashReader, ProofError};
use lantern_store::{StoreError, TreeHead};

use super::tree::hashes_at;

/// The frontier of a committed tree: the last one this process appended to or read.
#[derive(Debug, Default)]
pub(crate) struct FrontierCache(Mutex<Frontier>);

impl FrontierCache {
    /// A working copy of the frontier of `head`, the tree locked by `tx`: the cached one if it
    /// is of that tree, else one read in `tx` (and cached, being of a committed tree).
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when the stored hashes do not give the head's root.
    pub(super) async fn working_copy<C: GenericClient>(
        &self,
        tx: &C,
        head: TreeHead,
    ) -> Result<Frontier, StoreError> {
        let cached = self.cached().clone();
        if cached.size() == head.size && cached.root() == head.root {
            return Ok(cached);
        }
        let loaded = load(tx, head.size).await?;
        if loaded.root() != head.root {
            return Err(StoreError::Corrupt(format!(
                "the stored hashes of tree size {} give root {}, but the head says {}",
                head.size,
                loaded.root(),
                head.root
            )));
        }
        *self.cached() = loaded.clone();
        Ok(loaded)
    }

    /// Keeps the frontier of a tree that has just been committed.
    pub(super) fn keep(&self, committed: Frontier) {
        *self.cached() = committed;
    }

    fn cached(&self) -> MutexGuard<'_, Frontier> {
        // Every write replaces the whole value, so a panicking holder cannot leave half of one.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Reads the frontier of the stored tree of `size` leaves with one query. `Frontier::load`
/// reads synchronously, so it runs twice: first noting the indexes it asks for, then over the
/// hashes fetched for them.
async fn load<C: GenericClient>(tx: &C, size: u64) -> Result<Frontier, StoreError> {
    let wanted = Recorder::default();
    Frontier::load(size, &wanted).map_err(proof)?;
    let fetched = Fetched(hashes_at(tx, &wanted.0.into_inner()).await?);
    Frontier::load(size, &fetched).map_err(proof)
}

fn proof(e: ProofError<StoreError>) -> StoreError {
    match e {
        ProofError::Read(e) => e,
        other => StoreError::Corrupt(format!("loading the tree's frontier: {other}")),
    }
}

/// Notes the indexes asked for and answers with zero hashes.
#[derive(Default)]
struct Recorder(RefCell<Vec<u64>>);

impl HashReader for Recorder {
    type Error = StoreError;

    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StoreError> {
        self.0.borrow_mut().extend_from_slice(indexes);
        Ok(vec![Hash::from_bytes([0; 32]); indexes.len()])
    }
}

/// Answers from hashes fetched beforehand.
struct Fetched(HashMap<u64, Hash>);

impl HashReader for Fetched {
    type Error = StoreError;

    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StoreError> {
        indexes
            .iter()
            .map(|index| {
                self.0.get(index).copied().ok_or_else(|| {
                    StoreError::Corrupt(format!("stored hash {index} of the tree is missing"))
                })
            })
            .collect()
    }
}
