//! The schema, as numbered migrations embedded in the binary and applied in order when the
//! store connects. A released migration is never edited: a change is a new file.

use deadpool_postgres::Client;
use lantern_store::StoreError;

use crate::codec::get;
use crate::error::pg;

/// One step of the schema.
pub(crate) struct Migration {
    /// Its number, from its file name; applied in increasing order, each exactly once.
    pub(crate) version: i32,
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

/// The advisory lock that serialises migrations across every process connecting to the
/// database ("LANTERN" in ASCII). Transaction-scoped: it is released by commit or rollback, so a
/// crashed migrator cannot leave it held.
const MIGRATION_LOCK: i64 = 0x004C_414E_5445_524E;

/// Creates `schema` if given and missing, then applies every migration the database lacks, all
/// in one transaction under [`MIGRATION_LOCK`]: a failure leaves the schema as it was, and
/// processes starting together apply each migration once.
///
/// `schema` must be a checked identifier (see `crate::schema_name`); the connection's
/// `search_path` already names it.
///
/// # Errors
/// [`StoreError::Corrupt`] when the database has a migration this build does not know (it was
/// written by a newer Lantern) or one under another name; otherwise as [`crate::error::pg`].
pub(crate) async fn apply(client: &mut Client, schema: Option<&str>) -> Result<(), StoreError> {
    let tx = client.transaction().await.map_err(pg)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(pg)?;
    if let Some(schema) = schema {
        tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
            .await
            .map_err(pg)?;
    }
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         )",
    )
    .await
    .map_err(pg)?;
    let applied = tx
        .query(
            "SELECT version, name FROM schema_migrations ORDER BY version",
            &[],
        )
        .await
        .map_err(pg)?;
    let known = MIGRATIONS.last().map_or(0, |m| m.version);
    let mut done = Vec::with_capacity(applied.len());
    for row in &applied {
        let (version, name): (i32, String) = (get(row, 0)?, get(row, 1)?);
        match MIGRATIONS.iter().find(|m| m.version == version) {
            None => {
                return Err(StoreError::Corrupt(format!(
                    "the database has schema migration {version}, newer than this build knows ({known}); upgrade Lantern"
                )));
            }
            Some(migration) if migration.name != name => {
                return Err(StoreError::Corrupt(format!(
                    "schema migration {version} is {name:?} in the database but {:?} in this build",
                    migration.name
                )));
            }
            Some(_) => done.push(version),
        }
    }
    for migration in MIGRATIONS.iter().filter(|m| !done.contains(&m.version)) {
        tx.batch_execute(migration.sql).await.map_err(pg)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            &[&migration.version, &migration.name],
        )
        .await
        .map_err(pg)?;
    }
    tx.commit().await.map_err(pg)
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
                i32::try_from(i).unwrap() + 1,
                "numbered without gaps"
            );
        }
    }

    #[test]
    fn both_backends_have_the_same_migrations() {
        let sqlite = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../lantern-store-sqlite/migrations");
        let mut names: Vec<String> = std::fs::read_dir(sqlite)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        let ours: Vec<String> = MIGRATIONS
            .iter()
            .map(|m| format!("{:04}_{}.sql", m.version, m.name))
            .collect();
        assert_eq!(names, ours, "a schema change is made in both backends");
    }
}
