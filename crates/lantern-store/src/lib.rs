//! Lantern's storage interface.
//!
//! **In scope:** the traits a storage backend implements ([`RegisterStore`], [`AccessStore`],
//! [`ReferenceStore`], [`SettingsStore`], [`UsageLogStore`], [`ServiceStore`],
//! [`ProviderRequestStore`], [`DataRequestStore`], together [`Store`]), the records
//! they exchange, and each method's contract: when a write is durable, what a reader sees, who
//! retries; and the decisions every backend shares ([`derived`], [`sequencing`], [`hashes`]).
//!
//! **Out of scope:** SQL and drivers (`lantern-store-sqlite`, `lantern-store-postgres`), HTTP,
//! authorisation decisions (the server decides who may call what; a store trusts its caller).
//!
//! Contracts shared by every method unless it says otherwise:
//! - A method that returns `Ok` after a write has committed it durably (SQLite: WAL with
//!   `synchronous=FULL`; PostgreSQL: committed transaction). A method that returns `Err` has
//!   written nothing: each write is one transaction.
//! - Readers see only committed data. Nothing retries internally; on
//!   [`StoreError::Unavailable`] the caller may retry the whole call.
//! - Times are stored with at least millisecond precision and returned in UTC.

mod access;
mod data_requests;
pub mod derived;
mod error;
pub mod footprint;
pub mod hashes;
mod provider_requests;
mod register;
pub mod sequencing;
mod services;
mod settings;
mod usage;

pub use access::{AccessStore, ApiToken, CitizenSession, NewApiToken, Role, Session, User};
pub use data_requests::{DataRequestStore, RequestFilter, RequestParty};
pub use error::StoreError;
pub use provider_requests::{ProviderRequestQuery, ProviderRequestStore};
pub use register::{
    Change, FileQuery, MAX_PAGE, Page, ReferenceStore, RegisterStore, VersionInfo, Versioned,
};
pub use services::{ConsentRecord, ServiceStore, Withdrawal};
pub use settings::SettingsStore;
pub use usage::{
    AppendReceipt, Appended, DailyVolume, FileActivity, Footprint, FootprintQuery, NewUsageEvent,
    Shredded, StatsDimension, StatsQuery, StatsRow, StoredEvent, TreeHead, UsageLogStore,
    WithheldCount,
};

/// Everything a backend provides. The server holds an `Arc<dyn Store>`.
pub trait Store:
    RegisterStore
    + AccessStore
    + ReferenceStore
    + SettingsStore
    + UsageLogStore
    + ServiceStore
    + ProviderRequestStore
    + DataRequestStore
    + Send
    + Sync
{
}

impl<T> Store for T where
    T: RegisterStore
        + AccessStore
        + ReferenceStore
        + SettingsStore
        + UsageLogStore
        + ServiceStore
        + ProviderRequestStore
        + DataRequestStore
        + Send
        + Sync
{
}
