//! The public trust page and its JSON twin, served from memory.
//!
//! A rendered page is cached per org together with the revision number it shows.
//! After `revalidate_after` the next request asks the store (cheaply) for the latest
//! revision number and re-renders only if it changed, so several stateless replicas
//! pick up a publish made anywhere within that interval.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use candor_domain::types::Day;
use candor_domain::{ContentHash, OrgSlug, Revision, canonical_json};
use candor_store::{StoreError, scope_for};

use crate::AppState;
use crate::error::ApiError;
use crate::page_error::{PageError, PageResult};
use crate::views::{TrustPage, UnpublishedPage};

/// One org's latest revision, rendered.
pub struct Rendered {
    pub number: u64,
    day: Day,
    /// What the evidence looked like when rendered (newest run, hour of rendering),
    /// so that new results, and results going stale, re-render the page.
    evidence_key: Option<EvidenceKey>,
    html: Bytes,
    html_etag: HeaderValue,
    json: Bytes,
    json_etag: HeaderValue,
    /// Milliseconds since the cache's epoch when the store was last asked.
    checked_ms: AtomicU64,
}

pub struct PageCache {
    epoch: Instant,
    revalidate_after: Duration,
    entries: RwLock<HashMap<OrgSlug, Arc<Rendered>>>,
}

pub enum Lookup {
    Found(Arc<Rendered>),
    Unpublished(String),
    Unknown,
}

fn today() -> Day {
    Day(time::OffsetDateTime::now_utc().date())
}

