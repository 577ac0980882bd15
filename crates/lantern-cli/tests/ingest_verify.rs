//! `lantern ingest` and `lantern verify`, driven end to end against a real `lantern serve` on
//! a loopback port.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed step is a failed test"
)]

mod common;

use common::{Server, field, lantern, stderr, stdout, write_ndjson};
use lantern_log::{Checkpoint, CheckpointSigner};

#[test]
fn ingest_is_resumable_and_verify_follows_the_log() {
    let server = Server::start();

    // 600 events in batches of 100: three entry bundles, a level-1 tile.
    let ndjson = server.path("events.ndjson");
    write_ndjson(&ndjson, 0, 600);
    let first = server.ingest(&ndjson, &["--batch-size", "100"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let summary = stdout(&first);
    assert_eq!(field(&summary, "batches"), "6", "{summary}");
    assert_eq!(field(&summary, "accepted"), "600", "{summary}");
    assert_eq!(field(&summary, "duplicates"), "0", "{summary}");
    assert_eq!(field(&summary, "tree size"), "600", "{summary}");
    assert!(field(&summary, "rate").contains("events/s"), "{summary}");

    // Running it again (as after a crash) logs nothing twice.
    let again = server.ingest(&ndjson, &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    let summary = stdout(&again);
    assert_eq!(field(&summary, "accepted"), "0", "{summary}");
    assert_eq!(field(&summary, "duplicates"), "600", "{summary}");
    assert_eq!(field(&summary, "tree size"), "600", "{summary}");

    // The first verification with a state file takes the checkpoint as its reference.
    server.wait_for_checkpoint(600);
    let state = server.path("verify-state");
    let state_arg = state.to_str().unwrap();
    let verified = server.verify(&["--state", state_arg]);
    assert!(verified.status.success(), "{}", stderr(&verified));
    let out = stdout(&verified);
    assert!(out.contains("at 600 entries"), "{out}");
    assert!(out.contains("holds no checkpoint yet"), "{out}");
    assert_eq!(
        std::fs::read_to_string(&state).unwrap(),
        server.checkpoint()
    );

    // CSV with quoted fields, withheld events and a blank line.
    let csv = server.path("more.csv");
    std::fs::write(&csv, csv_events(600, 700)).unwrap();
    let from_csv = server.ingest(&csv, &[]);
    assert!(from_csv.status.success(), "{}", stderr(&from_csv));
    let summary = stdout(&from_csv);
    assert_eq!(field(&summary, "accepted"), "100", "{summary}");
    assert_eq!(field(&summary, "tree size"), "700", "{summary}");

    // The second verification proves the new tree extends the one in the state file.
    server.wait_for_checkpoint(700);
    let key_arg = format!("@{}", key_file(&server));
    let verified = lantern(&[
        "verify",
        "--server",
        &server.url,
        "--key",
        &key_arg,
        "--state",
        state_arg,
    ]);
    assert!(verified.status.success(), "{}", stderr(&verified));
    let out = stdout(&verified);
    assert!(
        out.contains("consistency: extends the checkpoint of 600 entries"),
        "{out}"
    );
    assert!(out.contains("checkpoint of 700 entries saved"), "{out}");

    // The full check downloads and recomputes everything.
    let full = server.verify(&["--full"]);
    assert!(full.status.success(), "{}", stderr(&full));
    let out = stdout(&full);
    assert!(
        out.contains("full: 700 entries in 3 entry bundles and 4 hash tiles checked"),
        "{out}"
    );
}

/// Events `from..to` as CSV; every 50th withheld, with a quoted recipient holding a comma and
/// quotes.
fn csv_events(from: u64, to: u64) -> String {
    let mut text = String::from(
        "id,occurred_at,file,subject,action,purpose,categories,legal_basis,legal_citation,recipient,reference,actor,records,confidential_ground,confidential_until\n",
    );
    for n in from..to {
        let event = common::event(n);
        let text_of = |key: &str| event[key].as_str().unwrap().to_owned();
        let (recipient, confidential) = match n % 50 {
            0 => (
                "\"Bureau of Investigation, \"\"Taipei\"\"\"",
                "GIDA-18-2,2026-12-31",
            ),
            _ => ("", ","),
        };
        text.push_str(&format!(
            "{},{},{},{},{},{},C001;C011,{},,{recipient},{},{},{},{confidential}\n",
            text_of("id"),
            text_of("occurred_at"),
            text_of("file"),
            text_of("subject"),
            text_of("action"),
            text_of("purpose"),
            text_of("legal_basis"),
            text_of("reference"),
            text_of("actor"),
            event["records"],
        ));
        if n == from + 10 {
            text.push('\n');
        }
    }
    text
}

/// Writes the server's verifier key to a file, for `--key @FILE`.
fn key_file(server: &Server) -> String {
    let path = server.path("log.vkey");
    std::fs::write(&path, format!("{}\n", server.key)).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn a_refused_batch_lists_every_error_with_its_line() {
    let server = Server::start();
    let good = server.path("good.ndjson");
    write_ndjson(&good, 0, 3);
    assert!(server.ingest(&good, &[]).status.success());

    let mut bad_purpose = common::event(10);
    bad_purpose["purpose"] = "999".into();
    let mut bad_subject = common::event(11);
    bad_subject["subject"] = "A123456780".into();
    let file = server.path("bad.ndjson");
    std::fs::write(
        &file,
        format!(
            "{}\n\n{}\n{}\n{}\n",
            common::event(12),
            bad_purpose,
            common::event(13),
            bad_subject
        ),
    )
    .unwrap();
    let refused = server.ingest(&file, &[]);
    assert!(!refused.status.success());
    let message = stderr(&refused);
    assert!(message.contains("nothing of it was logged"), "{message}");
    let line_of = |n: u32| {
        message
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("line {n} ")))
            .unwrap_or_else(|| panic!("no error at line {n}: {message}"))
            .to_owned()
    };
    assert!(line_of(3).contains(": purpose ["), "{message}");
    assert!(line_of(5).contains(": subject ["), "{message}");
    assert!(
        !message.contains("line 1 ") && !message.contains("line 4 "),
        "{message}"
    );
    assert!(stdout(&refused).is_empty());

    // The batch was refused whole: the log still holds the first three events.
    server.wait_for_checkpoint(3);
    let verified = server.verify(&[]);
    assert!(
        stdout(&verified).contains("at 3 entries"),
        "{}",
        stdout(&verified)
    );

    // A row that is not JSON is refused before anything is sent.
    std::fs::write(&file, format!("{}\n{{\"id\":\n", common::event(14))).unwrap();
    let malformed = server.ingest(&file, &[]);
    assert!(!malformed.status.success());
    assert!(
        stderr(&malformed).contains("line 2: not valid JSON"),
        "{}",
        stderr(&malformed)
    );

    // A wrong token is refused as such.
    let wrong = lantern(&[
        "ingest",
        "--server",
        &server.url,
        "--token",
        "lt_not_a_token",
        good.to_str().unwrap(),
    ]);
    assert!(!wrong.status.success());
    assert!(
        stderr(&wrong).contains("refused the token"),
        "{}",
        stderr(&wrong)
    );
}

#[test]
fn verify_refuses_altered_and_inconsistent_checkpoints() {
    let server = Server::start();
    let events = server.path("events.ndjson");
    write_ndjson(&events, 0, 300);
    assert!(server.ingest(&events, &[]).status.success());
    server.wait_for_checkpoint(300);
    let state = server.path("state");
    let state_arg = state.to_str().unwrap();
    assert!(server.verify(&["--state", state_arg]).status.success());
    let saved = std::fs::read_to_string(&state).unwrap();

    // Altered bytes: the signature no longer verifies.
    std::fs::write(&state, saved.replacen("\n300\n", "\n299\n", 1)).unwrap();
    let altered = server.verify(&["--state", state_arg]);
    assert!(!altered.status.success());
    assert!(
        stderr(&altered).contains("does not hold a checkpoint of"),
        "{}",
        stderr(&altered)
    );
    // A refused state file is left as it was, as evidence.
    assert_ne!(std::fs::read_to_string(&state).unwrap(), saved);

    // Checkpoints signed with the log's own key that the served log contradicts.
    let signer = CheckpointSigner::from_signer_key(
        &std::fs::read_to_string(server.path("keys/log-signing.key")).unwrap(),
    )
    .unwrap();
    let served = Checkpoint::from_text(
        server
            .checkpoint()
            .split("\n\n")
            .next()
            .map(|text| format!("{text}\n"))
            .unwrap()
            .as_bytes(),
    )
    .unwrap();
    let forged = |size: u64, root_of: &[u8]| {
        let root = lantern_log::merkle::leaf_hash(root_of);
        signer
            .sign(&Checkpoint::new(served.origin(), size, root).unwrap())
            .unwrap()
    };
    for (note, reason) in [
        (
            forged(400, b"a larger tree"),
            "the log shrank from 400 to 300 entries",
        ),
        (
            forged(300, b"another tree"),
            "two different trees of 300 entries",
        ),
        (
            forged(200, b"a different past"),
            "the consistency proof from 200 to 300 entries does not verify",
        ),
    ] {
        std::fs::write(&state, &note).unwrap();
        let refused = server.verify(&["--state", state_arg]);
        assert!(!refused.status.success(), "{reason}");
        assert!(stderr(&refused).contains(reason), "{}", stderr(&refused));
        assert_eq!(std::fs::read_to_string(&state).unwrap(), note);
    }

    // A key of another log.
    let other = CheckpointSigner::from_seed("other.example/log", [9; 32]).unwrap();
    let foreign = lantern(&[
        "verify",
        "--server",
        &server.url,
        "--key",
        &other.verifier_key(),
    ]);
    assert!(!foreign.status.success());
    assert!(
        stderr(&foreign).contains("does not verify with the key"),
        "{}",
        stderr(&foreign)
    );
}

/// The signed checkpoint, verifier key and proof bundle of docs/log-format.md §7 and §11.
const DOCUMENTED_KEY: &str =
    "lantern.example.gov.tw/log+7e397370+AZJzCPU9Z2VQPStkwQOrWqRyBqs5UCz+j5hEL9tUMQC3";
const DOCUMENTED_CHECKPOINT: &str = "lantern.example.gov.tw/log\n3\nozw7u7pVv0qYfmc4KhHMpwx2mQN4DrpT+AXIVv+Oc10=\n\n\u{2014} lantern.example.gov.tw/log fjlzcJ/ox4eC1mn2M2mYPt9Nf186hnIBfwHdX8oZkE3l4T+d4KydSpAWEF6g1CNn3dh4MN5xhB8IX4UJBNuLnYH+lgg=\n";
const DOCUMENTED_BUNDLE: &str = r#"{"v":1,"event":"{\"v\":1,\"id\":\"0190f8a2-6c1e-7b3d-9a4f-2c5e8d1b7a60\",\"occurred_at\":\"2025-03-14T02:15:00Z\",\"agency\":\"MOHW-NHIA\",\"file\":\"nhi-claims\",\"subject\":\"3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b\",\"action\":\"use\",\"purpose\":\"031\",\"categories\":[\"C001\",\"C011\"],\"legal_basis\":\"PDPA-16-MAIN\",\"legal_citation\":null,\"recipient\":null,\"reference\":\"NHI-2025-000123\",\"actor\":\"officer-7f3a\",\"records\":1,\"confidential\":null}","salt":"ae196174773846b07dbb4807a54c2e84bfc1ee9491c9cac41f6d1e1ff6715e68","entry":"{\"v\":1,\"day\":\"2025-03-14\",\"agency\":\"MOHW-NHIA\",\"file\":\"nhi-claims\",\"action\":\"use\",\"purpose\":\"031\",\"legal_basis\":\"PDPA-16-MAIN\",\"out_of_purpose\":false,\"records\":1,\"withheld\":false,\"ground\":null,\"commitment\":\"1a5b3f4b9991468cc66b31e717f639c7d25bd4861fa51d8571a9be79961e4062\"}","leaf_index":1,"inclusion_proof":["loPVq9i+MlVuS7aJoSZdiZnydgUVYmqJ5vH1HCSAnQs=","NQMXBwbYFbPXzIa5/CM+UbGPSvC/pS30zgUUdjQNSn4="],"checkpoint":"lantern.example.gov.tw/log\n3\nozw7u7pVv0qYfmc4KhHMpwx2mQN4DrpT+AXIVv+Oc10=\n\n— lantern.example.gov.tw/log fjlzcJ/ox4eC1mn2M2mYPt9Nf186hnIBfwHdX8oZkE3l4T+d4KydSpAWEF6g1CNn3dh4MN5xhB8IX4UJBNuLnYH+lgg=\n"}"#;

/// Serves the documented checkpoint at `/log/checkpoint` to `requests` requests.
fn documented_log(requests: usize) -> String {
    use std::io::{BufRead as _, BufReader, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            reader.read_line(&mut request).unwrap();
            let mut header = String::new();
            while reader.read_line(&mut header).unwrap() > 2 {
                header.clear();
            }
            let (status, body) = if request.starts_with("GET /log/checkpoint ") {
                ("200 OK", DOCUMENTED_CHECKPOINT)
            } else {
                ("404 Not Found", "")
            };
            write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
        }
    });
    url
}

