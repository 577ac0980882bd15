//! Requests between agencies for out-of-purpose use end to end: the Bureau of Labor Insurance
//! asks the National Health Insurance Administration for part of its claims database; the
//! holder decides and delivers; every person delivered finds the disclosure in their footprint,
//! and the file's public register lists the approved use. Only the parties (and their
//! supervisors) read a request; only the holder decides and delivers.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed step is a failed test"
)]

#[allow(dead_code, reason = "the support module serves several test binaries")]
mod pages_support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use lantern_domain::{AgencyCode, SubjectId};
use lantern_log::{Action, PurposeScope};
use lantern_server::auth::issue_api_token;
use lantern_usage::PseudonymKey;
use pages_support::{Page, World};
use serde_json::{Value, json};
use time::OffsetDateTime;

const FILE: &str = "nhi-claims";
const REQUESTER: &str = "MOL-BLI";
const HOLDER: &str = "MOHW-NHIA";
const CSRF: &str = "cccccccccccccccccccccccccccccccccccccccccccc";

async fn token(world: &World, agency: &str) -> String {
    issue_api_token(
        world.state.store.as_ref(),
        &AgencyCode::parse(agency).unwrap(),
        "test",
        OffsetDateTime::now_utc(),
    )
    .await
    .unwrap()
}

async fn api(
    world: &World,
    method: &str,
    uri: &str,
    bearer: Option<&str>,
    body: Option<Value>,
) -> Page {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(token) = bearer {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = match body {
        Some(value) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(value.to_string())
        }
        None => Body::empty(),
    };
    world.send(request.body(body).unwrap()).await
}

fn json_of(page: &Page) -> Value {
    serde_json::from_str(&page.body).unwrap()
}

/// The fields and rules of a 422 problem, in order.
fn broken(page: &Page) -> Vec<(String, String)> {
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    json_of(page)["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn request_body() -> Value {
    json!({
        "file": FILE,
        "purpose": "114",
        "legal_basis": "PDPA-16-P1",
        "legal_citation": "個人資料保護法第16條但書第1款；勞工職業災害保險及保護法第52條",
        "categories": ["C001", "C111"],
        "subjects": "3",
        "population": "申請職業災害給付之被保險人",
        "retention": "給付案件結案後保存15年",
        "security": "專線傳輸，僅承辦人員可存取",
        "recipients": "勞動部勞工保險局職業災害給付組",
    })
}

/// Files the standard request as the Bureau of Labor Insurance; returns its id.
async fn file_request(world: &World, requester: &str) -> String {
    let filed = api(
        world,
        "POST",
        "/api/v1/data-requests",
        Some(requester),
        Some(request_body()),
    )
    .await;
    filed.assert_status(StatusCode::CREATED);
    let body = json_of(&filed);
    let id = body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        filed.header(&header::LOCATION),
        format!("/api/v1/data-requests/{id}")
    );
    id
}

async fn decide(world: &World, bearer: &str, id: &str, body: Value) -> Page {
    api(
        world,
        "POST",
        &format!("/api/v1/data-requests/{id}/decision"),
        Some(bearer),
        Some(body),
    )
    .await
}

async fn deliver(world: &World, bearer: &str, id: &str, body: Value) -> Page {
    api(
        world,
        "POST",
        &format!("/api/v1/data-requests/{id}/delivery"),
        Some(bearer),
        Some(body),
    )
    .await
}

fn approve() -> Value {
    json!({"outcome": "approve", "reasons": "法律明文規定，且限於給付審核所必要"})
}

/// Demo citizen `n`'s number.
fn citizen(n: usize) -> SubjectId {
    lantern_demo::demo_citizens()[n].id.clone()
}

