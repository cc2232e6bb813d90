//! Readers' own pages: one request for several gated documents
//! (`/{org}/access`), and the reader's session (`/{org}/reader`): a single-use
//! sign-in link by mail, then every document granted to the reader until the
//! grants expire, each download watermarked and recorded.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use candor_app::compose;
use candor_app::readers::ReaderRequest;
use candor_domain::model::{DocumentAccess, DocumentMeta, NdaTerms};
use candor_store::documents::DocumentRequest;
use candor_store::readers::{GrantState, ReaderEvent, ReaderEventKind, ReaderTokenKind};
use candor_store::{Org, OrgScope};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};

use crate::auth::{
    READER_SESSION_HOURS, expired_reader_cookie, new_secret, normalize_email, reader_cookie,
    reader_secret, secret_hash,
};
use crate::documents::{RequestForm, field_error, requester, serve_file};
use crate::i18n::Tr;
use crate::page_error::{PageError, PageResult, render};
use crate::state::AppState;
use crate::views::human_time;

/// How long a sign-in link works.
const LINK_MINUTES: i64 = 15;
/// Sign-in links mailed to one address per [`LINK_MINUTES`], at most.
const LINKS_PER_WINDOW: u64 = 3;

/// The org's gated documents stored here (not published elsewhere), in page order.
fn gated(documents: &[DocumentMeta]) -> Vec<&DocumentMeta> {
    documents
        .iter()
        .filter(|d| d.access != DocumentAccess::Public && d.url.is_none())
        .collect()
}

// ---------------------------------------------------------------- one request, several documents

struct AccessDoc {
    key: String,
    title: String,
    access: String,
}

#[derive(Template)]
#[template(path = "access.html")]
struct AccessPage<'a> {
    t: Tr,
    slug: &'a str,
    org_name: &'a str,
    documents: Vec<AccessDoc>,
    /// The NDA, when a listed document is behind it.
    nda: Option<&'a NdaTerms>,
    show_form: bool,
    error: Option<String>,
    message: Option<String>,
}

fn access_page(
    org: &Org,
    documents: &[&DocumentMeta],
    nda: Option<&NdaTerms>,
    status: StatusCode,
    error: Option<String>,
    message: Option<String>,
) -> Response {
    let needs_nda = documents.iter().any(|d| d.access == DocumentAccess::Nda);
    let t = crate::language::current();
    render(
        AccessPage {
            t,
            slug: org.slug.as_str(),
            org_name: &org.name,
            documents: documents
                .iter()
                .map(|d| AccessDoc {
                    key: d.key.to_string(),
                    title: d.title.in_locale(t.locale()).to_owned(),
                    access: t.label(d.access.label()),
                })
                .collect(),
            nda: nda.filter(|_| needs_nda),
            show_form: message.is_none(),
            error,
            message,
        },
        status,
    )
}

/// `GET /{org}/access`.
pub async fn access_form(State(state): State<AppState>, Path(slug): Path<String>) -> PageResult {
    let (org, _, revision) = crate::pages::published_org(&state, &slug).await?;
    let content = &revision.content;
    let documents = gated(&content.documents);
    Ok(access_page(
        &org,
        &documents,
        content.profile.nda.as_ref(),
        StatusCode::OK,
        None,
        None,
    ))
}

