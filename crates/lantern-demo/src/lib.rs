//! Lantern's synthetic demo world: the agencies of Open Government commitment (2) with their
//! supervision tree, their personal-data files (個人資料檔案) — five large databases among them,
//! with every disclosure the commitment asks for — demo staff logins, demo citizens and a year
//! of their usage events, seeded into an empty store by [`seed`].
//!
//! **In scope:** the world as data (`data/*.json`, embedded at build time); validating it with
//! the same rules as any agency's submission ([`lantern_domain::FileSubmission::validate`]), so
//! the demo can never hold an invalid file; writing it through the [`lantern_store::Store`]
//! traits exactly once; the lists of demo staff logins ([`staff_accounts`]) and demo citizens
//! ([`demo_citizens`]) for the start page; a deterministic year of usage events
//! ([`DemoUsage`], profiled per file in `data/usage-profiles.json`) reported through the same
//! ingestion path as any agency's ([`lantern_usage::Ingestor::ingest`]).
//!
//! **Out of scope:** password hashing (the caller passes a hasher in [`SeedOptions`]; the server
//! owns Argon2), keys (the caller's [`lantern_usage::Ingestor`] holds the pseudonym key),
//! storage backends, HTTP, reading the wall clock (`now` is a parameter, so a seed is
//! deterministic), and the demo data of other modules (rights requests, incidents, reports).
//! Demo services (`data/services.json`) are seeded with the registers; the demo citizens'
//! consents to them by [`seed_consents`], which needs the server's keys.
//!
//! Everything is synthetic: agencies and statutes are real, but contact details use
//! `example.gov.tw` addresses, streets named 示範路 and `02-0000-xxxx` numbers that cannot be
//! dialled; staff and citizens are invented (citizens' names are marked 示範) and their
//! identity numbers drawn at random.

mod citizens;
mod data_requests;
mod events;
mod provider_requests;
mod staff;
mod world;

use lantern_store::{Change, StoreError, User};
use lantern_usage::{IngestError, Ingestor};
use time::OffsetDateTime;

pub use citizens::{DEMO_CITIZENS, DemoCitizen, demo_citizens};
pub use events::{DEMO_USAGE_EVENTS, DemoUsage, USAGE_BATCH};
pub use staff::{DEMO_PASSWORD, DemoStaff, staff_accounts};

/// The setting that marks a store as holding the demo world. [`seed`] writes it last, after
/// everything else, so its presence means a complete seed.
pub const SEEDED_MARKER: &str = "demo.seeded";

/// The value [`seed`] stores under [`SEEDED_MARKER`]: the version of the demo world's data.
pub const WORLD_VERSION: &str = "2";

/// The actor recorded on every version the seed writes.
pub const DEMO_ACTOR: &str = "system:demo";

/// What [`seed`] needs from its caller besides the store and the time.
///
/// ```
/// use std::sync::Arc;
///
/// use lantern_demo::{DEMO_USAGE_EVENTS, SeedOptions};
/// use lantern_store_sqlite::SqliteStore;
/// use lantern_usage::{Ingestor, PseudonymKey};
///
/// let dir = tempfile::tempdir().unwrap();
/// let store = Arc::new(SqliteStore::open(&dir.path().join("lantern.db")).unwrap());
/// // The caller draws the key (the CLI keeps it in the data directory).
/// let ingestor = Ingestor::new(store, PseudonymKey::from_bytes([7; 32]));
/// // The server passes its Argon2 hasher; a test can pass anything.
/// let options = SeedOptions {
///     password_hasher: &|password| Ok(format!("not-a-real-hash:{password}")),
///     ingestor: &ingestor,
///     usage_events: DEMO_USAGE_EVENTS,
/// };
/// assert!((options.password_hasher)("demo-password").is_ok());
/// ```
pub struct SeedOptions<'a> {
    /// Turns a demo password into the string stored as the account's password hash (an
    /// Argon2id PHC string in Lantern: `lantern_server::auth::hash_password` with its error
    /// turned into a message). Called once per demo account, before anything is written, on
    /// the calling task.
    pub password_hasher: &'a (dyn Fn(&str) -> Result<String, String> + Sync),
    /// The ingestion path the usage events are reported through, as an agency's would be:
    /// checked, pseudonymised with the ingestor's key and appended to the log. It must write
    /// to the store being seeded.
    pub ingestor: &'a Ingestor,
    /// How many usage events to seed: [`DEMO_USAGE_EVENTS`] for a demo; tests seed fewer.
    pub usage_events: usize,
}

/// What [`seed`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedOutcome {
    /// The store was empty and now holds the demo world.
    Seeded(SeedSummary),
    /// The store already holds the demo world ([`SEEDED_MARKER`] is set); nothing was written.
    AlreadySeeded,
}

