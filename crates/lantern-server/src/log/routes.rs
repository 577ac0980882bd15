//! The log's public endpoints, exactly as C2SP tlog-tiles lays them out: `/log/checkpoint`,
//! `/log/tile/<L>/<N>[.p/<W>]`, `/log/tile/entries/<N>[.p/<W>]`; and `/log/key`, the
//! verifier key of the checkpoints.
//!
//! Only tiles within the latest published checkpoint are served, so a client never sees a tile
//! of a tree it cannot authenticate. A full tile never changes and is cached for a year as
//! immutable; a partial tile is replaced by wider ones, so it is cached briefly; the checkpoint
//! is revalidated on every request.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use lantern_log::merkle::ProofError;
use lantern_log::tiles::{self, Tile, TileKind};
use lantern_store::StoreError;
use lantern_store::hashes::with_stored_hashes;

use crate::AppState;
use crate::error::AppError;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const PARTIAL: &str = "public, max-age=60";
const REVALIDATE: &str = "no-cache";
const TEXT: &str = "text/plain; charset=utf-8";
const BINARY: &str = "application/octet-stream";

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/log/checkpoint", get(checkpoint))
        .route("/log/key", get(key))
        .route("/log/tile/{*path}", get(tile))
}

/// `GET /log/checkpoint`: the latest signed checkpoint.
async fn checkpoint(State(state): State<AppState>) -> Result<Response, AppError> {
    let published = state
        .log
        .latest()
        .ok_or_else(|| AppError::NotFound("the log is empty: no checkpoint yet".into()))?;
    Ok(body(TEXT, REVALIDATE, published.note.as_bytes().to_vec()))
}

/// `GET /log/key`: the checkpoints' signed-note verifier key, one line.
async fn key(State(state): State<AppState>) -> Response {
    let line = format!("{}\n", state.log.verifier_key());
    body(TEXT, IMMUTABLE_KEY, line.into_bytes())
}

/// The key changes only when an operator rotates it: let caches keep it for an hour.
const IMMUTABLE_KEY: &str = "public, max-age=3600";

/// `GET /log/tile/…`: a hash tile or an entry bundle of the published tree.
async fn tile(
    State(state): State<AppState>,
    Path(path): Path<String>,
) -> Result<Response, AppError> {
    let tile = Tile::parse_path(&format!("tile/{path}"))
        .map_err(|_| AppError::NotFound(format!("/log/tile/{path} is not a C2SP tile path")))?;
    let size = state.log.latest().map_or(0, |p| p.size);
    if !tile.is_in_tree(size) {
        return Err(AppError::NotFound(format!(
            "tile {} is not in the published tree of {size} entries",
            tile.path()
        )));
    }
    let data = match tile.kind() {
        TileKind::Entries => entry_bundle(&state, &tile).await?,
        TileKind::Hashes { .. } => with_stored_hashes(state.store.as_ref(), |reader| {
            tiles::hash_tile_data(&tile, size, reader)
        })
        .await
        .map_err(proof_error)?,
    };
    let cache = if tile.is_full() { IMMUTABLE } else { PARTIAL };
    Ok(body(BINARY, cache, data))
}

async fn entry_bundle(state: &AppState, tile: &Tile) -> Result<Vec<u8>, AppError> {
    let width = u64::from(tile.width());
    let entries = state.store.log_entries(tile.first_index(), width).await?;
    if entries.len() as u64 != width {
        return Err(AppError::Internal(format!(
            "the store returned {} entries for {}",
            entries.len(),
            tile.path()
        )));
    }
    tiles::encode_entry_bundle(&entries).map_err(|e| AppError::Internal(e.to_string()))
}

/// Maps a failure to compute a root, proof or tile from stored hashes.
pub(crate) fn proof_error(error: ProofError<StoreError>) -> AppError {
    match error {
        ProofError::OutOfRange(why) => AppError::NotFound(why.into()),
        ProofError::Read(e) => e.into(),
        e @ ProofError::CorruptStore { .. } => AppError::Internal(e.to_string()),
    }
}

fn body(content_type: &'static str, cache: &'static str, data: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
        ],
        data,
    )
        .into_response()
}
