//! Gated documents: admins upload files (stored encrypted); readers download public
//! ones directly, NDA ones after a click-through that records who accepted which
//! version, and approval ones after an admin grants their request. Every download
//! goes through the document's own route or an expiring link bound to one
//! document, and is recorded.

use askama::Template;

use crate::i18n::Tr;
use axum::Form;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use candor_app::compose;
use candor_app::readers::{ReaderRequest, Requester, grant_until, request_documents};
use candor_domain::audit::AuditAction;
use candor_domain::model::{DocumentAccess, DocumentMeta, NdaTerms};
use candor_domain::types::Email;
use candor_store::analytics::Metric;
use candor_store::documents::{
    DocumentFile, DocumentRequest, DownloadGrant, DownloadRecord, open_file, seal_file,
};
use candor_store::readers::{GRANT_DAYS, GrantState, day_of};
use candor_store::{Org, OrgScope};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::auth::{new_secret, normalize_email, secret_hash};
use crate::caller::Access;
use crate::error::ApiError;
use crate::page_error::{PageError, PageResult, render};
use crate::state::AppState;
use candor_app::content::working_copy;

/// Largest file an admin can upload.
pub const UPLOAD_LIMIT: usize = 25 * 1024 * 1024;
/// How long a download link works after an NDA is accepted.
const NDA_LINK_HOURS: i64 = 1;
/// The longest note an admin may send with a decision.
const MAX_NOTE_CHARS: usize = 1000;
/// How long the link sent after an approval works.
const APPROVAL_LINK_HOURS: i64 = 72;

// ---------------------------------------------------------------- shared

/// Encrypts and stores an upload for a document listed in the working copy.
pub(crate) async fn store_upload(
    state: &AppState,
    access: &Access,
    doc_key: &str,
    filename: &str,
    content_type: &str,
    bytes: &[u8],
) -> Result<DocumentFile, ApiError> {
    let (working, _) = working_copy(&*state.store, &access.scope).await?;
    let listed = working
        .as_ref()
        .is_some_and(|w| w.documents.iter().any(|d| d.key.as_str() == doc_key));
    if !listed {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no document {doc_key:?} in the draft or the published page"),
        ));
    }
    if bytes.is_empty() {
        return Err(ApiError::validation("file", "the file is empty"));
    }
    // Whether readers' downloads are watermarked follows the stored type, so
    // the stored type must be the truth: a PDF is stored as one whatever it was
    // called, and a file called a PDF must be one.
    let declared_pdf = content_type == PDF_TYPE || filename.to_ascii_lowercase().ends_with(".pdf");
    let content_type = match candor_watermark::is_pdf(bytes) {
        true => PDF_TYPE,
        false if declared_pdf => {
            return Err(ApiError::validation(
                "file",
                "the file is called a PDF but is not one (it does not start with %PDF-)",
            ));
        }
        false => content_type,
    };
    let filename: String = filename
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | '"'))
        .take(200)
        .collect();
    let filename = if filename.trim().is_empty() {
        doc_key.to_owned()
    } else {
        filename
    };
    let Some(master) = &state.config.master_key else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "encryption_not_configured",
            "this server has no master key, so it cannot store documents encrypted",
        ));
    };
    let id = Uuid::new_v4();
    let (key_version, sealed) = seal_file(&*state.store, &access.scope, master, doc_key, id, bytes)
        .await
        .map_err(ApiError::from)?;
    let file = DocumentFile {
        id,
        doc_key: doc_key.to_owned(),
        filename,
        content_type: content_type.to_owned(),
        size: bytes.len() as u64,
        sha256: hex::encode(Sha256::digest(bytes)),
        key_version,
        uploaded_at: OffsetDateTime::now_utc(),
    };
    let event = access.audit(
        AuditAction::DocumentUpload,
        format!("document:{doc_key} file:{id} sha256:{}", file.sha256),
    );
    state
        .store
        .insert_document_file(&access.scope, &file, &sealed, &event)
        .await
        .map_err(ApiError::from)?;
    Ok(file)
}

