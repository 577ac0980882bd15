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
        } => {
            crate::bench_ingest::ingest(crate::bench_ingest::IngestPlan {
                events,
                batch,
                concurrency,
                subjects,
                data,
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
    seed_demo(&store, &keys.subject_key, lantern_demo::DEMO_USAGE_EVENTS).await?;
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
