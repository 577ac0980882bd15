//! Running the synchronous proof and tile code of `lantern_log` over an asynchronous store.
//!
//! The hashes a root, proof or tile needs depend only on the sizes and indexes asked for, never
//! on the hashes themselves. So [`with_stored_hashes`] runs the computation twice: once against
//! a reader that only notes which indexes are asked for, then (after one store read of all of
//! them) against those hashes.

use std::cell::RefCell;
use std::collections::HashMap;

use lantern_log::Hash;
use lantern_log::merkle::{HashReader, ProofError};

use crate::StoreError;
use crate::usage::UsageLogStore;

/// Runs `compute` with the stored hashes it reads, fetched from `store` in one call.
///
/// # Errors
/// Whatever `compute` returns: [`ProofError::OutOfRange`] for sizes or indexes not in the
/// tree, [`ProofError::Read`] when the store fails or lacks a hash.
pub async fn with_stored_hashes<S, T, F>(store: &S, compute: F) -> Result<T, ProofError<StoreError>>
where
    S: UsageLogStore + ?Sized,
    F: Fn(&dyn HashReader<Error = StoreError>) -> Result<T, ProofError<StoreError>>,
{
    let recorder = Recorder::default();
    // A computation that fails on its arguments fails the same way on the second run.
    if let Err(ProofError::OutOfRange(why)) = compute(&recorder) {
        return Err(ProofError::OutOfRange(why));
    }
    let mut indexes = recorder.asked.into_inner();
    indexes.sort_unstable();
    indexes.dedup();
    let hashes = store
        .stored_hashes(&indexes)
        .await
        .map_err(ProofError::Read)?;
    if hashes.len() != indexes.len() {
        return Err(ProofError::CorruptStore {
            requested: indexes.len(),
            returned: hashes.len(),
        });
    }
    let fetched = Fetched(indexes.into_iter().zip(hashes).collect());
    compute(&fetched)
}

/// Notes the indexes asked for and answers with zero hashes.
#[derive(Default)]
struct Recorder {
    asked: RefCell<Vec<u64>>,
}

impl HashReader for Recorder {
    type Error = StoreError;

    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StoreError> {
        self.asked.borrow_mut().extend_from_slice(indexes);
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
                    StoreError::Corrupt(format!(
                        "stored hash {index} was asked for only on the second run"
                    ))
                })
            })
            .collect()
    }
}
