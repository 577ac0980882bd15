//! Checking a batch of reported events against the register, and turning each into a
//! [`CanonicalEvent`] with its subject pseudonymised.
//!
//! [`check_batch`] collects every broken rule of every event: the batch is logged whole or not
//! at all, and the sender fixes all mistakes at once. The rules, field by field:
//!
//! | field | rule |
//! |---|---|
//! | `id` | a UUID |
//! | `occurred_at` | RFC 3339 with an offset; in UTC within the years 0000-9999; at most [`FUTURE_TOLERANCE`] after the time of receipt |
//! | `file` | a registered file of the reporting agency (a file of another agency is reported exactly like a missing one, so agencies cannot probe each other's registers) |
//! | `subject` | a national ID or resident certificate number with the right shape and check digit |
//! | `action` | one of the eleven actions of the log format |
//! | `purpose` | a specific-purpose code `001`-`182` |
//! | `categories` | at least one code `C001`-`C199`; when the file registers all its categories as codes, only those |
//! | `legal_basis` | a code of the legal-bases list; not Art. 19 or 20, which are for non-public bodies |
//! | `legal_basis` | outside the file's purposes (or action `out_of_purpose_use`): an Art. 16 proviso item, or an Art. 6 proviso item when the data is sensitive |
//! | `records` | 1 to 2^53 − 1 |
//! | free texts | as the canonical event requires: not empty, at most 1,000 characters, no control characters |
//! | `confidential` | `ground` a GIDA Art. 18 code; `until` a `YYYY-MM-DD` date after the event's UTC day |
//!
//! No message quotes the subject's number or a free text: a message may reach logs and other
//! systems, the number only ever reaches the pseudonym.

use std::collections::HashMap;

use lantern_domain::codes::CodeError;
use lantern_domain::{
    Agency, DataCategoryCode, FileId, LegalBasisCode, PersonalDataFile, PurposeCode,
    RestrictionGroundCode, Rule, SubjectId, SubjectIdError,
};
use lantern_log::entry::MAX_RECORDS;
use lantern_log::event::MAX_TEXT_CHARS;
use lantern_log::{
    Action, CanonicalEvent, Confidential, EventId, EventParts, FormatError, PurposeScope,
    SubjectPseudonym,
};
use lantern_store::NewUsageEvent;
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, Month, OffsetDateTime, UtcOffset};

use crate::error::EventError;
use crate::pseudonym::PseudonymKey;
use crate::submission::EventSubmission;

/// How far in the future of the time of receipt an event may lie: the senders' clocks drift a
/// little, but an event is reported after it happens.
pub const FUTURE_TOLERANCE: Duration = Duration::minutes(5);

/// Data categories that are PDPA Art. 6 special categories (特種個人資料) whatever the file
/// registers: C111 健康紀錄 (health records, medical records and check-ups) and C112 性生活與性傾向
/// (sex life; the name is unverified, see the domain's `data/pdpa-lists-gaps.md`).
const SENSITIVE_CATEGORIES: [u16; 2] = [111, 112];

/// Checks every event of a batch reported by `agency`, whose files are among `files`, as
/// received at `now`; pseudonymises each subject with `subject_key`.
///
/// # Errors
/// Every broken rule of every event, in the order of the events, when any event breaks one.
pub fn check_batch(
    agency: &Agency,
    files: &HashMap<FileId, PersonalDataFile>,
    submissions: &[EventSubmission],
    subject_key: &PseudonymKey,
    now: OffsetDateTime,
) -> Result<Vec<NewUsageEvent>, Vec<EventError>> {
    let checker = Checker {
        agency,
        files: files
            .values()
            .filter(|file| file.agency == agency.code)
            .map(|file| (file.id.as_str(), FileRules::new(file)))
            .collect(),
        subject_key,
        now,
        latest: now.saturating_add(FUTURE_TOLERANCE),
    };
    let mut events = Vec::with_capacity(submissions.len());
    let mut errors = Vec::new();
    for (position, submission) in submissions.iter().enumerate() {
        let mut found = Found {
            position,
            id: &submission.id,
            errors: &mut errors,
        };
        if let Some(event) = checker.check(submission, &mut found)
            && errors.is_empty()
        {
            events.push(event);
        }
    }
    if errors.is_empty() {
        Ok(events)
    } else {
        Err(errors)
    }
}

/// What the checks need to know of one file of the reporting agency, computed once per batch.
struct FileRules<'a> {
    file: &'a PersonalDataFile,
    /// The registered purpose codes.
    purposes: CodeSet,
    /// The registered category codes; `None` when the file describes a category in words, which
    /// may cover codes it does not list.
    categories: Option<CodeSet>,
    /// The file holds Art. 6 sensitive data.
    sensitive: bool,
}

impl<'a> FileRules<'a> {
    fn new(file: &'a PersonalDataFile) -> Self {
        let mut purposes = CodeSet::default();
        for code in file.purpose_codes() {
            purposes.insert(code.number());
        }
        let mut categories = CodeSet::default();
        for code in file.category_codes() {
            categories.insert(category_number(code));
        }
        let all_coded = file.category_codes().count() == file.categories.len();
        Self {
            file,
            purposes,
            categories: all_coded.then_some(categories),
            sensitive: file.has_sensitive_data(),
        }
    }
}

/// A set of code numbers 0-255 (purposes run to 182, categories to 199).
#[derive(Default)]
struct CodeSet([u64; 4]);

