//! A year of synthetic usage events (使用紀錄), as the agencies' systems would report them.
//!
//! What each file reports is data, `data/usage-profiles.json`: per file, its share of the
//! events and of the population, and the kinds of use it makes (action, purpose, categories,
//! legal basis, citation, recipients, reference and actor patterns, hours, months, and for a
//! confidential case the withholding ground). The profiles are checked against the world as
//! they are loaded: a use within purpose names only the file's registered purposes and
//! categories and a basis the file registers (or Art. 16's main text, which governs any use
//! within purpose); a use outside purpose needs an Art. 16 proviso item (one the register
//! discloses, for a large database) and a citation.
//!
//! Generation is deterministic: a fixed seed drives a [`StdRng`], so the same `now` and count
//! give the same events, ids included, and a second seed of the same events is all duplicates.
//! Events are kept compact and become [`EventSubmission`]s one batch at a time.

use std::collections::BTreeSet;

use lantern_domain::subject_id::SubjectIdKind;
use lantern_domain::{
    AgencyCode, DataCategoryCode, LegalBasisCode, PersonalDataFile, PurposeCode,
    RestrictionGroundCode,
};
use lantern_log::Action;
use lantern_usage::{ConfidentialSubmission, EventSubmission};
use rand::distr::Distribution as _;
use rand::distr::weighted::WeightedIndex;
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use time::macros::offset;
use time::{Date, Duration, OffsetDateTime, Time, UtcOffset, Weekday};

use crate::SeedError;
use crate::citizens::Population;
use crate::world::World;

/// How many usage events the demo seeds.
pub const DEMO_USAGE_EVENTS: usize = 300_000;

/// The most events one agency reports in one batch.
pub const USAGE_BATCH: usize = 10_000;

/// The profiles of what each file reports.
pub(crate) const PROFILES: (&str, &str) = (
    "data/usage-profiles.json",
    include_str!("../data/usage-profiles.json"),
);

/// The seed of the events; changing it changes every event.
const SEED: u64 = 0x6c61_6e74_6572_6e02;

/// Events are reported in Taiwan time.
const TAIPEI: UtcOffset = offset!(+8);

/// The generated usage events of a demo, ready to be reported batch by batch.
///
/// ```
/// use lantern_demo::DemoUsage;
/// use time::macros::datetime;
///
/// let usage = DemoUsage::generate(datetime!(2026-03-02 09:00 UTC), 1_000).unwrap();
/// assert_eq!(usage.len(), 1_000);
/// let reported: usize = usage.batches().map(|(_, batch)| batch.len()).sum();
/// assert_eq!(reported, 1_000);
/// ```
#[derive(Debug)]
pub struct DemoUsage {
    /// Every kind of use of every file, the profiles flattened.
    kinds: Vec<Kind>,
    /// The agencies that report, indexed by [`Kind::agency`].
    agencies: Vec<AgencyCode>,
    population: Population,
    /// The day in Taiwan of `now`: confidential events are withheld until a few months on.
    today: Date,
    /// The events, oldest first.
    events: Vec<Planned>,
    /// Each batch: the reporting agency and its events (indexes into `events`), oldest first.
    batches: Vec<(usize, Vec<usize>)>,
}

impl DemoUsage {
    /// Generates `count` events over the year before `now` (Taiwan time), spread over the demo
    /// world's files and people.
    ///
    /// # Errors
    /// [`SeedError::InvalidWorld`] when the embedded world or the usage profiles break a rule: a
    /// defect of this crate's `data/`, caught by its tests.
    pub fn generate(now: OffsetDateTime, count: usize) -> Result<Self, SeedError> {
        Self::for_world(&World::load()?, now, count)
    }

