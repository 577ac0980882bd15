//! The one error type of every store method, with variants named for what the caller must do.

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// The write conflicts with what is stored (an id already taken, a stale version).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The backend could not be reached or the transaction failed; the caller may retry.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// Stored data could not be read back (a bug or outside tampering); do not retry.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}
