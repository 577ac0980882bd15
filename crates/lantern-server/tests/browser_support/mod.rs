//! What the headless-Chromium tests share: Debian's `chromedriver` as a child process, the real
//! server on a port-0 listener with the demo world, viewport sizing, screenshots (to
//! `target/screenshots/`), keyboard input and the axe-core accessibility check.
//!
//! Built only with `--features browser-tests`; `scripts/browser.sh` installs Chromium, its
//! driver and axe-core.

#![allow(
    dead_code,
    reason = "each browser test file uses its own part of this module"
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use lantern_demo::SeedOptions;
use lantern_log::CheckpointSigner;
use lantern_server::{AppState, LogKeys, ServerConfig, app};
use lantern_store_sqlite::SqliteStore;
use lantern_usage::{Ingestor, PseudonymKey};
use serde_json::json;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The driver process, killed when the test ends however it ends.
pub struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts chromedriver on a free port and waits until it says it is listening.
pub fn start_driver() -> Driver {
    for binary in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            Path::new(binary).exists(),
            "{binary} is missing: the browser tests need Debian's chromium and chromium-driver; run scripts/browser.sh"
        );
    }
    // Ask the OS for a free port, then hand it to the driver.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}"));
    let stdout = child.stdout.take().unwrap();
    let mut driver = Driver { child, port };
    // chromedriver prints one line once it listens; read until then (it stops writing after).
    let mut lines = BufReader::new(stdout).lines();
    loop {
        match lines.next() {
            Some(Ok(line)) if line.contains("started successfully") => break,
            Some(Ok(_)) => {}
            Some(Err(e)) => panic!("reading chromedriver's output: {e}"),
            None => {
                let status = driver.child.wait().unwrap();
                panic!("chromedriver exited before it was ready: {status}");
            }
        }
    }
    driver
}

/// The server with the demo world on 127.0.0.1:0; returns its base URL.
pub async fn start_server(dir: &Path) -> String {
    start_server_with_state(dir, 2_000).await.0
}

/// The server with the demo world and `usage_events` usage events on 127.0.0.1:0; returns its
/// base URL and its state.
pub async fn start_server_with_state(dir: &Path, usage_events: usize) -> (String, AppState) {
    let store = SqliteStore::open(&dir.join("lantern.db")).unwrap();
    let ingestor = Ingestor::new(Arc::new(store.clone()), PseudonymKey::from_bytes([9; 32]));
    let options = SeedOptions {
        password_hasher: &|password| Ok(format!("not-a-hash:{password}")),
        ingestor: &ingestor,
        usage_events,
    };
    lantern_demo::seed(&store, time::OffsetDateTime::now_utc(), &options)
        .await
        .unwrap();
    let state = AppState::new(
        Arc::new(store),
        ServerConfig {
            demo: true,
            secure_cookies: false,
            ..ServerConfig::default()
        },
        LogKeys {
            signer: CheckpointSigner::from_seed("test.lantern.example/log", [7; 32]).unwrap(),
            subject_key: PseudonymKey::from_bytes([9; 32]),
            seal_key: lantern_usage::SealKey::from_bytes([11; 32]),
            vendor_code_key: lantern_usage::VendorCodeKey::from_bytes([13; 32]),
        },
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = app(state.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{address}"), state)
}

pub async fn browser(driver: &Driver, profile: &Path) -> Client {
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--hide-scrollbars",
                format!("--user-data-dir={}", profile.display()),
            ],
        },
    });
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    ClientBuilder::native()
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("connecting to chromedriver")
}

pub fn screenshot_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is `<target>/tmp`; screenshots sit beside it.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Sets the viewport (not the window) to `width` x `height` CSS pixels.
pub async fn viewport(client: &Client, width: u32, height: u32) {
    client.set_window_size(width, height).await.unwrap();
    let inner = client
        .execute("return [window.innerWidth, window.innerHeight];", vec![])
        .await
        .unwrap();
    let (w, h) = (inner[0].as_u64().unwrap(), inner[1].as_u64().unwrap());
    // Correct for the window frame, whatever this Chromium build draws around the page.
    let frame_w = u32::try_from(w).unwrap().abs_diff(width);
    let frame_h = u32::try_from(h).unwrap().abs_diff(height);
    if frame_w > 0 || frame_h > 0 {
        client
            .set_window_size(width + frame_w, height + frame_h)
            .await
            .unwrap();
    }
    let inner = client
        .execute("return window.innerWidth;", vec![])
        .await
        .unwrap();
    assert_eq!(
        inner.as_u64(),
        Some(u64::from(width)),
        "the viewport did not reach {width} px"
    );
}

