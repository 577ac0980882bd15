//! The demo world as data: agencies and personal-data files, embedded from `data/` and checked
//! with the same rules as any agency's submission.
//!
//! Architecture invariant: nothing in the world bypasses validation. Agencies go through
//! [`Agency::check`] and the supervision-tree rules, files through [`FileSubmission::validate`],
//! so a demo can never show a register entry that a real agency could not have registered.

use std::collections::BTreeSet;

use lantern_domain::{
    Agency, AgencyCode, FileId, FileSubmission, PersonalDataFile, Service, ServiceId,
    ServiceSubmission,
};

use crate::SeedError;

/// A data file of the world: its path (for error messages) and its contents.
type Source = (&'static str, &'static str);

const AGENCIES: Source = ("data/agencies.json", include_str!("../data/agencies.json"));

/// Ordinary (not large) files, one JSON array.
const FILES: Source = ("data/files.json", include_str!("../data/files.json"));

/// The services that ask citizens for consent, each over one of the files.
const SERVICES: Source = ("data/services.json", include_str!("../data/services.json"));

/// One demo service as written in `data/services.json`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoService {
    id: String,
    agency: String,
    submission: ServiceSubmission,
}

/// The large databases of commitment (2), one submission per file.
const LARGE_DATABASES: [Source; 5] = [
    (
        "data/large-databases/nhi-claims.json",
        include_str!("../data/large-databases/nhi-claims.json"),
    ),
    (
        "data/large-databases/household-registry.json",
        include_str!("../data/large-databases/household-registry.json"),
    ),
    (
        "data/large-databases/id-card-photos.json",
        include_str!("../data/large-databases/id-card-photos.json"),
    ),
    (
        "data/large-databases/income-tax.json",
        include_str!("../data/large-databases/income-tax.json"),
    ),
    (
        "data/large-databases/labour-insurance.json",
        include_str!("../data/large-databases/labour-insurance.json"),
    ),
];

/// The validated world, in an order the store accepts.
#[derive(Debug, Clone)]
pub(crate) struct World {
    /// Every agency, each after its supervisor.
    pub(crate) agencies: Vec<Agency>,
    /// Every file, ordinary files first, then the large databases.
    pub(crate) files: Vec<PersonalDataFile>,
    /// The services with their notices.
    pub(crate) services: Vec<Service>,
}

impl World {
    /// Parses and validates the embedded world.
    ///
    /// # Errors
    /// [`SeedError::InvalidWorld`] naming the data file and every broken rule. The data is part
    /// of the source tree and the tests load it, so this is a build defect, never a run-time
    /// condition of a released binary.
    pub(crate) fn load() -> Result<Self, SeedError> {
        let agencies = supervisors_first(parse::<Vec<Agency>>(AGENCIES)?)
            .map_err(|reason| invalid(AGENCIES.0, reason))?;
        let codes: BTreeSet<&AgencyCode> = agencies.iter().map(|a| &a.code).collect();

        let mut submissions: Vec<(&'static str, FileSubmission)> =
            parse::<Vec<FileSubmission>>(FILES)?
                .into_iter()
                .map(|s| (FILES.0, s))
                .collect();
        for source in LARGE_DATABASES {
            submissions.push((source.0, parse::<FileSubmission>(source)?));
        }

        let mut files = Vec::with_capacity(submissions.len());
        let mut ids = BTreeSet::new();
        for (path, submission) in submissions {
            let file = validate(submission).map_err(|reason| invalid(path, reason))?;
            if !codes.contains(&file.agency) {
                return Err(invalid(
                    path,
                    format!(
                        "file {}: agency {} is not in the demo world",
                        file.id, file.agency
                    ),
                ));
            }
            if !ids.insert(file.id.clone()) {
                return Err(invalid(path, format!("file id {} is used twice", file.id)));
            }
            files.push(file);
        }
        let services = parse::<Vec<DemoService>>(SERVICES)?
            .into_iter()
            .map(|demo| service(demo, &files))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|reason| invalid(SERVICES.0, reason))?;
        Ok(Self {
            agencies,
            files,
            services,
        })
    }
}

/// Validates a demo service against its file, as the API does.
fn service(demo: DemoService, files: &[PersonalDataFile]) -> Result<Service, String> {
    let id = ServiceId::parse(&demo.id).map_err(|e| format!("{:?}: {e}", demo.id))?;
    let agency = AgencyCode::parse(&demo.agency).map_err(|e| format!("{id}: {e}"))?;
    let file = files.iter().find(|f| f.id.as_str() == demo.submission.file);
    demo.submission
        .validate(id.clone(), agency, file)
        .map_err(|errors| format!("{id}: {errors:?}"))
}

