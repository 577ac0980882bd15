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

mod browser_support;

use browser_support::{
    browser, shoot, shoot_pages, start_driver, start_server, texts, viewport, wait,
};
use fantoccini::Locator;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;

/// The NHI claims database of the demo world.
const NHI_NAME: &str = "全民健康保險醫療費用申報及核付資料庫";

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
