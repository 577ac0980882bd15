//! `lantern bench footprint`: how fast one subject's events come back from a large log.
//!
//! The benchmark fills a store with synthetic events straight through
//! [`append_events`](lantern_store::UsageLogStore::append_events) (batches of [`BATCH`], as
//! the ingestion path appends them, without HTTP or register checks), then times
//! [`footprint`](lantern_store::UsageLogStore::footprint) for random subjects, one query at a
//! time, and prints the latency percentiles. The events are routine uses of the NHI claims
//! database by `subjects` synthetic subjects (already pseudonymised), in the
//! order they happened over the past year; one in [`CONFIDENTIAL_EVERY`] is withheld from its
//! subject until a date in the future, so the footprint's withheld counts are exercised.
//!
//! Loading ten million events takes a while, so a loaded store is kept for the next run when it
//! is not a temporary directory: a store marked as this benchmark's ([`MARKER`]) that holds
//! enough events is reused as it is, and one with fewer gets the rest (event `k` is the same
//! event in every run, so an interrupted load continues where it stopped).

use std::fmt::Display;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use indicatif::{ProgressBar, ProgressState, ProgressStyle};
use lantern_domain::{
    AgencyCode, DataCategoryCode, FileId, LegalBasisCode, PurposeCode, RestrictionGroundCode,
};
use lantern_log::{
    Action, CanonicalEvent, Confidential, EventId, EventParts, PurposeScope, SubjectPseudonym,
};
use lantern_store::{FootprintQuery, NewUsageEvent, Store};
use lantern_store_postgres::PostgresStore;
use rand::Rng as _;
use time::{Date, OffsetDateTime};

use super::bench::{event_id, mix, report};
use crate::open::{SQLITE_FILE, open_sqlite};

/// Events per append, as the ingestion path appends at most.
const BATCH: u64 = 10_000;

/// One event in this many is confidential (withheld from its subject for a while).
const CONFIDENTIAL_EVERY: u64 = 500;

/// The page a query asks for: the first, of this many events.
const PAGE: u32 = 50;

/// The setting that marks a store as this benchmark's; its value is the number of subjects the
/// events are spread over.
const MARKER: &str = "bench.footprint.subjects";

/// The PostgreSQL schema the benchmark keeps its events in.
const PG_SCHEMA: &str = "lantern_bench_footprint";

/// The seconds of a year: events happen over the year before the load.
const YEAR_SECONDS: u64 = 365 * 86_400;

/// How the footprint benchmark runs.
pub(crate) struct FootprintPlan {
    /// Events the log must hold before measuring.
    pub(crate) events: u64,
    /// Distinct subjects the events are spread over.
    pub(crate) subjects: u64,
    /// Queries to time.
    pub(crate) queries: u32,
    /// SQLite data directory (a temporary one when absent).
    pub(crate) data: Option<PathBuf>,
    /// PostgreSQL instead of SQLite.
    pub(crate) database_url: Option<String>,
}

/// Where the benchmark's store lives.
enum Backend {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Backend {
    fn name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "SQLite",
            Self::Postgres(_) => "PostgreSQL",
        }
    }

    async fn open(&self) -> anyhow::Result<Arc<dyn Store>> {
        match self {
            Self::Sqlite(dir) => open_sqlite(dir),
            Self::Postgres(url) => Ok(Arc::new(
                PostgresStore::connect_in_schema(url, PG_SCHEMA)
                    .await
                    .context("connecting to PostgreSQL")?,
            )),
        }
    }

    /// The bytes the store takes on disk: the database file and its WAL for SQLite, the
    /// schema's tables with their indexes and TOAST for PostgreSQL.
    async fn size_on_disk(&self) -> anyhow::Result<u64> {
        match self {
            Self::Sqlite(dir) => {
                let mut bytes = 0;
                for entry in std::fs::read_dir(dir)? {
                    let entry = entry?;
                    if entry.file_name().to_string_lossy().starts_with(SQLITE_FILE) {
                        bytes += entry.metadata()?.len();
                    }
                }
                Ok(bytes)
            }
            Self::Postgres(url) => {
                let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                    .await
                    .context("connecting to PostgreSQL")?;
                let connection = tokio::spawn(connection);
                let row = client
                    .query_one(
                        "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint
                         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')",
                        &[&PG_SCHEMA],
                    )
                    .await?;
                drop(client);
                let _ = connection.await;
                Ok(u64::try_from(row.get::<_, i64>(0))?)
            }
        }
    }
}