impl CodeSet {
    fn insert(&mut self, number: u16) {
        if let Some(word) = self.0.get_mut(usize::from(number / 64)) {
            *word |= 1 << (number % 64);
        }
    }

    fn contains(&self, number: u16) -> bool {
        self.0
            .get(usize::from(number / 64))
            .is_some_and(|word| word & (1 << (number % 64)) != 0)
    }
}

/// The number of a category code, `C111` → 111.
fn category_number(code: &DataCategoryCode) -> u16 {
    code.as_str()
        .get(1..)
        .and_then(|digits| digits.parse().ok())
        .unwrap_or_default()
}

/// The checks of one batch.
struct Checker<'a> {
    agency: &'a Agency,
    /// The agency's own files, by id.
    files: HashMap<&'a str, FileRules<'a>>,
    subject_key: &'a PseudonymKey,
    now: OffsetDateTime,
    /// The latest `occurred_at` accepted.
    latest: OffsetDateTime,
}

/// The errors of one event, as they are found.
struct Found<'e> {
    position: usize,
    /// The `id` as sent (echoed only when well formed).
    id: &'e str,
    errors: &'e mut Vec<EventError>,
}

impl Found<'_> {
    /// Records a broken rule; returns `None` so that a check can end with it.
    fn push<T>(
        &mut self,
        field: impl Into<String>,
        rule: Rule,
        message: impl Into<String>,
    ) -> Option<T> {
        self.errors.push(EventError::new(
            self.position,
            Some(self.id),
            field,
            rule,
            message,
        ));
        None
    }

    /// `value`, or `None` after recording that the field is missing.
    fn required<'v>(&mut self, field: &str, value: &'v str, what: &str) -> Option<&'v str> {
        if value.is_empty() {
            self.push(
                field,
                Rule::Required,
                format!("{field} is missing: give {what}."),
            )
        } else {
            Some(value)
        }
    }
}

/// `Format` for a code of the wrong shape, `UnknownCode` for one outside its range or list.
fn code_rule(error: &CodeError) -> Rule {
    match error {
        CodeError::Format(_) => Rule::Format,
        CodeError::Unknown(_) => Rule::UnknownCode,
    }
}

