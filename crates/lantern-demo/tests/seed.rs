//! Seeds the demo world into real SQLite stores in temporary directories.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use lantern_demo::{
    DEMO_ACTOR, DEMO_PASSWORD, DEMO_USAGE_EVENTS, SEEDED_MARKER, SeedError, SeedOptions,
    SeedOutcome, WORLD_VERSION, demo_citizens, seed, staff_accounts,
};
use lantern_domain::{Agency, AgencyCode, AgencyKind, Contact, PersonalDataFile};
use lantern_store::{
    AccessStore, Change, FileQuery, FootprintQuery, MAX_PAGE, RegisterStore, SettingsStore,
    StatsQuery, Store, UsageLogStore, VersionInfo, Versioned,
};
use lantern_store_sqlite::SqliteStore;
use lantern_usage::{Ingestor, PseudonymKey};
use time::OffsetDateTime;
use time::macros::datetime;

/// A fixed time, so that two seeds of the same world are identical.
const NOW: OffsetDateTime = datetime!(2026-03-02 09:00 UTC);

/// Usage events per seed in these tests: enough for every file, quick in a debug build.
const EVENTS: usize = 3_000;

fn test_hash(password: &str) -> Result<String, String> {
    Ok(format!("test-hash:{password}"))
}

fn subject_key() -> PseudonymKey {
    PseudonymKey::from_bytes([9; 32])
}

/// A new SQLite store in a temporary directory, with an ingestor writing to it.
struct Fixture {
    _dir: tempfile::TempDir,
    store: Arc<SqliteStore>,
    ingestor: Ingestor,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = Arc::new(
            SqliteStore::open(&dir.path().join("lantern.db")).expect("a new SQLite store"),
        );
        let ingestor = Ingestor::new(store.clone(), subject_key());
        Self {
            _dir: dir,
            store,
            ingestor,
        }
    }

    fn options(&self) -> SeedOptions<'_> {
        self.options_with(EVENTS)
    }

    fn options_with(&self, usage_events: usize) -> SeedOptions<'_> {
        SeedOptions {
            password_hasher: &test_hash,
            ingestor: &self.ingestor,
            usage_events,
        }
    }

    async fn seed(&self) -> Result<SeedOutcome, SeedError> {
        seed(self.store.as_ref(), NOW, &self.options()).await
    }
}

/// Everything the seed writes to the registers, with version metadata.
#[derive(Debug, PartialEq)]
struct Registers {
    agencies: Vec<Versioned<Agency>>,
    files: Vec<Versioned<PersonalDataFile>>,
    histories: Vec<Vec<VersionInfo>>,
}

async fn registers(store: &dyn Store) -> Registers {
    let mut agencies = Vec::new();
    for agency in store.agencies().await.expect("agencies") {
        let current = store.agency(&agency.code).await.expect("an agency");
        agencies.push(current.expect("a listed agency exists"));
    }
    let page = store
        .search_files(&FileQuery {
            limit: MAX_PAGE,
            ..FileQuery::default()
        })
        .await
        .expect("files");
    assert_eq!(
        page.total,
        page.items.len() as u64,
        "the demo fits in one page"
    );
    let mut histories = Vec::new();
    for file in &page.items {
        histories.push(
            store
                .file_history(&file.value.id)
                .await
                .expect("a file's history"),
        );
    }
    Registers {
        agencies,
        files: page.items,
        histories,
    }
}

fn seeded(outcome: SeedOutcome) -> lantern_demo::SeedSummary {
    match outcome {
        SeedOutcome::Seeded(summary) => summary,
        SeedOutcome::AlreadySeeded => panic!("expected a fresh seed"),
    }
}