/// Runs the footprint benchmark and prints its figures.
pub(crate) async fn footprint(plan: FootprintPlan) -> anyhow::Result<()> {
    let temp = tempfile::tempdir().context("creating a temporary data directory")?;
    let backend = match &plan.database_url {
        Some(url) => Backend::Postgres(url.clone()),
        None => Backend::Sqlite(plan.data.clone().unwrap_or_else(|| temp.path().to_owned())),
    };
    let store = backend.open().await?;
    let stored = claim(store.as_ref(), &backend, plan.subjects).await?;

    let load = if stored < plan.events {
        let started = Instant::now();
        load(&store, stored, &plan).await?;
        Some((plan.events - stored, started.elapsed()))
    } else {
        None
    };
    let size = store.tree_head().await?.size;

    // The first query may find caches cold (the page cache, a store's in-memory state): time
    // it, but apart.
    let first = query(store.as_ref(), 0).await?.0;
    let mut latencies = Vec::with_capacity(usize::try_from(plan.queries)?);
    let (mut events_seen, mut withheld_seen) = (0_u64, 0_u64);
    let mut rng = rand::rng();
    for _ in 0..plan.queries {
        let (took, visible, withheld) =
            query(store.as_ref(), rng.random_range(0..plan.subjects)).await?;
        latencies.push(took);
        events_seen += visible + withheld;
        withheld_seen += withheld;
    }
    latencies.sort_unstable();
    let on_disk = backend.size_on_disk().await?;

    let name = backend.name();
    match load {
        Some((loaded, took)) => report(&format!(
            "footprint ({name}) load: {loaded} events appended in batches of {BATCH} in {:.1} s: {:.0} events/s",
            took.as_secs_f64(),
            per_second(loaded, took)
        )),
        None => report(&format!(
            "footprint ({name}) load: none, reused the {size} events already stored"
        )),
    }
    report(&format!(
        "footprint ({name}) database on disk: {:.0} MiB for {size} events",
        mebibytes(on_disk)
    ));
    report(&format!(
        "footprint ({name}): {} queries of the first page ({PAGE}) over {size} events, {} subjects \
         (mean {:.1} events per subject queried, {:.2} withheld): \
         p50 {} p90 {} p99 {} max {} (target: p99 at most 10 ms); first query {}",
        plan.queries,
        plan.subjects,
        mean(events_seen, plan.queries),
        mean(withheld_seen, plan.queries),
        millis(percentile(&latencies, 50)),
        millis(percentile(&latencies, 90)),
        millis(percentile(&latencies, 99)),
        millis(latencies.last().copied().unwrap_or_default()),
        millis(first),
    ));
    Ok(())
}

/// Checks that the store is empty or this benchmark's, loaded over the same subjects, marks an
/// empty one, and returns how many events it holds.
async fn claim(store: &dyn Store, backend: &Backend, subjects: u64) -> anyhow::Result<u64> {
    let stored = store.tree_head().await?.size;
    let where_ = match backend {
        Backend::Sqlite(dir) => dir.display().to_string(),
        Backend::Postgres(_) => format!("schema {PG_SCHEMA}"),
    };
    let empty = stored == 0 && store.agencies().await?.is_empty();
    match store.setting(MARKER).await? {
        None if !empty => bail!(
            "{where_} holds data this benchmark did not write: give it an empty data directory (or none)"
        ),
        None => {
            store.put_setting(MARKER, &subjects.to_string()).await?;
            Ok(0)
        }
        Some(marked) if marked != subjects.to_string() => bail!(
            "{where_} was loaded over {marked} subjects: run with --subjects {marked}, or give another data directory"
        ),
        Some(_) => Ok(stored),
    }
}