/// Decrypts the current file and sends it as an attachment, recording the download.
pub(crate) async fn serve_file(
    state: &AppState,
    scope: &OrgScope,
    doc_key: &str,
    request_id: Option<Uuid>,
) -> PageResult {
    let Some(master) = &state.config.master_key else {
        return Err(no_master_key());
    };
    let stored = state
        .store
        .document_file(scope, doc_key)
        .await?
        .ok_or_else(|| PageError::not_found("file for this document"))?;
    // A tampered blob or a missing key: refuse, never serve something unverified.
    let mut plain = open_file(&*state.store, scope, master, &stored).await?;
    // A reader's PDF carries who downloaded it, on every page; anything else
    // is served as it is (the document page says so).
    if let Some(id) = request_id
        && stored.file.content_type == PDF_TYPE
    {
        let request = state
            .store
            .document_request(scope, id)
            .await?
            .ok_or_else(|| PageError::not_found("request behind this link"))?;
        plain = watermarked(plain, &request).await?;
    }
    let record = DownloadRecord {
        doc_key: doc_key.to_owned(),
        file_id: stored.file.id,
        request_id,
        at: OffsetDateTime::now_utc(),
    };
    // Unrecorded downloads are not allowed.
    state.store.record_download(scope, &record).await?;
    state
        .analytics
        .count(scope.slug().as_str(), Metric::DocumentDownload, None);
    let mut response = Body::from(plain).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&stored.file.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    // Always an attachment: an uploaded HTML file must never render on our origin.
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}\"",
        stored.file.filename
    )) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Watermarks running at once; more wait (within the deadline).
static WATERMARK_SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Longest a download waits for its watermark, slot included.
const WATERMARK_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// The PDF with the reader's email and company, the time and the grant on
/// every page, stamped on a blocking thread under a deadline. A PDF that
/// cannot be stamped is not served at all: handing it out unmarked would
/// break the promise the document page makes.
async fn watermarked(pdf: Vec<u8>, request: &DocumentRequest) -> Result<Vec<u8>, PageError> {
    let lines = vec![
        format!(
            "Downloaded by {} ({}) on {}",
            request.email,
            request.company,
            crate::views::human_time(OffsetDateTime::now_utc())
        ),
        format!("Grant {} · do not redistribute", request.id),
    ];
    let t = crate::language::current();
    let busy = || {
        PageError::explained(
            StatusCode::SERVICE_UNAVAILABLE,
            t.t("busy-title"),
            t.t("busy-downloads"),
        )
    };
    let work = async {
        let slot = WATERMARK_SLOTS.acquire().await.map_err(|_| busy())?;
        tokio::task::spawn_blocking(move || {
            let result = candor_watermark::watermark(&pdf, &lines);
            drop(slot);
            result
        })
        .await
        .map_err(PageError::from)
    };
    match tokio::time::timeout(WATERMARK_DEADLINE, work).await {
        Ok(Ok(Ok(stamped))) => Ok(stamped),
        Ok(Ok(Err(e))) => {
            tracing::warn!(error = %e, "a PDF could not be watermarked");
            Err(PageError::explained(
                StatusCode::UNPROCESSABLE_ENTITY,
                t.t("document-unavailable-title"),
                t.t("document-unwatermarkable"),
            ))
        }
        Ok(Err(e)) => Err(e),
        Err(_) => Err(busy()),
    }
}

/// Files are stored only encrypted: without a master key there are none to serve.
fn no_master_key() -> PageError {
    let t = crate::language::current();
    PageError::explained(
        StatusCode::SERVICE_UNAVAILABLE,
        t.t("documents-unavailable-title"),
        t.t("documents-no-key"),
    )
}

async fn issue_link(
    state: &AppState,
    scope: &OrgScope,
    doc_key: &str,
    request_id: Uuid,
    hours: i64,
) -> Result<String, PageError> {
    let token = new_secret()?;
    let grant = DownloadGrant {
        doc_key: doc_key.to_owned(),
        request_id: Some(request_id),
        expires_at: OffsetDateTime::now_utc() + time::Duration::hours(hours),
    };
    state
        .store
        .insert_download_grant(scope, &secret_hash(&token), &grant)
        .await?;
    Ok(format!(
        "/{}/documents/{doc_key}/download?token={token}",
        scope.slug()
    ))
}

