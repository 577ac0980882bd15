//! How SQLite failures map onto [`StoreError`], whose variants say what the caller must do.

use lantern_store::StoreError;
use rusqlite::{ErrorCode, ffi};

/// Maps a SQLite error.
///
/// A constraint failure is told apart by its extended code: a taken key is a conflict and a
/// dangling reference is something not found. Any other constraint failure means the store
/// wrote what its own schema forbids, and a value that cannot be read back means the file was
/// changed behind the store's back: both are corrupt, and retrying cannot help. Everything
/// else (busy, locked, I/O, disk full) is unavailable and may be retried.
#[expect(
    clippy::needless_pass_by_value,
    reason = "takes the error by value to fit `map_err(sql)`"
)]
pub(crate) fn sql(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(failure, _) => match failure.code {
            ErrorCode::ConstraintViolation => match failure.extended_code {
                ffi::SQLITE_CONSTRAINT_PRIMARYKEY | ffi::SQLITE_CONSTRAINT_UNIQUE => {
                    StoreError::Conflict(e.to_string())
                }
                ffi::SQLITE_CONSTRAINT_FOREIGNKEY => StoreError::NotFound(e.to_string()),
                _ => StoreError::Corrupt(e.to_string()),
            },
            ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => {
                StoreError::Corrupt(e.to_string())
            }
            _ => StoreError::Unavailable(e.to_string()),
        },
        rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::IntegralValueOutOfRange(..)
        | rusqlite::Error::InvalidColumnType(..)
        | rusqlite::Error::Utf8Error(..) => StoreError::Corrupt(e.to_string()),
        _ => StoreError::Unavailable(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;

    fn failure(sql_text: &str) -> StoreError {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT UNIQUE);
             CREATE TABLE child (parent INTEGER NOT NULL REFERENCES parent (id), n INTEGER CHECK (n > 0));
             INSERT INTO parent VALUES (1, 'a');",
        )
        .unwrap();
        sql(conn.execute_batch(sql_text).unwrap_err())
    }

    #[test]
    fn constraint_failures_say_what_to_do() {
        assert!(matches!(
            failure("INSERT INTO parent VALUES (1, 'b')"),
            StoreError::Conflict(_)
        ));
        assert!(matches!(
            failure("INSERT INTO parent VALUES (2, 'a')"),
            StoreError::Conflict(_)
        ));
        assert!(matches!(
            failure("INSERT INTO child VALUES (9, 1)"),
            StoreError::NotFound(_)
        ));
        assert!(matches!(
            failure("INSERT INTO child VALUES (1, 0)"),
            StoreError::Corrupt(_)
        ));
        assert!(matches!(
            failure("INSERT INTO child VALUES (NULL, 1)"),
            StoreError::Corrupt(_)
        ));
    }

    #[test]
    fn unreadable_values_are_corrupt() {
        let conn = Connection::open_in_memory().unwrap();
        let e = conn
            .query_row("SELECT 'text'", [], |row| row.get::<_, i64>(0))
            .unwrap_err();
        assert!(matches!(sql(e), StoreError::Corrupt(_)));
    }
}
