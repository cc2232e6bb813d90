//! The admin UI at `/admin`: server-rendered, no JavaScript. Sign-in and
//! sign-out, the orgs a user belongs to, and per org: the draft's differences
//! from the last revision, section-by-section YAML editing with field-path
//! errors, a preview rendered exactly as the public page, publishing and the
//! audit log. Every org page passes through [`crate::access::guard`].

use std::net::{IpAddr, SocketAddr};

use askama::Template;
use axum::extract::{ConnectInfo, Extension, Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use candor_domain::audit::verify_chain;
use candor_domain::parse::SECTIONS;
use candor_domain::policy::{Action, allows};
use candor_domain::types::Day;
use candor_domain::{Revision, TrustCenter, diff};
use candor_store::{PublishOutcome, publish_draft};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::AppState;
use crate::access::{Access, session_user};
use crate::auth::{
    SESSION_HOURS, burn_decoy_verification, expired_session_cookie, new_secret, normalize_email,
    secret_hash, session_cookie, session_secret, verify_password,
};
use crate::error::ApiError;
use crate::views::TrustPage;

fn render(template: impl Template, status: StatusCode) -> Response {
    match template.render() {
        Ok(html) => {
            let mut response = (status, Html(html)).into_response();
            // Admin pages show unpublished and personal data: never cache them.
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "admin template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "admin request failed");
    ApiError::internal().into_response()
}

#[derive(Template)]
#[template(path = "admin/message.html")]
struct MessagePage<'a> {
    title: &'a str,
    message: &'a str,
}

pub fn forbidden_page() -> Response {
    render(
        MessagePage {
            title: "Not allowed",
            message: "Your role in this org does not allow this.",
        },
        StatusCode::FORBIDDEN,
    )
}

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage<'a> {
    error: Option<&'a str>,
}

pub async fn login_form() -> Response {
    render(LoginPage { error: None }, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
}

/// One message for every failure, so the form does not reveal which emails have accounts.
const LOGIN_FAILED: &str = "That email and password do not match an account.";

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let email = normalize_email(&form.email);
    let ip: IpAddr = peer.ip();
    let account_key = secret_hash(&email);
    if state.limits.login_by_ip.check_key(&ip).is_err()
        || state
            .limits
            .login_by_account
            .check_key(&account_key)
            .is_err()
    {
        let mut response = render(
            LoginPage {
                error: Some("Too many attempts. Wait a minute and try again."),
            },
            StatusCode::TOO_MANY_REQUESTS,
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        return response;
    }
    let credentials = match state.store.credentials_by_email(&email).await {
        Ok(c) => c,
        Err(e) => return internal(e),
    };
    // Hashing is slow on purpose: keep it off the async workers.
    let password = form.password;
    let user = tokio::task::spawn_blocking(move || match credentials {
        Some(c) if verify_password(&c.password_hash, &password) => Some(c.user),
        Some(_) => None,
        None => {
            burn_decoy_verification(&password);
            None
        }
    })
    .await
    .unwrap_or(None);
    let Some(user) = user else {
        tracing::info!("sign-in failed");
        return render(
            LoginPage {
                error: Some(LOGIN_FAILED),
            },
            StatusCode::UNAUTHORIZED,
        );
    };
    // A new session id at every sign-in, and the old one ended (no fixation).
    if let Some(old) = session_secret(&headers) {
        let _ = state.store.delete_session(&secret_hash(old)).await;
    }
    let secret = match new_secret() {
        Ok(s) => s,
        Err(e) => return internal(e),
    };
    let expires = OffsetDateTime::now_utc() + time::Duration::hours(SESSION_HOURS);
    if let Err(e) = state
        .store
        .insert_session(&secret_hash(&secret), user.id, expires)
        .await
    {
        return internal(e);
    }
    tracing::info!(user = %user.id, "signed in");
    let mut response = Redirect::to("/admin").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&secret));
    response
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(secret) = session_secret(&headers)
        && let Err(e) = state.store.delete_session(&secret_hash(secret)).await
    {
        return internal(e);
    }
    let mut response = Redirect::to("/admin/login").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, expired_session_cookie());
    response
}

