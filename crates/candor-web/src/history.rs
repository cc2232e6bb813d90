//! Machine-readable history: `GET /{org}/revisions.json` lists every revision
//! (number, time, content hash, log index, what changed, in words) and
//! `GET /{org}/revisions/{n}/trust.json` serves any revision as it was
//! published, byte for byte the document `trust.json` served then, so an
//! assessor can read the page as it stood on any date and check it against
//! the signed log.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use candor_domain::{OrgSlug, canonical_json, diff};
use candor_store::{OrgScope, RevisionSummary, Store, scope_for};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

use crate::error::ApiError;
use crate::page_cache::etag_for;
use crate::pages::cached_response;
use crate::state::AppState;

/// Orgs whose history is kept rendered; past it, the cache starts again.
const CACHED_ORGS: usize = 1024;

/// One org's history as last rendered: a row per revision, oldest first (a
/// revision never changes, so rows are only ever added).
struct History {
    rows: Vec<Value>,
    /// The latest revision's hash when rendered, so a restored database that
    /// reuses a number is not served stale rows.
    latest_hash: String,
    body: Bytes,
    etag: HeaderValue,
}

/// Rendered histories, per org.
#[derive(Default)]
pub struct HistoryCache(RwLock<HashMap<OrgSlug, Arc<History>>>);

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn not_found() -> ApiError {
    ApiError::not_found("no published trust center at this address")
}

async fn org_scope(state: &AppState, org: &str) -> Result<OrgScope, ApiError> {
    let slug: OrgSlug = org.parse().map_err(|_| not_found())?;
    scope_for(&*state.store, &slug).await?.ok_or_else(not_found)
}

/// The rows for revisions `from..=to`, each with what changed since the one before.
async fn rows(
    store: &dyn Store,
    scope: &OrgScope,
    summaries: &[RevisionSummary],
    from: u64,
) -> candor_store::Result<Vec<Value>> {
    let slug = scope.slug().as_str();
    let mut out = Vec::new();
    let mut previous = match from {
        0 | 1 => None,
        n => store.revision(scope, n - 1).await?,
    };
    // Summaries are newest first; rows are built oldest first.
    for summary in summaries.iter().rev().filter(|s| s.number >= from) {
        let Some(revision) = store.revision(scope, summary.number).await? else {
            continue;
        };
        let (first, changes) = match &previous {
            Some(p) => (false, diff(&p.content, &revision.content).describe()),
            None => (true, Vec::new()),
        };
        let index = revision.number.saturating_sub(1);
        out.push(json!({
            "revision": revision.number,
            "published_at": rfc3339(revision.published_at),
            "content_hash": revision.content_hash.to_string(),
            "log_index": index,
            "log_entry": format!("/{slug}/log/entries/{index}"),
            "trust_json": format!("/{slug}/revisions/{}/trust.json", revision.number),
            "first": first,
            "changes": changes,
        }));
        previous = Some(revision);
    }
    Ok(out)
}

/// `GET /{org}/revisions.json`: newest first.
pub async fn revisions(
    State(state): State<AppState>,
    Path(org): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let scope = org_scope(&state, &org).await?;
    let summaries = state.store.revisions(&scope).await?;
    let Some(latest) = summaries.first() else {
        return Err(not_found());
    };
    let latest_hash = latest.content_hash.to_string();
    let slug = scope.slug().clone();
    let cached = state
        .history
        .0
        .read()
        .ok()
        .and_then(|m| m.get(&slug).cloned());
    if let Some(h) = &cached
        && h.rows.len() == summaries.len()
        && h.latest_hash == latest_hash
    {
        return Ok(cached_response(
            &headers,
            &h.etag,
            "application/json",
            &h.body,
        ));
    }
    // Keep what was rendered when it is a prefix of today's history.
    let mut all = match &cached {
        Some(h)
            if h.rows.len() < summaries.len()
                && summaries
                    .iter()
                    .find(|s| s.number == h.rows.len() as u64)
                    .is_some_and(|s| {
                        h.rows.last().and_then(|r| r["content_hash"].as_str())
                            == Some(s.content_hash.to_string().as_str())
                    }) =>
        {
            h.rows.clone()
        }
        _ => Vec::new(),
    };
    let from = all.len() as u64 + 1;
    all.extend(rows(&*state.store, &scope, &summaries, from).await?);
    let newest_first: Vec<&Value> = all.iter().rev().collect();
    let document = json!({
        "org": slug.as_str(),
        "revisions": newest_first,
        "checkpoint": format!("/{slug}/log/checkpoint"),
        "log_key": format!("/{slug}/log/key"),
    });
    let body = Bytes::from(canonical_json(&document));
    let history = Arc::new(History {
        rows: all,
        latest_hash,
        etag: etag_for(&body),
        body,
    });
    if let Ok(mut m) = state.history.0.write() {
        if m.len() >= CACHED_ORGS && !m.contains_key(&slug) {
            m.clear();
        }
        m.insert(slug, history.clone());
    }
    Ok(cached_response(
        &headers,
        &history.etag,
        "application/json",
        &history.body,
    ))
}

/// `GET /{org}/revisions/{n}/trust.json`: revision `n` as `trust.json` served
/// it; it never changes, so it may be cached for ever.
pub async fn revision_json(
    State(state): State<AppState>,
    Path((org, number)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let scope = org_scope(&state, &org).await?;
    let no_revision = || ApiError::not_found(format!("no revision {number} here"));
    let n: u64 = number.parse().map_err(|_| no_revision())?;
    let revision = state
        .store
        .revision(&scope, n)
        .await?
        .ok_or_else(no_revision)?;
    let body = Bytes::from(canonical_json(&revision.document(scope.slug().as_str())));
    let etag = etag_for(&body);
    let mut response = if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, "application/json")], body).into_response()
    };
    let h = response.headers_mut();
    h.insert(header::ETAG, etag);
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(response)
}
