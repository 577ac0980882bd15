use time::macros::date;

use super::*;
use crate::file::FileSubmission;

const TODAY: Date = date!(2025 - 03 - 14);

fn code(raw: &str) -> AgencyCode {
    AgencyCode::parse(raw).unwrap()
}

fn id() -> RequestId {
    RequestId::parse("0190f8a2-6c1e-7b3d-9a4f-2c5e8d1b7a60").unwrap()
}

/// `nhi-claims` of MOHW-NHIA: sensitive, categories C001, C003, C111, all as codes.
fn nhi_claims() -> PersonalDataFile {
    let submission: FileSubmission =
        serde_json::from_str(include_str!("../../tests/fixtures/large-database.json")).unwrap();
    submission
        .validate(FileId::parse("nhi-claims").unwrap(), code("MOHW-NHIA"))
        .unwrap()
}

/// The same file without its sensitive data (and without the health-record category).
fn plain_file() -> PersonalDataFile {
    let mut file = nhi_claims();
    file.sensitive = None;
    file.categories.pop();
    file
}

fn submission() -> DataRequestSubmission {
    DataRequestSubmission {
        file: "nhi-claims".into(),
        purpose: "157".into(),
        legal_basis: "PDPA-16-P5".into(),
        legal_citation: "個人資料保護法第16條但書第5款".into(),
        categories: vec!["C001".into(), "C111".into()],
        subjects: "1200".into(),
        population: String::new(),
        consent_evidence: String::new(),
        retention: "研究結束後一年內銷毀".into(),
        security: "去識別化，於獨立環境分析".into(),
        recipients: "國家發展委員會研究小組".into(),
    }
}

fn validate(submission: DataRequestSubmission) -> Result<DataRequest, ValidationErrors> {
    submission.validate(id(), code("NDC"), Some(&nhi_claims()), TODAY)
}

fn rules(errors: &ValidationErrors) -> Vec<(&str, Rule)> {
    errors
        .0
        .iter()
        .map(|e| (e.field.as_str(), e.rule))
        .collect()
}

fn request() -> DataRequest {
    validate(submission()).unwrap()
}

fn decision(outcome: Outcome, approved_subjects: Option<u64>) -> Decision {
    Decision {
        outcome,
        reasons: "符合學術研究必要".into(),
        approved_subjects,
        decided_on: date!(2025 - 03 - 20),
        decided_by: "user:nhia-officer".into(),
    }
}

fn delivery(subjects: u64) -> Delivery {
    Delivery {
        delivered_on: date!(2025 - 03 - 25),
        subjects,
        release: true,
    }
}

#[test]
fn request_ids_are_uuids_kept_lowercase() {
    let upper = RequestId::parse("0190F8A2-6C1E-7B3D-9A4F-2C5E8D1B7A60").unwrap();
    assert_eq!(upper, id());
    assert_eq!(upper.as_str(), "0190f8a2-6c1e-7b3d-9a4f-2c5e8d1b7a60");
    for bad in [
        "",
        "0190f8a26c1e7b3d9a4f2c5e8d1b7a60",
        "0190f8a2-6c1e-7b3d-9a4f-2c5e8d1b7a6",
        "0190f8a2-6c1e-7b3d-9a4f-2c5e8d1b7a6g",
        "0190f8a2_6c1e-7b3d-9a4f-2c5e8d1b7a60",
    ] {
        assert!(RequestId::parse(bad).is_err(), "{bad:?}");
    }
    assert!(serde_json::from_str::<RequestId>("\"not-a-uuid\"").is_err());
}

#[test]
fn a_complete_request_is_accepted_for_the_files_holder() {
    let request = request();
    assert_eq!(request.requester, code("NDC"));
    assert_eq!(request.holder, code("MOHW-NHIA"));
    assert_eq!(request.file.as_str(), "nhi-claims");
    assert_eq!(request.subjects, Some(1200));
    assert_eq!(request.filed_on, TODAY);
    assert_eq!(
        request
            .categories
            .iter()
            .map(DataCategoryCode::as_str)
            .collect::<Vec<_>>(),
        ["C001", "C111"]
    );
}

#[test]
fn a_request_to_ones_own_file_is_allowed() {
    let own = submission()
        .validate(id(), code("MOHW-NHIA"), Some(&nhi_claims()), TODAY)
        .unwrap();
    assert_eq!(own.requester, own.holder);
}

