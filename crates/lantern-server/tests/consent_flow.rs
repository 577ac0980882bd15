//! Services, staged consent and vendor codes end to end: a citizen reads a notice, consents,
//! sees the consent in "my authorizations" and in the footprint, withdraws it with one action;
//! an agency lists the codes of consenting citizens for a vendor and resolves a vendor's list
//! back, each resolution logged. Citizens reach only their own consents; agencies only their
//! own services.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed step is a failed test"
)]

#[allow(dead_code, reason = "the support module serves several test binaries")]
mod pages_support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use lantern_domain::{AgencyCode, SubjectId};
use lantern_log::Action;
use lantern_server::auth::issue_api_token;
use lantern_store::CitizenSession;
use lantern_usage::{PseudonymKey, SealKey};
use pages_support::{Page, World};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

const LOTTERY: &str = "tpe-coupon-lottery";
const CSRF: &str = "cccccccccccccccccccccccccccccccccccccccccccc";

/// A logged-in demo citizen: their number and session cookie.
struct Citizen {
    id: SubjectId,
    cookie: String,
}

/// Starts a session for demo citizen `n`, sealed and pseudonymised with the test keys, as a
/// login would.
async fn citizen(world: &World, n: usize) -> Citizen {
    let id = lantern_demo::demo_citizens()[n].id.clone();
    let secret = format!(
        "{}{}A",
        char::from(b'a' + u8::try_from(n).unwrap()),
        "s".repeat(41)
    );
    let now = OffsetDateTime::now_utc();
    world
        .state
        .store
        .create_citizen_session(&CitizenSession {
            id_hash: Sha256::digest(&secret).into(),
            subject: PseudonymKey::from_bytes([9; 32]).pseudonymise(&id),
            sealed_subject: SealKey::from_bytes([11; 32]).seal(&id, [u8::try_from(n).unwrap(); 24]),
            csrf_token: CSRF[..43].to_owned(),
            created_at: now,
            expires_at: now + Duration::hours(1),
        })
        .await
        .unwrap();
    Citizen {
        id,
        cookie: format!("lantern_citizen={secret}"),
    }
}

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

async fn my_consents(world: &World, citizen: &Citizen) -> Vec<Value> {
    let page = world
        .get_with_cookie("/api/v1/me/consents", &citizen.cookie)
        .await;
    page.assert_status(StatusCode::OK);
    serde_json::from_str::<Vec<Value>>(&page.body).unwrap()
}

async fn consent(world: &World, citizen: &Citizen) -> Page {
    world
        .post(
            &format!("/services/{LOTTERY}/consent"),
            &format!("csrf={}", &CSRF[..43]),
            Some(&citizen.cookie),
        )
        .await
}

/// The actions of the citizen's visible footprint, newest first.
async fn footprint_actions(world: &World, citizen: &Citizen) -> Vec<Action> {
    let pseudonym = PseudonymKey::from_bytes([9; 32]).pseudonymise(&citizen.id);
    let entries = world
        .state
        .store
        .footprint_entries(&pseudonym, OffsetDateTime::now_utc().date())
        .await
        .unwrap();
    entries
        .visible
        .iter()
        .map(|e| e.entry.parts().action)
        .collect()
}

