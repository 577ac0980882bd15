//! `lantern report recompute` against a real server: the usage figures it publishes are
//! recomputed from its public log alone and match; a wrong key is refused.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed step is a failed test"
)]

mod common;

use common::{Server, lantern, stderr, stdout, write_ndjson};

#[test]
fn published_usage_figures_match_the_log() {
    let server = Server::start();
    let ndjson = server.path("events.ndjson");
    // 300 uses of nhi-claims in March 2025.
    write_ndjson(&ndjson, 0, 300);
    let ingested = server.ingest(&ndjson, &[]);
    assert!(ingested.status.success(), "{}", stderr(&ingested));
    server.wait_for_checkpoint(300);

    let one = lantern(&[
        "report",
        "recompute",
        "--server",
        &server.url,
        "--key",
        &server.key,
        "--period",
        "2025-H1",
    ]);
    let out = stdout(&one);
    assert!(one.status.success(), "{out}\n{}", stderr(&one));
    assert!(
        out.contains("2025-H1 nhi-claims uses: published 300, log 300: ok"),
        "{out}"
    );
    assert!(
        out.contains("published usage figures match the log"),
        "{out}"
    );

    // Every period of the catalogue.
    let all = lantern(&[
        "report",
        "recompute",
        "--server",
        &server.url,
        "--key",
        &server.key,
    ]);
    assert!(all.status.success(), "{}\n{}", stdout(&all), stderr(&all));
    assert!(stdout(&all).contains("2025 nhi-claims uses: published 300, log 300: ok"));

    // A key the log was not signed with proves nothing.
    let other = "lantern.localhost/log+00000000+AXq5uyqbW4lVmQj1VfBJeH1oS6tNIKYCm0VNM9oUr5nZ";
    let refused = lantern(&[
        "report",
        "recompute",
        "--server",
        &server.url,
        "--key",
        other,
    ]);
    assert!(!refused.status.success());
}
