//! The `lantern` command: serve the registers, run the demo, administer a data directory, report
//! usage events and verify the public log.

mod admin;
mod bench;
mod bench_footprint;
mod bench_ingest;
mod bench_portal;
mod cli;
mod config;
mod demo;
mod http;
mod ingest;
mod keys;
mod open;
mod report;
mod verify;

use clap::Parser;

use crate::cli::{Cli, Command, ReportCommand};

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_tracing();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => config::serve(args).await,
            Command::Demo(args) => demo::run(args).await,
            Command::Admin(command) => admin::run(command).await,
            Command::Bench(command) => bench::run(command).await,
            Command::Ingest(args) => ingest::run(args).await,
            Command::Verify(args) => verify::run(args).await,
            Command::Report(ReportCommand::Recompute(args)) => report::recompute(args).await,
        }
    })
}

/// Logs go to stderr, so that stdout carries only a command's result (e.g. a token).
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LANTERN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
