//! The JSON API's handlers (`/api/v1`): public reads of published revisions,
//! stateless validation of trust-as-code documents, and the org-scoped
//! endpoints (draft, publish, audit, members, tokens, invitations, documents)
//! behind the access guard. Routes, their actions and the OpenAPI document are
//! in `crate::openapi`; errors are the JSON envelope (`crate::error`).

use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use candor_domain::audit::verify_chain;
use candor_domain::coverage::coverage;
use candor_domain::policy::Role;
use candor_domain::{OrgSlug, TrustCenter, canonical_json, diff};
use candor_store::{OrgScope, PublishOutcome, scope_for};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::caller::Access;
use crate::documents;
use crate::error::ApiError;
use crate::state::AppState;
use candor_app::members;

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
    let content = parse_document(&state, &headers, body).await?;
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
    let load =
        |n: u64, field: &'static str| {
            let (state, scope) = (state.clone(), scope.clone());
            async move {
                state.store.revision(&scope, n).await?.ok_or_else(|| {
                    ApiError::not_found(format!("no revision {n}")).with_field(field)
                })
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

// Org-scoped endpoints below run behind `access::guard`, which has already
// authenticated the caller and checked the action listed in `openapi::api_routes`.

/// Reads a JSON body, naming the failing field on error.
async fn json_body<T: DeserializeOwned>(state: &AppState, body: Body) -> Result<T, ApiError> {
    let bytes = to_bytes(body, state.config.body_limit)
        .await
        .map_err(|_| ApiError::for_status(StatusCode::PAYLOAD_TOO_LARGE))?;
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let field = e.path().to_string();
        let field = if field == "." { String::new() } else { field };
        ApiError::validation(field, e.into_inner().to_string())
    })
}

