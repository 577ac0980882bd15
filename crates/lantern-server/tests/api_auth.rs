//! Who may change what: API tokens, staff sessions with their CSRF header, and the rule that
//! an agency writes only its own files.

mod api_support;

use api_support::{Call, LIBRARY_PATRONS_JSON, NHI_CLAIMS_JSON, PASSWORD, World, submission};
use lantern_server::auth::{CSRF_HEADER, SESSION_COOKIE, TOKEN_PREFIX};
use serde_json::json;

fn edited_nhi() -> serde_json::Value {
    submission(NHI_CLAIMS_JSON, |file| {
        file["description"] = json!("被改過的說明");
    })
}

#[tokio::test]
async fn anonymous_writes_are_refused_with_401() {
    let world = World::new().await;
    let answer = world
        .send(Call::post("/api/v1/files").json(&submission(LIBRARY_PATRONS_JSON, |_| {})))
        .await;
    let problem = answer.problem(401);
    assert_eq!(problem["type"], "urn:lantern:problem:unauthenticated");
    assert!(
        answer
            .header("www-authenticate")
            .is_some_and(|v| v.starts_with("Bearer"))
    );
    world
        .send(Call::put("/api/v1/files/nhi-claims").json(&edited_nhi()))
        .await
        .problem(401);
    // Credentials are checked before the body is looked at.
    world
        .send(Call::post("/api/v1/files").raw("application/json", "{oops"))
        .await
        .problem(401);
}

#[tokio::test]
async fn bad_tokens_are_refused_not_treated_as_anonymous() {
    let world = World::new().await;
    let issued = world.token("MOHW-NHIA").await;
    assert!(
        issued.starts_with(TOKEN_PREFIX) && issued.len() == 46,
        "{issued}"
    );
    let unknown = format!("{TOKEN_PREFIX}{}", "A".repeat(43));
    for authorization in [
        format!("Bearer {unknown}"),
        "Bearer lt_short".to_owned(),
        "Bearer not-a-lantern-token".to_owned(),
        format!("Basic {}", issued),
        "Bearer".to_owned(),
        format!("Bearer {}x", issued),
    ] {
        let put = Call::put("/api/v1/files/nhi-claims")
            .header("authorization", &authorization)
            .json(&edited_nhi());
        world.send(put).await.problem(401);
        // Also on reads, which need no credential: a wrong one is still an error.
        world
            .send(Call::get("/api/v1/files").header("authorization", &authorization))
            .await
            .problem(401);
    }
    assert_eq!(world.stored_file("nhi-claims").await.info.version, 1);
}

#[tokio::test]
async fn an_agency_cannot_change_another_agencys_file() {
    let world = World::new().await;
    let tax = world.token("MOF-TAX").await;
    let before = world.stored_file("nhi-claims").await;
    let problem = world
        .send(
            Call::put("/api/v1/files/nhi-claims")
                .bearer(&tax)
                .json(&edited_nhi()),
        )
        .await
        .problem(403);
    assert_eq!(problem["type"], "urn:lantern:problem:forbidden");
    // Decided before the body is validated: a broken body gets the same answer.
    let broken = json!({ "purposes": [{ "code": "999" }] });
    world
        .send(
            Call::put("/api/v1/files/nhi-claims")
                .bearer(&tax)
                .json(&broken),
        )
        .await
        .problem(403);
    world
        .send(
            Call::put("/api/v1/files/nhi-claims")
                .bearer(&tax)
                .raw("text/plain", "junk"),
        )
        .await
        .problem(403);
    assert_eq!(world.stored_file("nhi-claims").await, before);
}

#[tokio::test]
async fn supervising_an_agency_gives_no_right_to_change_its_files() {
    let world = World::new().await;
    for supervisor in ["MOHW", "EY"] {
        let token = world.token(supervisor).await;
        world
            .send(
                Call::put("/api/v1/files/nhi-claims")
                    .bearer(&token)
                    .json(&edited_nhi()),
            )
            .await
            .problem(403);
    }
    let own = world.token("MOHW-NHIA").await;
    world
        .send(
            Call::put("/api/v1/files/nhi-claims")
                .bearer(&own)
                .json(&edited_nhi()),
        )
        .await
        .ok(200);
}

/// Logs `username` in through the API; returns the `Cookie` header value and the CSRF token.
async fn log_in(world: &World, username: &str) -> (String, String) {
    let answer = world
        .send(
            Call::post("/api/v1/session")
                .json(&json!({ "username": username, "password": PASSWORD })),
        )
        .await;
    let body = answer.ok(200);
    let set_cookie = answer
        .header("set-cookie")
        .expect("a login sets the cookie");
    let cookie = set_cookie.split(';').next().unwrap_or_default().to_owned();
    (
        cookie,
        body["csrf_token"]
            .as_str()
            .expect("a login answers the CSRF token")
            .to_owned(),
    )
}

