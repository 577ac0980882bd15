//! Reporting usage events (使用紀錄): an agency's batch of events is read, checked against the
//! register, its subjects pseudonymised, and appended to the verifiable log, all or nothing.
//!
//! **In scope:** the wire form of an event ([`EventSubmission`]); reading a request body as a
//! batch, a JSON array or NDJSON ([`batch`]); every rule an event must satisfy, checked against
//! the reporting agency's registered files, and the building of its [`lantern_log::CanonicalEvent`]
//! ([`check_batch`]); the subject pseudonym ([`PseudonymKey`]); the ingestion path that
//! loads the agency and files from the store, checks, and appends ([`Ingestor`]); and the other
//! keyed forms of a subject's number: sealed for later resolution ([`SealKey`]) and pairwise
//! vendor codes ([`VendorCodeKey`]).
//!
//! **Out of scope:** HTTP (authentication, status codes and problem documents are the server's:
//! it maps [`batch::BatchError`] and [`IngestError`]), SQL and the sequencer's transaction
//! (behind [`lantern_store::UsageLogStore`]), the log format itself (`lantern-log`), the wall
//! clock (the time of receipt is a parameter) and key management (the pseudonym key comes in
//! as bytes).
//!
//! The life of a usage event, as far as this crate goes:
//!
//! 1. The server authenticates the agency's token and reads the body with
//!    [`batch::parse_json_array`] or [`batch::parse_ndjson`]: at most [`batch::MAX_BATCH`]
//!    events, each read on its own so every unreadable one is reported.
//! 2. [`Ingestor::ingest`] loads the agency and each file the batch names from the store.
//! 3. [`check_batch`] checks every event; a file of another agency counts as missing. Each
//!    subject's number becomes its pseudonym, and the number is dropped.
//! 4. Any broken rule rejects the batch with every [`EventError`]; otherwise the events go to
//!    [`lantern_store::UsageLogStore::append_events`] in one transaction, and the
//!    [`IngestReport`] says which were new and which were duplicates of earlier ids.
//!
//! **Invariant:** no subject number leaves this crate: not in an error, not in `Debug` output,
//! not in a stored value. Only its pseudonym does.

pub mod batch;
mod check;
mod consent;
mod error;
mod ingest;
mod pseudonym;
mod seal;
mod submission;
#[cfg(test)]
mod test_support;
mod vendor_code;

pub use check::{FUTURE_TOLERANCE, check_batch};
pub use consent::{
    ConsentError, Consents, MAX_CODES_PER_RESOLUTION, MAX_REASON_CHARS, ResolveRequest, Resolved,
};
pub use error::EventError;
pub use ingest::{IngestError, IngestReport, Ingestor};
pub use pseudonym::{PseudonymKey, SUBJECT_PSEUDONYM_TAG};
pub use seal::{SEAL_NONCE_BYTES, SealKey, UnsealError};
pub use submission::{ConfidentialSubmission, EventSubmission};
pub use vendor_code::{MAX_VENDOR_CHARS, PairKey, VendorCode, VendorCodeKey};
