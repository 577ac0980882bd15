//! The test data of the suite: a small supervision tree of agencies, five personal-data files
//! built the way the server builds them (JSON → [`FileSubmission`] → [`FileSubmission::validate`]),
//! staff accounts, and fixed points in time (the suite never reads the wall clock).
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
    Agency, AgencyCode, AgencyKind, Contact, FileId, FileSubmission, PersonalDataFile,
};
use lantern_store::{Change, Role, Session, Store, User};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

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
