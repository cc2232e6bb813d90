//! The admin UI at `/admin`: server-rendered, no JavaScript. Sign-in and
//! sign-out, the orgs a user belongs to, and per org: the draft's differences
//! from the last revision, section-by-section YAML editing with field-path
//! errors, a preview rendered exactly as the public page, publishing and the
//! audit log. Every org page passes through [`crate::access::guard`].

use std::net::{IpAddr, SocketAddr};

use askama::Template;
use axum::extract::{ConnectInfo, Extension, Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use candor_domain::OrgSlug;
use candor_domain::audit::verify_chain;
use candor_domain::parse::SECTIONS;
use candor_domain::policy::{Action, Role, allows};
use candor_domain::types::Day;
use candor_domain::{Revision, TrustCenter, diff};
use candor_store::{Invite, OrgScope, PublishOutcome, StoreError, publish_draft, scope_for};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::auth::{
    SESSION_HOURS, burn_decoy_verification, expired_session_cookie, new_secret, normalize_email,
    secret_hash, session_cookie, session_secret, verify_password,
};
use crate::caller::{Access, session_user};
use crate::error::ApiError;
use crate::state::AppState;
use crate::views::TrustPage;

// The admin handlers move to `PageError` with the admin folder; until then they
// use the shared page helpers directly.
pub(crate) use crate::page_error::{internal, render};

pub fn forbidden_page() -> Response {
    crate::page_error::PageError::forbidden().into_response()
}

#[derive(Template)]
#[template(path = "admin/message.html")]
struct MessagePage<'a> {
    title: &'a str,
    message: &'a str,
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
    let too_many = || {
        let mut response = render(
            LoginPage {
                error: Some("Too many attempts. Wait a minute and try again."),
            },
            StatusCode::TOO_MANY_REQUESTS,
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        response
    };
    if state.limits.login_by_ip.check_key(&ip).is_err() {
        return too_many();
    }
    let credentials = match state.store.credentials_by_email(&email).await {
        Ok(c) => c,
        Err(e) => return internal(e),
    };
    // The per-account budget stops guessing from many addresses; a browser that
    // signed in to this account before (its device cookie) is exempt, so that
    // strangers failing on purpose cannot lock the owner out.
    let known = credentials
        .as_ref()
        .is_some_and(|c| crate::auth::known_device(&state, &headers, c.user.id));
    if !known
        && state
            .limits
            .login_by_account
            .check_key(&secret_hash(&email))
            .is_err()
    {
        return too_many();
    }
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
    if let Some(device) = crate::auth::device_cookie(&state, user.id) {
        response.headers_mut().append(header::SET_COOKIE, device);
    }
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
pub(crate) async fn working_copy(
    state: &AppState,
    access: &Access,
) -> Result<(Option<TrustCenter>, Option<Revision>), StoreError> {
    crate::manage::working_copy(&*state.store, &access.scope).await
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
    can_manage_members: bool,
    can_manage_tokens: bool,
    can_view_subscribers: bool,
    can_manage_documents: bool,
    can_handle_reports: bool,
    overdue_reports: usize,
    can_handle_privacy: bool,
    can_manage_settings: bool,
    notice: Option<String>,
    error: Option<String>,
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
    let notice = q.published.map(|n| format!("Published revision {n}."));
    org_view(&state, &access, notice, None, StatusCode::OK).await
}

/// The org's dashboard, with a status line or a refusal at the top.
async fn org_view(
    state: &AppState,
    access: &Access,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let (working, latest) = match working_copy(state, access).await {
        Ok(pair) => pair,
        Err(e) => return internal(e),
    };
    let changes = match (&working, &latest) {
        (Some(w), Some(l)) => diff(&l.content, w).describe(),
        (Some(_), None) => vec!["nothing published yet: publishing creates revision 1".into()],
        _ => Vec::new(),
    };
    let overdue_reports = if allows(access.role, Action::HandleReports) {
        crate::reports::overdue_count(state, &access.scope).await
    } else {
        0
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
            can_manage_members: allows(access.role, Action::ManageMembers),
            can_manage_tokens: allows(access.role, Action::ManageTokens),
            can_view_subscribers: allows(access.role, Action::ViewSubscribers),
            can_manage_documents: allows(access.role, Action::ManageDocuments),
            can_handle_reports: allows(access.role, Action::HandleReports),
            can_handle_privacy: allows(access.role, Action::HandlePrivacyRequests),
            can_manage_settings: allows(access.role, Action::ManageSettings),
            overdue_reports,
            notice,
            error,
        },
        status,
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
        Err(e) => return internal(e),
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
        return crate::page_error::not_found_page("section with this name");
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
        Err(e) => return internal(e),
    };
    let Some(working) = working else {
        return crate::page_error::not_found_page("draft to edit");
    };
    if !SECTIONS.contains(&section.as_str()) {
        return crate::page_error::not_found_page("section with this name");
    }
    // Browsers send CRLF from textareas; YAML does not care, but round trips should not change.
    let yaml = form.yaml.replace("\r\n", "\n");
    let parsed = {
        let (section, yaml) = (section.clone(), yaml.clone());
        crate::parsing::off_runtime(move || working.replace_section(&section, &yaml)).await
    };
    match parsed {
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
        Err(failure) => render(
            SectionPage {
                slug: access.scope.slug().as_str(),
                section: &section,
                yaml,
                errors: match failure {
                    crate::parsing::ParseFailure::Invalid(e) => {
                        e.errors.iter().map(ToString::to_string).collect()
                    }
                    crate::parsing::ParseFailure::Busy => vec![
                        "the server is busy reading other documents; nothing was saved, try again"
                            .to_owned(),
                    ],
                },
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
        Err(e) => return internal(e),
    };
    let Some(content) = working else {
        return crate::page_error::not_found_page("draft to preview");
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
            state.wake_worker();
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
        Ok(PublishOutcome::Refused(refusal)) => {
            let message = format!("Not published: {refusal}");
            org_view(
                &state,
                &access,
                None,
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
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

// ---- Members, invitations and API tokens ----------------------------------------

#[derive(Template)]
#[template(path = "admin/members.html")]
struct MembersPage<'a> {
    slug: &'a str,
    members: Vec<(String, &'static str)>,
    /// id, email, role, expiry (RFC 3339)
    invites: Vec<(String, String, &'static str, String)>,
    roles: Vec<&'static str>,
    error: Option<String>,
    notice: Option<String>,
    invite_link: Option<String>,
}

async fn members_page(
    state: &AppState,
    access: &Access,
    status: StatusCode,
    outcome: Outcome,
) -> Response {
    let members = match state.store.members(&access.scope).await {
        Ok(list) => list
            .into_iter()
            .map(|m| (m.user.email, m.role.as_str()))
            .collect(),
        Err(e) => return internal(e),
    };
    let invites = match state
        .store
        .open_invites(&access.scope, OffsetDateTime::now_utc())
        .await
    {
        Ok(list) => list
            .into_iter()
            .map(|i| {
                let expires = i
                    .expires_at
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default();
                (i.id.to_string(), i.email, i.role.as_str(), expires)
            })
            .collect(),
        Err(e) => return internal(e),
    };
    // Least power first: a slip of the hand should not make an owner.
    let mut roles: Vec<&'static str> = Role::ALL
        .into_iter()
        .filter(|r| *r != Role::Owner || allows(access.role, Action::ManageOwners))
        .map(Role::as_str)
        .collect();
    roles.sort_by_key(|r| r.parse::<Role>().ok());
    render(
        MembersPage {
            slug: access.scope.slug().as_str(),
            members,
            invites,
            roles,
            error: outcome.error,
            notice: outcome.notice,
            invite_link: outcome.secret,
        },
        status,
    )
}

/// What a management form did, for the page that follows it.
#[derive(Default)]
struct Outcome {
    error: Option<String>,
    notice: Option<String>,
    /// A secret (token or invitation link) shown on this page and never again.
    secret: Option<String>,
}

/// A secret was just created: 201, and the page shows it this once.
fn shown_once(notice: String, secret: String) -> (StatusCode, Outcome) {
    (
        StatusCode::CREATED,
        Outcome {
            notice: Some(notice),
            secret: Some(secret),
            ..Outcome::default()
        },
    )
}

fn refused(e: &ApiError) -> (StatusCode, Outcome) {
    let field = e
        .field
        .as_deref()
        .map(|f| format!("{f}: "))
        .unwrap_or_default();
    (
        e.status,
        Outcome {
            error: Some(format!("{field}{}", e.message)),
            ..Outcome::default()
        },
    )
}

pub async fn members(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> Response {
    members_page(&state, &access, StatusCode::OK, Outcome::default()).await
}

#[derive(Deserialize)]
pub struct MemberForm {
    email: String,
    role: String,
}

fn parse_role_field(role: &str) -> Result<Role, ApiError> {
    role.parse()
        .map_err(|e: String| ApiError::validation("role", e))
}

pub async fn set_member(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Form(form): Form<MemberForm>,
) -> Response {
    let result = match parse_role_field(&form.role) {
        Ok(role) => crate::manage::set_member(&state, &access, &form.email, role)
            .await
            .map(|_| role),
        Err(e) => Err(e),
    };
    let (status, outcome) = match result {
        Ok(role) => (
            StatusCode::OK,
            Outcome {
                notice: Some(format!("Role set to {}.", role.as_str())),
                ..Outcome::default()
            },
        ),
        Err(e) => refused(&e),
    };
    members_page(&state, &access, status, outcome).await
}

#[derive(Deserialize)]
pub struct RemoveMemberForm {
    email: String,
}

pub async fn remove_member(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Form(form): Form<RemoveMemberForm>,
) -> Response {
    let (status, outcome) = match crate::manage::remove_member(&state, &access, &form.email).await {
        Ok(_) => (
            StatusCode::OK,
            Outcome {
                notice: Some("Member removed from this org.".into()),
                ..Outcome::default()
            },
        ),
        Err(e) => refused(&e),
    };
    members_page(&state, &access, status, outcome).await
}

pub async fn revoke_invite(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
) -> Response {
    let result = match id.parse::<uuid::Uuid>() {
        Ok(id) => crate::manage::revoke_invite(&state, &access, id).await,
        Err(_) => Err(ApiError::not_found("no open invitation with this id")),
    };
    let (status, outcome) = match result {
        Ok(()) => (
            StatusCode::OK,
            Outcome {
                notice: Some("Invitation revoked: its link no longer works.".into()),
                ..Outcome::default()
            },
        ),
        Err(e) => refused(&e),
    };
    members_page(&state, &access, status, outcome).await
}

pub async fn invite(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Form(form): Form<MemberForm>,
) -> Response {
    let result = match parse_role_field(&form.role) {
        Ok(role) => {
            let hours = crate::manage::DEFAULT_INVITE_HOURS;
            crate::manage::create_invite(&state, &access, &form.email, role, hours).await
        }
        Err(e) => Err(e),
    };
    let (status, outcome) = match result {
        Ok((_, link)) => shown_once(
            format!(
                "Invitation created. Send this link to the person; it works once, for {} hours, and is not shown again.",
                crate::manage::DEFAULT_INVITE_HOURS
            ),
            link,
        ),
        Err(e) => refused(&e),
    };
    members_page(&state, &access, status, outcome).await
}

#[derive(Template)]
#[template(path = "admin/tokens.html")]
struct TokensPage<'a> {
    slug: &'a str,
    /// id, name, role, expiry date, state, still usable.
    tokens: Vec<(String, String, &'static str, String, &'static str, bool)>,
    roles: Vec<&'static str>,
    error: Option<String>,
    notice: Option<String>,
    secret: Option<String>,
}

async fn tokens_page(
    state: &AppState,
    access: &Access,
    status: StatusCode,
    outcome: Outcome,
) -> Response {
    let now = OffsetDateTime::now_utc();
    let tokens = match state.store.tokens(&access.scope).await {
        Ok(list) => list
            .into_iter()
            .map(|t| {
                let state = if t.revoked_at.is_some() {
                    "revoked"
                } else if t.is_usable(now) {
                    "active"
                } else {
                    "expired"
                };
                let expires = t.expires_at.date().to_string();
                let active = t.is_usable(now);
                (
                    t.id.to_string(),
                    t.name,
                    t.role.as_str(),
                    expires,
                    state,
                    active,
                )
            })
            .collect(),
        Err(e) => return internal(e),
    };
    let roles = [Role::Admin, Role::Editor, Role::Viewer]
        .into_iter()
        .filter(|r| *r <= access.role)
        .map(Role::as_str)
        .collect();
    render(
        TokensPage {
            slug: access.scope.slug().as_str(),
            tokens,
            roles,
            error: outcome.error,
            notice: outcome.notice,
            secret: outcome.secret,
        },
        status,
    )
}

pub async fn tokens(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> Response {
    tokens_page(&state, &access, StatusCode::OK, Outcome::default()).await
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
    role: String,
    days: u32,
}

pub async fn create_token(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Form(form): Form<TokenForm>,
) -> Response {
    let result = match parse_role_field(&form.role) {
        Ok(role) => crate::manage::create_token(&state, &access, &form.name, role, form.days).await,
        Err(e) => Err(e),
    };
    let (status, outcome) = match result {
        Ok((_, secret)) => shown_once(
            "Token created. Copy it now: it is not shown again.".into(),
            secret,
        ),
        Err(e) => refused(&e),
    };
    tokens_page(&state, &access, status, outcome).await
}

pub async fn revoke_token(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
) -> Response {
    let outcome = match id.parse::<uuid::Uuid>() {
        Ok(id) => crate::manage::revoke_token(&state, &access, id).await,
        Err(_) => Ok(false),
    };
    let (status, outcome) = match outcome {
        Ok(true) => (
            StatusCode::OK,
            Outcome {
                notice: Some("Token revoked.".into()),
                ..Outcome::default()
            },
        ),
        Ok(false) => (
            StatusCode::NOT_FOUND,
            Outcome {
                error: Some("No such live token.".into()),
                ..Outcome::default()
            },
        ),
        Err(e) => refused(&e),
    };
    tokens_page(&state, &access, status, outcome).await
}

// ---- Accepting an invitation (the link's secret is the credential) ---------------

#[derive(Template)]
#[template(path = "admin/invite.html")]
struct InvitePage<'a> {
    action: &'a str,
    email: &'a str,
    role: &'static str,
    error: Option<&'a str>,
}

const INVITE_INVALID: &str =
    "invitation that is still valid: it may have expired or been used already";

async fn open_invite(
    state: &AppState,
    org: &str,
    secret: &str,
) -> Result<Option<(OrgScope, Invite)>, StoreError> {
    let Ok(slug) = org.parse::<OrgSlug>() else {
        return Ok(None);
    };
    let Some(scope) = scope_for(&*state.store, &slug).await? else {
        return Ok(None);
    };
    let invite = state
        .store
        .invite_by_hash(&scope, &secret_hash(secret))
        .await?;
    Ok(invite
        .filter(|i| i.is_open(OffsetDateTime::now_utc()))
        .map(|i| (scope, i)))
}

pub async fn invite_form(
    State(state): State<AppState>,
    Path((org, secret)): Path<(String, String)>,
) -> Response {
    match open_invite(&state, &org, &secret).await {
        Ok(Some((_, invite))) => {
            let action = format!("/admin/invites/{org}/{secret}");
            render(
                InvitePage {
                    action: &action,
                    email: &invite.email,
                    role: invite.role.as_str(),
                    error: None,
                },
                StatusCode::OK,
            )
        }
        Ok(None) => crate::page_error::not_found_page(INVITE_INVALID),
        Err(e) => internal(e),
    }
}

#[derive(Deserialize)]
pub struct InviteForm {
    password: String,
}

/// One message whether or not the invited address has an account, so that the
/// page does not tell an inviter which addresses are registered.
const INVITE_PASSWORD_FAILED: &str = "That password does not work: enter the password of your Candor account if you have one, or choose a new one of at least 12 characters.";

pub async fn accept_invite(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path((org, secret)): Path<(String, String)>,
    Form(form): Form<InviteForm>,
) -> Response {
    let (scope, invite) = match open_invite(&state, &org, &secret).await {
        Ok(Some(found)) => found,
        Ok(None) => return crate::page_error::not_found_page(INVITE_INVALID),
        Err(e) => return internal(e),
    };
    let action = format!("/admin/invites/{org}/{secret}");
    let page = |error: &str, status: StatusCode| {
        render(
            InvitePage {
                action: &action,
                email: &invite.email,
                role: invite.role.as_str(),
                error: Some(error),
            },
            status,
        )
    };
    // A password is checked here as at sign-in, so it spends from the same
    // budgets: per address and per account.
    if !crate::auth::password_attempt_allowed(&state, peer.ip(), &invite.email) {
        let mut response = page(
            "Too many attempts. Wait a minute and try again.",
            StatusCode::TOO_MANY_REQUESTS,
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        return response;
    }
    let existing = match state.store.credentials_by_email(&invite.email).await {
        Ok(c) => c,
        Err(e) => return internal(e),
    };
    let password = form.password;
    let user = match existing {
        // An existing account proves itself with its password.
        Some(credentials) => {
            let hash = credentials.password_hash.clone();
            let ok = tokio::task::spawn_blocking(move || verify_password(&hash, &password))
                .await
                .unwrap_or(false);
            if !ok {
                tracing::info!("invitation password failed");
                return page(INVITE_PASSWORD_FAILED, StatusCode::UNAUTHORIZED);
            }
            credentials.user
        }
        None => {
            let hash = match crate::auth::hash_new_password(password).await {
                Ok(Ok(hash)) => hash,
                // Same answer and status as a wrong password for an existing account.
                Ok(Err(_)) => return page(INVITE_PASSWORD_FAILED, StatusCode::UNAUTHORIZED),
                Err(e) => return internal(e),
            };
            match state.store.insert_user(&invite.email, &hash).await {
                Ok(user) => user,
                Err(e) => return internal(e),
            }
        }
    };
    let event = candor_domain::audit::AuditEvent {
        actor: format!("user:{}", user.id),
        action: "member.join".into(),
        target: format!("invite:{} role:{}", invite.id, invite.role.as_str()),
        at: OffsetDateTime::now_utc(),
    };
    match state
        .store
        .accept_invite(
            &scope,
            invite.id,
            user.id,
            OffsetDateTime::now_utc(),
            &event,
        )
        .await
    {
        Ok(true) => {}
        Ok(false) => return crate::page_error::not_found_page(INVITE_INVALID),
        Err(e) => return internal(e),
    }
    let session = match new_secret() {
        Ok(s) => s,
        Err(e) => return internal(e),
    };
    let expires = OffsetDateTime::now_utc() + time::Duration::hours(SESSION_HOURS);
    if let Err(e) = state
        .store
        .insert_session(&secret_hash(&session), user.id, expires)
        .await
    {
        return internal(e);
    }
    let mut response = Redirect::to(&format!("/admin/orgs/{}", scope.slug())).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&session));
    response
}

#[derive(Template)]
#[template(path = "admin/subscribers.html")]
struct SubscribersPage<'a> {
    slug: &'a str,
    /// (address, channel, topics, state, since)
    subscribers: Vec<(String, &'static str, &'static str, &'static str, String)>,
    /// (when, subprocessor, address, reason)
    objections: Vec<(String, String, String, String)>,
    queued: u64,
    delivered: u64,
    failed: u64,
}

/// `GET /admin/orgs/{org}/subscribers`: who is told of changes, who objected, and
/// how the outbox is doing.
pub async fn subscribers(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> Response {
    let store = &state.store;
    let (list, objections, stats) = match (
        store.subscribers(&access.scope).await,
        store.objections(&access.scope).await,
        store.outbox_stats(&access.scope).await,
    ) {
        (Ok(l), Ok(o), Ok(s)) => (l, o, s),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return internal(e),
    };
    let day = crate::views::human_time;
    render(
        SubscribersPage {
            slug: access.scope.slug().as_str(),
            subscribers: list
                .iter()
                .map(|s| {
                    let (state_name, since) = match (s.confirmed_at, s.unsubscribed_at) {
                        (_, Some(at)) => ("unsubscribed", day(at)),
                        (Some(at), None) => ("active", day(at)),
                        (None, None) => ("awaiting confirmation", day(s.created_at)),
                    };
                    (
                        s.address.clone(),
                        s.channel.as_str(),
                        s.topics.as_str(),
                        state_name,
                        since,
                    )
                })
                .collect(),
            objections: objections
                .into_iter()
                .map(|o| (day(o.created_at), o.subprocessor, o.address, o.reason))
                .collect(),
            queued: stats.pending,
            delivered: stats.delivered,
            failed: stats.failed,
        },
        StatusCode::OK,
    )
}
