//! Members and invitations (`/admin/orgs/{org}/members`): roles, removal, and
//! one-time invitation links. The rules are `candor_app::members`', shared with the API.

use askama::Template;
use axum::extract::{Extension, Form, Path, State};
use axum::http::StatusCode;
use candor_domain::policy::{Action, Role, allows};
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::outcome::{Outcome, done, parse_role_field, refused, shown_once};
use crate::caller::Access;
use crate::error::ApiError;
use crate::page_error::{PageResult, render};
use crate::state::AppState;
use candor_app::members;

#[derive(Template)]
#[template(path = "admin/members.html")]
struct MembersPage<'a> {
    slug: &'a str,
    members: Vec<(String, &'static str)>,
    /// id, email, role, expiry (RFC 3339)
    /// (id, email, role, (expires as RFC 3339, expires for people))
    invites: Vec<(String, String, &'static str, (String, String))>,
    roles: Vec<&'static str>,
    error: Option<String>,
    notice: Option<String>,
    invite_link: Option<String>,
}

async fn members_page(
    state: &AppState,
    access: &Access,
    (status, outcome): (StatusCode, Outcome),
) -> PageResult {
    let members = state
        .store
        .members(&access.scope)
        .await?
        .into_iter()
        .map(|m| (m.user.email, m.role.as_str()))
        .collect();
    let invites = state
        .store
        .open_invites(&access.scope, OffsetDateTime::now_utc())
        .await?
        .into_iter()
        .map(|i| {
            // Machine-readable for <time>, and as every admin page writes times.
            let expires = (
                i.expires_at.format(&Rfc3339).unwrap_or_default(),
                crate::views::human_time(i.expires_at),
            );
            (i.id.to_string(), i.email, i.role.as_str(), expires)
        })
        .collect();
    // Least power first: a slip of the hand should not make an owner.
    let mut roles: Vec<&'static str> = Role::ALL
        .into_iter()
        .filter(|r| *r != Role::Owner || allows(access.role, Action::ManageOwners))
        .map(Role::as_str)
        .collect();
    roles.sort_by_key(|r| r.parse::<Role>().ok());
    Ok(render(
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
    ))
}

/// `GET /admin/orgs/{org}/members`.
pub async fn members(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> PageResult {
    members_page(&state, &access, (StatusCode::OK, Outcome::default())).await
}

#[derive(Deserialize)]
pub struct MemberForm {
    email: String,
    role: String,
}

/// `POST /admin/orgs/{org}/members`: changes a member's role.
pub async fn set_member(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Form(form): Form<MemberForm>,
) -> PageResult {
    let result = match parse_role_field(&form.role) {
        Ok(role) => members::set_member(&*state.store, &access.actor(), &form.email, role)
            .await
            .map_err(ApiError::from)
            .map(|_| role),
        Err(e) => Err(e),
    };
    let outcome = match result {
        Ok(role) => done(format!("Role set to {}.", role.as_str())),
        Err(e) => refused(&e),
    };
    members_page(&state, &access, outcome).await
}

#[derive(Deserialize)]
pub struct RemoveMemberForm {
    email: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /admin/orgs/{org}/members/remove`.
pub async fn remove_member(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Form(form): Form<RemoveMemberForm>,
) -> PageResult {
    if form.confirm != "yes" {
        let slug = access.scope.slug().as_str();
        return Ok(super::confirm::ask(super::confirm::Ask {
            slug,
            title: "Remove a member",
            consequence: &format!(
                "{} loses every right in this org at once; their sessions and tokens here stop working. They can come back only by a new invitation.",
                form.email
            ),
            action: &format!("/admin/orgs/{slug}/members/remove"),
            hidden: &[("email", form.email.clone())],
            button: "Remove the member",
            back: &format!("/admin/orgs/{slug}/members"),
        }));
    }
    let outcome = match members::remove_member(&*state.store, &access.actor(), &form.email)
        .await
        .map_err(ApiError::from)
    {
        Ok(_) => done("Member removed from this org."),
        Err(e) => refused(&e),
    };
    members_page(&state, &access, outcome).await
}

/// `POST /admin/orgs/{org}/invites/{id}/revoke`.
pub async fn revoke_invite(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> PageResult {
    if !super::confirm::confirmed(&body) {
        let slug = access.scope.slug().as_str();
        return Ok(super::confirm::ask(super::confirm::Ask {
            slug,
            title: "Revoke an invitation",
            consequence: "The invitation link stops working at once; whoever has it cannot join. You can invite them again.",
            action: &format!("/admin/orgs/{slug}/invites/{id}/revoke"),
            hidden: &[],
            button: "Revoke the invitation",
            back: &format!("/admin/orgs/{slug}/members"),
        }));
    }
    let result = match id.parse::<uuid::Uuid>() {
        Ok(id) => members::revoke_invite(&*state.store, &access.actor(), id)
            .await
            .map_err(ApiError::from),
        Err(_) => Err(ApiError::not_found("no open invitation with this id")),
    };
    let outcome = match result {
        Ok(()) => done("Invitation revoked: its link no longer works."),
        Err(e) => refused(&e),
    };
    members_page(&state, &access, outcome).await
}

/// `POST /admin/orgs/{org}/invites/{id}/resend`: a new link for the same
/// person and role (the old link stops working), shown once.
pub async fn resend_invite(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
) -> PageResult {
    let open = state
        .store
        .open_invites(&access.scope, OffsetDateTime::now_utc())
        .await?;
    let Some(old) = id
        .parse::<uuid::Uuid>()
        .ok()
        .and_then(|id| open.into_iter().find(|i| i.id == id))
    else {
        let outcome = refused(&ApiError::not_found("no open invitation with this id"));
        return members_page(&state, &access, outcome).await;
    };
    let hours = members::DEFAULT_INVITE_HOURS;
    let actor = access.actor();
    let result = async {
        members::revoke_invite(&*state.store, &actor, old.id).await?;
        members::create_invite(&*state.store, &actor, &old.email, old.role, hours).await
    }
    .await
    .map_err(ApiError::from);
    let outcome = match result {
        Ok((_, link)) => shown_once(
            format!(
                "A new invitation link for {}: the old one no longer works. It works once, for {hours} hours, and is not shown again.",
                old.email
            ),
            link,
        ),
        Err(e) => refused(&e),
    };
    members_page(&state, &access, outcome).await
}

/// `POST /admin/orgs/{org}/invites`: a one-time link, shown once.
pub async fn invite(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Form(form): Form<MemberForm>,
) -> PageResult {
    let hours = members::DEFAULT_INVITE_HOURS;
    let result = match parse_role_field(&form.role) {
        Ok(role) => {
            members::create_invite(&*state.store, &access.actor(), &form.email, role, hours)
                .await
                .map_err(ApiError::from)
        }
        Err(e) => Err(e),
    };
    let outcome = match result {
        Ok((_, link)) => shown_once(
            format!(
                "Invitation created. Send this link to the person; it works once, for {hours} hours, and is not shown again."
            ),
            link,
        ),
        Err(e) => refused(&e),
    };
    members_page(&state, &access, outcome).await
}
