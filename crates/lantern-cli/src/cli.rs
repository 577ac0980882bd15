//! The command line, as clap types. Every command and option has `--help`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Lantern: the register of government personal-data files, and the public record of their use.
#[derive(Debug, Parser)]
#[command(name = "lantern", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Serve the web pages and the JSON API.
    Serve(ServeArgs),
    /// Seed a synthetic demo world into an empty data directory, then serve it.
    Demo(DemoArgs),
    /// Administrative tasks on a data directory or database.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Load generators and timers that print their figures.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum BenchCommand {
    /// Time `lantern demo` on an empty data directory: seeding, then serving until the first
    /// health check answers. The target is 30 s on a 2-core machine.
    DemoStart {
        /// Empty directory to seed (default: a new temporary directory, removed afterwards).
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
    },
}

/// Where the data lives.
#[derive(Debug, Args)]
pub(crate) struct StoreArgs {
    /// Data directory: holds the SQLite database (`lantern.db`) and keys.
    #[arg(long, env = "LANTERN_DATA", value_name = "DIR")]
    pub(crate) data: PathBuf,
    /// PostgreSQL URL (postgres://user:pass@host/db). Without it, SQLite in the data directory.
    #[arg(
        long,
        env = "LANTERN_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub(crate) database_url: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Address to listen on.
    #[arg(
        long,
        env = "LANTERN_LISTEN",
        default_value = "127.0.0.1:8080",
        value_name = "ADDR"
    )]
    pub(crate) listen: SocketAddr,
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Data directory for the demo's SQLite database; seeded when empty.
    #[arg(long, env = "LANTERN_DATA", value_name = "DIR")]
    pub(crate) data: PathBuf,
    /// Address to listen on.
    #[arg(
        long,
        env = "LANTERN_LISTEN",
        default_value = "127.0.0.1:8080",
        value_name = "ADDR"
    )]
    pub(crate) listen: SocketAddr,
    /// Seed the data directory and exit without serving.
    #[arg(long)]
    pub(crate) seed_only: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AdminCommand {
    /// Print one new API token for an agency on stdout (and nothing else).
    AgencyToken {
        #[command(flatten)]
        store: StoreArgs,
        /// The agency the token acts for, e.g. MOHW-NHIA.
        #[arg(long, value_name = "CODE")]
        agency: String,
        /// What the token is for, shown in change histories.
        #[arg(long, default_value = "agency system")]
        label: String,
    },
    /// Create a staff account. The password is read from the first line of standard input.
    CreateUser {
        #[command(flatten)]
        store: StoreArgs,
        /// Login name.
        #[arg(long)]
        username: String,
        /// Name shown in change histories; defaults to the username.
        #[arg(long)]
        display_name: Option<String>,
        /// The agency the account acts for.
        #[arg(long, value_name = "CODE")]
        agency: String,
        /// What the account may do.
        #[arg(long, value_enum, default_value_t = RoleArg::Officer)]
        role: RoleArg,
    },
    /// Create or update agencies from a JSON file (an array of agencies, supervisors first).
    PutAgencies {
        #[command(flatten)]
        store: StoreArgs,
        /// JSON file: `[{"code": "MOHW", "name_zh": "...", "name_en": "...", "kind": "central",
        /// "supervisor": null, "contact": {"unit": "...", "phone": "..."},
        /// "intelligence_agency": false}]`.
        file: PathBuf,
    },
    /// Load the complete official list of specific purposes or data categories from CSV,
    /// replacing any earlier import. Takes effect when the server next starts.
    ImportCodes {
        #[command(flatten)]
        store: StoreArgs,
        /// Which list the CSV holds.
        #[arg(long, value_enum)]
        kind: CodeKind,
        /// CSV with a header row: `code,name_zh[,name_en]` for purposes,
        /// `code,name_zh[,group_zh,name_en,examples_zh]` for categories.
        file: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum RoleArg {
    /// Keeps the agency's registers.
    Officer,
    /// The agency's data protection officer (個人資料保護長).
    Dpo,
    /// Manages the agency's accounts and tokens.
    AgencyAdmin,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum CodeKind {
    /// Specific purposes (特定目的), codes 001-182.
    Purposes,
    /// Personal-data categories (個人資料之類別), codes C001...
    Categories,
}
