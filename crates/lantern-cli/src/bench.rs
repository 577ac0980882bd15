//! `lantern bench ...`: measurements that print their figures (recorded in docs/benchmarks.md).

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use lantern_server::AppState;

use crate::cli::BenchCommand;
use crate::config::{Mode, server_config};
use crate::demo::seed_demo;
use crate::keys::{KeyArgs, load_or_create};
use crate::open::open_sqlite;

/// Runs one benchmark.
pub(crate) async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::DemoStart { data: Some(dir) } => demo_start(&dir).await,
        BenchCommand::DemoStart { data: None } => {
            let dir = tempfile::tempdir().context("creating a temporary data directory")?;
            demo_start(dir.path()).await
        }
        BenchCommand::Ingest {
            events,
            batch,
            concurrency,
            subjects,
            data,
            database_url,
        } => {
            crate::bench_ingest::ingest(crate::bench_ingest::IngestPlan {
                events,
                batch,
                concurrency,
                subjects,
                data,
                database_url,
            })
            .await
        }
        BenchCommand::Footprint {
            events,
            subjects,
            queries,
            data,
            database_url,
        } => {
            crate::bench_footprint::footprint(crate::bench_footprint::FootprintPlan {
                events,
                subjects,
                queries,
                data,
                database_url,
            })
            .await
        }
        BenchCommand::Portal {
            citizen_events,
            demo_events,
            requests,
        } => {
            crate::bench_portal::portal(crate::bench_portal::PortalPlan {
                citizen_events,
                demo_events,
                requests,
            })
            .await
        }
    }
}

/// Seeds `dir` and serves it on a free loopback port, timing each phase until `/healthz`
/// answers 200.
async fn demo_start(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        bail!(
            "{} is not empty: the benchmark needs an empty data directory",
            dir.display()
        );
    }
    let started = Instant::now();
    let keys = load_or_create(dir, &KeyArgs::default())?;
    let store = open_sqlite(dir)?;
    seed_demo(&store, &keys, lantern_demo::DEMO_USAGE_EVENTS).await?;
    let seeded = started.elapsed();

    let listen: SocketAddr = "127.0.0.1:0".parse()?;
    let state = AppState::new(store, server_config(listen, Mode::Demo), keys).await?;
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let url = format!("http://{}/healthz", listener.local_addr()?);
    let server = tokio::spawn(lantern_server::serve(listener, state));
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match client.get(&url).send().await {
            Ok(response) if response.status().is_success() => break,
            _ if Instant::now() > deadline => {
                bail!("the demo server did not answer {url} within 60 s")
            }
            // Connection refused until the accept loop runs; ask again at once.
            _ => tokio::task::yield_now().await,
        }
    }
    let ready = started.elapsed();
    server.abort();
    report(&format!(
        "demo-start: seeded in {} ms, first health check answered after {} ms (target: 30000 ms)",
        seeded.as_millis(),
        ready.as_millis()
    ));
    Ok(())
}

/// Prints a benchmark's figure on stdout.
#[allow(clippy::print_stdout)]
pub(crate) fn report(line: &str) {
    println!("{line}");
}

/// A well-spread 64-bit value of `n` (SplitMix64's finaliser: a bijection, so distinct `n` give
/// distinct values).
pub(crate) fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The `n`-th event id of a benchmark: a random-looking version-4 UUID, as clients make them,
/// the same for the same `n` and different for different `n` (all 64 bits of `mix(n)` are in
/// it).
pub(crate) fn event_id(n: u64) -> String {
    let (high, low) = (mix(n), mix(!n));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        (high >> 4) & 0xfff,
        0x8 | (low >> 62),
        ((high & 0xf) << 8) | ((low >> 54) & 0xff),
        low & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn event_ids_are_distinct_version_4_uuids() {
        let mut seen = HashSet::new();
        for n in (0..50_000).chain([u64::MAX - 1, u64::MAX]) {
            let id = event_id(n);
            assert!(
                lantern_log::EventId::parse(&id).is_ok(),
                "{id} is not a UUID"
            );
            assert_eq!(&id[14..15], "4", "{id}: version 4");
            assert!(
                matches!(&id[19..20], "8" | "9" | "a" | "b"),
                "{id}: variant"
            );
            assert!(seen.insert(id), "event {n} repeats an id");
        }
    }
}
