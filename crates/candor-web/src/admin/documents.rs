//! Gated documents in the admin UI (`/admin/orgs/{org}/documents`): each
//! document's current file, uploads (stored encrypted), the requests to decide
//! and the downloads. The rules are `crate::documents`', shared with the API.

use askama::Template;
use axum::extract::{Extension, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use candor_store::documents::DocumentRequest;
use candor_store::readers::{Decider, GrantState};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::caller::Access;
use crate::documents::{decide, revoke, store_upload};
use crate::page_error::{PageError, PageResult, render};
use crate::state::AppState;
use crate::views::human_time;
use candor_app::content::working_copy;

#[derive(Template)]
#[template(path = "admin/documents.html")]
struct AdminDocumentsPage<'a> {
    slug: &'a str,
    /// (key, title, access, current file: "name · size · uploaded" or empty)
    /// Key, title, access, current file, and the day it stops being valid.
    documents: Vec<(String, String, &'static str, String, String)>,
    /// Per document key, its earlier uploads: "name · size · SHA-256 · uploaded".
    versions: Vec<(String, Vec<String>)>,
    requests: Vec<RequestRow>,
    /// The org's default grant length, offered on each approval.
    default_days: u16,
    /// (when, document, who)
    downloads: Vec<(String, String, String)>,
    notice: Option<String>,
    error: Option<String>,
    /// The caller may change the draft (add a document).
    can_edit: bool,
}

/// One request as the admin's table shows it.
struct RequestRow {
    id: Uuid,
    when: String,
    doc_key: String,
    name: String,
    email: String,
    /// The email as a query value.
    email_query: String,
    company: String,
    reason: String,
    kind: String,
    /// pending, active, expired, revoked, denied
    state: &'static str,
    /// "until …", "by the allow-list", …
    detail: String,
}

impl RequestRow {
    fn of(r: &DocumentRequest, now: OffsetDateTime) -> RequestRow {
        let state = GrantState::of(r, now);
        let by = match r.decided_by {
            Some(Decider::AllowList) => " (allow-list)",
            Some(Decider::BlockList) => " (block-list)",
            Some(Decider::Nda) | Some(Decider::Admin) | None => "",
        };
        let detail = match (state, r.expires_at, r.revoked_at) {
            (GrantState::Active(until), _, _) => format!("until {}{by}", human_time(until)),
            (GrantState::Expired, Some(until), _) => format!("ended {}", human_time(until)),
            (GrantState::Expired, None, _) => "link only (granted before grants expired)".into(),
            (GrantState::Revoked, _, Some(at)) => format!("revoked {}", human_time(at)),
            (GrantState::Denied, _, _) => by.trim().to_owned(),
            _ => String::new(),
        };
        RequestRow {
            id: r.id,
            when: human_time(r.created_at),
            doc_key: r.doc_key.clone(),
            name: r.name.clone(),
            email: r.email.clone(),
            email_query: url::form_urlencoded::byte_serialize(r.email.as_bytes()).collect(),
            company: r.company.clone(),
            reason: r.reason.clone(),
            kind: match &r.nda_version {
                Some(v) => format!("{} (NDA {v})", r.kind.as_str()),
                None => r.kind.as_str().to_owned(),
            },
            state: state.label(),
            detail: match &r.decision_note {
                Some(note) if detail.is_empty() => format!("note: {note}"),
                Some(note) => format!("{detail}; note: {note}"),
                None => detail,
            },
        }
    }
}

async fn admin_page(
    state: &AppState,
    access: &Access,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let (working, _) = working_copy(&*state.store, &access.scope).await?;
    let store = &state.store;
    let files = store.document_files(&access.scope).await?;
    let mut versions: Vec<(String, Vec<String>)> = Vec::new();
    for f in store.document_file_versions(&access.scope).await? {
        let line = format!(
            "{} · {} bytes · SHA-256 {}… · uploaded {}",
            f.filename,
            f.size,
            f.sha256.get(..16).unwrap_or(&f.sha256),
            human_time(f.uploaded_at)
        );
        match versions.last_mut() {
            Some((key, lines)) if *key == f.doc_key => lines.push(line),
            // The first of each document is its current file, shown already.
            _ => versions.push((f.doc_key.clone(), Vec::new())),
        }
    }
    let requests = store.document_requests(&access.scope).await?;
    let downloads = store.downloads(&access.scope).await?;
    let documents = working
        .map(|w| w.documents)
        .unwrap_or_default()
        .into_iter()
        .map(|d| {
            let file = files
                .iter()
                .find(|f| f.doc_key == d.key.as_str())
                .map(|f| {
                    format!(
                        "{} · {} bytes · uploaded {}",
                        f.filename,
                        f.size,
                        human_time(f.uploaded_at)
                    )
                })
                .unwrap_or_default();
            (
                d.key.to_string(),
                d.title.to_string(),
                d.access.label(),
                file,
                d.valid_until.map(|day| day.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    let who = |id: Option<Uuid>| match id.and_then(|id| requests.iter().find(|r| r.id == id)) {
        Some(r) => format!("{} <{}>, {}", r.name, r.email, r.company),
        None => "anyone (public)".to_owned(),
    };
    let downloads = downloads
        .iter()
        .take(200)
        .map(|d| (human_time(d.at), d.doc_key.clone(), who(d.request_id)))
        .collect();
    let now = OffsetDateTime::now_utc();
    let default_days = store.reader_policy(&access.scope).await?.grant_days;
    let requests = requests.iter().map(|r| RequestRow::of(r, now)).collect();
    Ok(render(
        AdminDocumentsPage {
            slug: access.scope.slug().as_str(),
            documents,
            versions,
            requests,
            default_days,
            downloads,
            notice,
            error,
            can_edit: candor_domain::policy::allows(
                access.role,
                candor_domain::policy::Action::EditDraft,
            ),
        },
        status,
    ))
}

/// `GET /admin/orgs/{org}/documents`.
pub async fn admin_documents(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> PageResult {
    admin_page(&state, &access, None, None, StatusCode::OK).await
}

/// `POST /admin/orgs/{org}/documents/{key}/file` (multipart field `file`).
pub async fn admin_upload(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, key)): Path<(String, String)>,
    mut multipart: Multipart,
) -> PageResult {
    let mut upload = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let filename = field.file_name().unwrap_or_default().to_owned();
                let content_type = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                match field.bytes().await {
                    Ok(bytes) => upload = Some((filename, content_type, bytes)),
                    Err(_) => break,
                }
            }
            Ok(Some(_)) => continue,
            Ok(None) | Err(_) => break,
        }
    }
    let Some((filename, content_type, bytes)) = upload else {
        return admin_page(
            &state,
            &access,
            None,
            Some("file: choose a file to upload".into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    match store_upload(&state, &access, &key, &filename, &content_type, &bytes).await {
        Ok(file) => {
            let notice = format!(
                "Uploaded {} for {key} ({} bytes, SHA-256 {}), stored encrypted.",
                file.filename, file.size, file.sha256
            );
            admin_page(&state, &access, Some(notice), None, StatusCode::OK).await
        }
        Err(e) => admin_page(&state, &access, None, Some(e.message.clone()), e.status).await,
    }
}

/// The fields of a decision form (`days`, `confirm`), read whatever the
/// body's declared type (a bare button posts none).
struct DecisionForm {
    days: String,
    note: String,
    confirm: bool,
}

impl DecisionForm {
    fn read(body: &[u8]) -> DecisionForm {
        let field = |name: &str| {
            url::form_urlencoded::parse(body)
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        DecisionForm {
            days: field("days"),
            note: field("note"),
            confirm: field("confirm") == "yes",
        }
    }
}

/// `POST /admin/orgs/{org}/documents/requests/{id}/approve`, `…/deny` and `…/revoke`.
pub async fn admin_decide(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, id, verdict)): Path<(String, String, String)>,
    body: axum::body::Bytes,
) -> PageResult {
    let form = DecisionForm::read(&body);
    let Ok(id) = id.parse::<Uuid>() else {
        return Err(PageError::not_found("request"));
    };
    let slug = access.scope.slug().as_str();
    let ask = |title: &str, consequence: String, button: &str| {
        Ok(crate::admin::confirm::ask(crate::admin::confirm::Ask {
            slug,
            title,
            consequence: &consequence,
            action: &format!("/admin/orgs/{slug}/documents/requests/{id}/{verdict}"),
            hidden: &[("note", form.note.clone())],
            button,
            back: &format!("/admin/orgs/{slug}/documents"),
        }))
    };
    if !form.confirm && (verdict == "deny" || verdict == "revoke") {
        let request = state
            .store
            .document_request(&access.scope, id)
            .await?
            .ok_or_else(|| PageError::not_found("request"))?;
        let who = format!("{} <{}>", request.name, request.email);
        return match verdict.as_str() {
            "deny" => ask(
                "Deny this request",
                format!(
                    "{who} will be told by mail that the request for {} was not approved. A denied request cannot be approved later; they would have to ask again.",
                    request.doc_key
                ),
                "Deny the request",
            ),
            _ => ask(
                "Revoke this grant",
                format!(
                    "{who} loses access to {} at once: their download links and their reader session stop working for it. This is recorded in their history.",
                    request.doc_key
                ),
                "Revoke the grant",
            ),
        };
    }
    let outcome = match verdict.as_str() {
        "approve" => {
            let days = match form.days.trim() {
                "" => None,
                d => match d.parse::<u16>() {
                    Ok(d) => Some(d),
                    Err(_) => {
                        return admin_page(
                            &state,
                            &access,
                            None,
                            Some("days: enter a number of days from 1 to 365".into()),
                            StatusCode::UNPROCESSABLE_ENTITY,
                        )
                        .await;
                    }
                },
            };
            decide(&state, &access, id, true, days, &form.note).await
        }
        "deny" => decide(&state, &access, id, false, None, &form.note).await,
        "revoke" => revoke(&state, &access, id).await,
        _ => return Err(PageError::not_found("action")),
    };
    match outcome {
        Ok(_) => Ok(
            Redirect::to(&format!("/admin/orgs/{}/documents", access.scope.slug())).into_response(),
        ),
        Err(e) => {
            let message = match &e.field {
                Some(field) => format!("{field}: {}", e.message),
                None => e.message.clone(),
            };
            admin_page(&state, &access, None, Some(message), e.status).await
        }
    }
}
