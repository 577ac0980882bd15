//! `GET /api/v1/log/proof/inclusion` and `GET /api/v1/log/proof/consistency`: RFC 6962 proofs
//! against trees of published checkpoints, hashes in standard base64 like the checkpoint root.

use axum::Json;
use axum::extract::State;
use lantern_domain::{FieldError, Rule, ValidationErrors};
use lantern_log::merkle;
use lantern_store::hashes::with_stored_hashes;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::ApiQuery;
use crate::AppState;
use crate::error::{AppError, Problem};
use crate::log::proof_error;

/// Which leaf, in which tree.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InclusionQuery {
    /// The leaf index (0-based).
    index: u64,
    /// The size of a published tree that contains the leaf.
    tree_size: u64,
}

/// The audit path of a leaf, from the leaf upwards.
#[derive(Debug, Serialize, ToSchema)]
pub struct InclusionProof {
    /// The leaf index.
    pub index: u64,
    /// The tree size the proof is for.
    pub tree_size: u64,
    /// Base64 SHA-256 hashes.
    pub proof: Vec<String>,
}

/// Which two trees.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyQuery {
    /// The smaller tree size (at least 1).
    from: u64,
    /// The larger tree size, at most the latest checkpoint's.
    to: u64,
}

/// The proof that the tree of `to` leaves extends the tree of `from` leaves.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsistencyProof {
    /// The smaller tree size.
    pub from: u64,
    /// The larger tree size.
    pub to: u64,
    /// Base64 SHA-256 hashes.
    pub proof: Vec<String>,
}

/// The inclusion proof of leaf `index` in the tree of `tree_size` leaves.
#[utoipa::path(
    get,
    path = "/api/v1/log/proof/inclusion",
    operation_id = "inclusionProof",
    tag = "log",
    params(InclusionQuery),
    responses(
        (status = 200, description = "The audit path", body = InclusionProof),
        (status = 422, description = "The index or size is not in a published tree", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Storage is unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn inclusion(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<InclusionQuery>,
) -> Result<Json<InclusionProof>, AppError> {
    let published = published_size(&state);
    let mut errors = Vec::new();
    if query.tree_size == 0 || query.tree_size > published {
        errors.push(beyond("tree_size", query.tree_size, published));
    }
    if query.index >= query.tree_size {
        errors.push(FieldError::new(
            "index",
            Rule::Format,
            format!(
                "index {} is not a leaf of a tree of {} entries; it must be below tree_size",
                query.index, query.tree_size
            ),
        ));
    }
    reject(errors)?;
    let proof = with_stored_hashes(state.store.as_ref(), |reader| {
        merkle::inclusion_proof(query.index, query.tree_size, reader)
    })
    .await
    .map_err(proof_error)?;
    Ok(Json(InclusionProof {
        index: query.index,
        tree_size: query.tree_size,
        proof: proof.iter().map(|h| h.to_base64()).collect(),
    }))
}

/// The consistency proof between two published tree sizes.
#[utoipa::path(
    get,
    path = "/api/v1/log/proof/consistency",
    operation_id = "consistencyProof",
    tag = "log",
    params(ConsistencyQuery),
    responses(
        (status = 200, description = "The consistency proof", body = ConsistencyProof),
        (status = 422, description = "The sizes are not two published trees, smaller first", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Storage is unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn consistency(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ConsistencyQuery>,
) -> Result<Json<ConsistencyProof>, AppError> {
    let published = published_size(&state);
    let mut errors = Vec::new();
    if query.from == 0 {
        errors.push(FieldError::new(
            "from",
            Rule::Format,
            "a consistency proof starts from a tree of at least one entry",
        ));
    }
    if query.to > published {
        errors.push(beyond("to", query.to, published));
    }
    if query.from > query.to {
        errors.push(FieldError::new(
            "from",
            Rule::Format,
            format!("from ({}) must not exceed to ({})", query.from, query.to),
        ));
    }
    reject(errors)?;
    let proof = with_stored_hashes(state.store.as_ref(), |reader| {
        merkle::consistency_proof(query.from, query.to, reader)
    })
    .await
    .map_err(proof_error)?;
    Ok(Json(ConsistencyProof {
        from: query.from,
        to: query.to,
        proof: proof.iter().map(|h| h.to_base64()).collect(),
    }))
}

fn published_size(state: &AppState) -> u64 {
    state.log.latest().map_or(0, |p| p.size)
}

fn beyond(parameter: &str, size: u64, published: u64) -> FieldError {
    FieldError::new(
        parameter,
        Rule::UnknownReference,
        format!(
            "{parameter} {size} is not the size of a published tree; it must be from 1 to the latest checkpoint's size, {published}"
        ),
    )
}

fn reject(errors: Vec<FieldError>) -> Result<(), AppError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::InvalidQuery(ValidationErrors(errors)))
    }
}