// ---------------------------------------------------------------- public

#[derive(Template)]
#[template(path = "document.html")]
struct DocumentPage<'a> {
    t: Tr,
    slug: &'a str,
    org_name: &'a str,
    doc: &'a DocumentMeta,
    nda: Option<&'a NdaTerms>,
    /// Which form to show: "nda", "approval", or none.
    form: &'static str,
    error: Option<String>,
    /// After an NDA acceptance: the link.
    link: Option<String>,
    message: Option<String>,
    /// Whether downloads carry the reader's name: Some(true) for a PDF,
    /// Some(false) for another file (served as it is), None without a file.
    watermark: Option<bool>,
    /// A signed-in reader with access: until when.
    granted_until: Option<String>,
}

/// The org, scope and the published document `key`; a 404 page without one,
/// and a redirect for a document published at its own address.
pub(crate) async fn published_document(
    state: &AppState,
    slug: &str,
    key: &str,
) -> Result<(Org, OrgScope, DocumentMeta, Option<NdaTerms>), PageError> {
    let (org, scope, revision) = crate::pages::published_org(state, slug).await?;
    let doc = revision
        .content
        .documents
        .iter()
        .find(|d| d.key.as_str() == key)
        .cloned()
        .ok_or_else(|| PageError::not_found("document"))?;
    // Published elsewhere: nothing is stored here to gate or serve.
    if let Some(url) = &doc.url {
        return Err(PageError::elsewhere(url.as_str()));
    }
    Ok((org, scope, doc, revision.content.profile.nda.clone()))
}

/// What a document page shows besides the document: its form, a refusal, a
/// download link (after an NDA) or a message (after a request).
enum Shown {
    Form,
    Error(String),
    Link(String),
    Message(String),
    /// A signed-in reader who has access until the time given.
    Granted(String),
}

fn document_page(
    org: &Org,
    doc: &DocumentMeta,
    nda: Option<&NdaTerms>,
    status: StatusCode,
    shown: Shown,
    watermark: Option<bool>,
) -> Response {
    let (mut error, mut link, mut message, mut granted_until) = (None, None, None, None);
    match shown {
        Shown::Form => {}
        Shown::Error(e) => error = Some(e),
        Shown::Link(l) => link = Some(l),
        Shown::Message(m) => message = Some(m),
        Shown::Granted(until) => granted_until = Some(until),
    }
    let form = match (doc.access, &link, &message) {
        _ if granted_until.is_some() => "",
        (_, Some(_), _) | (_, _, Some(_)) => "",
        (DocumentAccess::Nda, None, None) => "nda",
        (DocumentAccess::Approval, None, None) => "approval",
        (DocumentAccess::Public, None, None) => "",
    };
    let page = DocumentPage {
        t: crate::language::current(),
        slug: org.slug.as_str(),
        org_name: &org.name,
        doc,
        nda,
        form,
        error,
        link,
        message,
        watermark,
        granted_until,
    };
    render(page, status)
}

