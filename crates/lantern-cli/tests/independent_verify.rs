//! The log checked by a verifier that shares no code with Lantern: `tools/c2sp-verify`, in Go,
//! on Go's own signed-note and tlog packages, run through `scripts/c2sp-verify.sh` (which
//! installs Go from Debian's packages when missing). Behind the `independent-verify` feature.

#![cfg(feature = "independent-verify")]
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed step is a failed test"
)]

mod common;

use std::process::Command;

use common::{Server, stderr, stdout, write_ndjson};

#[test]
fn an_independent_verifier_accepts_the_log() {
    let server = Server::start();
    let events = server.path("events.ndjson");
    // Past two full tiles, so that tiles of two levels and partial tiles are read.
    write_ndjson(&events, 0, 700);
    let ingested = server.ingest(&events, &[]);
    assert!(ingested.status.success(), "{}", stderr(&ingested));
    server.wait_for_checkpoint(700);

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/c2sp-verify.sh");
    let output = Command::new("bash")
        .args([script, &server.url, &server.key])
        .output()
        .expect("bash runs the script");
    assert!(
        output.status.success(),
        "c2sp-verify failed:\n{}\n{}",
        stdout(&output),
        stderr(&output)
    );
    let report = stdout(&output);
    assert!(report.contains("size 700,"), "{report}");
    assert!(
        report.contains("entries: 700 entries in 3 bundles"),
        "{report}"
    );
    assert!(report.contains("OK: "), "{report}");

    // The same verifier refuses the log under another key of the same name.
    let other =
        lantern_log::CheckpointSigner::from_seed(server.key.split('+').next().unwrap(), [3; 32])
            .unwrap();
    let refused = Command::new("bash")
        .args([script, &server.url, &other.verifier_key()])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("FAIL: the checkpoint does not verify"),
        "{}",
        stderr(&refused)
    );
}