#[tokio::test]
async fn logging_in_sets_a_strict_http_only_cookie() {
    let world = World::new().await;
    world.staff("alice", "MOHW-NHIA").await;
    let answer = world
        .send(
            Call::post("/api/v1/session")
                .json(&json!({ "username": "alice", "password": PASSWORD })),
        )
        .await;
    let body = answer.ok(200);
    assert_eq!(
        (body["agency"].as_str(), body["username"].as_str()),
        (Some("MOHW-NHIA"), Some("alice"))
    );
    assert!(body["csrf_token"].as_str().is_some_and(|t| t.len() >= 32));
    let cookie = answer.header("set-cookie").unwrap();
    assert!(
        cookie.starts_with(&format!("{SESSION_COOKIE}=")),
        "{cookie}"
    );
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=28800"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain-HTTP test server: {cookie}"
    );
    assert_eq!(answer.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn wrong_passwords_and_unknown_users_look_the_same() {
    let world = World::new().await;
    world.staff("alice", "MOHW-NHIA").await;
    let wrong = world
        .send(
            Call::post("/api/v1/session")
                .json(&json!({ "username": "alice", "password": "guess" })),
        )
        .await;
    let unknown = world
        .send(
            Call::post("/api/v1/session")
                .json(&json!({ "username": "mallory", "password": PASSWORD })),
        )
        .await;
    assert_eq!(wrong.problem(401), unknown.problem(401));
    assert_eq!(
        wrong.json()["type"],
        "urn:lantern:problem:invalid-credentials"
    );
    assert!(wrong.header("set-cookie").is_none());
    let missing = world
        .send(Call::post("/api/v1/session").json(&json!({ "username": "alice" })))
        .await;
    assert_eq!(
        missing.broken_rules(),
        [("password".to_owned(), "required".to_owned())]
    );
}

#[tokio::test]
async fn cookie_changes_need_the_csrf_header() {
    let world = World::new().await;
    world.staff("alice", "MOHW-NHIA").await;
    let (cookie, csrf) = log_in(&world, "alice").await;
    let put = || {
        Call::put("/api/v1/files/nhi-claims")
            .header("cookie", &cookie)
            .json(&edited_nhi())
    };

    let problem = world.send(put()).await.problem(403);
    assert_eq!(problem["type"], "urn:lantern:problem:csrf-token-mismatch");
    world
        .send(put().header(CSRF_HEADER, "wrong"))
        .await
        .problem(403);
    assert_eq!(world.stored_file("nhi-claims").await.info.version, 1);

    let changed = world.send(put().header(CSRF_HEADER, &csrf)).await.ok(200);
    assert_eq!(changed["updated_by"], "user:alice");
    // Reading needs no CSRF header.
    world
        .send(Call::get("/api/v1/files/nhi-claims").header("cookie", &cookie))
        .await
        .ok(200);
    // The session is still bound to its agency.
    let tax = world
        .send(
            Call::put("/api/v1/files/tax-returns")
                .header("cookie", &cookie)
                .header(CSRF_HEADER, &csrf)
                .json(&edited_nhi()),
        )
        .await;
    tax.problem(403);
}

#[tokio::test]
async fn logging_out_ends_the_session() {
    let world = World::new().await;
    world.staff("alice", "MOHW-NHIA").await;
    let (cookie, csrf) = log_in(&world, "alice").await;
    world
        .send(Call::delete("/api/v1/session").header("cookie", &cookie))
        .await
        .problem(403);
    let answer = world
        .send(
            Call::delete("/api/v1/session")
                .header("cookie", &cookie)
                .header(CSRF_HEADER, &csrf),
        )
        .await;
    assert_eq!(answer.status, 204);
    let cleared = answer.header("set-cookie").unwrap();
    assert!(
        cleared.starts_with(&format!("{SESSION_COOKIE}=;")) && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    // The old cookie is worth nothing now: the caller is anonymous.
    let put = Call::put("/api/v1/files/nhi-claims")
        .header("cookie", &cookie)
        .header(CSRF_HEADER, &csrf)
        .json(&edited_nhi());
    world.send(put).await.problem(401);
    // Logging out without a session is fine.
    assert_eq!(
        world.send(Call::delete("/api/v1/session")).await.status,
        204
    );
}
