//! The proof verifier in the browser (`static/verify.js`, WebCrypto only), in headless
//! Chromium against the demo server: a demo citizen opens an event and checks its proof with
//! the page's button; every proof of their first page verifies; and each way of tampering with
//! a bundle or the key is rejected with its reason, by the browser and by the Rust verifier
//! alike.
//!
//! Built only with `--features browser-tests`; `scripts/browser.sh` installs Chromium and its
//! driver.
//!
//! ```text
//! scripts/browser.sh
//! cargo test -p lantern-server --features browser-tests --test browser_verifier
//! ```

#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed step is a failed test"
)]

mod browser_support;

use browser_support::{
    browser, log_in_by_keyboard, press, shoot, start_driver, start_server_with_state, tab_to,
    viewport, wait,
};
use fantoccini::Locator;
use fantoccini::key::Key;
use lantern_log::{Checkpoint, CheckpointSigner, CheckpointVerifier, ProofBundle};
use serde_json::{Value, json};

/// Runs `verifyBundle` from the page's own script on each bundle of `bundles` with `key`, and
/// returns, per bundle, `null` when it verified or the error message.
const VERIFY_ALL: &str = r#"
const [bundles, key, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
const script = document.querySelector('script[type=module]').getAttribute('src');
import(script).then(async (m) => {
  const out = [];
  for (const b of bundles) {
    try { await m.verifyBundle(b, key); out.push(null); }
    catch (e) { out.push(String(e.message)); }
  }
  done(out);
}).catch((e) => done({ error: String(e) }));
"#;

/// Fetches the proofs at `urls` from the page's origin, with the page's cookies.
const FETCH_ALL: &str = r#"
const [urls, done] = [arguments[0], arguments[arguments.length - 1]];
Promise.all(urls.map((u) => fetch(u).then((r) => r.json())))
  .then(done).catch((e) => done({ error: String(e) }));
"#;

/// A copy of `bundle` with `field` replaced by `edit` of it.
fn with(bundle: &Value, field: &str, edit: impl FnOnce(&Value) -> Value) -> Value {
    let mut copy = bundle.clone();
    copy[field] = edit(&bundle[field]);
    copy
}

fn edit_str(value: &Value, from: &str, to: &str) -> Value {
    let text = value.as_str().unwrap();
    assert!(text.contains(from), "{from} in {text}");
    Value::from(text.replacen(from, to, 1))
}

/// The first base64 character changed, so the decoded hash differs.
fn flip_base64(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    chars[0] = if chars[0] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proofs_verify_in_the_browser_and_tampering_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    // Enough events that the first demo citizen has a page of them.
    let (base, state) = start_server_with_state(dir.path(), 40_000).await;
    let key = state.log.verifier_key().to_owned();
    let driver = start_driver();
    let profile = tempfile::tempdir().unwrap();
    let client = browser(&driver, profile.path()).await;
    viewport(&client, 375, 812).await;

    // A demo citizen opens their newest event by keyboard and checks it with the button.
    log_in_by_keyboard(&client, &base).await;
    client.goto(&format!("{base}/me/events")).await.unwrap();
    wait(&client, "ol.events").await;
    tab_to(&client, "ol.events li a", 80).await;
    press(&client, Key::Enter, 1).await;
    wait(&client, "#verify-in-browser").await;
    tab_to(&client, "#verify-in-browser", 80).await;
    press(&client, Key::Enter, 1).await;
    let outcome = wait(
        &client,
        "#verify-result.verify-ok, #verify-result.verify-failed",
    )
    .await;
    let text = outcome.text().await.unwrap();
    assert!(text.starts_with("驗證成功"), "{text}");
    assert_eq!(
        outcome.attr("class").await.unwrap().as_deref(),
        Some("verify-ok")
    );
    shoot(&client, "phone-event-verified").await;

    // Every proof of the first page verifies, whatever its index and tree size.
    client.goto(&format!("{base}/me/events")).await.unwrap();
    let mut urls = Vec::new();
    for link in client
        .find_all(Locator::Css("ol.events li a"))
        .await
        .unwrap()
    {
        let href = link.attr("href").await.unwrap().unwrap();
        urls.push(format!("{href}/proof.json"));
    }
    assert!(urls.len() > 3, "{urls:?}");
    let first = urls[0].trim_end_matches("/proof.json").to_owned();
    client.goto(&format!("{base}{first}")).await.unwrap();
    wait(&client, "#verify-in-browser").await;
    let bundles = client
        .execute_async(FETCH_ALL, vec![json!(urls)])
        .await
        .unwrap();
    let bundles = bundles.as_array().unwrap().clone();
    let verdicts = client
        .execute_async(VERIFY_ALL, vec![json!(bundles), json!(key)])
        .await
        .unwrap();
    assert!(
        verdicts.as_array().unwrap().iter().all(Value::is_null),
        "{verdicts}"
    );
    let verifier = CheckpointVerifier::from_verifier_key(&key).unwrap();
    for bundle in &bundles {
        let parsed = ProofBundle::from_json(bundle.to_string().as_bytes()).unwrap();
        assert!(parsed.verify(&verifier).is_ok(), "Rust agrees: {bundle}");
    }

    // Each tampering is rejected, for its reason, by both verifiers.
    let good = bundles
        .iter()
        .find(|b| b["inclusion_proof"].as_array().unwrap().len() >= 2)
        .unwrap()
        .clone();
    let proof = good["inclusion_proof"].as_array().unwrap().clone();
    let note = good["checkpoint"].as_str().unwrap().to_owned();
    let (body, signature) = note.split_once("\n\n").unwrap();
    let other_signer = CheckpointSigner::from_seed("test.lantern.example/log", [8; 32]).unwrap();
    let checkpoint = Checkpoint::from_text(format!("{body}\n").as_bytes()).unwrap();
    let signed_by_another = other_signer.sign(&checkpoint).unwrap();
    let size: u64 = body.lines().nth(1).unwrap().parse().unwrap();
    let sig_line = signature.trim_end();
    let (sig_head, sig_b64) = sig_line.rsplit_once(' ').unwrap();
    let event = good["event"].as_str().unwrap();
    let records = format!(
        "\"records\":{}",
        serde_json::from_str::<Value>(event).unwrap()["records"]
    );
    let entry = good["entry"].as_str().unwrap();
    let purpose = format!(
        "\"purpose\":\"{}\"",
        serde_json::from_str::<Value>(entry).unwrap()["purpose"]
            .as_str()
            .unwrap()
    );
    let cases: Vec<(&str, Value, String)> = vec![
        (
            "the event and salt do not match",
            with(&good, "event", |v| edit_str(v, &records, "\"records\":999")),
            key.clone(),
        ),
        (
            "the event and salt do not match",
            with(&good, "salt", |v| {
                let s = v.as_str().unwrap();
                let last = if s.ends_with('0') { "1" } else { "0" };
                Value::from(format!("{}{last}", &s[..63]))
            }),
            key.clone(),
        ),
        (
            "the entry's purpose does not match the event",
            with(&good, "entry", |v| {
                edit_str(v, &purpose, "\"purpose\":\"182\"")
            }),
            key.clone(),
        ),
        (
            "not proven to be in the log",
            with(&good, "inclusion_proof", |_| {
                let mut p = proof.clone();
                p[0] = Value::from(flip_base64(p[0].as_str().unwrap()));
                Value::from(p)
            }),
            key.clone(),
        ),
        (
            "not proven to be in the log",
            with(&good, "inclusion_proof", |_| {
                Value::from(proof[1..].to_vec())
            }),
            key.clone(),
        ),
        (
            "not proven to be in the log",
            with(&good, "inclusion_proof", |_| {
                let mut p = proof.clone();
                p.push(proof[0].clone());
                Value::from(p)
            }),
            key.clone(),
        ),
        (
            "not proven to be in the log",
            with(&good, "leaf_index", |v| {
                Value::from(v.as_u64().unwrap() + 1)
            }),
            key.clone(),
        ),
        (
            "the checkpoint does not verify",
            with(&good, "checkpoint", |_| {
                Value::from(note.replacen(&format!("\n{size}\n"), &format!("\n{}\n", size + 1), 1))
            }),
            key.clone(),
        ),
        (
            "the checkpoint does not verify",
            with(&good, "checkpoint", |_| {
                Value::from(format!(
                    "{body}\n\n{sig_head} {}\n",
                    flip_base64_tail(sig_b64)
                ))
            }),
            key.clone(),
        ),
        (
            "not signed by the log's key",
            with(&good, "checkpoint", |_| {
                Value::from(signed_by_another.clone())
            }),
            key.clone(),
        ),
        (
            "not signed by the log's key",
            good.clone(),
            other_signer.verifier_key(),
        ),
        (
            "the verifier key's hash does not match",
            good.clone(),
            wrong_key_hash(&key),
        ),
    ];
    for (i, (reason, bundle, case_key)) in cases.iter().enumerate() {
        let verdict = client
            .execute_async(VERIFY_ALL, vec![json!([bundle]), json!(case_key)])
            .await
            .unwrap();
        let message = verdict[0]
            .as_str()
            .unwrap_or_else(|| panic!("case {i} ({reason}) verified in the browser: {bundle}"));
        assert!(
            message.contains(reason),
            "case {i}: {message} lacks {reason}"
        );
        let rust = CheckpointVerifier::from_verifier_key(case_key)
            .map_err(|e| e.to_string())
            .and_then(|v| {
                ProofBundle::from_json(bundle.to_string().as_bytes())
                    .map_err(|e| e.to_string())?
                    .verify(&v)
                    .map_err(|e| e.to_string())
            });
        assert!(rust.is_err(), "case {i} ({reason}) verified in Rust");
    }

    client.close().await.unwrap();
    drop(driver);
}

/// A signature changed in its last signature byte (the key ID in front stays).
fn flip_base64_tail(signature: &str) -> String {
    let mut chars: Vec<char> = signature.trim_end_matches('=').chars().collect();
    let at = chars.len() - 2;
    chars[at] = if chars[at] == 'A' { 'B' } else { 'A' };
    let padding = signature.len() - signature.trim_end_matches('=').len();
    let mut out: String = chars.into_iter().collect();
    out.push_str(&"=".repeat(padding));
    out
}

/// `key` with its key-hash part changed.
fn wrong_key_hash(key: &str) -> String {
    let mut parts: Vec<String> = key.split('+').map(str::to_owned).collect();
    parts[1] = if parts[1] == "00000000" {
        "11111111".into()
    } else {
        "00000000".into()
    };
    parts.join("+")
}
