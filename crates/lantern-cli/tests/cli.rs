//! Drives the built `lantern` binary end to end on a temporary data directory.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed step is a failed test"
)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn lantern(args: &[&str]) -> Output {
    lantern_with_stdin(args, "")
}

fn lantern_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lantern"))
        .args(args)
        .env("LANTERN_LOG", "warn")
        .env_remove("LANTERN_DATABASE_URL")
        .env_remove("LANTERN_BENCH_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the lantern binary starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn seeded_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let seeded = lantern(&["demo", "--data", data, "--seed-only", "--events", "2000"]);
    assert!(
        seeded.status.success(),
        "demo --seed-only failed: {}",
        stderr(&seeded)
    );
    dir
}

fn data(dir: &Path) -> &str {
    dir.to_str().unwrap()
}

#[test]
fn every_command_has_help() {
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["demo", "--help"],
        &["admin", "--help"],
        &["admin", "agency-token", "--help"],
        &["admin", "create-user", "--help"],
        &["admin", "put-agencies", "--help"],
        &["admin", "import-codes", "--help"],
        &["admin", "log-key", "--help"],
        &["admin", "shred-subject", "--help"],
        &["ingest", "--help"],
        &["verify", "--help"],
        &["bench", "--help"],
        &["bench", "demo-start", "--help"],
        &["bench", "ingest", "--help"],
        &["bench", "footprint", "--help"],
        &["bench", "portal", "--help"],
    ] {
        let output = lantern(args);
        assert!(output.status.success(), "{args:?} --help failed");
        assert!(stdout(&output).contains("Usage:"), "{args:?}");
    }
}