/// `GET /{org}/documents/{key}`: the file itself when public, else the form.
pub async fn document(
    State(state): State<AppState>,
    Path((slug, key)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
) -> PageResult {
    let (org, scope, doc, nda) = published_document(&state, &slug, &key).await?;
    if doc.access == DocumentAccess::Public {
        return serve_file(&state, &scope, &key, None).await;
    }
    let watermark = stored_is_pdf(&state, &scope, &key).await;
    state
        .analytics
        .count(scope.slug().as_str(), Metric::DocumentView, None);
    let shown = match crate::readers::reader_view(&state, &scope, &headers, &key).await? {
        Some(until) => Shown::Granted(until),
        None => Shown::Form,
    };
    Ok(document_page(
        &org,
        &doc,
        nda.as_ref(),
        StatusCode::OK,
        shown,
        watermark,
    ))
}

const PDF_TYPE: &str = "application/pdf";

/// Whether the document's current file is a PDF (uploads are stored with the
/// type their bytes have), None when it has no file yet.
async fn stored_is_pdf(state: &AppState, scope: &OrgScope, key: &str) -> Option<bool> {
    let files = state.store.document_files(scope).await.ok()?;
    let file = files.into_iter().find(|f| f.doc_key == key)?;
    Some(file.content_type == PDF_TYPE)
}

#[derive(Deserialize, Default)]
pub struct RequestForm {
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) email: String,
    #[serde(default)]
    pub(crate) company: String,
    #[serde(default)]
    pub(crate) reason: String,
    /// NDA form: the version shown, and the acceptance box.
    #[serde(default)]
    pub(crate) nda_version: String,
    #[serde(default)]
    pub(crate) accept: String,
}

/// A form's refusal in the reader's language: `field: what to do`.
pub(crate) fn field_error(field: &str, message: &str) -> String {
    let t = crate::language::current();
    t.t2(
        "field-error",
        "field",
        t.t(&format!("field-{field}")),
        "message",
        t.t(message),
    )
}

/// Who is asking: checked and trimmed, or why not (the failing field first).
pub(crate) fn requester(form: &RequestForm) -> Result<Requester, String> {
    let clean = |s: &str, max: usize| s.trim().chars().take(max).collect::<String>();
    let name = clean(&form.name, 200);
    let company = clean(&form.company, 200);
    let email = normalize_email(&form.email);
    if name.is_empty() {
        return Err(field_error("name", "enter-name"));
    }
    if email.parse::<Email>().is_err() {
        return Err(field_error("email", "enter-email"));
    }
    if company.is_empty() {
        return Err(field_error("company", "enter-company"));
    }
    Ok(Requester {
        name,
        email,
        company,
        reason: clean(&form.reason, 2000),
        locale: crate::language::current().locale().to_owned(),
    })
}

