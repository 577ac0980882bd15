use time::macros::date;

use super::*;
use crate::provider_request::ProviderRequestSubmission;

fn request(
    agency: &str,
    n: u32,
    day: &str,
    sector: &str,
    confidential: bool,
    purpose: &str,
) -> ProviderRequest {
    ProviderRequestSubmission {
        reference: format!("{agency}-{n}"),
        requested_on: day.into(),
        provider: format!("{sector} provider"),
        sector: sector.into(),
        statute: "稅捐稽徵法".into(),
        article: "第 30 條".into(),
        purpose: purpose.into(),
        data_types: "subscriber;transaction".into(),
        identifiers: "2".into(),
        approver_role: "科長".into(),
        approved_on: day.into(),
        outcome: if n.is_multiple_of(2) { "all" } else { "none" }.into(),
        confidential_ground: if confidential {
            "GIDA-18-2".into()
        } else {
            String::new()
        },
        confidential_until: if confidential {
            "2027-01-01".into()
        } else {
            String::new()
        },
    }
    .validate(&AgencyCode::parse(agency).unwrap(), date!(2026 - 12 - 31))
    .unwrap()
}

fn ctx(rules: &DisclosureRules) -> Context<'_> {
    Context {
        rules,
        period: Period::parse("2025-H1").unwrap(),
        today: date!(2025 - 07 - 15),
    }
}

#[test]
fn periods_parse_name_and_bound() {
    let h2 = Period::parse("2025-H2").unwrap();
    assert_eq!(h2.first_day(), date!(2025 - 07 - 01));
    assert_eq!(h2.last_day(), date!(2025 - 12 - 31));
    assert_eq!(h2.to_string(), "2025-H2");
    assert_eq!(h2.name_zh(), "2025 年下半年");
    let year = Period::parse("2025").unwrap();
    assert!(year.contains(date!(2025 - 03 - 01)) && !year.contains(date!(2026 - 01 - 01)));
    for bad in ["25", "2025-H3", "2025-h1", "abcd", ""] {
        assert!(Period::parse(bad).is_err(), "{bad}");
    }
    let ended: Vec<String> = Period::ended(date!(2024 - 01 - 01), date!(2025 - 08 - 01))
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(ended, ["2025-H1", "2024", "2024-H2", "2024-H1"]);
}

#[test]
fn usage_tables_count_uses_and_out_of_purpose_by_basis() {
    let rules = DisclosureRules::default();
    let file = FileId::parse("nhi-claims").unwrap();
    let files = [NamedFile {
        id: file.clone(),
        zh: "健保".into(),
        en: "NHI".into(),
    }];
    let basis = |code: &str| LegalBasisCode::parse(code).unwrap();
    let counts = [
        UsageCount {
            file: file.clone(),
            out_of_purpose: false,
            legal_basis: basis("PDPA-15-1"),
            events: 500,
        },
        UsageCount {
            file: file.clone(),
            out_of_purpose: true,
            legal_basis: basis("PDPA-16-P2"),
            events: 40,
        },
        UsageCount {
            file,
            out_of_purpose: true,
            legal_basis: basis("PDPA-16-P5"),
            events: 3,
        },
    ];
    let [usage, oop] = usage_tables(ctx(&rules), &files, &counts);
    assert_eq!(usage.rows[0].cells, [Figure::exact(543), Figure::exact(43)]);
    let shown: Vec<(String, String)> = oop
        .rows
        .iter()
        .map(|r| (r.key.clone(), r.cells[0].to_string()))
        .collect();
    assert_eq!(
        shown,
        [
            ("nhi-claims/PDPA-16-P2".to_owned(), "40".to_owned()),
            ("nhi-claims/PDPA-16-P5".to_owned(), "1-9".to_owned())
        ]
    );
    assert_eq!(oop.total[0].to_string(), "41-49");
}

#[test]
fn provider_tables_withhold_confidential_and_leave_out_criminal_cases() {
    let rules = DisclosureRules::default();
    let mut requests = Vec::new();
    for n in 0..20 {
        requests.push(request(
            "MOF",
            n,
            "2025-03-01",
            "ecommerce",
            false,
            "administrative_investigation",
        ));
    }
    requests.push(request(
        "MOF",
        90,
        "2025-03-02",
        "telecom",
        true,
        "administrative_investigation",
    ));
    requests.push(request(
        "MOF",
        91,
        "2025-03-02",
        "telecom",
        false,
        "criminal_investigation",
    ));
    for n in 0..12 {
        requests.push(request(
            "MOHW",
            n,
            "2025-04-01",
            "platform",
            false,
            "administrative_regulation",
        ));
    }
    requests.push(request(
        "MOHW",
        99,
        "2025-08-01",
        "platform",
        false,
        "administrative_regulation",
    ));
    let [by_agency, sector, data_type, statute] =
        provider_tables(ctx(&rules), None, &[], &requests);
    let mof = &by_agency.rows[0];
    assert_eq!(mof.key, "MOF");
    assert_eq!(
        mof.cells[0],
        Figure::exact(20),
        "criminal and confidential requests apart"
    );
    assert_eq!(mof.cells[1], Figure::exact(40));
    assert_eq!(mof.cells[2], Figure::exact(10));
    assert!(mof.cells[5].is_withheld());
    assert_eq!(
        by_agency.rows[1].cells[0],
        Figure::exact(12),
        "the August request is in H2"
    );
    assert_eq!(by_agency.total[0], Figure::exact(32));
    let keys: Vec<&str> = sector.rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["confidential", "ecommerce", "platform"]);
    assert!(
        sector.total[0].high.is_none(),
        "a withheld row leaves the total open"
    );
    assert_eq!(data_type.rows.len(), 3);
    assert_eq!(statute.rows[1].cells[0], Figure::exact(32));

    // One agency's report names only it; the providers stay sectors unless listed.
    let mof_code = AgencyCode::parse("MOF").unwrap();
    let named = DisclosureRules {
        named_providers: vec!["ecommerce provider".into()],
        ..DisclosureRules::default()
    };
    let [only, sector, _, _] = provider_tables(ctx(&named), Some(&mof_code), &[], &requests);
    assert_eq!(only.rows.len(), 1);
    assert!(
        sector
            .rows
            .iter()
            .any(|r| r.key == "ecommerce/ecommerce provider")
    );
    let with_criminal = DisclosureRules {
        include_criminal: true,
        ..DisclosureRules::default()
    };
    let [all, _, _, _] = provider_tables(ctx(&with_criminal), Some(&mof_code), &[], &requests);
    assert_eq!(all.rows[0].cells[0], Figure::exact(21));
}