/// Appends events `from .. plan.events` in batches of [`BATCH`], generated on a thread of
/// their own while the previous batch is appended, with a progress bar on stderr.
async fn load(store: &Arc<dyn Store>, from: u64, plan: &FootprintPlan) -> anyhow::Result<()> {
    let generator = Generator::new(plan.events, plan.subjects)?;
    let (sender, mut batches) = tokio::sync::mpsc::channel::<Vec<NewUsageEvent>>(2);
    let total = plan.events;
    let producer = tokio::task::spawn_blocking(move || {
        let mut start = from;
        while start < total {
            let end = (start + BATCH).min(total);
            let batch = (start..end)
                .map(|k| generator.event(k))
                .collect::<anyhow::Result<Vec<_>>>()?;
            if sender.blocking_send(batch).is_err() {
                break; // The loader stopped on an error of its own.
            }
            start = end;
        }
        anyhow::Ok(())
    });

    let progress = progress_bar(total, from);
    let result = async {
        let mut expected = from;
        while let Some(batch) = batches.recv().await {
            let count = batch.len() as u64;
            let receipt = store
                .append_events(batch, OffsetDateTime::now_utc())
                .await?;
            let first = receipt.outcomes.first().map(|o| o.index());
            if receipt.tree.size != expected + count || first != Some(expected) {
                bail!(
                    "the log did not grow as this benchmark appended it (expected events {expected}.. at \
                     leaves {expected}.., got a tree of {}): was it written by something else too?",
                    receipt.tree.size
                );
            }
            expected += count;
            progress.set_position(expected);
        }
        anyhow::Ok(())
    }
    .await;
    drop(batches);
    match &result {
        Ok(()) => progress.finish_and_clear(),
        Err(_) => progress.abandon(),
    }
    producer.await??;
    result
}

/// Times one footprint query for subject number `who`; returns the time taken and the
/// subject's visible and withheld events.
async fn query(store: &dyn Store, who: u64) -> anyhow::Result<(Duration, u64, u64)> {
    let subject = pseudonym(who);
    let today = OffsetDateTime::now_utc().date();
    let started = Instant::now();
    let footprint = store
        .footprint(FootprintQuery {
            subject: &subject,
            today,
            limit: PAGE,
            offset: 0,
        })
        .await?;
    let took = started.elapsed();
    let withheld = footprint.withheld.iter().map(|w| w.events).sum();
    Ok((took, footprint.total, withheld))
}

/// Makes the benchmark's events: event `k` is the same in every run but for its times, which
/// follow the wall clock.
struct Generator {
    events: u64,
    subjects: u64,
    now: OffsetDateTime,
    today: Date,
    agency: AgencyCode,
    file: FileId,
    purpose: PurposeCode,
    categories: [DataCategoryCode; 2],
    legal_bases: [LegalBasisCode; 2],
    grounds: [RestrictionGroundCode; 4],
}

impl Generator {
    fn new(events: u64, subjects: u64) -> anyhow::Result<Self> {
        let now = OffsetDateTime::now_utc();
        Ok(Self {
            events,
            subjects,
            now,
            today: now.date(),
            agency: code(AgencyCode::parse("MOHW-NHIA"))?,
            file: code(FileId::parse("nhi-claims"))?,
            purpose: code(PurposeCode::parse("031"))?,
            categories: [
                code(DataCategoryCode::parse("C001"))?,
                code(DataCategoryCode::parse("C111"))?,
            ],
            legal_bases: [
                code(LegalBasisCode::parse("PDPA-6-P1"))?,
                code(LegalBasisCode::parse("PDPA-6-P2"))?,
            ],
            grounds: [
                code(RestrictionGroundCode::parse("GIDA-18-1"))?,
                code(RestrictionGroundCode::parse("GIDA-18-2"))?,
                code(RestrictionGroundCode::parse("GIDA-18-4"))?,
                code(RestrictionGroundCode::parse("GIDA-18-6"))?,
            ],
        })
    }

