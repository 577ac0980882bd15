//! Durability of the usage log: a `lantern serve` process is killed with SIGKILL, repeatedly,
//! while events stream in. After every restart each acknowledged event is in the log exactly
//! once, and every new signed checkpoint is consistent with every earlier one. The same run
//! checks that no raw national ID reaches the data directory or the server's log output.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed step is a failed test"
)]

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use lantern_domain::SubjectId;
use lantern_log::merkle::{Hash, verify_consistency};
use lantern_log::{Checkpoint, CheckpointVerifier};
use serde_json::{Value, json};

const NHI_CLAIMS: &str = include_str!("../../lantern-store-tests/fixtures/nhi-claims.json");
const ROUNDS: usize = 4;

fn lantern(data: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_lantern"))
        .args(args)
        .args(["--data", data.to_str().unwrap()])
        .env("LANTERN_LOG", "warn")
        .env_remove("LANTERN_DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "lantern {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

fn start(data: &Path, port: u16, log: &Path) -> Child {
    let log = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    Command::new(env!("CARGO_BIN_EXE_lantern"))
        .args(["serve", "--data", data.to_str().unwrap()])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        // Everything the server logs, at the most verbose level, is searched for raw IDs.
        .env(
            "LANTERN_LOG",
            "trace,hyper=info,hyper_util=info,h2=info,mio=info,tokio=info,runtime=info",
        )
        .env_remove("LANTERN_DATABASE_URL")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap()
}

async fn wait_ready(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the server did not start");
}

fn citizen(n: u64) -> String {
    let letter = char::from(b'A' + u8::try_from(n % 26).unwrap());
    SubjectId::with_check_digit(letter, '2', &format!("{:07}", n / 26))
        .unwrap()
        .expose()
        .to_owned()
}

fn event(n: u64) -> Value {
    json!({
        "id": format!("00000000-0000-4000-8000-{n:012x}"),
        "occurred_at": "2026-03-14T10:15:00+08:00",
        "file": "nhi-claims",
        "subject": citizen(n % 500),
        "action": "use",
        "purpose": "031",
        "categories": ["C001"],
        "legal_basis": "PDPA-6-P1",
    })
}

async fn post(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    from: u64,
    to: u64,
) -> Option<Value> {
    let batch: Vec<Value> = (from..to).map(event).collect();
    let response = client
        .post(format!("{base}/api/v1/events"))
        .bearer_auth(token)
        .json(&batch)
        .send()
        .await
        .ok()?;
    let status = response.status();
    let body = response.text().await.ok()?;
    assert!(
        status.is_success() || status.is_server_error(),
        "{status}: {body}"
    );
    serde_json::from_str(&body).ok()
}

async fn checkpoint(
    client: &reqwest::Client,
    base: &str,
    verifier: &CheckpointVerifier,
    at_least: u64,
) -> Checkpoint {
    for _ in 0..500 {
        if let Ok(response) = client.get(format!("{base}/log/checkpoint")).send().await
            && response.status().is_success()
        {
            let checkpoint = verifier.verify(&response.bytes().await.unwrap()).unwrap();
            if checkpoint.size() >= at_least {
                return checkpoint;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no checkpoint covers {at_least} entries");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_ingest_loses_no_acknowledged_event_and_never_forks_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server_log = dir.path().join("server.log");
    let agencies = dir.path().join("agencies.json");
    fs::write(
        &agencies,
        json!([{"code": "MOHW-NHIA", "name_zh": "衛生福利部中央健康保險署", "name_en": "National Health Insurance Administration",
                "kind": "central", "supervisor": null,
                "contact": {"unit": "個資窗口", "phone": "02-0000-0000", "email": "pd@nhia.example.gov.tw"},
                "intelligence_agency": false}])
        .to_string(),
    )
    .unwrap();
    lantern(
        &data,
        &["admin", "put-agencies", agencies.to_str().unwrap()],
    );
    let token = lantern(&data, &["admin", "agency-token", "--agency", "MOHW-NHIA"]);
    let key = lantern(&data, &["admin", "log-key"]);
    let verifier = CheckpointVerifier::from_verifier_key(&key).unwrap();
    let client = reqwest::Client::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");

    let mut server = start(&data, port, &server_log);
    wait_ready(&client, &base).await;
    let mut file: Value = serde_json::from_str(NHI_CLAIMS).unwrap();
    file["id"] = json!("nhi-claims");
    let created = client
        .post(format!("{base}/api/v1/files"))
        .bearer_auth(&token)
        .json(&file)
        .send()
        .await
        .unwrap();
    assert!(
        created.status().is_success(),
        "{}",
        created.text().await.unwrap()
    );

    let mut acknowledged: BTreeMap<u64, u64> = BTreeMap::new();
    let mut checkpoints: Vec<Checkpoint> = Vec::new();
    let mut sent = 0u64;
    for round in 0..ROUNDS {
        // Stream batches from a task; kill the server while they are in flight.
        let streamer = {
            let (client, base, token) = (client.clone(), base.clone(), token.clone());
            let first = sent;
            tokio::spawn(async move {
                let mut acks = Vec::new();
                let mut next = first;
                while let Some(answer) = post(&client, &base, &token, next, next + 200).await {
                    for e in answer["events"].as_array().unwrap() {
                        let id = e["id"].as_str().unwrap();
                        let n = u64::from_str_radix(&id[24..], 16).unwrap();
                        acks.push((n, e["index"].as_u64().unwrap()));
                    }
                    next += 200;
                }
                (acks, next + 200)
            })
        };
        tokio::time::sleep(Duration::from_millis(150 + 100 * round as u64)).await;
        server.kill().unwrap(); // SIGKILL
        server.wait().unwrap();
        let (acks, next) = streamer.await.unwrap();
        sent = next;
        acknowledged.extend(acks);
        assert!(
            !acknowledged.is_empty(),
            "round {round}: nothing was acknowledged before the kill"
        );

        server = start(&data, port, &server_log);
        wait_ready(&client, &base).await;
        // Every acknowledged event is there, at the index it was acknowledged with.
        let ids: Vec<u64> = acknowledged.keys().copied().collect();
        for chunk in ids.chunks(1000) {
            let batch: Vec<Value> = chunk.iter().map(|n| event(*n)).collect();
            let answer: Value = client
                .post(format!("{base}/api/v1/events"))
                .bearer_auth(&token)
                .json(&batch)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(
                answer["accepted"], 0,
                "round {round}: an acknowledged event was lost"
            );
            for (n, e) in chunk.iter().zip(answer["events"].as_array().unwrap()) {
                assert_eq!(
                    e["index"].as_u64(),
                    acknowledged.get(n).copied(),
                    "round {round}: event {n} moved"
                );
            }
        }
        // The new checkpoint extends every earlier one.
        let latest = checkpoint(&client, &base, &verifier, acknowledged.len() as u64).await;
        for earlier in &checkpoints {
            let proof: Value = client
                .get(format!(
                    "{base}/api/v1/log/proof/consistency?from={}&to={}",
                    earlier.size(),
                    latest.size()
                ))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let proof: Vec<Hash> = proof["proof"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| Hash::from_base64(h.as_str().unwrap()).unwrap())
                .collect();
            verify_consistency(
                earlier.size(),
                earlier.root(),
                latest.size(),
                latest.root(),
                &proof,
            )
            .unwrap_or_else(|e| {
                panic!(
                    "round {round}: checkpoint {} forks from {}: {e}",
                    latest.size(),
                    earlier.size()
                )
            });
        }
        checkpoints.push(latest);
    }

    // Exactly once: resend every event ever sent; the log then holds each id once, so its size
    // is the number of distinct ids.
    for from in (0..sent).step_by(1000) {
        post(&client, &base, &token, from, (from + 1000).min(sent))
            .await
            .unwrap();
    }
    let last = checkpoint(&client, &base, &verifier, sent).await;
    assert_eq!(last.size(), sent, "some event is in the log more than once");
    server.kill().unwrap();
    server.wait().unwrap();

    // No raw national ID in any file of the data directory (database, WAL, keys) or in the
    // server's output at trace level.
    let raw: Vec<String> = (0..500).map(citizen).collect();
    let mut files = vec![server_log.clone()];
    for entry in fs::read_dir(&data)
        .unwrap()
        .chain(fs::read_dir(data.join("keys")).unwrap())
    {
        let path = entry.unwrap().path();
        if path.is_file() {
            files.push(path);
        }
    }
    assert!(files.len() >= 3, "{files:?}");
    for path in files {
        let bytes = fs::read(&path).unwrap();
        for id in &raw {
            assert!(
                !bytes.windows(id.len()).any(|w| w == id.as_bytes()),
                "{} contains a raw national ID",
                path.display()
            );
        }
    }
}
