//! A person's own account: the orgs they belong to (and leaving them), changing
//! their password, deleting the account. Not org-scoped: the session cookie alone
//! says who is asking, and every form that changes something asks for the
//! current password, spending from the sign-in budgets.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, Extension, Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use candor_domain::audit::AuditAction;
use candor_domain::policy::Role;
use candor_store::{AccountDeletion, User, scope_for};
use serde::Deserialize;

use crate::auth::{
    expired_session_cookie, hash_new_password, password_attempt_allowed, secret_hash,
    session_secret, verify_password,
};
use crate::caller::{Access, session_user};
use crate::page_error::{PageError, PageResult, message_page, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "admin/account.html")]
struct AccountPage<'a> {
    email: &'a str,
    /// slug, name, role, the only owner (cannot leave)
    orgs: Vec<(String, String, &'static str, bool)>,
    error: Option<&'a str>,
    notice: Option<&'a str>,
}

async fn page(
    state: &AppState,
    user: &User,
    status: StatusCode,
    error: Option<&str>,
    notice: Option<&str>,
) -> PageResult {
    let memberships = state.store.memberships_of(user.id).await?;
    let mut orgs = Vec::new();
    for (org, role) in memberships {
        let only_owner = role == Role::Owner && sole_owner(state, &org.slug, user).await?;
        orgs.push((org.slug.to_string(), org.name, role.as_str(), only_owner));
    }
    Ok(render(
        AccountPage {
            email: &user.email,
            orgs,
            error,
            notice,
        },
        status,
    ))
}

/// The signed-in person, or the sign-in form.
async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<User, PageError> {
    session_user(state, headers)
        .await?
        .ok_or_else(PageError::sign_in)
}

/// Whether `user` is the only owner of the org.
async fn sole_owner(
    state: &AppState,
    slug: &candor_domain::OrgSlug,
    user: &User,
) -> Result<bool, candor_store::StoreError> {
    let Some(scope) = scope_for(&*state.store, slug).await? else {
        return Ok(false);
    };
    let owners: Vec<_> = state
        .store
        .members(&scope)
        .await?
        .into_iter()
        .filter(|m| m.role == Role::Owner)
        .collect();
    Ok(owners.len() == 1 && owners[0].user.id == user.id)
}

/// `GET /admin/account`.
pub async fn account(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let user = signed_in(&state, &headers).await?;
    page(&state, &user, StatusCode::OK, None, None).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
}

/// Checks the signed-in user's password within the sign-in budgets. `Ok(Some)`
/// is the refusal to answer with.
async fn check_password(
    state: &AppState,
    user: &User,
    peer: SocketAddr,
    password: String,
) -> Result<Option<Response>, PageError> {
    if !password_attempt_allowed(state, peer.ip(), &user.email, false).await? {
        let mut response = page(
            state,
            user,
            StatusCode::TOO_MANY_REQUESTS,
            Some("Too many attempts. Wait a minute and try again."),
            None,
        )
        .await?;
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        return Ok(Some(response));
    }
    let credentials = state
        .store
        .credentials_by_email(&user.email)
        .await?
        .ok_or_else(PageError::sign_in)?;
    let hash = credentials.password_hash;
    let ok = tokio::task::spawn_blocking(move || verify_password(&hash, &password))
        .await
        .unwrap_or(false);
    if ok {
        Ok(None)
    } else {
        let refused = page(
            state,
            user,
            StatusCode::UNAUTHORIZED,
            Some("That is not your current password."),
            None,
        )
        .await?;
        Ok(Some(refused))
    }
}

/// `POST /admin/account/password`: a new password, and every other session ends.
pub async fn change_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> PageResult {
    let user = signed_in(&state, &headers).await?;
    if let Some(refused) = check_password(&state, &user, peer, form.current_password).await? {
        return Ok(refused);
    }
    let hash = match hash_new_password(form.new_password).await? {
        Ok(hash) => hash,
        Err(message) => {
            return page(
                &state,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&message),
                None,
            )
            .await;
        }
    };
    let keep = session_secret(&headers).map(secret_hash);
    state
        .store
        .set_password(user.id, &hash, keep.as_deref())
        .await?;
    tracing::info!(user = %user.id, "password changed");
    page(
        &state,
        &user,
        StatusCode::OK,
        None,
        Some("Password changed. Every other session of this account has been signed out."),
    )
    .await
}

#[derive(Deserialize)]
pub struct DeleteForm {
    password: String,
}

/// `POST /admin/account/delete`: leaves every org (each leaving is in that org's
/// audit log), then deletes the account and its sessions. Refused while the
/// account is the only owner of an org.
pub async fn delete_account(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<DeleteForm>,
) -> PageResult {
    let user = signed_in(&state, &headers).await?;
    if let Some(refused) = check_password(&state, &user, peer, form.password).await? {
        return Ok(refused);
    }
    let actor = format!("user:{}", user.id);
    match candor_store::delete_account(&*state.store, user.id, &actor, AuditAction::MemberLeave)
        .await?
    {
        AccountDeletion::Deleted => {}
        AccountDeletion::OnlyOwnerOf(slug) => {
            let message = format!(
                "You are the only owner of {slug}: make someone else owner there, or delete that org, before deleting your account."
            );
            return page(&state, &user, StatusCode::CONFLICT, Some(&message), None).await;
        }
    }
    tracing::info!(user = %user.id, "account deleted");
    let mut response = message_page(
        "Account deleted",
        "Your account, its sessions and its memberships are gone. The audit logs of the orgs you belonged to keep your account's id, never your address.",
        StatusCode::OK,
    );
    response
        .headers_mut()
        .insert(header::SET_COOKIE, expired_session_cookie());
    Ok(response)
}

/// `POST /admin/orgs/{org}/leave`.
pub async fn leave_org(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> PageResult {
    let user = match &access.caller {
        crate::caller::Caller::Session(user) => user.clone(),
        crate::caller::Caller::Token(_) => return Err(PageError::forbidden()),
    };
    match candor_app::members::leave(&*state.store, &access.actor())
        .await
        .map_err(crate::error::ApiError::from)
    {
        Ok(()) => {
            let message = format!("You left {}.", access.scope.slug());
            page(&state, &user, StatusCode::OK, None, Some(&message)).await
        }
        Err(e) => page(&state, &user, e.status, Some(&e.message), None).await,
    }
}
