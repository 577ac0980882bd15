//! `lantern demo`: seed the synthetic demo world into the data directory, then serve it.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use lantern_demo::{SeedOptions, SeedOutcome};
use lantern_server::LogKeys;
use lantern_store::Store;
use lantern_usage::{Consents, Ingestor};
use time::OffsetDateTime;

use crate::cli::DemoArgs;
use crate::config::{Mode, run_server, server_config};
use crate::keys::load_or_create;
use crate::open::open_sqlite;

/// Runs `lantern demo`.
pub(crate) async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let keys = load_or_create(&args.data, &args.keys)?;
    let store = open_sqlite(&args.data)?;
    seed_demo(&store, &keys, args.events).await?;
    if args.seed_only {
        return Ok(());
    }
    let config = server_config(args.listen, Mode::Demo);
    run_server(store, keys, args.listen, config).await
}

/// Seeds the demo world with `events` usage events into `store` unless it is already there,
/// reporting the events through the ingestion path with the pseudonym key of `keys`, then
/// (when `events` is not zero) the demo citizens' consents.
pub(crate) async fn seed_demo(
    store: &Arc<dyn Store>,
    keys: &LogKeys,
    events: usize,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let ingestor = Ingestor::new(Arc::clone(store), keys.subject_key.clone());
    let options = SeedOptions {
        password_hasher: &|password| {
            lantern_server::auth::hash_password(password).map_err(|e| e.to_string())
        },
        ingestor: &ingestor,
        usage_events: events,
    };
    match lantern_demo::seed(store.as_ref(), OffsetDateTime::now_utc(), &options)
        .await
        .context("seeding the demo world")?
    {
        SeedOutcome::Seeded(summary) => {
            let elapsed_ms = started.elapsed().as_millis();
            tracing::info!(?summary, elapsed_ms, "seeded the demo world");
        }
        SeedOutcome::AlreadySeeded => {
            tracing::info!("the data directory already holds the demo world");
        }
    }
    // A demo without usage events (an empty log, as tests start from) has no consents either:
    // each consent is itself a logged event.
    if events == 0 {
        return Ok(());
    }
    let consents = Consents::new(
        Arc::clone(store),
        keys.subject_key.clone(),
        keys.seal_key.clone(),
        keys.vendor_code_key.clone(),
    );
    let given = lantern_demo::seed_consents(&consents, OffsetDateTime::now_utc())
        .await
        .context("seeding the demo citizens' consents")?;
    tracing::info!(given, "seeded the demo consents");
    Ok(())
}
