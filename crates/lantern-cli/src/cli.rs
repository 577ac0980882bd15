//! The command line, as clap types. Every command and option has `--help`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::keys::KeyArgs;

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
    /// Report usage events from an NDJSON or CSV file to a server, in batches. Rerunning after
    /// a failure is safe: events already logged come back as duplicates.
    Ingest(IngestArgs),
    /// Check a server's log: its signed checkpoint, that it extends the last one seen, and
    /// optionally every entry and tile, and a citizen's proof bundle.
    Verify(VerifyArgs),
    /// Transparency reports: recompute a server's published figures from its public log.
    #[command(subcommand)]
    Report(ReportCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum ReportCommand {
    /// Recompute the published usage figures of the large databases from the public log's
    /// entries alone (the checkpoint verified with --key, the entries checked against its root)
    /// and check that every published figure agrees.
    Recompute(RecomputeArgs),
}

/// Arguments of `lantern report recompute`.
#[derive(Debug, Args)]
pub(crate) struct RecomputeArgs {
    /// The server's base URL, e.g. `https://lantern.example.gov.tw`.
    #[arg(long, env = "LANTERN_SERVER", value_name = "URL")]
    pub(crate) server: reqwest::Url,
    /// The log's verifier key (`<origin>+<key ID>+<base64>`), or `@FILE`.
    #[arg(long, value_name = "VKEY")]
    pub(crate) key: String,
    /// Only this period (`2025`, `2025-H1`); default every period of the server's catalogue.
    #[arg(long, value_name = "PERIOD")]
    pub(crate) period: Option<String>,
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
    /// Send usage events over HTTP on loopback to a `lantern serve` process on a fresh demo
    /// data directory; print events/s acknowledged, the ack-to-checkpoint delay and the
    /// server's peak memory. Targets: 50,000 events/s, 1 s, 500 MB.
    Ingest {
        /// Events to send.
        #[arg(long, default_value_t = 2_000_000)]
        events: u64,
        /// Events per request.
        #[arg(long, default_value_t = 1_000)]
        batch: u64,
        /// Requests in flight.
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        /// Distinct subjects.
        #[arg(long, default_value_t = 100_000)]
        subjects: u32,
        /// Data directory (default: a new temporary directory, removed afterwards).
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Run the server against PostgreSQL at this URL instead of SQLite in the data
        /// directory. The benchmark works in a new schema `lantern_bench_<pid>` of that database
        /// (the URL's user must be allowed to create one) and drops it afterwards.
        #[arg(
            long,
            env = "LANTERN_BENCH_DATABASE_URL",
            value_name = "URL",
            hide_env_values = true
        )]
        database_url: Option<String>,
    },
    /// Time the footprint query (one subject's events, first page of 50) on a log of many
    /// events appended straight through the store; print p50, p90, p99 and max. Target: p99 at
    /// most 10 ms with 10,000,000 events stored.
    Footprint {
        /// Events the log must hold before measuring.
        #[arg(long, default_value_t = 10_000_000, value_parser = clap::value_parser!(u64).range(1..))]
        events: u64,
        /// Distinct subjects the events are spread over.
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..))]
        subjects: u64,
        /// Footprint queries to time, one at a time, each for a random subject.
        #[arg(long, default_value_t = 2_000, value_parser = clap::value_parser!(u32).range(1..))]
        queries: u32,
        /// Data directory for the SQLite database (default: a new temporary directory, removed
        /// afterwards). A directory this benchmark loaded before, with as many events or more, is
        /// reused without loading; one with fewer gets the rest.
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Use PostgreSQL at this URL instead of SQLite. The events go to the schema
        /// `lantern_bench_footprint` of that database (created if missing), which is kept and
        /// reused like a data directory.
        #[arg(
            long,
            env = "LANTERN_BENCH_DATABASE_URL",
            value_name = "URL",
            hide_env_values = true
        )]
        database_url: Option<String>,
    },
    /// Time a citizen's footprint pages (the summary `/me` and a filtered `/me/events`) over
    /// loopback HTTP, for a citizen with many events on top of the demo world; print p50, p90,
    /// p99 and max. Target: p99 at most 200 ms with 10,000 events of the citizen.
    Portal {
        /// Events of the measured citizen.
        #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
        citizen_events: u64,
        /// Demo usage events seeded around them.
        #[arg(long, default_value_t = lantern_demo::DEMO_USAGE_EVENTS)]
        demo_events: usize,
        /// Requests to time per page, one at a time.
        #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u32).range(1..))]
        requests: u32,
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
    #[command(flatten)]
    pub(crate) keys: KeyArgs,
    /// Address to listen on.
    #[arg(
        long,
        env = "LANTERN_LISTEN",
        default_value = "127.0.0.1:8080",
        value_name = "ADDR"
    )]
    pub(crate) listen: SocketAddr,
    /// The address browsers reach this server at, e.g. `https://lantern.example.gov.tw` (behind
    /// a TLS proxy). Gives the OIDC redirect URL (`<URL>/me/callback`), and cookies are marked
    /// `Secure` unless it is plain HTTP on loopback. Default: `http://` and the listen address.
    #[arg(long, env = "LANTERN_PUBLIC_URL", value_name = "URL")]
    pub(crate) public_url: Option<reqwest::Url>,
    #[command(flatten)]
    pub(crate) oidc: Box<OidcArgs>,
}

