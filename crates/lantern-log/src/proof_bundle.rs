//! The proof bundle: everything a citizen needs to check, without trusting the server, that
//! one event of their footprint is in the public log as stated.
//!
//! A bundle carries the canonical event bytes, the event's salt, the log entry bytes, the
//! entry's leaf index, an inclusion proof and a signed checkpoint. Checking it
//! ([`ProofBundle::verify`]) means: the checkpoint is signed by the log's key; the event bytes
//! are a canonical event; with the salt they open the entry's commitment; the entry's public
//! metadata says what the event says; and the entry's leaf hash is at the leaf index of the
//! checkpointed tree.
//!
//! Its JSON form (one object, keys in this order):
//!
//! ```text
//! {"v":1,"event":"<canonical event JSON, as a string>","salt":"<64 hex>",
//!  "entry":"<log entry JSON, as a string>","leaf_index":41,
//!  "inclusion_proof":["<base64 hash>",…],"checkpoint":"<signed checkpoint note>"}
//! ```

use crate::canonical_json::{self, FormatError, ObjectWriter};
use crate::checkpoint::{Checkpoint, CheckpointError, CheckpointVerifier};
use crate::commitment::{Commitment, Salt};
use crate::entry::{EntryParts, LogEntry};
use crate::event::CanonicalEvent;
use crate::merkle::{self, Hash, VerifyError};

/// The proof bundle format this library writes and reads.
pub const PROOF_BUNDLE_FORMAT_VERSION: u64 = 1;

/// One event with what proves it is in the log. Plain data: [`ProofBundle::verify`] decides
/// whether it proves anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofBundle {
    /// The canonical event bytes (personal data: for the subject only).
    pub event: String,
    /// The event's salt.
    pub salt: Salt,
    /// The log entry bytes.
    pub entry: String,
    /// The entry's index in the log.
    pub leaf_index: u64,
    /// The inclusion proof of the entry in the checkpointed tree, leaf upwards.
    pub inclusion_proof: Vec<Hash>,
    /// The signed checkpoint the proof leads to.
    pub checkpoint: String,
}

/// What a successfully checked bundle proves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedEvent {
    /// The event.
    pub event: CanonicalEvent,
    /// Its entry in the public log.
    pub entry: LogEntry,
    /// The entry's index.
    pub leaf_index: u64,
    /// The signed tree head that includes it.
    pub checkpoint: Checkpoint,
}

