//! HTTP plumbing shared by `ingest` and `verify`: one keep-alive client, endpoint URLs under a
//! server's base URL, retries of transient failures, and readable RFC 9457 problem answers.

use std::time::Duration;

use anyhow::{Context, bail};
use reqwest::{RequestBuilder, Response, StatusCode, Url};
use serde::Deserialize;

/// A client that keeps connections alive between requests.
///
/// # Errors
/// When the TLS backend cannot be initialised.
pub(crate) fn client() -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(concat!("lantern/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(300))
        .build()
        .context("building the HTTP client")
}

/// The URL of `path` (relative, e.g. `log/checkpoint`) under the server's base URL, which may
/// itself have a path (`https://example.gov.tw/lantern`).
///
/// # Errors
/// When the base URL is not http(s) or `path` does not make a URL.
pub(crate) fn endpoint(base: &Url, path: &str) -> anyhow::Result<Url> {
    if !matches!(base.scheme(), "http" | "https") {
        bail!("the server URL {base} is not an http:// or https:// URL");
    }
    let mut base = base.clone();
    if !base.path().ends_with('/') {
        let with_slash = format!("{}/", base.path());
        base.set_path(&with_slash);
    }
    base.join(path)
        .with_context(|| format!("making the URL of {path} under {base}"))
}

/// How often, and how patiently, a request is retried after a connection failure, a timeout,
/// a 5xx or a 429 answer. Every request retried this way must be idempotent (GETs, and event
/// batches, whose ids make a repeat report duplicates).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPolicy {
    /// Attempts in all, the first included.
    pub(crate) attempts: u32,
    /// The wait after the first failure; it doubles after each further one.
    pub(crate) first_delay: Duration,
    /// The longest wait between two attempts.
    pub(crate) max_delay: Duration,
}

impl RetryPolicy {
    /// Eight attempts over about a minute and a half: rides out a server restart.
    pub(crate) const PATIENT: Self = Self {
        attempts: 8,
        first_delay: Duration::from_millis(500),
        max_delay: Duration::from_secs(30),
    };

    /// The wait after failed attempt number `attempt` (1-based).
    fn delay(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(16);
        self.first_delay
            .saturating_mul(1 << doublings)
            .min(self.max_delay)
    }
}

/// Sends the request `build` makes, again after each transient failure, and returns the first
/// answer that is not a 5xx or a 429.
///
/// # Errors
/// When the request cannot be sent for a non-transient reason, or every attempt failed; the
/// message names `what` was asked for and the last failure.
pub(crate) async fn send_with_retry(
    policy: &RetryPolicy,
    what: &str,
    build: impl Fn() -> RequestBuilder,
) -> anyhow::Result<Response> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let failure = match build().send().await {
            Ok(response) if is_transient_status(response.status()) => {
                let status = response.status();
                format!(
                    "the server answered {status}: {}",
                    problem_text(response).await
                )
            }
            Ok(response) => return Ok(response),
            Err(error) if error.is_builder() || error.is_redirect() => {
                return Err(error).with_context(|| format!("{what}: the request failed"));
            }
            Err(error) => format!("{:#}", anyhow::Error::from(error)),
        };
        if attempt >= policy.attempts {
            bail!("{what}: giving up after {attempt} attempts; the last failed: {failure}");
        }
        let delay = policy.delay(attempt);
        tracing::warn!(
            "{what}: {failure}; trying again in {:.1} s (attempt {} of {})",
            delay.as_secs_f64(),
            attempt + 1,
            policy.attempts
        );
        tokio::time::sleep(delay).await;
    }
}

fn is_transient_status(status: StatusCode) -> bool {
    status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS
}

/// An RFC 9457 problem answer, as far as the CLI reads it.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Problem {
    /// Short summary of the kind of problem.
    #[serde(default)]
    pub(crate) title: String,
    /// What went wrong in this request.
    #[serde(default)]
    pub(crate) detail: String,
    /// Every broken rule, for validation problems.
    #[serde(default)]
    pub(crate) errors: Vec<ProblemError>,
    /// For malformed JSON: the 1-based line of the request body with the syntax error.
    pub(crate) line: Option<u64>,
}

/// One broken rule of a problem answer.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ProblemError {
    /// In a batch of events: the 0-based position of the event.
    pub(crate) position: Option<usize>,
    /// In a batch of events: the event's id, when it had a readable one.
    pub(crate) id: Option<String>,
    /// The offending field.
    #[serde(default)]
    pub(crate) field: String,
    /// The rule broken, e.g. `format`.
    #[serde(default)]
    pub(crate) rule: String,
    /// What is wrong and how to fix it.
    #[serde(default)]
    pub(crate) message: String,
}

impl Problem {
    /// Reads a problem body; anything else becomes a problem whose detail is the body's start.
    pub(crate) fn from_body(body: &[u8]) -> Self {
        serde_json::from_slice(body).unwrap_or_else(|_| Self {
            detail: body_excerpt(body),
            ..Self::default()
        })
    }

    /// `title: detail`, or whichever of them there is.
    pub(crate) fn summary(&self) -> String {
        match (self.title.is_empty(), self.detail.is_empty()) {
            (false, false) => format!("{}: {}", self.title, self.detail),
            (false, true) => self.title.clone(),
            (true, false) => self.detail.clone(),
            (true, true) => "no explanation given".to_owned(),
        }
    }
}

/// The problem summary of an error answer, read from its body.
pub(crate) async fn problem_text(response: Response) -> String {
    match response.bytes().await {
        Ok(body) => Problem::from_body(&body).summary(),
        Err(error) => format!("(the answer's body could not be read: {error})"),
    }
}

/// The first 200 characters of a body that is not a problem, on one line.
fn body_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return "empty answer".to_owned();
    }
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_keep_the_base_path() {
        let root: Url = "http://127.0.0.1:8080".parse().unwrap();
        assert_eq!(
            endpoint(&root, "log/checkpoint").unwrap().as_str(),
            "http://127.0.0.1:8080/log/checkpoint"
        );
        let prefixed: Url = "https://example.gov.tw/lantern".parse().unwrap();
        assert_eq!(
            endpoint(&prefixed, "api/v1/events").unwrap().as_str(),
            "https://example.gov.tw/lantern/api/v1/events"
        );
        let ftp: Url = "ftp://example.gov.tw/".parse().unwrap();
        assert!(endpoint(&ftp, "log/checkpoint").is_err());
    }

    #[test]
    fn delays_double_up_to_the_cap() {
        let policy = RetryPolicy::PATIENT;
        let delays: Vec<u64> = (1..=8)
            .map(|attempt| policy.delay(attempt).as_millis() as u64)
            .collect();
        assert_eq!(
            delays,
            [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]
        );
    }

    #[test]
    fn problems_and_other_bodies() {
        let problem = Problem::from_body(
            br#"{"type":"urn:x","title":"Invalid request","status":422,"detail":"2 errors","errors":[{"position":3,"id":"a","field":"purpose","rule":"format","message":"three digits"}]}"#,
        );
        assert_eq!(problem.summary(), "Invalid request: 2 errors");
        assert_eq!(problem.errors[0].position, Some(3));
        assert_eq!(problem.errors[0].rule, "format");
        let html = Problem::from_body(b"<html>\n  <h1>Bad gateway</h1>\n</html>");
        assert_eq!(html.summary(), "<html> <h1>Bad gateway</h1> </html>");
        assert_eq!(Problem::from_body(b"").summary(), "empty answer");
        let long = Problem::from_body("é".repeat(300).as_bytes()).summary();
        assert_eq!(long.chars().count(), 201);
    }
}