/// `POST /{org}/access`: fields `all` or `doc:<key>`, who is asking, and the
/// NDA acceptance when a chosen document is behind it.
pub async fn access_request(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(fields): Form<HashMap<String, String>>,
) -> PageResult {
    let (org, scope, revision) = crate::pages::published_org(&state, &slug).await?;
    let content = &revision.content;
    let documents = gated(&content.documents);
    let nda = content.profile.nda.as_ref();
    let refuse = |error: String| {
        Ok(access_page(
            &org,
            &documents,
            nda,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(error),
            None,
        ))
    };
    let yes = |name: &str| fields.get(name).is_some_and(|v| v == "yes");
    let all = yes("all");
    let chosen: Vec<&DocumentMeta> = documents
        .iter()
        .copied()
        .filter(|d| all || yes(&format!("doc:{}", d.key)))
        .collect();
    if chosen.is_empty() {
        return refuse(field_error("documents", "choose-documents"));
    }
    let field = |name: &str| fields.get(name).cloned().unwrap_or_default();
    let form = RequestForm {
        name: field("name"),
        email: field("email"),
        company: field("company"),
        reason: field("reason"),
        ..RequestForm::default()
    };
    let who = match requester(&form) {
        Ok(who) => who,
        Err(error) => return refuse(error),
    };
    let wants_nda = chosen.iter().any(|d| d.access == DocumentAccess::Nda);
    let nda_version = match (wants_nda, nda) {
        (false, _) => None,
        (true, None) => return Err(PageError::not_found("NDA for these documents")),
        (true, Some(_)) if !yes("accept") => {
            return refuse(field_error("accept", "tick-nda-or-leave-out"));
        }
        (true, Some(terms)) if field("nda_version") != terms.version.as_str() => {
            return refuse(field_error("nda_version", "nda-changed"));
        }
        (true, Some(terms)) => Some(terms.version.as_str()),
    };
    let form = ReaderRequest {
        requester: &who,
        documents: &chosen,
        nda_version,
    };
    let requested = crate::documents::record_request(&state, &org, &scope, &form).await?;
    let t = crate::language::current();
    let title = |r: &DocumentRequest| {
        chosen
            .iter()
            .find(|d| d.key.as_str() == r.doc_key)
            .map(|d| d.title.in_locale(t.locale()).to_owned())
            .unwrap_or_else(|| r.doc_key.clone())
    };
    let list = |it: &mut dyn Iterator<Item = &DocumentRequest>| {
        it.map(&title).collect::<Vec<_>>().join(", ")
    };
    let mut parts = Vec::new();
    let granted = list(&mut requested.granted());
    if !granted.is_empty() {
        parts.push(t.t1("access-granted", "documents", granted));
    }
    let pending = list(&mut requested.pending());
    if !pending.is_empty() {
        parts.push(t.t2("access-pending", "org", &org.name, "documents", pending));
    }
    let denied = list(&mut requested.denied());
    if !denied.is_empty() {
        parts.push(t.t1("access-denied", "documents", denied));
    }
    parts.push(t.t1("access-mail", "email", &who.email));
    Ok(access_page(
        &org,
        &documents,
        nda,
        StatusCode::OK,
        None,
        Some(parts.join(" ")),
    ))
}

// ---------------------------------------------------------------- the reader's session

struct GrantRow {
    key: String,
    title: String,
    state: String,
    detail: String,
    download: bool,
}

#[derive(Template)]
#[template(path = "reader.html")]
struct ReaderPage<'a> {
    t: Tr,
    slug: &'a str,
    org_name: &'a str,
    confirm_token: Option<String>,
    signed_in: Option<String>,
    rows: Vec<GrantRow>,
    /// A reader with access may have a questionnaire answered.
    can_ask: bool,
    error: Option<String>,
    message: Option<String>,
}

