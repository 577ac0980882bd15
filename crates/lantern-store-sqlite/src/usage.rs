//! The usage log: the Merkle tree of log entries ([`tree`]), the append that sequences events
//! into it ([`append`]), what a subject sees and shredding ([`footprint`]), and the statistics
//! ([`stats`]).
//!
//! Appends are the hot path. Each is one write transaction that reads the batch's stored ids
//! and secrets, plans the append with [`lantern_store::sequencing::plan_append`] on a copy of
//! the cached [`lantern_log::Frontier`], and writes the plan: rows keyed by leaf or stored-hash
//! index go to the right edge of their tables; only the event id and subject indexes take
//! random inserts.

mod append;
mod footprint;
mod stats;
mod tree;

use async_trait::async_trait;
use lantern_domain::FileId;
use lantern_log::{Hash, SubjectPseudonym};
use lantern_store::{
    AppendReceipt, DailyVolume, FileActivity, Footprint, FootprintQuery, NewUsageEvent, Shredded,
    StatsQuery, StatsRow, StoreError, TreeHead, UsageLogStore,
};
use std::sync::Arc;
use time::{Date, OffsetDateTime};

use crate::SqliteStore;
pub(crate) use tree::FrontierCache;

#[async_trait]
impl UsageLogStore for SqliteStore {
    async fn append_events(
        &self,
        events: Vec<NewUsageEvent>,
        received_at: OffsetDateTime,
    ) -> Result<AppendReceipt, StoreError> {
        let cache = Arc::clone(&self.frontier);
        let (receipt, frontier) = self
            .connections
            .write(move |tx| append::append(tx, &cache, &events, received_at))
            .await?;
        self.frontier.advance(frontier);
        Ok(receipt)
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
        self.connections
            .read(move |tx| footprint::footprint(tx, &subject, today, limit, offset))
            .await
    }

    async fn shred_subject(&self, subject: &SubjectPseudonym) -> Result<Shredded, StoreError> {
        let subject = *subject;
        let shredded = self
            .connections
            .write(move |tx| footprint::shred(tx, &subject))
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
