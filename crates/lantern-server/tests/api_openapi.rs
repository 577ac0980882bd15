//! The OpenAPI document: the checked-in copy (`crates/lantern-server/openapi.json`) must equal
//! what the code generates, and the server must serve exactly that.
//!
//! After changing the API, regenerate the copy with
//! `UPDATE_OPENAPI=1 cargo test -p lantern-server --test api_openapi` and review its diff.

mod api_support;

use std::path::PathBuf;

use api_support::{Call, World};
use lantern_server::openapi::{document, document_json};
use serde_json::Value;

fn checked_in_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi.json")
}

/// The first few lines that differ, numbered, for the failure message.
fn first_differences(expected: &str, actual: &str) -> String {
    let (mut expected_lines, mut actual_lines) = (expected.lines(), actual.lines());
    let mut report = Vec::new();
    for number in 1.. {
        match (expected_lines.next(), actual_lines.next()) {
            (None, None) => break,
            (left, right) if left == right => {}
            (left, right) => {
                report.push(format!(
                    "line {number}:\n  checked in: {}\n  generated:  {}",
                    left.unwrap_or("<end>"),
                    right.unwrap_or("<end>")
                ));
                if report.len() == 5 {
                    break;
                }
            }
        }
    }
    report.join("\n")
}

#[test]
fn the_checked_in_document_is_current() {
    let generated = document_json().unwrap();
    let path = checked_in_path();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "{} is out of date. Regenerate it with\n  UPDATE_OPENAPI=1 cargo test -p lantern-server --test api_openapi\nFirst differences:\n{}",
        path.display(),
        first_differences(&checked_in, &generated)
    );
}

#[test]
fn the_document_describes_every_route_and_error() {
    let document: Value = serde_json::to_value(document()).unwrap();
    assert!(
        document["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        document["openapi"]
    );
    let paths = document["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/healthz", &["get"][..]),
        ("/api/v1/agencies", &["get"]),
        ("/api/v1/agencies/{code}", &["get"]),
        ("/api/v1/files", &["get", "post"]),
        ("/api/v1/files/{id}", &["get", "put"]),
        ("/api/v1/session", &["post", "delete"]),
        ("/api/v1/data-requests", &["get", "post"]),
        ("/api/v1/data-requests/{id}", &["get"]),
        ("/api/v1/data-requests/{id}/decision", &["post"]),
        ("/api/v1/data-requests/{id}/delivery", &["post"]),
        ("/api/v1/files/{id}/approved-uses", &["get"]),
    ] {
        for method in methods {
            assert!(
                paths[path][method].is_object(),
                "{method} {path} is not described"
            );
        }
    }
    let mut operation_ids: Vec<&str> = paths
        .values()
        .flat_map(|methods| methods.as_object().unwrap().values())
        .map(|op| op["operationId"].as_str().unwrap())
        .collect();
    let described = operation_ids.len();
    operation_ids.sort_unstable();
    operation_ids.dedup();
    assert_eq!(
        operation_ids.len(),
        described,
        "operation ids must be unique"
    );
    let schemas = document["components"]["schemas"].as_object().unwrap();
    for schema in [
        "Problem",
        "ProblemError",
        "Rule",
        "EventSubmission",
        "IngestResponse",
        "InclusionProof",
        "ConsistencyProof",
        "UsageStats",
        "Coverage",
        "FileSubmission",
        "PersonalDataFile",
        "FileDetail",
        "FilePage",
        "AgencyDetail",
    ] {
        assert!(schemas.contains_key(schema), "schema {schema} is missing");
    }
    let security = document["components"]["securitySchemes"]
        .as_object()
        .unwrap();
    assert!(security.contains_key("bearer") && security.contains_key("session"));
    let put_422 = &paths["/api/v1/files/{id}"]["put"]["responses"]["422"]["content"];
    assert!(put_422["application/problem+json"].is_object(), "{put_422}");
}

#[tokio::test]
async fn the_server_serves_the_document() {
    let world = World::new().await;
    let served = world.send(Call::get("/api/openapi.json")).await.ok(200);
    assert_eq!(served, serde_json::to_value(document()).unwrap());
}