/// The disclosures from the claims database in `subject`'s visible footprint, with the
/// reference of each event.
async fn disclosures(world: &World, subject: &SubjectId) -> Vec<(Action, PurposeScope, String)> {
    let pseudonym = PseudonymKey::from_bytes([9; 32]).pseudonymise(subject);
    let today = OffsetDateTime::now_utc().date();
    let entries = world
        .state
        .store
        .footprint_entries(&pseudonym, today)
        .await
        .unwrap();
    let indexes: Vec<u64> = entries
        .visible
        .iter()
        .filter(|e| {
            let parts = e.entry.parts();
            parts.file.as_str() == FILE && matches!(parts.action, Action::Disclose | Action::Export)
        })
        .map(|e| e.index)
        .collect();
    let events = world
        .state
        .store
        .subject_events(&pseudonym, today, &indexes)
        .await
        .unwrap();
    events
        .iter()
        .map(|e| {
            (
                e.entry.parts().action,
                e.entry.parts().scope,
                e.event.parts().reference.clone().unwrap_or_default(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_request_is_filed_decided_delivered_logged_and_listed() {
    let world = World::new().await;
    let bli = token(&world, REQUESTER).await;
    let nhia = token(&world, HOLDER).await;
    let before = disclosure_counts(&world).await;

    let id = file_request(&world, &bli).await;
    let filed = api(
        &world,
        "GET",
        &format!("/api/v1/data-requests/{id}"),
        Some(&bli),
        None,
    )
    .await;
    filed.assert_status(StatusCode::OK);
    let filed = json_of(&filed);
    assert_eq!(filed["state"], "filed");
    assert_eq!(filed["requester"], REQUESTER);
    assert_eq!(filed["holder"], HOLDER);
    assert_eq!(filed["subjects"], 3);
    assert_eq!(filed["purpose"]["code"], "114");
    assert_eq!(filed["categories"][1]["code"], "C111");
    assert!(filed["decision"].is_null());

    // The holder finds it among the requests made to it; the requester among its own.
    let received = api(
        &world,
        "GET",
        "/api/v1/data-requests?role=holder&state=filed",
        Some(&nhia),
        None,
    )
    .await;
    received.assert_status(StatusCode::OK);
    assert_eq!(json_of(&received)[0]["id"], id.as_str());
    let made = api(
        &world,
        "GET",
        "/api/v1/data-requests?role=requester",
        Some(&bli),
        None,
    )
    .await;
    assert_eq!(json_of(&made).as_array().unwrap().len(), 1);
    let not_made = api(
        &world,
        "GET",
        "/api/v1/data-requests?role=requester",
        Some(&nhia),
        None,
    )
    .await;
    assert!(json_of(&not_made).as_array().unwrap().is_empty());

    let decided = decide(&world, &nhia, &id, approve()).await;
    decided.assert_status(StatusCode::OK);
    let decided = json_of(&decided);
    assert_eq!(decided["state"], "decided");
    assert_eq!(decided["decision"]["outcome"], "approve");
    assert!(
        decided["decision"]["decided_by"]
            .as_str()
            .unwrap()
            .starts_with("token:")
    );
    // Deciding twice is refused.
    decide(
        &world,
        &nhia,
        &id,
        json!({"outcome": "refuse", "reasons": "改變心意"}),
    )
    .await
    .assert_status(StatusCode::CONFLICT);

    let people = [citizen(0), citizen(1), citizen(2)];
    let numbers: Vec<&str> = people.iter().map(SubjectId::expose).collect();
    let delivered = deliver(
        &world,
        &nhia,
        &id,
        json!({"subjects": numbers, "release": false}),
    )
    .await;
    delivered.assert_status(StatusCode::OK);
    for number in &numbers {
        assert!(
            !delivered.body.contains(number),
            "a delivery receipt never repeats a person's number"
        );
    }
    let receipt = json_of(&delivered);
    assert_eq!(receipt["events_logged"], 3);
    assert_eq!(receipt["events_already_logged"], 0);
    assert_eq!(receipt["request"]["state"], "delivered");
    assert_eq!(receipt["request"]["delivery"]["subjects"], 3);

    // Each person's footprint holds one disclosure, outside the file's purposes, naming the
    // request; the fourth demo citizen's holds none.
    let reference = format!("data-request:{id}");
    for (person, earlier) in people.iter().zip(&before) {
        let found = disclosures(&world, person).await;
        assert_eq!(found.len(), earlier + 1, "one new disclosure");
        assert!(
            found.contains(&(
                Action::Disclose,
                PurposeScope::OutOfPurpose,
                reference.clone()
            )),
            "{found:?}"
        );
    }
    assert!(
        disclosures(&world, &citizen(3))
            .await
            .iter()
            .all(|(_, _, r)| *r != reference)
    );

    // Delivered once only.
    deliver(
        &world,
        &nhia,
        &id,
        json!({"subjects": [numbers[0]], "release": false}),
    )
    .await
    .assert_status(StatusCode::CONFLICT);

    // The public register lists it, to anyone.
    let register = api(
        &world,
        "GET",
        &format!("/api/v1/files/{FILE}/approved-uses"),
        None,
        None,
    )
    .await;
    register.assert_status(StatusCode::OK);
    let register = json_of(&register);
    let listed = register
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["request"] == id.as_str())
        .unwrap();
    assert_eq!(listed["requester"], REQUESTER);
    assert_eq!(listed["people"], 3);
    assert_eq!(listed["delivered"], true);
    assert_eq!(listed["legal_basis"], "PDPA-16-P1");
    assert_eq!(listed["purpose"]["code"], "114");
    assert!(listed["decided_on"].is_string());

    let page = world.get(&format!("/files/{FILE}/approved-uses")).await;
    page.assert_status(StatusCode::OK);
    pages_support::assert_well_formed(&page);
    page.assert_contains(&[
        "勞動部勞工保險局",
        "<caption>",
        "scope=\"row\"",
        &reference,
        "PDPA-16-P1",
        "3 人",
        "已於",
    ]);
    let english = world
        .get(&format!("/files/{FILE}/approved-uses?lang=en"))
        .await;
    english.assert_status(StatusCode::OK);
    pages_support::assert_well_formed(&english);
    english.assert_contains(&["3 people", "Delivered on"]);
    let file_page = world.get(&format!("/files/{FILE}")).await;
    file_page.assert_contains(&[&format!("/files/{FILE}/approved-uses")]);
}

/// How many claims-database disclosures each of the first three demo citizens has before the
/// test adds any (the demo world may hold some).
async fn disclosure_counts(world: &World) -> Vec<usize> {
    let mut out = Vec::new();
    for n in 0..3 {
        out.push(disclosures(world, &citizen(n)).await.len());
    }
    out
}

#[tokio::test]
async fn only_the_parties_and_their_supervisors_read_and_only_the_holder_decides() {
    let world = World::new().await;
    let bli = token(&world, REQUESTER).await;
    let nhia = token(&world, HOLDER).await;
    let fia = token(&world, "MOF-FIA").await;
    let id = file_request(&world, &bli).await;
    let uri = format!("/api/v1/data-requests/{id}");

    // The requester, the holder and the agencies above either read it.
    for reader in [
        &bli,
        &nhia,
        &token(&world, "MOL").await,
        &token(&world, "MOHW").await,
    ] {
        api(&world, "GET", &uri, Some(reader), None)
            .await
            .assert_status(StatusCode::OK);
    }
    // To a third agency it does not exist; anonymous callers must authenticate.
    api(&world, "GET", &uri, Some(&fia), None)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    api(&world, "GET", &uri, None, None)
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    api(&world, "GET", "/api/v1/data-requests", None, None)
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    let theirs = api(&world, "GET", "/api/v1/data-requests", Some(&fia), None).await;
    theirs.assert_status(StatusCode::OK);
    assert!(
        json_of(&theirs)
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["id"] != id.as_str()),
        "a third agency's list holds only its own requests"
    );
    api(
        &world,
        "POST",
        "/api/v1/data-requests",
        None,
        Some(request_body()),
    )
    .await
    .assert_status(StatusCode::UNAUTHORIZED);

    // Neither a third agency nor the requester decides or delivers; nobody anonymous does.
    for outsider in [&fia, &bli] {
        decide(&world, outsider, &id, approve())
            .await
            .assert_status(StatusCode::FORBIDDEN);
        deliver(
            &world,
            outsider,
            &id,
            json!({"subjects": [citizen(0).expose()]}),
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
    }
    api(
        &world,
        "POST",
        &format!("{uri}/decision"),
        None,
        Some(approve()),
    )
    .await
    .assert_status(StatusCode::UNAUTHORIZED);
    // An unknown or malformed id is simply not found.
    for missing in ["00000000-0000-4000-8000-000000000000", "not-an-id"] {
        decide(&world, &nhia, missing, approve())
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    let unchanged = api(&world, "GET", &uri, Some(&bli), None).await;
    assert_eq!(json_of(&unchanged)["state"], "filed");

    // A refused request is never delivered, and nobody's footprint changes.
    decide(
        &world,
        &nhia,
        &id,
        json!({"outcome": "refuse", "reasons": "非屬給付審核所必要"}),
    )
    .await
    .assert_status(StatusCode::OK);
    let before = disclosures(&world, &citizen(0)).await.len();
    deliver(
        &world,
        &nhia,
        &id,
        json!({"subjects": [citizen(0).expose()]}),
    )
    .await
    .assert_status(StatusCode::CONFLICT);
    assert_eq!(disclosures(&world, &citizen(0)).await.len(), before);
    let register = api(
        &world,
        "GET",
        &format!("/api/v1/files/{FILE}/approved-uses"),
        None,
        None,
    )
    .await;
    assert!(
        json_of(&register)
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["request"] != id.as_str()),
        "a refused request is not an approved use"
    );
    api(
        &world,
        "GET",
        "/api/v1/files/no-such-file/approved-uses",
        None,
        None,
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
    world
        .get("/files/no-such-file/approved-uses")
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_broken_rule_is_reported_at_once() {
    let world = World::new().await;
    let bli = token(&world, REQUESTER).await;
    let nhia = token(&world, HOLDER).await;
    // The demo world's own requests, which the refused ones below must not add to.
    let before = api(&world, "GET", "/api/v1/data-requests", Some(&bli), None).await;
    let before = json_of(&before).as_array().unwrap().len();

    let empty = api(
        &world,
        "POST",
        "/api/v1/data-requests",
        Some(&bli),
        Some(json!({})),
    )
    .await;
    let fields: Vec<String> = broken(&empty).into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        [
            "file",
            "purpose",
            "legal_basis",
            "legal_citation",
            "categories",
            "population",
            "retention",
            "security",
            "recipients",
        ]
    );

    let mut bad = request_body();
    bad["purpose"] = json!("999");
    bad["legal_basis"] = json!("PDPA-16-MAIN");
    bad["categories"] = json!(["C001", "C002", "C001"]);
    bad["subjects"] = json!("three");
    let wrong = api(
        &world,
        "POST",
        "/api/v1/data-requests",
        Some(&bli),
        Some(bad),
    )
    .await;
    assert_eq!(
        broken(&wrong),
        [
            ("purpose".to_owned(), "unknown_code".to_owned()),
            (
                "legal_basis".to_owned(),
                "out_of_purpose_needs_basis".to_owned()
            ),
            ("categories[1]".to_owned(), "not_allowed".to_owned()),
            ("categories[2]".to_owned(), "duplicate".to_owned()),
            ("subjects".to_owned(), "format".to_owned()),
        ]
    );
    let mut unknown = request_body();
    unknown["file"] = json!("no-such-file");
    unknown["legal_basis"] = json!("PDPA-16-P7");
    let unknown = api(
        &world,
        "POST",
        "/api/v1/data-requests",
        Some(&bli),
        Some(unknown),
    )
    .await;
    assert_eq!(
        broken(&unknown),
        [
            ("file".to_owned(), "unknown_reference".to_owned()),
            ("consent_evidence".to_owned(), "required".to_owned()),
        ]
    );
    let mut extra = request_body();
    extra["why"] = json!("x");
    let extra = api(
        &world,
        "POST",
        "/api/v1/data-requests",
        Some(&bli),
        Some(extra),
    )
    .await;
    extra.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let listed = api(&world, "GET", "/api/v1/data-requests", Some(&bli), None).await;
    assert_eq!(
        json_of(&listed).as_array().unwrap().len(),
        before,
        "nothing was filed"
    );
    let query = api(
        &world,
        "GET",
        "/api/v1/data-requests?role=owner&state=done",
        Some(&bli),
        None,
    )
    .await;
    assert_eq!(
        broken(&query),
        [
            ("role".to_owned(), "format".to_owned()),
            ("state".to_owned(), "format".to_owned()),
        ]
    );

    let id = file_request(&world, &bli).await;
    let decision = decide(
        &world,
        &nhia,
        &id,
        json!({"outcome": "approve_in_part", "reasons": "", "approved_subjects": "5"}),
    )
    .await;
    assert_eq!(
        broken(&decision),
        [
            ("reasons".to_owned(), "required".to_owned()),
            ("approved_subjects".to_owned(), "out_of_range".to_owned()),
        ]
    );
    decide(
        &world,
        &nhia,
        &id,
        json!({"outcome": "approve_in_part", "reasons": "僅限已申請給付者", "approved_subjects": "2"}),
    )
    .await
    .assert_status(StatusCode::OK);

    let mut wrong_digit = citizen(1).expose().to_owned();
    let last = wrong_digit.pop().unwrap();
    wrong_digit.push(if last == '0' { '1' } else { '0' });
    let delivery = deliver(
        &world,
        &nhia,
        &id,
        json!({"subjects": [citizen(0).expose(), wrong_digit, citizen(0).expose(), "nope"]}),
    )
    .await;
    assert_eq!(
        broken(&delivery),
        [
            ("subjects[1]".to_owned(), "check_digit".to_owned()),
            ("subjects[2]".to_owned(), "duplicate".to_owned()),
            ("subjects[3]".to_owned(), "format".to_owned()),
        ]
    );
    assert!(!delivery.body.contains(citizen(0).expose()));
    let beyond = deliver(
        &world,
        &nhia,
        &id,
        json!({"subjects": [citizen(0).expose(), citizen(1).expose(), citizen(2).expose()]}),
    )
    .await;
    assert_eq!(
        broken(&beyond),
        [("subjects".to_owned(), "out_of_range".to_owned())]
    );
    deliver(&world, &nhia, &id, json!({"subjects": []}))
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);

    // Two people, as approved: a release, logged as exports.
    let released = deliver(
        &world,
        &nhia,
        &id,
        json!({"subjects": [citizen(0).expose(), citizen(1).expose()], "release": true}),
    )
    .await;
    released.assert_status(StatusCode::OK);
    assert_eq!(json_of(&released)["request"]["delivery"]["release"], true);
    let reference = format!("data-request:{id}");
    assert!(disclosures(&world, &citizen(0)).await.contains(&(
        Action::Export,
        PurposeScope::OutOfPurpose,
        reference
    )));
    let page = world.get(&format!("/files/{FILE}/approved-uses")).await;
    page.assert_contains(&["2 人", "批次釋出"]);
}

#[tokio::test]
async fn staff_file_requests_with_a_session_and_its_csrf_token() {
    let world = World::new().await;
    let cookie = world.staff_session("bli-officer", REQUESTER).await;
    let send = |csrf: Option<&'static str>| {
        let mut request = Request::post("/api/v1/data-requests")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(csrf) = csrf {
            request = request.header("x-csrf-token", csrf);
        }
        request
            .body(Body::from(request_body().to_string()))
            .unwrap()
    };
    world
        .send(send(None))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let filed = world.send(send(Some(&CSRF[..43]))).await;
    filed.assert_status(StatusCode::CREATED);
    assert_eq!(json_of(&filed)["requester"], REQUESTER);
    let mine = world
        .get_with_cookie("/api/v1/data-requests?role=requester", &cookie)
        .await;
    assert_eq!(json_of(&mine).as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_request_to_ones_own_file_is_listed_once_and_decided_by_oneself() {
    let world = World::new().await;
    let nhia = token(&world, HOLDER).await;
    let bli = token(&world, REQUESTER).await;
    let own = file_request(&world, &nhia).await;
    let other = file_request(&world, &bli).await;
    let listed = api(&world, "GET", "/api/v1/data-requests", Some(&nhia), None).await;
    listed.assert_status(StatusCode::OK);
    let ids: Vec<String> = json_of(&listed)
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    for mine in [&own, &other] {
        assert_eq!(
            ids.iter().filter(|id| *id == mine).count(),
            1,
            "listed once: {ids:?}"
        );
    }
    decide(&world, &nhia, &own, approve())
        .await
        .assert_status(StatusCode::OK);
}

#[tokio::test]
async fn a_spreadsheet_of_requests_is_filed_whole_or_not_at_all() {
    let world = World::new().await;
    let bli = token(&world, REQUESTER).await;
    let mine = |page: Page| json_of(&page).as_array().unwrap().len();
    let before = mine(
        api(
            &world,
            "GET",
            "/api/v1/data-requests?role=requester",
            Some(&bli),
            None,
        )
        .await,
    );
    let template = api(
        &world,
        "GET",
        "/api/v1/data-requests/template.csv",
        None,
        None,
    )
    .await;
    template.assert_status(StatusCode::OK);
    assert!(
        template
            .body
            .starts_with("\u{feff}file,purpose,legal_basis")
    );
    let send = |csv: String| {
        Request::post("/api/v1/data-requests/import")
            .header(header::AUTHORIZATION, format!("Bearer {bli}"))
            .header(header::CONTENT_TYPE, "text/csv")
            .body(Body::from(csv))
            .unwrap()
    };
    let mut two = template.body.clone();
    two.push_str("nhi-claims,157,PDPA-6-P4,個資法第6條,C001,一年,去識別化,研究小組,30,,\r\n");
    let filed = world.send(send(two.clone())).await;
    filed.assert_status(StatusCode::CREATED);
    assert_eq!(json_of(&filed)["recorded"], 2);
    let after = mine(
        api(
            &world,
            "GET",
            "/api/v1/data-requests?role=requester",
            Some(&bli),
            None,
        )
        .await,
    );
    assert_eq!(after, before + 2);

    let mut bad = two;
    bad.push_str("no-such-file,157,PDPA-16-P5,個資法,C001,一年,去識別化,研究小組,x,,\r\n");
    let refused = world.send(send(bad)).await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let rows: Vec<(u64, String)> = json_of(&refused)["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(rows.contains(&(4, "file".to_owned())), "{rows:?}");
    assert!(rows.contains(&(4, "subjects".to_owned())), "{rows:?}");
    let unchanged = mine(
        api(
            &world,
            "GET",
            "/api/v1/data-requests?role=requester",
            Some(&bli),
            None,
        )
        .await,
    );
    assert_eq!(unchanged, after, "nothing of the refused file was filed");
    let anonymous = world
        .send(
            Request::post("/api/v1/data-requests/import")
                .header(header::CONTENT_TYPE, "text/csv")
                .body(Body::from("file\r\n"))
                .unwrap(),
        )
        .await;
    anonymous.assert_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_release_goes_out_in_batches_up_to_the_approval() {
    let world = World::new().await;
    let bli = token(&world, REQUESTER).await;
    let nhia = token(&world, HOLDER).await;
    let id = file_request(&world, &bli).await;
    decide(&world, &nhia, &id, approve())
        .await
        .assert_status(StatusCode::OK);
    let batch = |people: &[usize]| {
        let subjects: Vec<String> = people
            .iter()
            .map(|n| citizen(*n).expose().to_owned())
            .collect();
        json!({"subjects": subjects, "release": true})
    };
    let first = deliver(&world, &nhia, &id, batch(&[0, 1])).await;
    first.assert_status(StatusCode::OK);
    let second = deliver(&world, &nhia, &id, batch(&[2])).await;
    second.assert_status(StatusCode::OK);
    let shown = api(
        &world,
        "GET",
        &format!("/api/v1/data-requests/{id}"),
        Some(&bli),
        None,
    )
    .await;
    assert_eq!(json_of(&shown)["delivery"]["subjects"], 3, "{}", shown.body);
    // The approval (3 people) is used up; a further batch is refused.
    deliver(&world, &nhia, &id, batch(&[3]))
        .await
        .assert_status(StatusCode::CONFLICT);
    // A delivery that is not a release comes once.
    let other = file_request(&world, &bli).await;
    decide(&world, &nhia, &other, approve())
        .await
        .assert_status(StatusCode::OK);
    let single = json!({"subjects": [citizen(0).expose()], "release": false});
    deliver(&world, &nhia, &other, single.clone())
        .await
        .assert_status(StatusCode::OK);
    deliver(&world, &nhia, &other, single)
        .await
        .assert_status(StatusCode::CONFLICT);
}
