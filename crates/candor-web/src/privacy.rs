//! Data-subject rights (GDPR articles 15 and 17) and the org's own exit:
//! a subscriber downloads or erases their data with the link in every mail; an
//! admin answers a request from anyone (subscriber, document requester, reporter)
//! by email address; an owner exports the whole org as one archive, or deletes it.

use askama::Template;
use axum::Form;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use candor_domain::OrgSlug;
use candor_domain::audit::AuditEvent;
use candor_store::documents::{StoredReport, open_file, open_record, seal_record};
use candor_store::privacy::{ErasedCounts, PersonErasure, ResealedReport, subject_ref};
use candor_store::{OrgScope, scope_for};
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::auth::normalize_email;
use crate::caller::Access;
use crate::documents::request_json;
use crate::page_error::not_found_page;
use crate::page_error::{internal, render};
use crate::reports::ReportContent;
use crate::state::AppState;

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn opt_time(t: Option<OffsetDateTime>) -> Value {
    t.map(|t| Value::String(rfc3339(t))).unwrap_or(Value::Null)
}

/// A JSON document sent as a file to keep.
fn attachment(name: &str, value: &Value) -> Response {
    let body = serde_json::to_string_pretty(value).unwrap_or_default();
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn decrypted_reports(
    state: &AppState,
    scope: &OrgScope,
) -> Result<Vec<(StoredReport, ReportContent)>, Response> {
    let Some(master) = &state.config.master_key else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for r in state.store.reports(scope).await.map_err(internal)? {
        let bytes = open_record(
            &*state.store,
            scope,
            master,
            "report",
            r.id,
            r.key_version,
            &r.sealed,
        )
        .await
        .map_err(internal)?;
        let content: ReportContent = serde_json::from_slice(&bytes).map_err(internal)?;
        out.push((r, content));
    }
    Ok(out)
}

fn report_json(r: &StoredReport, c: &ReportContent) -> Value {
    json!({
        "id": r.id,
        "received_at": rfc3339(r.received_at),
        "acknowledge_by": rfc3339(r.ack_due_at),
        "acknowledged_at": opt_time(r.acknowledged_at),
        "title": c.title,
        "details": c.details,
        "asset": c.asset,
        "name": c.name,
        "email": c.email,
    })
}

fn subscriber_json(s: &candor_store::outbox::Subscriber) -> Value {
    json!({
        "channel": s.channel.as_str(),
        "address": s.address,
        "topics": s.topics.as_str(),
        "created_at": rfc3339(s.created_at),
        "confirmed_at": opt_time(s.confirmed_at),
        "unsubscribed_at": opt_time(s.unsubscribed_at),
    })
}

/// Everything the org holds about the person with this email address.
async fn person_data(state: &AppState, scope: &OrgScope, email: &str) -> Result<Value, Response> {
    let store = &state.store;
    let subscribers: Vec<_> = store
        .subscribers(scope)
        .await
        .map_err(internal)?
        .into_iter()
        .filter(|s| s.address == email)
        .collect();
    let objections: Vec<Value> = store
        .objections(scope)
        .await
        .map_err(internal)?
        .into_iter()
        .filter(|o| subscribers.iter().any(|s| s.id == o.subscriber_id))
        .map(|o| json!({"subprocessor": o.subprocessor, "reason": o.reason, "created_at": rfc3339(o.created_at)}))
        .collect();
    let requests: Vec<_> = store
        .document_requests(scope)
        .await
        .map_err(internal)?
        .into_iter()
        .filter(|r| r.email == email)
        .collect();
    let downloads: Vec<Value> = store
        .downloads(scope)
        .await
        .map_err(internal)?
        .into_iter()
        .filter(|d| {
            d.request_id
                .is_some_and(|id| requests.iter().any(|r| r.id == id))
        })
        .map(|d| json!({"document": d.doc_key, "at": rfc3339(d.at)}))
        .collect();
    let reports: Vec<Value> = decrypted_reports(state, scope)
        .await?
        .iter()
        .filter(|(_, c)| c.email == email)
        .map(|(r, c)| report_json(r, c))
        .collect();
    Ok(json!({
        "subject": email,
        "org": scope.slug().as_str(),
        "generated_at": rfc3339(OffsetDateTime::now_utc()),
        "subscriptions": subscribers.iter().map(subscriber_json).collect::<Vec<_>>(),
        "objections": objections,
        "document_requests": requests.iter().map(request_json).collect::<Vec<_>>(),
        "downloads": downloads,
        "vulnerability_reports": reports,
    }))
}

/// The person's vulnerability reports, sealed again without their name and
/// address (a report is the org's security record: it stays, without who sent it).
async fn reports_without(
    state: &AppState,
    scope: &OrgScope,
    email: &str,
) -> Result<Vec<ResealedReport>, Response> {
    let Some(master) = &state.config.master_key else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (r, mut c) in decrypted_reports(state, scope).await? {
        if c.email != email {
            continue;
        }
        c.email.clear();
        c.name.clear();
        let bytes = serde_json::to_vec(&c).map_err(internal)?;
        let (key_version, sealed) =
            seal_record(&*state.store, scope, master, "report", r.id, &bytes)
                .await
                .map_err(internal)?;
        out.push(ResealedReport {
            id: r.id,
            key_version,
            sealed,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------- self-service

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

async fn subscriber_by_token(
    state: &AppState,
    slug: &str,
    token: &str,
) -> Result<(OrgScope, candor_store::outbox::Subscriber), Response> {
    let not_found = || not_found_page("subscription");
    let slug: OrgSlug = slug.parse().map_err(|_| not_found())?;
    let scope = scope_for(&*state.store, &slug)
        .await
        .map_err(internal)?
        .ok_or_else(not_found)?;
    let subscriber = crate::subscribe::subscriber_by_manage_token(state, &scope, token)
        .await
        .map_err(internal)?
        .ok_or_else(not_found)?;
    Ok((scope, subscriber))
}

/// `GET /{org}/subscription/data?token=`: the subscriber's own data, as JSON.
pub async fn subscriber_data(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<TokenQuery>,
) -> Response {
    let (scope, subscriber) = match subscriber_by_token(&state, &slug, &q.token).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let objections: Vec<Value> = match state.store.objections(&scope).await {
        Ok(list) => list
            .into_iter()
            .filter(|o| o.subscriber_id == subscriber.id)
            .map(|o| json!({"subprocessor": o.subprocessor, "reason": o.reason, "created_at": rfc3339(o.created_at)}))
            .collect(),
        Err(e) => return internal(e),
    };
    attachment(
        "my-subscription.json",
        &json!({
            "org": scope.slug().as_str(),
            "generated_at": rfc3339(OffsetDateTime::now_utc()),
            "subscription": subscriber_json(&subscriber),
            "objections": objections,
        }),
    )
}

/// `POST /{org}/subscription/erase?token=`: deletes the subscription and all with it.
pub async fn subscriber_erase(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<TokenQuery>,
) -> Response {
    let (scope, subscriber) = match subscriber_by_token(&state, &slug, &q.token).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    match state.store.erase_subscriber(&scope, subscriber.id).await {
        Ok(_) => (
            StatusCode::OK,
            axum::response::Html(format!(
                "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Erased</title><link rel=\"stylesheet\" href=\"/static/candor.css\"></head>\
                 <body><main id=\"main\" class=\"narrow\"><h1>Erased</h1><p>Your subscription, your objections and any message still queued for you are deleted.</p>\
                 <p><a href=\"/{}\">Back to the trust center</a></p></main></body></html>",
                scope.slug()
            )),
        )
            .into_response(),
        Err(e) => internal(e),
    }
}

// ---------------------------------------------------------------- admin

#[derive(Template)]
#[template(path = "admin/privacy.html")]
struct PrivacyPage<'a> {
    slug: &'a str,
    notice: Option<String>,
    error: Option<String>,
    can_export_org: bool,
    can_delete_org: bool,
}

async fn privacy_page(
    access: &Access,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    use candor_domain::policy::{Action, allows};
    render(
        PrivacyPage {
            slug: access.scope.slug().as_str(),
            notice,
            error,
            can_export_org: allows(access.role, Action::ExportOrg),
            can_delete_org: allows(access.role, Action::DeleteOrg),
        },
        status,
    )
}

/// `GET /admin/orgs/{org}/privacy`.
pub async fn admin_privacy(Extension(access): Extension<Access>) -> Response {
    privacy_page(&access, None, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct SubjectForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    confirm: String,
}

/// The person's address from the form, or the page that asks for it again.
async fn subject_email(form: &SubjectForm, access: &Access) -> Result<String, Response> {
    let email = normalize_email(&form.email);
    if email.parse::<candor_domain::types::Email>().is_ok() {
        return Ok(email);
    }
    Err(privacy_page(
        access,
        None,
        Some("email: enter the person's email address".into()),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await)
}

/// `POST /admin/orgs/{org}/privacy/export`: one person's data, as JSON (Art. 15).
pub async fn admin_export_person(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Form(form): Form<SubjectForm>,
) -> Response {
    let email = match subject_email(&form, &access).await {
        Ok(email) => email,
        Err(page) => return page,
    };
    let data = match person_data(&state, &access.scope, &email).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let event = AuditEvent {
        actor: access.actor.clone(),
        action: "privacy.export".into(),
        target: subject_ref(&email),
        at: OffsetDateTime::now_utc(),
    };
    if let Err(e) = state.store.append_audit(&access.scope, &event).await {
        return internal(e);
    }
    attachment("personal-data.json", &data)
}

/// `POST /admin/orgs/{org}/privacy/erase`: erases one person's data (Art. 17);
/// `confirm` must repeat the address.
pub async fn admin_erase_person(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Form(form): Form<SubjectForm>,
) -> Response {
    let email = match subject_email(&form, &access).await {
        Ok(email) => email,
        Err(page) => return page,
    };
    if normalize_email(&form.confirm) != email {
        return privacy_page(
            &access,
            None,
            Some("confirm: type the same address again to erase".into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let resealed_reports = match reports_without(&state, &access.scope, &email).await {
        Ok(reports) => reports,
        Err(r) => return r,
    };
    // The erasure and its audit entry are one transaction: a crash leaves both or neither.
    let erasure = PersonErasure {
        audit: AuditEvent {
            actor: access.actor.clone(),
            action: "privacy.erase".into(),
            target: subject_ref(&email),
            at: OffsetDateTime::now_utc(),
        },
        email,
        resealed_reports,
    };
    let ErasedCounts {
        subscriptions,
        requests,
        reports,
    } = match state.store.erase_person(&access.scope, &erasure).await {
        Ok(counts) => counts,
        Err(e) => return internal(e),
    };
    privacy_page(
        &access,
        Some(format!(
            "Erased: {subscriptions} subscription(s), {requests} document request(s) with their downloads, and the reporter's identity in {reports} vulnerability report(s)."
        )),
        None,
        StatusCode::OK,
    )
    .await
}

/// `GET /admin/orgs/{org}/export`: everything the org holds, as one JSON archive.
pub async fn admin_export_org(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> Response {
    let store = &state.store;
    let scope = &access.scope;
    let org = match store.org_by_slug(scope.slug()).await {
        Ok(Some(o)) => o,
        Ok(None) => return not_found_page("org"),
        Err(e) => return internal(e),
    };
    let mut revisions = Vec::new();
    let summaries = match store.revisions(scope).await {
        Ok(s) => s,
        Err(e) => return internal(e),
    };
    for summary in summaries.iter().rev() {
        match store.revision(scope, summary.number).await {
            Ok(Some(r)) => revisions.push(json!({
                "number": r.number,
                "content_hash": r.content_hash.to_string(),
                "published_at": rfc3339(r.published_at),
                "content": r.content,
            })),
            Ok(None) => {}
            Err(e) => return internal(e),
        }
    }
    let (draft, members, audit, subscribers, objections, requests, downloads, files) = match (
        store.draft(scope).await,
        store.members(scope).await,
        store.audit_log(scope).await,
        store.subscribers(scope).await,
        store.objections(scope).await,
        store.document_requests(scope).await,
        store.downloads(scope).await,
        store.document_files(scope).await,
    ) {
        (Ok(a), Ok(b), Ok(c), Ok(d), Ok(e), Ok(f), Ok(g), Ok(h)) => (a, b, c, d, e, f, g, h),
        _ => return internal("reading the org for export"),
    };
    let mut file_values = Vec::new();
    for f in &files {
        let content = match (
            &state.config.master_key,
            store.document_file(scope, &f.doc_key).await,
        ) {
            (Some(master), Ok(Some(stored))) => match open_file(&**store, scope, master, &stored)
                .await
            {
                Ok(bytes) => Value::String(base64::engine::general_purpose::STANDARD.encode(bytes)),
                Err(e) => return internal(e),
            },
            _ => Value::Null,
        };
        file_values.push(json!({
            "document": f.doc_key,
            "filename": f.filename,
            "content_type": f.content_type,
            "size": f.size,
            "sha256": f.sha256,
            "uploaded_at": rfc3339(f.uploaded_at),
            "content_base64": content,
        }));
    }
    let reports = match decrypted_reports(&state, scope).await {
        Ok(list) => list
            .iter()
            .map(|(r, c)| report_json(r, c))
            .collect::<Vec<_>>(),
        Err(r) => return r,
    };
    let archive = json!({
        "format": "candor-org-export/1",
        "exported_at": rfc3339(OffsetDateTime::now_utc()),
        "org": {"slug": org.slug.as_str(), "name": org.name, "created_at": rfc3339(org.created_at)},
        "draft": draft.map(|d| serde_json::to_value(d.content).unwrap_or(Value::Null)),
        "revisions": revisions,
        "members": members.iter().map(|m| json!({"email": m.user.email, "role": m.role.as_str()})).collect::<Vec<_>>(),
        "audit_log": audit.entries.iter().map(|e| json!({
            "seq": e.seq,
            "actor": e.event.actor,
            "action": e.event.action,
            "target": e.event.target,
            "at": rfc3339(e.event.at),
            "hash": hex::encode(e.hash),
        })).collect::<Vec<_>>(),
        "subscribers": subscribers.iter().map(subscriber_json).collect::<Vec<_>>(),
        "objections": objections.iter().map(|o| json!({
            "subprocessor": o.subprocessor, "address": o.address, "reason": o.reason, "created_at": rfc3339(o.created_at),
        })).collect::<Vec<_>>(),
        "document_requests": requests.iter().map(request_json).collect::<Vec<_>>(),
        "downloads": downloads.iter().map(|d| json!({
            "document": d.doc_key, "file": d.file_id, "request": d.request_id, "at": rfc3339(d.at),
        })).collect::<Vec<_>>(),
        "document_files": file_values,
        "vulnerability_reports": reports,
    });
    let event = AuditEvent {
        actor: access.actor.clone(),
        action: "org.export".into(),
        target: format!("org:{}", org.slug),
        at: OffsetDateTime::now_utc(),
    };
    if let Err(e) = store.append_audit(scope, &event).await {
        return internal(e);
    }
    attachment(&format!("{}-export.json", org.slug), &archive)
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    confirm: String,
}

/// `POST /admin/orgs/{org}/delete`: deletes the org and everything in it; `confirm`
/// must repeat the slug.
pub async fn admin_delete_org(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Form(form): Form<DeleteForm>,
) -> Response {
    if form.confirm.trim() != access.scope.slug().as_str() {
        return privacy_page(
            &access,
            None,
            Some("confirm: type the org's slug to delete it".into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let slug = access.scope.slug().clone();
    if let Err(e) = state.store.delete_org(access.scope.clone()).await {
        return internal(e);
    }
    state.pages.invalidate(&slug);
    if let Ok(mut keys) = state.signers.write() {
        keys.remove(&slug);
    }
    if let Ok(mut keys) = state.openpgp_keys.write() {
        keys.remove(&slug);
    }
    // The org's own audit log went with it; the operator's log keeps the fact.
    tracing::warn!(org = %slug, actor = %access.actor, "org deleted with all its data");
    Redirect::to("/admin").into_response()
}
