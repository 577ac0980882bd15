//! `lantern report recompute`: recomputes a server's published usage figures from its public
//! log alone and checks that they match.
//!
//! 1. The checkpoint must verify with the key given (`--key`), as for `lantern verify`.
//! 2. Every entry bundle up to the checkpoint is downloaded; the entries' leaf hashes must
//!    rebuild the checkpoint's root, so the figures come from the very log that was signed.
//! 3. For each period (`--period`, or every period of the server's open-data catalogue) the
//!    entries of each large database are tallied: uses, uses outside the purposes, and those by
//!    legal basis — what the tables `large-database-usage` and `out-of-purpose-by-basis` publish.
//! 4. Each published figure must agree: an exact figure equal to the tally, a band or a bound
//!    containing it. A withheld figure is reported as not checkable.

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use lantern_domain::report::Period;
use lantern_log::merkle::leaf_hash;
use lantern_log::tiles::{FULL_TILE_WIDTH, decode_entry_bundle};
use lantern_log::{Frontier, LogEntry, PurposeScope, Tile};
use reqwest::Url;
use serde::Deserialize;

use crate::cli::RecomputeArgs;
use crate::http;
use crate::verify::{LogClient, read_verifier_key, say};

/// What the log says of one period: per file, per legal basis, uses within and outside the
/// purposes.
#[derive(Debug, Default)]
struct Tally {
    /// (file, out of purpose, legal basis) → events.
    counts: BTreeMap<(String, bool, String), u64>,
}

impl Tally {
    fn uses(&self, file: &str) -> u64 {
        self.counts
            .iter()
            .filter(|((f, _, _), _)| f == file)
            .map(|(_, n)| n)
            .sum()
    }

    fn out_of_purpose(&self, file: &str) -> u64 {
        self.counts
            .iter()
            .filter(|((f, oop, _), _)| f == file && *oop)
            .map(|(_, n)| n)
            .sum()
    }

    fn by_basis(&self, file: &str, basis: &str) -> u64 {
        self.counts
            .get(&(file.to_owned(), true, basis.to_owned()))
            .copied()
            .unwrap_or(0)
    }
}

