//! The public trust page, its JSON twin and its evidence, served from the page
//! cache ([`crate::page_cache`]); and [`published_org`], which the other public
//! pages (documents, reports) start from.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use candor_domain::{OrgSlug, Revision};
use candor_store::analytics::Metric;
use candor_store::{Org, OrgScope, scope_for};

use crate::error::ApiError;
use crate::page_cache::Lookup;
use crate::page_error::{PageError, PageResult};
use crate::state::AppState;
use crate::views::UnpublishedPage;

/// An org that has published, with its latest revision, or the 404 page.
pub async fn published_org(
    state: &AppState,
    slug: &str,
) -> Result<(Org, OrgScope, Revision), PageError> {
    let not_found = || PageError::not_found("trust center");
    let slug: OrgSlug = slug.parse().map_err(|_| not_found())?;
    let org = state.store.org_by_slug(&slug).await?;
    let scope = scope_for(&*state.store, &slug).await?;
    let revision = match &scope {
        Some(scope) => state.store.latest_revision(scope).await?,
        None => None,
    };
    match (org, scope, revision) {
        (Some(org), Some(scope), Some(revision)) => Ok((org, scope, revision)),
        _ => Err(not_found()),
    }
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

/// The org's cached page, or the answer saying why there is none: the API's
/// error envelope for machine-readable routes, an HTML page for the others.
pub(crate) async fn latest_page(
    state: &AppState,
    org: &str,
    envelope: bool,
) -> Result<std::sync::Arc<crate::page_cache::Rendered>, Response> {
    let missing = |message: &str| match envelope {
        true => ApiError::not_found(message).into_response(),
        false => PageError::not_found("trust center at this address").into_response(),
    };
    match state.pages.lookup(&state.store, org).await {
        Ok(Lookup::Found(page)) => Ok(page),
        Ok(Lookup::Unpublished(_)) => Err(missing(
            "this trust center has not published a revision yet",
        )),
        Ok(Lookup::Unknown) => Err(missing("no trust center at this address")),
        Err(e) if envelope => Err(ApiError::from(e).into_response()),
        Err(e) => Err(PageError::from(e).into_response()),
    }
}

pub(crate) fn cached_response(
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
    axum::extract::RawQuery(query): axum::extract::RawQuery,
    headers: HeaderMap,
) -> PageResult {
    match state.pages.lookup(&state.store, &org).await? {
        Lookup::Found(page) => {
            state.analytics.count(
                &org,
                Metric::PageView,
                crate::analytics::referrer_host(&headers),
            );
            if page.translations.is_empty() {
                return Ok(cached_response(
                    &headers,
                    &page.html_etag,
                    "text/html; charset=utf-8",
                    &page.html,
                ));
            }
            let accept = headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok());
            let (lang, html, etag) = page.in_language(query.as_deref(), accept);
            let mut response = cached_response(&headers, etag, "text/html; charset=utf-8", html);
            let h = response.headers_mut();
            h.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
            if let Ok(v) = HeaderValue::from_str(lang) {
                h.insert(header::CONTENT_LANGUAGE, v);
            }
            Ok(response)
        }
        Lookup::Unpublished(name) => {
            let body = UnpublishedPage { name: &name }.render()?;
            Ok((StatusCode::NOT_FOUND, Html(body)).into_response())
        }
        Lookup::Unknown => Err(PageError::not_found("trust center at this address")),
    }
}

/// The longest search the page accepts; a question is rarely longer.
const MAX_SEARCH_CHARS: usize = 300;

#[derive(serde::Deserialize)]
pub struct KnowledgeQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "questions.html")]
struct QuestionsPage<'a> {
    t: crate::i18n::Tr,
    slug: &'a str,
    name: &'a str,
    query: &'a str,
    revision: u64,
    hits: Vec<&'a candor_domain::model::KnowledgeEntry>,
}

/// `GET /{org}/questions?q=`: the public knowledge base searched, server-side.
pub async fn knowledge_search(
    State(state): State<AppState>,
    Path(org): Path<String>,
    axum::extract::Query(search): axum::extract::Query<KnowledgeQuery>,
) -> PageResult {
    let Lookup::Found(page) = state.pages.lookup(&state.store, &org).await? else {
        return Err(PageError::not_found("trust center at this address"));
    };
    let revision = page.revision();
    let query: String = search.q.trim().chars().take(MAX_SEARCH_CHARS).collect();
    let hits = match query.is_empty() {
        true => Vec::new(),
        false => candor_questionnaire::search(&revision.content.knowledge, &query, 20),
    };
    let body = QuestionsPage {
        t: crate::language::current(),
        slug: &org,
        name: revision.content.profile.name.as_str(),
        query: &query,
        revision: revision.number,
        hits,
    }
    .render()?;
    Ok(Html(body).into_response())
}

pub async fn trust_json(
    State(state): State<AppState>,
    Path(org): Path<String>,
    headers: HeaderMap,
) -> Response {
    match state.pages.lookup(&state.store, &org).await {
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