impl PageCache {
    pub fn new(revalidate_after: Duration) -> PageCache {
        PageCache {
            epoch: Instant::now(),
            revalidate_after,
            entries: RwLock::new(HashMap::new()),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn cached(&self, slug: &OrgSlug) -> Option<Arc<Rendered>> {
        self.entries.read().ok()?.get(slug).cloned()
    }

    /// Drops an org's page so the next request renders afresh (after a local publish).
    pub fn invalidate(&self, slug: &OrgSlug) {
        if let Ok(mut entries) = self.entries.write() {
            entries.remove(slug);
        }
    }

    pub async fn lookup(&self, state: &AppState, slug: &str) -> Result<Lookup, StoreError> {
        let Ok(slug) = slug.parse::<OrgSlug>() else {
            return Ok(Lookup::Unknown);
        };
        let cached = self.cached(&slug);
        let now = self.now_ms();
        let fresh_for = u64::try_from(self.revalidate_after.as_millis()).unwrap_or(u64::MAX);
        if let Some(page) = &cached
            && now.saturating_sub(page.checked_ms.load(Ordering::Relaxed)) < fresh_for
            && page.day == today()
        {
            return Ok(Lookup::Found(page.clone()));
        }
        let store = &*state.store;
        let Some(scope) = scope_for(store, &slug).await? else {
            self.invalidate(&slug);
            return Ok(Lookup::Unknown);
        };
        let Some(latest) = store.latest_revision_summary(&scope).await? else {
            let name = store
                .org_by_slug(&slug)
                .await?
                .map(|o| o.name)
                .unwrap_or_default();
            return Ok(Lookup::Unpublished(name));
        };
        let current_key = match &cached {
            Some(page) if page.evidence_key.is_none() => None,
            _ => evidence_key(store, &scope).await?,
        };
        if let Some(page) = cached
            && page.number == latest.number
            && page.day == today()
            && page.evidence_key == current_key
        {
            page.checked_ms.store(now, Ordering::Relaxed);
            return Ok(Lookup::Found(page));
        }
        let Some(revision) = store.revision(&scope, latest.number).await? else {
            return Ok(Lookup::Unknown);
        };
        let has_checks = revision
            .content
            .controls
            .iter()
            .any(|c| !c.checks.is_empty());
        let evidence = if has_checks {
            let records = store.evidence(&scope).await?;
            let verified: Vec<String> = store
                .host_claims(&scope)
                .await?
                .into_iter()
                .filter(|c| c.verified_at.is_some())
                .map(|c| c.host)
                .collect();
            Some((records, verified))
        } else {
            None
        };
        // The verifier key is printed on the page; without a master key there is none.
        let log_key = match state.config.master_key {
            Some(_) => match crate::log::signer(state, &scope).await {
                Ok(signer) => Some(signer.verifier_key()),
                Err(e) => {
                    tracing::error!(code = e.code, "could not load the log signing key");
                    None
                }
            },
            None => None,
        };
        // The log as it stood when this revision was published: its size is the
        // revision number, and its root is what that checkpoint signed.
        let log_root = candor_store::log::log_root(store, &scope, revision.number).await?;
        let log = LogView {
            key: log_key,
            root: base64::Engine::encode(&base64::engine::general_purpose::STANDARD, log_root),
        };
        let key = if has_checks {
            evidence_key(store, &scope).await?
        } else {
            None
        };
        let page = Arc::new(render(
            &slug,
            &revision,
            log,
            now,
            evidence.as_ref(),
            state.config.check_interval,
            key,
        )?);
        if let Ok(mut entries) = self.entries.write() {
            entries.insert(slug, page.clone());
        }
        Ok(Lookup::Found(page))
    }
}

/// What the page says about the transparency log.
struct LogView {
    key: Option<String>,
    root: String,
}

/// The evidence's newest run, how many records, and the current hour: a change in
/// any of them re-renders a page that shows evidence.
/// What the evidence shown depends on: the newest run and the number of
/// results, which hosts are verified (a host whose proof is gone shows "not
/// verified" without any new run), and the hour, so results going stale show.
type EvidenceKey = (i64, usize, Vec<(String, i64)>, i64);

async fn evidence_key(
    store: &dyn candor_store::Store,
    scope: &candor_store::OrgScope,
) -> Result<Option<EvidenceKey>, StoreError> {
    let records = store.evidence(scope).await?;
    let newest = records
        .iter()
        .map(|r| r.ran_at.unix_timestamp())
        .max()
        .unwrap_or(0);
    let verified = store
        .host_claims(scope)
        .await?
        .into_iter()
        .filter_map(|c| c.verified_at.map(|at| (c.host, at.unix_timestamp())))
        .collect();
    let hour = time::OffsetDateTime::now_utc().unix_timestamp() / 3600;
    Ok(Some((newest, records.len(), verified, hour)))
}

type EvidenceInput = (Vec<candor_store::evidence::EvidenceRecord>, Vec<String>);

fn render(
    slug: &OrgSlug,
    revision: &Revision,
    log: LogView,
    now_ms: u64,
    evidence: Option<&EvidenceInput>,
    check_interval: Duration,
    evidence_key: Option<EvidenceKey>,
) -> Result<Rendered, StoreError> {
    let day = today();
    let mut page = TrustPage::new(slug.as_str(), revision, day);
    page.log_key = log.key;
    page.log_root = Some(log.root);
    if let Some((records, verified)) = evidence {
        crate::views::attach_evidence(
            &mut page,
            records,
            verified,
            time::OffsetDateTime::now_utc(),
            check_interval,
        );
    }
    let html = page
        .render()
        .map_err(|e| StoreError::Backend(format!("rendering {slug}: {e}")))?;
    // The whole document is canonical JSON, so `content` can be hashed as served.
    let json = canonical_json(&revision.document(slug.as_str()));
    Ok(Rendered {
        number: revision.number,
        day,
        evidence_key,
        html_etag: etag_for(html.as_bytes()),
        html: Bytes::from(html),
        json_etag: etag_for(&json),
        json: Bytes::from(json),
        checked_ms: AtomicU64::new(now_ms),
    })
}

/// A strong ETag from the bytes themselves, so any change in rendering changes it.
pub fn etag_for(bytes: &[u8]) -> HeaderValue {
    let hex = ContentHash::of(bytes).hex();
    HeaderValue::from_str(&format!("\"{}\"", &hex[..32]))
        .unwrap_or(HeaderValue::from_static("\"0\""))
}

/// True when the client's If-None-Match names this ETag (or `*`).
fn not_modified(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t.as_bytes() == etag.as_bytes())
}

fn cached_response(
    headers: &HeaderMap,
    etag: &HeaderValue,
    content_type: &'static str,
    body: &Bytes,
) -> Response {
    let mut response = if not_modified(headers, etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type)], body.clone()).into_response()
    };
    let h = response.headers_mut();
    h.insert(header::ETAG, etag.clone());
    // Always revalidate: the latest revision can change at any time, and a 304 is cheap.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, no-cache"),
    );
    response
}

