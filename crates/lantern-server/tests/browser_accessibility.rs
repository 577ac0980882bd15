//! Accessibility in headless Chromium: every page people use passes axe-core's WCAG 2.1 A and
//! AA rules (no serious or critical violation) at phone and desktop widths, and a citizen's
//! whole visit works by keyboard alone. Screenshots of each page at both widths go to
//! `target/screenshots/a11y-*.png`.
//!
//! Built only with `--features browser-tests`; `scripts/browser.sh` installs Chromium, its
//! driver and axe-core.
//!
//! ```text
//! scripts/browser.sh
//! cargo test -p lantern-server --features browser-tests --test browser_accessibility
//! ```

#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed step is a failed test"
)]

mod browser_support;

use browser_support::{
    assert_accessible, browser, log_in_by_keyboard, press, serious_violations, shoot, start_driver,
    start_server, tab_to, texts, viewport, wait,
};
use fantoccini::Client;
use fantoccini::key::Key;

/// The widths checked: a 375 px phone and a desktop.
const WIDTHS: [(&str, u32, u32); 2] = [("phone", 375, 812), ("desktop", 1280, 900)];

/// Pages anyone can open, by screenshot name.
const PUBLIC_PAGES: [(&str, &str); 13] = [
    ("home", "/"),
    ("register", "/files"),
    ("register-filtered", "/files?large=yes"),
    ("file", "/files/nhi-claims"),
    ("agencies", "/agencies"),
    ("agency", "/agencies/MOHW-NHIA"),
    ("coverage", "/coverage"),
    ("staff-login", "/staff/login"),
    ("citizen-demo-login", "/me/demo-login"),
    ("services", "/services"),
    ("service", "/services/tpe-coupon-lottery"),
    ("reports", "/reports"),
    ("approved-uses", "/files/nhi-claims/approved-uses"),
];

/// Pages of a logged-in citizen, by screenshot name.
const CITIZEN_PAGES: [(&str, &str); 5] = [
    ("me", "/me"),
    ("me-authorizations", "/me/authorizations"),
    ("service-to-consent", "/services/tpe-coupon-lottery"),
    ("me-events", "/me/events"),
    (
        "me-events-filtered",
        "/me/events?action=use&from=2000-01-01",
    ),
];

/// Checks one page at both widths, in both languages for the first width.
async fn check_page(client: &Client, base: &str, name: &str, path: &str) {
    for (label, width, height) in WIDTHS {
        viewport(client, width, height).await;
        client.goto(&format!("{base}{path}")).await.unwrap();
        wait(client, "main h1").await;
        assert_accessible(client, &format!("{path} at {width} px")).await;
        shoot(client, &format!("a11y-{label}-{name}")).await;
    }
    let separator = if path.contains('?') { '&' } else { '?' };
    client
        .goto(&format!("{base}{path}{separator}lang=en"))
        .await
        .unwrap();
    wait(client, "html[lang=en] main h1").await;
    assert_accessible(client, &format!("{path} in English")).await;
    shoot(client, &format!("a11y-desktop-{name}-en")).await;
    client.goto(&format!("{base}/?lang=zh-TW")).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_people_use_pass_the_wcag_aa_check() {
    let dir = tempfile::tempdir().unwrap();
    let base = start_server(dir.path()).await;
    let driver = start_driver();
    let profile = tempfile::tempdir().unwrap();
    let client = browser(&driver, profile.path()).await;

    // The check itself sees violations: an unlabelled field and an image without a text.
    client.goto(&format!("{base}/")).await.unwrap();
    wait(&client, "main h1").await;
    client
        .execute(
            r#"const main = document.querySelector("main");
            main.insertAdjacentHTML("beforeend",
              '<input type="text" id="unlabelled"><img src="/no-such-image.png">');"#,
            vec![],
        )
        .await
        .unwrap();
    let found: Vec<_> = serious_violations(&client)
        .await
        .into_iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        found.contains(&"label".to_owned()) && found.contains(&"image-alt".to_owned()),
        "{found:?}"
    );

    for (name, path) in PUBLIC_PAGES {
        check_page(&client, &base, name, path).await;
    }
    // The latest report, nationwide and for one agency.
    let latest = lantern_domain::report::Period::ended(
        time::macros::date!(2020 - 01 - 01),
        time::OffsetDateTime::now_utc().date(),
    )[0];
    check_page(&client, &base, "report", &format!("/reports/{latest}")).await;
    check_page(
        &client,
        &base,
        "report-agency",
        &format!("/reports/{latest}/MOF"),
    )
    .await;
    log_in_by_keyboard(&client, &base).await;
    for (name, path) in CITIZEN_PAGES {
        check_page(&client, &base, name, path).await;
    }
    // The citizen's newest event, with its proof section.
    client.goto(&format!("{base}/me/events")).await.unwrap();
    let event = wait(&client, "ol.events li a").await;
    let href = event.attr("href").await.unwrap().unwrap();
    check_page(&client, &base, "me-event", &href).await;

    client.close().await.unwrap();
    drop(driver);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_logs_in_and_out_by_keyboard_alone() {
    let dir = tempfile::tempdir().unwrap();
    let base = start_server(dir.path()).await;
    let driver = start_driver();
    let profile = tempfile::tempdir().unwrap();
    let client = browser(&driver, profile.path()).await;
    viewport(&client, 375, 812).await;

    log_in_by_keyboard(&client, &base).await;
    shoot(&client, "keyboard-phone-me").await;

    tab_to(&client, "form[action='/me/logout'] button", 60).await;
    press(&client, Key::Enter, 1).await;
    // Logging out leads to the start page.
    let mut home = client.current_url().await.unwrap();
    home.set_path("/");
    home.set_query(None);
    client.wait().for_url(&home).await.unwrap();
    client.goto(&format!("{base}/me")).await.unwrap();
    wait(&client, "form.login").await;

    client.close().await.unwrap();
    drop(driver);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_consents_and_withdraws_by_keyboard_alone() {
    let dir = tempfile::tempdir().unwrap();
    let base = start_server(dir.path()).await;
    let driver = start_driver();
    let profile = tempfile::tempdir().unwrap();
    let client = browser(&driver, profile.path()).await;
    viewport(&client, 375, 812).await;

    log_in_by_keyboard(&client, &base).await;
    client
        .goto(&format!("{base}/services/tpe-coupon-lottery"))
        .await
        .unwrap();
    wait(&client, "main h1").await;
    tab_to(
        &client,
        "form[action='/services/tpe-coupon-lottery/consent'] button",
        80,
    )
    .await;
    press(&client, Key::Enter, 1).await;
    // The consent is given and listed, with its withdraw button.
    let withdraw = "form[action='/me/authorizations/tpe-coupon-lottery/withdraw'] button";
    wait(&client, withdraw).await;
    assert_accessible(&client, "my authorizations with a consent in force").await;
    shoot(&client, "keyboard-phone-authorizations").await;

    tab_to(&client, withdraw, 80).await;
    press(&client, Key::Enter, 1).await;
    // Withdrawn at once: no withdraw button, and the service must ask again.
    wait(
        &client,
        ".authorizations a[href='/services/tpe-coupon-lottery']",
    )
    .await;
    assert!(
        client
            .find(fantoccini::Locator::Css(withdraw))
            .await
            .is_err()
    );
    let states = texts(&client, ".authorizations dd").await;
    assert!(states.iter().any(|s| s.contains("撤回")), "{states:?}");
    assert_accessible(&client, "my authorizations after a withdrawal").await;
    shoot(&client, "keyboard-phone-withdrawn").await;

    client.close().await.unwrap();
    drop(driver);
}