pub async fn logout_everywhere(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match session_user(&state, &headers).await {
        Ok(Some(user)) => {
            if let Err(e) = state.store.delete_user_sessions(user.id).await {
                return internal(e);
            }
        }
        Ok(None) => {}
        Err(e) => return internal(e),
    }
    let mut response = Redirect::to("/admin/login").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, expired_session_cookie());
    response
}

#[derive(Template)]
#[template(path = "admin/home.html")]
struct HomePage {
    orgs: Vec<(String, String, &'static str)>,
}

pub async fn home(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let user = match session_user(&state, &headers).await {
        Ok(Some(user)) => user,
        Ok(None) => return Redirect::to("/admin/login").into_response(),
        Err(e) => return internal(e),
    };
    let orgs = match state.store.memberships_of(user.id).await {
        Ok(list) => list
            .into_iter()
            .map(|(org, role)| (org.slug.to_string(), org.name, role.as_str()))
            .collect(),
        Err(e) => return internal(e),
    };
    render(HomePage { orgs }, StatusCode::OK)
}

/// The draft, or (before the first edit) the latest revision's content.
async fn working_copy(
    state: &AppState,
    access: &Access,
) -> Result<(Option<TrustCenter>, Option<Revision>), Response> {
    let latest = state
        .store
        .latest_revision(&access.scope)
        .await
        .map_err(internal)?;
    let draft = state
        .store
        .draft(&access.scope)
        .await
        .map_err(internal)?
        .map(|d| d.content);
    let working = draft.or_else(|| latest.as_ref().map(|r| r.content.clone()));
    Ok((working, latest))
}

#[derive(Template)]
#[template(path = "admin/org.html")]
struct OrgPage<'a> {
    slug: &'a str,
    name: String,
    role: &'static str,
    latest: Option<u64>,
    has_draft: bool,
    changes: Vec<String>,
    sections: &'static [&'static str],
    can_edit: bool,
    can_publish: bool,
    can_audit: bool,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct OrgQuery {
    published: Option<u64>,
}

pub async fn org_page(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Query(q): Query<OrgQuery>,
) -> Response {
    let (working, latest) = match working_copy(&state, &access).await {
        Ok(pair) => pair,
        Err(r) => return r,
    };
    let changes = match (&working, &latest) {
        (Some(w), Some(l)) => diff(&l.content, w).describe(),
        (Some(_), None) => vec!["nothing published yet: publishing creates revision 1".into()],
        _ => Vec::new(),
    };
    let name = working
        .as_ref()
        .map(|w| w.profile.name.to_string())
        .unwrap_or_else(|| access.scope.slug().to_string());
    render(
        OrgPage {
            slug: access.scope.slug().as_str(),
            name,
            role: access.role.as_str(),
            latest: latest.map(|l| l.number),
            has_draft: working.is_some(),
            changes,
            sections: SECTIONS,
            can_edit: allows(access.role, Action::EditDraft),
            can_publish: allows(access.role, Action::Publish),
            can_audit: allows(access.role, Action::ViewAudit),
            notice: q.published.map(|n| format!("Published revision {n}.")),
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "admin/section.html")]
struct SectionPage<'a> {
    slug: &'a str,
    section: &'a str,
    yaml: String,
    errors: Vec<String>,
    can_edit: bool,
    saved: bool,
}

#[derive(Deserialize)]
pub struct SectionQuery {
    saved: Option<u8>,
}