    /// [`DemoUsage::generate`] for a world already loaded.
    pub(crate) fn for_world(
        world: &World,
        now: OffsetDateTime,
        count: usize,
    ) -> Result<Self, SeedError> {
        let profiles: Profiles = serde_json::from_str(PROFILES.1)
            .map_err(|e| invalid(format!("cannot be read: {e}")))?;
        let boost = profiles.demo_boost;
        let (kinds, agencies, file_weights, coverage) = profiles.resolve(world)?;
        let population = Population::generate();
        let pools = Pools::new(&population, &coverage);

        let mut rng = StdRng::seed_from_u64(SEED);
        let files =
            WeightedIndex::new(&file_weights).map_err(|e| invalid(format!("file weights: {e}")))?;
        let kinds_of_file = (0..file_weights.len())
            .map(|file| {
                let weights = kinds
                    .iter()
                    .map(|k| if k.file == file { k.weight } else { 0.0 });
                WeightedIndex::new(weights).map_err(|e| invalid(format!("kind weights: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;

        let now = now.to_offset(TAIPEI);
        let today = now.date();
        let mut events: Vec<Planned> = (0..count)
            .map(|_| {
                let file = files.sample(&mut rng);
                let kind_index = kinds_of_file[file].sample(&mut rng);
                let kind = &kinds[kind_index];
                let subject = pools.pick(file, boost, &mut rng);
                let at = kind.draw_time(now, &mut rng);
                Planned {
                    at,
                    id: rng.random(),
                    subject,
                    kind: kind_index,
                    recipient: rng.random_range(0..kind.recipients.len().max(1)),
                    actor: rng.random_range(1..=kind.actors.max(1)),
                    seq: rng.random_range(1..1_000_000),
                    records: rng.random_range(kind.records[0]..=kind.records[1]),
                    until_days: kind
                        .confidential
                        .as_ref()
                        .map_or(0, |c| rng.random_range(c.until_days[0]..=c.until_days[1])),
                }
            })
            .collect();
        events.sort_by_key(|e| (e.at, e.id));
        let batches = batches(&events, &kinds, agencies.len());
        Ok(Self {
            kinds,
            agencies,
            population,
            today,
            events,
            batches,
        })
    }

    /// How many events there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The events as their agencies report them: batches of [`USAGE_BATCH`] events of one
    /// agency (the last of each agency smaller), sorted by time, in the order they are sent.
    pub fn batches(&self) -> impl Iterator<Item = (&AgencyCode, Vec<EventSubmission>)> + '_ {
        self.batches.iter().map(|(agency, indexes)| {
            let events = indexes
                .iter()
                .map(|&i| self.submission(&self.events[i]))
                .collect();
            (&self.agencies[*agency], events)
        })
    }

    /// The wire form of one planned event.
    fn submission(&self, event: &Planned) -> EventSubmission {
        let kind = &self.kinds[event.kind];
        EventSubmission {
            id: uuid(event.id),
            occurred_at: rfc3339(event.at),
            file: kind.file_id.clone(),
            subject: self.population.subject(event.subject).expose().to_owned(),
            action: kind.action.clone(),
            purpose: kind.purpose.clone(),
            categories: kind.categories.clone(),
            legal_basis: kind.legal_basis.clone(),
            legal_citation: kind.citation.clone(),
            recipient: kind.recipients.get(event.recipient).cloned(),
            reference: kind
                .reference
                .as_ref()
                .map(|template| reference(template, event.at.year(), event.seq)),
            actor: Some(if kind.actors == 0 {
                kind.actor.clone()
            } else {
                format!("{}-{:03}", kind.actor, event.actor)
            }),
            records: event.records,
            confidential: kind.confidential.as_ref().map(|c| ConfidentialSubmission {
                ground: c.ground.clone(),
                until: ymd(self.today + Duration::days(i64::from(event.until_days))),
            }),
        }
    }
}

/// One event, compact: what was drawn for it, before it is written out.
#[derive(Debug, Clone, Copy)]
struct Planned {
    /// When, in Taiwan time.
    at: OffsetDateTime,
    /// Its id's 128 bits.
    id: u128,
    /// Whose data: an index into the population.
    subject: usize,
    /// Which kind of use: an index into the flattened kinds.
    kind: usize,
    /// Which of the kind's recipients.
    recipient: usize,
    /// Which of the kind's actors, from 1.
    actor: u32,
    /// The number in its reference.
    seq: u32,
    /// How many records.
    records: u64,
    /// For a confidential event, how many days after today it is withheld.
    until_days: u16,
}

/// Splits the events, oldest first, into the batches their agencies send: an agency sends
/// what it holds once that is [`USAGE_BATCH`] events, and the rest at the end.
fn batches(events: &[Planned], kinds: &[Kind], agencies: usize) -> Vec<(usize, Vec<usize>)> {
    let mut pending: Vec<Vec<usize>> = vec![Vec::new(); agencies];
    let mut batches = Vec::new();
    for (index, event) in events.iter().enumerate() {
        let agency = kinds[event.kind].agency;
        pending[agency].push(index);
        if pending[agency].len() == USAGE_BATCH {
            batches.push((agency, std::mem::take(&mut pending[agency])));
        }
    }
    batches.extend(
        pending
            .into_iter()
            .enumerate()
            .filter(|(_, events)| !events.is_empty()),
    );
    batches
}

/// 128 random bits as a version 4 UUID, lowercase.
fn uuid(bits: u128) -> String {
    let bits = (bits & !(0xf << 76) | (0x4 << 76)) & !(0x3 << 62) | (0x2 << 62);
    let hex = format!("{bits:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// `2025-03-14T10:15:00+08:00`.
fn rfc3339(at: OffsetDateTime) -> String {
    let (hours, minutes, _) = at.offset().as_hms();
    format!(
        "{}T{:02}:{:02}:{:02}{}{:02}:{:02}",
        ymd(at.date()),
        at.hour(),
        at.minute(),
        at.second(),
        if hours < 0 || minutes < 0 { '-' } else { '+' },
        hours.unsigned_abs(),
        minutes.unsigned_abs()
    )
}

/// `2025-03-14`.
fn ymd(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// A reference from its template: `{year}` the event's year, `{roc}` its year of the
/// Republic of China calendar (民國), `{seq}` a six-digit number.
fn reference(template: &str, year: i32, seq: u32) -> String {
    template
        .replace("{year}", &year.to_string())
        .replace("{roc}", &(year - 1911).to_string())
        .replace("{seq}", &format!("{seq:06}"))
}

/// Which subjects each file holds, demo citizens apart from the background.
struct Pools {
    /// Per file: the demo citizens it holds.
    demo: Vec<Vec<usize>>,
    /// Per file: the background subjects it holds.
    background: Vec<Vec<usize>>,
}

impl Pools {
    /// Each file holds a fixed pseudo-random share of the population (only nationals when it
    /// says so); of the demo citizens a larger share (the square root), so that each demo
    /// login shows uses of several files.
    fn new(population: &Population, coverage: &[Coverage]) -> Self {
        let mut demo = vec![Vec::new(); coverage.len()];
        let mut background = vec![Vec::new(); coverage.len()];
        for index in 0..population.len() {
            let national = population.subject(index).kind() == SubjectIdKind::NationalId;
            for (file, share) in coverage.iter().enumerate() {
                let draw = mix((index as u64) << 8 | file as u64);
                // The top 53 bits as a fraction of one.
                let fraction = (draw >> 11) as f64 / (1u64 << 53) as f64;
                let citizen = index < population.citizens.len();
                let share_held = if citizen {
                    share.share.sqrt()
                } else {
                    share.share
                };
                if fraction < share_held && (national || !share.nationals_only) {
                    if citizen {
                        demo[file].push(index);
                    } else {
                        background[file].push(index);
                    }
                }
            }
        }
        Self { demo, background }
    }

    /// A subject of `file`: a demo citizen `boost` times as often as a background subject.
    fn pick(&self, file: usize, boost: f64, rng: &mut StdRng) -> usize {
        let (demo, background) = (&self.demo[file], &self.background[file]);
        let demo_weight = demo.len() as f64 * boost;
        let p = demo_weight / (demo_weight + background.len() as f64);
        if !demo.is_empty() && rng.random_bool(p) {
            demo[rng.random_range(0..demo.len())]
        } else {
            background[rng.random_range(0..background.len())]
        }
    }
}

/// SplitMix64's finaliser: a well-mixed 64-bit function of `x`.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(SEED).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `data/usage-profiles.json`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Profiles {
    /// How many times as many events a demo citizen has as a background subject in the same
    /// file, so that each demo login shows a full footprint.
    demo_boost: f64,
    files: Vec<FileProfile>,
}

/// What one file reports.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileProfile {
    /// The file's id.
    file: String,
    /// Its share of all events, relative to the other files' (about its count in the demo).
    events: f64,
    /// The share of the population the file holds, 0 to 1.
    coverage: f64,
    /// Only nationals (no resident certificate numbers), e.g. household registration.
    #[serde(default)]
    nationals_only: bool,
    kinds: Vec<Kind>,
}

/// One kind of use of a file, as in the profiles, then resolved against the world.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Kind {
    /// Its share of the file's events, relative to the file's other kinds.
    weight: f64,
    action: String,
    purpose: String,
    categories: Vec<String>,
    legal_basis: String,
    #[serde(default)]
    citation: Option<String>,
    /// Recipients, one drawn per event.
    #[serde(default)]
    recipients: Vec<String>,
    /// Template of the reference: `{year}`, `{roc}`, `{seq}`.
    #[serde(default)]
    reference: Option<String>,
    /// The acting system or, with `actors`, the prefix of the acting officials' pseudonyms.
    actor: String,
    /// How many officials act (`<actor>-001` …); 0 for a system.
    #[serde(default)]
    actors: u32,
    /// The least and most records per event.
    #[serde(default = "one_record")]
    records: [u64; 2],
    hours: Hours,
    /// The months it happens in (1-12); all when empty.
    #[serde(default)]
    months: Vec<u8>,
    #[serde(default)]
    confidential: Option<ConfidentialProfile>,
    /// Set when resolved: the file's index among the profiles.
    #[serde(skip)]
    file: usize,
    /// Set when resolved: the file's id.
    #[serde(skip)]
    file_id: String,
    /// Set when resolved: the reporting agency's index.
    #[serde(skip)]
    agency: usize,
}

fn one_record() -> [u64; 2] {
    [1, 1]
}

/// A confidential case (密件): recent, withheld from the subject for a few months.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfidentialProfile {
    /// The GIDA Art. 18 ground.
    ground: String,
    /// The events happen within this many days before `now`.
    recent_days: u16,
    /// Withheld until this many days after `now`: the least and the most.
    until_days: [u16; 2],
}

/// When a kind of use happens, in Taiwan time.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum Hours {
    /// Office hours on working days.
    Office,
    /// Night batch runs, every day.
    Batch,
    /// Clinic hours: weekdays and Saturdays, a few on Sundays.
    Clinic,
    /// Online services, from morning to midnight, every day.
    Online,
}

impl Hours {
    /// The chance that an event of these hours falls on `day` rather than being redrawn.
    fn day_weight(self, day: Weekday) -> f64 {
        let weekend = matches!(day, Weekday::Saturday | Weekday::Sunday);
        match (self, day) {
            (Self::Office, _) if weekend => 0.02,
            (Self::Clinic, Weekday::Saturday) => 0.7,
            (Self::Clinic, Weekday::Sunday) => 0.25,
            _ => 1.0,
        }
    }

    /// Seconds after midnight.
    fn draw_second(self, rng: &mut StdRng) -> u32 {
        const HOUR: u32 = 3600;
        match self {
            // 08:30-12:00 and 13:30-17:30.
            Self::Office => {
                let s = rng.random_range(0..(7 * HOUR + HOUR / 2));
                if s < 3 * HOUR + HOUR / 2 {
                    8 * HOUR + HOUR / 2 + s
                } else {
                    13 * HOUR + HOUR / 2 + s - (3 * HOUR + HOUR / 2)
                }
            }
            Self::Batch => rng.random_range(HOUR..5 * HOUR),
            Self::Clinic => rng.random_range(8 * HOUR..21 * HOUR + HOUR / 2),
            Self::Online => rng.random_range(6 * HOUR..24 * HOUR),
        }
    }
}

impl Kind {
    /// A time before `now` (Taiwan time) within the year, or within `recent_days` for a
    /// confidential case, in the kind's months, days and hours.
    fn draw_time(&self, now: OffsetDateTime, rng: &mut StdRng) -> OffsetDateTime {
        let window = self.confidential.as_ref().map_or(365, |c| c.recent_days);
        loop {
            let day = now.date() - Duration::days(i64::from(rng.random_range(0..window)));
            if !self.months.is_empty() && !self.months.contains(&u8::from(day.month())) {
                continue;
            }
            if rng.random::<f64>() >= self.hours.day_weight(day.weekday()) {
                continue;
            }
            let at = day.with_time(Time::MIDNIGHT).assume_offset(TAIPEI)
                + Duration::seconds(i64::from(self.hours.draw_second(rng)));
            if at < now {
                return at;
            }
        }
    }
}

/// A file's share of the population.
struct Coverage {
    share: f64,
    nationals_only: bool,
}

/// What [`Profiles::resolve`] yields: the kinds, the reporting agencies, each file's share of
/// the events and of the population.
type Resolved = (Vec<Kind>, Vec<AgencyCode>, Vec<f64>, Vec<Coverage>);

impl Profiles {
    /// Checks the profiles against the world and flattens them.
    fn resolve(self, world: &World) -> Result<Resolved, SeedError> {
        if !(self.demo_boost.is_finite() && self.demo_boost >= 1.0) {
            return Err(invalid("demo_boost must be at least 1"));
        }
        let profiled: BTreeSet<&str> = self.files.iter().map(|p| p.file.as_str()).collect();
        if profiled.len() != self.files.len() {
            return Err(invalid("a file has two profiles"));
        }
        if let Some(silent) = world
            .files
            .iter()
            .find(|f| !profiled.contains(f.id.as_str()))
        {
            return Err(invalid(format!("file {} has no profile", silent.id)));
        }
        let mut kinds = Vec::new();
        let mut agencies: Vec<AgencyCode> = Vec::new();
        let mut weights = Vec::with_capacity(self.files.len());
        let mut coverage = Vec::with_capacity(self.files.len());
        for (index, profile) in self.files.into_iter().enumerate() {
            let name = profile.file;
            let file = world
                .files
                .iter()
                .find(|f| f.id.as_str() == name)
                .ok_or_else(|| invalid(format!("{name}: not a file of the demo world")))?;
            if !(profile.events.is_finite()
                && profile.events > 0.0
                && profile.coverage > 0.0
                && profile.coverage <= 1.0)
            {
                return Err(invalid(format!(
                    "{name}: events must be positive and coverage in (0, 1]"
                )));
            }
            if profile.kinds.is_empty() {
                return Err(invalid(format!("{name}: no kinds of use")));
            }
            let agency = match agencies.iter().position(|a| *a == file.agency) {
                Some(agency) => agency,
                None => {
                    agencies.push(file.agency.clone());
                    agencies.len() - 1
                }
            };
            for (k, mut kind) in profile.kinds.into_iter().enumerate() {
                check_kind(file, &kind)
                    .map_err(|reason| invalid(format!("{name}, kind {k}: {reason}")))?;
                kind.file = index;
                kind.file_id.clone_from(&name);
                kind.agency = agency;
                kinds.push(kind);
            }
            weights.push(profile.events);
            coverage.push(Coverage {
                share: profile.coverage,
                nationals_only: profile.nationals_only,
            });
        }
        Ok((kinds, agencies, weights, coverage))
    }
}

/// Checks a kind of use against its file's register entry.
fn check_kind(file: &PersonalDataFile, kind: &Kind) -> Result<(), String> {
    if !(kind.weight.is_finite() && kind.weight > 0.0) {
        return Err("weight must be positive".into());
    }
    let action = Action::parse(&kind.action).map_err(|e| format!("action: {e}"))?;
    let purpose = PurposeCode::parse(&kind.purpose).map_err(|e| format!("purpose: {e}"))?;
    let basis =
        LegalBasisCode::parse(&kind.legal_basis).map_err(|e| format!("legal_basis: {e}"))?;
    if kind.categories.is_empty() {
        return Err("no categories".into());
    }
    for raw in &kind.categories {
        let code = DataCategoryCode::parse(raw).map_err(|e| format!("{raw}: {e}"))?;
        if !file.category_codes().any(|c| *c == code) {
            return Err(format!("{code} is not a registered category"));
        }
    }
    let within = file.purpose_codes().any(|p| *p == purpose) && action != Action::OutOfPurposeUse;
    if within {
        let registered = file
            .legal_basis
            .pdpa
            .iter()
            .chain(file.sensitive.iter().flat_map(|s| &s.legal_bases))
            .any(|b| *b == basis);
        if !registered && basis.as_str() != "PDPA-16-MAIN" {
            return Err(format!(
                "{basis} is neither registered for the file nor PDPA-16-MAIN"
            ));
        }
    } else {
        if !(basis.is_out_of_purpose_exception() && basis.article() == 16) {
            return Err(format!(
                "a use outside purpose {purpose} needs an Art. 16 proviso basis, not {basis}"
            ));
        }
        if let Some(db) = &file.large_database
            && !db.out_of_purpose.legal_bases.contains(&basis)
        {
            return Err(format!(
                "{basis} is not among the out-of-purpose bases the register discloses"
            ));
        }
        if kind.citation.is_none() {
            return Err("a use outside purpose needs a citation".into());
        }
    }
    if action == Action::Disclose && kind.recipients.is_empty() {
        return Err("a disclosure needs recipients".into());
    }
    let texts = kind
        .citation
        .iter()
        .chain(&kind.recipients)
        .chain(&kind.reference)
        .chain([&kind.actor]);
    for text in texts {
        if text.trim().is_empty() || text.chars().any(char::is_control) {
            return Err("an empty text or a control character".into());
        }
    }
    if !(1..=kind.records[1]).contains(&kind.records[0]) {
        return Err("records must run from at least 1 up".into());
    }
    if kind.months.iter().any(|m| !(1..=12).contains(m)) {
        return Err("months run from 1 to 12".into());
    }
    if let Some(c) = &kind.confidential {
        RestrictionGroundCode::parse(&c.ground).map_err(|e| format!("ground: {e}"))?;
        if !(30..=365).contains(&c.recent_days)
            || !(1..=c.until_days[1]).contains(&c.until_days[0])
            || !kind.months.is_empty()
        {
            return Err(
                "a confidential case needs 30-365 recent days, until days from 1 up and no months"
                    .into(),
            );
        }
    }
    Ok(())
}

fn invalid(reason: impl Into<String>) -> SeedError {
    SeedError::InvalidWorld {
        data_file: PROFILES.0,
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap, HashSet};

    use lantern_domain::FileId;
    use lantern_log::PurposeScope;
    use lantern_usage::{PseudonymKey, check_batch};
    use time::macros::datetime;

    use super::*;
    use crate::citizens::demo_citizens;

    const NOW: OffsetDateTime = datetime!(2026-03-02 09:00 UTC);

    fn submissions(usage: &DemoUsage) -> Vec<(AgencyCode, EventSubmission)> {
        usage
            .batches()
            .flat_map(|(agency, batch)| batch.into_iter().map(move |e| (agency.clone(), e)))
            .collect()
    }

    #[test]
    fn the_same_now_gives_the_same_events() {
        let first = DemoUsage::generate(NOW, 5_000).unwrap();
        let second = DemoUsage::generate(NOW, 5_000).unwrap();
        assert_eq!(submissions(&first), submissions(&second));
        let later = DemoUsage::generate(NOW + Duration::days(1), 5_000).unwrap();
        assert_eq!(later.len(), first.len());
        assert_ne!(submissions(&later), submissions(&first));
    }

    #[test]
    fn batches_hold_one_agency_in_time_order_and_every_event_once() {
        let usage = DemoUsage::generate(NOW, 60_000).unwrap();
        let world = World::load().unwrap();
        let mut ids = HashSet::new();
        let mut largest = 0;
        for (agency, batch) in usage.batches() {
            assert!(!batch.is_empty() && batch.len() <= USAGE_BATCH);
            largest = largest.max(batch.len());
            let times: Vec<OffsetDateTime> = batch
                .iter()
                .map(|e| {
                    OffsetDateTime::parse(
                        &e.occurred_at,
                        &time::format_description::well_known::Rfc3339,
                    )
                    .unwrap()
                })
                .collect();
            assert!(times.is_sorted());
            for event in &batch {
                let file = world
                    .files
                    .iter()
                    .find(|f| f.id.as_str() == event.file)
                    .unwrap();
                assert_eq!(&file.agency, agency);
                assert!(ids.insert(event.id.clone()), "{} twice", event.id);
            }
        }
        assert_eq!(ids.len(), 60_000);
        assert_eq!(
            largest, USAGE_BATCH,
            "the largest agencies fill whole batches"
        );
    }

    #[test]
    fn times_fall_in_the_year_before_now_and_confidential_cases_end_in_the_coming_months() {
        let usage = DemoUsage::generate(NOW, 50_000).unwrap();
        let rfc = time::format_description::well_known::Rfc3339;
        let mut confidential = 0;
        let mut weekday_office = 0;
        for (_, event) in submissions(&usage) {
            let at = OffsetDateTime::parse(&event.occurred_at, &rfc).unwrap();
            assert!(
                at < NOW && at > NOW - Duration::days(366),
                "{}",
                event.occurred_at
            );
            assert!(event.occurred_at.ends_with("+08:00"));
            if let Some(c) = &event.confidential {
                confidential += 1;
                assert_eq!(c.ground, "GIDA-18-2");
                let until = Date::parse(
                    &c.until,
                    &time::macros::format_description!("[year]-[month]-[day]"),
                )
                .unwrap();
                assert!(
                    until > NOW.date() && until <= NOW.date() + Duration::days(181),
                    "{until}"
                );
                assert!(at > NOW - Duration::days(151));
            }
            if event
                .actor
                .as_deref()
                .is_some_and(|a| a.starts_with("dha-counter-"))
            {
                let local = at.to_offset(TAIPEI);
                assert!((8..18).contains(&local.hour()), "{}", event.occurred_at);
                weekday_office += usize::from(!matches!(
                    local.weekday(),
                    Weekday::Saturday | Weekday::Sunday
                ));
            }
        }
        assert!(confidential > 0);
        assert!(weekday_office > 1_000);
    }

    /// The whole demo: 300,000 events, every one accepted by the same checks as an agency's.
    #[test]
    fn every_demo_event_passes_the_checks_and_the_mix_is_complete() {
        let world = World::load().unwrap();
        let usage = DemoUsage::for_world(&world, NOW, DEMO_USAGE_EVENTS).unwrap();
        assert_eq!(usage.len(), DEMO_USAGE_EVENTS);
        let files: HashMap<FileId, PersonalDataFile> = world
            .files
            .iter()
            .map(|f| (f.id.clone(), f.clone()))
            .collect();
        let key = PseudonymKey::from_bytes([3; 32]);
        let citizens: HashMap<String, usize> = demo_citizens()
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.expose().to_owned(), i))
            .collect();

        let mut total = 0;
        let mut by_action: BTreeMap<String, usize> = BTreeMap::new();
        let (mut out_of_purpose, mut confidential) = (0, 0);
        let mut per_citizen = vec![0usize; citizens.len()];
        let mut citizen_files = vec![BTreeSet::new(); citizens.len()];
        let mut citizen_agencies = vec![BTreeSet::new(); citizens.len()];
        let (mut citizens_out_of_purpose, mut citizens_withheld, mut citizens_disclosed) =
            (HashSet::new(), HashSet::new(), HashSet::new());
        for (code, batch) in usage.batches() {
            let agency = world.agencies.iter().find(|a| &a.code == code).unwrap();
            let checked = check_batch(agency, &files, &batch, &key, NOW)
                .unwrap_or_else(|errors| panic!("{code}: {:?}", &errors[..errors.len().min(5)]));
            assert_eq!(checked.len(), batch.len());
            for (event, logged) in batch.iter().zip(&checked) {
                total += 1;
                *by_action.entry(event.action.clone()).or_default() += 1;
                let outside = logged.scope == PurposeScope::OutOfPurpose;
                out_of_purpose += usize::from(outside);
                if outside {
                    assert!(event.legal_basis.starts_with("PDPA-16-P"), "{event:?}");
                    assert!(event.legal_citation.is_some(), "{event:?}");
                }
                confidential += usize::from(event.confidential.is_some());
                if let Some(&citizen) = citizens.get(&event.subject) {
                    per_citizen[citizen] += 1;
                    citizen_files[citizen].insert(event.file.clone());
                    citizen_agencies[citizen].insert(code.clone());
                    if outside {
                        citizens_out_of_purpose.insert(citizen);
                    }
                    if event.confidential.is_some() {
                        citizens_withheld.insert(citizen);
                    }
                    if event.action == "disclose" {
                        citizens_disclosed.insert(citizen);
                    }
                }
            }
        }
        assert_eq!(total, DEMO_USAGE_EVENTS);
        for action in [
            "collect",
            "process",
            "use",
            "disclose",
            "link",
            "correct",
            "delete",
            "out_of_purpose_use",
        ] {
            assert!(
                by_action.get(action).is_some_and(|&n| n > 0),
                "no {action}: {by_action:?}"
            );
        }
        assert!(by_action["disclose"] > 20_000, "{by_action:?}");
        assert!(
            (300..=3_000).contains(&out_of_purpose),
            "{out_of_purpose} out of purpose"
        );
        assert!(
            (100..=600).contains(&confidential),
            "{confidential} confidential"
        );

        let fewest = per_citizen.iter().min().copied().unwrap_or_default();
        let most = per_citizen.iter().max().copied().unwrap_or_default();
        assert!(
            fewest >= 20 && most <= 400,
            "demo footprints from {fewest} to {most} events"
        );
        assert!(citizen_files.iter().all(|f| f.len() >= 3));
        assert!(citizen_agencies.iter().all(|a| a.len() >= 2));
        assert!(citizen_files.iter().filter(|f| f.len() >= 6).count() > citizens.len() / 2);
        assert!(
            citizens_out_of_purpose.len() >= 5,
            "{}",
            citizens_out_of_purpose.len()
        );
        assert!(citizens_withheld.len() >= 3, "{}", citizens_withheld.len());
        assert!(citizens_disclosed.len() > citizens.len() / 2);
    }

