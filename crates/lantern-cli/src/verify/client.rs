//! Reading a log over HTTP: the checkpoint, tiles and consistency proofs. Nothing read here is
//! trusted until the caller has checked it.

use anyhow::{Context, bail};
use lantern_log::Hash;
use lantern_log::tiles::Tile;
use reqwest::{StatusCode, Url};
use serde::Deserialize;

use crate::http::{self, RetryPolicy};

/// A log server's public endpoints.
#[derive(Debug, Clone)]
pub(crate) struct LogClient {
    client: reqwest::Client,
    server: Url,
}

/// `GET /api/v1/log/proof/consistency` answers.
#[derive(Debug, Deserialize)]
struct ConsistencyAnswer {
    from: u64,
    to: u64,
    proof: Vec<String>,
}

impl LogClient {
    /// A client of the server at `server`.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub(crate) fn new(server: Url) -> anyhow::Result<Self> {
        Ok(Self {
            client: http::client()?,
            server,
        })
    }

    /// The server's base URL.
    pub(crate) fn server(&self) -> &Url {
        &self.server
    }

    /// `GET` of `path` under the server; `Ok(None)` for a 404.
    async fn get(&self, path: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let url = http::endpoint(&self.server, path)?;
        let what = format!("fetching {url}");
        let response = http::send_with_retry(&RetryPolicy::PATIENT, &what, || {
            self.client.get(url.clone())
        })
        .await?;
        match response.status() {
            StatusCode::OK => {
                let body = response
                    .bytes()
                    .await
                    .with_context(|| format!("{what}: reading the answer"))?;
                Ok(Some(body.to_vec()))
            }
            StatusCode::NOT_FOUND => Ok(None),
            status => bail!(
                "{what}: the server answered {status}: {}",
                http::problem_text(response).await
            ),
        }
    }

    /// The signed checkpoint at `/log/checkpoint`, as text.
    ///
    /// # Errors
    /// When it cannot be fetched, there is none yet (an empty log), or it is not UTF-8.
    pub(crate) async fn checkpoint(&self) -> anyhow::Result<String> {
        let Some(body) = self.get("log/checkpoint").await? else {
            bail!(
                "{} has no checkpoint yet (/log/checkpoint answered 404): the log is empty",
                self.server
            );
        };
        String::from_utf8(body).context("the checkpoint is not UTF-8 text")
    }

    /// The bytes of `tile` at `/log/<tile path>`.
    ///
    /// # Errors
    /// When it cannot be fetched or the server does not have it.
    pub(crate) async fn tile(&self, tile: &Tile) -> anyhow::Result<Vec<u8>> {
        let path = format!("log/{}", tile.path());
        self.get(&path).await?.with_context(|| {
            format!("the server has no /{path} (404), though the checkpoint's tree must have it")
        })
    }

    /// The consistency proof of the tree of `from` entries in the tree of `to` entries.
    ///
    /// # Errors
    /// When it cannot be fetched, is not a proof, or is one for other sizes.
    pub(crate) async fn consistency_proof(&self, from: u64, to: u64) -> anyhow::Result<Vec<Hash>> {
        let path = format!("api/v1/log/proof/consistency?from={from}&to={to}");
        let body = self.get(&path).await?.with_context(|| {
            format!("the server has no consistency proof from {from} to {to} entries (404)")
        })?;
        let answer: ConsistencyAnswer = serde_json::from_slice(&body)
            .with_context(|| format!("/{path} did not answer a consistency proof"))?;
        if (answer.from, answer.to) != (from, to) {
            bail!(
                "/{path} answered a proof from {} to {} entries",
                answer.from,
                answer.to
            );
        }
        answer
            .proof
            .iter()
            .map(|hash| Hash::from_base64(hash))
            .collect::<Result<_, _>>()
            .with_context(|| format!("/{path} answered a malformed hash"))
    }
}