#[tokio::test]
async fn seeds_a_fresh_store() {
    let fixture = Fixture::new();
    let store = fixture.store.as_ref();
    let summary = seeded(fixture.seed().await.unwrap());
    assert_eq!(summary.large_databases, 5);
    assert!((17..=25).contains(&summary.files), "{summary:?}");
    assert_eq!(summary.staff, staff_accounts().len());
    assert_eq!(summary.usage_events, EVENTS as u64);

    let registers = registers(store).await;
    assert_eq!(registers.agencies.len(), summary.agencies);
    assert_eq!(registers.files.len(), summary.files);
    let first_version = VersionInfo {
        version: 1,
        changed_by: DEMO_ACTOR.to_owned(),
        changed_at: NOW,
        changed_fields: Vec::new(),
    };
    for agency in &registers.agencies {
        assert_eq!(agency.info, first_version, "{}", agency.value.code);
    }
    for (file, history) in registers.files.iter().zip(&registers.histories) {
        assert_eq!(file.info, first_version, "{}", file.value.id);
        assert_eq!(
            history,
            std::slice::from_ref(&first_version),
            "{}",
            file.value.id
        );
    }
    assert_eq!(
        store.setting(SEEDED_MARKER).await.unwrap().as_deref(),
        Some(WORLD_VERSION)
    );
}

#[tokio::test]
async fn exactly_five_large_databases_disclose_everything() {
    let fixture = Fixture::new();
    fixture.seed().await.unwrap();
    let files = registers(fixture.store.as_ref()).await.files;
    let large: Vec<&PersonalDataFile> = files
        .iter()
        .map(|f| &f.value)
        .filter(|f| f.large_database.is_some())
        .collect();
    let ids: BTreeSet<&str> = large.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        BTreeSet::from([
            "household-registry",
            "id-card-photos",
            "income-tax",
            "labour-insurance",
            "nhi-claims"
        ])
    );
    for file in large {
        let db = file.large_database.as_ref().unwrap();
        let id = file.id.as_str();
        for (field, text) in [
            ("population", &db.population),
            ("retention", &db.retention),
            ("internal_controls", &db.internal_controls),
            ("out_of_purpose.description", &db.out_of_purpose.description),
            (
                "out_of_purpose.consent_method",
                &db.out_of_purpose.consent_method,
            ),
            ("subject_rights.access", &db.subject_rights.access),
            ("subject_rights.stop_use", &db.subject_rights.stop_use),
            ("subject_rights.deletion", &db.subject_rights.deletion),
            ("open_data.note", &db.open_data.note),
        ] {
            assert!(!text.trim().is_empty(), "{id}: {field} is empty");
        }
        assert!(db.people_covered.is_some() && db.record_count > 0, "{id}");
        assert!(!db.linkages.is_empty() && !db.recipients.is_empty(), "{id}");
        assert!(
            db.out_of_purpose.occurs && !db.out_of_purpose.legal_bases.is_empty(),
            "{id}"
        );
        assert_ne!(db.subject_rights.contact, Contact::default(), "{id}");
        assert!(
            !file.legal_basis.pdpa.is_empty() && !file.legal_basis.statutes.is_empty(),
            "{id}"
        );
        assert!(
            !file.purposes.is_empty() && !file.categories.is_empty(),
            "{id}"
        );
    }
}

#[tokio::test]
async fn seeding_twice_changes_nothing() {
    let fixture = Fixture::new();
    let store = fixture.store.as_ref();
    seeded(fixture.seed().await.unwrap());
    let before = registers(store).await;
    let tree = store.tree_head().await.unwrap();
    let later = datetime!(2026-03-03 09:00 UTC);
    assert_eq!(
        seed(store, later, &fixture.options()).await.unwrap(),
        SeedOutcome::AlreadySeeded
    );
    assert_eq!(registers(store).await, before);
    assert_eq!(store.tree_head().await.unwrap(), tree);
}

#[tokio::test]
async fn a_fixed_now_gives_identical_worlds() {
    let (first, second) = (Fixture::new(), Fixture::new());
    first.seed().await.unwrap();
    second.seed().await.unwrap();
    let (a, b) = (first.store.as_ref(), second.store.as_ref());
    assert_eq!(registers(a).await, registers(b).await);
    // The same events (each subject's secret, and so each commitment, is the store's own).
    let everything = StatsQuery {
        group_by: vec![
            lantern_store::StatsDimension::Month,
            lantern_store::StatsDimension::File,
            lantern_store::StatsDimension::Action,
            lantern_store::StatsDimension::Scope,
        ],
        ..StatsQuery::default()
    };
    assert_eq!(
        a.usage_stats(&everything).await.unwrap(),
        b.usage_stats(&everything).await.unwrap()
    );
    assert_eq!(
        a.tree_head().await.unwrap().size,
        b.tree_head().await.unwrap().size
    );
}

