//! OSCAL over HTTP: each framework Candor ships as a catalogue and a profile
//! (`/oscal/catalogs/{framework}.json`, `/oscal/profiles/{framework}.json`),
//! and an org's published controls as a component definition
//! (`/{org}/oscal/component-definition.json`), built from the cached page's
//! revision and the evidence it was rendered with. The documents themselves
//! are written by `candor_formats::oscal`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use candor_domain::catalogue::FrameworkId;
use candor_formats::oscal::{self, CheckResult, Component, Site};
use candor_store::evidence::EvidenceSnapshot;

use crate::error::ApiError;
use crate::page_cache::{Lookup, etag_for};
use crate::pages::cached_response;
use crate::state::AppState;
use crate::views::Standing;

const JSON: &str = "application/json";

fn framework(file: &str) -> Result<FrameworkId, ApiError> {
    file.strip_suffix(".json")
        .and_then(|f| f.parse().ok())
        .ok_or_else(|| ApiError::not_found("no such framework"))
}

fn document(headers: &HeaderMap, value: &serde_json::Value, cache: &'static str) -> Response {
    let body = Bytes::from(serde_json::to_vec_pretty(value).unwrap_or_default());
    let mut response = cached_response(headers, &etag_for(&body), JSON, &body);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// A framework's catalogue: it changes only with Candor's release.
pub async fn catalog(Path(file): Path<String>, headers: HeaderMap) -> Result<Response, ApiError> {
    let framework = framework(&file)?;
    Ok(document(
        &headers,
        &oscal::catalog(framework),
        "public, max-age=3600",
    ))
}

/// A framework's profile: the whole catalogue.
pub async fn profile(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let framework = framework(&file)?;
    let site = Site {
        base: &state.config.public_url,
    };
    Ok(document(
        &headers,
        &oscal::profile(framework, site),
        "public, max-age=3600",
    ))
}

/// The org's latest revision as a component definition, with where each
/// check stands now.
pub async fn component_definition(
    State(state): State<AppState>,
    Path(org): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Lookup::Found(page) = state.pages.lookup(&state.store, &org).await? else {
        return Err(ApiError::not_found(
            "no published trust center at this address",
        ));
    };
    let revision = page.revision();
    let checks = check_results(
        revision,
        page.evidence(),
        time::OffsetDateTime::now_utc(),
        state.config.check_interval,
    );
    let doc = oscal::component_definition(Component {
        slug: &org,
        revision,
        site: Site {
            base: &state.config.public_url,
        },
        checks: &checks,
    });
    Ok(document(&headers, &doc, "public, no-cache"))
}

/// Where each check the revision's controls name stands at `now` (none
/// without evidence), as the page says it.
pub fn check_results(
    revision: &candor_domain::Revision,
    evidence: Option<&EvidenceSnapshot>,
    now: time::OffsetDateTime,
    interval: std::time::Duration,
) -> Vec<CheckResult> {
    let Some(evidence) = evidence else {
        return Vec::new();
    };
    let verified = evidence.verified_hosts();
    revision
        .content
        .controls
        .iter()
        .flat_map(|c| &c.checks)
        .map(|check| {
            let kind = candor_app::evidence::kind_name(check.check);
            let host = check.host.as_str();
            let standing = Standing::of(&evidence.records, &verified, host, kind, now, interval);
            CheckResult {
                host: host.to_owned(),
                check: kind.to_owned(),
                verdict: standing.verdict().to_owned(),
                checked_at: standing.record().map(|r| r.ran_at),
                summary: standing
                    .record()
                    .map(|r| r.summary.clone())
                    .unwrap_or_default(),
            }
        })
        .collect()
}
