//! The usage log.
//!
//! Appends and shreds take turns on a lock on the one `log_head` row, so any number of
//! processes may share the database; the tree's right edge is cached between appends
//! ([`FrontierCache`]). Statistics are rollup tables kept up to date by each append.

mod append;
mod frontier;
mod stats;
mod subject;
mod tree;

use async_trait::async_trait;
use lantern_domain::FileId;
use lantern_log::{Hash, SubjectPseudonym};
use lantern_store::footprint::FootprintEntries;
use lantern_store::{
    AppendReceipt, DailyVolume, FileActivity, Footprint, FootprintQuery, NewUsageEvent, Shredded,
    StatsQuery, StatsRow, StoreError, StoredEvent, TreeHead, UsageLogStore,
};
use time::{Date, OffsetDateTime};

use crate::PostgresStore;
pub(crate) use frontier::FrontierCache;

#[async_trait]
impl UsageLogStore for PostgresStore {
    async fn append_events(
        &self,
        events: Vec<NewUsageEvent>,
        received_at: OffsetDateTime,
    ) -> Result<AppendReceipt, StoreError> {
        append::append(self, &events, received_at).await
    }

    async fn tree_head(&self) -> Result<TreeHead, StoreError> {
        tree::tree_head(&self.client().await?).await
    }

    async fn stored_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StoreError> {
        tree::stored_hashes(&self.client().await?, indexes).await
    }

    async fn log_entries(&self, start: u64, count: u64) -> Result<Vec<Vec<u8>>, StoreError> {
        tree::log_entries(&self.client().await?, start, count).await
    }

    async fn latest_checkpoint(&self) -> Result<Option<(u64, String)>, StoreError> {
        tree::latest_checkpoint(&self.client().await?).await
    }

    async fn save_checkpoint(&self, size: u64, note: &str) -> Result<bool, StoreError> {
        tree::save_checkpoint(&self.client().await?, size, note).await
    }

    async fn footprint(&self, query: FootprintQuery<'_>) -> Result<Footprint, StoreError> {
        subject::footprint(&mut self.client().await?, query).await
    }

    async fn footprint_entries(
        &self,
        subject: &SubjectPseudonym,
        today: Date,
    ) -> Result<FootprintEntries, StoreError> {
        subject::footprint_entries(&mut self.client().await?, subject, today).await
    }

    async fn subject_events(
        &self,
        subject: &SubjectPseudonym,
        today: Date,
        indexes: &[u64],
    ) -> Result<Vec<StoredEvent>, StoreError> {
        subject::subject_events(&mut self.client().await?, subject, today, indexes).await
    }

    async fn shred_subject(&self, subject: &SubjectPseudonym) -> Result<Shredded, StoreError> {
        subject::shred(&mut self.client().await?, subject).await
    }

    async fn usage_stats(&self, query: &StatsQuery) -> Result<Vec<StatsRow>, StoreError> {
        stats::usage_stats(&self.client().await?, query).await
    }

    async fn file_activity(&self) -> Result<Vec<FileActivity>, StoreError> {
        stats::file_activity(&self.client().await?).await
    }

    async fn daily_volume(
        &self,
        file: Option<&FileId>,
        from: Date,
        to: Date,
    ) -> Result<Vec<DailyVolume>, StoreError> {
        stats::daily_volume(&self.client().await?, file, from, to).await
    }
}