    /// Event `k`: a use of the NHI claims database by subject `mix(k') % subjects`, at a time
    /// `k / events` of the way through the past year (less up to an hour), confidential when `k`
    /// is a multiple of [`CONFIDENTIAL_EVERY`].
    fn event(&self, k: u64) -> anyhow::Result<NewUsageEvent> {
        let noise = mix(k ^ 0x5bd1_e995_0000_0000);
        let before_now = u128::from(YEAR_SECONDS) * u128::from(self.events - k.min(self.events))
            / u128::from(self.events.max(1))
            + u128::from(noise % 3_600);
        let occurred_at = self.now - time::Duration::seconds(i64::try_from(before_now)?);
        let categories = if noise.is_multiple_of(2) {
            vec![self.categories[0].clone()]
        } else {
            self.categories.to_vec()
        };
        let confidential = k.is_multiple_of(CONFIDENTIAL_EVERY).then(|| Confidential {
            ground: self.grounds[usize::try_from(noise >> 60).unwrap_or(0) % self.grounds.len()]
                .clone(),
            until: self.today
                + time::Duration::days(30 + i64::try_from((noise >> 8) % 700).unwrap_or(0)),
        });
        let parts = EventParts {
            id: EventId::parse(&event_id(k)).map_err(|e| anyhow!("event id: {e}"))?,
            occurred_at,
            agency: self.agency.clone(),
            file: self.file.clone(),
            subject: pseudonym(mix(k.rotate_left(29) ^ 0x0123_4567_89ab_cdef) % self.subjects),
            action: Action::Use,
            purpose: self.purpose.clone(),
            categories,
            legal_basis: self.legal_bases[usize::from(noise.is_multiple_of(10))].clone(),
            legal_citation: None,
            recipient: None,
            reference: Some(format!("案件-{k}")),
            actor: Some(format!("claims-system-{}", k % 7)),
            records: 1,
            confidential,
        };
        Ok(NewUsageEvent {
            event: CanonicalEvent::new(parts).map_err(|e| anyhow!("event {k}: {e}"))?,
            scope: PurposeScope::WithinPurpose,
        })
    }
}

/// The pseudonym of subject number `who`: 32 bytes spread from it.
fn pseudonym(who: u64) -> SubjectPseudonym {
    let mut bytes = [0; 32];
    for (i, chunk) in (0_u64..).zip(bytes.chunks_mut(8)) {
        chunk.copy_from_slice(&mix(who ^ (i << 40)).to_le_bytes());
    }
    SubjectPseudonym::from_bytes(bytes)
}

fn code<T, E: Display>(parsed: Result<T, E>) -> anyhow::Result<T> {
    parsed.map_err(|e| anyhow!("a code of the benchmark's events: {e}"))
}

/// A bar over the events to load with their rate, on stderr (hidden when stderr is not a
/// terminal).
fn progress_bar(total: u64, done: u64) -> ProgressBar {
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} {elapsed_precise} [{wide_bar}] {human_pos}/{human_len} events, {rate} events/s, {eta} left",
    ) {
        bar.set_style(
            style
                .with_key(
                    "rate",
                    |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{:.0}", state.per_sec());
                    },
                )
                .progress_chars("=> "),
        );
    }
    bar.set_position(done);
    bar.reset_eta();
    bar
}

/// The `p`-th percentile of sorted `values` (nearest rank).
pub(crate) fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted[rank - 1]
}

/// A duration in milliseconds, two decimals.
pub(crate) fn millis(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

#[allow(
    clippy::cast_precision_loss,
    reason = "counts are far below 2^52; these are printed figures"
)]
fn per_second(count: u64, took: Duration) -> f64 {
    count as f64 / took.as_secs_f64().max(1e-3)
}

#[allow(
    clippy::cast_precision_loss,
    reason = "counts are far below 2^52; these are printed figures"
)]
fn mean(sum: u64, count: u32) -> f64 {
    sum as f64 / f64::from(count.max(1))
}

#[allow(
    clippy::cast_precision_loss,
    reason = "sizes are far below 2^52; these are printed figures"
)]
fn mebibytes(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_valid_spread_and_sometimes_confidential() {
        let generator = Generator::new(10_000, 100).unwrap();
        let events: Vec<_> = (0..1_000).map(|k| generator.event(k).unwrap()).collect();
        let confidential = events
            .iter()
            .filter(|e| e.event.parts().confidential.is_some())
            .count();
        assert_eq!(confidential, 2);
        for e in &events {
            let parts = e.event.parts();
            assert!(parts.occurred_at <= generator.now);
            assert!(parts.occurred_at > generator.now - time::Duration::days(366));
            if let Some(c) = &parts.confidential {
                assert!(c.until > generator.today);
            }
        }
        let subjects: std::collections::HashSet<_> =
            events.iter().map(|e| e.event.parts().subject).collect();
        assert!(subjects.len() > 90, "{} subjects", subjects.len());
        assert_eq!(generator.event(7).unwrap(), generator.event(7).unwrap());
    }

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let values: Vec<_> = (1..=200).map(Duration::from_millis).collect();
        assert_eq!(percentile(&values, 50), Duration::from_millis(100));
        assert_eq!(percentile(&values, 99), Duration::from_millis(198));
        assert_eq!(percentile(&values[..1], 99), Duration::from_millis(1));
        assert_eq!(percentile(&[], 99), Duration::ZERO);
    }
}
