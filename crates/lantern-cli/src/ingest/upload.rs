//! Sending one batch of events to `POST /api/v1/events`, and reading what the server made of
//! it.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, bail};
use reqwest::header::CONTENT_TYPE;
use reqwest::{StatusCode, Url};
use serde::Deserialize;

use super::source::SourceEvent;
use crate::http::{self, Problem, RetryPolicy};

/// The media type batches are sent in: one event per line.
const NDJSON: &str = "application/x-ndjson";

/// What the server answers to a stored batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub(crate) struct BatchReceipt {
    /// Events newly logged.
    pub(crate) accepted: u64,
    /// Events whose id was logged before (by an earlier run, or earlier in the batch).
    pub(crate) duplicates: u64,
    /// The log's size once the batch was stored.
    pub(crate) tree_size: u64,
}

/// What became of a batch.
#[derive(Debug)]
pub(crate) enum BatchOutcome {
    /// Every event is in the log, new or duplicate.
    Stored(BatchReceipt),
    /// The server refused the batch whole (422), listing every broken rule.
    Rejected(Problem),
}

/// Sends batches for one agency token, over one keep-alive connection.
pub(crate) struct Uploader {
    client: reqwest::Client,
    url: Url,
    token: String,
    retry: RetryPolicy,
}

impl Uploader {
    /// An uploader to the server at `server`.
    ///
    /// # Errors
    /// When `server` is not an http(s) URL or the HTTP client cannot be built.
    pub(crate) fn new(server: &Url, token: String, retry: RetryPolicy) -> anyhow::Result<Self> {
        Ok(Self {
            client: http::client()?,
            url: http::endpoint(server, "api/v1/events")?,
            token,
            retry,
        })
    }

    /// Sends `batch`, again after connection failures and 5xx answers: ids make a repeated
    /// event a duplicate, so a batch stored before its answer was lost is not logged twice.
    ///
    /// # Errors
    /// When the server refuses the token or the request (other than with a list of broken
    /// rules), gives an answer that does not account for every event, or keeps failing.
    pub(crate) async fn send(&self, batch: &[SourceEvent]) -> anyhow::Result<BatchOutcome> {
        let mut body = String::new();
        for event in batch {
            body.push_str(&event.json);
            body.push('\n');
        }
        let lines = match (batch.first(), batch.last()) {
            (Some(first), Some(last)) => format!("lines {}-{}", first.line, last.line),
            _ => "no lines".to_owned(),
        };
        let what = format!("sending {lines} ({} events) to {}", batch.len(), self.url);
        let response = http::send_with_retry(&self.retry, &what, || {
            self.client
                .post(self.url.clone())
                .bearer_auth(&self.token)
                .header(CONTENT_TYPE, NDJSON)
                .body(body.clone())
        })
        .await?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .with_context(|| format!("{what}: reading the answer"))?;
        match status {
            StatusCode::OK => {
                let receipt: BatchReceipt = serde_json::from_slice(&body)
                    .with_context(|| format!("{what}: the answer is not a batch receipt"))?;
                let acknowledged = receipt.accepted + receipt.duplicates;
                if acknowledged != batch.len() as u64 {
                    bail!(
                        "{what}: the server acknowledged {acknowledged} events of a batch of {}",
                        batch.len()
                    );
                }
                Ok(BatchOutcome::Stored(receipt))
            }
            StatusCode::UNPROCESSABLE_ENTITY => {
                Ok(BatchOutcome::Rejected(Problem::from_body(&body)))
            }
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => bail!(
                "the server refused the token ({status}): {}; check --token (a token from `lantern admin agency-token`)",
                Problem::from_body(&body).summary()
            ),
            _ => {
                let problem = Problem::from_body(&body);
                let place = problem
                    .line
                    .and_then(|line| usize::try_from(line).ok())
                    .and_then(|line| batch.get(line.checked_sub(1)?))
                    .map(|event| format!(" (at line {} of the file)", event.line))
                    .unwrap_or_default();
                bail!(
                    "the server refused {lines} of the file ({status}){place}: {}",
                    problem.summary()
                )
            }
        }
    }
}

