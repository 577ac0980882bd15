//! `lantern bench portal`: how fast a citizen with many events gets their footprint pages.
//!
//! The benchmark seeds the demo world (its register and its usage events) in a data directory,
//! adds `citizen_events` events of one more citizen spread over the past year, the demo's
//! files, actions and purposes, straight through the store, and serves it all on a loopback
//! port. With a session for that citizen it then asks, one request at a time, for the summary
//! (`/me`) and for a filtered list (`/me/events` by agency, action and period), and prints the
//! percentiles of the time from sending each request to having read its whole answer: server
//! time plus loopback, which is all a browser on the same machine would see.

use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use lantern_domain::{DataCategoryCode, LegalBasisCode, PersonalDataFile};
use lantern_log::{Action, CanonicalEvent, EventId, EventParts, PurposeScope, SubjectPseudonym};
use lantern_server::AppState;
use lantern_store::{CitizenSession, FileQuery, NewUsageEvent, Store};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::bench::{event_id, mix, report};
use super::bench_footprint::{millis, percentile};
use crate::config::{Mode, server_config};
use crate::demo::seed_demo;
use crate::keys::{KeyArgs, load_or_create};
use crate::open::open_sqlite;

/// Events per append.
const BATCH: usize = 5_000;

/// The session secret the benchmark's citizen logs in with (43 URL-safe base64 characters).
const SECRET: &str = "benchbenchbenchbenchbenchbenchbenchbenchbeA";

/// How the portal benchmark runs.
pub(crate) struct PortalPlan {
    /// Events of the measured citizen.
    pub(crate) citizen_events: u64,
    /// Demo usage events seeded around them.
    pub(crate) demo_events: usize,
    /// Requests to time per page.
    pub(crate) requests: u32,
}

/// Seeds, serves and measures; prints one line per page.
pub(crate) async fn portal(plan: PortalPlan) -> anyhow::Result<()> {
    let dir = tempfile::tempdir().context("creating a temporary data directory")?;
    let keys = load_or_create(dir.path(), &KeyArgs::default())?;
    let store = open_sqlite(dir.path())?;
    seed_demo(&store, &keys, plan.demo_events).await?;
    let citizen = SubjectPseudonym::from_bytes(Sha256::digest(b"lantern bench portal").into());
    let files = demo_files(store.as_ref()).await?;
    let loading = Instant::now();
    append_citizen_events(store.as_ref(), &citizen, &files, plan.citizen_events).await?;
    tracing::info!(
        elapsed_ms = loading.elapsed().as_millis(),
        "appended the citizen's events"
    );
    let now = OffsetDateTime::now_utc();
    store
        .create_citizen_session(&CitizenSession {
            id_hash: Sha256::digest(SECRET.as_bytes()).into(),
            subject: citizen,
            sealed_subject: Vec::new(),
            csrf_token: SECRET.to_owned(),
            created_at: now,
            expires_at: now + time::Duration::hours(1),
        })
        .await?;

    let listen = "127.0.0.1:0".parse()?;
    let state = AppState::new(store, server_config(listen, Mode::Demo), keys).await?;
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(lantern_server::serve(listener, state));
    let client = reqwest::Client::new();
    let busiest = &files[0];
    let from = (now - time::Duration::days(180)).date();
    let pages = [
        ("summary /me".to_owned(), "/me".to_owned()),
        (
            "filtered list /me/events".to_owned(),
            format!(
                "/me/events?agency={}&action=use&from={from}&page=2",
                busiest.agency
            ),
        ),
    ];
    for (name, path) in pages {
        let times = measure(&client, &format!("{base}{path}"), plan.requests).await?;
        report(&format!(
            "portal {name} ({} events of the citizen, {} requests): p50 {} p90 {} p99 {} max {} (target: p99 at most 200 ms)",
            plan.citizen_events,
            times.len(),
            millis(percentile(&times, 50)),
            millis(percentile(&times, 90)),
            millis(percentile(&times, 99)),
            millis(times.last().copied().unwrap_or_default()),
        ));
    }
    server.abort();
    Ok(())
}