#[tokio::test]
async fn a_citizen_consents_and_withdraws_and_both_are_in_the_footprint() {
    let world = World::new().await;
    let list = world.get("/services").await;
    list.assert_status(StatusCode::OK);
    pages_support::assert_well_formed(&list);
    list.assert_contains(&["臺北通消費券抽獎", "/services/tpe-coupon-lottery"]);

    let notice = world.get(&format!("/services/{LOTTERY}")).await;
    notice.assert_status(StatusCode::OK);
    pages_support::assert_well_formed(&notice);
    notice.assert_contains(&[
        "告知事項第 1 版",
        "示範商店聯盟",
        "登入後表示同意",
        "抽獎活動期間",
    ]);

    let alice = citizen(&world, 0).await;
    let before = footprint_actions(&world, &alice).await.len();
    let form = world
        .get_with_cookie(&format!("/services/{LOTTERY}"), &alice.cookie)
        .await;
    form.assert_contains(&[&format!("action=\"/services/{LOTTERY}/consent\"")]);

    // A form without the session's token changes nothing.
    let forged = world
        .post(
            &format!("/services/{LOTTERY}/consent"),
            "csrf=wrong",
            Some(&alice.cookie),
        )
        .await;
    forged.assert_status(StatusCode::BAD_REQUEST);
    assert!(my_consents(&world, &alice).await.is_empty());

    let given = consent(&world, &alice).await;
    given.assert_status(StatusCode::SEE_OTHER);
    let records = my_consents(&world, &alice).await;
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record["service"], LOTTERY);
    assert_eq!(record["state"], "active");
    assert_eq!(record["notice_version"], 1);
    assert_eq!(record["collection_method"], "web");
    assert_eq!(record["legal_basis"], "PDPA-15-2");
    assert_eq!(record["schema"], "ISO/IEC TS 27560:2023");
    assert_eq!(record["purposes"][0]["code"], "136");

    // Only once: a second consent is refused, and the page says it is in force.
    consent(&world, &alice)
        .await
        .assert_status(StatusCode::BAD_REQUEST);
    let page = world
        .get_with_cookie("/me/authorizations", &alice.cookie)
        .await;
    page.assert_status(StatusCode::OK);
    pages_support::assert_well_formed(&page);
    page.assert_contains(&[
        "臺北通消費券抽獎",
        "告知事項第 1 版",
        "有效",
        "網站",
        "/me/authorizations/tpe-coupon-lottery/withdraw",
    ]);

    let withdrawn = world
        .post(
            &format!("/me/authorizations/{LOTTERY}/withdraw"),
            &format!("csrf={}", &CSRF[..43]),
            Some(&alice.cookie),
        )
        .await;
    withdrawn.assert_status(StatusCode::SEE_OTHER);
    let records = my_consents(&world, &alice).await;
    assert_eq!(records[0]["state"], "withdrawn");
    assert!(records[0]["withdrawal_event"].is_string());
    // The service must ask again: the notice offers the consent form once more.
    world
        .get_with_cookie(&format!("/services/{LOTTERY}"), &alice.cookie)
        .await
        .assert_contains(&[&format!("action=\"/services/{LOTTERY}/consent\"")]);

    let actions = footprint_actions(&world, &alice).await;
    assert_eq!(actions.len(), before + 2);
    assert!(actions.contains(&Action::Consent));
    assert!(actions.contains(&Action::WithdrawConsent));
}