#[test]
fn verify_checks_a_proof_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle.json");
    std::fs::write(&bundle, DOCUMENTED_BUNDLE).unwrap();
    let url = documented_log(2);
    let args = |bundle: &std::path::Path| {
        lantern(&[
            "verify",
            "--server",
            &url,
            "--key",
            DOCUMENTED_KEY,
            "--proof",
            bundle.to_str().unwrap(),
        ])
    };
    let verified = args(&bundle);
    assert!(verified.status.success(), "{}", stderr(&verified));
    let out = stdout(&verified);
    assert!(
        out.contains("bundle: entry 1 (2025-03-14 MOHW-NHIA nhi-claims use, purpose 031) is in the log as of 3 entries"),
        "{out}"
    );

    // The same bundle claiming another leaf index proves nothing.
    std::fs::write(
        &bundle,
        DOCUMENTED_BUNDLE.replace("\"leaf_index\":1", "\"leaf_index\":2"),
    )
    .unwrap();
    let refused = args(&bundle);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("the entry is not proven to be in the log"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn verify_checks_a_proof_bundle_offline() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("lantern-proof-1.json");
    std::fs::write(&bundle, DOCUMENTED_BUNDLE).unwrap();
    let offline = |bundle: &std::path::Path| {
        lantern(&[
            "verify",
            "--proof",
            bundle.to_str().unwrap(),
            "--key",
            DOCUMENTED_KEY,
        ])
    };
    let verified = offline(&bundle);
    assert!(verified.status.success(), "{}", stderr(&verified));
    assert!(
        stdout(&verified).contains("bundle: entry 1 (2025-03-14 MOHW-NHIA nhi-claims use, purpose 031) is in the log as of 3 entries, offline"),
        "{}",
        stdout(&verified)
    );
    // A tampered event no longer opens its entry's commitment.
    std::fs::write(
        &bundle,
        DOCUMENTED_BUNDLE.replacen("NHI-2025-000123", "NHI-2025-000124", 1),
    )
    .unwrap();
    let refused = offline(&bundle);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("do not match the entry's commitment"),
        "{}",
        stderr(&refused)
    );
    // Neither a server nor a proof: nothing to check.
    let nothing = lantern(&["verify", "--key", DOCUMENTED_KEY]);
    assert!(!nothing.status.success());
    // --full needs a server.
    let full = lantern(&[
        "verify",
        "--proof",
        "x.json",
        "--key",
        DOCUMENTED_KEY,
        "--full",
    ]);
    assert!(!full.status.success());
    assert!(stderr(&full).contains("--server"), "{}", stderr(&full));
}
