//! `lantern bench ingest`: the usage log's ingestion figures.
//!
//! The ingest benchmark runs the server as a separate `lantern serve` process on a fresh data
//! directory holding the demo world, and sends it batches of events over HTTP on loopback from
//! this process, several batches in flight. It prints the acknowledged events per second, the
//! longest time from an acknowledgement to a signed checkpoint that covers it (an upper bound:
//! the checkpoint is polled every 50 ms) and the server's peak resident memory.
//!
//! With `--database-url` the server keeps its data in PostgreSQL instead of SQLite: in a new
//! schema `lantern_bench_<pid>` of the given database, which this process creates, seeds with
//! the demo world, hands to the server through the URL's `search_path`, and drops at the end.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use lantern_domain::SubjectId;
use lantern_store::Store;
use lantern_store_postgres::PostgresStore;
use tokio::sync::Mutex;

use crate::demo::seed_demo;
use crate::keys::{KeyArgs, load_or_create};

/// How the ingest benchmark runs.
pub(crate) struct IngestPlan {
    /// Events to send in all.
    pub(crate) events: u64,
    /// Events per request.
    pub(crate) batch: u64,
    /// Requests in flight.
    pub(crate) concurrency: usize,
    /// Distinct subjects the events are spread over.
    pub(crate) subjects: u32,
    /// Data directory (a temporary one when absent).
    pub(crate) data: Option<PathBuf>,
    /// PostgreSQL instead of SQLite.
    pub(crate) database_url: Option<String>,
}

/// The environment variables of the `lantern` commands the benchmark runs that could point
/// them elsewhere than the benchmark's own database and keys.
const INHERITED: [&str; 4] = [
    "LANTERN_DATABASE_URL",
    "LANTERN_LOG_ORIGIN",
    "LANTERN_LOG_SIGNING_KEY_FILE",
    "LANTERN_SUBJECT_KEY_FILE",
];

/// The database the server uses.
enum Database {
    /// SQLite in the data directory.
    Sqlite,
    /// PostgreSQL at this URL, which selects the benchmark's schema.
    Postgres(String),
}

impl Database {
    fn name(&self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres(_) => "PostgreSQL",
        }
    }

    /// `lantern ARGS --data DATA` on this database, logging only warnings. The URL goes through
    /// the environment, where other users cannot read it, rather than the command line.
    fn lantern(&self, exe: &Path, args: &[&str], data: &Path) -> Command {
        let mut command = Command::new(exe);
        command
            .args(args)
            .arg("--data")
            .arg(data)
            .env("LANTERN_LOG", "warn")
            .stdin(Stdio::null());
        for name in INHERITED {
            command.env_remove(name);
        }
        if let Self::Postgres(url) = self {
            command.env("LANTERN_DATABASE_URL", url);
        }
        command
    }
}

/// Runs the ingest benchmark and prints its figures.
pub(crate) async fn ingest(plan: IngestPlan) -> anyhow::Result<()> {
    let temp = tempfile::tempdir().context("creating a temporary data directory")?;
    let data = plan.data.clone().unwrap_or_else(|| temp.path().to_owned());
    let exe = std::env::current_exe().context("finding the lantern executable")?;
    match &plan.database_url {
        None => {
            run_quiet(Database::Sqlite.lantern(&exe, &["demo", "--seed-only"], &data))
                .context("seeding the demo world")?;
            run(&plan, &exe, &data, &Database::Sqlite).await
        }
        Some(url) => {
            let schema = format!("lantern_bench_{}", std::process::id());
            let result = async {
                let database = seed_postgres(url, &schema, &data).await?;
                run(&plan, &exe, &data, &database).await
            }
            .await;
            let dropped = drop_schema(url, &schema).await;
            result?;
            dropped
        }
    }
}

/// Creates `schema` in the database at `url`, seeds the demo world into it (with the keys of
/// `data`), and returns the database with a URL that selects the schema.
async fn seed_postgres(url: &str, schema: &str, data: &Path) -> anyhow::Result<Database> {
    let in_schema = url_in_schema(url, schema)?;
    let store: Arc<dyn Store> = Arc::new(
        PostgresStore::connect_in_schema(url, schema)
            .await
            .with_context(|| format!("creating the schema {schema} in PostgreSQL"))?,
    );
    if store.tree_head().await?.size > 0 || !store.agencies().await?.is_empty() {
        bail!("the schema {schema} already holds data: the benchmark needs a fresh one");
    }
    let keys = load_or_create(data, &KeyArgs::default())?;
    seed_demo(&store, &keys, lantern_demo::DEMO_USAGE_EVENTS)
        .await
        .context("seeding the demo world")?;
    Ok(Database::Postgres(in_schema))
}