/// `GET /api/v1/orgs/{org}/draft`: the working draft and how it differs from the public page.
pub async fn get_draft(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> Result<Response, ApiError> {
    let latest = state.store.latest_revision(&access.scope).await?;
    let draft = state.store.draft(&access.scope).await?.map(|d| d.content);
    let Some(content) = draft.or_else(|| latest.as_ref().map(|r| r.content.clone())) else {
        return Err(ApiError::not_found("this org has no content yet"));
    };
    let changes = latest
        .as_ref()
        .map(|l| diff(&l.content, &content.published()).describe())
        .unwrap_or_default();
    Ok(Json(json!({
        "org": access.scope.slug(),
        "latest_revision": latest.map(|l| l.number),
        "content_hash": content.content_hash(),
        "changes": changes,
        "warnings": content.missing_translations(),
        "content": content,
    }))
    .into_response())
}

/// `PUT /api/v1/orgs/{org}/draft`: replaces the draft with a whole document (JSON or YAML).
pub async fn put_draft(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let content = parse_document(&state, &headers, body).await?;
    state.store.save_draft(&access.scope, &content).await?;
    let latest = state.store.latest_revision(&access.scope).await?;
    let changes = latest
        .as_ref()
        .map(|l| diff(&l.content, &content.published()).describe())
        .unwrap_or_default();
    Ok(Json(json!({
        "saved": true,
        "content_hash": content.content_hash(),
        "changes": changes,
        "warnings": content.missing_translations(),
    }))
    .into_response())
}

/// A trust-as-code document from a request body, by content type.
async fn parse_document(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<TrustCenter, ApiError> {
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
    let yaml = match content_type.as_str() {
        "application/json" => false,
        "application/yaml" | "application/x-yaml" | "text/yaml" => true,
        _ => return Err(ApiError::for_status(StatusCode::UNSUPPORTED_MEDIA_TYPE)),
    };
    let parsed = crate::parsing::off_runtime(move || {
        if yaml {
            let text = std::str::from_utf8(&bytes)
                .map_err(|_| candor_domain::ContentError::one("", "the document is not UTF-8"))?;
            TrustCenter::from_yaml(text)
        } else if let Some(content) = draft_envelope(&bytes) {
            // What GET …/draft returns, sent back as it is: its `content` is the document.
            TrustCenter::from_json(&content).map_err(|mut e| {
                for error in &mut e.errors {
                    error.field = match error.field.as_str() {
                        "" => "content".into(),
                        field => format!("content.{field}"),
                    };
                }
                e
            })
        } else {
            TrustCenter::from_json(&bytes)
        }
    })
    .await?;
    Ok(parsed)
}

/// The `content` of a body shaped like GET …/draft's answer (an object with
/// `content` and no `profile`), as JSON text.
fn draft_envelope(bytes: &[u8]) -> Option<Vec<u8>> {
    #[derive(serde::Deserialize)]
    struct Envelope {
        content: serde_json::Value,
        #[serde(default)]
        profile: Option<serde::de::IgnoredAny>,
    }
    let envelope: Envelope = serde_json::from_slice(bytes).ok()?;
    match (envelope.profile, envelope.content.is_object()) {
        (None, true) => serde_json::to_vec(&envelope.content).ok(),
        _ => None,
    }
}

/// `POST /api/v1/orgs/{org}/publish`.
pub async fn publish(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> Result<Response, ApiError> {
    match state.publish(&access).await? {
        PublishOutcome::Published { revision, changes } => Ok(Json(json!({
            "revision": revision.number,
            "content_hash": revision.content_hash,
            "changes": changes.describe(),
        }))
        .into_response()),
        PublishOutcome::Unchanged { latest } => Err(ApiError::new(
            StatusCode::CONFLICT,
            "nothing_to_publish",
            format!("the draft is identical to revision {latest}"),
        )),
        PublishOutcome::NoDraft => Err(ApiError::new(
            StatusCode::CONFLICT,
            "nothing_to_publish",
            "there is no draft",
        )),
        PublishOutcome::Held { restored_size } => Err(ApiError::new(
            StatusCode::CONFLICT,
            "log_held",
            candor_store::hold_explanation(access.scope.slug().as_str(), restored_size),
        )),
        PublishOutcome::Refused(refusal) => Err(ApiError::validation(
            refusal.field.clone(),
            refusal.to_string(),
        )),
    }
}

/// `GET /api/v1/orgs/{org}/audit`: every entry, and whether the chain verifies.
pub async fn audit(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> Result<Response, ApiError> {
    let log = state.store.audit_log(&access.scope).await?;
    let check = verify_chain(&log.entries, log.head);
    let entries: Vec<_> = log
        .entries
        .iter()
        .map(|e| {
            json!({
                "seq": e.seq,
                "at": e.event.at.format(&Rfc3339).unwrap_or_default(),
                "actor": e.event.actor,
                "action": e.event.action,
                "target": e.event.target,
                "hash": hex_string(&e.hash),
            })
        })
        .collect();
    Ok(Json(json!({
        "verified": check.is_ok(),
        "problem": check.err().map(|e| e.to_string()),
        "entries": entries,
    }))
    .into_response())
}

fn hex_string(bytes: &[u8; 32]) -> String {
    candor_domain::ContentHash(*bytes).hex()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    name: String,
    role: Role,
    #[serde(default = "default_token_days")]
    expires_in_days: u32,
}

fn default_token_days() -> u32 {
    90
}

/// `POST /api/v1/orgs/{org}/tokens`: the secret is in this response and nowhere else.
pub async fn create_token(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    body: Body,
) -> Result<Response, ApiError> {
    let request: NewToken = json_body(&state, body).await?;
    let (token, secret) = members::create_token(
        &*state.store,
        &access.actor(),
        &request.name,
        request.role,
        request.expires_in_days,
    )
    .await?;
    let body = json!({
        "id": token.id,
        "name": token.name,
        "role": token.role.as_str(),
        "expires_at": token.expires_at.format(&Rfc3339).unwrap_or_default(),
        "token": secret,
    });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `DELETE /api/v1/orgs/{org}/tokens/{id}`.
pub async fn revoke_token(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let id: uuid::Uuid = id
        .parse()
        .map_err(|_| ApiError::not_found("no such token"))?;
    if members::revoke_token(&*state.store, &access.actor(), id).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::not_found("no such live token"))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetMember {
    email: String,
    role: Role,
}

/// `PUT /api/v1/orgs/{org}/members`: adds an existing account to the org or changes its role.
pub async fn set_member(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    body: Body,
) -> Result<Response, ApiError> {
    let request: SetMember = json_body(&state, body).await?;
    let user =
        members::set_member(&*state.store, &access.actor(), &request.email, request.role).await?;
    Ok(Json(json!({"user": user.id, "role": request.role.as_str()})).into_response())
}

/// `DELETE /api/v1/orgs/{org}/members/{email}`.
pub async fn remove_member(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, email)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    members::remove_member(&*state.store, &access.actor(), &email).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /api/v1/orgs/{org}/leave`.
pub async fn leave(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> Result<Response, ApiError> {
    members::leave(&*state.store, &access.actor()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/v1/orgs/{org}/invites`.
pub async fn open_invites(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> Result<Response, ApiError> {
    let invites = state
        .store
        .open_invites(&access.scope, OffsetDateTime::now_utc())
        .await?;
    let list: Vec<_> = invites
        .iter()
        .map(|i| {
            json!({
                "id": i.id,
                "email": i.email,
                "role": i.role.as_str(),
                "created_at": i.created_at.format(&Rfc3339).unwrap_or_default(),
                "expires_at": i.expires_at.format(&Rfc3339).unwrap_or_default(),
            })
        })
        .collect();
    Ok(Json(json!({ "invites": list })).into_response())
}

/// `DELETE /api/v1/orgs/{org}/invites/{id}`.
pub async fn revoke_invite(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let id: uuid::Uuid = id
        .parse()
        .map_err(|_| ApiError::not_found("no open invitation with this id"))?;
    members::revoke_invite(&*state.store, &access.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewInvite {
    email: String,
    role: Role,
    #[serde(default = "default_invite_hours")]
    expires_in_hours: u32,
}

fn default_invite_hours() -> u32 {
    members::DEFAULT_INVITE_HOURS
}

/// `POST /api/v1/orgs/{org}/invites`: the link is in this response and nowhere else.
pub async fn create_invite(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    body: Body,
) -> Result<Response, ApiError> {
    let request: NewInvite = json_body(&state, body).await?;
    let (invite, link) = members::create_invite(
        &*state.store,
        &access.actor(),
        &request.email,
        request.role,
        request.expires_in_hours,
    )
    .await?;
    let body = json!({
        "id": invite.id,
        "role": invite.role.as_str(),
        "expires_at": invite.expires_at.format(&Rfc3339).unwrap_or_default(),
        "link": link,
    });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

// Gated documents: uploads (raw bytes) and the requests to decide. The rules
// are `crate::documents`', shared with the admin UI.

#[derive(Deserialize)]
pub struct UploadQuery {
    filename: Option<String>,
}

/// `PUT /api/v1/orgs/{org}/documents/{key}/file`: the raw bytes.
pub async fn upload_document(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, key)): Path<(String, String)>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let bytes = to_bytes(body, documents::UPLOAD_LIMIT)
        .await
        .map_err(|_| ApiError::for_status(StatusCode::PAYLOAD_TOO_LARGE))?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream");
    let filename = q.filename.unwrap_or_else(|| key.clone());
    let file =
        documents::store_upload(&state, &access, &key, &filename, content_type, &bytes).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "document": file.doc_key,
            "file": file.id,
            "filename": file.filename,
            "size": file.size,
            "sha256": file.sha256,
            "key_version": file.key_version,
        })),
    )
        .into_response())
}

/// `GET /api/v1/orgs/{org}/documents/requests`.
pub async fn document_requests(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let requests = state
        .store
        .document_requests(&access.scope)
        .await
        .map_err(ApiError::from)?;
    Ok(Json(json!({
        "requests": requests.iter().map(documents::request_json).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize)]
pub struct Decision {
    approve: bool,
    /// Approvals: how long the grant lasts (1–365 days; the org's default if absent).
    #[serde(default)]
    days: Option<u16>,
    /// Told to the reader with the decision (optional).
    #[serde(default)]
    note: String,
}

/// `POST /api/v1/orgs/{org}/documents/requests/{id}/decision`.
pub async fn decide_document_request(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
    body: Body,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id: Uuid = id
        .parse()
        .map_err(|_| ApiError::for_status(StatusCode::NOT_FOUND))?;
    let bytes = to_bytes(body, 4096)
        .await
        .map_err(|_| ApiError::for_status(StatusCode::PAYLOAD_TOO_LARGE))?;
    let decision: Decision = serde_json::from_slice(&bytes).map_err(|_| {
        ApiError::validation(
            "approve",
            "send {\"approve\": true, \"days\": 1 to 365} or {\"approve\": false}",
        )
    })?;
    let decided = documents::decide(
        &state,
        &access,
        id,
        decision.approve,
        decision.days,
        &decision.note,
    )
    .await?;
    Ok(Json(documents::request_json(&decided)))
}

// ---------------------------------------------------------------- reader access

/// `POST /api/v1/orgs/{org}/documents/requests/{id}/revoke`: ends a grant now.
pub async fn revoke_document_grant(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id: Uuid = id
        .parse()
        .map_err(|_| ApiError::for_status(StatusCode::NOT_FOUND))?;
    let revoked = documents::revoke(&state, &access, id).await?;
    Ok(Json(documents::request_json(&revoked)))
}

fn policy_json(policy: &candor_store::readers::ReaderPolicy) -> serde_json::Value {
    json!({
        "allow_domains": policy.allow_domains,
        "block_domains": policy.block_domains,
        "grant_days": policy.grant_days,
    })
}

/// `GET /api/v1/orgs/{org}/readers/policy`.
pub async fn reader_policy(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let policy = state.store.reader_policy(&access.scope).await?;
    Ok(Json(policy_json(&policy)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyBody {
    #[serde(default)]
    allow_domains: Vec<String>,
    #[serde(default)]
    block_domains: Vec<String>,
    grant_days: u16,
}

/// Reads a policy from its parts, naming the failing field.
pub(crate) fn checked_policy(
    allow: &str,
    block: &str,
    grant_days: u16,
) -> Result<candor_store::readers::ReaderPolicy, ApiError> {
    use candor_store::readers::{GRANT_DAYS, ReaderPolicy};
    let allow_domains =
        ReaderPolicy::parse_domains(allow).map_err(|e| ApiError::validation("allow_domains", e))?;
    let block_domains =
        ReaderPolicy::parse_domains(block).map_err(|e| ApiError::validation("block_domains", e))?;
    if !GRANT_DAYS.contains(&grant_days) {
        return Err(ApiError::validation(
            "grant_days",
            format!("from {} to {} days", GRANT_DAYS.start(), GRANT_DAYS.end()),
        ));
    }
    Ok(ReaderPolicy {
        allow_domains,
        block_domains,
        grant_days,
    })
}

/// `PUT /api/v1/orgs/{org}/readers/policy`.
pub async fn set_reader_policy(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    body: Body,
) -> Result<Json<serde_json::Value>, ApiError> {
    let body: PolicyBody = json_body(&state, body).await?;
    let policy = checked_policy(
        &body.allow_domains.join("\n"),
        &body.block_domains.join("\n"),
        body.grant_days,
    )?;
    candor_app::readers::set_policy(&*state.store, &access.scope, &policy, &access.actor).await?;
    Ok(Json(policy_json(&policy)))
}

#[derive(Deserialize)]
pub struct HistoryQuery {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    document: Option<String>,
}

/// `GET /api/v1/orgs/{org}/readers/history`: newest first, one reader's
/// (`email`), one document's (`document`) or everyone's.
pub async fn reader_history(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Query(q): Query<HistoryQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let filter = candor_store::readers::ReaderFilter {
        email: q.email.map(|e| crate::auth::normalize_email(&e)),
        doc_key: q.document,
    };
    let events = state
        .store
        .reader_events(&access.scope, &filter, 1000)
        .await?;
    Ok(Json(json!({
        "events": events.iter().map(candor_app::export::reader_event_json).collect::<Vec<_>>(),
    })))
}

fn endpoint_json(hook: &candor_store::readers::EventHook) -> serde_json::Value {
    json!({
        "id": hook.id,
        "url": hook.url,
        "created_at": hook.created_at.format(&Rfc3339).unwrap_or_default(),
        "events": candor_app::compose::OperatorEvent::ALL.map(|e| e.as_str()),
    })
}

/// `GET /api/v1/orgs/{org}/event-endpoints`.
pub async fn event_endpoints(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let hooks = state.store.event_hooks(&access.scope).await?;
    Ok(Json(json!({
        "endpoints": hooks.iter().map(endpoint_json).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointBody {
    url: String,
}

/// `POST /api/v1/orgs/{org}/event-endpoints`: the secret is returned once.
pub async fn add_event_endpoint(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    body: Body,
) -> Result<Response, ApiError> {
    let body: EndpointBody = json_body(&state, body).await?;
    let (hook, secret) = add_endpoint(&state, &access, &body.url).await?;
    let mut answer = endpoint_json(&hook);
    answer["secret"] = json!(secret);
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// Adds an event endpoint, with errors in the API's envelope.
pub(crate) async fn add_endpoint(
    state: &AppState,
    access: &Access,
    url: &str,
) -> Result<(candor_store::readers::EventHook, String), ApiError> {
    use candor_app::readers::EndpointError;
    candor_app::readers::add_event_endpoint(
        &*state.store,
        &access.scope,
        state.config.master_key.as_deref(),
        url,
        state.config.allow_private_webhooks,
        &access.actor,
    )
    .await
    .map_err(|e| match e {
        EndpointError::Target(t) => ApiError::validation("url", t.to_string()),
        EndpointError::Exists => ApiError::new(
            StatusCode::CONFLICT,
            "exists",
            "this endpoint is already added",
        ),
        EndpointError::NoMasterKey => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "encryption_not_configured",
            "this server has no master key to seal the signing secret with",
        ),
        EndpointError::Random => ApiError::internal(),
        EndpointError::Store(e) => ApiError::from(e),
    })
}

/// `DELETE /api/v1/orgs/{org}/event-endpoints/{id}`.
pub async fn remove_event_endpoint(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let id: Uuid = id
        .parse()
        .map_err(|_| ApiError::not_found("no such endpoint"))?;
    if candor_app::readers::remove_event_endpoint(&*state.store, &access.scope, id, &access.actor)
        .await?
    {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::not_found("no such endpoint"))
    }
}