#[test]
fn a_national_row_is_the_sum_of_the_agencies_published_rows() {
    let rules = DisclosureRules::default();
    let mut requests = Vec::new();
    for n in 0..3 {
        requests.push(request(
            "MOF",
            n,
            "2025-03-01",
            "payment",
            false,
            "administrative_investigation",
        ));
    }
    for n in 0..30 {
        requests.push(request(
            "MOHW",
            n,
            "2025-03-01",
            "payment",
            false,
            "administrative_investigation",
        ));
    }
    let [_, sector, _, _] = provider_tables(ctx(&rules), None, &[], &requests);
    // MOF's 3 are banded 1-9, so the nation's 33 is shown as 31-39: subtracting MOHW's 30
    // gives back only MOF's band.
    assert_eq!(sector.rows[0].cells[0].to_string(), "31-39");
}

#[test]
fn data_requests_are_counted_by_file_in_their_period() {
    use crate::data_request::{
        DataRequestSubmission, DecisionSubmission, RequestId, TrackedRequest,
    };
    use crate::file::FileSubmission;

    let file: FileSubmission =
        serde_json::from_str(include_str!("../../tests/fixtures/large-database.json")).unwrap();
    let file = file
        .validate(
            FileId::parse("nhi-claims").unwrap(),
            AgencyCode::parse("MOHW-NHIA").unwrap(),
        )
        .unwrap();
    let tracked = |n: u8, filed: Date, outcome: Option<(&str, Date)>| {
        let request = DataRequestSubmission {
            file: "nhi-claims".into(),
            purpose: "157".into(),
            legal_basis: "PDPA-6-P4".into(),
            legal_citation: "個人資料保護法第6條".into(),
            categories: vec!["C001".into()],
            subjects: "40".into(),
            retention: "一年".into(),
            security: "去識別化".into(),
            recipients: "研究小組".into(),
            ..DataRequestSubmission::default()
        }
        .validate(
            RequestId::parse(&format!("00000000-0000-4000-8000-0000000000{n:02x}")).unwrap(),
            AgencyCode::parse("NDC").unwrap(),
            Some(&file),
            filed,
        )
        .unwrap();
        let mut tracked = TrackedRequest::filed(request.clone());
        if let Some((outcome, day)) = outcome {
            let decision = DecisionSubmission {
                outcome: outcome.into(),
                reasons: "理由".into(),
                approved_subjects: if outcome == "approve_in_part" {
                    "10".into()
                } else {
                    String::new()
                },
            }
            .validate(&request, "user:x".into(), day)
            .unwrap();
            tracked = tracked.decide(decision).unwrap();
        }
        tracked
    };
    let requests = [
        tracked(
            1,
            date!(2025 - 02 - 01),
            Some(("approve", date!(2025 - 02 - 20))),
        ),
        tracked(
            2,
            date!(2025 - 03 - 01),
            Some(("approve_in_part", date!(2025 - 03 - 10))),
        ),
        tracked(
            3,
            date!(2025 - 04 - 01),
            Some(("refuse", date!(2025 - 04 - 10))),
        ),
        tracked(
            4,
            date!(2025 - 06 - 20),
            Some(("approve", date!(2025 - 07 - 02))),
        ),
        tracked(5, date!(2024 - 12 - 20), None),
    ];
    let files = [NamedFile {
        id: file.id.clone(),
        zh: "健保".into(),
        en: "NHI".into(),
    }];
    let rules = DisclosureRules {
        band_below: 0,
        ..DisclosureRules::default()
    };
    let table = data_request_table(ctx(&rules), &files, &requests);
    let shown: Vec<String> = table.rows[0]
        .cells
        .iter()
        .map(ToString::to_string)
        .collect();
    // H1 2025: four received, three decided (two approved: 40 + 10 people), one refused.
    assert_eq!(shown, ["4", "3", "2", "1", "50", "1"]);
}
