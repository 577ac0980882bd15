//! The usage log: reported usage events, the Merkle tree of their log entries, each subject's
//! secret, the signed checkpoint, and the statistics kept up to date as events arrive.

use async_trait::async_trait;
use lantern_domain::{AgencyCode, FileId, LegalBasisCode, PurposeCode, RestrictionGroundCode};
use lantern_log::{Action, CanonicalEvent, Hash, LogEntry, PurposeScope, Salt, SubjectPseudonym};
use time::{Date, OffsetDateTime};

use crate::StoreError;
use crate::footprint::FootprintEntries;

/// A usage event ready for the log: checked against the register by the caller, its subject
/// already pseudonymised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUsageEvent {
    /// The checked, normalised event.
    pub event: CanonicalEvent,
    /// Whether its purpose is among the file's registered purposes.
    pub scope: PurposeScope,
}

/// What became of one event of an appended batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// Newly logged at this leaf index.
    New {
        /// The event's leaf index in the log.
        index: u64,
    },
    /// An event with this id was logged before (or earlier in the same batch), at this index;
    /// nothing was written for it.
    Duplicate {
        /// The leaf index of the event logged first.
        index: u64,
    },
}

impl Appended {
    /// The leaf index, new or earlier.
    #[must_use]
    pub fn index(self) -> u64 {
        match self {
            Self::New { index } | Self::Duplicate { index } => index,
        }
    }
}

/// The size and root of the stored tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeHead {
    /// Number of leaves.
    pub size: u64,
    /// RFC 6962 root hash (the empty-tree hash for size 0).
    pub root: Hash,
}

/// The result of [`UsageLogStore::append_events`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendReceipt {
    /// One outcome per event, in the order given.
    pub outcomes: Vec<Appended>,
    /// The tree after the append (unchanged when every event was a duplicate).
    pub tree: TreeHead,
}

/// One stored event, as its subject may see it, with what it takes to prove it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// The leaf index of its entry.
    pub index: u64,
    /// The event (the canonical bytes are `event.encode()`).
    pub event: CanonicalEvent,
    /// The salt of its commitment, derived from the subject's secret.
    pub salt: Salt,
    /// Its log entry.
    pub entry: LogEntry,
}

/// Events withheld from their subject (密件) on one ground until one date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithheldCount {
    /// The disclosure-restriction ground.
    pub ground: RestrictionGroundCode,
    /// The review date on which they become visible.
    pub until: Date,
    /// How many.
    pub events: u64,
}

/// One subject's events, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FootprintQuery<'a> {
    /// Whose events.
    pub subject: &'a SubjectPseudonym,
    /// Today's date: events confidential until after it are withheld.
    pub today: Date,
    /// At most this many events (capped at [`crate::MAX_PAGE`]).
    pub limit: u32,
    /// Skip this many visible events.
    pub offset: u32,
}

/// What a subject may see of their usage events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Footprint {
    /// Visible events, ordered by `occurred_at` then index, newest first.
    pub events: Vec<StoredEvent>,
    /// How many visible events there are in all.
    pub total: u64,
    /// Withheld events, counted by ground and date, ordered by date then ground.
    pub withheld: Vec<WithheldCount>,
}

/// What [`UsageLogStore::shred_subject`] removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shredded {
    /// Whether the subject had a secret (had ever been logged and not shredded before).
    pub secret_deleted: bool,
    /// How many stored events were deleted.
    pub events_deleted: u64,
    /// How many consent records (with their sealed number) were deleted.
    pub consents_deleted: u64,
}

/// A dimension usage statistics can be grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StatsDimension {
    /// The calendar month (UTC) of `occurred_at`.
    Month,
    /// The reporting agency.
    Agency,
    /// The personal-data file.
    File,
    /// The action.
    Action,
    /// The specific purpose.
    Purpose,
    /// The legal basis.
    LegalBasis,
    /// Within or outside the file's purposes.
    Scope,
}

/// A query of the usage statistics: filters (each set one must match) and the dimensions to
/// group by (the others are summed over).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatsQuery {
    /// From this month on (any day of it; the month counts whole).
    pub from: Option<Date>,
    /// Up to and including this month.
    pub to: Option<Date>,
    /// Reported by this agency.
    pub agency: Option<AgencyCode>,
    /// From this file.
    pub file: Option<FileId>,
    /// This action.
    pub action: Option<Action>,
    /// This purpose.
    pub purpose: Option<PurposeCode>,
    /// This legal basis.
    pub legal_basis: Option<LegalBasisCode>,
    /// Within or outside purpose.
    pub scope: Option<PurposeScope>,
    /// Group by these, in this order; empty sums everything into one row.
    pub group_by: Vec<StatsDimension>,
}

/// One row of usage statistics. The dimensions grouped by are `Some`, the others `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsRow {
    /// The first day of the month.
    pub month: Option<Date>,
    /// The agency.
    pub agency: Option<AgencyCode>,
    /// The file.
    pub file: Option<FileId>,
    /// The action.
    pub action: Option<Action>,
    /// The purpose.
    pub purpose: Option<PurposeCode>,
    /// The legal basis.
    pub legal_basis: Option<LegalBasisCode>,
    /// Within or outside purpose.
    pub scope: Option<PurposeScope>,
    /// Number of events.
    pub events: u64,
    /// Sum of their record counts.
    pub records: u64,
}