/// How much of the world a seed wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedSummary {
    /// Agencies written.
    pub agencies: usize,
    /// Personal-data files registered, large databases included.
    pub files: usize,
    /// Of those, large databases.
    pub large_databases: usize,
    /// Services with a notice that ask citizens for consent.
    pub services: usize,
    /// Requests to online providers of the four agencies of commitment (2).
    pub provider_requests: usize,
    /// Requests between agencies to use the large databases outside their purposes.
    pub data_requests: usize,
    /// Usage events logged by the deliveries of approved requests (one per person), besides
    /// `usage_events`.
    pub delivery_events: u64,
    /// Demo staff accounts created.
    pub staff: usize,
    /// Usage events logged.
    pub usage_events: u64,
}

/// Why [`seed`] failed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The store holds agencies but no [`SEEDED_MARKER`]: a seed that was interrupted, or
    /// another dataset. Nothing was written; seed into a new, empty data directory.
    #[error(
        "the store already holds {agencies} agencies but no `{SEEDED_MARKER}` marker: it holds an interrupted demo seed or other data; seed into a new, empty data directory"
    )]
    NotEmpty {
        /// How many agencies the store holds.
        agencies: usize,
    },
    /// The caller's password hasher failed. Nothing was written.
    #[error("could not hash the password of demo account {username}: {reason}")]
    PasswordHash {
        /// The account whose password was being hashed.
        username: &'static str,
        /// The hasher's error message.
        reason: String,
    },
    /// The embedded demo data breaks a rule: a defect in this crate's `data/`, caught by its
    /// tests. Nothing was written.
    #[error("demo data {data_file} is invalid: {reason}")]
    InvalidWorld {
        /// The data file, e.g. `data/files.json`.
        data_file: &'static str,
        /// Every broken rule.
        reason: String,
    },
    /// The usage log refused a batch of demo events. A refused rule
    /// ([`IngestError::Invalid`]) is a defect of the event generator, caught by its tests; an
    /// unknown agency means the ingestor writes to another store. The registers and earlier
    /// batches are written but not the marker, as for [`SeedError::Store`].
    #[error("the usage log refused the demo events of {agency}: {reason}")]
    UsageRefused {
        /// The reporting agency of the refused batch.
        agency: String,
        /// What was refused: the first broken rules and how many there were.
        reason: String,
    },
    /// The store failed. A failure after the first write leaves a partial world without the
    /// marker, which a later seed reports as [`SeedError::NotEmpty`].
    #[error("storage failed while seeding the demo world: {0}")]
    Store(#[from] StoreError),
}

/// Seeds the demo world into `store`, recording every version as made by [`DEMO_ACTOR`] at
/// `now`.
///
/// - On an empty store, writes the agencies (each after its supervisor), the files, the staff
///   accounts of [`staff_accounts`] with `options.password_hasher` applied to their passwords,
///   then reports `options.usage_events` events of [`DemoUsage`] through `options.ingestor`
///   (received at `now`, in the batches of [`DemoUsage::batches`]), and finally
///   [`SEEDED_MARKER`]; returns [`SeedOutcome::Seeded`].
/// - On a store that has the marker, writes nothing and returns [`SeedOutcome::AlreadySeeded`],
///   so starting a demo twice is harmless.
///
/// Each write is durable on return (the store's contract), but the seed as a whole is not one
/// transaction: the marker, written last, is what says it completed. Run one seed at a time per
/// store.
///
/// # Errors
/// [`SeedError::NotEmpty`] when the store holds agencies but no marker;
/// [`SeedError::PasswordHash`] when the hasher fails; [`SeedError::InvalidWorld`] when the
/// embedded data is defective (all three before anything is written);
/// [`SeedError::UsageRefused`] when the log refuses a batch of events;
/// [`SeedError::Store`] when the store fails.
pub async fn seed(
    store: &dyn lantern_store::Store,
    now: OffsetDateTime,
    options: &SeedOptions<'_>,
) -> Result<SeedOutcome, SeedError> {
    let world = world::World::load()?;
    if store.setting(SEEDED_MARKER).await?.is_some() {
        return Ok(SeedOutcome::AlreadySeeded);
    }
    let existing = store.agencies().await?.len();
    if existing > 0 {
        return Err(SeedError::NotEmpty { agencies: existing });
    }
    let users = staff_users(now, options)?;
    let usage = DemoUsage::for_world(&world, now, options.usage_events)?;
    let provider_requests = provider_requests::provider_requests(now.date())?;
    let data_requests =
        data_requests::data_requests(&world.agencies, &world.files, &demo_citizens(), now)?;

    let change = Change {
        actor: DEMO_ACTOR.to_owned(),
        at: now,
    };
    for agency in &world.agencies {
        store.put_agency(agency, &change).await?;
    }
    for file in &world.files {
        store.create_file(file, &change).await?;
    }
    for service in &world.services {
        store.create_service(service, &change).await?;
    }
    store
        .record_provider_requests(&provider_requests, &change)
        .await?;
    for user in &users {
        store.create_user(user).await?;
    }
    let mut usage_events = 0;
    for (agency, batch) in usage.batches() {
        usage_events += options
            .ingestor
            .ingest(agency, batch, now)
            .await
            .map_err(|error| refused(agency, error))?
            .accepted;
    }
    let mut delivery_events = 0;
    for demo in &data_requests {
        store.file_request(&demo.request).await?;
        if let Some(decision) = &demo.decision {
            store.record_decision(&demo.request.id, decision).await?;
        }
        // A world without usage events (tests) keeps its log empty: no deliveries either.
        if let Some((delivery, events)) =
            demo.delivery.as_ref().filter(|_| options.usage_events > 0)
        {
            let holder = &demo.request.holder;
            delivery_events += options
                .ingestor
                .ingest(holder, events.clone(), now)
                .await
                .map_err(|error| refused(holder, error))?
                .accepted;
            store.record_delivery(&demo.request.id, delivery).await?;
        }
    }
    store.put_setting(SEEDED_MARKER, WORLD_VERSION).await?;

    Ok(SeedOutcome::Seeded(SeedSummary {
        agencies: world.agencies.len(),
        files: world.files.len(),
        large_databases: world
            .files
            .iter()
            .filter(|f| f.large_database.is_some())
            .count(),
        services: world.services.len(),
        provider_requests: provider_requests.len(),
        data_requests: data_requests.len(),
        delivery_events,
        staff: users.len(),
        usage_events,
    }))
}

