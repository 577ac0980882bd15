//! Proof bundles for a subject's own events: the event, its salt and entry, and its inclusion
//! proof in the tree of the latest published checkpoint (`docs/proof-bundle.md`).

use lantern_log::{ProofBundle, merkle};
use lantern_store::StoredEvent;
use lantern_store::hashes::with_stored_hashes;

use super::proof_error;
use crate::AppState;
use crate::error::AppError;

/// The bundle of `stored` against the latest published checkpoint, or `None` while no
/// published checkpoint includes it yet (one is published within a second of every append).
///
/// # Errors
/// When the stored hashes cannot be read.
pub(crate) async fn proof_bundle(
    state: &AppState,
    stored: &StoredEvent,
) -> Result<Option<ProofBundle>, AppError> {
    let Some(published) = state.log.latest() else {
        return Ok(None);
    };
    if stored.index >= published.size {
        return Ok(None);
    }
    let proof = with_stored_hashes(state.store.as_ref(), |reader| {
        merkle::inclusion_proof(stored.index, published.size, reader)
    })
    .await
    .map_err(proof_error)?;
    Ok(Some(ProofBundle {
        event: stored.event.canonical().to_owned(),
        salt: stored.salt,
        entry: stored.entry.encode(),
        leaf_index: stored.index,
        inclusion_proof: proof,
        checkpoint: published.note.to_string(),
    }))
}
