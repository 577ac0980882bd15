//! Coverage of the usage log: for every registered file, when it last reported an event and
//! how many it reports a day, and whether it has gone silent — a gap of months in a file's
//! access log must never again go unnoticed. Shared by `GET /api/v1/coverage` and the
//! `/coverage` page.

use std::collections::HashMap;

use lantern_domain::PersonalDataFile;
use lantern_store::{FileActivity, FileQuery, MAX_PAGE, Store, StoreError};
use time::{Date, Duration, OffsetDateTime};

/// The days over which the daily volume is averaged.
pub const VOLUME_WINDOW_DAYS: u16 = 30;

/// A file is silent after this many days without an event, unless the caller says otherwise.
pub const DEFAULT_SILENT_DAYS: u16 = 30;

/// One registered file's reporting.
#[derive(Debug, Clone)]
pub struct FileCoverage {
    /// The file as registered.
    pub file: PersonalDataFile,
    /// Its activity, `None` when it has never reported.
    pub activity: Option<FileActivity>,
    /// Its events per day over the last [`VOLUME_WINDOW_DAYS`] days, oldest first, one entry
    /// per day (zeros included).
    pub daily: Vec<(Date, u64)>,
    /// Whole days since its last event (`None` when it has never reported).
    pub days_since_last_event: Option<i64>,
    /// No event for the silent threshold, or never.
    pub silent: bool,
}

impl FileCoverage {
    /// Events over the window.
    #[must_use]
    pub fn window_events(&self) -> u64 {
        self.daily.iter().map(|(_, n)| n).sum()
    }

    /// Average events per day over the window.
    #[must_use]
    pub fn daily_average(&self) -> f64 {
        #[allow(
            clippy::cast_precision_loss,
            reason = "a count of events per day is far below 2^52"
        )]
        let events = self.window_events() as f64;
        events / f64::from(VOLUME_WINDOW_DAYS)
    }
}

/// Every registered file's coverage as of `now`, silent ones first (longest silent first),
/// then by file id.
///
/// # Errors
/// When the store cannot be read.
pub async fn coverage(
    store: &dyn Store,
    now: OffsetDateTime,
    silent_days: u16,
) -> Result<Vec<FileCoverage>, StoreError> {
    let today = now.date();
    let first_day = today - Duration::days(i64::from(VOLUME_WINDOW_DAYS) - 1);
    let files = all_files(store).await?;
    let mut activity: HashMap<_, _> = store
        .file_activity()
        .await?
        .into_iter()
        .map(|a| (a.file.clone(), a))
        .collect();
    let mut volumes: HashMap<_, HashMap<Date, u64>> = HashMap::new();
    for v in store.daily_volume(None, first_day, today).await? {
        volumes.entry(v.file).or_default().insert(v.day, v.events);
    }
    let mut out: Vec<FileCoverage> = files
        .into_iter()
        .map(|file| {
            let activity = activity.remove(&file.id);
            let days = volumes.remove(&file.id).unwrap_or_default();
            let daily = (0..i64::from(VOLUME_WINDOW_DAYS))
                .map(|i| {
                    let day = first_day + Duration::days(i);
                    (day, days.get(&day).copied().unwrap_or(0))
                })
                .collect();
            let days_since_last_event = activity
                .as_ref()
                .map(|a| (today - a.last_event.date()).whole_days().max(0));
            let silent = days_since_last_event.is_none_or(|d| d >= i64::from(silent_days));
            FileCoverage {
                file,
                activity,
                daily,
                days_since_last_event,
                silent,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.silent
            .cmp(&a.silent)
            .then_with(|| {
                let never = |c: &FileCoverage| c.days_since_last_event.unwrap_or(i64::MAX);
                never(b).cmp(&never(a))
            })
            .then_with(|| a.file.id.cmp(&b.file.id))
    });
    Ok(out)
}

async fn all_files(store: &dyn Store) -> Result<Vec<PersonalDataFile>, StoreError> {
    let mut files = Vec::new();
    loop {
        let page = store
            .search_files(&FileQuery {
                limit: MAX_PAGE,
                offset: u32::try_from(files.len()).unwrap_or(u32::MAX),
                ..FileQuery::default()
            })
            .await?;
        let done = page.items.is_empty()
            || files.len() + page.items.len() >= usize::try_from(page.total).unwrap_or(usize::MAX);
        files.extend(page.items.into_iter().map(|v| v.value));
        if done {
            return Ok(files);
        }
    }
}