/// `POST /{org}/documents/{key}/nda`: records the acceptance and shows a short-lived link.
pub async fn accept_nda(
    State(state): State<AppState>,
    Path((slug, key)): Path<(String, String)>,
    Form(form): Form<RequestForm>,
) -> PageResult {
    let (org, scope, doc, nda) = published_document(&state, &slug, &key).await?;
    let (Some(terms), DocumentAccess::Nda) = (&nda, doc.access) else {
        return Err(PageError::not_found("NDA for this document"));
    };
    let refuse = |error: String| {
        Ok(document_page(
            &org,
            &doc,
            nda.as_ref(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Shown::Error(error),
            None,
        ))
    };
    let requester = match requester(&form) {
        Ok(who) => who,
        Err(error) => return refuse(error),
    };
    if form.accept != "yes" {
        return refuse(field_error("accept", "tick-nda"));
    }
    if form.nda_version != terms.version.as_str() {
        return refuse(field_error("nda_version", "nda-changed"));
    }
    let form = ReaderRequest {
        requester: &requester,
        documents: &[&doc],
        nda_version: Some(terms.version.as_str()),
    };
    let requested = record_request(&state, &org, &scope, &form).await?;
    let Some(granted) = requested.granted().next() else {
        return Ok(document_page(
            &org,
            &doc,
            nda.as_ref(),
            StatusCode::OK,
            Shown::Message(crate::language::current().t1("request-denied-one", "org", &org.name)),
            None,
        ));
    };
    let link = issue_link(&state, &scope, &key, granted.id, NDA_LINK_HOURS).await?;
    let watermark = stored_is_pdf(&state, &scope, &key).await;
    Ok(document_page(
        &org,
        &doc,
        nda.as_ref(),
        StatusCode::OK,
        Shown::Link(link),
        watermark,
    ))
}

/// `POST /{org}/documents/{key}/request`: an approval request, for an admin to decide.
pub async fn request_access(
    State(state): State<AppState>,
    Path((slug, key)): Path<(String, String)>,
    Form(form): Form<RequestForm>,
) -> PageResult {
    let (org, scope, doc, nda) = published_document(&state, &slug, &key).await?;
    if doc.access != DocumentAccess::Approval {
        return Err(PageError::not_found("request form for this document"));
    }
    let requester = match requester(&form) {
        Ok(who) => who,
        Err(error) => {
            return Ok(document_page(
                &org,
                &doc,
                nda.as_ref(),
                StatusCode::UNPROCESSABLE_ENTITY,
                Shown::Error(error),
                None,
            ));
        }
    };
    let form = ReaderRequest {
        requester: &requester,
        documents: &[&doc],
        nda_version: None,
    };
    let requested = record_request(&state, &org, &scope, &form).await?;
    let email = &requester.email;
    let t = crate::language::current();
    let message = if requested.granted().next().is_some() {
        t.t2("request-approved-domain", "org", &org.name, "email", email)
    } else if requested.denied().next().is_some() {
        t.t1("request-denied-one", "org", &org.name)
    } else {
        t.t2("request-pending", "org", &org.name, "email", email)
    };
    Ok(document_page(
        &org,
        &doc,
        nda.as_ref(),
        StatusCode::OK,
        Shown::Message(message),
        None,
    ))
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// `GET /{org}/documents/{key}/download?token=`: an expiring link for one document.
pub async fn download(
    State(state): State<AppState>,
    Path((slug, key)): Path<(String, String)>,
    Query(q): Query<TokenQuery>,
) -> PageResult {
    let (_, scope, _, _) = published_document(&state, &slug, &key).await?;
    let grant = state
        .store
        .download_grant(&scope, &secret_hash(&q.token))
        .await?;
    let now = OffsetDateTime::now_utc();
    match grant {
        Some(g) if g.doc_key == key && g.expires_at > now => {
            // The link lives no longer than the grant behind it.
            if let Some(id) = g.request_id {
                let request = state.store.document_request(&scope, id).await?;
                if !request.as_ref().is_some_and(|r| link_grant_holds(r, now)) {
                    let t = crate::language::current();
                    return Err(PageError::explained(
                        StatusCode::GONE,
                        t.t("access-ended-title"),
                        t.t("access-ended"),
                    ));
                }
            }
            serve_file(&state, &scope, &key, g.request_id).await
        }
        Some(g) if g.doc_key == key => {
            let t = crate::language::current();
            Err(PageError::explained(
                StatusCode::GONE,
                t.t("link-expired-title"),
                t.t("link-expired"),
            ))
        }
        _ => Err(PageError::not_found("download link")),
    }
}

/// Records a reader's request (decided where the NDA or the lists decide it),
/// counts it, and wakes the worker for the mails and events it queued.
pub(crate) async fn record_request(
    state: &AppState,
    org: &Org,
    scope: &OrgScope,
    form: &ReaderRequest<'_>,
) -> Result<candor_app::readers::Requested, PageError> {
    let requested = request_documents(
        &*state.store,
        scope,
        &state.links(org.slug.as_str()),
        &org.name,
        form,
        OffsetDateTime::now_utc(),
    )
    .await?;
    state
        .analytics
        .count(scope.slug().as_str(), Metric::AccessRequest, None);
    state.wake_worker();
    Ok(requested)
}

/// Whether a request still backs its download links: granted, not revoked,
/// and not expired (requests granted before grants expired have only their
/// links' own expiry).
fn link_grant_holds(request: &DocumentRequest, now: OffsetDateTime) -> bool {
    match GrantState::of(request, now) {
        GrantState::Active(_) => true,
        GrantState::Expired => request.expires_at.is_none(),
        GrantState::Pending | GrantState::Denied | GrantState::Revoked => false,
    }
}

// ---------------------------------------------------------------- shared with the admin UI and the API

/// Grants (for `days`, or the org's default) or denies a pending request,
/// mails the requester, records it in their history and the audit log.
pub(crate) async fn decide(
    state: &AppState,
    access: &Access,
    id: Uuid,
    approve: bool,
    days: Option<u16>,
    note: &str,
) -> Result<DocumentRequest, ApiError> {
    let note: String = note
        .trim()
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(ApiError::validation(
            "note",
            format!("a note has at most {MAX_NOTE_CHARS} characters"),
        ));
    }
    let note = (!note.is_empty()).then_some(note);
    if let Some(d) = days
        && !GRANT_DAYS.contains(&d)
    {
        return Err(ApiError::validation(
            "days",
            format!(
                "a grant lasts {} to {} days",
                GRANT_DAYS.start(),
                GRANT_DAYS.end()
            ),
        ));
    }
    let now = OffsetDateTime::now_utc();
    let (action, until) = if approve {
        let days = match days {
            Some(d) => d,
            None => {
                state
                    .store
                    .reader_policy(&access.scope)
                    .await
                    .map_err(ApiError::from)?
                    .grant_days
            }
        };
        (AuditAction::DocumentApprove, Some(grant_until(now, days)))
    } else {
        (AuditAction::DocumentDeny, None)
    };
    let target = match until {
        Some(until) => format!("request:{id} until:{}", day_of(until)),
        None => format!("request:{id}"),
    };
    let event = access.audit(action, target);
    let decided = state
        .store
        .decide_document_request(&access.scope, id, until, note.as_deref(), now, &event)
        .await
        .map_err(ApiError::from)?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::CONFLICT,
                "not_pending",
                "no pending request with this id",
            )
        })?;
    let org_name = state.org_name(&access.scope).await;
    // In the language the reader asked in.
    let t = crate::i18n::Tr::new(&decided.locale);
    let title = state
        .store
        .latest_revision(&access.scope)
        .await
        .ok()
        .flatten()
        .and_then(|r| {
            r.content
                .documents
                .iter()
                .find(|d| d.key.as_str() == decided.doc_key)
                .map(|d| d.title.in_locale(t.locale()).to_owned())
        })
        .unwrap_or_else(|| decided.doc_key.clone());
    let mut args = crate::i18n::Args::new();
    args.set("org", org_name.clone());
    args.set("title", title);
    args.set(
        "note",
        decided
            .decision_note
            .as_ref()
            .map(|note| format!("\n{}\n", t.t1("mail-their-note", "note", note)))
            .unwrap_or_default(),
    );
    let mail = match decided.expires_at {
        Some(until) => {
            let hours = APPROVAL_LINK_HOURS.min((until - now).whole_hours().max(1));
            let link = issue_link(state, &access.scope, &decided.doc_key, decided.id, hours)
                .await
                .map_err(|_| ApiError::internal())?;
            let url = state
                .config
                .public_url
                .join(&link)
                .map(|u| u.to_string())
                .unwrap_or(link);
            args.set("until", day_of(until).to_string());
            args.set("span", t.tn("n-hours", hours.unsigned_abs()));
            args.set("url", url);
            args.set("reader", state.links(access.scope.slug().as_str()).reader());
            compose::direct_email(
                &decided.email,
                t.t1("mail-approved-subject", "org", &org_name),
                t.args("mail-approved", &args),
            )
        }
        None => compose::direct_email(
            &decided.email,
            t.t1("mail-request-subject", "org", &org_name),
            t.args("mail-not-approved", &args),
        ),
    };
    state
        .store
        .enqueue(&access.scope, &[mail])
        .await
        .map_err(ApiError::from)?;
    state.wake_worker();
    Ok(decided)
}

/// Ends a reader's grant now, records it in their history and the audit log.
pub(crate) async fn revoke(
    state: &AppState,
    access: &Access,
    id: Uuid,
) -> Result<DocumentRequest, ApiError> {
    let event = access.audit(AuditAction::DocumentRevoke, format!("request:{id}"));
    state
        .store
        .revoke_grant(&access.scope, id, OffsetDateTime::now_utc(), &event)
        .await
        .map_err(ApiError::from)?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::CONFLICT,
                "not_granted",
                "no grant with this id that is still in force",
            )
        })
}

/// A request as the API, exports and data-subject answers show it.
pub(crate) use candor_app::export::request_json;
