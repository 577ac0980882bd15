//! The provider-request register: imports as JSON, CSV and ODS, all or nothing with every
//! error by row and column, the template, the staff upload page, and each agency seeing only
//! its own requests.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed step is a failed test"
)]

#[allow(dead_code, reason = "the support module serves several test binaries")]
mod pages_support;

use std::io::Write as _;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use lantern_domain::AgencyCode;
use lantern_server::auth::issue_api_token;
use pages_support::{Page, World};
use serde_json::{Value, json};
use time::OffsetDateTime;

const ODS: &str = "application/vnd.oasis.opendocument.spreadsheet";

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

async fn send(
    world: &World,
    method: &str,
    uri: &str,
    bearer: Option<&str>,
    media: Option<&str>,
    body: Vec<u8>,
) -> Page {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(token) = bearer {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    if let Some(media) = media {
        request = request.header(header::CONTENT_TYPE, media);
    }
    world.send(request.body(Body::from(body)).unwrap()).await
}

async fn own(world: &World, token: &str) -> Vec<Value> {
    let page = send(
        world,
        "GET",
        "/api/v1/provider-requests",
        Some(token),
        None,
        Vec::new(),
    )
    .await;
    page.assert_status(StatusCode::OK);
    serde_json::from_str(&page.body).unwrap()
}

fn row(reference: &str) -> Value {
    json!({
        "reference": reference, "requested_on": "2025-03-14", "provider": "示範電信",
        "sector": "telecom", "statute": "稅捐稽徵法", "article": "第 30 條",
        "purpose": "administrative_investigation", "data_types": "subscriber;connection",
        "identifiers": "3", "approver_role": "科長", "approved_on": "2025-03-13", "outcome": "some"
    })
}

/// A one-sheet ODS file holding `rows` as text cells.
fn ods(rows: &[Vec<&str>]) -> Vec<u8> {
    let mut table = String::new();
    for cells in rows {
        table.push_str("<table:table-row>");
        for cell in cells {
            table.push_str(&format!(
                "<table:table-cell office:value-type=\"string\"><text:p>{cell}</text:p></table:table-cell>"
            ));
        }
        table.push_str("</table:table-row>");
    }
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Sheet1">{table}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(ODS.as_bytes()).unwrap();
    zip.start_file("META-INF/manifest.xml", stored).unwrap();
    zip.write_all(manifest.as_bytes()).unwrap();
    zip.start_file("content.xml", stored).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

/// A staff upload form posted to `uri`: the CSRF field and one file.
fn upload(uri: &str, cookie: &str, csrf: &str, name: &str, content: &str) -> Request<Body> {
    let boundary = "XyZzY";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n"
    );
    Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn agencies_import_json_csv_and_ods_all_or_nothing() {
    let world = World::new().await;
    let mof = token(&world, "MOF").await;
    let before = own(&world, &mof).await.len();

    let json_body = json!([row("T-1"), row("T-2")]).to_string().into_bytes();
    let stored = send(
        &world,
        "POST",
        "/api/v1/provider-requests",
        Some(&mof),
        Some("application/json"),
        json_body,
    )
    .await;
    stored.assert_status(StatusCode::CREATED);
    assert_eq!(own(&world, &mof).await.len(), before + 2);

    // A CSV with errors on rows 3 and 4 stores nothing, and says where.
    let template = send(
        &world,
        "GET",
        "/api/v1/provider-requests/template.csv",
        None,
        None,
        Vec::new(),
    )
    .await;
    template.assert_status(StatusCode::OK);
    let mut csv = template.body.clone();
    csv.push_str("T-3,2025-02-30,示範,telecom,法,條,administrative_regulation,subscriber,1,科長,2025-01-01,all,,\r\n");
    csv.push_str("T-1,2025-02-01,示範,bank,法,條,administrative_regulation,subscriber,x,科長,2025-01-01,all,,\r\n");
    let refused = send(
        &world,
        "POST",
        "/api/v1/provider-requests",
        Some(&mof),
        Some("text/csv; charset=utf-8"),
        csv.into_bytes(),
    )
    .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = serde_json::from_str(&refused.body).unwrap();
    let errors: Vec<(u64, &str, &str)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["field"].as_str().unwrap(),
                e["rule"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (3, "requested_on", "format"),
            (4, "sector", "unknown_code"),
            (4, "identifiers", "format"),
        ]
    );
    assert_eq!(
        own(&world, &mof).await.len(),
        before + 2,
        "nothing of the file stored"
    );

    // A reference already recorded is named by its row.
    let again = send(
        &world,
        "POST",
        "/api/v1/provider-requests",
        Some(&mof),
        Some("application/json"),
        json!([row("T-9"), row("T-1")]).to_string().into_bytes(),
    )
    .await;
    again.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = serde_json::from_str(&again.body).unwrap();
    assert_eq!(problem["errors"][0]["position"], 1);
    assert_eq!(problem["errors"][0]["rule"], "duplicate");

    // ODS: the template's columns in a spreadsheet.
    let header: Vec<&str> = lantern_domain::provider_request::COLUMNS.to_vec();
    let sheet = ods(&[
        header.clone(),
        vec![
            "T-ODS",
            "2025-04-01",
            "示範購物網",
            "ecommerce",
            "消費者保護法",
            "第 33 條",
            "administrative_investigation",
            "transaction",
            "2",
            "科長",
            "2025-03-31",
            "all",
            "",
            "",
        ],
    ]);
    let from_ods = send(
        &world,
        "POST",
        "/api/v1/provider-requests",
        Some(&mof),
        Some(ODS),
        sheet,
    )
    .await;
    from_ods.assert_status(StatusCode::CREATED);
    assert!(
        own(&world, &mof)
            .await
            .iter()
            .any(|r| r["reference"] == "T-ODS")
    );
    let broken = send(
        &world,
        "POST",
        "/api/v1/provider-requests",
        Some(&mof),
        Some(ODS),
        b"not a zip".to_vec(),
    )
    .await;
    broken.assert_status(StatusCode::UNPROCESSABLE_ENTITY);

    // Other media, and nobody anonymous.
    send(
        &world,
        "POST",
        "/api/v1/provider-requests",
        Some(&mof),
        Some("text/plain"),
        b"x".to_vec(),
    )
    .await
    .assert_status(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    send(
        &world,
        "POST",
        "/api/v1/provider-requests",
        None,
        Some("application/json"),
        b"[]".to_vec(),
    )
    .await
    .assert_status(StatusCode::UNAUTHORIZED);
    send(
        &world,
        "GET",
        "/api/v1/provider-requests",
        None,
        None,
        Vec::new(),
    )
    .await
    .assert_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_agency_sees_only_its_own_requests() {
    let world = World::new().await;
    let mof = token(&world, "MOF").await;
    let moa = token(&world, "MOA").await;
    send(
        &world,
        "POST",
        "/api/v1/provider-requests",
        Some(&mof),
        Some("application/json"),
        json!([row("ONLY-MOF")]).to_string().into_bytes(),
    )
    .await
    .assert_status(StatusCode::CREATED);
    let theirs = own(&world, &moa).await;
    assert!(!theirs.is_empty(), "the demo holds MOA's requests");
    assert!(theirs.iter().all(|r| r["agency"] == "MOA"));
    assert!(own(&world, &mof).await.iter().all(|r| r["agency"] == "MOF"));
}

#[tokio::test]
async fn staff_upload_a_spreadsheet_and_see_row_errors() {
    let world = World::new().await;
    let cookie = world.staff_session("mof-officer", "MOF").await;
    let csrf = pages_support::STAFF_CSRF;
    let page = world
        .get_with_cookie("/staff/provider-requests", &cookie)
        .await;
    page.assert_status(StatusCode::OK);
    pages_support::assert_well_formed(&page);
    page.assert_contains(&["template.csv", "enctype=\"multipart/form-data\""]);

    let upload = |csrf: &str, name: &str, content: &str| {
        upload("/staff/provider-requests", &cookie, csrf, name, content)
    };
    let template = lantern_domain::provider_request::import::template_csv();
    let ok = world.send(upload(csrf, "requests.csv", &template)).await;
    ok.assert_status(StatusCode::OK);
    ok.assert_contains(&["已登記筆數： 1"]);
    let bad = format!(
        "{template}X-2,2025-01-01,示範,bank,法,條,administrative_regulation,subscriber,1,科長,2025-01-01,all,,\r\n"
    );
    let refused = world.send(upload(csrf, "requests.csv", &bad)).await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    pages_support::assert_well_formed(&refused);
    refused.assert_contains(&["<td>3</td>", "<code>sector</code>"]);
    world
        .send(upload("wrong", "requests.csv", &template))
        .await
        .assert_status(StatusCode::BAD_REQUEST);
    let wrong_kind = world.send(upload(csrf, "requests.xlsx", &template)).await;
    wrong_kind.assert_contains(&["只接受 .csv 或 .ods 檔案"]);
}

#[tokio::test]
async fn staff_upload_a_spreadsheet_of_requests_between_agencies() {
    let world = World::new().await;
    let cookie = world.staff_session("bli-officer", "MOL-BLI").await;
    let csrf = pages_support::STAFF_CSRF;
    let page = world.get_with_cookie("/staff/data-requests", &cookie).await;
    page.assert_status(StatusCode::OK);
    pages_support::assert_well_formed(&page);
    page.assert_contains(&["/api/v1/data-requests/template.csv", "本機關收到的申請"]);

    let upload = |content: String| {
        upload(
            "/staff/data-requests",
            &cookie,
            csrf,
            "requests.csv",
            &content,
        )
    };
    let template = lantern_domain::data_request::import::template_csv();
    let filed = world.send(upload(template.clone())).await;
    filed.assert_status(StatusCode::OK);
    filed.assert_contains(&["已送出申請件數： 1", "nhi-claims"]);
    let bad = format!("{template}no-such-file,157,PDPA-16-P5,法,C001,一年,去識別化,小組,10,,\r\n");
    let refused = world.send(upload(bad)).await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    pages_support::assert_well_formed(&refused);
    refused.assert_contains(&["<td>3</td>", "<code>file</code>"]);
}
