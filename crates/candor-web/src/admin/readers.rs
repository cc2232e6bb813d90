//! Readers in the admin UI: the org's rules for requests (domain lists, the
//! default grant length), everyone who asked, and the history per reader and
//! per document (`/admin/orgs/{org}/readers`); the org's endpoints for
//! operator events (`/admin/orgs/{org}/events`).

use askama::Template;
use axum::Form;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use candor_store::readers::{GrantState, ReaderFilter};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::api::{add_endpoint, checked_policy};
use crate::caller::Access;
use crate::page_error::{PageError, PageResult, render};
use crate::state::AppState;
use crate::views::human_time;

struct ReaderRow {
    email: String,
    email_query: String,
    name: String,
    company: String,
    active: usize,
    pending: usize,
    last: String,
}

#[derive(Template)]
#[template(path = "admin/readers.html")]
struct ReadersPage<'a> {
    slug: &'a str,
    allow: String,
    block: String,
    grant_days: String,
    readers: Vec<ReaderRow>,
    /// (when, email, document, what)
    history: Vec<(String, String, String, String)>,
    filter_email: String,
    filter_doc: String,
    filter_label: String,
    notice: Option<String>,
    error: Option<String>,
    /// The policy field an error is about, or empty.
    error_field: String,
}

#[derive(Deserialize, Default)]
pub struct HistoryFilter {
    #[serde(default)]
    email: String,
    #[serde(default)]
    document: String,
}

/// The typed policy when a save failed, to show it again.
struct Typed {
    allow: String,
    block: String,
    grant_days: String,
}

async fn readers_page(
    state: &AppState,
    access: &Access,
    filter: HistoryFilter,
    typed: Option<Typed>,
    outcome: Result<Option<String>, (String, String)>,
    status: StatusCode,
) -> PageResult {
    let scope = &access.scope;
    let policy = state.store.reader_policy(scope).await?;
    let typed = typed.unwrap_or_else(|| Typed {
        allow: policy.allow_domains.join("\n"),
        block: policy.block_domains.join("\n"),
        grant_days: policy.grant_days.to_string(),
    });
    let now = OffsetDateTime::now_utc();
    let mut readers: Vec<ReaderRow> = Vec::new();
    // Newest first, so each reader's first row names them as they last did.
    for r in state.store.document_requests(scope).await? {
        let state_now = GrantState::of(&r, now);
        let row = match readers.iter_mut().position(|x| x.email == r.email) {
            Some(i) => &mut readers[i],
            None => {
                readers.push(ReaderRow {
                    email_query: url::form_urlencoded::byte_serialize(r.email.as_bytes()).collect(),
                    email: r.email.clone(),
                    name: r.name.clone(),
                    company: r.company.clone(),
                    active: 0,
                    pending: 0,
                    last: human_time(r.created_at),
                });
                let last = readers.len() - 1;
                &mut readers[last]
            }
        };
        match state_now {
            GrantState::Active(_) => row.active += 1,
            GrantState::Pending => row.pending += 1,
            _ => {}
        }
    }
    let email = crate::auth::normalize_email(&filter.email);
    let doc = filter.document.trim().to_owned();
    let history_filter = ReaderFilter {
        email: (!email.is_empty()).then(|| email.clone()),
        doc_key: (!doc.is_empty()).then(|| doc.clone()),
    };
    let history = state
        .store
        .reader_events(scope, &history_filter, 500)
        .await?
        .into_iter()
        .map(|e| {
            let what = match e.detail.is_empty() {
                true => e.kind.as_str().replace('_', " "),
                false => format!("{} ({})", e.kind.as_str().replace('_', " "), e.detail),
            };
            (human_time(e.at), e.email, e.doc_key, what)
        })
        .collect();
    let filter_label = match (email.is_empty(), doc.is_empty()) {
        (true, true) => String::new(),
        (false, true) => email.clone(),
        (true, false) => format!("document {doc}"),
        (false, false) => format!("{email} and document {doc}"),
    };
    let (notice, error, error_field) = match outcome {
        Ok(notice) => (notice, None, String::new()),
        Err((field, message)) => (None, Some(format!("{field}: {message}")), field),
    };
    Ok(render(
        ReadersPage {
            slug: scope.slug().as_str(),
            allow: typed.allow,
            block: typed.block,
            grant_days: typed.grant_days,
            readers,
            history,
            filter_email: email,
            filter_doc: doc,
            filter_label,
            notice,
            error,
            error_field,
        },
        status,
    ))
}

