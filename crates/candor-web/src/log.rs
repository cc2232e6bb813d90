//! The public side of the transparency log: raw entries and Merkle proofs.
//! Entries are immutable and cacheable forever; proofs are computed from the
//! O(log n) stored subtree hashes they need; checkpoints are signed with the
//! org's own Ed25519 key, whose verifier key is at `/{org}/log/key`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use candor_domain::OrgSlug;
use std::sync::Arc;

use candor_log::note::NoteSigner;
use candor_log::tiles::{TileRef, entry_bundle};
use candor_store::log::{
    audit_signer, log_consistency, log_inclusion, log_size, signed_audit_checkpoint,
    signed_checkpoint,
};
use candor_store::{OrgScope, scope_for};
use serde::Deserialize;
use serde_json::json;

use crate::error::ApiError;
use crate::state::AppState;

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

/// `GET /{org}/log/tile/<L>/<N>[.p/<W>]` and `/{org}/log/tile/entries/<N>[.p/<W>]`:
/// the log as C2SP tlog-tiles (`/{org}/log/` is the prefix; the checkpoint is
/// at `checkpoint` beside them). A tile's bytes are fixed by the log, so every
/// tile the tree has is served, partial ones too, and cached for ever.
pub async fn tile(
    State(state): State<AppState>,
    Path((org, path)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let scope = org_scope(&state, &org).await?;
    let no_tile = || ApiError::not_found("no such tile in this log");
    let tile = TileRef::parse(&path).ok_or_else(no_tile)?;
    let size = log_size(&*state.store, &scope).await?;
    if !tile.exists_in(size) {
        return Err(no_tile());
    }
    let (start, end) = tile.range();
    let expected = usize::try_from(end - start).map_err(|_| no_tile())?;
    let body = match tile.level {
        None => {
            let entries = state.store.log_entries(&scope, start, end).await?;
            if entries.len() != expected {
                return Err(missing_nodes());
            }
            entry_bundle(&entries).ok_or_else(|| {
                tracing::error!(org = %org, "a log entry is too long for an entry bundle");
                ApiError::internal()
            })?
        }
        Some(_) => {
            let hashes = state
                .store
                .log_level(&scope, tile.tree_level(), start, end)
                .await?;
            if hashes.len() != expected {
                return Err(missing_nodes());
            }
            hashes.concat()
        }
    };
    let mut response = ([(header::CONTENT_TYPE, "application/octet-stream")], body).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(response)
}

/// The tree's size says a node exists that the store does not have.
fn missing_nodes() -> ApiError {
    tracing::error!("the log's stored nodes do not match its size");
    ApiError::internal()
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

/// The name of an org's log, and of its signing key: `HOST/SLUG`.
pub fn origin(state: &AppState, scope: &OrgScope) -> String {
    state.log_keys().origin(scope)
}

/// The org's current checkpoint signer, unsealed on first use and cached.
pub async fn signer(state: &AppState, scope: &OrgScope) -> Result<Arc<NoteSigner>, ApiError> {
    state
        .log_keys()
        .current_signer(&*state.store, scope)
        .await?
        .ok_or_else(not_configured)
}

/// `GET /{org}/log/key-history`: each rotation of the log key, oldest first,
/// as a JSON list of signed notes (`candor-log-key-rotation/v1`, the origin,
/// `old VKEY`, `new VKEY`), each signed by the retired key and the new one. A
/// watcher pinned to an old key follows them to the current one.
pub async fn key_history(
    State(state): State<AppState>,
    Path(org): Path<String>,
) -> Result<Response, ApiError> {
    let scope = org_scope(&state, &org).await?;
    let master = master_key(&state)?;
    let history =
        candor_store::log::log_key_history(&*state.store, &scope, master, &origin(&state, &scope))
            .await?;
    let mut response = Json(history).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}

fn text(body: String, cache: &'static str) -> Response {
    let mut response =
        ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// `GET /{org}/log/key`: the verifier key (`NAME+KEYID+KEY`) checkpoints are signed with.
pub async fn key(
    State(state): State<AppState>,
    Path(org): Path<String>,
) -> Result<Response, ApiError> {
    let scope = org_scope(&state, &org).await?;
    let signer = signer(&state, &scope).await?;
    Ok(text(
        format!("{}\n", signer.verifier_key()),
        "public, max-age=3600",
    ))
}

/// `GET /{org}/log/checkpoint`: the log's current size and root, signed, with
/// the cosignatures of the org's witnesses on that checkpoint (when held).
pub async fn checkpoint(
    State(state): State<AppState>,
    Path(org): Path<String>,
) -> Result<Response, ApiError> {
    let scope = org_scope(&state, &org).await?;
    let signer = signer(&state, &scope).await?;
    let note = signed_checkpoint(&*state.store, &scope, &signer, &origin(&state, &scope)).await?;
    // The latest revision is in the page cache already: no content read here.
    let witnesses = match state.pages.lookup(&state.store, &org).await? {
        crate::page_cache::Lookup::Found(page) => page.witnesses().to_vec(),
        _ => Vec::new(),
    };
    let note = state
        .witnessing
        .cosigned(&state.store, &scope, note, witnesses);
    Ok(text(note, "no-cache"))
}

/// The org's private audit log is signed under its own name and key.
pub fn audit_origin(state: &AppState, scope: &OrgScope) -> String {
    format!("{}/audit", origin(state, scope))
}

async fn audit_signer_for(state: &AppState, scope: &OrgScope) -> Result<NoteSigner, ApiError> {
    let master = master_key(state)?;
    Ok(audit_signer(&*state.store, scope, master, &audit_origin(state, scope)).await?)
}

/// `GET /api/v1/orgs/{org}/audit/key` (owners and admins).
pub async fn audit_key(
    State(state): State<AppState>,
    axum::extract::Extension(access): axum::extract::Extension<crate::caller::Access>,
) -> Result<Response, ApiError> {
    let signer = audit_signer_for(&state, &access.scope).await?;
    Ok(text(
        format!("{}\n", signer.verifier_key()),
        "private, max-age=3600",
    ))
}

/// `GET /api/v1/orgs/{org}/audit/checkpoint` (owners and admins): the audit log's
/// size and Merkle root, signed, to hand to an auditor.
pub async fn audit_checkpoint(
    State(state): State<AppState>,
    axum::extract::Extension(access): axum::extract::Extension<crate::caller::Access>,
) -> Result<Response, ApiError> {
    let signer = audit_signer_for(&state, &access.scope).await?;
    let note = signed_audit_checkpoint(
        &*state.store,
        &access.scope,
        &signer,
        &audit_origin(&state, &access.scope),
    )
    .await?;
    Ok(text(note, "no-store"))
}

/// The master key that unseals the org's signing keys, or why there is none.
fn master_key(state: &AppState) -> Result<&candor_store::keys::MasterKey, ApiError> {
    state
        .config
        .master_key
        .as_deref()
        .ok_or_else(not_configured)
}

fn not_configured() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "log_not_configured",
        "this server has no master key to sign its logs",
    )
}