fn invalid(source: &'static str, reason: impl Into<String>) -> SeedError {
    SeedError::InvalidWorld {
        data_file: source,
        reason: reason.into(),
    }
}

fn parse<T: serde::de::DeserializeOwned>((path, text): Source) -> Result<T, SeedError> {
    serde_json::from_str(text).map_err(|e| invalid(path, e.to_string()))
}

/// Validates one submission as the file named by its own `id` and `agency`.
fn validate(submission: FileSubmission) -> Result<PersonalDataFile, String> {
    let raw_id = submission.id.clone().ok_or("a demo file needs an id")?;
    let id = FileId::parse(&raw_id).map_err(|e| format!("{raw_id:?}: {e}"))?;
    let raw_agency = submission
        .agency
        .clone()
        .ok_or_else(|| format!("file {id} needs an agency"))?;
    let agency =
        AgencyCode::parse(&raw_agency).map_err(|e| format!("file {id}: {raw_agency:?}: {e}"))?;
    submission
        .validate(id.clone(), agency)
        .map_err(|errors| format!("file {id}: {errors}"))
}

/// Checks every agency and orders them so that each comes after its supervisor, keeping the
/// data file's order otherwise (the store refuses an agency whose supervisor is missing).
///
/// # Errors
/// A sentence naming the agency that breaks a rule, has an unknown supervisor or is in a cycle.
fn supervisors_first(agencies: Vec<Agency>) -> Result<Vec<Agency>, String> {
    let mut all = BTreeSet::new();
    for agency in &agencies {
        agency
            .check()
            .map_err(|errors| format!("agency {}: {errors}", agency.code))?;
        if !all.insert(agency.code.clone()) {
            return Err(format!("agency {} is listed twice", agency.code));
        }
    }
    let mut placed = BTreeSet::new();
    let mut pending = agencies;
    let mut ordered = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let (ready, waiting): (Vec<Agency>, Vec<Agency>) = pending
            .into_iter()
            .partition(|a| a.supervisor.as_ref().is_none_or(|s| placed.contains(s)));
        if ready.is_empty() {
            let names: Vec<String> = waiting
                .iter()
                .map(|a| {
                    format!(
                        "{} (supervisor {})",
                        a.code,
                        a.supervisor.as_ref().map_or("-", AgencyCode::as_str)
                    )
                })
                .collect();
            return Err(format!(
                "these agencies have a supervisor that is missing or in a cycle: {}",
                names.join(", ")
            ));
        }
        placed.extend(ready.iter().map(|a| a.code.clone()));
        ordered.extend(ready);
        pending = waiting;
    }
    Ok(ordered)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use lantern_domain::file::{DataCategory, Purpose};
    use lantern_domain::reference::{Listing, builtin};
    use lantern_domain::{AgencyKind, AgencyTree, Contact};

    use super::*;
    use crate::staff_accounts;
    use lantern_store::Role;

    fn world() -> World {
        World::load().unwrap()
    }

    fn code(raw: &str) -> AgencyCode {
        AgencyCode::parse(raw).unwrap()
    }

    #[test]
    fn every_demo_file_validates() {
        let world = world();
        assert!(!world.agencies.is_empty());
        let large = world
            .files
            .iter()
            .filter(|f| f.large_database.is_some())
            .count();
        let ordinary = world.files.len() - large;
        assert_eq!(large, 5, "commitment (2) asks for five large databases");
        assert!((12..=20).contains(&ordinary), "{ordinary} ordinary files");
    }

    #[test]
    fn the_five_large_databases_are_the_ones_the_commitment_names() {
        let world = world();
        let large: BTreeMap<&str, &str> = world
            .files
            .iter()
            .filter(|f| f.large_database.is_some())
            .map(|f| (f.id.as_str(), f.agency.as_str()))
            .collect();
        assert_eq!(
            large,
            BTreeMap::from([
                ("household-registry", "MOI-DHA"),
                ("id-card-photos", "MOI-DHA"),
                ("income-tax", "MOF-FIA"),
                ("labour-insurance", "MOL-BLI"),
                ("nhi-claims", "MOHW-NHIA"),
            ])
        );
    }

    #[test]
    fn every_large_database_discloses_everything() {
        for file in world().files {
            let Some(db) = &file.large_database else {
                continue;
            };
            let id = file.id.as_str();
            assert!(
                !file.name_en.is_empty() && !file.description.is_empty(),
                "{id}"
            );
            assert!(!file.legal_basis.statutes.is_empty(), "{id}: statutes");
            for text in [
                &db.population,
                &db.retention,
                &db.internal_controls,
                &db.out_of_purpose.description,
                &db.out_of_purpose.consent_method,
                &db.subject_rights.access,
                &db.subject_rights.stop_use,
                &db.subject_rights.deletion,
                &db.open_data.note,
            ] {
                assert!(!text.trim().is_empty(), "{id}: an empty disclosure");
            }
            assert!(
                db.people_covered.is_some_and(|n| n > 1_000_000),
                "{id}: people covered"
            );
            assert!(
                db.record_count >= db.people_covered.unwrap_or_default(),
                "{id}: record count"
            );
            assert!(
                !db.linkages.is_empty() && !db.recipients.is_empty(),
                "{id}: linkages and recipients"
            );
            assert!(
                db.out_of_purpose.occurs && !db.out_of_purpose.legal_bases.is_empty(),
                "{id}"
            );
            assert!(
                !db.subject_rights.contact.unit.is_empty(),
                "{id}: contact window"
            );
            assert!(
                file.legal_basis
                    .pdpa
                    .iter()
                    .any(|b| b.as_str() == "PDPA-15-1"),
                "{id}"
            );
        }
    }

    #[test]
    fn open_data_states_vary() {
        let world = world();
        let states: BTreeSet<String> = world
            .files
            .iter()
            .filter_map(|f| f.large_database.as_ref())
            .map(|db| format!("{:?}", db.open_data.state))
            .collect();
        assert!(
            states.contains("Partial") && states.contains("NotPublished"),
            "{states:?}"
        );
    }

    #[test]
    fn linkages_to_register_ids_point_at_demo_files() {
        let world = world();
        let ids: BTreeSet<&str> = world.files.iter().map(|f| f.id.as_str()).collect();
        for file in &world.files {
            for link in file.large_database.iter().flat_map(|db| &db.linkages) {
                if FileId::parse(&link.target).is_ok() {
                    assert!(
                        ids.contains(link.target.as_str()),
                        "{}: {}",
                        file.id,
                        link.target
                    );
                    assert_ne!(link.target, file.id.as_str(), "{} links to itself", file.id);
                }
            }
        }
    }

    #[test]
    fn codes_show_listed_unlisted_and_described_entries() {
        let world = world();
        let reference = builtin();
        let purposes: Vec<&Purpose> = world.files.iter().flat_map(|f| &f.purposes).collect();
        let mut listed = 0;
        let mut unlisted = BTreeSet::new();
        for purpose in &purposes {
            if let Purpose::Code { code } = purpose {
                match reference.purpose(code) {
                    Listing::Listed(_) => listed += 1,
                    Listing::Unlisted => {
                        unlisted.insert(code.as_str());
                    }
                }
            }
        }
        assert!(listed > 0);
        assert!(
            unlisted.contains("015"),
            "household registration uses the unlisted code 015 戶政"
        );
        assert!(
            purposes
                .iter()
                .any(|p| matches!(p, Purpose::Described { .. }))
        );
        let categories: Vec<&DataCategory> =
            world.files.iter().flat_map(|f| &f.categories).collect();
        assert!(
            categories
                .iter()
                .any(|c| matches!(c, DataCategory::Described { .. }))
        );
    }

    #[test]
    fn some_ordinary_files_hold_sensitive_data() {
        let world = world();
        let sensitive = world
            .files
            .iter()
            .filter(|f| f.large_database.is_none() && f.has_sensitive_data())
            .count();
        assert!((2..=6).contains(&sensitive), "{sensitive}");
        let nhi = world
            .files
            .iter()
            .find(|f| f.id.as_str() == "nhi-claims")
            .unwrap();
        assert!(nhi.has_sensitive_data());
    }

    #[test]
    fn the_supervision_tree_is_sound() {
        let world = world();
        let tree = AgencyTree::new(&world.agencies);
        let codes: BTreeSet<&AgencyCode> = world.agencies.iter().map(|a| &a.code).collect();
        for (position, agency) in world.agencies.iter().enumerate() {
            if let Some(supervisor) = &agency.supervisor {
                assert!(
                    codes.contains(supervisor),
                    "{}: unknown supervisor",
                    agency.code
                );
                assert!(
                    !tree.would_cycle(&agency.code, supervisor),
                    "{}: cycle",
                    agency.code
                );
                let before = world.agencies[..position]
                    .iter()
                    .any(|a| &a.code == supervisor);
                assert!(before, "{} comes before its supervisor", agency.code);
            }
        }
        assert!(tree.may_read(&code("EY"), &code("MOHW-NHIA")));
        assert!(tree.may_read(&code("MOF"), &code("MOF-FIA")));
        assert!(tree.may_read(&code("TPE"), &code("TPE-DSW")));
        assert!(!tree.may_read(&code("MOI"), &code("MOHW-NHIA")));
    }

    #[test]
    fn agency_kinds_and_the_intelligence_agency() {
        let world = world();
        for agency in &world.agencies {
            let local = agency.code.as_str().starts_with("TPE");
            let expected = if local {
                AgencyKind::Local
            } else {
                AgencyKind::Central
            };
            assert_eq!(agency.kind, expected, "{}", agency.code);
        }
        let intelligence: Vec<&Agency> = world
            .agencies
            .iter()
            .filter(|a| a.intelligence_agency)
            .collect();
        assert_eq!(intelligence.len(), 1);
        assert_eq!(intelligence[0].code.as_str(), "NSB");
        assert!(
            world.files.iter().all(|f| f.agency != intelligence[0].code),
            "PDPA Art. 21-5"
        );
    }

    #[test]
    fn contact_details_are_clearly_synthetic() {
        let world = world();
        let contacts = world
            .agencies
            .iter()
            .map(|a| &a.contact)
            .chain(world.files.iter().map(|f| &f.contact))
            .chain(
                world
                    .files
                    .iter()
                    .filter_map(|f| f.large_database.as_ref())
                    .map(|db| &db.subject_rights.contact),
            );
        let mut count = 0;
        for Contact {
            unit,
            phone,
            email,
            address,
        } in contacts
        {
            count += 1;
            assert!(email.ends_with(".example.gov.tw"), "{unit}: {email}");
            // Taipei subscriber numbers never start with 0, so 02-0000-xxxx cannot be dialled.
            assert!(
                phone.starts_with("02-0000-") && phone.len() == "02-0000-0000".len(),
                "{unit}: {phone}"
            );
            assert!(
                address.is_empty() || address.contains("示範路"),
                "{unit}: {address}"
            );
        }
        assert!(count > 40);
    }

    #[test]
    fn the_data_holds_no_identity_numbers() {
        // Neither a national ID nor a resident certificate number: a capital letter followed by
        // nine digits (or two letters and eight digits) anywhere in the embedded text.
        let texts = [AGENCIES, FILES, crate::events::PROFILES]
            .into_iter()
            .chain(LARGE_DATABASES)
            .map(|(_, text)| text);
        for text in texts {
            let chars: Vec<char> = text.chars().collect();
            for window in chars.windows(10) {
                let letter = window[0].is_ascii_uppercase();
                let digits = window[1..].iter().all(char::is_ascii_digit);
                let old_format =
                    window[1].is_ascii_uppercase() && window[2..].iter().all(char::is_ascii_digit);
                assert!(
                    !(letter && (digits || old_format)),
                    "{}",
                    window.iter().collect::<String>()
                );
            }
        }
    }

    #[test]
    fn every_agency_with_files_has_an_officer_and_mohw_has_a_dpo() {
        let world = world();
        let staff = staff_accounts();
        let codes: BTreeSet<&str> = world.agencies.iter().map(|a| a.code.as_str()).collect();
        for person in &staff {
            assert!(
                codes.contains(person.agency),
                "{}: {}",
                person.username,
                person.agency
            );
        }
        let holders: BTreeSet<&str> = world.files.iter().map(|f| f.agency.as_str()).collect();
        for agency in holders {
            assert!(
                staff
                    .iter()
                    .any(|s| s.agency == agency && s.role == Role::Officer),
                "{agency} has files but no officer"
            );
        }
        assert!(
            staff
                .iter()
                .any(|s| s.agency == "MOHW" && s.role == Role::DataProtectionOfficer)
        );
    }

    #[test]
    fn a_cycle_or_missing_supervisor_is_refused() {
        let mut agencies: Vec<Agency> = parse(AGENCIES).unwrap();
        let ey = agencies
            .iter_mut()
            .find(|a| a.code.as_str() == "EY")
            .unwrap();
        ey.supervisor = Some(code("MOHW-NHIA"));
        let error = supervisors_first(agencies).unwrap_err();
        assert!(error.contains("EY (supervisor MOHW-NHIA)"), "{error}");

        let mut agencies: Vec<Agency> = parse(AGENCIES).unwrap();
        agencies.retain(|a| a.code.as_str() != "MOF");
        let error = supervisors_first(agencies).unwrap_err();
        assert!(error.contains("MOF-FIA (supervisor MOF)"), "{error}");
    }

    #[test]
    fn an_invalid_file_names_its_rule() {
        let mut submission: FileSubmission = parse(LARGE_DATABASES[0]).unwrap();
        submission
            .large_database
            .as_mut()
            .unwrap()
            .retention
            .clear();
        let error = validate(submission).unwrap_err();
        assert!(error.contains("large_database.retention"), "{error}");
        assert!(
            validate(FileSubmission::default())
                .unwrap_err()
                .contains("needs an id")
        );
    }
}
