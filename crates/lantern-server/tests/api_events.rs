//! `POST /api/v1/events` and the public log it feeds: checkpoints, tiles, proofs, statistics
//! and coverage, end to end through the app.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed step is a failed test"
)]

mod api_support;

use std::time::Duration;

use api_support::{Call, TEST_ORIGIN, World, test_keys};
use lantern_domain::SubjectId;
use lantern_log::merkle::{self, Hash};
use lantern_log::tiles::{Tile, decode_entry_bundle, parse_hash_tile};
use lantern_log::{Checkpoint, CheckpointVerifier, LogEntry};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A valid national ID made from a small number.
fn citizen(n: u32) -> String {
    SubjectId::with_check_digit('A', '1', &format!("{n:07}"))
        .unwrap()
        .expose()
        .to_owned()
}

fn event_id(n: u32) -> String {
    format!("0190f8a2-6c1e-7b3d-9a4f-{n:012x}")
}

/// A routine use of the NHI claims database (purpose 031, within purpose).
fn nhi_event(n: u32) -> Value {
    let now = OffsetDateTime::now_utc().format(&Rfc3339).unwrap();
    json!({
        "id": event_id(n),
        "occurred_at": now,
        "file": "nhi-claims",
        "subject": citizen(n),
        "action": "use",
        "purpose": "031",
        "categories": ["C001", "C111"],
        "legal_basis": "PDPA-6-P1",
        "legal_citation": "全民健康保險法第80條",
        "actor": "claims-review-system",
    })
}

fn post(token: &str, events: &Value) -> Call {
    Call::post("/api/v1/events").bearer(token).json(events)
}

