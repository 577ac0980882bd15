//! Copying the WAL back into the database file on a thread of its own.
//!
//! SQLite's automatic checkpoint runs inside the commit that crosses its threshold, so the
//! single writer would spend part of every few appends copying pages. Instead the writer
//! turns it off and wakes this thread after each commit; the thread runs `PASSIVE`
//! checkpoints on its own connection, alongside the writer. A passive checkpoint never blocks
//! the writer, and the writer only steps in ([`Checkpointer::wal_is_long`]) when the WAL has
//! grown long because appends outpaced the thread: then a checkpoint between two of its
//! transactions lets the WAL start over from its beginning.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

/// WAL frames (pages) beyond which the writer finishes a checkpoint itself: 128 MiB of 4 KiB
/// pages.
const LONG_WAL_FRAMES: u64 = 32_768;

/// The least time between two checkpoints of the thread, so that a burst of small commits
/// costs one checkpoint rather than one each.
const PAUSE: Duration = Duration::from_millis(20);

/// The handle the writer keeps. Dropping it stops the thread and waits for it, so that its
/// connection is closed when the store is: the last connection to close copies what is left
/// of the WAL into the database file and removes the WAL.
pub(crate) struct Checkpointer {
    wake: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
    /// Frames in the WAL as of the last checkpoint.
    wal_frames: Arc<AtomicU64>,
}

impl Checkpointer {
    /// Starts the thread on `conn`, a connection of its own. It ends when the handle is
    /// dropped.
    pub(crate) fn start(conn: Connection) -> std::io::Result<Self> {
        let (wake, woken) = mpsc::sync_channel(1);
        let wal_frames = Arc::new(AtomicU64::new(0));
        let frames = Arc::clone(&wal_frames);
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || run(&conn, &woken, &frames))?;
        Ok(Self {
            wake: Some(wake),
            thread: Some(thread),
            wal_frames,
        })
    }

    /// Tells the thread a commit added to the WAL.
    pub(crate) fn committed(&self) {
        // A full channel means a wake-up is pending already.
        if let Some(wake) = &self.wake {
            match wake.try_send(()) {
                Ok(()) | Err(TrySendError::Full(())) | Err(TrySendError::Disconnected(())) => {}
            }
        }
    }

    /// Whether the WAL has grown long enough for the writer to checkpoint it itself.
    pub(crate) fn wal_is_long(&self) -> bool {
        self.wal_frames.load(Ordering::Relaxed) > LONG_WAL_FRAMES
    }

    /// Records the WAL's length as a checkpoint reported it.
    pub(crate) fn record(&self, frames: u64) {
        self.wal_frames.store(frames, Ordering::Relaxed);
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.wake.take());
        if let Some(thread) = self.thread.take() {
            // The thread only runs checkpoints, which report failure by value: it does not
            // panic, and if it did there would be nothing left to clean up.
            let _ = thread.join();
        }
    }
}

/// Runs a passive checkpoint on `conn`; the frames in the WAL, or `None` when it failed (the
/// WAL stays as it was, to be copied by a later checkpoint).
pub(crate) fn passive_checkpoint(conn: &Connection) -> Option<u64> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
        row.get::<_, i64>(1)
    })
    .ok()
    .and_then(|frames| u64::try_from(frames).ok())
}

fn run(conn: &Connection, woken: &Receiver<()>, wal_frames: &AtomicU64) {
    while woken.recv().is_ok() {
        if let Some(frames) = passive_checkpoint(conn) {
            wal_frames.store(frames, Ordering::Relaxed);
        }
        std::thread::sleep(PAUSE);
    }
}