#[test]
fn agency_token_prints_only_the_token() {
    let dir = seeded_dir();
    let output = lantern(&[
        "admin",
        "agency-token",
        "--data",
        data(dir.path()),
        "--agency",
        "MOHW-NHIA",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    let lines: Vec<_> = out.lines().collect();
    assert_eq!(lines.len(), 1, "stdout must hold the token alone: {out:?}");
    assert!(
        lines[0].starts_with("lt_") && lines[0].len() > 40,
        "{out:?}"
    );

    let unknown = lantern(&[
        "admin",
        "agency-token",
        "--data",
        data(dir.path()),
        "--agency",
        "NOPE",
    ]);
    assert!(!unknown.status.success());
    assert!(stdout(&unknown).is_empty());
    assert!(
        stderr(&unknown).contains("no such agency"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn seeding_twice_is_a_no_op() {
    let dir = seeded_dir();
    let db = dir.path().join("lantern.db");
    let before = std::fs::read(&db).unwrap();
    let again = lantern(&["demo", "--data", data(dir.path()), "--seed-only"]);
    assert!(again.status.success(), "{}", stderr(&again));
    // A second seed writes nothing: the database file is byte for byte the same.
    assert!(
        std::fs::read(&db).unwrap() == before,
        "seeding again changed the database"
    );
}

#[test]
fn create_user_reads_the_password_from_stdin() {
    let dir = seeded_dir();
    let args = [
        "admin",
        "create-user",
        "--data",
        data(dir.path()),
        "--username",
        "new.officer",
        "--agency",
        "MOHW-NHIA",
    ];
    let short = lantern_with_stdin(&args, "short\n");
    assert!(!short.status.success());
    assert!(
        stderr(&short).contains("at least 12 characters"),
        "{}",
        stderr(&short)
    );
    let ok = lantern_with_stdin(&args, "a long enough password\n");
    assert!(ok.status.success(), "{}", stderr(&ok));
    let taken = lantern_with_stdin(&args, "a long enough password\n");
    assert!(!taken.status.success(), "a username can be taken once");
}

#[test]
fn import_codes_refuses_a_bad_file_whole() {
    let dir = seeded_dir();
    let csv = dir.path().join("purposes.csv");
    std::fs::write(
        &csv,
        "code,name_zh,name_en\n015,戶政,Household registration\n999,不存在,Nothing\n",
    )
    .unwrap();
    let bad = lantern(&[
        "admin",
        "import-codes",
        "--data",
        data(dir.path()),
        "--kind",
        "purposes",
        csv.to_str().unwrap(),
    ]);
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("row 3, column code"),
        "{}",
        stderr(&bad)
    );

    std::fs::write(
        &csv,
        "code,name_zh,name_en\n015,戶政,Household registration\n",
    )
    .unwrap();
    let good = lantern(&[
        "admin",
        "import-codes",
        "--data",
        data(dir.path()),
        "--kind",
        "purposes",
        csv.to_str().unwrap(),
    ]);
    assert!(good.status.success(), "{}", stderr(&good));
}

#[test]
fn put_agencies_checks_the_tree() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("agencies.json");
    let agency = |code: &str, supervisor: Option<&str>| {
        serde_json::json!({
            "code": code, "name_zh": "測試機關", "name_en": "Test agency", "kind": "central",
            "supervisor": supervisor, "contact": {"unit": "個資窗口", "phone": "02-0000-0000"},
            "intelligence_agency": false
        })
    };
    std::fs::write(
        &file,
        serde_json::json!([agency("AA", Some("BB")), agency("BB", Some("AA"))]).to_string(),
    )
    .unwrap();
    let cyclic = lantern(&[
        "admin",
        "put-agencies",
        "--data",
        data(dir.path()),
        file.to_str().unwrap(),
    ]);
    assert!(!cyclic.status.success());
    assert!(stderr(&cyclic).contains("cycle"), "{}", stderr(&cyclic));

    // Subordinates may come before their supervisors in the file.
    std::fs::write(
        &file,
        serde_json::json!([agency("BB", Some("AA")), agency("AA", None)]).to_string(),
    )
    .unwrap();
    let ok = lantern(&[
        "admin",
        "put-agencies",
        "--data",
        data(dir.path()),
        file.to_str().unwrap(),
    ]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let token = lantern(&[
        "admin",
        "agency-token",
        "--data",
        data(dir.path()),
        "--agency",
        "BB",
    ]);
    assert!(token.status.success(), "{}", stderr(&token));
}

#[test]
fn shred_subject_checks_the_number_and_reports_what_it_deleted() {
    let dir = seeded_dir();
    let bad = lantern(&[
        "admin",
        "shred-subject",
        "--data",
        data(dir.path()),
        "--subject",
        "A123456788",
    ]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("--subject"), "{}", stderr(&bad));
    assert!(!stderr(&bad).contains("A123456788"), "the number is echoed");
    // A demo citizen has events; shredding deletes them and their secret, once.
    let id = lantern_demo::demo_citizens()[0].id.expose().to_owned();
    let first = lantern(&[
        "admin",
        "shred-subject",
        "--data",
        data(dir.path()),
        "--subject",
        &id,
    ]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("secret deleted: true"),
        "{}",
        stdout(&first)
    );
    let again = lantern(&[
        "admin",
        "shred-subject",
        "--data",
        data(dir.path()),
        "--subject",
        &id,
    ]);
    assert!(
        stdout(&again).contains("events deleted: 0\nconsents deleted: 0\nsecret deleted: false"),
        "{}",
        stdout(&again)
    );
}

#[test]
fn bench_portal_times_both_pages_of_a_busy_citizen() {
    let output = lantern(&[
        "bench",
        "portal",
        "--citizen-events",
        "300",
        "--demo-events",
        "1000",
        "--requests",
        "5",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = stdout(&output);
    for page in ["portal summary /me", "portal filtered list /me/events"] {
        let line = printed
            .lines()
            .find(|l| l.starts_with(page))
            .unwrap_or_else(|| panic!("{page} missing: {printed}"));
        assert!(
            line.contains("300 events of the citizen, 5 requests"),
            "{line}"
        );
        for figure in ["p50", "p90", "p99", "max"] {
            assert!(line.contains(figure), "{figure} missing: {line}");
        }
    }
}

#[test]
fn bench_footprint_prints_its_percentiles_and_reuses_a_loaded_directory() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "bench",
        "footprint",
        "--events",
        "20000",
        "--subjects",
        "200",
        "--queries",
        "50",
        "--data",
        data(dir.path()),
    ];
    let first = lantern(&args);
    assert!(first.status.success(), "{}", stderr(&first));
    let printed = stdout(&first);
    assert!(
        printed.contains("20000 events appended in batches of 10000"),
        "{printed}"
    );
    assert!(
        printed.contains("footprint (SQLite): 50 queries"),
        "{printed}"
    );
    for figure in ["p50", "p90", "p99", "max", "events per subject", "MiB"] {
        assert!(printed.contains(figure), "{figure} missing: {printed}");
    }
    // A second run finds the events loaded and only measures.
    let second = lantern(&args);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        stdout(&second).contains("reused the 20000 events already stored"),
        "{}",
        stdout(&second)
    );
    // Spread over other subjects, the stored events would not fit the queries: refused.
    let mut other = args;
    other[5] = "300";
    let refused = lantern(&other);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("--subjects 200"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn bench_footprint_refuses_a_directory_it_did_not_load() {
    let dir = seeded_dir();
    let output = lantern(&[
        "bench",
        "footprint",
        "--events",
        "100",
        "--data",
        data(dir.path()),
    ]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("did not write"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn disclosure_rules_are_set_from_a_checked_file() {
    let dir = seeded_dir();
    let rules = dir.path().join("rules.json");
    let shown = lantern(&["admin", "disclosure-rules", "--data", data(dir.path())]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    assert!(
        stdout(&shown).contains("\"band_below\": 10"),
        "{}",
        stdout(&shown)
    );

    std::fs::write(
        &rules,
        r#"{"band_below": 5, "named_providers": ["中華電信"]}"#,
    )
    .unwrap();
    let set = lantern(&[
        "admin",
        "disclosure-rules",
        "--data",
        data(dir.path()),
        rules.to_str().unwrap(),
    ]);
    assert!(set.status.success(), "{}", stderr(&set));
    assert!(
        stdout(&set).contains("\"band_below\": 5"),
        "{}",
        stdout(&set)
    );

    std::fs::write(&rules, r#"{"band": 5}"#).unwrap();
    let bad = lantern(&[
        "admin",
        "disclosure-rules",
        "--data",
        data(dir.path()),
        rules.to_str().unwrap(),
    ]);
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("band_below, named_providers"),
        "{}",
        stderr(&bad)
    );
    let kept = lantern(&["admin", "disclosure-rules", "--data", data(dir.path())]);
    assert!(
        stdout(&kept).contains("\"band_below\": 5"),
        "the earlier rules stay"
    );
}
