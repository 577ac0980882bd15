use super::*;

fn nhi() -> FileSubmission {
    serde_json::from_str(include_str!("../../tests/fixtures/large-database.json")).unwrap()
}

fn validate(submission: FileSubmission) -> Result<PersonalDataFile, ValidationErrors> {
    submission.validate(
        FileId::parse("nhi-claims").unwrap(),
        AgencyCode::parse("MOHW-NHIA").unwrap(),
    )
}

fn rules(errors: &ValidationErrors) -> Vec<(&str, Rule)> {
    errors
        .0
        .iter()
        .map(|e| (e.field.as_str(), e.rule))
        .collect()
}

#[test]
fn a_complete_large_database_is_accepted() {
    let file = validate(nhi()).unwrap();
    assert!(file.has_sensitive_data());
    assert_eq!(
        file.purpose_codes()
            .map(PurposeCode::as_str)
            .collect::<Vec<_>>(),
        ["031", "012"]
    );
    let db = file.large_database.as_ref().unwrap();
    assert!(db.out_of_purpose.occurs);
    // The validated file survives a serde round trip unchanged.
    let json = serde_json::to_string(&file).unwrap();
    assert_eq!(
        serde_json::from_str::<PersonalDataFile>(&json).unwrap(),
        file
    );
}

#[test]
fn unlisted_codes_and_described_purposes_are_accepted() {
    let mut submission = nhi();
    submission.purposes = vec![
        CodeOrDescription {
            code: Some("015".into()),
            description: None,
        },
        CodeOrDescription {
            code: None,
            description: Some("長期照顧服務".into()),
        },
    ];
    let file = validate(submission).unwrap();
    assert_eq!(
        file.purposes[1],
        Purpose::Described {
            description: "長期照顧服務".into()
        }
    );
}

#[test]
fn bad_codes_name_field_and_rule() {
    let mut submission = nhi();
    submission.purposes.push(CodeOrDescription {
        code: Some("999".into()),
        description: None,
    });
    submission.categories.push(CodeOrDescription {
        code: Some("X1".into()),
        description: None,
    });
    submission.legal_basis.pdpa.push("PDPA-99-1".into());
    let errors = validate(submission).unwrap_err();
    assert_eq!(
        rules(&errors),
        [
            ("legal_basis.pdpa[1]", Rule::UnknownCode),
            ("purposes[2].code", Rule::UnknownCode),
            ("categories[3].code", Rule::UnknownCode),
        ]
    );
}

#[test]
fn sensitive_data_needs_an_art6_basis() {
    let mut submission = nhi();
    submission.sensitive.as_mut().unwrap().legal_bases.clear();
    assert_eq!(
        rules(&validate(submission.clone()).unwrap_err()),
        [("sensitive.legal_bases", Rule::SensitiveDataNeedsArt6Basis)]
    );
    submission.sensitive.as_mut().unwrap().legal_bases = vec!["PDPA-16-P1".into()];
    assert_eq!(
        rules(&validate(submission).unwrap_err()),
        [("sensitive.legal_bases[0]", Rule::BasisNotApplicable)]
    );
}

#[test]
fn large_databases_must_disclose_everything() {
    let mut submission = nhi();
    let db = submission.large_database.as_mut().unwrap();
    db.retention = " ".into();
    db.out_of_purpose = None;
    db.subject_rights.as_mut().unwrap().deletion.clear();
    db.open_data = None;
    db.record_count = None;
    let errors = validate(submission).unwrap_err();
    assert_eq!(
        rules(&errors),
        [
            ("large_database.retention", Rule::DisclosureRequired),
            ("large_database.record_count", Rule::DisclosureRequired),
            ("large_database.out_of_purpose", Rule::DisclosureRequired),
            (
                "large_database.subject_rights.deletion",
                Rule::DisclosureRequired
            ),
            ("large_database.open_data", Rule::DisclosureRequired),
        ]
    );
}

#[test]
fn consent_basis_needs_consent_method() {
    let mut submission = nhi();
    let oop = submission
        .large_database
        .as_mut()
        .unwrap()
        .out_of_purpose
        .as_mut()
        .unwrap();
    oop.legal_bases.push("PDPA-16-P7".into());
    oop.consent_method.clear();
    assert_eq!(
        rules(&validate(submission).unwrap_err()),
        [(
            "large_database.out_of_purpose.consent_method",
            Rule::DisclosureRequired
        )]
    );
}

#[test]
fn agencies_cannot_rely_on_non_public_articles() {
    let mut submission = nhi();
    submission.legal_basis.pdpa = vec!["PDPA-19-5".into()];
    assert_eq!(
        rules(&validate(submission).unwrap_err()),
        [("legal_basis.pdpa[0]", Rule::BasisNotApplicable)]
    );
}

#[test]
fn an_empty_submission_lists_every_missing_item() {
    let errors = validate(FileSubmission::default()).unwrap_err();
    let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
    for required in [
        "name_zh",
        "contact.unit",
        "contact.phone",
        "legal_basis.pdpa",
        "purposes",
        "categories",
    ] {
        assert!(
            fields.contains(&required),
            "{required} missing from {fields:?}"
        );
    }
}

#[test]
fn changed_fields_names_what_changed() {
    let before = validate(nhi()).unwrap();
    let mut after = before.clone();
    after.name_en = "Renamed".into();
    after.large_database.as_mut().unwrap().retention = "10 years".into();
    assert_eq!(after.changed_fields(&before), ["name_en", "large_database"]);
}

#[test]
fn file_ids() {
    assert!(FileId::parse("nhi-claims").is_ok());
    for bad in ["", "a", "NHI", "-x", "nhi claims", "健保"] {
        assert!(FileId::parse(bad).is_err(), "{bad:?}");
    }
}