/// Gives the first [`CONSENTING_CITIZENS`] demo citizens' consent to the demo lottery
/// service through `consents` (so the grant is logged like any citizen's), at `now`. Citizens
/// whose consent is already in force are skipped, so calling it again is harmless. Returns how
/// many consents were given.
///
/// # Errors
/// When the consent cannot be logged or stored.
pub async fn seed_consents(
    consents: &lantern_usage::Consents,
    now: OffsetDateTime,
) -> Result<usize, lantern_usage::ConsentError> {
    let service = lantern_domain::ServiceId::parse(DEMO_LOTTERY_SERVICE)
        .unwrap_or_else(|_| unreachable!("the demo service id is well formed"));
    let mut given = 0;
    for (n, citizen) in demo_citizens().iter().take(CONSENTING_CITIZENS).enumerate() {
        let nonce = [u8::try_from(n).unwrap_or(u8::MAX); lantern_usage::SEAL_NONCE_BYTES];
        let sealed = consents.seal(&citizen.id, nonce);
        let id = lantern_log::EventId::parse(&format!("00000000-0000-4000-a000-{n:012x}"))
            .unwrap_or_else(|_| unreachable!("a well-formed UUID"));
        match consents
            .grant(
                &sealed,
                &service,
                lantern_domain::ConsentChannel::Web,
                now,
                id,
            )
            .await
        {
            Ok(_) => given += 1,
            Err(lantern_usage::ConsentError::AlreadyGiven) => {}
            Err(error) => return Err(error),
        }
    }
    Ok(given)
}

/// The demo service citizens consent to in the demo: the Taipei Pass voucher lottery, whose
/// winners a vendor reports by code.
pub const DEMO_LOTTERY_SERVICE: &str = "tpe-coupon-lottery";

/// How many demo citizens consent to [`DEMO_LOTTERY_SERVICE`] in the demo.
pub const CONSENTING_CITIZENS: usize = 3;

/// The seed error for a batch of `agency`'s events that the log refused.
fn refused(agency: &lantern_domain::AgencyCode, error: IngestError) -> SeedError {
    let reason = match error {
        IngestError::Store(error) => return SeedError::Store(error),
        IngestError::Invalid(errors) => {
            let first: Vec<String> = errors.iter().take(5).map(ToString::to_string).collect();
            format!(
                "{} broken rule(s), first: {}",
                errors.len(),
                first.join("; ")
            )
        }
        other @ IngestError::UnknownAgency => other.to_string(),
    };
    SeedError::UsageRefused {
        agency: agency.to_string(),
        reason,
    }
}

/// The demo staff as store accounts, passwords hashed.
fn staff_users(now: OffsetDateTime, options: &SeedOptions<'_>) -> Result<Vec<User>, SeedError> {
    staff_accounts()
        .into_iter()
        .map(|person| {
            let agency = lantern_domain::AgencyCode::parse(person.agency).map_err(|e| {
                SeedError::InvalidWorld {
                    data_file: "src/staff.rs",
                    reason: format!("{}: {e}", person.username),
                }
            })?;
            let password_hash = (options.password_hasher)(person.password).map_err(|reason| {
                SeedError::PasswordHash {
                    username: person.username,
                    reason,
                }
            })?;
            Ok(User {
                username: person.username.to_owned(),
                display_name: person.display_name.to_owned(),
                agency,
                role: person.role,
                password_hash,
                created_at: now,
            })
        })
        .collect()
}