impl Checker<'_> {
    /// Checks one event. Each field check returns `None` (for categories, `false`) exactly when
    /// it recorded an error, so an event is built only when none was found.
    fn check(&self, s: &EventSubmission, found: &mut Found<'_>) -> Option<NewUsageEvent> {
        let id = self.id(s, found);
        let occurred_at = self.occurred_at(s, found);
        let file = self.file(s, found);
        let subject = self.subject(s, found);
        let action = found
            .required("action", &s.action, "what was done, e.g. use")
            .and_then(|raw| match Action::parse(raw) {
                Ok(action) => Some(action),
                Err(rule) => found.push(
                    "action",
                    Rule::UnknownCode,
                    format!("action must be {rule}."),
                ),
            });
        let purpose = found
            .required(
                "purpose",
                &s.purpose,
                "the specific-purpose code, 001 to 182",
            )
            .and_then(|raw| match PurposeCode::parse(raw) {
                Ok(code) => Some(code),
                Err(e) => found.push(
                    "purpose",
                    code_rule(&e),
                    format!("purpose is not a specific-purpose code: {e}."),
                ),
            });
        let (categories, categories_valid) = self.categories(s, file, found);
        let legal_basis = self.legal_basis(s, found);
        let scope = self.scope(
            file,
            purpose.as_ref(),
            action,
            legal_basis.as_ref(),
            &categories,
            found,
        );
        let records = if (1..=MAX_RECORDS).contains(&s.records) {
            Some(s.records)
        } else {
            found.push(
                "records",
                Rule::OutOfRange,
                format!("records must be from 1 to {MAX_RECORDS}: how many of the person's records were involved."),
            )
        };
        let texts = [
            check_text("legal_citation", s.legal_citation.as_deref(), found),
            check_text("recipient", s.recipient.as_deref(), found),
            check_text("reference", s.reference.as_deref(), found),
            check_text("actor", s.actor.as_deref(), found),
        ];
        // The event's day bounds `confidential.until` even when the time is refused as future.
        let day = occurred_at
            .or_else(|| in_utc(OffsetDateTime::parse(&s.occurred_at, &Rfc3339).ok()?))
            .map(OffsetDateTime::date);
        let confidential = self.confidential(s, day, found);

        let (
            Some(id),
            Some(occurred_at),
            Some(file),
            Some(subject),
            Some(action),
            Some(purpose),
            Some(categories),
            Some(legal_basis),
            Some(scope),
            Some(records),
            [Some(()), Some(()), Some(()), Some(())],
            Some(confidential),
        ) = (
            id,
            occurred_at,
            file,
            subject,
            action,
            purpose,
            categories_valid.then_some(categories),
            legal_basis,
            scope,
            records,
            texts,
            confidential,
        )
        else {
            return None;
        };
        let parts = EventParts {
            id,
            occurred_at,
            agency: self.agency.code.clone(),
            file: file.file.id.clone(),
            subject,
            action,
            purpose,
            categories,
            legal_basis,
            legal_citation: s.legal_citation.clone(),
            recipient: s.recipient.clone(),
            reference: s.reference.clone(),
            actor: s.actor.clone(),
            records,
            confidential,
        };
        match CanonicalEvent::new(parts) {
            Ok(event) => Some(NewUsageEvent { event, scope }),
            // A rule of the log format these checks do not know (yet): still reported by field.
            Err(FormatError::Invalid { field, rule }) => {
                found.push(field, Rule::Format, format!("{field}: {rule}."))
            }
            Err(other) => found.push(
                "",
                Rule::Format,
                format!("This event cannot be logged: {other}."),
            ),
        }
    }

    fn id(&self, s: &EventSubmission, found: &mut Found<'_>) -> Option<EventId> {
        let raw = found.required(
            "id",
            &s.id,
            "a UUID your system chooses for the event, so that sending it again is harmless",
        )?;
        EventId::parse(raw).ok().or_else(|| {
            found.push(
                "id",
                Rule::Format,
                "id must be a UUID in the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (hexadecimal digits), chosen by your system for each event.",
            )
        })
    }

    fn occurred_at(&self, s: &EventSubmission, found: &mut Found<'_>) -> Option<OffsetDateTime> {
        let raw = found.required(
            "occurred_at",
            &s.occurred_at,
            "when the use happened, e.g. 2025-03-14T10:15:00+08:00",
        )?;
        let Ok(time) = OffsetDateTime::parse(raw, &Rfc3339) else {
            return found.push(
                "occurred_at",
                Rule::Format,
                "occurred_at must be a date and time in RFC 3339 form with its offset, e.g. 2025-03-14T10:15:00+08:00 or 2025-03-14T02:15:00Z.",
            );
        };
        match in_utc(time) {
            None => found.push(
                "occurred_at",
                Rule::OutOfRange,
                "occurred_at must fall within the years 0000 to 9999 in UTC.",
            ),
            Some(utc) if utc > self.latest => found.push(
                "occurred_at",
                Rule::InFuture,
                format!(
                    "occurred_at is in the future: {raw} is more than {} minutes after Lantern received the batch ({}). Report an event once it has happened, and check the sending system's clock and time zone.",
                    FUTURE_TOLERANCE.whole_minutes(),
                    self.now.format(&Rfc3339).unwrap_or_default()
                ),
            ),
            Some(utc) => Some(utc),
        }
    }

    fn file(&self, s: &EventSubmission, found: &mut Found<'_>) -> Option<&FileRules<'_>> {
        let raw = found.required(
            "file",
            &s.file,
            "the id of the personal-data file the data came from, e.g. nhi-claims",
        )?;
        if let Some(rules) = self.files.get(raw) {
            return Some(rules);
        }
        if FileId::parse(raw).is_err() {
            return found.push(
                "file",
                Rule::Format,
                "file must be a file id: 2-64 lowercase letters, digits or '-', e.g. nhi-claims.",
            );
        }
        // The same words whether the file does not exist or belongs to another agency.
        found.push(
            "file",
            Rule::UnknownReference,
            format!(
                "{raw} is not a registered personal-data file of {}. Give the id of one of your agency's files as the register shows it.",
                self.agency.code
            ),
        )
    }

    fn subject(&self, s: &EventSubmission, found: &mut Found<'_>) -> Option<SubjectPseudonym> {
        let raw = found.required(
            "subject",
            &s.subject,
            "the national ID or resident certificate number of the person whose data was used",
        )?;
        match SubjectId::parse(raw) {
            Ok(id) => Some(self.subject_key.pseudonymise(&id)),
            // The messages describe the rule; they never quote the number.
            Err(e @ SubjectIdError::Format) => found.push(
                "subject",
                Rule::Format,
                format!("subject is not a national ID or resident certificate number: it {e}."),
            ),
            Err(e @ SubjectIdError::CheckDigit) => found.push(
                "subject",
                Rule::CheckDigit,
                format!("subject is not a valid national ID or resident certificate number: {e}."),
            ),
        }
    }

    /// The well-formed codes, and whether every code was valid (a false one recorded errors).
    fn categories(
        &self,
        s: &EventSubmission,
        file: Option<&FileRules<'_>>,
        found: &mut Found<'_>,
    ) -> (Vec<DataCategoryCode>, bool) {
        if s.categories.is_empty() {
            found.push::<()>(
                "categories",
                Rule::Required,
                "categories is missing: give at least one data-category code, e.g. [\"C001\"].",
            );
            return (Vec::new(), false);
        }
        let mut codes = Vec::with_capacity(s.categories.len());
        let mut valid = true;
        for (i, raw) in s.categories.iter().enumerate() {
            match DataCategoryCode::parse(raw) {
                Err(e) => {
                    valid = false;
                    found.push::<()>(
                        format!("categories[{i}]"),
                        code_rule(&e),
                        format!("categories[{i}] is not a data-category code: {e}."),
                    );
                }
                Ok(code) => {
                    if let Some(rules) = file
                        && let Some(registered) = &rules.categories
                        && !registered.contains(category_number(&code))
                    {
                        valid = false;
                        found.push::<()>(
                            format!("categories[{i}]"),
                            Rule::NotAllowed,
                            format!(
                                "categories[{i}] is {code}, which is not among the data categories registered for file {} ({}). Report only categories the file holds, or first add {code} to the file's register entry.",
                                rules.file.id,
                                joined(rules.file.category_codes().map(DataCategoryCode::as_str)),
                            ),
                        );
                    }
                    codes.push(code);
                }
            }
        }
        (codes, valid)
    }

    fn legal_basis(&self, s: &EventSubmission, found: &mut Found<'_>) -> Option<LegalBasisCode> {
        let raw = found.required(
            "legal_basis",
            &s.legal_basis,
            "the legal basis code, e.g. PDPA-16-MAIN",
        )?;
        match LegalBasisCode::parse(raw) {
            Err(_) => found.push(
                "legal_basis",
                Rule::UnknownCode,
                "legal_basis must be a code of the legal-bases list, e.g. PDPA-15-1, PDPA-16-MAIN, PDPA-16-P5 or PDPA-6-P1.",
            ),
            Ok(code) if matches!(code.article(), 19 | 20) => found.push(
                "legal_basis",
                Rule::BasisNotApplicable,
                format!(
                    "legal_basis {code} does not apply: Arts. 19 and 20 apply to non-public bodies; a government agency relies on Art. 15 (collection, processing) or 16 (use), or Art. 6 for sensitive data."
                ),
            ),
            Ok(code) => Some(code),
        }
    }

    /// Within or outside the file's purposes; for outside, checks that the basis permits it.
    fn scope(
        &self,
        file: Option<&FileRules<'_>>,
        purpose: Option<&PurposeCode>,
        action: Option<Action>,
        basis: Option<&LegalBasisCode>,
        categories: &[DataCategoryCode],
        found: &mut Found<'_>,
    ) -> Option<PurposeScope> {
        let (rules, purpose, action, basis) = (file?, purpose?, action?, basis?);
        let registered = rules.purposes.contains(purpose.number());
        if registered && action != Action::OutOfPurposeUse {
            return Some(PurposeScope::WithinPurpose);
        }
        let sensitive = rules.sensitive
            || categories
                .iter()
                .any(|code| SENSITIVE_CATEGORIES.contains(&category_number(code)));
        let permitted = basis.is_out_of_purpose_exception() && basis.article() == 16
            || sensitive && basis.is_art6_exception();
        if permitted {
            return Some(PurposeScope::OutOfPurpose);
        }
        let file_id = &rules.file.id;
        let why = if registered {
            format!(
                "The action out_of_purpose_use reports a use outside the purposes registered for file {file_id}"
            )
        } else {
            let codes = joined(rules.file.purpose_codes().map(PurposeCode::as_str));
            if codes.is_empty() {
                format!(
                    "Purpose {purpose} is not a purpose registered for file {file_id}, which describes its purposes in words only"
                )
            } else {
                format!(
                    "Purpose {purpose} is not among the purposes registered for file {file_id} ({codes})"
                )
            }
        };
        let exceptions = if sensitive {
            "an exception of PDPA Art. 16 (PDPA-16-P1 to PDPA-16-P7) or, because the data is sensitive, of Art. 6 (PDPA-6-P1 to PDPA-6-P6)"
        } else {
            "an exception of PDPA Art. 16, PDPA-16-P1 to PDPA-16-P7"
        };
        found.push(
            "legal_basis",
            Rule::OutOfPurposeNeedsBasis,
            format!(
                "{why}, so it is a use outside the file's purposes (特定目的外利用). Such a use is lawful only under {exceptions}, and {basis} is not one of them. Give the exception that applies as legal_basis or, if the use falls within one of the file's purposes, report that purpose."
            ),
        )
    }

    fn confidential(
        &self,
        s: &EventSubmission,
        day: Option<Date>,
        found: &mut Found<'_>,
    ) -> Option<Option<Confidential>> {
        let Some(c) = &s.confidential else {
            return Some(None);
        };
        let ground = found
            .required(
                "confidential.ground",
                &c.ground,
                "the ground for withholding the event, GIDA-18-1 to GIDA-18-9",
            )
            .and_then(|raw| match RestrictionGroundCode::parse(raw) {
                Ok(ground) => Some(ground),
                Err(_) => found.push(
                    "confidential.ground",
                    Rule::UnknownCode,
                    "confidential.ground must be a ground of the Freedom of Government Information Law Art. 18 para. 1, GIDA-18-1 to GIDA-18-9.",
                ),
            });
        let until = found
            .required(
                "confidential.until",
                &c.until,
                "the date from which the person may see the event, e.g. 2026-03-15",
            )
            .and_then(|raw| match parse_day(raw) {
                None => found.push(
                    "confidential.until",
                    Rule::Format,
                    "confidential.until must be a date written YYYY-MM-DD, e.g. 2026-03-15.",
                ),
                Some(until) => match day {
                    Some(day) if until <= day => found.push(
                        "confidential.until",
                        Rule::OutOfRange,
                        format!(
                            "confidential.until ({until}) must be after the day of the event ({day}, in UTC): it is the date from which the person may see the event."
                        ),
                    ),
                    _ => Some(until),
                },
            });
        Some(Some(Confidential {
            ground: ground?,
            until: until?,
        }))
    }
}