/// When a file last reported, and how much it has reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileActivity {
    /// The file.
    pub file: FileId,
    /// Its agency.
    pub agency: AgencyCode,
    /// The earliest `occurred_at` of its events.
    pub first_event: OffsetDateTime,
    /// The latest `occurred_at` of its events.
    pub last_event: OffsetDateTime,
    /// When events for it were last received.
    pub last_reported: OffsetDateTime,
    /// Number of its events.
    pub events: u64,
}

/// A file's events on one day (UTC, by `occurred_at`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyVolume {
    /// The file.
    pub file: FileId,
    /// The day.
    pub day: Date,
    /// Number of events.
    pub events: u64,
    /// Sum of their record counts.
    pub records: u64,
}

/// The usage log.
///
/// The tree is append-only: leaf `i` is the entry of the `i`-th event ever appended, and its
/// stored hashes (RFC 6962, in the stored-hash order of `lantern_log::merkle`) never change.
/// Shredding deletes events and secrets but never entries or hashes.
#[async_trait]
pub trait UsageLogStore {
    /// Appends a batch: each event whose id is new gets the next leaf index, its subject a
    /// secret if they have none, and its entry, leaf and stored hashes, statistics and file
    /// activity are written in the same transaction. Events whose id is already stored, or
    /// repeats an earlier event of the batch, are reported as duplicates and written nowhere.
    /// All or nothing; durable on return. `received_at` is recorded as the files' last report.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails (nothing was written);
    /// [`StoreError::Corrupt`] when the stored tree cannot be read back.
    async fn append_events(
        &self,
        events: Vec<NewUsageEvent>,
        received_at: OffsetDateTime,
    ) -> Result<AppendReceipt, StoreError>;

    /// The stored tree's size and root, as of the last committed append.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn tree_head(&self) -> Result<TreeHead, StoreError>;

    /// The stored hashes at `indexes` (stored-hash order), one per index, in the order asked.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when an index is beyond the stored tree;
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn stored_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StoreError>;

    /// The encoded entries of leaves `start .. start + count`, in order. Fewer when the tree
    /// ends sooner.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn log_entries(&self, start: u64, count: u64) -> Result<Vec<Vec<u8>>, StoreError>;

    /// The latest signed checkpoint (a C2SP signed note) and its tree size, if one was saved.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn latest_checkpoint(&self) -> Result<Option<(u64, String)>, StoreError>;

    /// Saves a signed checkpoint of tree size `size` unless one of the same or a larger size is
    /// saved already; returns whether it was saved. Durable on return.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn save_checkpoint(&self, size: u64, note: &str) -> Result<bool, StoreError>;

    /// A subject's events as they may see them today: visible events newest first, paged, and
    /// withheld ones counted by ground and date.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails; [`StoreError::Corrupt`] when a stored
    /// event cannot be decoded.
    async fn footprint(&self, query: FootprintQuery<'_>) -> Result<Footprint, StoreError>;

    /// Every event a subject may see today, as its log entry, newest first (by `occurred_at`,
    /// then index), and the withheld ones counted as [`UsageLogStore::footprint`] counts them.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails; [`StoreError::Corrupt`] when a stored
    /// entry cannot be decoded.
    async fn footprint_entries(
        &self,
        subject: &SubjectPseudonym,
        today: Date,
    ) -> Result<FootprintEntries, StoreError>;

    /// The subject's events at `indexes` that they may see today, in the order asked; an index
    /// that is not theirs, is withheld from them, or does not exist is left out.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails; [`StoreError::Corrupt`] when a stored
    /// event cannot be decoded.
    async fn subject_events(
        &self,
        subject: &SubjectPseudonym,
        today: Date,
        indexes: &[u64],
    ) -> Result<Vec<StoredEvent>, StoreError>;

    /// Deletes a subject's secret, every stored event and every consent record of theirs
    /// (crypto-shredding). Their
    /// entries stay in the log, unlinkable to them once the secret is gone. Durable on return;
    /// deleted content is overwritten, not only unlinked.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails (nothing was deleted).
    async fn shred_subject(&self, subject: &SubjectPseudonym) -> Result<Shredded, StoreError>;

    /// Usage statistics: counts of events and records per combination of the grouped
    /// dimensions, with the filters applied, ordered by the grouped values.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn usage_stats(&self, query: &StatsQuery) -> Result<Vec<StatsRow>, StoreError>;

    /// Every file that has reported at least one event, ordered by file id.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn file_activity(&self) -> Result<Vec<FileActivity>, StoreError>;

    /// Files' events per day from `from` to `to` inclusive, days without events left out,
    /// ordered by file then day; one file only when `file` is set.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn daily_volume(
        &self,
        file: Option<&FileId>,
        from: Date,
        to: Date,
    ) -> Result<Vec<DailyVolume>, StoreError>;
}
