//! What an append writes, decided once for every backend: which events are duplicates, each
//! new event's leaf index, salt, entry and stored hashes, the new tree head, and the changes to
//! the statistics. A backend looks up the batch's stored ids and secrets, calls [`plan_append`]
//! inside its write transaction, writes the plan, and commits.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use lantern_domain::{AgencyCode, FileId, LegalBasisCode, PurposeCode};
use lantern_log::merkle::{leaf_hash, stored_hash_count};
use lantern_log::{
    Action, CanonicalEvent, EventId, Frontier, Hash, LogEntry, PurposeScope, Salt,
    SubjectPseudonym, SubjectSecret,
};
use time::{Date, OffsetDateTime};

use crate::StoreError;
use crate::usage::{Appended, NewUsageEvent, TreeHead};

/// One new event and the rows it writes.
#[derive(Debug)]
pub struct EventRow<'a> {
    /// Its leaf index.
    pub index: u64,
    /// The event.
    pub event: &'a CanonicalEvent,
    /// Within or outside purpose.
    pub scope: PurposeScope,
    /// `event.canonical()`: the bytes the commitment covers.
    pub canonical: &'a str,
    /// The encoded log entry.
    pub entry: String,
}

/// The statistics key of an event: one row of the monthly rollup.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MonthlyKey {
    /// The first day of the month of `occurred_at` (UTC).
    pub month: Date,
    /// The agency.
    pub agency: AgencyCode,
    /// The file.
    pub file: FileId,
    /// The action.
    pub action: Action,
    /// The purpose.
    pub purpose: PurposeCode,
    /// The legal basis.
    pub legal_basis: LegalBasisCode,
    /// Whether the use was outside the file's purposes.
    pub out_of_purpose: bool,
}

/// Counts to add to a rollup row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Events.
    pub events: u64,
    /// Records.
    pub records: u64,
}

impl Counts {
    fn add(&mut self, records: u64) {
        self.events += 1;
        self.records = self.records.saturating_add(records);
    }
}

/// What one file's new events change in its activity record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityDelta {
    /// The file.
    pub file: FileId,
    /// Its agency.
    pub agency: AgencyCode,
    /// The earliest `occurred_at` among the new events.
    pub first_event: OffsetDateTime,
    /// The latest.
    pub last_event: OffsetDateTime,
    /// How many new events.
    pub events: u64,
}

/// Everything an append writes.
#[derive(Debug)]
pub struct AppendPlan<'a> {
    /// One outcome per event given.
    pub outcomes: Vec<Appended>,
    /// The new events, in leaf order.
    pub rows: Vec<EventRow<'a>>,
    /// Secrets drawn for subjects who had none; store them with the events.
    pub new_secrets: Vec<(SubjectPseudonym, SubjectSecret)>,
    /// The stored-hash index of `hashes[0]`.
    pub hashes_from: u64,
    /// The new stored hashes, in stored-hash order.
    pub hashes: Vec<Hash>,
    /// The tree after the append.
    pub tree: TreeHead,
    /// Additions to the monthly statistics, ordered by key.
    pub monthly: Vec<(MonthlyKey, Counts)>,
    /// Additions to the daily volumes, ordered by file then day.
    pub daily: Vec<((FileId, Date), Counts)>,
    /// Changes to the files' activity, ordered by file.
    pub activity: Vec<ActivityDelta>,
}

