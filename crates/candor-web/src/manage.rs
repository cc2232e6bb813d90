//! Managing an org's people and machine access, shared by the admin UI and the
//! API so that both apply the same rules: tokens and invitations never carry more
//! than their creator's role, only owners hand out the owner role, and every
//! change is written together with its audit entry.

use axum::http::StatusCode;
use candor_domain::audit::{AuditAction, AuditEvent};
use candor_domain::policy::{Action, Role, allows};
use candor_domain::types::Email;
use candor_domain::{Revision, TrustCenter};
use candor_store::{
    ApiToken, Invite, MembershipChange, MembershipOutcome, OrgScope, Store, StoreError, User,
};
use time::OffsetDateTime;

use crate::auth::{TOKEN_PREFIX, new_secret, normalize_email, secret_hash};
use crate::caller::{Access, Caller};
use crate::error::ApiError;
use crate::state::AppState;

/// The draft, or (before the first edit) the latest revision's content, with
/// the latest revision.
pub async fn working_copy(
    store: &dyn Store,
    scope: &OrgScope,
) -> Result<(Option<TrustCenter>, Option<Revision>), StoreError> {
    let latest = store.latest_revision(scope).await?;
    let draft = store.draft(scope).await?.map(|d| d.content);
    let working = draft.or_else(|| latest.as_ref().map(|r| r.content.clone()));
    Ok((working, latest))
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
    refuse_tokens(access, "create tokens")?;
    let secret = new_secret().map_err(|_| ApiError::internal())?;
    let expires_at = OffsetDateTime::now_utc() + time::Duration::days(i64::from(days));
    let event = access.audit(AuditAction::TokenCreate, format!("token:{name}"));
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
    let event = access.audit(AuditAction::TokenRevoke, format!("token:{id}"));
    Ok(state
        .store
        .revoke_token(&access.scope, id, OffsetDateTime::now_utc(), &event)
        .await?)
}

/// Tokens act for machines: they may not mint more access (tokens, invitations),
/// so nothing a token makes can outlive it.
fn refuse_tokens(access: &Access, what: &str) -> Result<(), ApiError> {
    match access.caller {
        Caller::Token(_) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("API tokens cannot {what}; sign in as a person"),
        )),
        Caller::Session(_) => Ok(()),
    }
}

/// The same answer for an unknown address and for an account outside this org,
/// so that the form does not reveal which addresses have accounts.
fn not_a_member() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no member of this org has this email; invite them instead",
    )
    .with_field("email")
}

fn last_owner() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "last_owner",
        "an org keeps at least one owner: make someone else owner first",
    )
}

/// A member of this org by email, or [`not_a_member`].
async fn member_by_email(
    state: &AppState,
    access: &Access,
    email: &str,
) -> Result<(User, Role), ApiError> {
    let email = normalize_email(email);
    let Some(user) = state
        .store
        .credentials_by_email(&email)
        .await?
        .map(|c| c.user)
    else {
        return Err(not_a_member());
    };
    match state.store.member_role(&access.scope, user.id).await? {
        Some(role) => Ok((user, role)),
        None => Err(not_a_member()),
    }
}

async fn apply_change(
    state: &AppState,
    access: &Access,
    user: &User,
    change: MembershipChange,
    event: AuditEvent,
) -> Result<(), ApiError> {
    match state
        .store
        .change_membership(&access.scope, user.id, change, &event)
        .await?
    {
        MembershipOutcome::Done => Ok(()),
        MembershipOutcome::NotMember => Err(not_a_member()),
        MembershipOutcome::LastOwner => Err(last_owner()),
    }
}

/// Changes a member's role. Nobody is added this way: people join by accepting
/// an invitation, so no one is made a member without their consent.
pub async fn set_member(
    state: &AppState,
    access: &Access,
    email: &str,
    role: Role,
) -> Result<User, ApiError> {
    let (user, current) = member_by_email(state, access, email).await?;
    if (role == Role::Owner || current == Role::Owner) && !allows(access.role, Action::ManageOwners)
    {
        return Err(owner_only());
    }
    let event = access.audit(
        AuditAction::MemberSetRole,
        format!("user:{} role:{}", user.id, role.as_str()),
    );
    apply_change(state, access, &user, MembershipChange::SetRole(role), event).await?;
    Ok(user)
}

/// Removes a member from the org (their account stays; their sessions no longer
/// reach this org).
pub async fn remove_member(
    state: &AppState,
    access: &Access,
    email: &str,
) -> Result<User, ApiError> {
    let (user, current) = member_by_email(state, access, email).await?;
    if current == Role::Owner && !allows(access.role, Action::ManageOwners) {
        return Err(owner_only());
    }
    let event = access.audit(AuditAction::MemberRemove, format!("user:{}", user.id));
    apply_change(state, access, &user, MembershipChange::Remove, event).await?;
    Ok(user)
}

/// The signed-in person leaves the org.
pub async fn leave(state: &AppState, access: &Access) -> Result<(), ApiError> {
    let Caller::Session(user) = &access.caller else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "an API token cannot leave an org; revoke it instead",
        ));
    };
    let event = access.audit(AuditAction::MemberLeave, format!("user:{}", user.id));
    apply_change(state, access, user, MembershipChange::Remove, event).await
}

/// Revokes an open invitation: its link stops working.
pub async fn revoke_invite(
    state: &AppState,
    access: &Access,
    id: uuid::Uuid,
) -> Result<(), ApiError> {
    let now = OffsetDateTime::now_utc();
    let invite = state
        .store
        .open_invites(&access.scope, now)
        .await?
        .into_iter()
        .find(|i| i.id == id)
        .ok_or_else(|| ApiError::not_found("no open invitation with this id"))?;
    if invite.role == Role::Owner && !allows(access.role, Action::ManageOwners) {
        return Err(owner_only());
    }
    let event = access.audit(AuditAction::MemberInviteRevoke, format!("invite:{id}"));
    if state
        .store
        .revoke_invite(&access.scope, id, now, &event)
        .await?
    {
        Ok(())
    } else {
        Err(ApiError::not_found("no open invitation with this id"))
    }
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
    refuse_tokens(access, "create invitations")?;
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
    let event = access.audit(
        AuditAction::MemberInvite,
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