/// The citizens' OpenID Connect provider. Without an issuer, citizens cannot log in.
#[derive(Debug, Args)]
pub(crate) struct OidcArgs {
    /// The provider's issuer URL (discovery reads `<URL>/.well-known/openid-configuration`).
    #[arg(long, env = "LANTERN_OIDC_ISSUER", value_name = "URL")]
    pub(crate) oidc_issuer: Option<String>,
    /// Lantern's client id at the provider.
    #[arg(long, env = "LANTERN_OIDC_CLIENT_ID", value_name = "ID")]
    pub(crate) oidc_client_id: Option<String>,
    /// Lantern's client secret at the provider. Prefer the environment variable: a command
    /// line is visible to every user of the machine. Never printed.
    #[arg(
        long,
        env = "LANTERN_OIDC_CLIENT_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub(crate) oidc_client_secret: Option<SecretArg>,
    /// Where the provider sends citizens back. Default: `<public URL>/me/callback`.
    #[arg(long, env = "LANTERN_OIDC_REDIRECT_URL", value_name = "URL")]
    pub(crate) oidc_redirect_url: Option<reqwest::Url>,
    /// The ID-token claim that holds the citizen's national ID or resident certificate number.
    #[arg(
        long,
        env = "LANTERN_OIDC_NATIONAL_ID_CLAIM",
        value_name = "CLAIM",
        default_value = lantern_server::auth::oidc::DEFAULT_NATIONAL_ID_CLAIM
    )]
    pub(crate) oidc_national_id_claim: String,
}

/// A secret given on the command line or in the environment; its `Debug` is redacted.
#[derive(Clone)]
pub(crate) struct SecretArg(pub(crate) String);

impl std::fmt::Debug for SecretArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl std::str::FromStr for SecretArg {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
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
    /// How many usage events to seed (a year of them, through the ingestion path).
    #[arg(long, value_name = "N", default_value_t = lantern_demo::DEMO_USAGE_EVENTS)]
    pub(crate) events: usize,
    #[command(flatten)]
    pub(crate) keys: KeyArgs,
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
    /// Print the log's checkpoint verifier key (a signed-note verifier key, one line), making
    /// the signing key first if the data directory has none.
    LogKey {
        /// Data directory holding `keys/log-signing.key`.
        #[arg(long, env = "LANTERN_DATA", value_name = "DIR")]
        data: PathBuf,
        #[command(flatten)]
        keys: KeyArgs,
    },
    /// Crypto-shred a person: delete their secret and every stored usage event of theirs. The
    /// public log keeps its entries, which nothing links to the person any more.
    ShredSubject {
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        keys: KeyArgs,
        /// The national ID or resident certificate number.
        #[arg(long, value_name = "ID")]
        subject: String,
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
    /// Set the disclosure rules every published figure of the transparency reports follows,
    /// from a JSON file (docs/open-data.md); prints the rules in force. Takes effect at once.
    DisclosureRules {
        #[command(flatten)]
        store: StoreArgs,
        /// JSON file, e.g. `{"band_below": 10, "named_providers": [], "include_criminal":
        /// false, "embargo": null}`; without it the rules in force are only printed.
        file: Option<PathBuf>,
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

#[derive(Debug, Args)]
pub(crate) struct IngestArgs {
    /// The server's base URL, e.g. `https://lantern.example.gov.tw`.
    #[arg(long, env = "LANTERN_SERVER", value_name = "URL")]
    pub(crate) server: reqwest::Url,
    /// The agency's API token (from `lantern admin agency-token`).
    #[arg(
        long,
        env = "LANTERN_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub(crate) token: String,
    /// One event per line (NDJSON), or CSV with a header row of the API's field names
    /// (`categories` separated by `;`, `confidential_ground` and `confidential_until` columns).
    pub(crate) file: PathBuf,
    /// The file's format; by default from its extension (.ndjson, .jsonl or .csv).
    #[arg(long, value_enum)]
    pub(crate) format: Option<InputFormat>,
    /// Events per request, 1 to 10,000.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub(crate) batch_size: u32,
    /// Batches in flight at once; with 1, events are logged in the file's order.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=32))]
    pub(crate) concurrency: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum InputFormat {
    /// One JSON event object per line.
    Ndjson,
    /// Comma-separated values with a header row.
    Csv,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The server's base URL, e.g. `https://lantern.example.gov.tw`. Without it, only
    /// `--proof` is checked, offline.
    #[arg(
        long,
        env = "LANTERN_SERVER",
        value_name = "URL",
        required_unless_present = "proof"
    )]
    pub(crate) server: Option<reqwest::Url>,
    /// The log's verifier key (`<origin>+<key ID>+<base64>`), taken from a source you trust,
    /// or `@FILE` to read it from a file.
    #[arg(long, value_name = "VKEY")]
    pub(crate) key: String,
    /// File holding the last checkpoint verified: the new one must extend it (checked with a
    /// consistency proof) and then replaces it.
    #[arg(long, value_name = "FILE", requires = "server")]
    pub(crate) state: Option<PathBuf>,
    /// Also download every entry bundle and hash tile, and recompute the tree from the entries.
    #[arg(long, requires = "server")]
    pub(crate) full: bool,
    /// A citizen's proof bundle (JSON, as downloaded from an event's page) to check: offline
    /// against the key alone, and with `--server` also against the server's current checkpoint.
    #[arg(long, visible_alias = "bundle", value_name = "FILE")]
    pub(crate) proof: Option<PathBuf>,
}
