//! The API served on a real port (127.0.0.1:0) and driven with an HTTP client: the same
//! answers as in-process, through hyper's real request parsing and connection handling.

mod api_support;

use api_support::{LIBRARY_PATRONS_JSON, NHI_CLAIMS_JSON, PASSWORD, World, submission};
use lantern_server::auth::CSRF_HEADER;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Serves the world's app on a free loopback port; returns its base URL.
async fn serve(world: &World) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free loopback port");
    let address = listener.local_addr().expect("the bound address");
    let app = world.app();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}")
}

async fn problem(response: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.expect("a problem is JSON");
    assert_eq!(problem["status"], status.as_u16());
    problem
}

#[tokio::test]
async fn an_agency_system_registers_and_updates_a_file() {
    let world = World::new().await;
    let base = serve(&world).await;
    let client = reqwest::Client::new();
    let token = world.token("TPE-LIB").await;

    let health: Value = client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health, json!({ "status": "ok" }));

    let body = submission(LIBRARY_PATRONS_JSON, |file| {
        file["id"] = json!("library-cards");
    });
    let created = client
        .post(format!("{base}/api/v1/files"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.headers()["location"], "/api/v1/files/library-cards");

    let edited = submission(LIBRARY_PATRONS_JSON, |file| {
        file["name_en"] = json!("Library cards");
    });
    let updated = client
        .put(format!("{base}/api/v1/files/library-cards"))
        .bearer_auth(&token)
        .header("if-match", "\"1\"")
        .json(&edited)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), StatusCode::OK);
    assert_eq!(updated.headers()["etag"], "\"2\"");

    let old: Value = client
        .get(format!("{base}/api/v1/files/library-cards?version=1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(old["name_en"], "Public Library Patron Records");
    assert_eq!(old["versions"][1]["changed_fields"], json!(["name_en"]));

    let listed: Value = client
        .get(format!("{base}/api/v1/files?agency=TPE-LIB"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["total"], 2);
}

#[tokio::test]
async fn errors_arrive_as_problems_over_the_wire() {
    let world = World::new().await;
    let base = serve(&world).await;
    let client = reqwest::Client::new();
    let tax = world.token("MOF-TAX").await;

    let anonymous = client
        .put(format!("{base}/api/v1/files/nhi-claims"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    problem(anonymous, StatusCode::UNAUTHORIZED).await;
    let foreign = client
        .put(format!("{base}/api/v1/files/nhi-claims"))
        .bearer_auth(&tax)
        .json(&submission(NHI_CLAIMS_JSON, |_| {}))
        .send()
        .await
        .unwrap();
    problem(foreign, StatusCode::FORBIDDEN).await;
    let malformed = client
        .post(format!("{base}/api/v1/files"))
        .bearer_auth(&tax)
        .header("content-type", "application/json")
        .body("{\"name_zh\": }")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(malformed, StatusCode::BAD_REQUEST).await["line"], 1);
    let bad_filter = client
        .get(format!("{base}/api/v1/files?sensitive=maybe"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(bad_filter, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"],
        "sensitive"
    );
    let nowhere = client
        .get(format!("{base}/api/v1/nowhere"))
        .send()
        .await
        .unwrap();
    problem(nowhere, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn a_staff_member_logs_in_changes_a_file_and_logs_out() {
    let world = World::new().await;
    world.staff("alice", "MOHW-NHIA").await;
    let base = serve(&world).await;
    let client = reqwest::Client::new();

    let login = client
        .post(format!("{base}/api/v1/session"))
        .json(&json!({ "username": "alice", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let csrf = login.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let edited = submission(NHI_CLAIMS_JSON, |file| {
        file["name_en"] = json!("NHI claims");
    });
    let put = || {
        client
            .put(format!("{base}/api/v1/files/nhi-claims"))
            .header("cookie", &cookie)
            .json(&edited)
    };
    problem(put().send().await.unwrap(), StatusCode::FORBIDDEN).await;
    let changed = put().header(CSRF_HEADER, &csrf).send().await.unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(
        changed.json::<Value>().await.unwrap()["updated_by"],
        "user:alice"
    );

    let logout = client
        .delete(format!("{base}/api/v1/session"))
        .header("cookie", &cookie)
        .header(CSRF_HEADER, &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    problem(
        put().header(CSRF_HEADER, &csrf).send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
}