impl<'a> ReaderPage<'a> {
    fn new(org: &'a Org) -> ReaderPage<'a> {
        ReaderPage {
            t: crate::language::current(),
            slug: org.slug.as_str(),
            org_name: &org.name,
            confirm_token: None,
            signed_in: None,
            rows: Vec::new(),
            can_ask: false,
            error: None,
            message: None,
        }
    }
}

/// The signed-in reader's email, if the request carries a live session for this org.
pub(crate) async fn signed_in_reader(
    state: &AppState,
    scope: &OrgScope,
    headers: &HeaderMap,
) -> Option<String> {
    let secret = reader_secret(headers, scope.slug().as_str())?;
    state
        .store
        .reader_session(scope, &secret_hash(secret), OffsetDateTime::now_utc())
        .await
        .ok()
        .flatten()
}

/// The reader's grant for `doc_key` that is in force now, if any (the
/// latest one when several are).
pub(crate) async fn active_grant(
    state: &AppState,
    scope: &OrgScope,
    email: &str,
    doc_key: &str,
) -> Result<Option<(DocumentRequest, OffsetDateTime)>, PageError> {
    let now = OffsetDateTime::now_utc();
    let requests = state.store.requests_by_email(scope, email).await?;
    Ok(requests
        .into_iter()
        .filter(|r| r.doc_key == doc_key)
        .filter_map(|r| match GrantState::of(&r, now) {
            GrantState::Active(until) => Some((r, until)),
            _ => None,
        })
        .max_by_key(|(_, until)| *until))
}

/// `GET /{org}/reader`: the reader's documents, or the sign-in form.
pub async fn reader_home(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> PageResult {
    let (org, scope, revision) = crate::pages::published_org(&state, &slug).await?;
    let mut page = ReaderPage::new(&org);
    let Some(email) = signed_in_reader(&state, &scope, &headers).await else {
        return Ok(render(page, StatusCode::OK));
    };
    let now = OffsetDateTime::now_utc();
    let documents = gated(&revision.content.documents);
    let requests = state.store.requests_by_email(&scope, &email).await?;
    let t = page.t;
    let mut seen = Vec::new();
    // Newest first: the first request per document is the one that counts,
    // unless an older grant is still in force.
    for r in &requests {
        if seen.contains(&r.doc_key) {
            continue;
        }
        let state_now = requests
            .iter()
            .filter(|o| o.doc_key == r.doc_key)
            .map(|o| GrantState::of(o, now))
            .find(|s| matches!(s, GrantState::Active(_)))
            .unwrap_or_else(|| GrantState::of(r, now));
        seen.push(r.doc_key.clone());
        let published = documents.iter().find(|d| d.key.as_str() == r.doc_key);
        let detail = match state_now {
            GrantState::Active(until) => t.t1("until-date", "date", human_time(until)),
            GrantState::Pending => t.t("grant-pending"),
            GrantState::Revoked => t.t("grant-revoked"),
            GrantState::Expired => t.t("grant-expired"),
            GrantState::Denied => String::new(),
        };
        let detail = match (&r.decision_note, detail.is_empty()) {
            (Some(note), true) => t.t1("their-note", "note", note),
            (Some(note), false) => {
                format!("{detail}; {}", t.t1("their-note", "note", note))
            }
            (None, _) => detail,
        };
        page.rows.push(GrantRow {
            key: r.doc_key.clone(),
            title: published.map_or_else(
                || t.t1("no-longer-published", "key", &r.doc_key),
                |d| d.title.in_locale(t.locale()).to_owned(),
            ),
            state: t.t(&format!("grant-state-{}", state_now.label())),
            detail,
            download: published.is_some() && matches!(state_now, GrantState::Active(_)),
        });
    }
    page.can_ask = page.rows.iter().any(|r| r.download);
    page.signed_in = Some(email);
    Ok(render(page, StatusCode::OK))
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

/// `POST /{org}/reader/link`: mails a single-use sign-in link to an address
/// that has asked this org for documents. The answer is the same either way,
/// so the form does not tell who has asked.
pub async fn send_link(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(form): Form<EmailForm>,
) -> PageResult {
    let (org, scope, _) = crate::pages::published_org(&state, &slug).await?;
    let email = normalize_email(&form.email);
    let mut page = ReaderPage::new(&org);
    if email.parse::<candor_domain::types::Email>().is_err() {
        page.error = Some(field_error("email", "enter-email"));
        return Ok(render(page, StatusCode::UNPROCESSABLE_ENTITY));
    }
    let now = OffsetDateTime::now_utc();
    let known = !state
        .store
        .requests_by_email(&scope, &email)
        .await?
        .is_empty();
    let recent = state
        .store
        .reader_links_since(&scope, &email, now - Duration::minutes(LINK_MINUTES))
        .await?;
    if known && recent < LINKS_PER_WINDOW {
        let secret = new_secret()?;
        state
            .store
            .insert_reader_token(
                &scope,
                &secret_hash(&secret),
                &email,
                ReaderTokenKind::Link,
                now + Duration::minutes(LINK_MINUTES),
            )
            .await?;
        let links = state.links(org.slug.as_str());
        let t = page.t;
        // The link keeps the page's language (`?token=…&lang=…`).
        let link = match t.lang_query().strip_prefix('?') {
            Some(lang) => format!("{}&{lang}", links.reader_sign_in(&secret)),
            None => links.reader_sign_in(&secret),
        };
        let mut args = fluent_bundle::FluentArgs::new();
        args.set("org", org.name.clone());
        args.set("link", link);
        args.set("minutes", LINK_MINUTES);
        let mail = compose::direct_email(
            &email,
            t.t1("sign-in-mail-subject", "org", &org.name),
            t.args("sign-in-mail-body", &args),
        );
        state.store.enqueue(&scope, &[mail]).await?;
        state.wake_worker();
    }
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("org", org.name.clone());
    args.set("email", email.clone());
    args.set("minutes", LINK_MINUTES);
    page.message = Some(page.t.args("sign-in-link-sent", &args));
    Ok(render(page, StatusCode::OK))
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    token: String,
}

/// `GET /{org}/reader/signin?token=`: a button, so that a mail scanner
/// opening the link does not use it up.
pub async fn sign_in_form(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<TokenForm>,
) -> PageResult {
    let (org, _, _) = crate::pages::published_org(&state, &slug).await?;
    let mut page = ReaderPage::new(&org);
    page.confirm_token = Some(q.token);
    Ok(render(page, StatusCode::OK))
}

/// `POST /{org}/reader/signin`: uses the link and opens the reader's session.
pub async fn sign_in(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(form): Form<TokenForm>,
) -> PageResult {
    let (org, scope, _) = crate::pages::published_org(&state, &slug).await?;
    let now = OffsetDateTime::now_utc();
    let session = new_secret()?;
    let signed_in = state
        .store
        .sign_in_reader(
            &scope,
            &secret_hash(&form.token),
            &secret_hash(&session),
            now + Duration::hours(READER_SESSION_HOURS),
            now,
        )
        .await?;
    if signed_in.is_none() {
        let mut page = ReaderPage::new(&org);
        page.error = Some(page.t.t("sign-in-link-dead"));
        return Ok(render(page, StatusCode::NOT_FOUND));
    }
    let lang = crate::language::current().lang_query();
    let mut response = Redirect::to(&format!("/{}/reader{lang}", org.slug)).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        reader_cookie(org.slug.as_str(), &session),
    );
    Ok(response)
}

/// `POST /{org}/reader/signout`.
pub async fn sign_out(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> PageResult {
    let (org, scope, _) = crate::pages::published_org(&state, &slug).await?;
    if let Some(secret) = reader_secret(&headers, org.slug.as_str()) {
        state
            .store
            .end_reader_session(&scope, &secret_hash(secret))
            .await?;
    }
    let lang = crate::language::current().lang_query();
    let mut response = Redirect::to(&format!("/{}/reader{lang}", org.slug)).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, expired_reader_cookie(org.slug.as_str()));
    Ok(response)
}

/// `GET /{org}/reader/documents/{key}`: the signed-in reader's download.
pub async fn reader_download(
    State(state): State<AppState>,
    Path((slug, key)): Path<(String, String)>,
    headers: HeaderMap,
) -> PageResult {
    let (_, scope, _, _) = crate::documents::published_document(&state, &slug, &key).await?;
    let Some(email) = signed_in_reader(&state, &scope, &headers).await else {
        return Ok(Redirect::to(&format!("/{slug}/reader")).into_response());
    };
    match active_grant(&state, &scope, &email, &key).await? {
        Some((grant, _)) => serve_file(&state, &scope, &key, Some(grant.id)).await,
        None => {
            let t = crate::language::current();
            Err(PageError::explained(
                StatusCode::FORBIDDEN,
                t.t("no-access-title"),
                t.t("no-access-document"),
            ))
        }
    }
}

/// A signed-in reader's view of a document page: recorded in their history;
/// the time their access ends, when they have it.
pub(crate) async fn reader_view(
    state: &AppState,
    scope: &OrgScope,
    headers: &HeaderMap,
    doc_key: &str,
) -> Result<Option<String>, PageError> {
    let Some(email) = signed_in_reader(state, scope, headers).await else {
        return Ok(None);
    };
    let grant = active_grant(state, scope, &email, doc_key).await?;
    let event = ReaderEvent::new(
        OffsetDateTime::now_utc(),
        &email,
        doc_key,
        grant.as_ref().map(|(g, _)| g.id),
        ReaderEventKind::Viewed,
        "",
    );
    state.store.record_reader_event(scope, &event).await?;
    Ok(grant.map(|(_, until)| human_time(until)))
}

// ---------------------------------------------------------------- questionnaires, self-service

/// The server is reading other files: try again shortly (503).
fn busy_reading() -> PageError {
    let t = crate::language::current();
    PageError::explained(
        StatusCode::SERVICE_UNAVAILABLE,
        t.t("busy-title"),
        t.t("busy-files"),
    )
}

/// `POST /{org}/reader/questionnaire` (multipart: `file`, `format` =
/// `xlsx`, `csv` or `json`): a signed-in reader who holds a grant in force has
/// their questionnaire answered from the latest revision (which holds no
/// internal entries, and no gated ones either: those are never published, so
/// no answer could cite them verifiably), each answer citing its source in
/// the revision and the log. Recorded in the reader's history.
pub async fn answer_questionnaire(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    mut multipart: axum::extract::Multipart,
) -> PageResult {
    use candor_app::questionnaires;
    let (org, scope, _) = crate::pages::published_org(&state, &slug).await?;
    let Some(email) = signed_in_reader(&state, &scope, &headers).await else {
        return Ok(Redirect::to(&format!("/{slug}/reader")).into_response());
    };
    let now = OffsetDateTime::now_utc();
    let requests = state.store.requests_by_email(&scope, &email).await?;
    if !requests
        .iter()
        .any(|r| matches!(GrantState::of(r, now), GrantState::Active(_)))
    {
        let t = crate::language::current();
        return Err(PageError::explained(
            StatusCode::FORBIDDEN,
            t.t("no-access-title"),
            t.t("no-access-questionnaire"),
        ));
    }
    let refuse = |message: String| {
        let mut page = ReaderPage::new(&org);
        page.error = Some(message);
        Ok(render(page, StatusCode::UNPROCESSABLE_ENTITY))
    };
    let (mut file, mut format) = (None, String::from("xlsx"));
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or("questionnaire").to_owned();
                match field.bytes().await {
                    Ok(bytes) => file = Some((name, bytes)),
                    Err(_) => return refuse(field_error("file", "upload-broken")),
                }
            }
            Ok(Some(field)) if field.name() == Some("format") => {
                format = field.text().await.unwrap_or_default();
            }
            Ok(Some(_)) => continue,
            Ok(None) => break,
            Err(_) => return refuse(field_error("file", "upload-broken")),
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return refuse(field_error("file", "choose-questionnaire"));
    };
    if !matches!(format.as_str(), "xlsx" | "csv" | "json") {
        return refuse(field_error("format", "choose-format"));
    }
    let is_xlsx = bytes.starts_with(b"PK\x03\x04");
    if format == "xlsx" && !is_xlsx {
        return refuse(field_error("format", "xlsx-only-from-xlsx"));
    }
    let (read_name, read_bytes) = (name.clone(), bytes.clone());
    let questionnaire = match crate::parsing::off_runtime(move || {
        candor_questionnaire::sheet::read(&read_name, &read_bytes)
            .map_err(|e| candor_domain::ContentError::one("file", e.to_string()))
    })
    .await
    {
        Ok(q) => q,
        Err(crate::parsing::ParseFailure::Invalid(e)) => return refuse(e.to_string()),
        Err(crate::parsing::ParseFailure::Busy) => {
            return Err(busy_reading());
        }
    };
    let answered = questionnaires::answer(
        &*state.store,
        &scope,
        &questionnaire,
        false,
        candor_questionnaire::Audience::Customer,
    )
    .await
    .map_err(|e| match e {
        questionnaires::QuestionnaireError::Store(e) => PageError::from(e),
        other => PageError::explained(
            StatusCode::CONFLICT,
            crate::language::current().t("cannot-answer-title"),
            other.to_string(),
        ),
    })?;
    let stem = std::path::Path::new(&name)
        .file_stem()
        .map_or_else(
            || "questionnaire".into(),
            |s| s.to_string_lossy().into_owned(),
        )
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .take(80)
        .collect::<String>();
    let (body, content_type, extension) = match format.as_str() {
        "json" => (
            serde_json::to_vec_pretty(&answered.to_questionnaire_json())
                .map_err(PageError::from)?,
            "application/json",
            "json",
        ),
        "csv" => (
            answered.to_csv().map_err(|e| {
                PageError::explained(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    crate::language::current().t("cannot-answer-title"),
                    e.to_string(),
                )
            })?,
            "text/csv; charset=utf-8",
            "csv",
        ),
        _ => {
            let filled = crate::parsing::off_runtime(move || {
                questionnaires::fill_workbook(&bytes, &questionnaire, &answered)
                    .map_err(|e| candor_domain::ContentError::one("file", e.to_string()))
            })
            .await;
            match filled {
                Ok(book) => (
                    book,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "xlsx",
                ),
                Err(crate::parsing::ParseFailure::Invalid(e)) => return refuse(e.to_string()),
                Err(crate::parsing::ParseFailure::Busy) => {
                    return Err(busy_reading());
                }
            }
        }
    };
    let event = ReaderEvent::new(
        now,
        &email,
        "",
        None,
        ReaderEventKind::Questionnaire,
        format!("{name} ({format})"),
    );
    state.store.record_reader_event(&scope, &event).await?;
    let mut response = axum::body::Body::from(body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static(content_type),
    );
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!(
        "attachment; filename=\"{stem}-answered.{extension}\""
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}