#[test]
fn every_missing_value_is_named_at_once() {
    let errors = DataRequestSubmission::default()
        .validate(id(), code("NDC"), None, TODAY)
        .unwrap_err();
    assert_eq!(
        rules(&errors),
        [
            ("file", Rule::Required),
            ("purpose", Rule::Required),
            ("legal_basis", Rule::Required),
            ("legal_citation", Rule::Required),
            ("categories", Rule::Required),
            ("population", Rule::Required),
            ("retention", Rule::Required),
            ("security", Rule::Required),
            ("recipients", Rule::Required),
        ]
    );
}

#[test]
fn malformed_values_are_named_with_their_rule() {
    let errors = validate(DataRequestSubmission {
        file: "NHI Claims".into(),
        purpose: "31".into(),
        legal_basis: "PDPA-99-1".into(),
        legal_citation: "第16條\n第5款".into(),
        categories: vec!["C001".into(), "c1".into(), "C001".into()],
        subjects: "about 1200".into(),
        ..submission()
    })
    .unwrap_err();
    assert_eq!(
        rules(&errors),
        [
            ("file", Rule::Format),
            ("purpose", Rule::Format),
            ("legal_basis", Rule::UnknownCode),
            ("legal_citation", Rule::Format),
            ("categories[1]", Rule::UnknownCode),
            ("categories[2]", Rule::Duplicate),
            ("subjects", Rule::Format),
        ]
    );
}

#[test]
fn out_of_range_and_too_long_values_are_refused() {
    let errors = validate(DataRequestSubmission {
        purpose: "183".into(),
        legal_citation: "款".repeat(MAX_CITATION_CHARS + 1),
        subjects: "0".into(),
        retention: "年".repeat(MAX_REQUEST_TEXT + 1),
        ..submission()
    })
    .unwrap_err();
    assert_eq!(
        rules(&errors),
        [
            ("purpose", Rule::UnknownCode),
            ("legal_citation", Rule::TooLong),
            ("subjects", Rule::OutOfRange),
            ("retention", Rule::TooLong),
        ]
    );
}

#[test]
fn an_unknown_file_is_an_unknown_reference() {
    let errors = submission()
        .validate(id(), code("NDC"), None, TODAY)
        .unwrap_err();
    assert_eq!(rules(&errors), [("file", Rule::UnknownReference)]);
    // A file found under another id is not the one named.
    let errors = DataRequestSubmission {
        file: "household-registry".into(),
        ..submission()
    }
    .validate(id(), code("NDC"), Some(&nhi_claims()), TODAY)
    .unwrap_err();
    assert_eq!(rules(&errors), [("file", Rule::UnknownReference)]);
}

#[test]
fn the_basis_must_permit_a_use_outside_the_purposes() {
    for within in ["PDPA-16-MAIN", "PDPA-15-1", "PDPA-20-P5", "PDPA-6-PARA2"] {
        let errors = validate(DataRequestSubmission {
            legal_basis: within.into(),
            ..submission()
        })
        .unwrap_err();
        assert_eq!(
            rules(&errors),
            [("legal_basis", Rule::OutOfPurposeNeedsBasis)],
            "{within}"
        );
    }
    // An Art. 6 proviso item serves a file with sensitive data, and only such a file.
    assert!(
        validate(DataRequestSubmission {
            legal_basis: "PDPA-6-P4".into(),
            ..submission()
        })
        .is_ok()
    );
    let errors = DataRequestSubmission {
        legal_basis: "PDPA-6-P4".into(),
        categories: vec!["C001".into()],
        ..submission()
    }
    .validate(id(), code("NDC"), Some(&plain_file()), TODAY)
    .unwrap_err();
    assert_eq!(rules(&errors), [("legal_basis", Rule::BasisNotApplicable)]);
}

#[test]
fn categories_must_be_registered_when_the_file_lists_codes() {
    let errors = DataRequestSubmission {
        categories: vec!["C001".into(), "C111".into()],
        ..submission()
    }
    .validate(id(), code("NDC"), Some(&plain_file()), TODAY)
    .unwrap_err();
    assert_eq!(rules(&errors), [("categories[1]", Rule::NotAllowed)]);
    // A file that describes a category in words cannot be checked against: any code goes.
    let mut described = plain_file();
    described
        .categories
        .push(crate::file::DataCategory::Described {
            description: "其他".into(),
        });
    assert!(
        DataRequestSubmission {
            categories: vec!["C099".into()],
            ..submission()
        }
        .validate(id(), code("NDC"), Some(&described), TODAY)
        .is_ok()
    );
}

