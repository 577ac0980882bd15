//! A citizen's footprint beyond its first page: filters, the summary of a period, and the
//! event lookups the portal needs. Backends provide two primitives
//! ([`UsageLogStore::footprint_entries`] and [`UsageLogStore::subject_events`]); the rest is
//! here, shared by every backend, and works on the log entries' public metadata alone.

use std::collections::BTreeMap;

use lantern_domain::{AgencyCode, FileId, LegalBasisCode, PurposeCode};
use lantern_log::{Action, LogEntry, SubjectPseudonym};
use time::Date;

use crate::usage::{Footprint, UsageLogStore, WithheldCount};
use crate::{MAX_PAGE, StoreError};

/// One of a subject's visible events as its log entry shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryOfSubject {
    /// The leaf index.
    pub index: u64,
    /// The public log entry.
    pub entry: LogEntry,
}

/// Everything a subject may see of their events today, as log entries: visible events newest
/// first (by `occurred_at`, then index), withheld ones counted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FootprintEntries {
    /// Visible events, newest first.
    pub visible: Vec<EntryOfSubject>,
    /// Withheld events, counted by ground and date, ordered by date then ground.
    pub withheld: Vec<WithheldCount>,
}

/// Which of a subject's events to list. Every set field must match; an empty filter matches all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FootprintFilter {
    /// On or after this UTC day.
    pub from: Option<Date>,
    /// On or before this UTC day.
    pub to: Option<Date>,
    /// By this agency.
    pub agency: Option<AgencyCode>,
    /// From this file.
    pub file: Option<FileId>,
    /// With this action.
    pub action: Option<Action>,
    /// For this specific purpose.
    pub purpose: Option<PurposeCode>,
}

impl FootprintFilter {
    /// Whether `entry` passes every set field.
    #[must_use]
    pub fn matches(&self, entry: &LogEntry) -> bool {
        let parts = entry.parts();
        self.from.is_none_or(|from| parts.day >= from)
            && self.to.is_none_or(|to| parts.day <= to)
            && self.agency.as_ref().is_none_or(|a| *a == parts.agency)
            && self.file.as_ref().is_none_or(|f| *f == parts.file)
            && self.action.is_none_or(|a| a == parts.action)
            && self.purpose.as_ref().is_none_or(|p| *p == parts.purpose)
    }
}

/// Counts of a subject's visible events in a period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FootprintSummary {
    /// How many events.
    pub events: u64,
    /// The sum of their record counts.
    pub records: u64,
    /// Events per agency, most first, then by code.
    pub by_agency: Vec<(AgencyCode, u64)>,
    /// Events per specific purpose, most first, then by code.
    pub by_purpose: Vec<(PurposeCode, u64)>,
    /// Events per action, in the order of [`Action::ALL`].
    pub by_action: Vec<(Action, u64)>,
    /// Events per calendar month (UTC), `(year, month)` ascending, months without events
    /// included between `from` and `to`.
    pub by_month: Vec<((i32, u8), u64)>,
    /// Out-of-purpose events.
    pub out_of_purpose: u64,
    /// Out-of-purpose events per legal basis, most first, then by code.
    pub out_of_purpose_by_basis: Vec<(LegalBasisCode, u64)>,
    /// Withheld events, as in [`FootprintEntries::withheld`] (not limited to the period: they
    /// carry no date the subject may see).
    pub withheld: Vec<WithheldCount>,
}

impl FootprintSummary {
    /// Tallies the visible entries from `from` to `to` inclusive.
    #[must_use]
    pub fn tally(entries: &FootprintEntries, from: Date, to: Date) -> Self {
        let mut summary = Self {
            withheld: entries.withheld.clone(),
            ..Self::default()
        };
        let mut agencies: BTreeMap<&AgencyCode, u64> = BTreeMap::new();
        let mut purposes: BTreeMap<&PurposeCode, u64> = BTreeMap::new();
        let mut actions: BTreeMap<Action, u64> = BTreeMap::new();
        let mut months: BTreeMap<(i32, u8), u64> = months_between(from, to);
        let mut bases: BTreeMap<&LegalBasisCode, u64> = BTreeMap::new();
        for seen in &entries.visible {
            let parts = seen.entry.parts();
            if parts.day < from || parts.day > to {
                continue;
            }
            summary.events += 1;
            summary.records = summary.records.saturating_add(parts.records);
            *agencies.entry(&parts.agency).or_default() += 1;
            *purposes.entry(&parts.purpose).or_default() += 1;
            *actions.entry(parts.action).or_default() += 1;
            *months
                .entry((parts.day.year(), u8::from(parts.day.month())))
                .or_default() += 1;
            if seen.entry.is_out_of_purpose() {
                summary.out_of_purpose += 1;
                *bases.entry(&parts.legal_basis).or_default() += 1;
            }
        }
        summary.by_agency = most_first(agencies);
        summary.by_purpose = most_first(purposes);
        summary.by_action = actions.into_iter().collect();
        summary.by_month = months.into_iter().collect();
        summary.out_of_purpose_by_basis = most_first(bases);
        summary
    }
}

/// Every month from `from`'s to `to`'s, each counted 0.
fn months_between(from: Date, to: Date) -> BTreeMap<(i32, u8), u64> {
    let mut months = BTreeMap::new();
    let (mut year, mut month) = (from.year(), u8::from(from.month()));
    while (year, month) <= (to.year(), u8::from(to.month())) {
        months.insert((year, month), 0);
        (year, month) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
    }
    months
}

fn most_first<K: Clone + Ord>(counts: BTreeMap<&K, u64>) -> Vec<(K, u64)> {
    let mut list: Vec<(K, u64)> = counts.into_iter().map(|(k, n)| (k.clone(), n)).collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    list
}

/// A page of a subject's visible events that pass `filter`, newest first, with the filtered
/// total and the withheld counts.
///
/// # Errors
/// As the store's [`UsageLogStore::footprint_entries`] and [`UsageLogStore::subject_events`].
pub async fn filtered_footprint<S: UsageLogStore + ?Sized>(
    store: &S,
    subject: &SubjectPseudonym,
    today: Date,
    filter: &FootprintFilter,
    limit: u32,
    offset: u32,
) -> Result<Footprint, StoreError> {
    let entries = store.footprint_entries(subject, today).await?;
    let matching: Vec<u64> = entries
        .visible
        .iter()
        .filter(|seen| filter.matches(&seen.entry))
        .map(|seen| seen.index)
        .collect();
    let page: Vec<u64> = matching
        .iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit.min(MAX_PAGE)).unwrap_or(usize::MAX))
        .copied()
        .collect();
    let events = store.subject_events(subject, today, &page).await?;
    Ok(Footprint {
        events,
        total: matching.len() as u64,
        withheld: entries.withheld,
    })
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn months_between_covers_year_ends() {
        let months: Vec<_> = months_between(date!(2025 - 11 - 30), date!(2026 - 02 - 01))
            .into_keys()
            .collect();
        assert_eq!(months, [(2025, 11), (2025, 12), (2026, 1), (2026, 2)]);
    }

    #[test]
    fn most_first_breaks_ties_by_key() {
        let (a, b, c) = ("a".to_owned(), "b".to_owned(), "c".to_owned());
        let counts = BTreeMap::from([(&c, 2), (&a, 1), (&b, 2)]);
        assert_eq!(
            most_first(counts),
            [(b.clone(), 2), (c.clone(), 2), (a.clone(), 1)]
        );
    }
}