pub async fn trust_page(
    State(state): State<AppState>,
    Path(org): Path<String>,
    headers: HeaderMap,
) -> PageResult {
    match state.pages.lookup(&state, &org).await? {
        Lookup::Found(page) => Ok(cached_response(
            &headers,
            &page.html_etag,
            "text/html; charset=utf-8",
            &page.html,
        )),
        Lookup::Unpublished(name) => {
            let body = UnpublishedPage { name: &name }.render()?;
            Ok((StatusCode::NOT_FOUND, Html(body)).into_response())
        }
        Lookup::Unknown => Err(PageError::not_found("trust center at this address")),
    }
}

pub async fn trust_json(
    State(state): State<AppState>,
    Path(org): Path<String>,
    headers: HeaderMap,
) -> Response {
    match state.pages.lookup(&state, &org).await {
        Ok(Lookup::Found(page)) => {
            cached_response(&headers, &page.json_etag, "application/json", &page.json)
        }
        Ok(Lookup::Unpublished(_)) => {
            ApiError::not_found("this trust center has not published a revision yet")
                .into_response()
        }
        Ok(Lookup::Unknown) => {
            ApiError::not_found("no trust center at this address").into_response()
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// `GET /{org}/evidence.json`: every evidence result behind the page, with the
/// findings and the raw observations (headers, certificate, redirect, the
/// security.txt served, the Observatory-rules tests) each verdict was drawn
/// from, so a reader can check the verdicts without trusting them.
pub async fn evidence_json(State(state): State<AppState>, Path(org): Path<String>) -> Response {
    let Ok(slug) = org.parse::<OrgSlug>() else {
        return ApiError::not_found("no trust center at this address").into_response();
    };
    let scope = match scope_for(&*state.store, &slug).await {
        Ok(Some(scope)) => scope,
        Ok(None) => return ApiError::not_found("no trust center at this address").into_response(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let (records, claims) = match (
        state.store.evidence(&scope).await,
        state.store.host_claims(&scope).await,
    ) {
        (Ok(r), Ok(c)) => (r, c),
        (Err(e), _) | (_, Err(e)) => return ApiError::from(e).into_response(),
    };
    let rfc3339 = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    let results: Vec<serde_json::Value> = records
        .iter()
        .map(|r| {
            let verified = claims
                .iter()
                .any(|c| c.host == r.host && c.verified_at.is_some());
            let detail: serde_json::Value =
                serde_json::from_str(&r.findings_json).unwrap_or(serde_json::Value::Null);
            serde_json::json!({
                "host": r.host,
                "check": r.check,
                "host_verified": verified,
                "ran_at": rfc3339(r.ran_at),
                "verdict": r.verdict,
                "summary": r.summary,
                "failing_since": r.failing_since.map(rfc3339),
                "findings": detail.get("findings").cloned().unwrap_or(detail.clone()),
                "observed": detail.get("observed").cloned().unwrap_or(serde_json::Value::Null),
            })
        })
        .collect();
    let body = serde_json::json!({
        "org": slug.as_str(),
        "check_interval_seconds": state.config.check_interval.as_secs(),
        "results": results,
    });
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body.to_string(),
    )
        .into_response()
}

/// `/{org}/` → `/{org}`: one address per page.
pub async fn without_trailing_slash(Path(org): Path<String>) -> PageResult {
    match org.parse::<OrgSlug>() {
        Ok(slug) => Ok(axum::response::Redirect::permanent(&format!("/{slug}")).into_response()),
        Err(_) => Err(PageError::not_found("page at this address")),
    }
}