/// Why a proof bundle proves nothing. Every variant means: do not trust the claim.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// The bundle is not a proof bundle object.
    #[error("malformed proof bundle: {0}")]
    Malformed(String),
    /// The checkpoint is not a checkpoint signed by the log's key.
    #[error("the checkpoint does not verify")]
    Checkpoint(#[source] CheckpointError),
    /// The event bytes are not a canonical event.
    #[error("the event is not a canonical event")]
    Event(#[source] FormatError),
    /// The entry bytes are not a log entry.
    #[error("the entry is not a log entry")]
    Entry(#[source] FormatError),
    /// The event and salt do not open the entry's commitment: this entry is not about this
    /// event.
    #[error("the event and salt do not match the entry's commitment")]
    CommitmentMismatch,
    /// The entry's public metadata differs from the event: the public log misreports it.
    #[error("the entry's {field} does not match the event")]
    EntryMismatch {
        /// The entry field that differs.
        field: &'static str,
    },
    /// The inclusion proof does not put the entry in the checkpointed tree.
    #[error("the entry is not proven to be in the log")]
    NotIncluded(#[source] VerifyError),
}

impl ProofBundle {
    /// The bundle's JSON form.
    #[must_use]
    pub fn to_json(&self) -> String {
        let proof: Vec<String> = self.inclusion_proof.iter().map(Hash::to_base64).collect();
        ObjectWriter::new()
            .number("v", PROOF_BUNDLE_FORMAT_VERSION)
            .string("event", &self.event)
            .string("salt", &self.salt.to_hex())
            .string("entry", &self.entry)
            .number("leaf_index", self.leaf_index)
            .strings("inclusion_proof", proof.iter().map(String::as_str))
            .string("checkpoint", &self.checkpoint)
            .finish()
    }

    /// Reads a bundle's JSON form (whitespace and key order are free; unknown keys are not).
    ///
    /// # Errors
    /// [`BundleError::Malformed`] for anything but a version-1 bundle with well-formed salt and
    /// hashes.
    pub fn from_json(bytes: &[u8]) -> Result<Self, BundleError> {
        let wire: WireBundle = canonical_json::parse(bytes, PROOF_BUNDLE_FORMAT_VERSION)
            .map_err(|e| BundleError::Malformed(e.to_string()))?;
        if wire.v != PROOF_BUNDLE_FORMAT_VERSION {
            return Err(BundleError::Malformed(
                FormatError::UnsupportedVersion { found: wire.v }.to_string(),
            ));
        }
        Ok(Self {
            event: wire.event,
            salt: Salt::from_hex(&wire.salt)
                .map_err(|rule| BundleError::Malformed(format!("salt: {rule}")))?,
            entry: wire.entry,
            leaf_index: wire.leaf_index,
            inclusion_proof: wire
                .inclusion_proof
                .iter()
                .map(|h| Hash::from_base64(h))
                .collect::<Result<_, _>>()
                .map_err(|e| BundleError::Malformed(format!("inclusion_proof: {e}")))?,
            checkpoint: wire.checkpoint,
        })
    }

    /// Checks the bundle against the log's verifier key, step by step as
    /// `docs/log-format.md` describes.
    ///
    /// # Errors
    /// The first check that fails, as a [`BundleError`].
    pub fn verify(&self, log: &CheckpointVerifier) -> Result<VerifiedEvent, BundleError> {
        // 1. The checkpoint is the log's.
        let checkpoint = log
            .verify(self.checkpoint.as_bytes())
            .map_err(BundleError::Checkpoint)?;
        // 2. The event is a canonical event, and 3. the entry a log entry.
        let event = CanonicalEvent::decode(self.event.as_bytes()).map_err(BundleError::Event)?;
        let entry = LogEntry::decode(self.entry.as_bytes()).map_err(BundleError::Entry)?;
        // 4. The event and salt open the entry's commitment.
        if Commitment::compute(&self.salt, self.event.as_bytes()) != entry.parts().commitment {
            return Err(BundleError::CommitmentMismatch);
        }
        // 5. The public metadata is the event's.
        if let Some(field) = first_mismatch(entry.parts(), &event) {
            return Err(BundleError::EntryMismatch { field });
        }
        // 6. The entry is in the checkpointed tree.
        merkle::verify_inclusion(
            &merkle::leaf_hash(self.entry.as_bytes()),
            self.leaf_index,
            checkpoint.size(),
            &self.inclusion_proof,
            checkpoint.root(),
        )
        .map_err(BundleError::NotIncluded)?;
        Ok(VerifiedEvent {
            event,
            entry,
            leaf_index: self.leaf_index,
            checkpoint,
        })
    }
}

/// The first entry field that does not say what the event says. Whether the use was out of
/// purpose depends on the file's registered purposes, not on the event, so it is not compared.
fn first_mismatch(entry: &EntryParts, event: &CanonicalEvent) -> Option<&'static str> {
    let e = event.parts();
    let withheld = e.confidential.as_ref().map(|c| &c.ground);
    [
        ("day", entry.day == event.day()),
        ("agency", entry.agency == e.agency),
        ("file", entry.file == e.file),
        ("action", entry.action == e.action),
        ("purpose", entry.purpose == e.purpose),
        ("legal_basis", entry.legal_basis == e.legal_basis),
        ("records", entry.records == e.records),
        ("ground", entry.withheld.as_ref() == withheld),
    ]
    .into_iter()
    .find(|(_, same)| !same)
    .map(|(field, _)| field)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct WireBundle {
    v: u64,
    event: String,
    salt: String,
    entry: String,
    leaf_index: u64,
    inclusion_proof: Vec<String>,
    checkpoint: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn from_json_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = ProofBundle::from_json(&bytes);
        }

        #[test]
        fn json_round_trips(
            event in "\\PC{0,80}",
            entry in "\\PC{0,80}",
            checkpoint in "\\PC{0,80}",
            salt in any::<[u8; 32]>(),
            leaf_index in any::<u64>(),
            proof in proptest::collection::vec(any::<[u8; 32]>(), 0..5),
        ) {
            let bundle = ProofBundle {
                event,
                salt: Salt::from_bytes(salt),
                entry,
                leaf_index,
                inclusion_proof: proof.into_iter().map(Hash::from_bytes).collect(),
                checkpoint,
            };
            prop_assert_eq!(ProofBundle::from_json(bundle.to_json().as_bytes()), Ok(bundle));
        }
    }
}
