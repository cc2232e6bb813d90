//! The public side of the transparency log: raw entries and Merkle proofs.
//! Entries are immutable and cacheable forever; proofs are computed from the
//! O(log n) stored subtree hashes they need. (Signed checkpoints come with the
//! per-org signing key; until then, roots are only as trustworthy as this server.)

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use candor_domain::OrgSlug;
use candor_store::log::{log_consistency, log_inclusion, log_size};
use candor_store::{OrgScope, scope_for};
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::error::ApiError;

async fn org_scope(state: &AppState, org: &str) -> Result<OrgScope, ApiError> {
    let slug: OrgSlug = org
        .parse()
        .map_err(|_| ApiError::not_found("no such org"))?;
    scope_for(&*state.store, &slug)
        .await?
        .ok_or_else(|| ApiError::not_found("no such org"))
}

fn b64(h: &[u8; 32]) -> String {
    STANDARD.encode(h)
}

/// `GET /{org}/log/entries/{index}`: the entry's exact bytes (canonical JSON).
pub async fn entry(
    State(state): State<AppState>,
    Path((org, index)): Path<(String, u64)>,
) -> Result<Response, ApiError> {
    let scope = org_scope(&state, &org).await?;
    let data = state
        .store
        .log_entry(&scope, index)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no log entry {index}")))?;
    let mut response = ([(header::CONTENT_TYPE, "application/json")], data).into_response();
    // Log entries never change.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct InclusionQuery {
    index: Option<u64>,
    size: Option<u64>,
}

fn required(value: Option<u64>, field: &str) -> Result<u64, ApiError> {
    value.ok_or_else(|| ApiError::validation(field, format!("{field} is required")))
}

/// `GET /{org}/log/proof/inclusion?index=&size=`.
pub async fn inclusion(
    State(state): State<AppState>,
    Path(org): Path<String>,
    Query(q): Query<InclusionQuery>,
) -> Result<Response, ApiError> {
    let scope = org_scope(&state, &org).await?;
    let (index, size) = (required(q.index, "index")?, required(q.size, "size")?);
    let current = log_size(&*state.store, &scope).await?;
    if size == 0 || size > current {
        return Err(ApiError::validation(
            "size",
            format!("the log has {current} entries"),
        ));
    }
    if index >= size {
        return Err(ApiError::validation("index", "index must be below size"));
    }
    let p = log_inclusion(&*state.store, &scope, index, size).await?;
    Ok(Json(json!({
        "index": index,
        "size": size,
        "leaf_hash": b64(&p.leaf),
        "proof": p.proof.iter().map(b64).collect::<Vec<_>>(),
        "root_hash": b64(&p.root),
    }))
    .into_response())
}

#[derive(Deserialize)]
pub struct ConsistencyQuery {
    from: Option<u64>,
    to: Option<u64>,
}

/// `GET /{org}/log/proof/consistency?from=&to=`.
pub async fn consistency(
    State(state): State<AppState>,
    Path(org): Path<String>,
    Query(q): Query<ConsistencyQuery>,
) -> Result<Response, ApiError> {
    let scope = org_scope(&state, &org).await?;
    let (from, to) = (required(q.from, "from")?, required(q.to, "to")?);
    let current = log_size(&*state.store, &scope).await?;
    if to == 0 || to > current {
        return Err(ApiError::validation(
            "to",
            format!("the log has {current} entries"),
        ));
    }
    if from == 0 || from > to {
        return Err(ApiError::validation(
            "from",
            "from must be between 1 and to",
        ));
    }
    let c = log_consistency(&*state.store, &scope, from, to).await?;
    Ok(Json(json!({
        "from": from,
        "to": to,
        "proof": c.proof.iter().map(b64).collect::<Vec<_>>(),
        "old_root_hash": b64(&c.old_root),
        "new_root_hash": b64(&c.new_root),
    }))
    .into_response())
}
