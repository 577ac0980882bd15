//! The ingestion path: a checked batch of events from one agency appended to the log. The
//! server's `POST /api/v1/events` and the demo seeder both go through [`Ingestor::ingest`].

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use lantern_domain::{AgencyCode, FileId};
use lantern_log::EventId;
use lantern_store::{AppendReceipt, Appended, Store, StoreError, TreeHead};
use time::OffsetDateTime;

use crate::check::check_batch;
use crate::error::EventError;
use crate::pseudonym::PseudonymKey;
use crate::submission::EventSubmission;

/// Why a batch was not logged. Nothing of it was written.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// Events break rules: every broken rule, in the order of the events. Fix them and resend
    /// the whole batch.
    #[error("{} broken rule(s) in the batch; nothing was logged", .0.len())]
    Invalid(Vec<EventError>),
    /// The reporting agency is not in the register (a token of a removed agency): refuse the
    /// caller.
    #[error("the reporting agency is not registered")]
    UnknownAgency,
    /// The store failed; on [`StoreError::Unavailable`] the whole call may be retried (event ids
    /// make a retry harmless).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What became of a logged batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestReport {
    /// Events newly logged.
    pub accepted: u64,
    /// Events whose id was logged before (or earlier in the batch): not logged again.
    pub duplicates: u64,
    /// Each event's id and outcome, in the order of the batch.
    pub outcomes: Vec<(EventId, Appended)>,
    /// The tree after the append.
    pub tree: TreeHead,
}

/// Checks batches of reported events against the register and appends them to the log.
pub struct Ingestor {
    store: Arc<dyn Store>,
    subject_key: PseudonymKey,
}

impl Ingestor {
    /// An ingestor writing to `store`, pseudonymising subjects with `subject_key`.
    #[must_use]
    pub fn new(store: Arc<dyn Store>, subject_key: PseudonymKey) -> Self {
        Self { store, subject_key }
    }

    /// Checks a batch reported by `agency`, received at `now`, and appends it to the log, all
    /// or nothing. `agency` is the authenticated caller's: every event is logged as its.
    ///
    /// # Errors
    /// [`IngestError::UnknownAgency`] when `agency` is not registered;
    /// [`IngestError::Invalid`] with every broken rule when any event breaks one;
    /// [`IngestError::Store`] when the store fails (nothing was written).
    pub async fn ingest(
        &self,
        agency: &AgencyCode,
        submissions: Vec<EventSubmission>,
        now: OffsetDateTime,
    ) -> Result<IngestReport, IngestError> {
        let agency = self
            .store
            .agency(agency)
            .await?
            .ok_or(IngestError::UnknownAgency)?
            .value;
        let mut files = HashMap::new();
        for id in named_files(&submissions) {
            if let Some(file) = self.store.file(&id, None).await? {
                files.insert(id, file.value);
            }
        }
        let events = check_batch(&agency, &files, &submissions, &self.subject_key, now)
            .map_err(IngestError::Invalid)?;
        // The submissions hold subject numbers in clear: gone before the store is awaited.
        drop(submissions);
        if events.is_empty() {
            let tree = self.store.tree_head().await?;
            return report(
                Vec::new(),
                AppendReceipt {
                    outcomes: Vec::new(),
                    tree,
                },
            );
        }
        let ids = events.iter().map(|e| e.event.parts().id.clone()).collect();
        let receipt = self.store.append_events(events, now).await?;
        report(ids, receipt)
    }
}

/// The distinct well-formed file ids a batch names (a malformed one is reported by the checks).
fn named_files(submissions: &[EventSubmission]) -> Vec<FileId> {
    let names: BTreeSet<&str> = submissions.iter().map(|s| s.file.as_str()).collect();
    names
        .into_iter()
        .filter_map(|name| FileId::parse(name).ok())
        .collect()
}

/// The report of an append of the events with `ids`.
fn report(ids: Vec<EventId>, receipt: AppendReceipt) -> Result<IngestReport, IngestError> {
    if ids.len() != receipt.outcomes.len() {
        return Err(IngestError::Store(StoreError::Corrupt(format!(
            "the store reported {} outcomes for {} events",
            receipt.outcomes.len(),
            ids.len()
        ))));
    }
    let accepted = receipt
        .outcomes
        .iter()
        .filter(|outcome| matches!(outcome, Appended::New { .. }))
        .count();
    let accepted = u64::try_from(accepted).unwrap_or(u64::MAX);
    let duplicates = u64::try_from(ids.len()).unwrap_or(u64::MAX) - accepted;
    Ok(IngestReport {
        accepted,
        duplicates,
        outcomes: ids.into_iter().zip(receipt.outcomes).collect(),
        tree: receipt.tree,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lantern_log::Hash;

    fn event_id(n: u8) -> EventId {
        EventId::parse(&format!("0190f8a2-6c1e-7b3d-9a4f-2c5e8d1b7a{n:02x}")).unwrap()
    }

    #[test]
    fn names_each_well_formed_file_once() {
        let event = |file: &str| EventSubmission {
            file: file.to_owned(),
            ..EventSubmission::default()
        };
        let batch = [
            event("nhi-claims"),
            event("Not A File"),
            event("household-registry"),
            event("nhi-claims"),
            event(""),
        ];
        assert_eq!(
            named_files(&batch),
            [
                FileId::parse("household-registry").unwrap(),
                FileId::parse("nhi-claims").unwrap()
            ]
        );
    }

    #[test]
    fn reports_new_and_duplicate_events_in_order() {
        let tree = TreeHead {
            size: 8,
            root: Hash::from_bytes([0; 32]),
        };
        let outcomes = vec![
            Appended::New { index: 6 },
            Appended::Duplicate { index: 2 },
            Appended::New { index: 7 },
        ];
        let report = report(
            vec![event_id(1), event_id(2), event_id(3)],
            AppendReceipt {
                outcomes: outcomes.clone(),
                tree,
            },
        )
        .unwrap();
        assert_eq!(report.accepted, 2);
        assert_eq!(report.duplicates, 1);
        assert_eq!(report.tree, tree);
        assert_eq!(
            report.outcomes,
            vec![
                (event_id(1), outcomes[0]),
                (event_id(2), outcomes[1]),
                (event_id(3), outcomes[2]),
            ]
        );
    }

    #[test]
    fn a_receipt_that_does_not_match_the_batch_is_corrupt() {
        let receipt = AppendReceipt {
            outcomes: vec![Appended::New { index: 0 }],
            tree: TreeHead {
                size: 1,
                root: Hash::from_bytes([0; 32]),
            },
        };
        assert!(matches!(
            report(vec![event_id(1), event_id(2)], receipt),
            Err(IngestError::Store(StoreError::Corrupt(_)))
        ));
    }
}