#[tokio::test]
async fn vendor_codes_round_trip_and_each_resolution_is_logged() {
    let world = World::new().await;
    let (alice, bob) = (citizen(&world, 0).await, citizen(&world, 1).await);
    for who in [&alice, &bob] {
        consent(&world, who)
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
    let tpe = token(&world, "TPE").await;
    let codes_uri = format!(
        "/api/v1/services/{LOTTERY}/vendor-codes?vendor=%E7%A4%BA%E7%AF%84%E5%95%86%E5%BA%97"
    );
    let listed = api(&world, "GET", &codes_uri, Some(&tpe), None).await;
    listed.assert_status(StatusCode::OK);
    let listed: Value = serde_json::from_str(&listed.body).unwrap();
    let codes: Vec<String> = listed["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 2, "only the consenting citizens have codes");

    // Another vendor gets other codes for the same citizens.
    let other = api(
        &world,
        "GET",
        &format!("/api/v1/services/{LOTTERY}/vendor-codes?vendor=other"),
        Some(&tpe),
        None,
    )
    .await;
    let other: Value = serde_json::from_str(&other.body).unwrap();
    assert!(
        other["codes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| !codes.contains(&c.as_str().unwrap().to_owned()))
    );

    let before = footprint_actions(&world, &alice).await.len();
    let resolve_uri = format!("/api/v1/services/{LOTTERY}/vendor-codes/resolve");
    let body = json!({
        "vendor": "示範商店",
        "reason": "中獎者，通知領獎",
        "codes": [codes[0].to_lowercase(), "0000-0000-0000-0000", codes[1].clone()],
    });
    let resolved = api(&world, "POST", &resolve_uri, Some(&tpe), Some(body.clone())).await;
    resolved.assert_status(StatusCode::OK);
    let resolved: Value = serde_json::from_str(&resolved.body).unwrap();
    let people: Vec<&str> = resolved["resolved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["subject"].as_str().unwrap())
        .collect();
    assert_eq!(people, [alice.id.expose(), bob.id.expose()]);
    assert_eq!(resolved["unknown"], json!(["0000-0000-0000-0000"]));
    assert_eq!(footprint_actions(&world, &alice).await.len(), before + 1);

    // A bad request names its field and resolves nothing.
    let bad = api(
        &world,
        "POST",
        &resolve_uri,
        Some(&tpe),
        Some(json!({"vendor": "示範商店", "reason": " ", "codes": [codes[0]]})),
    )
    .await;
    bad.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains(&["reason"]);
    assert_eq!(footprint_actions(&world, &alice).await.len(), before + 1);

    // Another agency may neither list nor resolve; nobody anonymous may either.
    let nhia = token(&world, "MOHW-NHIA").await;
    api(&world, "GET", &codes_uri, Some(&nhia), None)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    api(
        &world,
        "POST",
        &resolve_uri,
        Some(&nhia),
        Some(body.clone()),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    api(&world, "GET", &codes_uri, None, None)
        .await
        .assert_status(StatusCode::UNAUTHORIZED);

    // After Alice withdraws, her code no longer resolves.
    world
        .post(
            &format!("/me/authorizations/{LOTTERY}/withdraw"),
            &format!("csrf={}", &CSRF[..43]),
            Some(&alice.cookie),
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let after = api(&world, "POST", &resolve_uri, Some(&tpe), Some(body)).await;
    let after: Value = serde_json::from_str(&after.body).unwrap();
    assert_eq!(after["resolved"].as_array().unwrap().len(), 1);
    assert_eq!(after["unknown"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_citizen_reaches_only_their_own_consents() {
    let world = World::new().await;
    let alice = citizen(&world, 0).await;
    let bob = citizen(&world, 1).await;
    consent(&world, &alice)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert!(my_consents(&world, &bob).await.is_empty());
    // Bob cannot withdraw Alice's consent: he has none to withdraw.
    world
        .post(
            &format!("/me/authorizations/{LOTTERY}/withdraw"),
            &format!("csrf={}", &CSRF[..43]),
            Some(&bob.cookie),
        )
        .await
        .assert_status(StatusCode::BAD_REQUEST);
    assert_eq!(my_consents(&world, &alice).await[0]["state"], "active");
    // Anonymous: pages go to the login, the API answers 401.
    let page = world.get("/me/authorizations").await;
    page.assert_status(StatusCode::SEE_OTHER);
    world
        .get("/api/v1/me/consents")
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    // The JSON API needs the CSRF header for a change.
    let no_header = world
        .send(
            Request::delete(format!("/api/v1/me/consents/{LOTTERY}"))
                .header(header::COOKIE, &alice.cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    no_header.assert_status(StatusCode::FORBIDDEN);
    let with_header = world
        .send(
            Request::delete(format!("/api/v1/me/consents/{LOTTERY}"))
                .header(header::COOKIE, &alice.cookie)
                .header("x-csrf-token", &CSRF[..43])
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    with_header.assert_status(StatusCode::OK);
}

#[tokio::test]
async fn agencies_define_versioned_notices_for_their_own_files_only() {
    let world = World::new().await;
    let tpe = token(&world, "TPE").await;
    let uri = "/api/v1/services/tpe-parking-permit";
    let empty = api(
        &world,
        "PUT",
        uri,
        Some(&tpe),
        Some(json!({"file": "taipei-pass-members"})),
    )
    .await;
    empty.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    empty.assert_contains(&[
        "notice.controller",
        "notice.purposes",
        "notice.rights",
        "name_zh",
    ]);

    let mut body = json!({
        "file": "taipei-pass-members",
        "name_zh": "停車證申請",
        "summary": "申請住宅區停車證。",
        "notice": {
            "controller": "臺北市政府", "purposes": ["136"], "categories": ["C001"],
            "period": "一年", "area": "臺北市", "recipients": "本府", "manner": "電子方式",
            "rights": "得請求查詢、更正、刪除", "consequence": "無法申請", "outsourcing": []
        }
    });
    api(&world, "PUT", uri, Some(&tpe), Some(body.clone()))
        .await
        .assert_status(StatusCode::CREATED);
    body["notice"]["period"] = json!("兩年");
    let changed = api(&world, "PUT", uri, Some(&tpe), Some(body.clone())).await;
    changed.assert_status(StatusCode::OK);
    let changed: Value = serde_json::from_str(&changed.body).unwrap();
    assert_eq!(changed["service"]["version"], 2);
    assert_eq!(changed["versions"].as_array().unwrap().len(), 2);
    let first = api(&world, "GET", &format!("{uri}?version=1"), None, None).await;
    first.assert_contains(&["一年"]);

    // A file of another agency, or another agency's service, is refused.
    let nhia = token(&world, "MOHW-NHIA").await;
    api(&world, "PUT", uri, Some(&nhia), Some(body.clone()))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    body["file"] = json!("nhia-card-issuance");
    let foreign = api(
        &world,
        "PUT",
        "/api/v1/services/tpe-other",
        Some(&tpe),
        Some(body),
    )
    .await;
    foreign.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    foreign.assert_contains(&["\"file\""]);
    api(&world, "PUT", uri, None, Some(json!({})))
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn staff_pages_hand_out_codes_and_resolve_them_for_their_own_services_only() {
    let world = World::new().await;
    let alice = citizen(&world, 0).await;
    consent(&world, &alice)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let tpe = world.staff_session("tpe-officer", "TPE").await;
    let nhia = world.staff_session("nhia-officer", "MOHW-NHIA").await;

    let mine = world.get_with_cookie("/staff/services", &tpe).await;
    mine.assert_status(StatusCode::OK);
    pages_support::assert_well_formed(&mine);
    mine.assert_contains(&["/staff/services/tpe-coupon-lottery"]);
    let theirs = world.get_with_cookie("/staff/services", &nhia).await;
    assert!(!theirs.body.contains("tpe-coupon-lottery"));
    let uri = format!("/staff/services/{LOTTERY}");
    world
        .get_with_cookie(&uri, &nhia)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    world
        .get_with_cookie(&format!("{uri}/codes.csv?vendor=x"), &nhia)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let page = world.get_with_cookie(&uri, &tpe).await;
    page.assert_status(StatusCode::OK);
    pages_support::assert_well_formed(&page);

    let csv = world
        .get_with_cookie(
            &format!("{uri}/codes.csv?vendor=%E7%A4%BA%E7%AF%84%E5%95%86%E5%BA%97"),
            &tpe,
        )
        .await;
    csv.assert_status(StatusCode::OK);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines[0], "\u{feff}code");
    assert_eq!(
        lines.len(),
        2,
        "one consenting citizen, one code: {lines:?}"
    );
    let code = lines[1].trim();

    let form = |reason: &str, csrf: &str| {
        format!(
            "csrf={csrf}&vendor=%E7%A4%BA%E7%AF%84%E5%95%86%E5%BA%97&reason={reason}&codes={code}%0A0000-0000-0000-0000"
        )
    };
    world
        .post(
            &format!("{uri}/resolve"),
            &form("winner", "wrong"),
            Some(&tpe),
        )
        .await
        .assert_status(StatusCode::BAD_REQUEST);
    let missing = world
        .post(
            &format!("{uri}/resolve"),
            &form("", &CSRF[..43]),
            Some(&tpe),
        )
        .await;
    missing.assert_status(StatusCode::OK);
    missing.assert_contains(&["error-summary", "reason"]);
    assert!(!missing.body.contains(alice.id.expose()));
    let found = world
        .post(
            &format!("{uri}/resolve"),
            &form("winner", &CSRF[..43]),
            Some(&tpe),
        )
        .await;
    found.assert_status(StatusCode::OK);
    pages_support::assert_well_formed(&found);
    found.assert_contains(&[alice.id.expose(), "0000-0000-0000-0000"]);
    world
        .post(
            &format!("{uri}/resolve"),
            &form("winner", &CSRF[..43]),
            Some(&nhia),
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn staff_define_and_change_a_notice_with_the_form() {
    let world = World::new().await;
    let tpe = world.staff_session("tpe-officer", "TPE").await;
    let nhia = world.staff_session("nhia-officer", "MOHW-NHIA").await;
    let form = world.get_with_cookie("/staff/services/new", &tpe).await;
    form.assert_status(StatusCode::OK);
    pages_support::assert_well_formed(&form);
    form.assert_contains(&["taipei-pass-members", "name=\"outsourcing\""]);

    let csrf = &CSRF[..43];
    let incomplete = world
        .post(
            "/staff/services/new",
            &format!("csrf={csrf}&id=Bad+Id&file=taipei-pass-members&purposes=136%2C+999x"),
            Some(&tpe),
        )
        .await;
    incomplete.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    pages_support::assert_well_formed(&incomplete);
    incomplete.assert_contains(&[
        "error-summary",
        "href=\"#f-id\"",
        "href=\"#f-name_zh\"",
        "href=\"#f-purposes\"",
        "第 2 項：不是有效的代號",
        "aria-invalid=\"true\"",
    ]);
    assert!(
        world.state.store.services().await.unwrap().len() == 2,
        "nothing stored"
    );

    let body = "id=tpe-library-card&file=taipei-pass-members&name_zh=%E5%80%9F%E6%9B%B8%E8%AD%89&summary=%E7%94%B3%E8%AB%8B%E5%80%9F%E6%9B%B8%E8%AD%89&controller=%E8%87%BA%E5%8C%97%E5%B8%82%E7%AB%8B%E5%9C%96%E6%9B%B8%E9%A4%A8&purposes=136&categories=C001%2C+C011&period=1%E5%B9%B4&area=%E8%87%BA%E5%8C%97%E5%B8%82&recipients=%E6%9C%AC%E9%A4%A8&manner=%E9%9B%BB%E5%AD%90&rights=%E6%9F%A5%E8%A9%A2%E6%9B%B4%E6%AD%A3&consequence=%E7%84%A1%E6%B3%95%E7%94%B3%E8%AB%8B&outsourcing=%E7%A4%BA%E7%AF%84%E5%85%AC%E5%8F%B8+%7C+%E7%B6%AD%E9%81%8B";
    let created = world
        .post(
            "/staff/services/new",
            &format!("csrf={csrf}&{body}"),
            Some(&tpe),
        )
        .await;
    created.assert_status(StatusCode::SEE_OTHER);
    let id = lantern_domain::ServiceId::parse("tpe-library-card").unwrap();
    let stored = world.state.store.service(&id, None).await.unwrap().unwrap();
    assert_eq!(stored.info.version, 1);
    assert_eq!(stored.value.notice.outsourcing[0].task, "維運");

    let edit = world
        .get_with_cookie("/staff/services/tpe-library-card/edit", &tpe)
        .await;
    edit.assert_status(StatusCode::OK);
    edit.assert_contains(&["C001, C011"]);
    let changed = body.replace("period=1%E5%B9%B4", "period=2%E5%B9%B4");
    world
        .post(
            "/staff/services/tpe-library-card/edit",
            &format!("csrf={csrf}&{changed}"),
            Some(&tpe),
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let stored = world.state.store.service(&id, None).await.unwrap().unwrap();
    assert_eq!(stored.info.version, 2);
    assert_eq!(stored.info.changed_fields, ["notice.period"]);

    world
        .get_with_cookie("/staff/services/tpe-library-card/edit", &nhia)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    world
        .post(
            "/staff/services/tpe-library-card/edit",
            &format!("csrf={csrf}&{body}"),
            Some(&nhia),
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
    world
        .post(
            "/staff/services/new",
            &format!("csrf=wrong&{body}"),
            Some(&tpe),
        )
        .await
        .assert_status(StatusCode::BAD_REQUEST);
}
