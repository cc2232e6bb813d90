//! The public, read-only part of the JSON API (`/api/v1`), plus stateless validation
//! of trust-as-code documents for CI pipelines. Writes arrive with accounts and roles.

use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use candor_domain::coverage::coverage;
use candor_domain::{OrgSlug, TrustCenter, canonical_json, diff};
use candor_store::{OrgScope, scope_for};
use serde::Deserialize;
use serde_json::json;
use time::format_description::well_known::Rfc3339;

use crate::AppState;
use crate::error::ApiError;

async fn public_scope(state: &AppState, org: &str) -> Result<OrgScope, ApiError> {
    let slug: OrgSlug = org
        .parse()
        .map_err(|_| ApiError::not_found("no such org"))?;
    scope_for(&*state.store, &slug)
        .await?
        .ok_or_else(|| ApiError::not_found("no such org"))
}

/// `POST /api/v1/validate`: checks a trust-as-code document without storing anything.
pub async fn validate(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let bytes = to_bytes(body, state.config.body_limit)
        .await
        .map_err(|_| ApiError::for_status(StatusCode::PAYLOAD_TOO_LARGE))?;
    let parsed = match content_type.as_str() {
        "application/json" => TrustCenter::from_json(&bytes),
        "application/yaml" | "application/x-yaml" | "text/yaml" => {
            let text = std::str::from_utf8(&bytes)
                .map_err(|_| ApiError::validation("", "the document is not UTF-8"))?;
            TrustCenter::from_yaml(text)
        }
        _ => return Err(ApiError::for_status(StatusCode::UNSUPPORTED_MEDIA_TYPE)),
    };
    let content = parsed.map_err(|e| {
        let first = e.first();
        ApiError::validation(first.field.clone(), e.to_string())
    })?;
    Ok(Json(json!({
        "valid": true,
        "content_hash": content.content_hash(),
        "controls": content.controls.len(),
        "coverage": coverage(&content),
    }))
    .into_response())
}

/// `GET /api/v1/orgs/{org}/revisions`: every published revision, newest first.
pub async fn revisions(
    State(state): State<AppState>,
    Path(org): Path<String>,
) -> Result<Response, ApiError> {
    let scope = public_scope(&state, &org).await?;
    let list = state.store.revisions(&scope).await?;
    let items: Vec<_> = list
        .iter()
        .map(|r| {
            json!({
                "number": r.number,
                "content_hash": r.content_hash,
                "published_at": r.published_at.format(&Rfc3339).unwrap_or_default(),
            })
        })
        .collect();
    Ok(Json(json!({ "org": scope.slug(), "revisions": items })).into_response())
}

/// `GET /api/v1/orgs/{org}/revisions/{number}`: one revision in the trust.json form.
pub async fn revision(
    State(state): State<AppState>,
    Path((org, number)): Path<(String, u64)>,
) -> Result<Response, ApiError> {
    let scope = public_scope(&state, &org).await?;
    let revision = state
        .store
        .revision(&scope, number)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no revision {number}")))?;
    let body = canonical_json(&revision.document(scope.slug().as_str()));
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

#[derive(Deserialize)]
pub struct DiffQuery {
    from: u64,
    to: u64,
}

/// `GET /api/v1/orgs/{org}/diff?from=&to=`: what changed between two revisions.
pub async fn revision_diff(
    State(state): State<AppState>,
    Path(org): Path<String>,
    Query(q): Query<DiffQuery>,
) -> Result<Response, ApiError> {
    let scope = public_scope(&state, &org).await?;
    let load = |n: u64, field: &'static str| {
        let (state, scope) = (state.clone(), scope.clone());
        async move {
            state
                .store
                .revision(&scope, n)
                .await?
                .ok_or_else(|| ApiError::validation(field, format!("no revision {n}")))
        }
    };
    let from = load(q.from, "from").await?;
    let to = load(q.to, "to").await?;
    let changes = diff(&from.content, &to.content);
    Ok(Json(json!({
        "org": scope.slug(),
        "from": from.number,
        "to": to.number,
        "summary": changes.describe(),
        "sections": changes.sections,
    }))
    .into_response())
}
