//! How PostgreSQL and pool failures map onto [`StoreError`], whose variants say what the caller
//! must do.

use deadpool_postgres::PoolError;
use lantern_store::StoreError;
use tokio_postgres::error::SqlState;

/// Maps a PostgreSQL error.
///
/// A taken key (unique violation) is a conflict and a dangling reference (foreign-key
/// violation) is something not found. Other integrity failures, data exceptions and errors in
/// a statement (SQLSTATE classes 23, 22, 42) mean the store sent what its schema refuses, or
/// the schema was changed behind its back: corrupt, and retrying cannot help. Everything else —
/// a broken connection, a serialization failure, a server shutting down — is unavailable and
/// may be retried.
#[expect(
    clippy::needless_pass_by_value,
    reason = "takes the error by value to fit `map_err(pg)`"
)]
pub(crate) fn pg(e: tokio_postgres::Error) -> StoreError {
    let Some(db) = e.as_db_error() else {
        return StoreError::Unavailable(e.to_string());
    };
    let message = match db.detail() {
        Some(detail) => format!("{} ({detail})", db.message()),
        None => db.message().to_owned(),
    };
    let code = db.code();
    if *code == SqlState::UNIQUE_VIOLATION {
        StoreError::Conflict(message)
    } else if *code == SqlState::FOREIGN_KEY_VIOLATION {
        StoreError::NotFound(message)
    } else if ["22", "23", "42"]
        .iter()
        .any(|class| code.code().starts_with(class))
    {
        StoreError::Corrupt(format!("{message} [{}]", code.code()))
    } else {
        StoreError::Unavailable(format!("{message} [{}]", code.code()))
    }
}

/// Maps a failure to read a column into its Rust type: the stored value is not what the store
/// writes.
#[expect(
    clippy::needless_pass_by_value,
    reason = "takes the error by value to fit `map_err(column)`"
)]
pub(crate) fn column(e: tokio_postgres::Error) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// Maps a failure to get a connection from the pool: nothing was sent, so the call may be
/// retried.
pub(crate) fn pool(e: PoolError) -> StoreError {
    match e {
        PoolError::Backend(e) => pg(e),
        other => StoreError::Unavailable(format!("no database connection: {other}")),
    }
}
