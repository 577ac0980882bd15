//! A real `lantern serve` on a loopback port over a seeded temporary data directory, and the
//! built `lantern` binary to drive it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    dead_code,
    reason = "test helpers: a failed step is a failed test; not every test uses every helper"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use lantern_domain::SubjectId;

/// Runs the built `lantern` binary to completion.
pub fn lantern(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lantern"))
        .args(args)
        .env("LANTERN_LOG", "warn")
        .env_remove("LANTERN_DATABASE_URL")
        .env_remove("LANTERN_SERVER")
        .env_remove("LANTERN_TOKEN")
        .stdin(Stdio::null())
        .output()
        .expect("the lantern binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// Runs `lantern` and insists that it succeeds; returns its stdout.
pub fn lantern_ok(args: &[&str]) -> String {
    let output = lantern(args);
    assert!(
        output.status.success(),
        "lantern {args:?} failed:\n{}",
        stderr(&output)
    );
    stdout(&output)
}

/// A server of the demo world, with an agency token of MOHW-NHIA and the log's verifier key.
pub struct Server {
    pub dir: tempfile::TempDir,
    pub url: String,
    pub token: String,
    pub key: String,
    child: Child,
}

impl Server {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_str().unwrap().to_owned();
        // The demo world's agencies and files, without its year of usage events.
        lantern_ok(&["demo", "--data", &data, "--seed-only", "--events", "0"]);
        let token = lantern_ok(&[
            "admin",
            "agency-token",
            "--data",
            &data,
            "--agency",
            "MOHW-NHIA",
        ])
        .trim()
        .to_owned();
        let key = lantern_ok(&["admin", "log-key", "--data", &data])
            .trim()
            .to_owned();
        let mut child = Command::new(env!("CARGO_BIN_EXE_lantern"))
            .args(["serve", "--data", &data, "--listen", "127.0.0.1:0"])
            .env("LANTERN_LOG", "info")
            .env("NO_COLOR", "1")
            .env_remove("LANTERN_DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("lantern serve starts");
        // The server logs its address once it listens; the rest of its log is drained so that
        // it never blocks on a full pipe.
        let mut log = BufReader::new(child.stderr.take().unwrap());
        let mut url = None;
        let mut line = String::new();
        while url.is_none() {
            line.clear();
            if log.read_line(&mut line).unwrap() == 0 {
                let _ = child.wait();
                panic!("lantern serve exited before listening");
            }
            if line.contains("serving on") {
                let start = line.find("http://").expect("an address in the log line");
                let address: String = line[start..]
                    .chars()
                    .take_while(|c| !c.is_whitespace() && !c.is_control())
                    .collect();
                url = Some(address.trim_end_matches('/').to_owned());
            }
        }
        std::thread::spawn(move || std::io::copy(&mut log, &mut std::io::sink()));
        Self {
            dir,
            url: url.unwrap(),
            token,
            key,
            child,
        }
    }

    pub fn data(&self) -> &str {
        self.dir.path().to_str().unwrap()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `lantern ingest` of `file` against this server.
    pub fn ingest(&self, file: &Path, extra: &[&str]) -> Output {
        let mut args = vec![
            "ingest",
            "--server",
            &self.url,
            "--token",
            &self.token,
            file.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        lantern(&args)
    }

    /// `lantern verify` against this server, with the trusted key.
    pub fn verify(&self, extra: &[&str]) -> Output {
        let mut args = vec!["verify", "--server", &self.url, "--key", &self.key];
        args.extend_from_slice(extra);
        lantern(&args)
    }

    /// The served checkpoint note.
    pub fn checkpoint(&self) -> String {
        let (status, body) = http_get(&self.url, "/log/checkpoint");
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        String::from_utf8(body).unwrap()
    }

    /// Waits until the served checkpoint covers at least `size` entries: checkpoints are
    /// signed shortly after each append, not within it.
    pub fn wait_for_checkpoint(&self, size: u64) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (status, body) = http_get(&self.url, "/log/checkpoint");
            if status == 200 {
                let text = String::from_utf8(body).unwrap();
                let served: u64 = text.lines().nth(1).unwrap().parse().unwrap();
                if served >= size {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "no checkpoint of {size} entries within 30 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.0 GET (no client library needed): status and body.
pub fn http_get(url: &str, path: &str) -> (u16, Vec<u8>) {
    let host = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP answer");
    let head = String::from_utf8_lossy(&response[..split]);
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, response[split + 4..].to_vec())
}

/// A synthetic national ID, valid (check digit computed), different for each `n`.
pub fn subject(n: u64) -> String {
    SubjectId::with_check_digit(
        'A',
        if n.is_multiple_of(2) { '1' } else { '2' },
        &format!("{:07}", n % 10_000_000),
    )
    .unwrap()
    .expose()
    .to_owned()
}

/// A valid usage event of file nhi-claims (agency MOHW-NHIA), as the API's JSON.
pub fn event(n: u64) -> serde_json::Value {
    let (action, legal_basis) = if n.is_multiple_of(3) {
        ("collect", "PDPA-15-1")
    } else {
        ("use", "PDPA-16-MAIN")
    };
    serde_json::json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "occurred_at": format!("2025-03-{:02}T{:02}:15:00Z", 1 + n % 28, n % 24),
        "file": "nhi-claims",
        "subject": subject(n),
        "action": action,
        "purpose": "031",
        "categories": ["C001", "C011"],
        "legal_basis": legal_basis,
        "reference": format!("NHI-2025-{n:06}"),
        "actor": "officer-7f3a",
        "records": 1 + n % 5,
    })
}

/// Writes events `from..to` as NDJSON.
pub fn write_ndjson(path: &Path, from: u64, to: u64) {
    let mut text = String::new();
    for n in from..to {
        text.push_str(&event(n).to_string());
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

/// The `key: value` lines of a command's summary.
pub fn field(output: &str, key: &str) -> String {
    output
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{key}: ")))
        .unwrap_or_else(|| panic!("no {key:?} in {output:?}"))
        .to_owned()
}