/// The time in UTC, when that falls within the years 0000-9999 (as the log format requires).
fn in_utc(time: OffsetDateTime) -> Option<OffsetDateTime> {
    time.checked_to_offset(UtcOffset::UTC)
        .filter(|utc| (0..=9999).contains(&utc.year()))
}

/// Checks a free text as the canonical event requires; `None` after recording an error.
fn check_text(field: &str, value: Option<&str>, found: &mut Found<'_>) -> Option<()> {
    let Some(value) = value else {
        return Some(());
    };
    // The messages never quote the text: it may hold personal data.
    if value.is_empty() {
        found.push(
            field,
            Rule::Format,
            format!("{field} is empty: leave it out (or send null) when there is nothing to say."),
        )
    } else if value.chars().count() > MAX_TEXT_CHARS {
        found.push(
            field,
            Rule::TooLong,
            format!("{field} is longer than {MAX_TEXT_CHARS} characters; shorten it."),
        )
    } else if value.chars().any(char::is_control) {
        found.push(
            field,
            Rule::Format,
            format!("{field} contains a control character (a line break, a tab or the like); write it on one line without them."),
        )
    } else {
        Some(())
    }
}

/// `YYYY-MM-DD`, a real calendar date with a four-digit year.
fn parse_day(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        bytes[range].iter().try_fold(0u16, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u16::from(b - b'0'))
        })
    };
    let month = Month::try_from(u8::try_from(number(5..7)?).ok()?).ok()?;
    let day = u8::try_from(number(8..10)?).ok()?;
    Date::from_calendar_date(i32::from(number(0..4)?), month, day).ok()
}

