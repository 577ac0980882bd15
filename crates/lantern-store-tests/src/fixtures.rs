//! The test data of the suite: a small supervision tree of agencies, five personal-data files
//! built the way the server builds them (JSON → [`FileSubmission`] → [`FileSubmission::validate`]),
//! staff accounts, usage events for the log ([`Usage`]), and fixed points in time (the suite
//! never reads the wall clock).
//!
//! The five files are chosen so that every search filter splits them differently:
//!
//! | file | agency | large | sensitive | purposes | categories |
//! |---|---|---|---|---|---|
//! | `nhi-claims` | MOHW-NHIA | yes | yes | 031, 012 | C001, C003, C111 |
//! | `household-registry` | MOI-HRA | yes | no | 003, 038 | C001, C003, C021 |
//! | `tax-returns` | MOF-TAX | no | no | 095, 038 | C001, C081 |
//! | `library-patrons` | TPE-LIB | no | no | 109, described | C001, C035 |
//! | `hospital-appointments` | TPE-HOSP | no | yes | 012 | C001, C111 |

use lantern_domain::{
    Agency, AgencyCode, AgencyKind, Contact, DataCategoryCode, FileId, FileSubmission,
    LegalBasisCode, PersonalDataFile, PurposeCode, RestrictionGroundCode,
};
use lantern_log::merkle::{leaf_hash, stored_hash_count};
use lantern_log::{
    Action, CanonicalEvent, Confidential, EventId, EventParts, Frontier, Hash, PurposeScope,
    SubjectPseudonym,
};
use lantern_store::{
    AppendReceipt, Change, Footprint, FootprintQuery, MAX_PAGE, NewUsageEvent, Role, Session,
    Store, User,
};
use time::macros::datetime;
use time::{Date, Duration, OffsetDateTime};

/// The suite's epoch. It carries milliseconds, the precision every store must keep.
pub const T0: OffsetDateTime = datetime!(2025-03-01 01:00:00.123 UTC);

/// `minutes` after [`T0`].
#[must_use]
pub fn at(minutes: i64) -> OffsetDateTime {
    T0 + Duration::minutes(minutes)
}

/// A change made by `actor`, `minutes` after [`T0`].
#[must_use]
pub fn change(actor: &str, minutes: i64) -> Change {
    Change {
        actor: actor.to_owned(),
        at: at(minutes),
    }
}

/// Parses an agency code the suite spells correctly.
#[must_use]
pub fn code(raw: &str) -> AgencyCode {
    AgencyCode::parse(raw).expect("the suite's agency codes are well formed")
}

/// Parses a file id the suite spells correctly.
#[must_use]
pub fn file_id(raw: &str) -> FileId {
    FileId::parse(raw).expect("the suite's file ids are well formed")
}

/// A central agency named `name_zh`, supervised by `supervisor`.
#[must_use]
pub fn agency(raw_code: &str, name_zh: &str, supervisor: Option<&str>) -> Agency {
    Agency {
        code: code(raw_code),
        name_zh: name_zh.to_owned(),
        name_en: String::new(),
        kind: AgencyKind::Central,
        supervisor: supervisor.map(code),
        contact: Contact {
            unit: "個資窗口".into(),
            phone: "02-2345-6789".into(),
            ..Contact::default()
        },
        intelligence_agency: false,
    }
}

