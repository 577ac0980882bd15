//! `lantern ingest`: reports the usage events of an NDJSON or CSV file to a server, batch by
//! batch, streaming the file, with a few batches in flight at once.
//!
//! Resumable by design: each event's `id` is its idempotency key, so after a crash or a
//! refused batch, running the same command again reports the events already logged as
//! duplicates and carries on. A refused batch stops the run with each broken rule and the line
//! of the file it is on; batches already sent are waited for, and stay logged.

mod csv_events;
mod source;
mod upload;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use indicatif::{ProgressBar, ProgressStyle};
use tokio::task::JoinHandle;

use self::source::SourceEvent;
use self::upload::{BatchOutcome, Uploader, rejection_message};
use crate::cli::IngestArgs;
use crate::http::RetryPolicy;

/// What a run has done so far.
#[derive(Debug, Clone, Copy, Default)]
struct Totals {
    batches: u64,
    accepted: u64,
    duplicates: u64,
    tree_size: u64,
}

impl Totals {
    fn sent(&self) -> u64 {
        self.accepted + self.duplicates
    }
}

/// A batch sent, and what became of it.
struct Sent {
    batch: Vec<SourceEvent>,
    outcome: anyhow::Result<BatchOutcome>,
}

/// Runs `lantern ingest`.
pub(crate) async fn run(args: IngestArgs) -> anyhow::Result<()> {
    let format = source::format_of(&args.file, args.format)?;
    let mut events = source::open(&args.file, format)?.fuse();
    let file_size = std::fs::metadata(&args.file)
        .with_context(|| format!("reading the size of {}", args.file.display()))?
        .len();
    let uploader = Arc::new(Uploader::new(
        &args.server,
        args.token,
        RetryPolicy::PATIENT,
    )?);
    let batch_size = usize::try_from(args.batch_size).context("--batch-size")?;
    let concurrency = usize::try_from(args.concurrency).context("--concurrency")?;
    let progress = progress_bar(file_size);
    let started = Instant::now();
    let mut totals = Totals::default();
    let mut in_flight: VecDeque<JoinHandle<Sent>> = VecDeque::with_capacity(concurrency);
    // The first failure; once there is one, nothing more is sent, but the batches already in
    // flight are waited for so that the totals say what was logged.
    let mut failure: Option<anyhow::Error> = None;
    loop {
        while failure.is_none() && in_flight.len() < concurrency {
            let batch: anyhow::Result<Vec<SourceEvent>> =
                events.by_ref().take(batch_size).collect();
            match batch {
                Ok(batch) if batch.is_empty() => break,
                Ok(batch) => {
                    let uploader = Arc::clone(&uploader);
                    in_flight.push_back(tokio::spawn(async move {
                        let outcome = uploader.send(&batch).await;
                        Sent { batch, outcome }
                    }));
                }
                Err(error) => {
                    failure = Some(error.context(format!("reading {}", args.file.display())));
                }
            }
        }
        let Some(next) = in_flight.pop_front() else {
            break;
        };
        let Sent { batch, outcome } = next.await.context("a batch upload stopped")?;
        match outcome {
            Ok(BatchOutcome::Stored(receipt)) => {
                totals.batches += 1;
                totals.accepted += receipt.accepted;
                totals.duplicates += receipt.duplicates;
                totals.tree_size = totals.tree_size.max(receipt.tree_size);
                if let Some(last) = batch.last() {
                    progress.set_position(last.read_to);
                }
                progress.set_message(format!(
                    "{} events sent, {:.0} events/s",
                    totals.sent(),
                    rate(totals.sent(), started.elapsed())
                ));
            }
            Ok(BatchOutcome::Rejected(problem)) => {
                failure.get_or_insert_with(|| {
                    anyhow!("{}", rejection_message(&args.file, &batch, &problem))
                });
            }
            Err(error) => {
                failure.get_or_insert(error);
            }
        }
    }
    if let Some(failure) = failure {
        progress.abandon();
        return Err(anyhow!("{failure:#}\n{}", so_far(&totals)));
    }
    progress.finish_and_clear();
    report(&args.file.display().to_string(), &totals, started.elapsed());
    Ok(())
}

/// What a failed run logged, and that a rerun is safe.
fn so_far(totals: &Totals) -> String {
    format!(
        "this run logged {} events ({} new, {} duplicates); fix the cause and run the same command again: events already logged come back as duplicates",
        totals.sent(),
        totals.accepted,
        totals.duplicates
    )
}

fn rate(events: u64, elapsed: Duration) -> f64 {
    // Precision loss only past 2^53 events.
    #[allow(clippy::cast_precision_loss)]
    let events = events as f64;
    events / elapsed.as_secs_f64().max(1e-3)
}

/// A bar over the file's bytes, on stderr (hidden when stderr is not a terminal).
fn progress_bar(file_size: u64) -> ProgressBar {
    let bar = ProgressBar::new(file_size);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {elapsed_precise} [{wide_bar}] {percent:>3}% {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Prints the summary of a finished run on stdout.
#[allow(clippy::print_stdout)]
fn report(file: &str, totals: &Totals, elapsed: Duration) {
    println!("ingested {file}");
    println!("batches: {}", totals.batches);
    println!("accepted: {}", totals.accepted);
    println!("duplicates: {}", totals.duplicates);
    println!("tree size: {}", totals.tree_size);
    println!(
        "rate: {:.0} events/s ({} events in {:.1} s)",
        rate(totals.sent(), elapsed),
        totals.sent(),
        elapsed.as_secs_f64()
    );
}
