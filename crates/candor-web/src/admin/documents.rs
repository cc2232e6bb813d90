//! Gated documents in the admin UI (`/admin/orgs/{org}/documents`): each
//! document's current file, uploads (stored encrypted), the requests to decide
//! and the downloads. The rules are `crate::documents`', shared with the API.

use askama::Template;
use axum::extract::{Extension, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use candor_store::documents::DocumentRequest;
use uuid::Uuid;

use crate::caller::Access;
use crate::documents::{decide, store_upload};
use crate::page_error::{PageError, PageResult, render};
use crate::state::AppState;
use crate::views::human_time;
use candor_app::content::working_copy;

#[derive(Template)]
#[template(path = "admin/documents.html")]
struct AdminDocumentsPage<'a> {
    slug: &'a str,
    /// (key, title, access, current file: "name · size · uploaded" or empty)
    documents: Vec<(String, String, &'static str, String)>,
    requests: Vec<DocumentRequest>,
    /// (when, document, who)
    downloads: Vec<(String, String, String)>,
    notice: Option<String>,
    error: Option<String>,
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
    Ok(render(
        AdminDocumentsPage {
            slug: access.scope.slug().as_str(),
            documents,
            requests,
            downloads,
            notice,
            error,
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

/// `POST /admin/orgs/{org}/documents/requests/{id}/approve` and `…/deny`.
pub async fn admin_decide(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, id, verdict)): Path<(String, String, String)>,
) -> PageResult {
    let (Ok(id), Some(approve)) = (
        id.parse::<Uuid>(),
        match verdict.as_str() {
            "approve" => Some(true),
            "deny" => Some(false),
            _ => None,
        },
    ) else {
        return Err(PageError::not_found("request"));
    };
    match decide(&state, &access, id, approve).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/admin/orgs/{}/documents", access.scope.slug())).into_response(),
        ),
        Err(e) => admin_page(&state, &access, None, Some(e.message.clone()), e.status).await,
    }
}