/// Every agency the files need, supervisors before the agencies they supervise.
#[must_use]
pub fn agencies() -> Vec<Agency> {
    let mut tpe = agency("TPE", "臺北市政府", None);
    tpe.kind = AgencyKind::Local;
    let mut tpe_lib = agency("TPE-LIB", "臺北市立圖書館", Some("TPE"));
    tpe_lib.kind = AgencyKind::Local;
    let mut tpe_hosp = agency("TPE-HOSP", "臺北市立聯合醫院", Some("TPE"));
    tpe_hosp.kind = AgencyKind::OtherPublicBody;
    vec![
        agency("EY", "行政院", None),
        agency("MOHW", "衛生福利部", Some("EY")),
        agency("MOHW-NHIA", "衛生福利部中央健康保險署", Some("MOHW")),
        agency("MOI", "內政部", Some("EY")),
        agency("MOI-HRA", "內政部戶政司", Some("MOI")),
        agency("MOF", "財政部", Some("EY")),
        agency("MOF-TAX", "財政部賦稅署", Some("MOF")),
        tpe,
        tpe_lib,
        tpe_hosp,
    ]
}

/// Stores [`agencies`] as version 1, made by `system:seed` at [`T0`].
pub async fn seed_agencies(store: &dyn Store) {
    for agency in agencies() {
        store
            .put_agency(&agency, &change("system:seed", 0))
            .await
            .expect("seeding an agency");
    }
}

/// Validates a submission in JSON as file `id` of `agency`.
///
/// # Panics
/// When the JSON is not a submission or the submission is invalid: the suite's data is wrong.
#[must_use]
pub fn file_from_json(json: &str, id: &str, agency: &str) -> PersonalDataFile {
    let submission: FileSubmission =
        serde_json::from_str(json).expect("the fixture is a file submission");
    submission
        .validate(file_id(id), code(agency))
        .unwrap_or_else(|errors| panic!("fixture {id} is invalid: {errors:?}"))
}

/// The National Health Insurance claims database: large, sensitive.
#[must_use]
pub fn nhi_claims() -> PersonalDataFile {
    file_from_json(
        include_str!("../fixtures/nhi-claims.json"),
        "nhi-claims",
        "MOHW-NHIA",
    )
}

/// The household register: large, not sensitive.
#[must_use]
pub fn household_registry() -> PersonalDataFile {
    file_from_json(
        include_str!("../fixtures/household-registry.json"),
        "household-registry",
        "MOI-HRA",
    )
}

/// Income tax returns: neither large nor sensitive.
#[must_use]
pub fn tax_returns() -> PersonalDataFile {
    file_from_json(
        include_str!("../fixtures/tax-returns.json"),
        "tax-returns",
        "MOF-TAX",
    )
}

/// A city library's patrons: neither large nor sensitive; its description holds a literal `%`.
#[must_use]
pub fn library_patrons() -> PersonalDataFile {
    file_from_json(
        include_str!("../fixtures/library-patrons.json"),
        "library-patrons",
        "TPE-LIB",
    )
}

/// A city hospital's appointments: sensitive but not large.
#[must_use]
pub fn hospital_appointments() -> PersonalDataFile {
    file_from_json(
        include_str!("../fixtures/hospital-appointments.json"),
        "hospital-appointments",
        "TPE-HOSP",
    )
}

/// The five files, in the order a search returns them (agency code, then file id).
#[must_use]
pub fn files() -> Vec<PersonalDataFile> {
    vec![
        tax_returns(),
        nhi_claims(),
        household_registry(),
        hospital_appointments(),
        library_patrons(),
    ]
}

/// Stores [`agencies`] and [`files`], each file as version 1 made by `user:seed` at [`T0`].
pub async fn seed_files(store: &dyn Store) {
    seed_agencies(store).await;
    for file in files() {
        store
            .create_file(&file, &change("user:seed", 0))
            .await
            .expect("seeding a file");
    }
}

/// A staff account of `agency`, made at [`T0`].
#[must_use]
pub fn user(username: &str, agency: &str, role: Role) -> User {
    User {
        username: username.to_owned(),
        display_name: format!("{username} 承辦人"),
        agency: code(agency),
        role,
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ${username}"),
        created_at: T0,
    }
}

/// A session of `username` started at [`T0`] that ends `minutes` later; `seed` makes the hash.
#[must_use]
pub fn session(seed: u8, username: &str, minutes: i64) -> Session {
    Session {
        id_hash: [seed; 32],
        username: username.to_owned(),
        csrf_token: format!("csrf-{seed}"),
        created_at: T0,
        expires_at: at(minutes),
    }
}