/// Saves a screenshot of the viewport and checks the page does not scroll sideways.
pub async fn shoot(client: &Client, name: &str) {
    let overflow = client
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        overflow.as_i64(),
        Some(0),
        "{name}: the page scrolls horizontally"
    );
    let png = client.screenshot().await.unwrap();
    std::fs::write(screenshot_dir().join(format!("{name}.png")), png).unwrap();
}

/// Saves the whole page as successive viewport screenshots `name-1.png`, `name-2.png`, ...
/// for reviewing the layout, then scrolls back to the top.
pub async fn shoot_pages(client: &Client, name: &str) {
    let size = client
        .execute(
            "return [document.documentElement.scrollHeight, window.innerHeight];",
            vec![],
        )
        .await
        .unwrap();
    let (full, step) = (size[0].as_u64().unwrap(), size[1].as_u64().unwrap());
    let mut top = 0;
    let mut index = 1;
    while top < full {
        client
            .execute("window.scrollTo(0, arguments[0]);", vec![json!(top)])
            .await
            .unwrap();
        shoot(client, &format!("{name}-{index}")).await;
        top += step;
        index += 1;
    }
    client
        .execute("window.scrollTo(0, 0);", vec![])
        .await
        .unwrap();
}

pub async fn texts(client: &Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for element in client.find_all(Locator::Css(css)).await.unwrap() {
        out.push(element.text().await.unwrap());
    }
    out
}

pub async fn wait(client: &Client, css: &str) -> Element {
    client
        .wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
}

/// Presses and releases `key` `times` times.
pub async fn press(client: &Client, key: Key, times: usize) {
    let mut actions = KeyActions::new("keyboard".into());
    for _ in 0..times {
        actions = actions
            .then(KeyAction::Down { value: key.into() })
            .then(KeyAction::Up { value: key.into() });
    }
    client.perform_actions(actions).await.unwrap();
}

/// Presses Tab until the focused element matches `css`, at most `limit` times; panics naming
/// the element when it never gets focus.
pub async fn tab_to(client: &Client, css: &str, limit: usize) -> Element {
    for _ in 0..limit {
        press(client, Key::Tab, 1).await;
        let matches = client
            .execute(
                "return document.activeElement !== null && document.activeElement.matches(arguments[0]);",
                vec![json!(css)],
            )
            .await
            .unwrap();
        if matches.as_bool() == Some(true) {
            return client.active_element().await.unwrap();
        }
    }
    panic!("{css} never received the keyboard focus within {limit} Tab presses");
}

/// Logs the first demo citizen in with the keyboard only, from the demo login page.
pub async fn log_in_by_keyboard(client: &Client, base: &str) {
    client.goto(&format!("{base}/me/demo-login")).await.unwrap();
    wait(client, "main h1").await;
    tab_to(client, "select#demo-citizen", 40).await;
    tab_to(client, "form.login button[type=submit]", 5).await;
    press(client, Key::Enter, 1).await;
    wait(client, "form[action='/me/logout']").await;
}

/// axe-core's source, installed by `scripts/browser.sh`.
fn axe_source() -> String {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/axe/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{} is missing ({e}): run scripts/browser.sh to install axe-core",
            path.display()
        )
    })
}

/// Runs axe-core's WCAG 2.0/2.1 A and AA rules on the current page and returns its serious
/// and critical violations (rule, impact, help and the offending elements).
pub async fn serious_violations(client: &Client) -> Vec<serde_json::Value> {
    client.execute(&axe_source(), vec![]).await.unwrap();
    let result = client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
              .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.map(n => n.target.join(" ")) }))))
              .catch(e => done({ error: String(e) }));"#,
            vec![],
        )
        .await
        .unwrap();
    assert!(result.get("error").is_none(), "axe failed: {result}");
    result
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .cloned()
        .collect()
}

/// Panics listing the current page's serious or critical WCAG violations, if any.
pub async fn assert_accessible(client: &Client, page: &str) {
    let serious = serious_violations(client).await;
    assert!(
        serious.is_empty(),
        "{page}: serious or critical WCAG violations: {}",
        serde_json::to_string_pretty(&serious).unwrap()
    );
}