/// `url` with its `search_path` set to `schema` (through the `options` connection parameter),
/// in URL or key=value form as `url` is.
fn url_in_schema(url: &str, schema: &str) -> anyhow::Result<String> {
    if url.contains("options=") || url.contains("options =") {
        bail!(
            "the PostgreSQL URL sets options already; the benchmark sets search_path through them"
        );
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let separator = if url.contains('?') { '&' } else { '?' };
        Ok(format!(
            "{url}{separator}options=-c%20search_path%3D{schema}"
        ))
    } else {
        Ok(format!("{url} options='-c search_path={schema}'"))
    }
}

/// Drops the benchmark's schema and everything in it.
async fn drop_schema(url: &str, schema: &str) -> anyhow::Result<()> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .context("connecting to PostgreSQL to drop the benchmark's schema")?;
    let connection = tokio::spawn(connection);
    client
        .batch_execute(&format!(
            "SET client_min_messages = warning; DROP SCHEMA IF EXISTS {schema} CASCADE"
        ))
        .await
        .with_context(|| format!("dropping the schema {schema}"))?;
    drop(client);
    let _ = connection.await;
    Ok(())
}

/// Issues a token, starts the server, sends the events and prints the figures.
async fn run(
    plan: &IngestPlan,
    exe: &Path,
    data: &Path,
    database: &Database,
) -> anyhow::Result<()> {
    let token = run_quiet(database.lantern(
        exe,
        &["admin", "agency-token", "--agency", "MOHW-NHIA"],
        data,
    ))
    .context("issuing an agency token")?;
    let port = free_port()?;
    let mut server = Server::start(database.lantern(exe, &["serve"], data), port)?;
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(plan.concurrency)
        .build()?;
    wait_ready(&client, &base).await?;

    let subjects = Arc::new(subjects(plan.subjects));
    let next = Arc::new(AtomicU64::new(0));
    // Counted from the answers: the checkpoint lags the last acknowledgements.
    let accepted = Arc::new(AtomicU64::new(0));
    let batches = plan.events.div_ceil(plan.batch);
    let acks: Arc<Mutex<Vec<(u64, Instant)>>> = Arc::new(Mutex::new(Vec::new()));
    let worst_lag = Arc::new(Mutex::new(Duration::ZERO));
    let watcher = tokio::spawn(watch_checkpoints(
        client.clone(),
        base.clone(),
        Arc::clone(&acks),
        Arc::clone(&worst_lag),
    ));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..plan.concurrency {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        let (subjects, next, acks) = (Arc::clone(&subjects), Arc::clone(&next), Arc::clone(&acks));
        let accepted = Arc::clone(&accepted);
        let batch_size = plan.batch;
        workers.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= batches {
                    return anyhow::Ok(());
                }
                let body = batch_body(n, batch_size, &subjects);
                let response = client
                    .post(format!("{base}/api/v1/events"))
                    .bearer_auth(&token)
                    .header("content-type", "application/x-ndjson")
                    .body(body)
                    .send()
                    .await?;
                if !response.status().is_success() {
                    bail!(
                        "batch {n}: {} {}",
                        response.status(),
                        response.text().await?
                    );
                }
                let answer: serde_json::Value = response.json().await?;
                let size = answer["tree_size"].as_u64().unwrap_or(0);
                let new = answer["accepted"].as_u64().unwrap_or(0);
                if new != batch_size {
                    bail!("batch {n}: only {new} of {batch_size} events were new");
                }
                accepted.fetch_add(new, Ordering::Relaxed);
                acks.lock().await.push((size, Instant::now()));
            }
        }));
    }
    for worker in workers {
        worker.await??;
    }
    let elapsed = started.elapsed();
    // Let the watcher see the last checkpoint.
    while !acks.lock().await.is_empty() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    watcher.abort();
    let peak = server.peak_rss_kib()?;
    server.stop();
    let sent = accepted.load(Ordering::Relaxed);
    #[allow(
        clippy::cast_precision_loss,
        reason = "event counts are far below 2^52"
    )]
    let rate = sent as f64 / elapsed.as_secs_f64();
    super::bench::report(&format!(
        "ingest ({}): {sent} events in batches of {} with {} in flight, {:.1} s: {rate:.0} events/s acknowledged; \
         longest ack-to-checkpoint {} ms; server peak RSS {} MiB",
        database.name(),
        plan.batch,
        plan.concurrency,
        elapsed.as_secs_f64(),
        worst_lag.lock().await.as_millis(),
        peak / 1024
    ));
    Ok(())
}

