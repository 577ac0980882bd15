//! The core of Lantern's verifiable usage log (使用紀錄): every reported use of a person's data
//! becomes an entry of a public, append-only Merkle log that citizens and auditors verify. The
//! format is specified, for outsiders, in `docs/log-format.md`.
//!
//! **In scope:** the log entry format v1 ([`entry`]: public metadata and a commitment, no
//! personal data); the canonical encoding of a usage event ([`event`]) and the commitment and
//! salt that bind an entry to it ([`commitment`]); RFC 6962 hashing, roots, inclusion and
//! consistency proofs and their verification ([`merkle`]); the C2SP tlog-tiles layout: tile
//! coordinates, paths, hash tiles, entry bundles, which tiles a new tree size changes
//! ([`tiles`]); C2SP checkpoints signed as C2SP signed notes with Ed25519 ([`checkpoint`]); and
//! the proof bundle a citizen checks ([`proof_bundle`]). Built on `tlog_tiles` and
//! `signed_note`.
//!
//! **Out of scope:** I/O of any kind. No async runtime, no SQL, no HTTP, no file system, no
//! wall clock and no operating-system randomness: stored hashes come in through the narrow
//! [`merkle::HashReader`] trait, times as values, key material as bytes the caller drew. The
//! storage of events and hashes, the sequencer's transactions, the HTTP endpoints under
//! `/log/`, ingestion and the `lantern verify` command live in other crates.
//!
//! The life of a usage event, as far as this crate goes:
//!
//! 1. The server validates a reported event and builds a [`CanonicalEvent`] (subject already
//!    pseudonymised); its [`CanonicalEvent::encode`] bytes are stored, for the subject only.
//! 2. The salt is derived from the subject's secret and the event id ([`Salt::derive`]); the
//!    [`LogEntry::for_event`] carries the event's public metadata and
//!    `SHA-256(tag ‖ salt ‖ event bytes)`.
//! 3. The sequencer appends the entry's [`LogEntry::leaf_hash`] to a [`Frontier`] loaded from
//!    the stored hashes and stores the hashes each append reports, with the entry, in the same
//!    transaction.
//! 4. Tiles that [`tiles::changed_tiles`] lists are rebuilt from stored hashes
//!    ([`tiles::hash_tile_data`]) and entries ([`tiles::encode_entry_bundle`]); a
//!    [`Checkpoint`] of the new size and root is signed ([`CheckpointSigner::sign`]).
//! 5. The subject receives a [`ProofBundle`] (event bytes, salt, entry, leaf index,
//!    [`merkle::inclusion_proof`], signed checkpoint) and checks it with
//!    [`ProofBundle::verify`], in their browser or with `lantern verify`.
//! 6. Deleting the subject's secret and stored events (crypto-shredding) leaves the tree
//!    intact and the entries' commitments unlinkable to them.

mod canonical_json;
pub mod checkpoint;
pub mod commitment;
pub mod entry;
pub mod event;
pub mod merkle;
pub mod proof_bundle;
pub mod tiles;

pub use canonical_json::FormatError;
pub use checkpoint::{Checkpoint, CheckpointError, CheckpointSigner, CheckpointVerifier};
pub use commitment::{Commitment, Salt, SubjectSecret};
pub use entry::{Action, EntryParts, LogEntry, PurposeScope};
pub use event::{CanonicalEvent, Confidential, EventId, EventParts, SubjectPseudonym};
pub use merkle::{Frontier, Hash, HashReader, ProofError, VerifyError};
pub use proof_bundle::{BundleError, ProofBundle, VerifiedEvent};
pub use tiles::{Tile, TileError, TileKind};
