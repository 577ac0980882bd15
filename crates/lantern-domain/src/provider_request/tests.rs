use time::macros::date;

use super::*;

fn agency() -> AgencyCode {
    AgencyCode::parse("MOF").unwrap()
}

fn row() -> ProviderRequestSubmission {
    ProviderRequestSubmission {
        reference: "財稅字第1130001號".into(),
        requested_on: "2025-03-14".into(),
        provider: "示範電信".into(),
        sector: "telecom".into(),
        statute: "稅捐稽徵法".into(),
        article: "第 30 條".into(),
        purpose: "administrative_investigation".into(),
        data_types: "subscriber; connection".into(),
        identifiers: "3".into(),
        approver_role: "科長".into(),
        approved_on: "2025-03-13".into(),
        outcome: "some".into(),
        confidential_ground: String::new(),
        confidential_until: String::new(),
    }
}

fn fields(errors: &ValidationErrors) -> Vec<(&str, Rule)> {
    errors
        .0
        .iter()
        .map(|e| (e.field.as_str(), e.rule))
        .collect()
}

const TODAY: Date = date!(2025 - 12 - 31);

#[test]
fn a_complete_row_is_a_request_and_round_trips() {
    let request = row().validate(&agency(), TODAY).unwrap();
    assert_eq!(request.sector, ProviderSector::Telecom);
    assert_eq!(
        request.data_types,
        [DataType::Subscriber, DataType::Connection]
    );
    assert_eq!(request.identifiers, 3);
    assert!(request.confidential.is_none());
    let json = serde_json::to_string(&request).unwrap();
    assert!(json.contains("\"requested_on\":\"2025-03-14\""), "{json}");
    assert_eq!(
        serde_json::from_str::<ProviderRequest>(&json).unwrap(),
        request
    );
}

#[test]
fn an_empty_row_names_every_column() {
    let errors = ProviderRequestSubmission::default()
        .validate(&agency(), TODAY)
        .unwrap_err();
    let named: Vec<&str> = fields(&errors).into_iter().map(|(f, _)| f).collect();
    for column in COLUMNS.iter().take(12) {
        assert!(named.contains(column), "{column} missing from {named:?}");
    }
}

#[test]
fn values_are_checked_against_their_lists_and_dates() {
    let mut bad = row();
    bad.sector = "bank".into();
    bad.data_types = "subscriber; content; subscriber".into();
    bad.identifiers = "-1".into();
    bad.approved_on = "2025-03-20".into();
    bad.requested_on = "2025-03-15".into();
    bad.outcome = "partly".into();
    let errors = bad.validate(&agency(), TODAY).unwrap_err();
    assert_eq!(
        fields(&errors),
        [
            ("approved_on", Rule::OutOfRange),
            ("sector", Rule::UnknownCode),
            ("outcome", Rule::UnknownCode),
            ("data_types", Rule::UnknownCode),
            ("data_types", Rule::Duplicate),
            ("identifiers", Rule::Format),
        ]
    );
    let mut future = row();
    future.requested_on = "2026-01-05".into();
    assert_eq!(
        fields(&future.validate(&agency(), TODAY).unwrap_err()),
        [("requested_on", Rule::InFuture)]
    );
}

#[test]
fn confidential_requests_carry_a_ground_and_maybe_a_date() {
    let mut secret = row();
    secret.confidential_ground = "GIDA-18-2".into();
    secret.confidential_until = "2027-01-01".into();
    let request = secret.validate(&agency(), TODAY).unwrap();
    let confidential = request.confidential.clone().unwrap();
    assert_eq!(confidential.until, Some(date!(2027 - 01 - 01)));
    let json = serde_json::to_string(&request).unwrap();
    assert_eq!(
        serde_json::from_str::<ProviderRequest>(&json).unwrap(),
        request
    );

    let mut dateless = row();
    dateless.confidential_until = "2027-01-01".into();
    assert_eq!(
        fields(&dateless.validate(&agency(), TODAY).unwrap_err()),
        [("confidential_ground", Rule::Required)]
    );
    let mut early = row();
    early.confidential_ground = "GIDA-18-2".into();
    early.confidential_until = "2025-01-01".into();
    assert_eq!(
        fields(&early.validate(&agency(), TODAY).unwrap_err()),
        [("confidential_until", Rule::OutOfRange)]
    );
}

#[test]
fn every_column_can_be_set_by_name() {
    let mut submission = ProviderRequestSubmission::default();
    for column in COLUMNS {
        *submission.column_mut(column).unwrap() = column.to_owned();
    }
    assert_eq!(submission.confidential_until, "confidential_until");
    assert!(submission.column_mut("nope").is_none());
}