#[tokio::test]
async fn the_usage_log_holds_every_event_and_demo_citizens_see_theirs() {
    let fixture = Fixture::new();
    let store = fixture.store.as_ref();
    let events = 20_000;
    let summary = seeded(
        seed(store, NOW, &fixture.options_with(events))
            .await
            .unwrap(),
    );
    assert_eq!(summary.usage_events, events as u64);
    assert!(
        summary.delivery_events > 0,
        "approved requests were delivered"
    );
    assert_eq!(
        store.tree_head().await.unwrap().size,
        events as u64 + summary.delivery_events
    );

    // Every registered file reports.
    let activity = store.file_activity().await.unwrap();
    assert_eq!(activity.len(), summary.files);
    assert!(
        activity
            .iter()
            .all(|a| a.last_event < NOW && a.last_reported == NOW)
    );

    let scopes = store
        .usage_stats(&StatsQuery {
            group_by: vec![lantern_store::StatsDimension::Scope],
            ..StatsQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(scopes.len(), 2, "within and outside purpose: {scopes:?}");

    // A demo citizen finds their events under the pseudonym of their number.
    let key = subject_key();
    let mut seen = 0;
    let mut withheld = 0;
    for citizen in demo_citizens() {
        let pseudonym = key.pseudonymise(&citizen.id);
        let footprint = store
            .footprint(FootprintQuery {
                subject: &pseudonym,
                today: NOW.date(),
                limit: 10,
                offset: 0,
            })
            .await
            .unwrap();
        seen += footprint.total;
        withheld += footprint.withheld.iter().map(|w| w.events).sum::<u64>();
    }
    assert!(seen > events as u64 / 20, "demo citizens saw {seen} events");
    assert!(withheld < seen);
}

/// The whole demo, 300,000 events, as `lantern demo` seeds it. Slow in a debug build: run with
/// `cargo test --release -p lantern-demo --test seed -- --ignored --nocapture`.
#[tokio::test]
#[ignore = "seeds the full demo: run in release"]
async fn the_full_demo_seeds_300_000_events() {
    let fixture = Fixture::new();
    let store = fixture.store.as_ref();
    let started = Instant::now();
    let summary = seeded(
        seed(store, NOW, &fixture.options_with(DEMO_USAGE_EVENTS))
            .await
            .unwrap(),
    );
    let elapsed = started.elapsed();
    assert_eq!(summary.usage_events, DEMO_USAGE_EVENTS as u64);
    assert_eq!(
        store.tree_head().await.unwrap().size,
        DEMO_USAGE_EVENTS as u64 + summary.delivery_events
    );
    report(&format!(
        "seeded the full demo ({} usage events) in {} ms",
        summary.usage_events,
        elapsed.as_millis()
    ));
}

/// Prints a figure of the ignored benchmark-like test.
#[allow(clippy::print_stdout)]
fn report(line: &str) {
    println!("{line}");
}

#[tokio::test]
async fn the_supervision_tree_has_no_cycles_and_every_supervisor_exists() {
    let fixture = Fixture::new();
    let store = fixture.store.as_ref();
    fixture.seed().await.unwrap();
    let agencies = store.agencies().await.unwrap();
    let codes: BTreeSet<&AgencyCode> = agencies.iter().map(|a| &a.code).collect();
    let supervisor_of = |code: &AgencyCode| {
        agencies
            .iter()
            .find(|a| &a.code == code)
            .and_then(|a| a.supervisor.clone())
    };
    let mut roots = BTreeSet::new();
    for agency in &agencies {
        // Walk up: a chain longer than the number of agencies would be a cycle.
        let mut current = agency.code.clone();
        let mut steps = 0;
        while let Some(supervisor) = supervisor_of(&current) {
            assert!(
                codes.contains(&supervisor),
                "{}: supervisor {supervisor} does not exist",
                agency.code
            );
            current = supervisor;
            steps += 1;
            assert!(steps <= agencies.len(), "{} is in a cycle", agency.code);
        }
        roots.insert(current.to_string());
    }
    assert_eq!(roots, BTreeSet::from(["EY".to_owned(), "NSC".to_owned()]));
    assert!(agencies.iter().any(|a| a.kind == AgencyKind::Local));

    let intelligence: Vec<&Agency> = agencies.iter().filter(|a| a.intelligence_agency).collect();
    assert_eq!(intelligence.len(), 1);
    let files = registers(store).await.files;
    assert!(
        files.iter().all(|f| f.value.agency != intelligence[0].code),
        "an intelligence agency holds no files here"
    );
}

#[tokio::test]
async fn staff_accounts_are_created_with_the_callers_hash() {
    let fixture = Fixture::new();
    let store = fixture.store.as_ref();
    fixture.seed().await.unwrap();
    for person in staff_accounts() {
        let user = store.user(person.username).await.unwrap().unwrap();
        assert_eq!(user.display_name, person.display_name);
        assert_eq!(user.agency.as_str(), person.agency);
        assert_eq!(user.role, person.role);
        assert_eq!(user.password_hash, format!("test-hash:{DEMO_PASSWORD}"));
        assert_eq!(user.created_at, NOW);
    }
    assert!(store.user("nhia.officer").await.unwrap().is_some());
    assert!(store.user("mohw.dpo").await.unwrap().is_some());
}

#[tokio::test]
async fn a_store_with_agencies_but_no_marker_is_refused() {
    let fixture = Fixture::new();
    let store = fixture.store.as_ref();
    let agency = Agency {
        code: AgencyCode::parse("EY").unwrap(),
        name_zh: "行政院".into(),
        name_en: "Executive Yuan".into(),
        kind: AgencyKind::Central,
        supervisor: None,
        contact: Contact {
            unit: "窗口".into(),
            email: "pdp@ey.example.gov.tw".into(),
            ..Contact::default()
        },
        intelligence_agency: false,
    };
    store
        .put_agency(
            &agency,
            &Change {
                actor: "user:someone".into(),
                at: NOW,
            },
        )
        .await
        .unwrap();

    let error = fixture.seed().await.unwrap_err();
    assert!(
        matches!(error, SeedError::NotEmpty { agencies: 1 }),
        "{error:?}"
    );
    assert!(error.to_string().contains(SEEDED_MARKER), "{error}");
    assert_eq!(store.agencies().await.unwrap(), [agency]);
    assert_eq!(store.setting(SEEDED_MARKER).await.unwrap(), None);
}

#[tokio::test]
async fn a_failing_hasher_writes_nothing() {
    let fixture = Fixture::new();
    let store = fixture.store.as_ref();
    let failing = |_: &str| -> Result<String, String> { Err("no entropy".into()) };
    let error = seed(
        store,
        NOW,
        &SeedOptions {
            password_hasher: &failing,
            ..fixture.options()
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(error, SeedError::PasswordHash { .. }), "{error:?}");
    assert!(store.agencies().await.unwrap().is_empty());
    assert_eq!(store.setting(SEEDED_MARKER).await.unwrap(), None);
    // The same store can then be seeded.
    seeded(fixture.seed().await.unwrap());
}

#[tokio::test]
async fn an_ingestor_of_another_store_is_reported() {
    let fixture = Fixture::new();
    let elsewhere = Fixture::new();
    let error = seed(
        fixture.store.as_ref(),
        NOW,
        &SeedOptions {
            ingestor: &elsewhere.ingestor,
            ..fixture.options()
        },
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&error, SeedError::UsageRefused { reason, .. } if reason.contains("not registered")),
        "{error}"
    );
    assert_eq!(
        fixture.store.setting(SEEDED_MARKER).await.unwrap(),
        None,
        "no marker after a refused batch"
    );
}
