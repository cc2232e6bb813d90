//! Accepting an invitation (`/admin/invites/{org}/{secret}`): the link's secret
//! is the credential. Accepting creates the account (or checks the existing
//! one's password) and grants the role, with its audit entry, in one transaction.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, Form, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use candor_domain::OrgSlug;
use candor_domain::audit::{AuditAction, AuditEvent};
use candor_store::{Invite, OrgScope, StoreError, scope_for};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::auth::{
    SESSION_HOURS, hash_new_password, new_secret, password_attempt_allowed, secret_hash,
    session_cookie, verify_password,
};
use crate::page_error::{PageError, PageResult, render};
use crate::state::AppState;

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

/// `GET /admin/invites/{org}/{secret}`: who is invited, as what, and the password form.
pub async fn invite_form(
    State(state): State<AppState>,
    Path((org, secret)): Path<(String, String)>,
) -> PageResult {
    let (_, invite) = open_invite(&state, &org, &secret)
        .await?
        .ok_or_else(|| PageError::not_found(INVITE_INVALID))?;
    let action = format!("/admin/invites/{org}/{secret}");
    Ok(render(
        InvitePage {
            action: &action,
            email: &invite.email,
            role: invite.role.as_str(),
            error: None,
        },
        StatusCode::OK,
    ))
}

#[derive(Deserialize)]
pub struct InviteForm {
    password: String,
}

/// One message whether or not the invited address has an account, so that the
/// page does not tell an inviter which addresses are registered.
const INVITE_PASSWORD_FAILED: &str = "That password does not work: enter the password of your Candor account if you have one, or choose a new one of at least 12 characters.";

/// `POST /admin/invites/{org}/{secret}`: joins the org and signs in.
pub async fn accept_invite(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path((org, secret)): Path<(String, String)>,
    Form(form): Form<InviteForm>,
) -> PageResult {
    let (scope, invite) = open_invite(&state, &org, &secret)
        .await?
        .ok_or_else(|| PageError::not_found(INVITE_INVALID))?;
    let action = format!("/admin/invites/{org}/{secret}");
    let page = |error: &str, status: StatusCode| -> Response {
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
    if !password_attempt_allowed(&state, peer.ip(), &invite.email, false).await? {
        let mut response = page(
            "Too many attempts. Wait a minute and try again.",
            StatusCode::TOO_MANY_REQUESTS,
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        return Ok(response);
    }
    let existing = state.store.credentials_by_email(&invite.email).await?;
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
                return Ok(page(INVITE_PASSWORD_FAILED, StatusCode::UNAUTHORIZED));
            }
            credentials.user
        }
        None => match hash_new_password(password).await? {
            Ok(hash) => state.store.insert_user(&invite.email, &hash).await?,
            // Same answer and status as a wrong password for an existing account.
            Err(_) => return Ok(page(INVITE_PASSWORD_FAILED, StatusCode::UNAUTHORIZED)),
        },
    };
    let event = AuditEvent::new(
        format!("user:{}", user.id),
        AuditAction::MemberJoin,
        format!("invite:{} role:{}", invite.id, invite.role.as_str()),
        OffsetDateTime::now_utc(),
    );
    let accepted = state
        .store
        .accept_invite(
            &scope,
            invite.id,
            user.id,
            OffsetDateTime::now_utc(),
            &event,
        )
        .await?;
    if !accepted {
        return Err(PageError::not_found(INVITE_INVALID));
    }
    let session = new_secret()?;
    let expires = OffsetDateTime::now_utc() + time::Duration::hours(SESSION_HOURS);
    state
        .store
        .insert_session(&secret_hash(&session), user.id, expires)
        .await?;
    let mut response = Redirect::to(&format!("/admin/orgs/{}", scope.slug())).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&session));
    Ok(response)
}
