use super::*;
use crate::file::FileSubmission;

fn agency() -> AgencyCode {
    AgencyCode::parse("MOHW-NHIA").unwrap()
}

fn file() -> PersonalDataFile {
    let submission: FileSubmission =
        serde_json::from_str(include_str!("../../tests/fixtures/large-database.json")).unwrap();
    submission
        .validate(FileId::parse("nhi-claims").unwrap(), agency())
        .unwrap()
}

fn submission() -> ServiceSubmission {
    ServiceSubmission {
        file: "nhi-claims".into(),
        name_zh: "健保快易通".into(),
        name_en: "NHI Express".into(),
        summary: "查詢就醫紀錄。".into(),
        notice: NoticeSubmission {
            controller: "衛生福利部中央健康保險署，電話 0800-030-598".into(),
            purposes: vec!["031".into()],
            categories: vec!["C001".into(), "C003".into()],
            period: "服務存續期間".into(),
            area: "中華民國境內".into(),
            recipients: "本署".into(),
            manner: "電子方式".into(),
            rights: "得依個資法第3條請求查詢、更正、停止利用或刪除，洽客服。".into(),
            consequence: "不提供將無法使用本服務。".into(),
            outsourcing: vec![Outsourcing {
                vendor: "某資訊公司".into(),
                task: "系統維運".into(),
            }],
        },
    }
}

fn validate(submission: ServiceSubmission) -> Result<Service, ValidationErrors> {
    submission.validate(
        ServiceId::parse("nhi-express").unwrap(),
        agency(),
        Some(&file()),
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
fn a_complete_notice_is_accepted_and_round_trips() {
    let service = validate(submission()).unwrap();
    assert_eq!(service.notice.purposes[0].as_str(), "031");
    assert_eq!(service.notice.outsourcing.len(), 1);
    let json = serde_json::to_string(&service).unwrap();
    assert_eq!(serde_json::from_str::<Service>(&json).unwrap(), service);
}

#[test]
fn every_missing_notice_item_is_named() {
    let errors = validate(ServiceSubmission {
        file: "nhi-claims".into(),
        ..ServiceSubmission::default()
    })
    .unwrap_err();
    let fields: Vec<_> = rules(&errors).into_iter().map(|(f, _)| f).collect();
    for field in [
        "name_zh",
        "summary",
        "notice.controller",
        "notice.purposes",
        "notice.categories",
        "notice.period",
        "notice.area",
        "notice.recipients",
        "notice.manner",
        "notice.rights",
        "notice.consequence",
    ] {
        assert!(
            fields.contains(&field),
            "{field} not reported in {fields:?}"
        );
    }
}

#[test]
fn a_notice_may_not_reach_beyond_the_file() {
    let mut s = submission();
    s.notice.purposes = vec!["031".into(), "040".into(), "031".into(), "31".into()];
    s.notice.categories = vec!["C001".into(), "C002".into()];
    let errors = validate(s).unwrap_err();
    assert_eq!(
        rules(&errors),
        [
            ("notice.purposes[1]", Rule::NotAllowed),
            ("notice.purposes[2]", Rule::Duplicate),
            ("notice.purposes[3]", Rule::UnknownCode),
            ("notice.categories[1]", Rule::NotAllowed),
        ]
    );
}

#[test]
fn the_file_must_be_the_agencys_own() {
    let errors = ServiceSubmission {
        file: "nhi-claims".into(),
        ..submission()
    }
    .validate(
        ServiceId::parse("nhi-express").unwrap(),
        AgencyCode::parse("MOF-FIA").unwrap(),
        Some(&file()),
    )
    .unwrap_err();
    assert_eq!(rules(&errors), [("file", Rule::UnknownReference)]);
    let mut s = submission();
    s.file = "Bad Id".into();
    assert_eq!(rules(&validate(s).unwrap_err()), [("file", Rule::Format)]);
}

#[test]
fn blank_vendors_and_overlong_texts_are_refused() {
    let mut s = submission();
    s.notice.outsourcing.push(Outsourcing {
        vendor: " ".into(),
        task: "x".into(),
    });
    s.notice.rights = "權".repeat(MAX_NOTICE_TEXT + 1);
    assert_eq!(
        rules(&validate(s).unwrap_err()),
        [
            ("notice.rights", Rule::TooLong),
            ("notice.outsourcing[1].vendor", Rule::Required),
        ]
    );
}

#[test]
fn changed_fields_name_the_notice_items() {
    let before = validate(submission()).unwrap();
    let mut after = before.clone();
    after.notice.period = "一年".into();
    after.summary = "新".into();
    assert_eq!(after.changed_fields(&before), ["summary", "notice.period"]);
    assert!(before.changed_fields(&before).is_empty());
}

#[test]
fn service_ids_are_slugs() {
    assert!(ServiceId::parse("coupon-lottery").is_ok());
    for bad in ["", "a", "Coupon", "-x", "a_b"] {
        assert!(ServiceId::parse(bad).is_err(), "{bad}");
    }
}
