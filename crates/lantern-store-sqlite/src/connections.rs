//! The connections to one database file: a single writer and a small pool of readers, and the
//! two ways to use them, [`Connections::write`] and [`Connections::read`].
//!
//! SQLite admits one writer at a time. Writers queue on an async mutex rather than collide on
//! SQLite's file lock and spin in its busy handler: they run in arrival order and wait without
//! holding a thread. In WAL mode readers never block the writer or each other, so each read
//! takes any idle reader connection, or opens one. All SQLite calls run on tokio's blocking
//! pool, never on a runtime worker.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use lantern_store::StoreError;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::checkpointer::{self, Checkpointer};
use crate::error::sql;
use crate::migrations;

/// Reader connections kept open while idle. More are opened when more reads run at once, and
/// closed when they finish; opening one costs a file open and a few pragmas.
const IDLE_READERS: usize = 4;

/// How long a connection waits for a lock held elsewhere (another process on the same file, or
/// a WAL checkpoint) before the call fails as unavailable.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Statements kept prepared per connection: every fixed statement of the store fits.
const STATEMENT_CACHE: usize = 64;

/// The writer's page cache, in KiB. Appends look event ids and subjects up at random places in
/// their indexes, and indexing runs write most of the index pages; the cache keeps those pages
/// in memory instead of re-reading them.
const WRITER_CACHE_KIB: i64 = 128 * 1024;

/// What a connection is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    /// The one writer.
    Write,
    /// Reads only.
    Read,
    /// The background checkpoints ([`Checkpointer`]).
    Checkpoint,
}

/// The open connections to one database file.
pub(crate) struct Connections {
    path: PathBuf,
    writer: Arc<tokio::sync::Mutex<Connection>>,
    idle_readers: Mutex<Vec<Connection>>,
    /// Declared last, so dropped last: its connection is the last to close (see
    /// [`Checkpointer`]).
    checkpointer: Arc<Checkpointer>,
}

impl Connections {
    /// Opens `path`, creating it and its directory if missing, and brings its schema up to date.
    pub(crate) fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Unavailable(format!("creating directory {}: {e}", dir.display()))
            })?;
        }
        let mut writer = connect(path, Access::Write)?;
        migrations::apply(&mut writer)?;
        let checkpointer = Checkpointer::start(connect(path, Access::Checkpoint)?)
            .map_err(|e| StoreError::Unavailable(format!("starting the checkpointer: {e}")))?;
        Ok(Self {
            path: path.to_owned(),
            writer: Arc::new(tokio::sync::Mutex::new(writer)),
            idle_readers: Mutex::new(Vec::new()),
            checkpointer: Arc::new(checkpointer),
        })
    }

    /// The database file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` in one write transaction and commits it. When `work` fails, or the commit
    /// does, the transaction is rolled back: nothing of it is written. With
    /// `synchronous=FULL` in WAL mode, a commit that returned is durable.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let mut writer = Arc::clone(&self.writer).lock_owned().await;
        let checkpointer = Arc::clone(&self.checkpointer);
        blocking(move || {
            // IMMEDIATE takes the write lock up front, so a transaction that has read what it is
            // about to change cannot lose the lock to another process before it writes.
            let tx = writer
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql)?;
            let out = work(&tx)?;
            tx.commit().map_err(sql)?;
            if checkpointer.wal_is_long() {
                // No transaction of this process can start meanwhile, so the checkpoint can
                // reach the end of the WAL, and the next transaction starts it over.
                if let Some(frames) = checkpointer::passive_checkpoint(&writer) {
                    checkpointer.record(frames);
                }
            }
            checkpointer.committed();
            Ok(out)
        })
        .await
    }

    /// [`Connections::write`] for work done while the store opens, before anything else can
    /// use the writer. Blocks.
    pub(crate) fn write_at_open<T>(
        &self,
        work: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut writer = self.writer.try_lock().map_err(|_| {
            StoreError::Unavailable("the writer is in use while the store opens".into())
        })?;
        let tx = writer
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let out = work(&tx)?;
        tx.commit().map_err(sql)?;
        Ok(out)
    }

    /// Copies the WAL into the database file and truncates it to nothing, waiting (up to the
    /// busy timeout) for readers of older snapshots to finish. Returns whether it was
    /// truncated; it is not while a reader still holds an old snapshot.
    pub(crate) async fn truncate_wal(&self) -> Result<bool, StoreError> {
        let writer = Arc::clone(&self.writer).lock_owned().await;
        blocking(move || {
            writer
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
                    row.get::<_, i64>(0)
                })
                .map(|busy| busy == 0)
                .map_err(sql)
        })
        .await
    }

    /// Runs `work` in one read transaction: every statement in it sees the same committed
    /// snapshot.
    pub(crate) async fn read<T, F>(self: &Arc<Self>, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let this = Arc::clone(self);
        blocking(move || {
            let mut reader = this.reader()?;
            let tx = reader.transaction().map_err(sql)?;
            let out = work(&tx)?;
            tx.commit().map_err(sql)?;
            this.release(reader);
            Ok(out)
        })
        .await
    }

    fn reader(&self) -> Result<Connection, StoreError> {
        // The lock is only held to pop or push, which cannot panic, so a poisoned lock still
        // guards a consistent list.
        let idle = self
            .idle_readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        match idle {
            Some(reader) => Ok(reader),
            None => connect(&self.path, Access::Read),
        }
    }

    /// Keeps a reader that finished cleanly for the next read. A reader whose work failed is
    /// dropped instead, so no connection in an unknown state is reused.
    fn release(&self, reader: Connection) {
        let mut idle = self
            .idle_readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if idle.len() < IDLE_READERS {
            idle.push(reader);
        }
    }
}

/// Opens a connection to `path` and sets it up: WAL, `synchronous=FULL`, foreign keys on, a
/// busy timeout. Only the writer may create the file; readers are `query_only`.
///
/// The writer runs with `secure_delete` on: whatever a write deletes (a shredded subject's
/// secret and events) is overwritten with zeros, not only unlinked, in the pages it changes and
/// in pages it frees. It also gets a larger page cache ([`WRITER_CACHE_KIB`]), and leaves WAL
/// checkpoints to the [`Checkpointer`].
fn connect(path: &Path, access: Access) -> Result<Connection, StoreError> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if access == Access::Write {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags).map_err(sql)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    match access {
        Access::Write => {
            // The journal mode is a property of the file; setting it here is what makes a new
            // file WAL, and reports what an existing file uses.
            let mode: String = conn
                .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
                .map_err(sql)?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Unavailable(format!(
                    "{} stays in journal mode {mode}; the store needs WAL",
                    path.display()
                )));
            }
            conn.pragma_update(None, "secure_delete", true)
                .map_err(sql)?;
            // The checkpointer thread copies the WAL instead, outside the writer's commits.
            conn.pragma_update(None, "wal_autocheckpoint", 0)
                .map_err(sql)?;
            conn.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)
                .map_err(sql)?;
        }
        Access::Read => conn.pragma_update(None, "query_only", true).map_err(sql)?,
        Access::Checkpoint => {}
    }
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(sql)?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(sql)?;
    Ok(conn)
}

/// Runs `work` on tokio's blocking pool.
async fn blocking<T, F>(work: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, StoreError> + Send + 'static,
{
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        // A panic in store code is a bug: re-raise it in the caller instead of dressing it up
        // as a storage error someone might retry.
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(StoreError::Unavailable(format!(
            "the database task did not finish: {e}"
        ))),
    }
}