/// A published figure, as the table JSON gives it.
#[derive(Debug, Deserialize)]
struct PublishedFigure {
    display: String,
    low: u64,
    high: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct PublishedRow {
    key: String,
    figures: Vec<PublishedFigure>,
}

#[derive(Debug, Deserialize)]
struct PublishedTable {
    rows: Vec<PublishedRow>,
}

/// Runs `lantern report recompute`.
pub(crate) async fn recompute(args: RecomputeArgs) -> anyhow::Result<()> {
    let verifier = read_verifier_key(&args.key)?;
    let log = LogClient::new(args.server.clone())?;
    let note = log.checkpoint().await?;
    let checkpoint = verifier.verify(note.as_bytes()).with_context(|| {
        format!(
            "the checkpoint served at {}log/checkpoint does not verify with the key {}",
            log.server(),
            verifier.verifier_key()
        )
    })?;
    say(&format!(
        "checkpoint: {} at {} entries: signature verified",
        checkpoint.origin(),
        checkpoint.size()
    ));
    let client = http::client()?;
    let periods = match &args.period {
        Some(raw) => {
            vec![Period::parse(raw).map_err(|rule| anyhow::anyhow!("--period {raw}: {rule}"))?]
        }
        None => catalogue_periods(&client, &args.server).await?,
    };
    if periods.is_empty() {
        bail!("the server publishes no report period yet");
    }
    let tallies = tally(&log, checkpoint.size(), checkpoint.root(), &periods).await?;
    say(&format!(
        "entries: {} read; their tree has the checkpoint's root",
        checkpoint.size()
    ));
    let mut mismatches = 0;
    let mut checked = 0;
    for (period, tally) in periods.iter().zip(&tallies) {
        let usage: PublishedTable = fetch(
            &client,
            &args.server,
            &format!("reports/{period}/large-database-usage.json"),
        )
        .await?;
        for row in &usage.rows {
            for (column, recomputed) in [
                ("uses", tally.uses(&row.key)),
                ("out_of_purpose", tally.out_of_purpose(&row.key)),
            ] {
                let index = usize::from(column == "out_of_purpose");
                let Some(figure) = row.figures.get(index) else {
                    bail!(
                        "{period} large-database-usage: row {} lacks {column}",
                        row.key
                    );
                };
                checked += 1;
                mismatches += report_line(period, &row.key, column, figure, recomputed);
            }
        }
        let by_basis: PublishedTable = fetch(
            &client,
            &args.server,
            &format!("reports/{period}/out-of-purpose-by-basis.json"),
        )
        .await?;
        for row in &by_basis.rows {
            let Some((file, basis)) = row.key.split_once('/') else {
                bail!(
                    "{period} out-of-purpose-by-basis: row key {} is not FILE/BASIS",
                    row.key
                );
            };
            if let Some(figure) = row.figures.first() {
                checked += 1;
                mismatches += report_line(
                    period,
                    &row.key,
                    "uses",
                    figure,
                    tally.by_basis(file, basis),
                );
            }
        }
        // Every out-of-purpose use the log shows must be in the published table.
        for ((file, oop, basis), n) in &tally.counts {
            let key = format!("{file}/{basis}");
            if *oop
                && usage.rows.iter().any(|r| &r.key == file)
                && !by_basis.rows.iter().any(|r| r.key == key)
            {
                mismatches += 1;
                say(&format!(
                    "{period} {key}: the log shows {n} out-of-purpose uses the report leaves out: MISMATCH"
                ));
            }
        }
    }
    if mismatches > 0 {
        bail!("{mismatches} of {checked} published figures do not match the log");
    }
    say(&format!(
        "all {checked} published usage figures match the log"
    ));
    Ok(())
}

/// Prints one comparison; returns 1 for a mismatch.
fn report_line(
    period: &Period,
    key: &str,
    column: &str,
    figure: &PublishedFigure,
    recomputed: u64,
) -> u32 {
    let (verdict, bad) = match figure.high {
        None if figure.low == 0 => ("withheld: not checkable", 0),
        high if recomputed >= figure.low && high.is_none_or(|h| recomputed <= h) => ("ok", 0),
        _ => ("MISMATCH", 1),
    };
    say(&format!(
        "{period} {key} {column}: published {}, log {recomputed}: {verdict}",
        figure.display
    ));
    bad
}

/// Downloads every entry bundle, checks the entries rebuild `root`, and tallies each period.
async fn tally(
    log: &LogClient,
    size: u64,
    root: &lantern_log::Hash,
    periods: &[Period],
) -> anyhow::Result<Vec<Tally>> {
    let mut tallies: Vec<Tally> = periods.iter().map(|_| Tally::default()).collect();
    let mut frontier = Frontier::new();
    let mut stored = Vec::new();
    let width = u64::from(FULL_TILE_WIDTH);
    for index in 0..size.div_ceil(width) {
        let entries = (size - index * width).min(width);
        let tile = Tile::entries(index, u16::try_from(entries).unwrap_or(FULL_TILE_WIDTH))?;
        let data = log.tile(&tile).await?;
        for bytes in decode_entry_bundle(&tile, &data)
            .with_context(|| format!("entry bundle {}", tile.path()))?
        {
            stored.clear();
            frontier
                .append(leaf_hash(bytes), &mut stored)
                .map_err(|_| anyhow::anyhow!("the log is larger than a Merkle tree can be"))?;
            let entry = LogEntry::decode(bytes).with_context(|| {
                format!("an entry of bundle {} is not a log entry", tile.path())
            })?;
            let parts = entry.parts();
            for (period, tally) in periods.iter().zip(&mut tallies) {
                if period.contains(parts.day) {
                    *tally
                        .counts
                        .entry((
                            parts.file.to_string(),
                            parts.scope == PurposeScope::OutOfPurpose,
                            parts.legal_basis.to_string(),
                        ))
                        .or_default() += 1;
                }
            }
        }
    }
    if &frontier.root() != root {
        bail!("the entries served do not rebuild the checkpoint's root: the log was altered");
    }
    Ok(tallies)
}

/// The periods of the server's catalogue (those of its usage table), newest first.
async fn catalogue_periods(client: &reqwest::Client, server: &Url) -> anyhow::Result<Vec<Period>> {
    let catalogue: serde_json::Value = fetch(client, server, "open-data/catalog.jsonld").await?;
    let mut periods: Vec<Period> = catalogue["dcat:dataset"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["dct:identifier"] == "large-database-usage")
        .flat_map(|d| {
            d["dcat:distribution"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|dist| {
            let url = dist["dcat:downloadURL"].as_str()?;
            let period = url.split('/').rev().nth(1)?;
            Period::parse(period).ok()
        })
        .collect();
    periods.sort();
    periods.dedup();
    periods.reverse();
    Ok(periods)
}

async fn fetch<T: serde::de::DeserializeOwned>(
    client: &reqwest::Client,
    server: &Url,
    path: &str,
) -> anyhow::Result<T> {
    let url = http::endpoint(server, path)?;
    let response = client
        .get(url.clone())
        .send()
        .await
        .with_context(|| format!("fetching {url}"))?;
    if !response.status().is_success() {
        bail!("fetching {url}: the server answered {}", response.status());
    }
    response
        .json()
        .await
        .with_context(|| format!("{url} is not the JSON expected"))
}