/// `GET /admin/orgs/{org}/readers?email=&document=`.
pub async fn readers(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Query(filter): Query<HistoryFilter>,
) -> PageResult {
    readers_page(&state, &access, filter, None, Ok(None), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct PolicyForm {
    #[serde(default)]
    allow_domains: String,
    #[serde(default)]
    block_domains: String,
    #[serde(default)]
    grant_days: String,
}

/// `POST /admin/orgs/{org}/readers/policy`.
pub async fn set_policy(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Form(form): Form<PolicyForm>,
) -> PageResult {
    let typed = Typed {
        allow: form.allow_domains.clone(),
        block: form.block_domains.clone(),
        grant_days: form.grant_days.clone(),
    };
    let refuse = |field: &str, message: String, typed: Typed| {
        readers_page(
            &state,
            &access,
            HistoryFilter::default(),
            Some(typed),
            Err((field.to_owned(), message)),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let Ok(days) = form.grant_days.trim().parse::<u16>() else {
        return refuse(
            "grant_days",
            "enter a number of days from 1 to 365".into(),
            typed,
        )
        .await;
    };
    let policy = match checked_policy(&form.allow_domains, &form.block_domains, days) {
        Ok(p) => p,
        Err(e) => {
            let field = e.field.clone().unwrap_or_default();
            return refuse(&field, e.message, typed).await;
        }
    };
    candor_app::readers::set_policy(&*state.store, &access.scope, &policy, &access.actor).await?;
    readers_page(
        &state,
        &access,
        HistoryFilter::default(),
        None,
        Ok(Some("Saved. New requests follow these rules.".into())),
        StatusCode::OK,
    )
    .await
}

#[derive(Template)]
#[template(path = "admin/events.html")]
struct EventsPage<'a> {
    slug: &'a str,
    /// (id, url, added)
    endpoints: Vec<(Uuid, String, String)>,
    secret: Option<String>,
    error: Option<String>,
}

async fn events_page(
    state: &AppState,
    access: &Access,
    secret: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let endpoints = state
        .store
        .event_hooks(&access.scope)
        .await?
        .into_iter()
        .map(|h| (h.id, h.url, human_time(h.created_at)))
        .collect();
    Ok(render(
        EventsPage {
            slug: access.scope.slug().as_str(),
            endpoints,
            secret,
            error,
        },
        status,
    ))
}

/// `GET /admin/orgs/{org}/events`.
pub async fn events(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> PageResult {
    events_page(&state, &access, None, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct EndpointForm {
    #[serde(default)]
    url: String,
}

/// `POST /admin/orgs/{org}/events`: shows the new secret once.
pub async fn add_event_endpoint(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Form(form): Form<EndpointForm>,
) -> PageResult {
    match add_endpoint(&state, &access, &form.url).await {
        Ok((_, secret)) => {
            events_page(&state, &access, Some(secret), None, StatusCode::CREATED).await
        }
        Err(e) => {
            let message = match &e.field {
                Some(field) => format!("{field}: {}", e.message),
                None => e.message.clone(),
            };
            events_page(&state, &access, None, Some(message), e.status).await
        }
    }
}

/// `POST /admin/orgs/{org}/events/{id}/remove`.
pub async fn remove_event_endpoint(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> PageResult {
    let id: Uuid = id.parse().map_err(|_| PageError::not_found("endpoint"))?;
    if !super::confirm::confirmed(&body) {
        let slug = access.scope.slug().as_str();
        return Ok(super::confirm::ask(super::confirm::Ask {
            slug,
            title: "Remove an event endpoint",
            consequence: "No more events are sent to it, and events still queued for it are dropped. Adding it again gives it a new secret.",
            action: &format!("/admin/orgs/{slug}/events/{id}/remove"),
            hidden: &[],
            button: "Remove the endpoint",
            back: &format!("/admin/orgs/{slug}/events"),
        }));
    }
    if !candor_app::readers::remove_event_endpoint(&*state.store, &access.scope, id, &access.actor)
        .await?
    {
        return Err(PageError::not_found("endpoint"));
    }
    Ok(Redirect::to(&format!("/admin/orgs/{}/events", access.scope.slug())).into_response())
}