/// Plans the append of `events` to the tree whose right edge is `frontier`.
///
/// `stored_ids` maps the ids of the batch that are already stored to their leaf indexes;
/// `secrets` holds the stored secret of every subject of the batch who has one; `draw_secret`
/// draws a fresh secret (from a cryptographically secure source) for each subject without.
/// `frontier` is advanced over the new leaves: a backend works on a copy and keeps it only
/// once the transaction has committed.
///
/// # Errors
/// [`StoreError::Conflict`] when the tree is full; [`StoreError::Corrupt`] when an event cannot
/// make an entry (an out-of-purpose action marked within purpose: the caller's bug).
pub fn plan_append<'a>(
    frontier: &mut Frontier,
    events: &'a [NewUsageEvent],
    stored_ids: &HashMap<EventId, u64>,
    secrets: &HashMap<SubjectPseudonym, SubjectSecret>,
    mut draw_secret: impl FnMut() -> SubjectSecret,
) -> Result<AppendPlan<'a>, StoreError> {
    let hashes_from = stored_hash_count(frontier.size());
    let mut outcomes = Vec::with_capacity(events.len());
    let mut rows = Vec::with_capacity(events.len());
    let mut hashes = Vec::with_capacity(events.len() * 2);
    let mut batch_ids: HashMap<&EventId, u64> = HashMap::new();
    let mut new_secrets: HashMap<SubjectPseudonym, SubjectSecret> = HashMap::new();
    let mut monthly: HashMap<MonthlyKey, Counts> = HashMap::new();
    let mut daily: HashMap<(FileId, Date), Counts> = HashMap::new();
    let mut activity: HashMap<&FileId, ActivityDelta> = HashMap::new();

    for new in events {
        let event = &new.event;
        let parts = event.parts();
        if let Some(&index) = stored_ids
            .get(&parts.id)
            .or_else(|| batch_ids.get(&parts.id))
        {
            outcomes.push(Appended::Duplicate { index });
            continue;
        }
        let secret = match secrets.get(&parts.subject) {
            Some(secret) => secret,
            None => new_secrets
                .entry(parts.subject)
                .or_insert_with(&mut draw_secret),
        };
        let salt = Salt::derive(secret, &parts.id);
        let entry = LogEntry::for_event(event, new.scope, &salt)
            .map_err(|e| StoreError::Corrupt(format!("event {}: {e}", parts.id)))?;
        let entry = entry.encode();
        let index = frontier.size();
        frontier
            .append(leaf_hash(entry.as_bytes()), &mut hashes)
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        batch_ids.insert(&parts.id, index);
        outcomes.push(Appended::New { index });

        let out_of_purpose = new.scope == PurposeScope::OutOfPurpose;
        let day = event.day();
        monthly
            .entry(MonthlyKey {
                month: day.replace_day(1).unwrap_or(day),
                agency: parts.agency.clone(),
                file: parts.file.clone(),
                action: parts.action,
                purpose: parts.purpose.clone(),
                legal_basis: parts.legal_basis.clone(),
                out_of_purpose,
            })
            .or_default()
            .add(parts.records);
        daily
            .entry((parts.file.clone(), day))
            .or_default()
            .add(parts.records);
        match activity.entry(&parts.file) {
            Entry::Occupied(mut seen) => {
                let seen = seen.get_mut();
                seen.first_event = seen.first_event.min(parts.occurred_at);
                seen.last_event = seen.last_event.max(parts.occurred_at);
                seen.events += 1;
            }
            Entry::Vacant(slot) => {
                slot.insert(ActivityDelta {
                    file: parts.file.clone(),
                    agency: parts.agency.clone(),
                    first_event: parts.occurred_at,
                    last_event: parts.occurred_at,
                    events: 1,
                });
            }
        }
        rows.push(EventRow {
            index,
            event,
            scope: new.scope,
            canonical: event.canonical(),
            entry,
        });
    }

    let mut monthly: Vec<_> = monthly.into_iter().collect();
    monthly.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut daily: Vec<_> = daily.into_iter().collect();
    daily.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut activity: Vec<_> = activity.into_values().collect();
    activity.sort_unstable_by(|a, b| a.file.cmp(&b.file));
    Ok(AppendPlan {
        outcomes,
        rows,
        new_secrets: new_secrets.into_iter().collect(),
        hashes_from,
        hashes,
        tree: TreeHead {
            size: frontier.size(),
            root: frontier.root(),
        },
        monthly,
        daily,
        activity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lantern_domain::{DataCategoryCode, RestrictionGroundCode};
    use lantern_log::merkle::root_of_leaves;
    use lantern_log::{Confidential, EventParts};
    use time::macros::{date, datetime};

    fn event(id: u8, subject: u8, file: &str, occurred_at: OffsetDateTime) -> NewUsageEvent {
        let parts = EventParts {
            id: EventId::parse(&format!("00000000-0000-4000-8000-0000000000{id:02x}")).unwrap(),
            occurred_at,
            agency: AgencyCode::parse("MOHW-NHIA").unwrap(),
            file: FileId::parse(file).unwrap(),
            subject: SubjectPseudonym::from_bytes([subject; 32]),
            action: Action::Use,
            purpose: PurposeCode::parse("031").unwrap(),
            categories: vec![DataCategoryCode::parse("C001").unwrap()],
            legal_basis: LegalBasisCode::parse("PDPA-15-1").unwrap(),
            legal_citation: None,
            recipient: None,
            reference: None,
            actor: None,
            records: 2,
            confidential: None,
        };
        NewUsageEvent {
            event: CanonicalEvent::new(parts).unwrap(),
            scope: PurposeScope::WithinPurpose,
        }
    }

    fn no_secret() -> SubjectSecret {
        panic!("no secret should be drawn")
    }

    #[test]
    fn new_events_get_consecutive_indexes_and_the_root_of_their_leaves() {
        let t = datetime!(2025-03-14 10:00 UTC);
        let events = vec![
            event(1, 1, "file-a", t),
            event(2, 2, "file-a", t),
            event(3, 1, "file-b", t),
        ];
        let mut frontier = Frontier::new();
        let mut drawn = 0u8;
        let plan = plan_append(
            &mut frontier,
            &events,
            &HashMap::new(),
            &HashMap::new(),
            || {
                drawn += 1;
                SubjectSecret::from_bytes([drawn; 32])
            },
        )
        .unwrap();
        let indexes: Vec<_> = plan.outcomes.iter().map(|o| o.index()).collect();
        assert_eq!(indexes, [0, 1, 2]);
        assert_eq!(plan.new_secrets.len(), 2, "one secret per subject");
        assert_eq!(plan.hashes_from, 0);
        let leaves: Vec<_> = plan
            .rows
            .iter()
            .map(|row| LogEntry::decode(row.entry.as_bytes()).unwrap().leaf_hash())
            .collect();
        assert_eq!(plan.tree.root, root_of_leaves(&leaves));
        assert_eq!(plan.tree.size, 3);
        // Leaves 0, 1, node(0,1), leaf 2.
        assert_eq!(plan.hashes.len(), 4);
        assert_eq!(plan.activity.len(), 2);
        assert_eq!(plan.daily.len(), 2);
        assert_eq!(plan.monthly.len(), 2);
        assert_eq!(
            plan.monthly[0].1,
            Counts {
                events: 2,
                records: 4
            }
        );
        assert_eq!(plan.monthly[0].0.month, date!(2025 - 03 - 01));
    }

    #[test]
    fn stored_and_repeated_ids_are_duplicates_and_write_nothing() {
        let t = datetime!(2025-03-14 10:00 UTC);
        let events = vec![
            event(1, 1, "file-a", t),
            event(2, 1, "file-a", t),
            event(2, 1, "file-a", t),
        ];
        let stored = HashMap::from([(events[0].event.parts().id.clone(), 7)]);
        let secrets = HashMap::from([(
            SubjectPseudonym::from_bytes([1; 32]),
            SubjectSecret::from_bytes([9; 32]),
        )]);
        let mut frontier = Frontier::new();
        let plan = plan_append(&mut frontier, &events, &stored, &secrets, no_secret).unwrap();
        assert_eq!(
            plan.outcomes,
            [
                Appended::Duplicate { index: 7 },
                Appended::New { index: 0 },
                Appended::Duplicate { index: 0 }
            ]
        );
        assert_eq!(plan.rows.len(), 1);
        assert!(plan.new_secrets.is_empty());
        assert_eq!(plan.monthly[0].1.events, 1);
    }

    #[test]
    fn the_salt_comes_from_the_stored_secret() {
        let t = datetime!(2025-03-14 10:00 UTC);
        let mut confidential = event(1, 1, "file-a", t);
        let mut parts = confidential.event.parts().clone();
        parts.confidential = Some(Confidential {
            ground: RestrictionGroundCode::parse("GIDA-18-2").unwrap(),
            until: date!(2026 - 01 - 01),
        });
        confidential.event = CanonicalEvent::new(parts).unwrap();
        let secret = SubjectSecret::from_bytes([9; 32]);
        let secrets = HashMap::from([(SubjectPseudonym::from_bytes([1; 32]), secret.clone())]);
        let events = [confidential];
        let plan = plan_append(
            &mut Frontier::new(),
            &events,
            &HashMap::new(),
            &secrets,
            no_secret,
        )
        .unwrap();
        let salt = Salt::derive(&secret, &events[0].event.parts().id);
        let expected = LogEntry::for_event(&events[0].event, PurposeScope::WithinPurpose, &salt)
            .unwrap()
            .encode();
        assert_eq!(plan.rows[0].entry, expected);
        assert!(expected.contains("\"withheld\":true"));
    }

    #[test]
    fn a_second_batch_continues_the_tree() {
        let t = datetime!(2025-03-14 10:00 UTC);
        let first = vec![
            event(1, 1, "file-a", t),
            event(2, 1, "file-a", t),
            event(3, 1, "file-a", t),
        ];
        let second = vec![event(4, 1, "file-a", t)];
        let secrets = HashMap::from([(
            SubjectPseudonym::from_bytes([1; 32]),
            SubjectSecret::from_bytes([9; 32]),
        )]);
        let mut frontier = Frontier::new();
        let one = plan_append(&mut frontier, &first, &HashMap::new(), &secrets, no_secret).unwrap();
        let two =
            plan_append(&mut frontier, &second, &HashMap::new(), &secrets, no_secret).unwrap();
        assert_eq!(two.hashes_from, one.hashes.len() as u64);
        assert_eq!(two.outcomes, [Appended::New { index: 3 }]);
        assert_eq!(two.tree.size, 4);
    }
}
