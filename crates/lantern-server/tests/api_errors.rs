//! Malformed requests of every kind get an RFC 9457 problem with the right status, and nothing
//! but a genuine internal failure answers 500.

mod api_support;

use api_support::{Call, LIBRARY_PATRONS_JSON, NHI_CLAIMS_JSON, World, submission};
use axum::http::Method;
use lantern_server::api::MAX_BODY_BYTES;
use lantern_server::auth::CSRF_HEADER;
use serde_json::json;

#[tokio::test]
async fn malformed_json_names_line_and_column() {
    let world = World::new().await;
    let token = world.token("TPE-LIB").await;
    let body = "{\n  \"name_zh\": \"借閱證\",\n  \"purposes\": [,]\n}";
    let problem = world
        .send(
            Call::post("/api/v1/files")
                .bearer(&token)
                .raw("application/json", body),
        )
        .await
        .problem(400);
    assert_eq!(problem["type"], "urn:lantern:problem:malformed-json");
    assert_eq!(
        (problem["line"].as_u64(), problem["column"].as_u64()),
        (Some(3), Some(16))
    );
    assert!(
        problem["detail"].as_str().unwrap().contains("line 3"),
        "{problem}"
    );
}

#[tokio::test]
async fn a_wrong_typed_field_is_named() {
    let world = World::new().await;
    let token = world.token("MOHW-NHIA").await;
    let body = submission(NHI_CLAIMS_JSON, |file| {
        file["large_database"]["record_count"] = json!("four billion");
    });
    let answer = world
        .send(
            Call::put("/api/v1/files/nhi-claims")
                .bearer(&token)
                .json(&body),
        )
        .await;
    assert_eq!(
        answer.broken_rules(),
        [(
            "large_database.record_count".to_owned(),
            "format".to_owned()
        )]
    );
    let body = submission(NHI_CLAIMS_JSON, |file| file["surprise"] = json!(true));
    let answer = world
        .send(
            Call::put("/api/v1/files/nhi-claims")
                .bearer(&token)
                .json(&body),
        )
        .await;
    assert_eq!(
        answer.broken_rules(),
        [("surprise".to_owned(), "format".to_owned())]
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let world = World::new().await;
    let token = world.token("TPE-LIB").await;
    let json = LIBRARY_PATRONS_JSON.as_bytes().to_vec();
    for call in [
        Call::post("/api/v1/files")
            .bearer(&token)
            .raw("text/plain", json.clone()),
        Call::post("/api/v1/files")
            .bearer(&token)
            .raw("application/x-www-form-urlencoded", "name_zh=x"),
        Call::post("/api/v1/files")
            .bearer(&token)
            .untyped(json.clone()),
        Call::post("/api/v1/session").raw("text/plain", r#"{"username":"a","password":"b"}"#),
    ] {
        let problem = world.send(call).await.problem(415);
        assert_eq!(
            problem["type"],
            "urn:lantern:problem:unsupported-media-type"
        );
    }
    let charset = Call::post("/api/v1/files")
        .bearer(&token)
        .raw("application/json; charset=utf-8", json);
    world.send(charset).await.ok(201);
}

#[tokio::test]
async fn a_huge_body_is_413() {
    let world = World::new().await;
    let token = world.token("TPE-LIB").await;
    let huge = submission(LIBRARY_PATRONS_JSON, |file| {
        file["description"] = json!("長".repeat(MAX_BODY_BYTES / 3 + 1));
    });
    let problem = world
        .send(Call::post("/api/v1/files").bearer(&token).json(&huge))
        .await
        .problem(413);
    assert_eq!(problem["type"], "urn:lantern:problem:payload-too-large");
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems() {
    let world = World::new().await;
    for uri in [
        "/api",
        "/api/",
        "/api/v1",
        "/api/v1/nothing",
        "/api/v2/files",
        "/api/v1/files/a/b",
        "/api/v1/files/",
    ] {
        let answer = world.send(Call::get(uri)).await;
        assert_eq!(
            answer.header("content-type"),
            Some("application/problem+json"),
            "{uri}"
        );
        let problem = answer.problem(404);
        assert_eq!(problem["type"], "urn:lantern:problem:not-found", "{uri}");
    }
    let answer = world.send(Call::delete("/api/v1/files")).await;
    assert_eq!(
        answer.problem(405)["type"],
        "urn:lantern:problem:method-not-allowed"
    );
    let allow = answer.header("allow").unwrap();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    world
        .send(Call::post("/api/v1/files/nhi-claims"))
        .await
        .problem(405);
    world.send(Call::put("/api/v1/agencies")).await.problem(405);
    world.send(Call::post("/healthz")).await.problem(405);
}

#[tokio::test]
async fn query_strings_that_cannot_be_read_are_400_naming_the_parameter() {
    let world = World::new().await;
    let problem = world
        .send(Call::get("/api/v1/files?purpse=031"))
        .await
        .problem(400);
    assert!(
        problem["detail"].as_str().unwrap().contains("purpse"),
        "{problem}"
    );
    let problem = world
        .send(Call::get("/api/v1/files?limit=1&limit=2"))
        .await
        .problem(400);
    assert!(
        problem["detail"].as_str().unwrap().contains("limit"),
        "{problem}"
    );
    world
        .send(Call::get("/api/v1/files/nhi-claims?version=1&version=2"))
        .await
        .problem(400);
}

#[tokio::test]
async fn healthz_reads_the_store() {
    let world = World::new().await;
    assert_eq!(
        world.send(Call::get("/healthz")).await.ok(200),
        json!({ "status": "ok" })
    );
    world.store.set_failing(true);
    let answer = world.send(Call::get("/healthz")).await;
    assert_eq!(
        answer.problem(503)["type"],
        "urn:lantern:problem:unavailable"
    );
    world.store.set_failing(false);
    world.send(Call::get("/healthz")).await.ok(200);
}

#[tokio::test]
async fn a_failing_store_is_503_and_its_words_stay_inside() {
    let world = World::new().await;
    let token = world.token("MOHW-NHIA").await;
    world.store.set_failing(true);
    for call in [
        Call::get("/api/v1/files"),
        Call::get("/api/v1/files/nhi-claims"),
        Call::get("/api/v1/agencies"),
        Call::get("/api/v1/agencies/MOHW"),
        Call::put("/api/v1/files/nhi-claims")
            .bearer(&token)
            .json(&submission(NHI_CLAIMS_JSON, |_| {})),
        Call::post("/api/v1/session").json(&json!({ "username": "alice", "password": "x" })),
    ] {
        let answer = world.send(call).await;
        answer.problem(503);
        assert!(
            !String::from_utf8_lossy(&answer.body).contains("on fire"),
            "store text leaked"
        );
    }
}

/// Every endpoint with inputs that are wrong in every way we could think of: none may answer
/// 500, and every refusal is a problem document.
#[tokio::test]
async fn no_bad_input_is_a_500() {
    let world = World::new().await;
    world.staff("alice", "MOHW-NHIA").await;
    let token = world.token("MOHW-NHIA").await;
    let garbage_bodies: [(&str, &[u8]); 12] = [
        ("application/json", b""),
        ("application/json", b"null"),
        ("application/json", b"[]"),
        ("application/json", b"\"text\""),
        ("application/json", b"{\"purposes\": {}}"),
        ("application/json", b"{\"large_database\": []}"),
        (
            "application/json",
            b"{\"sensitive\": {\"kinds\": [\"telepathy\"]}}",
        ),
        (
            "application/json",
            b"{\"large_database\": {\"record_count\": -1}}",
        ),
        (
            "application/json",
            b"{\"large_database\": {\"record_count\": 1e400}}",
        ),
        ("application/json", b"\xff\xfe\x00"),
        ("application/json", b"{\"name_zh\": \"\\ud800\"}"),
        ("application/xml", b"<file/>"),
    ];
    let mut calls = Vec::new();
    for (content_type, body) in garbage_bodies {
        calls.push(
            Call::post("/api/v1/files")
                .bearer(&token)
                .raw(content_type, body),
        );
        calls.push(
            Call::put("/api/v1/files/nhi-claims")
                .bearer(&token)
                .raw(content_type, body),
        );
        calls.push(Call::post("/api/v1/session").raw(content_type, body));
    }
    for uri in [
        "/api/v1/files?limit=-1",
        "/api/v1/files?limit=99999999999999999999",
        "/api/v1/files?offset=abc",
        "/api/v1/files?q=%FF%FE",
        "/api/v1/files?agency=%00",
        "/api/v1/files?purpose=%E4%B8%80",
        "/api/v1/files?category=c001",
        "/api/v1/files?q=a&&&=&%",
        "/api/v1/files?q[]=x",
        "/api/v1/files/%FF",
        "/api/v1/files/..%2F..%2Fetc",
        "/api/v1/files/nhi-claims?version=-1",
        "/api/v1/files/nhi-claims?version=99999999999",
        "/api/v1/files/nhi-claims?as_of=yesterday",
        "/api/v1/agencies/%FF",
        "/api/v1/agencies/MOHW?x=1",
        "/healthz?verbose=1",
        "/api/openapi.json?format=yaml",
    ] {
        calls.push(Call::get(uri));
    }
    let long_id = format!("/api/v1/files/{}", "a".repeat(5000));
    calls.push(Call::get(&long_id));
    calls.push(Call::put(&long_id).bearer(&token).json(&json!({})));
    for header_value in ["\"1", "W/\"1\"", "\"1\", \"2\"", "\"-1\"", "\"\""] {
        calls.push(
            Call::put("/api/v1/files/nhi-claims")
                .bearer(&token)
                .header("if-match", header_value)
                .json(&json!({})),
        );
    }
    for cookie in [
        "lantern_session=",
        "lantern_session=%%%",
        "lantern_session=a; lantern_session=b",
        "=;=;",
    ] {
        calls.push(
            Call::put("/api/v1/files/nhi-claims")
                .header("cookie", cookie)
                .header(CSRF_HEADER, "x")
                .json(&json!({})),
        );
        calls.push(Call::delete("/api/v1/session").header("cookie", cookie));
    }
    for method in [
        Method::PATCH,
        Method::OPTIONS,
        Method::DELETE,
        Method::TRACE,
    ] {
        for uri in [
            "/api/v1/files",
            "/api/v1/files/nhi-claims",
            "/api/v1/agencies",
            "/api/v1/session",
            "/api/openapi.json",
        ] {
            calls.push(Call::new(method.clone(), uri));
        }
    }

    for call in calls {
        let described = format!("{call:?}");
        let answer = world.send(call).await;
        assert!(
            answer.status.as_u16() < 500,
            "{described} answered {}",
            answer.status
        );
        if answer.status.is_client_error() {
            answer.problem(answer.status.as_u16());
        }
    }
}
