//! Test data: demo agencies and files (validated the way the server validates them), valid
//! events, and synthetic subject numbers.

use std::collections::HashMap;

use lantern_domain::{Agency, FileId, FileSubmission, PersonalDataFile, SubjectId};
use time::OffsetDateTime;
use time::macros::datetime;

use crate::{EventSubmission, PseudonymKey};

/// When the test batches are received.
pub(crate) const NOW: OffsetDateTime = datetime!(2025-03-14 03:00 UTC);

/// The demo agency `code`.
pub(crate) fn agency(code: &str) -> Agency {
    let agencies: Vec<Agency> =
        serde_json::from_str(include_str!("../../lantern-demo/data/agencies.json")).unwrap();
    agencies
        .into_iter()
        .find(|a| a.code.as_str() == code)
        .unwrap()
}

/// 衛生福利部中央健康保險署, which holds `nhi-claims` and `nhia-card-issuance`.
pub(crate) fn nhia() -> Agency {
    agency("MOHW-NHIA")
}

fn validated(json: &str) -> PersonalDataFile {
    let submission: FileSubmission = serde_json::from_str(json).unwrap();
    let id = FileId::parse(submission.id.as_deref().unwrap()).unwrap();
    let agency = lantern_domain::AgencyCode::parse(submission.agency.as_deref().unwrap()).unwrap();
    submission.validate(id, agency).unwrap()
}

/// Three demo files:
/// - `nhi-claims` (MOHW-NHIA): purposes 031, 064, 157; categories C001, C003, C011, C023,
///   C088, C111, all codes; sensitive (Art. 6 medical records and care).
/// - `nhia-card-issuance` (MOHW-NHIA): purpose 031; categories C001, C003, C011 and one in
///   words; not sensitive.
/// - `household-registry` (MOI-DHA): another agency's file.
pub(crate) fn files() -> HashMap<FileId, PersonalDataFile> {
    let ordinary: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("../../lantern-demo/data/files.json")).unwrap();
    let card = ordinary
        .iter()
        .find(|f| f["id"] == "nhia-card-issuance")
        .unwrap()
        .to_string();
    [
        validated(include_str!(
            "../../lantern-demo/data/large-databases/nhi-claims.json"
        )),
        validated(&card),
        validated(include_str!(
            "../../lantern-demo/data/large-databases/household-registry.json"
        )),
    ]
    .into_iter()
    .map(|file| (file.id.clone(), file))
    .collect()
}

/// A synthetic national ID with a valid check digit.
pub(crate) fn subject(n: u32) -> SubjectId {
    SubjectId::with_check_digit('A', '1', &format!("{:07}", n % 10_000_000)).unwrap()
}

/// The key the tests pseudonymise with.
pub(crate) fn key() -> PseudonymKey {
    PseudonymKey::from_bytes([0x5a; 32])
}

/// A UUID that differs in its last digits.
pub(crate) fn uuid(n: u32) -> String {
    format!("0190f8a2-6c1e-7b3d-9a4f-2c5e{n:08x}")
}

/// A valid event: the `use` of a claim in `nhi-claims`, within its purposes.
pub(crate) fn event(n: u32) -> EventSubmission {
    EventSubmission {
        id: uuid(n),
        occurred_at: "2025-03-14T10:15:00+08:00".into(),
        file: "nhi-claims".into(),
        subject: subject(n).expose().to_owned(),
        action: "use".into(),
        purpose: "031".into(),
        categories: vec!["C111".into(), "C001".into()],
        legal_basis: "PDPA-16-MAIN".into(),
        legal_citation: None,
        recipient: None,
        reference: Some("NHI-2025-000123".into()),
        actor: Some("officer-7f3a".into()),
        records: 1,
        confidential: None,
    }
}