#[test]
fn people_are_counted_or_described() {
    let described = validate(DataRequestSubmission {
        subjects: String::new(),
        population: "民國110年至112年間確診新冠肺炎之保險對象".into(),
        ..submission()
    })
    .unwrap();
    assert_eq!(described.subjects, None);
    let errors = validate(DataRequestSubmission {
        subjects: " ".into(),
        population: " ".into(),
        ..submission()
    })
    .unwrap_err();
    assert_eq!(rules(&errors), [("population", Rule::Required)]);
}

#[test]
fn consent_as_the_basis_needs_its_evidence() {
    let without = DataRequestSubmission {
        legal_basis: "PDPA-16-P7".into(),
        ..submission()
    };
    let errors = validate(without.clone()).unwrap_err();
    assert_eq!(rules(&errors), [("consent_evidence", Rule::Required)]);
    let with = validate(DataRequestSubmission {
        consent_evidence: "研究參與者於112年簽署書面同意書".into(),
        ..without
    })
    .unwrap();
    assert!(with.legal_basis.is_consent());
}

#[test]
fn unknown_fields_are_refused_when_reading() {
    let error = serde_json::from_str::<DataRequestSubmission>(r#"{"file":"x","why":"y"}"#);
    assert!(error.is_err());
    let empty: DataRequestSubmission = serde_json::from_str("{}").unwrap();
    assert_eq!(empty, DataRequestSubmission::default());
}

#[test]
fn decisions_are_checked() {
    let request = request();
    let decide = |outcome: &str, reasons: &str, approved: &str| {
        DecisionSubmission {
            outcome: outcome.into(),
            reasons: reasons.into(),
            approved_subjects: approved.into(),
        }
        .validate(&request, "token:7".into(), date!(2025 - 03 - 20))
    };
    let approved = decide("approve", "符合必要", "").unwrap();
    assert_eq!(approved.outcome, Outcome::Approve);
    assert_eq!(approved.decided_by, "token:7");
    assert_eq!(approved.decided_on, date!(2025 - 03 - 20));
    let part = decide("approve_in_part", "僅限成年人", "800").unwrap();
    assert_eq!(part.approved_subjects, Some(800));

    let errors = decide("", " ", "").unwrap_err();
    assert_eq!(
        rules(&errors),
        [("outcome", Rule::Required), ("reasons", Rule::Required)]
    );
    assert_eq!(
        rules(&decide("yes", "x", "").unwrap_err()),
        [("outcome", Rule::Format)]
    );
    assert_eq!(
        rules(&decide("approve_in_part", "x", "").unwrap_err()),
        [("approved_subjects", Rule::Required)]
    );
    for too_many in ["1200", "5000", "0"] {
        assert_eq!(
            rules(&decide("approve_in_part", "x", too_many).unwrap_err()),
            [("approved_subjects", Rule::OutOfRange)],
            "{too_many}"
        );
    }
    assert_eq!(
        rules(&decide("approve_in_part", "x", "八百").unwrap_err()),
        [("approved_subjects", Rule::Format)]
    );
    assert_eq!(
        rules(&decide("refuse", "x", "10").unwrap_err()),
        [("approved_subjects", Rule::NotAllowed)]
    );
    assert_eq!(
        rules(&decide("refuse", &"由".repeat(MAX_REQUEST_TEXT + 1), "").unwrap_err()),
        [("reasons", Rule::TooLong)]
    );
}

#[test]
fn a_request_moves_from_filed_to_decided_to_delivered() {
    let filed = TrackedRequest::filed(request());
    assert_eq!(filed.state(), RequestState::Filed);
    assert_eq!(filed.people(), None);
    assert_eq!(
        filed.check_delivery(1, true),
        Err(TransitionError::NotDecided)
    );

    let decided = filed.decide(decision(Outcome::Approve, None)).unwrap();
    assert_eq!(decided.state(), RequestState::Decided);
    assert!(decided.is_approved());
    assert_eq!(decided.approved_subjects(), Some(1200));
    assert_eq!(decided.people(), Some(1200));
    assert_eq!(
        decided
            .clone()
            .decide(decision(Outcome::Refuse, None))
            .unwrap_err(),
        TransitionError::AlreadyDecided(date!(2025 - 03 - 20))
    );

    assert_eq!(
        decided.clone().deliver(delivery(1201)).unwrap_err(),
        TransitionError::BeyondApproval {
            approved: 1200,
            delivered: 1201
        }
    );
    assert_eq!(
        decided.clone().deliver(delivery(0)).unwrap_err(),
        TransitionError::Empty
    );
    let delivered = decided.clone().deliver(delivery(1150)).unwrap();
    assert_eq!(delivered.state(), RequestState::Delivered);
    assert_eq!(delivered.people(), Some(1150));
    // A release goes on in batches, up to the approval, keeping its first day.
    let more = delivered
        .clone()
        .deliver(Delivery {
            delivered_on: date!(2025 - 03 - 26),
            ..delivery(50)
        })
        .unwrap();
    assert_eq!(more.people(), Some(1200));
    assert_eq!(more.delivery().unwrap().delivered_on, date!(2025 - 03 - 25));
    assert_eq!(
        more.deliver(delivery(1)).unwrap_err(),
        TransitionError::BeyondApproval {
            approved: 1200,
            delivered: 1201
        }
    );
    // Anything but a further release batch comes once.
    let single = Delivery {
        release: false,
        ..delivery(10)
    };
    let once = decided.deliver(single.clone()).unwrap();
    assert_eq!(
        once.deliver(single).unwrap_err(),
        TransitionError::AlreadyDelivered(date!(2025 - 03 - 25))
    );
    assert_eq!(
        delivered
            .clone()
            .deliver(Delivery {
                release: false,
                ..delivery(1)
            })
            .unwrap_err(),
        TransitionError::AlreadyDelivered(date!(2025 - 03 - 25))
    );
    assert!(matches!(
        delivered.decide(decision(Outcome::Approve, None)),
        Err(TransitionError::AlreadyDecided(_))
    ));
}

#[test]
fn a_refused_request_is_never_delivered() {
    let refused = TrackedRequest::filed(request())
        .decide(decision(Outcome::Refuse, None))
        .unwrap();
    assert!(!refused.is_approved());
    assert_eq!(refused.approved_subjects(), None);
    assert_eq!(refused.people(), None);
    assert_eq!(
        refused.deliver(delivery(1)).unwrap_err(),
        TransitionError::Refused
    );
}

#[test]
fn an_approval_in_part_caps_the_delivery() {
    let part = TrackedRequest::filed(request())
        .decide(decision(Outcome::ApproveInPart, Some(800)))
        .unwrap();
    assert_eq!(part.approved_subjects(), Some(800));
    assert!(matches!(
        part.check_delivery(801, true),
        Err(TransitionError::BeyondApproval { approved: 800, .. })
    ));
    assert!(part.check_delivery(800, true).is_ok());
    // People described in words only: no number to cap at.
    let mut described = request();
    described.subjects = None;
    let approved = TrackedRequest::filed(described)
        .decide(decision(Outcome::Approve, None))
        .unwrap();
    assert_eq!(approved.approved_subjects(), None);
    assert!(approved.check_delivery(1_000_000, true).is_ok());
}

#[test]
fn requests_round_trip_through_json() {
    let tracked = TrackedRequest::filed(request())
        .decide(decision(Outcome::ApproveInPart, Some(800)))
        .unwrap()
        .deliver(delivery(790))
        .unwrap();
    let json = serde_json::to_value(&tracked).unwrap();
    assert_eq!(json["request"]["filed_on"], "2025-03-14");
    assert_eq!(json["decision"]["outcome"], "approve_in_part");
    assert_eq!(json["delivery"]["delivered_on"], "2025-03-25");
    let back: TrackedRequest = serde_json::from_value(json).unwrap();
    assert_eq!(back, tracked);
    let request = request();
    let text = serde_json::to_string(&request).unwrap();
    assert_eq!(serde_json::from_str::<DataRequest>(&text).unwrap(), request);
    let submission = submission();
    let text = serde_json::to_string(&submission).unwrap();
    assert_eq!(
        serde_json::from_str::<DataRequestSubmission>(&text).unwrap(),
        submission
    );
}

#[test]
fn a_stored_document_that_skips_a_state_does_not_read() {
    let refused = TrackedRequest::filed(request())
        .decide(decision(Outcome::Refuse, None))
        .unwrap();
    let mut json = serde_json::to_value(&refused).unwrap();
    json["delivery"] = serde_json::to_value(delivery(1)).unwrap();
    assert!(serde_json::from_value::<TrackedRequest>(json.clone()).is_err());
    json["decision"] = serde_json::Value::Null;
    assert!(serde_json::from_value::<TrackedRequest>(json).is_err());
}

#[test]
fn states_and_outcomes_round_trip_by_name() {
    for state in RequestState::ALL {
        assert_eq!(RequestState::parse(state.as_str()), Ok(state));
    }
    for outcome in Outcome::ALL {
        assert_eq!(Outcome::parse(outcome.as_str()), Ok(outcome));
    }
    assert!(RequestState::parse("approved").is_err());
    assert!(Outcome::parse("Approve").is_err());
}
