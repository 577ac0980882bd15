//! The registers: agencies and personal-data files, each change kept as a numbered version.

use async_trait::async_trait;
use lantern_domain::reference::{CategoryEntry, PurposeEntry};
use lantern_domain::{Agency, AgencyCode, DataCategoryCode, FileId, PersonalDataFile, PurposeCode};
use time::OffsetDateTime;

use crate::StoreError;

/// Who made a change and when; recorded with every version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The actor as shown in histories: `user:NAME`, `token:ID (AGENCY)` or `system:WHAT`.
    pub actor: String,
    /// When the change was made.
    pub at: OffsetDateTime,
}

/// Metadata of one version of a register entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionInfo {
    /// 1 for the first version, then +1 per change.
    pub version: u32,
    /// Who made it.
    pub changed_by: String,
    /// When.
    pub changed_at: OffsetDateTime,
    /// The top-level fields that differ from the previous version (empty for version 1).
    pub changed_fields: Vec<String>,
}

/// A register entry as of one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned<T> {
    /// The entry.
    pub value: T,
    /// Which version it is.
    pub info: VersionInfo,
}

/// A search of the file register. Every filter that is set must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileQuery {
    /// Words that must appear in the file's names or description (case-insensitive). Each
    /// whitespace-separated word must occur as a substring, so Chinese needs no word breaks.
    pub text: Option<String>,
    /// Held by this agency.
    pub agency: Option<AgencyCode>,
    /// Registered for this purpose code.
    pub purpose: Option<PurposeCode>,
    /// Registered with this category code.
    pub category: Option<DataCategoryCode>,
    /// Holds (true) or does not hold (false) Art. 6 sensitive data.
    pub sensitive: Option<bool>,
    /// Is (true) or is not (false) a large database.
    pub large_database: Option<bool>,
    /// At most this many items (the store caps it at 500).
    pub limit: u32,
    /// Skip this many items.
    pub offset: u32,
}

/// Largest page a store returns, whatever `limit` asks.
pub const MAX_PAGE: u32 = 500;

/// One page of results and the total number of matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items, ordered by agency code then file id.
    pub items: Vec<T>,
    /// How many items match in all.
    pub total: u64,
}

/// The registers of agencies and personal-data files.
#[async_trait]
pub trait RegisterStore {
    /// Creates an agency or records a new version of it. Writing a value equal to the current
    /// one records nothing and returns the current version. Durable on return.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the supervisor does not exist.
    async fn put_agency(
        &self,
        agency: &Agency,
        change: &Change,
    ) -> Result<Versioned<Agency>, StoreError>;

    /// The current version of an agency.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn agency(&self, code: &AgencyCode) -> Result<Option<Versioned<Agency>>, StoreError>;

    /// An agency as of `version`; `None` when the agency or that version does not exist.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn agency_version(
        &self,
        code: &AgencyCode,
        version: u32,
    ) -> Result<Option<Versioned<Agency>>, StoreError>;

    /// Every version of an agency, oldest first; empty when the agency does not exist.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn agency_history(&self, code: &AgencyCode) -> Result<Vec<VersionInfo>, StoreError>;

    /// Every agency's current version, ordered by code.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn agencies(&self) -> Result<Vec<Agency>, StoreError>;

    /// Registers a new file as version 1. Durable on return.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the id is taken; [`StoreError::NotFound`] when the agency
    /// does not exist.
    async fn create_file(
        &self,
        file: &PersonalDataFile,
        change: &Change,
    ) -> Result<Versioned<PersonalDataFile>, StoreError>;

    /// Records a new version of an existing file. With `expected_version`, the write only
    /// happens if that is still the current version (optimistic concurrency). Writing a value
    /// equal to the current one records nothing and returns the current version, whatever
    /// `expected_version` says: nothing is overwritten, and a retried call whose first attempt
    /// committed succeeds.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the file does not exist; [`StoreError::Conflict`] when
    /// `expected_version` is stale or the file would move to another agency.
    async fn update_file(
        &self,
        file: &PersonalDataFile,
        expected_version: Option<u32>,
        change: &Change,
    ) -> Result<Versioned<PersonalDataFile>, StoreError>;

    /// A file as of `version`, or its current version.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn file(
        &self,
        id: &FileId,
        version: Option<u32>,
    ) -> Result<Option<Versioned<PersonalDataFile>>, StoreError>;

    /// Every version of a file, oldest first; empty when the file does not exist.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn file_history(&self, id: &FileId) -> Result<Vec<VersionInfo>, StoreError>;

    /// Current versions of the files matching `query`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn search_files(
        &self,
        query: &FileQuery,
    ) -> Result<Page<Versioned<PersonalDataFile>>, StoreError>;
}

/// Reference lists loaded by an administrator (the complete official purposes and categories),
/// laid over the lists shipped in the binary.
#[async_trait]
pub trait ReferenceStore {
    /// Replaces every imported purpose with `entries`, in one transaction.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when `entries` lists a code twice (the stored list is kept);
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn replace_imported_purposes(&self, entries: &[PurposeEntry]) -> Result<(), StoreError>;

    /// Replaces every imported category with `entries`, in one transaction.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when `entries` lists a code twice (the stored list is kept);
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn replace_imported_categories(
        &self,
        entries: &[CategoryEntry],
    ) -> Result<(), StoreError>;

    /// The imported purposes, by code.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn imported_purposes(&self) -> Result<Vec<PurposeEntry>, StoreError>;

    /// The imported categories, by code.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend fails.
    async fn imported_categories(&self) -> Result<Vec<CategoryEntry>, StoreError>;
}
