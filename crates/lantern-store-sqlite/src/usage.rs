//! The usage log: the Merkle tree of log entries ([`tree`]), the append that sequences events
//! into it ([`append`]), what a subject sees and shredding ([`footprint`]), and the statistics
//! ([`stats`]).
//!
//! Appends are the hot path. Each is one write transaction that reads the batch's stored ids
//! and secrets, plans the append with [`lantern_store::sequencing::plan_append`] on a copy of
//! the cached [`lantern_log::Frontier`], and writes the plan: rows keyed by leaf or stored-hash
//! index go to the right edge of their tables. The id and subject indexes, which would take
//! random inserts, are brought up to date in sorted runs behind the appends ([`pending`]).

mod append;
mod footprint;
mod id_filter;
mod pending;
mod secrets;
mod stats;
mod tree;

use async_trait::async_trait;
use lantern_domain::FileId;
use lantern_log::{Hash, SubjectPseudonym};
use lantern_store::footprint::FootprintEntries;
use lantern_store::{
    AppendReceipt, DailyVolume, FileActivity, Footprint, FootprintQuery, NewUsageEvent, Shredded,
    StatsQuery, StatsRow, StoreError, StoredEvent, TreeHead, UsageLogStore,
};
use std::sync::Arc;
use time::{Date, OffsetDateTime};

use crate::SqliteStore;
pub(crate) use pending::{INDEX_BACKLOG, PendingCache, index_pending};
pub(crate) use secrets::SecretCache;
pub(crate) use tree::FrontierCache;

impl SqliteStore {
    /// Indexes the pending events if at least `min_backlog` are pending.
    pub(crate) async fn index_pending(&self, min_backlog: u64) -> Result<(), StoreError> {
        let run = self
            .connections
            .write(move |tx| pending::index_pending(tx, min_backlog))
            .await?;
        self.pending.indexed(run.from, run.to, &run.id_keys);
        Ok(())
    }
}

#[async_trait]
impl UsageLogStore for SqliteStore {
    async fn append_events(
        &self,
        events: Vec<NewUsageEvent>,
        received_at: OffsetDateTime,
    ) -> Result<AppendReceipt, StoreError> {
        let store = self.clone();
        let appended = self
            .connections
            .write(move |tx| {
                let caches = append::Caches {
                    frontier: &store.frontier,
                    pending: &store.pending,
                    secrets: &store.secrets,
                };
                append::append(tx, &caches, &events, received_at)
            })
            .await?;
        self.frontier.advance(appended.frontier);
        self.secrets.keep(
            appended.before.shreds,
            appended.secrets.iter().map(|(s, secret)| (s, secret)),
        );
        let backlog = appended.receipt.tree.size - appended.before.indexed_through;
        self.pending.appended(&appended.before, appended.pending);
        if backlog >= self.index_backlog {
            // The append has committed and must answer `Ok`. A failed indexing run changes
            // nothing (its transaction rolls back) and is tried again after the next append.
            let _ = self.index_pending(self.index_backlog).await;
        }
        Ok(appended.receipt)
    }

    async fn tree_head(&self) -> Result<TreeHead, StoreError> {
        self.connections.read(|tx| tree::head(tx)).await
    }

    async fn stored_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StoreError> {
        let indexes = indexes.to_vec();
        self.connections
            .read(move |tx| tree::stored_hashes(tx, &indexes))
            .await
    }

    async fn log_entries(&self, start: u64, count: u64) -> Result<Vec<Vec<u8>>, StoreError> {
        self.connections
            .read(move |tx| tree::entries(tx, start, count))
            .await
    }

    async fn latest_checkpoint(&self) -> Result<Option<(u64, String)>, StoreError> {
        self.connections
            .read(|tx| tree::latest_checkpoint(tx))
            .await
    }

    async fn save_checkpoint(&self, size: u64, note: &str) -> Result<bool, StoreError> {
        let note = note.to_owned();
        self.connections
            .write(move |tx| tree::save_checkpoint(tx, size, &note))
            .await
    }

    async fn footprint(&self, query: FootprintQuery<'_>) -> Result<Footprint, StoreError> {
        let (subject, today) = (*query.subject, query.today);
        let (limit, offset) = (query.limit, query.offset);
        let pendings = Arc::clone(&self.pending);
        self.connections
            .read(move |tx| footprint::footprint(tx, &pendings, &subject, today, limit, offset))
            .await
    }

    async fn footprint_entries(
        &self,
        subject: &SubjectPseudonym,
        today: Date,
    ) -> Result<FootprintEntries, StoreError> {
        let subject = *subject;
        let pendings = Arc::clone(&self.pending);
        self.connections
            .read(move |tx| footprint::footprint_entries(tx, &pendings, &subject, today))
            .await
    }

    async fn subject_events(
        &self,
        subject: &SubjectPseudonym,
        today: Date,
        indexes: &[u64],
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let (subject, indexes) = (*subject, indexes.to_vec());
        self.connections
            .read(move |tx| footprint::subject_events(tx, &subject, today, &indexes))
            .await
    }

    async fn shred_subject(&self, subject: &SubjectPseudonym) -> Result<Shredded, StoreError> {
        let subject = *subject;
        let pendings = Arc::clone(&self.pending);
        let shredded = self
            .connections
            .write(move |tx| footprint::shred(tx, &pendings, &subject))
            .await?;
        // The deleted rows are zeroed in the pages the commit wrote (secure_delete), but older
        // images of those pages stay in the WAL until it is overwritten. Truncating it removes
        // them now. Best effort: the shred has committed and must answer `Ok`; a WAL a reader
        // still holds is overwritten by later appends instead.
        let _ = self.connections.truncate_wal().await;
        Ok(shredded)
    }

    async fn usage_stats(&self, query: &StatsQuery) -> Result<Vec<StatsRow>, StoreError> {
        let query = query.clone();
        self.connections
            .read(move |tx| stats::usage_stats(tx, &query))
            .await
    }

    async fn file_activity(&self) -> Result<Vec<FileActivity>, StoreError> {
        self.connections.read(|tx| stats::file_activity(tx)).await
    }

    async fn daily_volume(
        &self,
        file: Option<&FileId>,
        from: Date,
        to: Date,
    ) -> Result<Vec<DailyVolume>, StoreError> {
        let file = file.cloned();
        self.connections
            .read(move |tx| stats::daily_volume(tx, file.as_ref(), from, to))
            .await
    }
}
