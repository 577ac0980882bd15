//! `lantern demo`: seed the synthetic demo world into the data directory, then serve it.

use std::time::Instant;

use anyhow::Context;
use lantern_demo::{SeedOptions, SeedOutcome};
use lantern_store::Store;
use time::OffsetDateTime;

use crate::cli::DemoArgs;
use crate::config::{Mode, run_server};
use crate::open::open_sqlite;

/// Runs `lantern demo`.
pub(crate) async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let store = open_sqlite(&args.data)?;
    seed_demo(store.as_ref()).await?;
    if args.seed_only {
        return Ok(());
    }
    run_server(store, args.listen, Mode::Demo).await
}

/// Seeds the demo world into `store` unless it is already there.
pub(crate) async fn seed_demo(store: &dyn Store) -> anyhow::Result<()> {
    let started = Instant::now();
    let options = SeedOptions {
        password_hasher: &|password| {
            lantern_server::auth::hash_password(password).map_err(|e| e.to_string())
        },
    };
    match lantern_demo::seed(store, OffsetDateTime::now_utc(), &options)
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
    Ok(())
}