/// The message for a batch refused with a list of broken rules: every rule, with the line of
/// the file its event starts on.
pub(crate) fn rejection_message(file: &Path, batch: &[SourceEvent], problem: &Problem) -> String {
    let first = batch.first().map_or(0, |e| e.line);
    let last = batch.last().map_or(0, |e| e.line);
    let mut message = format!(
        "the server refused the batch of lines {first}-{last} of {} as a whole ({}); nothing of it was logged:",
        file.display(),
        problem.summary()
    );
    for error in &problem.errors {
        let _ = write!(message, "\n  {}", locate(batch, error));
        if let Some(id) = &error.id {
            let _ = write!(message, " (id {id})");
        }
        let _ = write!(
            message,
            ": {} [{}]: {}",
            error.field, error.rule, error.message
        );
    }
    if problem.errors.is_empty() {
        message.push_str("\n  (the server listed no errors)");
    }
    message
}

/// `line N` for the event an error is about: at its position, unless the error names an id
/// that is not the id there, in which case the event with that id.
fn locate(batch: &[SourceEvent], error: &http::ProblemError) -> String {
    let at_position = error.position.and_then(|p| batch.get(p));
    let event = match (at_position, &error.id) {
        (Some(event), Some(id)) if event.id.as_ref() != Some(id) => batch
            .iter()
            .find(|e| e.id.as_ref() == Some(id))
            .or(Some(event)),
        (event, _) => event,
    };
    match (event, error.position) {
        (Some(event), _) => format!("line {}", event.line),
        (None, Some(position)) => format!("batch position {position}"),
        (None, None) => "the batch".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(line: u64, id: &str) -> SourceEvent {
        SourceEvent {
            line,
            id: Some(id.to_owned()),
            json: format!("{{\"id\":\"{id}\"}}"),
            read_to: line * 10,
        }
    }

    /// A server on a loopback port that answers each request with the next of `answers`
    /// (status line, JSON body), closing each connection, and hands back the requests it got.
    async fn fake_server(
        answers: Vec<(&'static str, &'static str)>,
    ) -> (Url, tokio::task::JoinHandle<Vec<String>>) {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap())
            .parse()
            .unwrap();
        let server = tokio::spawn(async move {
            let mut requests = Vec::new();
            for (status, body) in answers {
                let (mut socket, _) = listener.accept().await.unwrap();
                let mut request = Vec::new();
                let mut chunk = [0u8; 4096];
                // Headers, then as many body bytes as Content-Length says.
                let complete = |request: &[u8]| {
                    let text = String::from_utf8_lossy(request).to_ascii_lowercase();
                    let Some(end) = text.find("\r\n\r\n") else {
                        return false;
                    };
                    let length = text
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length: "))
                        .map_or(0, |n| n.trim().parse::<usize>().unwrap());
                    request.len() >= end + 4 + length
                };
                while !complete(&request) {
                    let read = socket.read(&mut chunk).await.unwrap();
                    assert!(read > 0, "the client closed the connection early");
                    request.extend_from_slice(&chunk[..read]);
                }
                requests.push(String::from_utf8(request).unwrap());
                let answer = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                socket.write_all(answer.as_bytes()).await.unwrap();
                socket.shutdown().await.unwrap();
            }
            requests
        });
        (url, server)
    }

    const QUICK: RetryPolicy = RetryPolicy {
        attempts: 3,
        first_delay: std::time::Duration::from_millis(1),
        max_delay: std::time::Duration::from_millis(1),
    };

    #[tokio::test]
    async fn transient_failures_are_retried() {
        let (url, server) = fake_server(vec![
            (
                "503 Service Unavailable",
                r#"{"title":"Unavailable","detail":"restarting"}"#,
            ),
            (
                "200 OK",
                r#"{"accepted":1,"duplicates":1,"tree_size":7,"events":[]}"#,
            ),
        ])
        .await;
        let uploader = Uploader::new(&url, "lt_secret".to_owned(), QUICK).unwrap();
        let outcome = uploader
            .send(&[event(1, "a"), event(2, "b")])
            .await
            .unwrap();
        let BatchOutcome::Stored(receipt) = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(
            receipt,
            BatchReceipt {
                accepted: 1,
                duplicates: 1,
                tree_size: 7
            }
        );
        let requests = server.await.unwrap();
        assert_eq!(requests.len(), 2);
        for request in &requests {
            assert!(
                request.starts_with("POST /api/v1/events HTTP/1.1\r\n"),
                "{request}"
            );
            let lower = request.to_ascii_lowercase();
            assert!(
                lower.contains("authorization: bearer lt_secret\r\n"),
                "{request}"
            );
            assert!(
                lower.contains("content-type: application/x-ndjson\r\n"),
                "{request}"
            );
            assert!(
                request.ends_with("\r\n\r\n{\"id\":\"a\"}\n{\"id\":\"b\"}\n"),
                "{request}"
            );
        }
    }

    #[tokio::test]
    async fn refusals_are_not_retried() {
        let (url, server) = fake_server(vec![(
            "401 Unauthorized",
            r#"{"title":"Unauthorized","detail":"unknown token"}"#,
        )])
        .await;
        let uploader = Uploader::new(&url, "lt_wrong".to_owned(), QUICK).unwrap();
        let error = uploader.send(&[event(1, "a")]).await.unwrap_err();
        assert!(
            error.to_string().starts_with(
                "the server refused the token (401 Unauthorized): Unauthorized: unknown token"
            ),
            "{error}"
        );
        assert_eq!(server.await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn retries_give_up() {
        let busy = (
            "503 Service Unavailable",
            r#"{"title":"Unavailable","detail":"busy"}"#,
        );
        let (url, server) = fake_server(vec![busy; 3]).await;
        let uploader = Uploader::new(&url, "lt_x".to_owned(), QUICK).unwrap();
        let error = format!("{:#}", uploader.send(&[event(1, "a")]).await.unwrap_err());
        assert!(
            error.contains("giving up after 3 attempts; the last failed: the server answered 503 Service Unavailable: Unavailable: busy"),
            "{error}"
        );
        assert_eq!(server.await.unwrap().len(), 3);
    }

    #[tokio::test]
    async fn receipts_must_account_for_every_event() {
        let (url, _server) = fake_server(vec![(
            "200 OK",
            r#"{"accepted":1,"duplicates":0,"tree_size":1,"events":[]}"#,
        )])
        .await;
        let uploader = Uploader::new(&url, "lt_x".to_owned(), QUICK).unwrap();
        let error = uploader
            .send(&[event(1, "a"), event(2, "b")])
            .await
            .unwrap_err();
        assert!(
            error
                .to_string()
                .ends_with("the server acknowledged 1 events of a batch of 2"),
            "{error}"
        );
    }

    #[test]
    fn rejections_point_at_lines() {
        let batch = [event(10, "a"), event(12, "b"), event(13, "c")];
        let problem = Problem::from_body(
            br#"{"title":"Invalid events","detail":"3 events break rules","errors":[
                {"position":1,"id":"b","field":"purpose","rule":"unknown_code","message":"001-182"},
                {"position":0,"id":"c","field":"subject","rule":"check_digit","message":"bad check digit"},
                {"position":2,"field":"id","rule":"required","message":"an event needs an id"},
                {"position":9,"field":"records","rule":"out_of_range","message":"too many"},
                {"field":"body","rule":"too_long","message":"too many events"}]}"#,
        );
        let message = rejection_message(Path::new("events.ndjson"), &batch, &problem);
        assert_eq!(
            message,
            "the server refused the batch of lines 10-13 of events.ndjson as a whole (Invalid events: 3 events break rules); nothing of it was logged:\n  \
             line 12 (id b): purpose [unknown_code]: 001-182\n  \
             line 13 (id c): subject [check_digit]: bad check digit\n  \
             line 13: id [required]: an event needs an id\n  \
             batch position 9: records [out_of_range]: too many\n  \
             the batch: body [too_long]: too many events"
        );
    }
}