/// The demo's files with at least one listed purpose, the largest databases first.
async fn demo_files(store: &dyn Store) -> anyhow::Result<Vec<PersonalDataFile>> {
    let page = store
        .search_files(&FileQuery {
            limit: 50,
            ..FileQuery::default()
        })
        .await?;
    let mut files: Vec<PersonalDataFile> = page
        .items
        .into_iter()
        .map(|versioned| versioned.value)
        .filter(|f| f.purpose_codes().next().is_some())
        .collect();
    files.sort_by_key(|f| f.large_database.is_none());
    if files.is_empty() {
        return Err(anyhow!(
            "the demo register has no file with a listed purpose"
        ));
    }
    Ok(files)
}

/// Appends `count` events of `citizen` over the past year, newest last, spread over `files`
/// (a third of them in the first), the actions and each file's purposes.
async fn append_citizen_events(
    store: &dyn Store,
    citizen: &SubjectPseudonym,
    files: &[PersonalDataFile],
    count: u64,
) -> anyhow::Result<()> {
    let now = OffsetDateTime::now_utc();
    let actions = [
        Action::Use,
        Action::Use,
        Action::Process,
        Action::Disclose,
        Action::Link,
    ];
    let basis = LegalBasisCode::parse("PDPA-16-MAIN").map_err(|e| anyhow!("basis: {e}"))?;
    let category = DataCategoryCode::parse("C001").map_err(|e| anyhow!("category: {e}"))?;
    let mut batch = Vec::with_capacity(BATCH);
    for k in 0..count {
        let noise = mix(k ^ 0x7070_7274_616c_0000);
        let file = if noise.is_multiple_of(3) {
            &files[0]
        } else {
            &files[usize::try_from(noise >> 8).unwrap_or(0) % files.len()]
        };
        let purposes: Vec<_> = file.purpose_codes().collect();
        let seconds_ago = (count - k) * 365 * 86_400 / count.max(1);
        let parts = EventParts {
            id: EventId::parse(&event_id(k ^ 0x00ff_0000_0000_0000))
                .map_err(|e| anyhow!("event id: {e}"))?,
            occurred_at: now - time::Duration::seconds(i64::try_from(seconds_ago)?),
            agency: file.agency.clone(),
            file: file.id.clone(),
            subject: *citizen,
            action: actions[usize::try_from(noise >> 20).unwrap_or(0) % actions.len()],
            purpose: purposes[usize::try_from(noise >> 32).unwrap_or(0) % purposes.len()].clone(),
            categories: vec![category.clone()],
            legal_basis: basis.clone(),
            legal_citation: None,
            recipient: None,
            reference: Some(format!("BENCH-{k}")),
            actor: Some("portal-bench".into()),
            records: 1 + noise % 3,
            confidential: None,
        };
        batch.push(NewUsageEvent {
            event: CanonicalEvent::new(parts).map_err(|e| anyhow!("event {k}: {e}"))?,
            scope: PurposeScope::WithinPurpose,
        });
        if batch.len() == BATCH || k + 1 == count {
            store
                .append_events(std::mem::take(&mut batch), OffsetDateTime::now_utc())
                .await?;
        }
    }
    Ok(())
}

/// Times `requests` sequential GETs of `url` with the citizen's cookie; sorted.
async fn measure(
    client: &reqwest::Client,
    url: &str,
    requests: u32,
) -> anyhow::Result<Vec<Duration>> {
    let cookie = format!("lantern_citizen={SECRET}");
    let mut times = Vec::with_capacity(usize::try_from(requests)?);
    for _ in 0..requests {
        let started = Instant::now();
        let response = client
            .get(url)
            .header(reqwest::header::COOKIE, &cookie)
            .send()
            .await
            .with_context(|| format!("GET {url}"))?;
        let status = response.status();
        let body = response.bytes().await?;
        times.push(started.elapsed());
        if !status.is_success() || body.is_empty() {
            return Err(anyhow!("GET {url} answered {status}"));
        }
    }
    times.sort_unstable();
    Ok(times)
}