    fn kind(json: &str) -> Kind {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_kind_that_breaks_the_register_is_refused() {
        let world = World::load().unwrap();
        let nhi = world
            .files
            .iter()
            .find(|f| f.id.as_str() == "nhi-claims")
            .unwrap();
        let base = r#""weight": 1, "actor": "x", "hours": "office", "categories": ["C001"]"#;
        let good = kind(&format!(
            r#"{{{base}, "action": "use", "purpose": "031", "legal_basis": "PDPA-16-MAIN"}}"#
        ));
        assert_eq!(check_kind(nhi, &good), Ok(()));
        for (json, expected) in [
            (
                r#""action": "use", "purpose": "031", "legal_basis": "PDPA-15-2""#,
                "neither registered",
            ),
            (
                r#""action": "use", "purpose": "025", "legal_basis": "PDPA-16-MAIN""#,
                "Art. 16 proviso",
            ),
            (
                r#""action": "use", "purpose": "025", "legal_basis": "PDPA-16-P2""#,
                "not among the out-of-purpose bases",
            ),
            (
                r#""action": "use", "purpose": "025", "legal_basis": "PDPA-16-P1""#,
                "needs a citation",
            ),
            (
                r#""action": "out_of_purpose_use", "purpose": "031", "legal_basis": "PDPA-15-1""#,
                "Art. 16 proviso",
            ),
            (
                r#""action": "disclose", "purpose": "031", "legal_basis": "PDPA-16-MAIN""#,
                "needs recipients",
            ),
            (
                r#""action": "read", "purpose": "031", "legal_basis": "PDPA-16-MAIN""#,
                "action",
            ),
        ] {
            let error = check_kind(nhi, &kind(&format!("{{{base}, {json}}}"))).unwrap_err();
            assert!(error.contains(expected), "{json}: {error}");
        }
        let unregistered = kind(
            r#"{"weight": 1, "actor": "x", "hours": "office", "categories": ["C002"], "action": "use", "purpose": "031", "legal_basis": "PDPA-16-MAIN"}"#,
        );
        assert!(check_kind(nhi, &unregistered).unwrap_err().contains("C002"));
    }

    #[test]
    fn text_forms() {
        assert_eq!(uuid(0), "00000000-0000-4000-8000-000000000000");
        assert_eq!(uuid(u128::MAX), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(
            rfc3339(datetime!(2025-03-14 10:15:00 +8)),
            "2025-03-14T10:15:00+08:00"
        );
        assert_eq!(
            reference("{roc}年度偵字第{seq}號", 2025, 42),
            "114年度偵字第000042號"
        );
        assert_eq!(
            reference("NHI-{year}-{seq}", 2025, 123_456),
            "NHI-2025-123456"
        );
    }
}