/// Waits until the published checkpoint covers `size` entries and returns it verified.
async fn checkpoint_of(world: &World, size: u64) -> Checkpoint {
    let verifier =
        CheckpointVerifier::from_verifier_key(&test_keys().signer.verifier_key()).unwrap();
    for _ in 0..200 {
        let answer = world.send(Call::get("/log/checkpoint")).await;
        if answer.status == 200 {
            let checkpoint = verifier.verify(&answer.body).unwrap();
            if checkpoint.size() >= size {
                assert_eq!(answer.headers["cache-control"], "no-cache");
                return checkpoint;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no checkpoint of size {size} was published within 10 s");
}

#[tokio::test]
async fn a_batch_is_logged_with_indexes_and_resending_it_is_harmless() {
    let world = World::new().await;
    let token = world.token("MOHW-NHIA").await;
    let batch = json!([nhi_event(1), nhi_event(2), nhi_event(3)]);
    let body = world.send(post(&token, &batch)).await.ok(200);
    assert_eq!(body["accepted"], 3);
    assert_eq!(body["duplicates"], 0);
    assert_eq!(body["tree_size"], 3);
    let indexes: Vec<_> = body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["index"].as_u64().unwrap())
        .collect();
    assert_eq!(indexes, [0, 1, 2]);
    assert_eq!(body["events"][0]["id"], event_id(1));
    assert_eq!(body["events"][0]["status"], "accepted");

    let again = world.send(post(&token, &batch)).await.ok(200);
    assert_eq!(again["accepted"], 0);
    assert_eq!(again["duplicates"], 3);
    assert_eq!(again["tree_size"], 3);
    assert_eq!(again["events"][2]["index"], 2);
    assert_eq!(again["events"][2]["status"], "duplicate");
}

#[tokio::test]
async fn ndjson_is_accepted() {
    let world = World::new().await;
    let token = world.token("MOHW-NHIA").await;
    let body = format!("{}\n\n{}\n", nhi_event(1), nhi_event(2));
    let answer = world
        .send(
            Call::post("/api/v1/events")
                .bearer(&token)
                .raw("application/x-ndjson", body),
        )
        .await
        .ok(200);
    assert_eq!(answer["accepted"], 2);
}

#[tokio::test]
async fn one_bad_event_rejects_the_whole_batch_naming_every_fault() {
    let world = World::new().await;
    let token = world.token("MOHW-NHIA").await;
    let mut bad_subject = nhi_event(2);
    bad_subject["subject"] = json!("A123456788");
    let mut out_of_purpose = nhi_event(3);
    out_of_purpose["purpose"] = json!("095");
    out_of_purpose["legal_basis"] = json!("PDPA-15-1");
    let batch = json!([nhi_event(1), bad_subject, out_of_purpose]);
    let answer = world.send(post(&token, &batch)).await;
    let problem = answer.problem(422);
    let errors = problem["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["position"] == 1 && e["field"] == "subject"),
        "{problem}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e["position"] == 2 && e["field"] == "legal_basis"),
        "{problem}"
    );
    assert!(
        !problem.to_string().contains("A123456788"),
        "the raw ID is echoed: {problem}"
    );
    // Nothing of the batch was logged.
    let head = lantern_store::UsageLogStore::tree_head(world.state.store.as_ref())
        .await
        .unwrap();
    assert_eq!(head.size, 0);

    // With an Art. 16 basis the out-of-purpose use is accepted and counted as such.
    let mut allowed = nhi_event(3);
    allowed["purpose"] = json!("095");
    allowed["legal_basis"] = json!("PDPA-16-P2");
    allowed["action"] = json!("out_of_purpose_use");
    world.send(post(&token, &json!([allowed]))).await.ok(200);
    let stats = world
        .send(Call::get("/api/v1/stats/usage?group_by=scope,action"))
        .await
        .ok(200);
    assert_eq!(
        stats["rows"],
        json!([{"scope": "outside", "action": "out_of_purpose_use", "events": 1, "records": 1}])
    );
}

#[tokio::test]
async fn an_agency_cannot_log_into_another_agencys_file() {
    let world = World::new().await;
    let token = world.token("MOF-TAX").await;
    let problem = world
        .send(post(&token, &json!([nhi_event(1)])))
        .await
        .problem(422);
    assert_eq!(problem["errors"][0]["field"], "file", "{problem}");
}

#[tokio::test]
async fn malformed_requests_are_refused_with_problems() {
    let world = World::new().await;
    let token = world.token("MOHW-NHIA").await;
    world
        .send(Call::post("/api/v1/events").json(&json!([nhi_event(1)])))
        .await
        .problem(401);
    world
        .send(
            Call::post("/api/v1/events")
                .bearer(&token)
                .raw("text/csv", "id,subject"),
        )
        .await
        .problem(415);
    world
        .send(
            Call::post("/api/v1/events")
                .bearer(&token)
                .raw("application/json", "{\"id\":1}"),
        )
        .await
        .problem(400);
    let too_many = Value::Array(vec![json!({}); 10_001]);
    world.send(post(&token, &too_many)).await.problem(413);
}

#[tokio::test]
async fn the_log_serves_signed_checkpoints_tiles_and_proofs() {
    let world = World::new().await;
    let token = world.token("MOHW-NHIA").await;
    world.send(Call::get("/log/checkpoint")).await.problem(404);
    let key = world.send(Call::get("/log/key")).await;
    assert_eq!(key.status, 200);
    let key_line = String::from_utf8(key.body).unwrap();
    assert_eq!(key_line.trim_end(), test_keys().signer.verifier_key());
    assert!(key_line.starts_with(TEST_ORIGIN));

    let batch: Vec<Value> = (1..=3).map(nhi_event).collect();
    world.send(post(&token, &json!(batch))).await.ok(200);
    let small = checkpoint_of(&world, 3).await;
    assert_eq!(small.origin(), TEST_ORIGIN);
    assert_eq!(small.size(), 3);

    // The entry bundle and the level-0 hash tile of the published tree.
    let bundle = world.send(Call::get("/log/tile/entries/000.p/3")).await;
    assert_eq!(bundle.status, 200);
    assert_eq!(bundle.headers["cache-control"], "public, max-age=60");
    let tile = Tile::parse_path("tile/entries/000.p/3").unwrap();
    let leaves: Vec<Hash> = decode_entry_bundle(&tile, &bundle.body)
        .unwrap()
        .into_iter()
        .map(|bytes| LogEntry::decode(bytes).unwrap().leaf_hash())
        .collect();
    assert_eq!(merkle::root_of_leaves(&leaves), *small.root());
    let hashes = world.send(Call::get("/log/tile/0/000.p/3")).await;
    assert_eq!(hashes.status, 200);
    let tile = Tile::parse_path("tile/0/000.p/3").unwrap();
    assert_eq!(parse_hash_tile(&tile, &hashes.body).unwrap(), leaves);
    // Not in the published tree, or not a canonical path.
    world.send(Call::get("/log/tile/0/000")).await.problem(404);
    world
        .send(Call::get("/log/tile/0/000.p/4"))
        .await
        .problem(404);
    world
        .send(Call::get("/log/tile/0/0.p/3"))
        .await
        .problem(404);

    // More events; the new checkpoint is consistent with the old one.
    let batch: Vec<Value> = (4..=300).map(nhi_event).collect();
    world.send(post(&token, &json!(batch))).await.ok(200);
    let large = checkpoint_of(&world, 300).await;
    let proof = world
        .send(Call::get(&format!(
            "/api/v1/log/proof/consistency?from=3&to={}",
            large.size()
        )))
        .await
        .ok(200);
    let proof: Vec<Hash> = proof["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| Hash::from_base64(h.as_str().unwrap()).unwrap())
        .collect();
    merkle::verify_consistency(3, small.root(), large.size(), large.root(), &proof).unwrap();

    // A full tile is immutable; its leaves prove into the checkpoint.
    let full = world.send(Call::get("/log/tile/entries/000")).await;
    assert_eq!(
        full.headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let tile = Tile::parse_path("tile/entries/000").unwrap();
    let entry = decode_entry_bundle(&tile, &full.body).unwrap()[200].to_vec();
    let leaf = LogEntry::decode(&entry).unwrap().leaf_hash();
    let inclusion = world
        .send(Call::get(&format!(
            "/api/v1/log/proof/inclusion?index=200&tree_size={}",
            large.size()
        )))
        .await
        .ok(200);
    assert_eq!(inclusion["index"], 200);
    let path: Vec<Hash> = inclusion["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| Hash::from_base64(h.as_str().unwrap()).unwrap())
        .collect();
    merkle::verify_inclusion(&leaf, 200, large.size(), &path, large.root()).unwrap();

    // Proofs only for published trees.
    let problem = world
        .send(Call::get(&format!(
            "/api/v1/log/proof/inclusion?index=0&tree_size={}",
            large.size() + 1
        )))
        .await
        .problem(422);
    assert_eq!(problem["errors"][0]["field"], "tree_size");
    let problem = world
        .send(Call::get("/api/v1/log/proof/consistency?from=0&to=3"))
        .await
        .problem(422);
    assert_eq!(problem["errors"][0]["field"], "from");
}

#[tokio::test]
async fn coverage_lists_silent_files_first() {
    let world = World::new().await;
    let token = world.token("MOHW-NHIA").await;
    world
        .send(post(&token, &json!([nhi_event(1), nhi_event(2)])))
        .await
        .ok(200);
    let coverage = world.send(Call::get("/api/v1/coverage")).await.ok(200);
    let files = coverage["files"].as_array().unwrap();
    let nhi = files.iter().find(|f| f["file"] == "nhi-claims").unwrap();
    assert_eq!(nhi["silent"], false);
    assert_eq!(nhi["events"], 2);
    assert_eq!(nhi["window_events"], 2);
    assert_eq!(nhi["days_since_last_event"], 0);
    let silent = files.iter().filter(|f| f["silent"] == true).count();
    assert_eq!(coverage["silent_files"], silent);
    assert!(silent >= 1);
    assert_eq!(files[0]["silent"], true, "silent files come first");
    assert!(files[0]["last_event"].is_null());
    world
        .send(Call::get("/api/v1/coverage?silent_days=0"))
        .await
        .problem(422);
}
