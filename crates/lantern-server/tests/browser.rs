//! A citizen's visit in headless Chromium, driven over WebDriver: the real server on a port-0
//! listener with the demo world, Debian's `chromedriver` as a child process.
//!
//! Built only with `--features browser-tests`; `scripts/browser.sh` installs Chromium and its
//! driver. Screenshots (phone 375x812 and desktop 1280x900) go to `target/screenshots/`.
//!
//! ```text
//! scripts/browser.sh
//! cargo test -p lantern-server --features browser-tests --test browser
//! ```

#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed step is a failed test"
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

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The NHI claims database of the demo world.
const NHI_NAME: &str = "全民健康保險醫療費用申報及核付資料庫";

/// The driver process, killed when the test ends however it ends.
struct Driver {
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
fn start_driver() -> Driver {
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
async fn start_server(dir: &Path) -> String {
    let store = SqliteStore::open(&dir.join("lantern.db")).unwrap();
    let ingestor = Ingestor::new(Arc::new(store.clone()), PseudonymKey::from_bytes([9; 32]));
    let options = SeedOptions {
        password_hasher: &|password| Ok(format!("not-a-hash:{password}")),
        ingestor: &ingestor,
        usage_events: 2_000,
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
        },
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app(state)).await });
    format!("http://{address}")
}