pub async fn section_form(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, section)): Path<(String, String)>,
    Query(q): Query<SectionQuery>,
) -> Response {
    let (working, _) = match working_copy(&state, &access).await {
        Ok(pair) => pair,
        Err(r) => return r,
    };
    let Some(working) = working else {
        return render(
            MessagePage {
                title: "No content yet",
                message: "Apply a trust-as-code file first: candor apply FILE --org SLUG.",
            },
            StatusCode::NOT_FOUND,
        );
    };
    let Some(yaml) = working.section_yaml(&section) else {
        return crate::pages::not_found_page("section with this name");
    };
    render(
        SectionPage {
            slug: access.scope.slug().as_str(),
            section: &section,
            yaml,
            errors: Vec::new(),
            can_edit: allows(access.role, Action::EditDraft),
            saved: q.saved.is_some(),
        },
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub struct SectionForm {
    yaml: String,
}

pub async fn section_save(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, section)): Path<(String, String)>,
    Form(form): Form<SectionForm>,
) -> Response {
    let (working, _) = match working_copy(&state, &access).await {
        Ok(pair) => pair,
        Err(r) => return r,
    };
    let Some(working) = working else {
        return crate::pages::not_found_page("draft to edit");
    };
    if !SECTIONS.contains(&section.as_str()) {
        return crate::pages::not_found_page("section with this name");
    }
    // Browsers send CRLF from textareas; YAML does not care, but round trips should not change.
    let yaml = form.yaml.replace("\r\n", "\n");
    match working.replace_section(&section, &yaml) {
        Ok(updated) => {
            if let Err(e) = state.store.save_draft(&access.scope, &updated).await {
                return internal(e);
            }
            Redirect::to(&format!(
                "/admin/orgs/{}/sections/{section}?saved=1",
                access.scope.slug()
            ))
            .into_response()
        }
        Err(e) => render(
            SectionPage {
                slug: access.scope.slug().as_str(),
                section: &section,
                yaml,
                errors: e.errors.iter().map(ToString::to_string).collect(),
                can_edit: true,
                saved: false,
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    }
}

pub async fn preview(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> Response {
    let (working, latest) = match working_copy(&state, &access).await {
        Ok(pair) => pair,
        Err(r) => return r,
    };
    let Some(content) = working else {
        return crate::pages::not_found_page("draft to preview");
    };
    let revision = Revision {
        number: latest.map(|l| l.number + 1).unwrap_or(1),
        content_hash: content.content_hash(),
        published_at: OffsetDateTime::now_utc(),
        content,
    };
    let today = Day(OffsetDateTime::now_utc().date());
    let mut page = TrustPage::new(access.scope.slug().as_str(), &revision, today);
    page.preview = true;
    render(page, StatusCode::OK)
}

pub async fn publish(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> Response {
    match publish_draft(
        &*state.store,
        &access.scope,
        OffsetDateTime::now_utc(),
        &access.actor,
    )
    .await
    {
        Ok(PublishOutcome::Published { revision, .. }) => {
            state.pages.invalidate(access.scope.slug());
            Redirect::to(&format!(
                "/admin/orgs/{}?published={}",
                access.scope.slug(),
                revision.number
            ))
            .into_response()
        }
        Ok(PublishOutcome::Unchanged { .. }) | Ok(PublishOutcome::NoDraft) => {
            Redirect::to(&format!("/admin/orgs/{}", access.scope.slug())).into_response()
        }
        Err(e) => internal(e),
    }
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage<'a> {
    slug: &'a str,
    rows: Vec<(u64, String, String, String, String)>,
    verdict: String,
    intact: bool,
}

pub async fn audit(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> Response {
    let log = match state.store.audit_log(&access.scope).await {
        Ok(log) => log,
        Err(e) => return internal(e),
    };
    let check = verify_chain(&log.entries, log.head);
    let rows = log
        .entries
        .iter()
        .rev()
        .map(|e| {
            let at = e
                .event
                .at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default();
            (
                e.seq,
                at,
                e.event.actor.clone(),
                e.event.action.clone(),
                e.event.target.clone(),
            )
        })
        .collect();
    render(
        AuditPage {
            slug: access.scope.slug().as_str(),
            rows,
            intact: check.is_ok(),
            verdict: match check {
                Ok(()) => format!(
                    "{} entries; the hash chain and head are intact.",
                    log.entries.len()
                ),
                Err(e) => format!("Verification FAILED: {e}"),
            },
        },
        StatusCode::OK,
    )
}
