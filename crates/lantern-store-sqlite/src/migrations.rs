//! The schema, as numbered migrations embedded in the binary and applied in order when the
//! store opens. A released migration is never edited: a change is a new file.

use lantern_store::StoreError;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use time::OffsetDateTime;

use crate::codec::micros;
use crate::error::sql;

/// One step of the schema.
pub(crate) struct Migration {
    /// Its number, from its file name; applied in increasing order, each exactly once.
    pub(crate) version: i64,
    /// Its file name without number and extension.
    pub(crate) name: &'static str,
    /// The statements.
    pub(crate) sql: &'static str,
}

/// Every migration, in order. A unit test checks this list against `migrations/`.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "registers",
        sql: include_str!("../migrations/0001_registers.sql"),
    },
    Migration {
        version: 2,
        name: "access",
        sql: include_str!("../migrations/0002_access.sql"),
    },
    Migration {
        version: 3,
        name: "reference_and_settings",
        sql: include_str!("../migrations/0003_reference_and_settings.sql"),
    },
    Migration {
        version: 4,
        name: "usage_log",
        sql: include_str!("../migrations/0004_usage_log.sql"),
    },
    Migration {
        version: 5,
        name: "deferred_usage_indexes",
        sql: include_str!("../migrations/0005_deferred_usage_indexes.sql"),
    },
    Migration {
        version: 6,
        name: "citizen_sessions",
        sql: include_str!("../migrations/0006_citizen_sessions.sql"),
    },
    Migration {
        version: 7,
        name: "services_and_consents",
        sql: include_str!("../migrations/0007_services_and_consents.sql"),
    },
    Migration {
        version: 8,
        name: "provider_requests",
        sql: include_str!("../migrations/0008_provider_requests.sql"),
    },
    Migration {
        version: 9,
        name: "data_requests",
        sql: include_str!("../migrations/0009_data_requests.sql"),
    },
];

/// Applies every migration `conn` lacks, all in one transaction: a failure leaves the schema as
/// it was. The IMMEDIATE transaction holds the write lock from the start, so two processes
/// opening the same new file apply each migration once.
///
/// # Errors
/// [`StoreError::Corrupt`] when the file has a migration this build does not know (it was
/// written by a newer Lantern) or one under another name; otherwise as [`crate::error::sql`].
pub(crate) fn apply(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_at INTEGER NOT NULL
         ) STRICT",
    )
    .map_err(sql)?;
    let newest: Option<i64> = tx
        .query_row("SELECT max(version) FROM schema_migrations", [], |row| {
            row.get(0)
        })
        .map_err(sql)?;
    let known = MIGRATIONS.last().map_or(0, |m| m.version);
    if let Some(newest) = newest.filter(|&newest| newest > known) {
        return Err(StoreError::Corrupt(format!(
            "the database has schema migration {newest}, newer than this build knows ({known}); upgrade Lantern"
        )));
    }
    for migration in MIGRATIONS {
        let applied: Option<String> = tx
            .query_row(
                "SELECT name FROM schema_migrations WHERE version = ?1",
                [migration.version],
                |row| row.get(0),
            )
            .optional()
            .map_err(sql)?;
        match applied {
            Some(name) if name == migration.name => {}
            Some(name) => {
                return Err(StoreError::Corrupt(format!(
                    "schema migration {} is {name:?} in the database but {:?} in this build",
                    migration.version, migration.name
                )));
            }
            None => {
                tx.execute_batch(migration.sql).map_err(sql)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                    params![
                        migration.version,
                        migration.name,
                        micros(OffsetDateTime::now_utc())?
                    ],
                )
                .map_err(sql)?;
            }
        }
    }
    tx.commit().map_err(sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_matches_the_directory() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        files.sort();
        let listed: Vec<String> = MIGRATIONS
            .iter()
            .map(|m| format!("{:04}_{}.sql", m.version, m.name))
            .collect();
        assert_eq!(files, listed);
        for (i, migration) in MIGRATIONS.iter().enumerate() {
            assert_eq!(
                migration.version,
                i64::try_from(i).unwrap() + 1,
                "numbered without gaps"
            );
        }
    }

    #[test]
    fn applying_twice_changes_nothing() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        apply(&mut conn).unwrap();
        apply(&mut conn).unwrap();
        let count: i64 = conn
            .query_row("SELECT count(*) FROM schema_migrations", [], |row| {
                row.get(0)
            })
            .unwrap();
        assert_eq!(count, i64::try_from(MIGRATIONS.len()).unwrap());
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations VALUES (999, 'from_the_future', 0)",
            [],
        )
        .unwrap();
        assert!(matches!(apply(&mut conn), Err(StoreError::Corrupt(_))));
    }
}
