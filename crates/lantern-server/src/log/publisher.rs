//! The checkpoint publisher: signs a checkpoint of the stored tree soon after each append, and
//! keeps the latest one for `/log/checkpoint`, the tiles and the proofs.
//!
//! The store is the commit point; checkpoints are derived. After a crash, the first round signs
//! whatever the store holds, so every acknowledged event is in a checkpoint within one round.
//! Several server processes on one PostgreSQL database each sign, but the store keeps only a
//! checkpoint larger than the one it has, and every process serves the largest it has seen.

use std::sync::Arc;
use std::time::Duration;

use lantern_log::{Checkpoint, CheckpointSigner, CheckpointVerifier};
use lantern_store::{Store, StoreError};
use tokio::sync::{Notify, watch};

/// How often the publisher looks at the store even when no append woke it (appends by other
/// processes sharing the database).
const ROUND: Duration = Duration::from_millis(250);

/// A signed checkpoint being served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// Its tree size.
    pub size: u64,
    /// The signed note, as served at `/log/checkpoint`.
    pub note: Arc<str>,
}

/// Signs and holds the log's checkpoints.
pub struct Publisher {
    store: Arc<dyn Store>,
    signer: CheckpointSigner,
    verifier: CheckpointVerifier,
    latest: watch::Sender<Option<Published>>,
    wake: Notify,
}

impl Publisher {
    /// Loads the latest stored checkpoint, publishes one for the stored tree if that is newer,
    /// and starts the background task that keeps publishing. Must run inside a tokio runtime.
    ///
    /// # Errors
    /// When the store cannot be read or written.
    pub async fn start(
        store: Arc<dyn Store>,
        signer: CheckpointSigner,
    ) -> Result<Arc<Self>, StoreError> {
        let verifier = CheckpointVerifier::from_verifier_key(&signer.verifier_key())
            .map_err(|e| StoreError::Corrupt(format!("the log signing key: {e}")))?;
        let publisher = Arc::new(Self {
            store,
            signer,
            verifier,
            latest: watch::Sender::new(None),
            wake: Notify::new(),
        });
        publisher.publish().await?;
        let background = Arc::downgrade(&publisher);
        tokio::spawn(async move {
            loop {
                let Some(publisher) = background.upgrade() else {
                    return;
                };
                tokio::select! {
                    () = publisher.wake.notified() => {}
                    () = tokio::time::sleep(ROUND) => {}
                }
                if let Err(e) = publisher.publish().await {
                    tracing::warn!(error = %e, "publishing a checkpoint failed; retrying");
                }
            }
        });
        Ok(publisher)
    }

    /// The latest published checkpoint (`None` while the log is empty).
    #[must_use]
    pub fn latest(&self) -> Option<Published> {
        self.latest.borrow().clone()
    }

    /// A receiver that sees every newly published checkpoint.
    #[must_use]
    pub fn subscribe(&self) -> watch::Receiver<Option<Published>> {
        self.latest.subscribe()
    }

    /// The signed-note verifier key of the log, as served at `/log/key`.
    #[must_use]
    pub fn verifier_key(&self) -> &str {
        self.verifier.verifier_key()
    }

    /// The checkpoint origin line.
    #[must_use]
    pub fn origin(&self) -> &str {
        self.signer.origin()
    }

    /// Says that events were appended: the next checkpoint is signed at once.
    pub fn appended(&self) {
        self.wake.notify_one();
    }

    /// One round: adopt a larger stored checkpoint signed by this log's key, or sign the stored
    /// tree if it has grown past everything published.
    async fn publish(&self) -> Result<(), StoreError> {
        let mut best = self.latest().map_or(0, |p| p.size);
        if let Some((size, note)) = self.store.latest_checkpoint().await? {
            // A checkpoint signed under another key or origin (after a key rotation) is not
            // served; the tree is signed afresh below.
            if size > best && self.verifier.verify(note.as_bytes()).is_ok() {
                self.set(size, note);
                best = size;
            }
        }
        let head = self.store.tree_head().await?;
        if head.size == 0 || head.size <= best {
            return Ok(());
        }
        let checkpoint = Checkpoint::new(self.signer.origin(), head.size, head.root)
            .and_then(|c| self.signer.sign(&c))
            .map_err(|e| StoreError::Corrupt(format!("signing a checkpoint: {e}")))?;
        // The tree it signs is durable, so the checkpoint is served at once; saving it (behind
        // any appends queued for the writer) only lets other processes and restarts adopt it.
        self.set(head.size, checkpoint.clone());
        self.store.save_checkpoint(head.size, &checkpoint).await?;
        Ok(())
    }

    fn set(&self, size: u64, note: String) {
        self.latest.send_if_modified(|latest| {
            if latest.as_ref().is_some_and(|p| p.size >= size) {
                return false;
            }
            *latest = Some(Published {
                size,
                note: note.into(),
            });
            true
        });
    }
}