/// The id of the suite's `n`-th usage event: a version-4 UUID ending in `n`.
#[must_use]
pub fn event_id(n: u64) -> EventId {
    EventId::parse(&format!("00000000-0000-4000-8000-{n:012x}"))
        .expect("the suite's event ids are well formed")
}

/// The pseudonym of the suite's subject number `n`: 32 bytes of `n`.
#[must_use]
pub fn subject(n: u8) -> SubjectPseudonym {
    SubjectPseudonym::from_bytes([n; 32])
}

/// The agency and first registered purpose of each of the suite's files.
///
/// # Panics
/// For a file the suite does not have.
#[must_use]
pub fn file_agency_and_purpose(file: &str) -> (&'static str, &'static str) {
    match file {
        "nhi-claims" => ("MOHW-NHIA", "031"),
        "household-registry" => ("MOI-HRA", "003"),
        "tax-returns" => ("MOF-TAX", "095"),
        "library-patrons" => ("TPE-LIB", "109"),
        "hospital-appointments" => ("TPE-HOSP", "012"),
        other => panic!("the suite has no file {other}"),
    }
}

/// A usage event as the suite writes it, before it is made canonical: start from [`usage`]
/// and change fields with struct update syntax, then call [`Usage::event`].
#[derive(Debug, Clone)]
pub struct Usage {
    /// The number of its id ([`event_id`]).
    pub id: u64,
    /// The number of its subject ([`subject`]).
    pub subject: u8,
    /// One of the suite's file ids; the agency follows from it.
    pub file: &'static str,
    /// When it happened.
    pub occurred_at: OffsetDateTime,
    /// What was done.
    pub action: Action,
    /// The purpose code.
    pub purpose: &'static str,
    /// The legal-basis code.
    pub legal_basis: &'static str,
    /// Within or outside the file's purposes.
    pub scope: PurposeScope,
    /// How many records.
    pub records: u64,
    /// A restriction ground and the date until which the event is withheld.
    pub confidential: Option<(&'static str, Date)>,
}

/// Event number `id` of subject number `subject` from `file` at `occurred_at`: a use for the
/// file's first registered purpose, within purpose, of one record, not confidential.
#[must_use]
pub fn usage(id: u64, subject: u8, file: &'static str, occurred_at: OffsetDateTime) -> Usage {
    Usage {
        id,
        subject,
        file,
        occurred_at,
        action: Action::Use,
        purpose: file_agency_and_purpose(file).1,
        legal_basis: "PDPA-16-MAIN",
        scope: PurposeScope::WithinPurpose,
        records: 1,
        confidential: None,
    }
}

impl Usage {
    /// The canonical event, ready to append. It carries a reference and an actor, one of them
    /// in Chinese, so the free text round-trips too.
    ///
    /// # Panics
    /// When a code is misspelt: the suite's data is wrong.
    #[must_use]
    pub fn event(&self) -> NewUsageEvent {
        let parts = EventParts {
            id: event_id(self.id),
            occurred_at: self.occurred_at,
            agency: code(file_agency_and_purpose(self.file).0),
            file: file_id(self.file),
            subject: subject(self.subject),
            action: self.action,
            purpose: PurposeCode::parse(self.purpose).expect("the suite's purposes are valid"),
            categories: vec![DataCategoryCode::parse("C001").expect("category")],
            legal_basis: LegalBasisCode::parse(self.legal_basis)
                .expect("the suite's legal bases are listed"),
            legal_citation: None,
            recipient: None,
            reference: Some(format!("案件-{}", self.id)),
            actor: Some("officer-7f3a".into()),
            records: self.records,
            confidential: self.confidential.map(|(ground, until)| Confidential {
                ground: RestrictionGroundCode::parse(ground).expect("the suite's grounds exist"),
                until,
            }),
        };
        NewUsageEvent {
            event: CanonicalEvent::new(parts).expect("the suite's events are valid"),
            scope: self.scope,
        }
    }
}

/// The canonical events of `usages`, in order.
#[must_use]
pub fn events(usages: &[Usage]) -> Vec<NewUsageEvent> {
    usages.iter().map(Usage::event).collect()
}

/// Appends `usages` as one batch received at `received_at`.
pub async fn append(
    store: &dyn Store,
    usages: &[Usage],
    received_at: OffsetDateTime,
) -> AppendReceipt {
    store
        .append_events(events(usages), received_at)
        .await
        .expect("append_events")
}

/// Every encoded entry of the log, in leaf order; exactly as many as the tree head says.
pub async fn all_entries(store: &dyn Store) -> Vec<Vec<u8>> {
    let head = store.tree_head().await.expect("tree_head");
    let entries = store.log_entries(0, head.size).await.expect("log_entries");
    assert_eq!(
        entries.len() as u64,
        head.size,
        "log_entries(0, size) returns every entry of the tree"
    );
    entries
}

/// The leaf hash of each entry.
#[must_use]
pub fn leaf_hashes(entries: &[Vec<u8>]) -> Vec<Hash> {
    entries.iter().map(|entry| leaf_hash(entry)).collect()
}

/// The stored hashes of a tree of these leaves, in stored-hash order, computed in memory.
#[must_use]
pub fn stored_hashes_of(leaves: &[Hash]) -> Vec<Hash> {
    let mut frontier = Frontier::new();
    let mut stored = Vec::new();
    for leaf in leaves {
        frontier
            .append(*leaf, &mut stored)
            .expect("the suite's trees are small");
    }
    stored
}

/// Every stored hash of the tree, read in one call.
pub async fn all_stored_hashes(store: &dyn Store) -> Vec<Hash> {
    let head = store.tree_head().await.expect("tree_head");
    let indexes: Vec<u64> = (0..stored_hash_count(head.size)).collect();
    store
        .stored_hashes(&indexes)
        .await
        .expect("stored_hashes of the whole tree")
}

/// The first page (as large as pages go) of the footprint of subject number `n` on `today`.
pub async fn footprint(store: &dyn Store, n: u8, today: Date) -> Footprint {
    store
        .footprint(FootprintQuery {
            subject: &subject(n),
            today,
            limit: MAX_PAGE,
            offset: 0,
        })
        .await
        .expect("footprint")
}

/// A well-spread 64-bit value of `n` (SplitMix64).
#[must_use]
pub fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Event `n` of a throughput measurement: a random-looking version 4 id (as clients make
/// them), one of `subjects` subjects, spread over a month of `nhi-claims` uses.
///
/// # Panics
/// Never for `subjects > 0`: every part is well formed.
#[must_use]
pub fn measured_event(n: u64, subjects: u64) -> NewUsageEvent {
    let offset = i64::try_from(n % 43_200).expect("below 43,200");
    let template = usage(1, 1, "nhi-claims", at(offset)).event();
    let mut parts = template.event.parts().clone();
    let (high, low) = (mix(n), mix(!n));
    parts.id = EventId::parse(&format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        high & 0xfff,
        low >> 52,
        low & 0xffff_ffff_ffff
    ))
    .expect("a well-formed UUID");
    let who = mix(n) % subjects;
    let mut pseudonym = [0; 32];
    for (i, chunk) in (0_u64..).zip(pseudonym.chunks_mut(8)) {
        chunk.copy_from_slice(&mix(who ^ (i << 40)).to_le_bytes());
    }
    parts.subject = SubjectPseudonym::from_bytes(pseudonym);
    NewUsageEvent {
        event: CanonicalEvent::new(parts).expect("a valid event"),
        scope: template.scope,
    }
}