async fn browser(driver: &Driver, profile: &Path) -> Client {
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

fn screenshot_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is `<target>/tmp`; screenshots sit beside it.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Sets the viewport (not the window) to `width` x `height` CSS pixels.
async fn viewport(client: &Client, width: u32, height: u32) {
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
async fn shoot(client: &Client, name: &str) {
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
async fn shoot_pages(client: &Client, name: &str) {
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

async fn texts(client: &Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for element in client.find_all(Locator::Css(css)).await.unwrap() {
        out.push(element.text().await.unwrap());
    }
    out
}

async fn wait(client: &Client, css: &str) -> Element {
    client
        .wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_finds_and_reads_the_nhi_database() {
    let dir = tempfile::tempdir().unwrap();
    let base = start_server(dir.path()).await;
    let driver = start_driver();
    let profile = tempfile::tempdir().unwrap();
    let client = browser(&driver, profile.path()).await;

    // The start page on a phone.
    client.goto(&base).await.unwrap();
    wait(&client, "h1").await;
    viewport(&client, 375, 812).await;
    shoot(&client, "phone-home").await;
    shoot_pages(&client, "phone-home-page").await;
    viewport(&client, 1280, 900).await;
    shoot(&client, "desktop-home").await;

    // The register, filtered to large databases through the form.
    client.goto(&format!("{base}/files")).await.unwrap();
    wait(&client, "form.filters").await;
    client
        .find(Locator::Css(".more-filters summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let large = wait(&client, "select#f-large").await;
    large.select_by_value("yes").await.unwrap();
    client
        .find(Locator::Css("form.filters button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait(&client, "option[value=yes][selected]").await;
    let summary = client
        .find(Locator::Css("#results-heading"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(summary, "共 5 個檔案符合");
    let names = texts(&client, ".result-name").await;
    assert_eq!(names.len(), 5);
    assert!(names.iter().any(|n| n == NHI_NAME), "{names:?}");
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .as_str()
            .contains("large=yes")
    );
    shoot(&client, "desktop-register-large").await;
    viewport(&client, 375, 812).await;
    shoot(&client, "phone-register-large").await;
    shoot_pages(&client, "phone-register-large-page").await;

    // Then by agency, keeping the large-database filter.
    client
        .find(Locator::Css(".more-filters summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .find(Locator::Css("select#f-agency"))
        .await
        .unwrap()
        .select_by_value("MOHW-NHIA")
        .await
        .unwrap();
    client
        .find(Locator::Css("form.filters button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait(&client, "option[value=MOHW-NHIA][selected]").await;
    assert_eq!(texts(&client, ".result-name").await, [NHI_NAME]);

    // The NHI database, as a citizen reads it.
    client
        .find(Locator::LinkText(NHI_NAME))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait(&client, "section#purposes").await;
    let h1 = client.find(Locator::Css("h1")).await.unwrap();
    assert_eq!(h1.text().await.unwrap(), NHI_NAME);
    let headings = texts(&client, "main section > h2").await;
    for expected in [
        "這個檔案是什麼",
        "誰保有這些資料、怎麼聯絡",
        "為什麼可以蒐集（法律依據）",
        "用在哪些目的（特定目的）",
        "包含哪些個人資料（資料類別）",
        "特種個資",
        "涵蓋多少人、多少筆",
        "會和哪些資料串接",
        "會提供給誰",
        "保存多久",
        "會不會用在原本目的以外",
        "你的權利：查詢、停止利用、刪除，怎麼申請",
        "內部控管",
        "開放資料",
        "版本紀錄",
    ] {
        assert!(
            headings.iter().any(|h| h == expected),
            "missing heading {expected}: {headings:?}"
        );
    }
    let purposes = texts(&client, "#purposes li").await;
    assert!(
        purposes
            .iter()
            .any(|p| p.starts_with("031 全民健康保險、勞工保險")),
        "{purposes:?}"
    );
    assert!(
        purposes
            .iter()
            .any(|p| p.contains("（代碼 064：目前未收錄於本系統清單）")),
        "{purposes:?}"
    );
    shoot(&client, "phone-file-nhi").await;
    shoot_pages(&client, "phone-file-nhi-page").await;
    viewport(&client, 1280, 900).await;
    shoot(&client, "desktop-file-nhi").await;
    shoot_pages(&client, "desktop-file-nhi-page").await;

    // The rights section is reachable from the table of contents.
    client
        .find(Locator::Css(".toc a[href='#rights']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    shoot(&client, "desktop-file-nhi-rights").await;

    // Switch to English and stay there.
    client
        .find(Locator::Css("a.lang-switch"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait(&client, "html[lang=en]").await;
    let headings = texts(&client, "main section > h2").await;
    assert!(
        headings.iter().any(|h| h == "What this file is"),
        "{headings:?}"
    );
    let purposes = texts(&client, "#purposes li").await;
    assert!(
        purposes
            .iter()
            .any(|p| p.starts_with("031 National health insurance")),
        "{purposes:?}"
    );
    shoot(&client, "desktop-file-nhi-en").await;
    viewport(&client, 375, 812).await;
    shoot(&client, "phone-file-nhi-en").await;
    client
        .find(Locator::Css("nav.site-nav a[href='/agencies']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait(&client, "html[lang=en] ul.tree").await;
    assert_eq!(
        client
            .find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "Agencies"
    );
    shoot(&client, "phone-agencies-en").await;

    // Keyboard: the first Tab reaches the skip link, which leads to the main content.
    client
        .goto(&format!("{base}/files/nhi-claims"))
        .await
        .unwrap();
    wait(&client, "h1").await;
    let tab = KeyActions::new("keyboard".into())
        .then(KeyAction::Down {
            value: Key::Tab.into(),
        })
        .then(KeyAction::Up {
            value: Key::Tab.into(),
        });
    client.perform_actions(tab).await.unwrap();
    let focused = client.active_element().await.unwrap();
    assert_eq!(
        focused.attr("class").await.unwrap().as_deref(),
        Some("skip-link")
    );
    shoot(&client, "phone-skip-link-focused").await;

    // An agency, the login form and a missing page, back in Chinese.
    client
        .goto(&format!("{base}/agencies/MOHW-NHIA?lang=zh-TW"))
        .await
        .unwrap();
    wait(&client, "html[lang=zh-Hant-TW] .chain").await;
    shoot(&client, "phone-agency").await;
    client.goto(&format!("{base}/staff/login")).await.unwrap();
    wait(&client, "form.login").await;
    shoot(&client, "phone-login").await;
    client
        .goto(&format!("{base}/files?purpose_code=99&large=maybe"))
        .await
        .unwrap();
    wait(&client, ".error-summary").await;
    shoot(&client, "phone-register-errors").await;
    client
        .goto(&format!("{base}/files/no-such-file"))
        .await
        .unwrap();
    wait(&client, "main h1").await;
    assert_eq!(
        client
            .find(Locator::Css("main h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "找不到這個頁面"
    );
    shoot(&client, "phone-not-found").await;

    client.close().await.unwrap();
    drop(driver);
}