/// `a, b, c`.
fn joined<'s>(items: impl Iterator<Item = &'s str>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ConfidentialSubmission;
    use crate::test_support::{NOW, agency, event, files, key, nhia, subject, uuid};

    fn check(submissions: &[EventSubmission]) -> Result<Vec<NewUsageEvent>, Vec<EventError>> {
        check_batch(&nhia(), &files(), submissions, &key(), NOW)
    }

    /// The errors of one event changed by `change`.
    fn errors(change: impl FnOnce(&mut EventSubmission)) -> Vec<EventError> {
        let mut submission = event(1);
        change(&mut submission);
        check(&[submission]).expect_err("the event should break a rule")
    }

    /// The (field, rule) of each error of one event changed by `change`.
    fn broken(change: impl FnOnce(&mut EventSubmission)) -> Vec<(String, Rule)> {
        errors(change)
            .into_iter()
            .map(|e| (e.field, e.rule))
            .collect()
    }

    fn one(field: &str, rule: Rule) -> Vec<(String, Rule)> {
        vec![(field.to_owned(), rule)]
    }

    /// The single event built from one event changed by `change`.
    fn accepted(change: impl FnOnce(&mut EventSubmission)) -> NewUsageEvent {
        let mut submission = event(1);
        change(&mut submission);
        let mut events = check(&[submission]).unwrap();
        assert_eq!(events.len(), 1);
        events.remove(0)
    }

    #[test]
    fn a_valid_batch_becomes_canonical_events() {
        let events = check(&[event(1), event(2)]).unwrap();
        assert_eq!(events.len(), 2);
        let first = events[0].event.parts();
        assert_eq!(first.id.as_str(), uuid(1));
        assert_eq!(first.agency.as_str(), "MOHW-NHIA");
        assert_eq!(first.file.as_str(), "nhi-claims");
        assert_eq!(first.subject, key().pseudonymise(&subject(1)));
        assert_ne!(first.subject, events[1].event.parts().subject);
        assert_eq!(first.action, Action::Use);
        assert_eq!(
            first.occurred_at,
            time::macros::datetime!(2025-03-14 02:15 UTC)
        );
        let categories: Vec<_> = first
            .categories
            .iter()
            .map(DataCategoryCode::as_str)
            .collect();
        assert_eq!(categories, ["C001", "C111"]);
        assert_eq!(first.reference.as_deref(), Some("NHI-2025-000123"));
        assert_eq!(events[0].scope, PurposeScope::WithinPurpose);
        assert!(check(&[]).unwrap().is_empty());
    }

    #[test]
    fn the_pseudonym_depends_on_the_key() {
        let other = PseudonymKey::from_bytes([0xa5; 32]);
        let events = check_batch(&nhia(), &files(), &[event(1)], &other, NOW).unwrap();
        assert_eq!(
            events[0].event.parts().subject,
            other.pseudonymise(&subject(1))
        );
        assert_ne!(
            events[0].event.parts().subject,
            key().pseudonymise(&subject(1))
        );
    }

    #[test]
    fn ids() {
        assert_eq!(broken(|e| e.id.clear()), one("id", Rule::Required));
        assert_eq!(broken(|e| e.id = "case-42".into()), one("id", Rule::Format));
        let upper = accepted(|e| e.id = uuid(1).to_uppercase());
        assert_eq!(upper.event.parts().id.as_str(), uuid(1));
    }

    #[test]
    fn times() {
        assert_eq!(
            broken(|e| e.occurred_at.clear()),
            one("occurred_at", Rule::Required)
        );
        for bad in [
            "2025-03-14 10:15:00",
            "2025-03-14T10:15:00",
            "14/03/2025",
            "2025-02-30T00:00:00Z",
        ] {
            assert_eq!(
                broken(|e| e.occurred_at = bad.into()),
                one("occurred_at", Rule::Format),
                "{bad}"
            );
        }
        assert_eq!(
            broken(|e| e.occurred_at = "0000-01-01T00:30:00+01:00".into()),
            one("occurred_at", Rule::OutOfRange)
        );
        // Up to five minutes ahead of the receiving clock is drift, beyond is the future.
        accepted(|e| e.occurred_at = "2025-03-14T11:05:00+08:00".into());
        let future = errors(|e| e.occurred_at = "2025-03-14T03:05:01Z".into());
        assert_eq!(future[0].rule, Rule::InFuture);
        assert!(future[0].message.contains("2025-03-14T03:05:01Z is more than 5 minutes after Lantern received the batch (2025-03-14T03:00:00Z)"), "{}", future[0].message);
    }

    #[test]
    fn files_of_the_agency_only() {
        assert_eq!(broken(|e| e.file.clear()), one("file", Rule::Required));
        assert_eq!(
            broken(|e| e.file = "NHI Claims".into()),
            one("file", Rule::Format)
        );
        let missing = errors(|e| e.file = "no-such-file".into());
        let foreign = errors(|e| e.file = "household-registry".into());
        assert_eq!(missing[0].rule, Rule::UnknownReference);
        assert_eq!(foreign[0].rule, Rule::UnknownReference);
        // An agency cannot tell another agency's file from a missing one.
        assert_eq!(
            foreign[0]
                .message
                .replace("household-registry", "no-such-file"),
            missing[0].message
        );
        assert_eq!(
            missing[0].message,
            "no-such-file is not a registered personal-data file of MOHW-NHIA. Give the id of one of your agency's files as the register shows it."
        );
        // The holder itself reports it fine.
        let moi = agency("MOI-DHA");
        let mut own = event(1);
        own.file = "household-registry".into();
        own.purpose = "015".into();
        own.categories = vec!["C001".into()];
        own.legal_basis = "PDPA-16-MAIN".into();
        let events = check_batch(&moi, &files(), &[own], &key(), NOW).unwrap();
        assert_eq!(events[0].event.parts().agency.as_str(), "MOI-DHA");
    }

    #[test]
    fn subjects() {
        assert_eq!(
            broken(|e| e.subject.clear()),
            one("subject", Rule::Required)
        );
        let number = subject(1).expose().to_owned();
        let wrong_digit = format!("{}{}", &number[..9], (number.as_bytes()[9] - b'0' + 1) % 10);
        let check_digit = errors(|e| e.subject.clone_from(&wrong_digit));
        assert_eq!(check_digit[0].rule, Rule::CheckDigit);
        assert!(check_digit[0].message.contains("check digit"));
        for bad in [&number[..9], &number.to_lowercase(), "A323456789", "１２３"] {
            let format = errors(|e| e.subject = bad.to_owned());
            assert_eq!(format[0].rule, Rule::Format, "{bad}");
            assert!(format[0].message.contains("10 characters"));
        }
        // Resident certificate numbers, new and old.
        accepted(|e| {
            e.subject = SubjectId::with_check_digit('D', '9', "3141592")
                .unwrap()
                .expose()
                .to_owned();
        });
        accepted(|e| {
            e.subject = SubjectId::with_check_digit('A', 'C', "0000000")
                .unwrap()
                .expose()
                .to_owned();
        });
    }

    #[test]
    fn no_subject_number_in_any_error() {
        let number = subject(7).expose().to_owned();
        let wrong_digit = format!("{}{}", &number[..9], (number.as_bytes()[9] - b'0' + 1) % 10);
        // The number in its own field (wrong check digit), and a valid one sent in every other
        // text field by mistake.
        let mut submission = event(1);
        submission.subject.clone_from(&wrong_digit);
        let mut misplaced = EventSubmission {
            id: number.clone(),
            occurred_at: number.clone(),
            file: number.clone(),
            subject: number.clone(),
            action: number.clone(),
            purpose: number.clone(),
            categories: vec![number.clone()],
            legal_basis: number.clone(),
            legal_citation: Some(format!("{number}\n")),
            recipient: Some(number.repeat(101)),
            reference: Some(String::new()),
            actor: None,
            records: 0,
            confidential: Some(ConfidentialSubmission {
                ground: number.clone(),
                until: number.clone(),
            }),
        };
        let errors = check(&[submission, misplaced.clone()]).unwrap_err();
        assert_eq!(errors.iter().filter(|e| e.position == 1).count(), 13);
        let shown = format!(
            "{errors:?} {}",
            errors.iter().map(ToString::to_string).collect::<String>()
        );
        assert!(!shown.contains(&number), "{shown}");
        assert!(!shown.contains(&wrong_digit), "{shown}");
        // Nor in the events built, nor in the submission's Debug.
        misplaced = event(7);
        let events = check(std::slice::from_ref(&misplaced)).unwrap();
        assert!(!format!("{events:?} {misplaced:?}").contains(&number));
    }

    #[test]
    fn actions() {
        assert_eq!(broken(|e| e.action.clear()), one("action", Rule::Required));
        let error = errors(|e| e.action = "read".into());
        assert_eq!(error[0].rule, Rule::UnknownCode);
        assert!(error[0].message.contains("collect, process, use"));
        for action in Action::ALL {
            let basis = if action == Action::OutOfPurposeUse {
                "PDPA-16-P1"
            } else {
                "PDPA-16-MAIN"
            };
            let event = accepted(|e| {
                e.action = action.as_str().into();
                e.legal_basis = basis.into();
            });
            assert_eq!(event.event.parts().action, action);
        }
    }

    #[test]
    fn purposes() {
        assert_eq!(
            broken(|e| e.purpose.clear()),
            one("purpose", Rule::Required)
        );
        assert_eq!(
            broken(|e| e.purpose = "31".into()),
            one("purpose", Rule::Format)
        );
        assert_eq!(
            broken(|e| e.purpose = "183".into()),
            one("purpose", Rule::UnknownCode)
        );
    }

    #[test]
    fn categories() {
        assert_eq!(
            broken(|e| e.categories.clear()),
            one("categories", Rule::Required)
        );
        assert_eq!(
            broken(|e| e.categories = vec!["C001".into(), "c002".into(), "C200".into()]),
            [
                ("categories[1]".to_owned(), Rule::Format),
                ("categories[2]".to_owned(), Rule::UnknownCode)
            ]
        );
        // nhi-claims registers all its categories as codes: only those may be reported.
        let unregistered =
            errors(|e| e.categories = vec!["C001".into(), "C088".into(), "C002".into()]);
        assert_eq!(
            (unregistered[0].field.as_str(), unregistered[0].rule),
            ("categories[2]", Rule::NotAllowed)
        );
        assert!(unregistered[0].message.contains("C002, which is not among the data categories registered for file nhi-claims (C001, C003, C011, C023, C088, C111)"), "{}", unregistered[0].message);
        // nhia-card-issuance describes one category in words, which may cover other codes.
        accepted(|e| {
            e.file = "nhia-card-issuance".into();
            e.categories = vec!["C002".into()];
        });
        // Repeats are harmless: the canonical event lists each category once.
        let event = accepted(|e| e.categories = vec!["C001".into(), "C001".into()]);
        assert_eq!(event.event.parts().categories.len(), 1);
    }

    #[test]
    fn legal_bases() {
        assert_eq!(
            broken(|e| e.legal_basis.clear()),
            one("legal_basis", Rule::Required)
        );
        assert_eq!(
            broken(|e| e.legal_basis = "PDPA-99-1".into()),
            one("legal_basis", Rule::UnknownCode)
        );
        // Arts. 19 and 20 are for non-public bodies, also outside the purposes (one error, not two).
        for basis in ["PDPA-19-1", "PDPA-20-P1"] {
            let error = errors(|e| {
                e.legal_basis = basis.into();
                e.purpose = "025".into();
            });
            assert_eq!(error.len(), 1);
            assert_eq!(
                (error[0].field.as_str(), error[0].rule),
                ("legal_basis", Rule::BasisNotApplicable)
            );
            assert!(
                error[0]
                    .message
                    .contains("Arts. 19 and 20 apply to non-public bodies")
            );
        }
        for basis in ["PDPA-15-1", "PDPA-15-2", "PDPA-16-MAIN", "PDPA-6-P2"] {
            accepted(|e| e.legal_basis = basis.into());
        }
    }

    #[test]
    fn out_of_purpose_use_needs_an_art16_basis() {
        // 025 is not a purpose of nhi-claims (031, 064, 157).
        let error = errors(|e| e.purpose = "025".into());
        assert_eq!(
            (error[0].field.as_str(), error[0].rule),
            ("legal_basis", Rule::OutOfPurposeNeedsBasis)
        );
        assert!(
            error[0].message.starts_with("Purpose 025 is not among the purposes registered for file nhi-claims (031, 064, 157), so it is a use outside the file's purposes"),
            "{}",
            error[0].message
        );
        assert!(error[0].message.contains("PDPA-16-P1 to PDPA-16-P7"));
        assert!(error[0].message.contains("PDPA-16-MAIN is not one of them"));
        for basis in ["PDPA-16-P1", "PDPA-16-P5", "PDPA-16-P7"] {
            let event = accepted(|e| {
                e.purpose = "025".into();
                e.legal_basis = basis.into();
            });
            assert_eq!(event.scope, PurposeScope::OutOfPurpose);
        }
        // The action says so even for a registered purpose.
        let error = errors(|e| e.action = "out_of_purpose_use".into());
        assert_eq!(error[0].rule, Rule::OutOfPurposeNeedsBasis);
        assert!(error[0].message.starts_with("The action out_of_purpose_use reports a use outside the purposes registered for file nhi-claims"));
        let event = accepted(|e| {
            e.action = "out_of_purpose_use".into();
            e.legal_basis = "PDPA-16-P5".into();
        });
        assert_eq!(event.scope, PurposeScope::OutOfPurpose);
    }

    #[test]
    fn sensitive_data_may_rely_on_art6() {
        let out_of_purpose = |file: &str, basis: &str, categories: &[&str]| {
            let mut submission = event(1);
            submission.file = file.into();
            submission.purpose = "025".into();
            submission.legal_basis = basis.into();
            submission.categories = categories.iter().map(|&c| c.to_owned()).collect();
            check(&[submission])
        };
        // nhi-claims holds sensitive data: an Art. 6 proviso item is accepted too.
        let events = out_of_purpose("nhi-claims", "PDPA-6-P4", &["C001"]).unwrap();
        assert_eq!(events[0].scope, PurposeScope::OutOfPurpose);
        // PDPA-6-PARA2 is not a proviso item.
        assert!(out_of_purpose("nhi-claims", "PDPA-6-PARA2", &["C001"]).is_err());
        // nhia-card-issuance does not; reporting health records (C111) makes the event sensitive.
        let errors = out_of_purpose("nhia-card-issuance", "PDPA-6-P4", &["C001"]).unwrap_err();
        assert_eq!(errors[0].rule, Rule::OutOfPurposeNeedsBasis);
        assert!(
            !errors[0].message.contains("Art. 6"),
            "{}",
            errors[0].message
        );
        assert!(out_of_purpose("nhia-card-issuance", "PDPA-6-P4", &["C001", "C111"]).is_ok());
        let errors = out_of_purpose("nhia-card-issuance", "PDPA-16-MAIN", &["C111"]).unwrap_err();
        assert!(
            errors[0]
                .message
                .contains("because the data is sensitive, of Art. 6 (PDPA-6-P1 to PDPA-6-P6)")
        );
    }

    #[test]
    fn records() {
        assert_eq!(broken(|e| e.records = 0), one("records", Rule::OutOfRange));
        assert_eq!(
            broken(|e| e.records = MAX_RECORDS + 1),
            one("records", Rule::OutOfRange)
        );
        assert_eq!(
            accepted(|e| e.records = MAX_RECORDS).event.parts().records,
            MAX_RECORDS
        );
    }

    #[test]
    fn free_texts() {
        assert_eq!(
            broken(|e| e.recipient = Some(String::new())),
            one("recipient", Rule::Format)
        );
        assert_eq!(
            broken(|e| e.actor = Some("x".repeat(1001))),
            one("actor", Rule::TooLong)
        );
        assert_eq!(
            broken(|e| e.reference = Some("a\tb".into())),
            one("reference", Rule::Format)
        );
        assert_eq!(
            broken(|e| e.legal_citation = Some("a\nb".into())),
            one("legal_citation", Rule::Format)
        );
        let event = accepted(|e| {
            e.legal_citation = Some("個人資料保護法第16條但書第1款".into());
            e.recipient = Some("台".repeat(1000));
        });
        assert_eq!(
            event
                .event
                .parts()
                .recipient
                .as_deref()
                .map(|r| r.chars().count()),
            Some(1000)
        );
    }

    #[test]
    fn confidential_events() {
        let confidential = |ground: &str, until: &str| {
            Some(ConfidentialSubmission {
                ground: ground.into(),
                until: until.into(),
            })
        };
        let event = accepted(|e| e.confidential = confidential("GIDA-18-2", "2026-03-15"));
        let parts = event.event.parts().confidential.clone().unwrap();
        assert_eq!(parts.ground.as_str(), "GIDA-18-2");
        assert_eq!(parts.until, time::macros::date!(2026 - 03 - 15));
        assert_eq!(
            broken(|e| e.confidential = confidential("", "")),
            [
                ("confidential.ground".to_owned(), Rule::Required),
                ("confidential.until".to_owned(), Rule::Required)
            ]
        );
        assert_eq!(
            broken(|e| e.confidential = confidential("GIDA-18-10", "2026-02-30")),
            [
                ("confidential.ground".to_owned(), Rule::UnknownCode),
                ("confidential.until".to_owned(), Rule::Format)
            ]
        );
        for bad in [
            "2026-3-15",
            "15/03/2026",
            "+2026-03-15",
            "2026-03-15T00:00:00Z",
        ] {
            assert_eq!(
                broken(|e| e.confidential = confidential("GIDA-18-2", bad)),
                one("confidential.until", Rule::Format),
                "{bad}"
            );
        }
        // `until` must come after the event's day, in UTC: 10:15+08:00 is 02:15Z on 2025-03-14.
        let same_day = errors(|e| e.confidential = confidential("GIDA-18-2", "2025-03-14"));
        assert_eq!(same_day[0].rule, Rule::OutOfRange);
        assert!(
            same_day[0]
                .message
                .contains("(2025-03-14) must be after the day of the event (2025-03-14, in UTC)")
        );
        accepted(|e| e.confidential = confidential("GIDA-18-2", "2025-03-15"));
        // Checked against the day even when the time itself is refused.
        assert_eq!(
            broken(|e| {
                e.occurred_at = "2025-03-20T00:00:00Z".into();
                e.confidential = confidential("GIDA-18-2", "2025-03-15");
            }),
            [
                ("occurred_at".to_owned(), Rule::InFuture),
                ("confidential.until".to_owned(), Rule::OutOfRange)
            ]
        );
        accepted(|e| {
            e.occurred_at = "2025-03-14T07:00:00+08:00".into();
            e.confidential = confidential("GIDA-18-9", "2025-03-14");
        });
    }

    #[test]
    fn every_error_of_every_event_all_or_nothing() {
        let mut broken_everywhere = event(2);
        broken_everywhere.occurred_at = "yesterday".into();
        broken_everywhere.subject = "A1".into();
        broken_everywhere.purpose = "999".into();
        broken_everywhere.records = 0;
        let mut bad_file = event(4);
        bad_file.file = "household-registry".into();
        let batch = [event(1), broken_everywhere, event(3), bad_file, event(5)];
        let errors = check(&batch).unwrap_err();
        let found: Vec<_> = errors
            .iter()
            .map(|e| (e.position, e.field.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (1, "occurred_at"),
                (1, "subject"),
                (1, "purpose"),
                (1, "records"),
                (3, "file")
            ]
        );
        assert!(
            errors
                .iter()
                .all(|e| e.id == Some(uuid(u32::try_from(e.position).unwrap() + 1)))
        );
        for error in &errors {
            assert!(error.message.contains(&error.field), "{error}");
        }
    }

    #[test]
    fn parse_day_reads_only_calendar_dates() {
        assert_eq!(
            parse_day("2024-02-29"),
            Some(time::macros::date!(2024 - 02 - 29))
        );
        assert_eq!(
            parse_day("0000-01-01"),
            Some(time::macros::date!(0000 - 01 - 01))
        );
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-01-00",
            "20x4-01-01",
            "２０２４-01-01",
            "",
        ] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }
}