/// Polls the checkpoint and records how long acknowledged sizes waited to be covered.
async fn watch_checkpoints(
    client: reqwest::Client,
    base: String,
    acks: Arc<Mutex<Vec<(u64, Instant)>>>,
    worst: Arc<Mutex<Duration>>,
) {
    loop {
        if let Ok(size) = checkpoint_size(&client, &base).await {
            let now = Instant::now();
            let mut acks = acks.lock().await;
            let mut worst = worst.lock().await;
            acks.retain(|(acked, at)| {
                if *acked <= size {
                    *worst = (*worst).max(now - *at);
                    false
                } else {
                    true
                }
            });
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn checkpoint_size(client: &reqwest::Client, base: &str) -> anyhow::Result<u64> {
    let text = client
        .get(format!("{base}/log/checkpoint"))
        .send()
        .await?
        .error_for_status()?
        .text()
        .await?;
    let size = text
        .lines()
        .nth(1)
        .context("a checkpoint has a size line")?;
    Ok(size.parse()?)
}

/// One NDJSON batch: routine uses of the NHI claims database.
fn batch_body(n: u64, size: u64, subjects: &[String]) -> Vec<u8> {
    let mut body = Vec::with_capacity(usize::try_from(size).unwrap_or(0) * 330);
    for i in 0..size {
        let k = n * size + i;
        let subject = &subjects[usize::try_from(k % subjects.len() as u64).unwrap_or(0)];
        let id = super::bench::event_id(k);
        let line = format!(
            r#"{{"id":"{id}","occurred_at":"2026-{:02}-{:02}T{:02}:{:02}:00+08:00","file":"nhi-claims","subject":"{subject}","action":"use","purpose":"031","categories":["C001","C111"],"legal_basis":"PDPA-6-P1","actor":"claims-system-{}"}}"#,
            1 + k % 10,
            1 + k % 28,
            k % 24,
            k % 60,
            k % 7
        );
        body.extend_from_slice(line.as_bytes());
        body.push(b'\n');
    }
    body
}

/// `count` distinct valid national IDs.
fn subjects(count: u32) -> Vec<String> {
    (0..count)
        .filter_map(|i| {
            let letter = char::from(b'A' + u8::try_from(i % 26).unwrap_or(0));
            let second = if i % 2 == 0 { '1' } else { '2' };
            SubjectId::with_check_digit(letter, second, &format!("{:07}", i / 2))
                .ok()
                .map(|id| id.expose().to_owned())
        })
        .collect()
}

/// Runs a `lantern` command to completion and returns its stdout, trimmed.
fn run_quiet(mut command: Command) -> anyhow::Result<String> {
    let output = command.output()?;
    if !output.status.success() {
        // Not the command's Debug form: that shows its environment, and so the database URL.
        let args: Vec<_> = command.get_args().map(|a| a.to_string_lossy()).collect();
        bail!(
            "lantern {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8(output.stdout)?.trim().to_owned())
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

async fn wait_ready(client: &reqwest::Client, base: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("the server did not answer {base}/healthz within 60 s")
}

/// The server process, stopped when dropped.
struct Server(Child);

impl Server {
    /// Starts `serve`, a `lantern serve` command, listening on loopback at `port`.
    fn start(mut serve: Command, port: u16) -> anyhow::Result<Self> {
        let child = serve
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .spawn()
            .context("starting lantern serve")?;
        Ok(Self(child))
    }

    /// The process's peak resident set size (`VmHWM`), in KiB.
    fn peak_rss_kib(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.0.id()))?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .context("reading the server's VmHWM")
    }

    fn stop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}
