//! Managing an org's people and machine access, shared by the admin UI and the
//! API so that both apply the same rules: tokens and invitations never carry more
//! than their creator's role, only owners hand out the owner role, and every
//! change is written together with its audit entry.

use axum::http::StatusCode;
use candor_domain::audit::AuditEvent;
use candor_domain::policy::{Action, Role, allows};
use candor_domain::types::Email;
use candor_store::{ApiToken, Invite, User};
use time::OffsetDateTime;

use crate::AppState;
use crate::access::Access;
use crate::auth::{TOKEN_PREFIX, new_secret, normalize_email, secret_hash};
use crate::error::ApiError;

pub fn audit_event(access: &Access, action: &str, target: String) -> AuditEvent {
    AuditEvent {
        actor: access.actor.clone(),
        action: action.into(),
        target,
        at: OffsetDateTime::now_utc(),
    }
}

fn owner_only() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "forbidden",
        "only owners can grant or remove the owner role",
    )
}

/// Creates a token; returns its record and the secret to show once.
pub async fn create_token(
    state: &AppState,
    access: &Access,
    name: &str,
    role: Role,
    days: u32,
) -> Result<(ApiToken, String), ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::validation(
            "name",
            "give the token a name of 1 to 100 characters",
        ));
    }
    if role == Role::Owner || role > access.role {
        return Err(ApiError::validation(
            "role",
            "a token's role must be admin, editor or viewer, and not above yours",
        ));
    }
    if !(1..=365).contains(&days) {
        return Err(ApiError::validation(
            "expires_in_days",
            "tokens last between 1 and 365 days",
        ));
    }
    let secret = new_secret().map_err(|_| ApiError::internal())?;
    let expires_at = OffsetDateTime::now_utc() + time::Duration::days(i64::from(days));
    let event = audit_event(access, "token.create", format!("token:{name}"));
    let token = state
        .store
        .insert_token(
            &access.scope,
            name,
            role,
            &secret_hash(&secret),
            expires_at,
            &event,
        )
        .await?;
    Ok((token, format!("{TOKEN_PREFIX}{secret}")))
}

pub async fn revoke_token(
    state: &AppState,
    access: &Access,
    id: uuid::Uuid,
) -> Result<bool, ApiError> {
    let event = audit_event(access, "token.revoke", format!("token:{id}"));
    Ok(state
        .store
        .revoke_token(&access.scope, id, OffsetDateTime::now_utc(), &event)
        .await?)
}

/// Gives an existing account a role in the org (adding it if needed).
pub async fn set_member(
    state: &AppState,
    access: &Access,
    email: &str,
    role: Role,
) -> Result<User, ApiError> {
    let email = normalize_email(email);
    let user = state
        .store
        .credentials_by_email(&email)
        .await?
        .map(|c| c.user)
        .ok_or_else(|| {
            ApiError::validation("email", "no account has this email; invite it instead")
        })?;
    let current = state.store.member_role(&access.scope, user.id).await?;
    if (role == Role::Owner || current == Some(Role::Owner))
        && !allows(access.role, Action::ManageOwners)
    {
        return Err(owner_only());
    }
    let event = audit_event(
        access,
        "member.set_role",
        format!("user:{} role:{}", user.id, role.as_str()),
    );
    state
        .store
        .set_member_role(&access.scope, user.id, role, &event)
        .await?;
    Ok(user)
}

/// How long an invitation link works unless the inviter says otherwise.
pub const DEFAULT_INVITE_HOURS: u32 = 72;

/// Invites an email address to join with `role`; returns the invitation and the
/// path of its one-time link.
pub async fn create_invite(
    state: &AppState,
    access: &Access,
    email: &str,
    role: Role,
    hours: u32,
) -> Result<(Invite, String), ApiError> {
    let email = normalize_email(email);
    email
        .parse::<Email>()
        .map_err(|e| ApiError::validation("email", e))?;
    if role == Role::Owner && !allows(access.role, Action::ManageOwners) {
        return Err(owner_only());
    }
    if !(1..=168).contains(&hours) {
        return Err(ApiError::validation(
            "expires_in_hours",
            "invitations last between 1 and 168 hours",
        ));
    }
    let secret = new_secret().map_err(|_| ApiError::internal())?;
    let expires_at = OffsetDateTime::now_utc() + time::Duration::hours(i64::from(hours));
    // The audit log names the invitation, not the invitee's email.
    let pending = uuid::Uuid::new_v4();
    let event = audit_event(
        access,
        "member.invite",
        format!("invite:{pending} role:{}", role.as_str()),
    );
    let invite = state
        .store
        .insert_invite(
            &access.scope,
            &email,
            role,
            &secret_hash(&secret),
            expires_at,
            &event,
        )
        .await?;
    Ok((
        invite,
        format!("/admin/invites/{}/{secret}", access.scope.slug()),
    ))
}
