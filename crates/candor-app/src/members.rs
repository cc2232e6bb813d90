//! An org's people and machine access, for the admin UI and the API alike:
//! tokens and invitations never carry more than their creator's role, only
//! owners hand out (or take away) the owner role, a token cannot mint more
//! access, and every change is written together with its audit entry.

use candor_domain::audit::{AuditAction, AuditEvent};
use candor_domain::policy::{Action, Role, allows};
use candor_domain::types::Email;
use candor_store::{
    ApiToken, Invite, MembershipChange, MembershipOutcome, NewGrant, OrgScope, Store, StoreError,
    User,
};
use time::OffsetDateTime;

use crate::normalize_email;
use crate::secrets::{new_secret, secret_hash};

/// What an API token's secret starts with, so a leaked one is recognisable.
pub const TOKEN_PREFIX: &str = "cnd_";

/// How long an invitation link works unless the inviter says otherwise.
pub const DEFAULT_INVITE_HOURS: u32 = 72;

/// Who acts: in which org, with which role, under which name in the audit log,
/// and, for a signed-in person, who they are (a token has no person).
pub struct Actor<'a> {
    pub scope: &'a OrgScope,
    pub role: Role,
    pub name: &'a str,
    pub person: Option<&'a User>,
}

impl Actor<'_> {
    fn audit(&self, action: AuditAction, target: impl Into<String>) -> AuditEvent {
        AuditEvent::new(self.name, action, target, OffsetDateTime::now_utc())
    }

    /// Tokens act for machines: they may not mint more access (tokens,
    /// invitations), so nothing a token makes can outlive it.
    fn refuse_tokens(&self, what: &str) -> Result<(), MembersError> {
        match self.person {
            Some(_) => Ok(()),
            None => Err(MembersError::Forbidden(format!(
                "API tokens cannot {what}; sign in as a person"
            ))),
        }
    }

    fn may_manage_owners(&self) -> Result<(), MembersError> {
        match allows(self.role, Action::ManageOwners) {
            true => Ok(()),
            false => Err(MembersError::Forbidden(
                "only owners can grant or remove the owner role".into(),
            )),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MembersError {
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("{0}")]
    Forbidden(String),
    /// The same answer for an unknown address and for an account outside this
    /// org, so that the form does not reveal which addresses have accounts.
    #[error("no member of this org has this email; invite them instead")]
    NotAMember,
    #[error("no open invitation with this id")]
    NoSuchInvite,
    #[error("an org keeps at least one owner: make someone else owner first")]
    LastOwner,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid(field: &'static str, message: &str) -> MembersError {
    MembersError::Invalid {
        field,
        message: message.to_owned(),
    }
}

/// A new token's or invitation's id, secret (shown once) and the hash stored for it.
struct Minted {
    id: uuid::Uuid,
    secret: String,
    hash: String,
    expires_at: OffsetDateTime,
}

impl Minted {
    fn new(lasts: time::Duration) -> Result<Minted, MembersError> {
        let secret = new_secret().map_err(|e| StoreError::Crypto(format!("randomness: {e}")))?;
        Ok(Minted {
            id: uuid::Uuid::new_v4(),
            hash: secret_hash(&secret),
            secret,
            expires_at: OffsetDateTime::now_utc() + lasts,
        })
    }

    fn grant(&self, role: Role) -> NewGrant<'_> {
        NewGrant {
            id: self.id,
            role,
            secret_hash: &self.hash,
            expires_at: self.expires_at,
        }
    }
}

/// Creates a token; returns its record and the secret to show once.
pub async fn create_token(
    store: &dyn Store,
    actor: &Actor<'_>,
    name: &str,
    role: Role,
    days: u32,
) -> Result<(ApiToken, String), MembersError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(invalid(
            "name",
            "give the token a name of 1 to 100 characters",
        ));
    }
    if role == Role::Owner || role > actor.role {
        return Err(invalid(
            "role",
            "a token's role must be admin, editor or viewer, and not above yours",
        ));
    }
    if !(1..=365).contains(&days) {
        return Err(invalid(
            "expires_in_days",
            "tokens last between 1 and 365 days",
        ));
    }
    actor.refuse_tokens("create tokens")?;
    let minted = Minted::new(time::Duration::days(i64::from(days)))?;
    let target = format!("token:{} name:{name}", minted.id);
    let event = actor.audit(AuditAction::TokenCreate, target);
    let token = store
        .insert_token(actor.scope, name, minted.grant(role), &event)
        .await?;
    Ok((token, format!("{TOKEN_PREFIX}{}", minted.secret)))
}

/// Revokes a live token; false if there is none with this id.
pub async fn revoke_token(
    store: &dyn Store,
    actor: &Actor<'_>,
    id: uuid::Uuid,
) -> Result<bool, MembersError> {
    let event = actor.audit(AuditAction::TokenRevoke, format!("token:{id}"));
    Ok(store
        .revoke_token(actor.scope, id, OffsetDateTime::now_utc(), &event)
        .await?)
}

/// A member of this org by email, with their role.
async fn member_by_email(
    store: &dyn Store,
    actor: &Actor<'_>,
    email: &str,
) -> Result<(User, Role), MembersError> {
    let email = normalize_email(email);
    let Some(user) = store.credentials_by_email(&email).await?.map(|c| c.user) else {
        return Err(MembersError::NotAMember);
    };
    match store.member_role(actor.scope, user.id).await? {
        Some(role) => Ok((user, role)),
        None => Err(MembersError::NotAMember),
    }
}

async fn apply_change(
    store: &dyn Store,
    actor: &Actor<'_>,
    user: &User,
    change: MembershipChange,
    event: AuditEvent,
) -> Result<(), MembersError> {
    match store
        .change_membership(actor.scope, user.id, change, &event)
        .await?
    {
        MembershipOutcome::Done => Ok(()),
        MembershipOutcome::NotMember => Err(MembersError::NotAMember),
        MembershipOutcome::LastOwner => Err(MembersError::LastOwner),
    }
}

/// Changes a member's role. Nobody is added this way: people join by accepting
/// an invitation, so no one is made a member without their consent.
pub async fn set_member(
    store: &dyn Store,
    actor: &Actor<'_>,
    email: &str,
    role: Role,
) -> Result<User, MembersError> {
    let (user, current) = member_by_email(store, actor, email).await?;
    if role == Role::Owner || current == Role::Owner {
        actor.may_manage_owners()?;
    }
    let event = actor.audit(
        AuditAction::MemberSetRole,
        format!("user:{} role:{}", user.id, role.as_str()),
    );
    apply_change(store, actor, &user, MembershipChange::SetRole(role), event).await?;
    Ok(user)
}

/// Removes a member from the org (their account stays; their sessions no longer
/// reach this org).
pub async fn remove_member(
    store: &dyn Store,
    actor: &Actor<'_>,
    email: &str,
) -> Result<User, MembersError> {
    let (user, current) = member_by_email(store, actor, email).await?;
    if current == Role::Owner {
        actor.may_manage_owners()?;
    }
    let event = actor.audit(AuditAction::MemberRemove, format!("user:{}", user.id));
    apply_change(store, actor, &user, MembershipChange::Remove, event).await?;
    Ok(user)
}

/// The signed-in person leaves the org.
pub async fn leave(store: &dyn Store, actor: &Actor<'_>) -> Result<(), MembersError> {
    let Some(user) = actor.person else {
        return Err(MembersError::Forbidden(
            "an API token cannot leave an org; revoke it instead".into(),
        ));
    };
    let event = actor.audit(AuditAction::MemberLeave, format!("user:{}", user.id));
    apply_change(store, actor, user, MembershipChange::Remove, event).await
}

/// Revokes an open invitation: its link stops working.
pub async fn revoke_invite(
    store: &dyn Store,
    actor: &Actor<'_>,
    id: uuid::Uuid,
) -> Result<(), MembersError> {
    let now = OffsetDateTime::now_utc();
    let invite = store
        .open_invites(actor.scope, now)
        .await?
        .into_iter()
        .find(|i| i.id == id)
        .ok_or(MembersError::NoSuchInvite)?;
    if invite.role == Role::Owner {
        actor.may_manage_owners()?;
    }
    let event = actor.audit(AuditAction::MemberInviteRevoke, format!("invite:{id}"));
    match store.revoke_invite(actor.scope, id, now, &event).await? {
        true => Ok(()),
        false => Err(MembersError::NoSuchInvite),
    }
}

/// Invites an email address to join with `role` for `hours`; returns the
/// invitation and the path of its one-time link.
pub async fn create_invite(
    store: &dyn Store,
    actor: &Actor<'_>,
    email: &str,
    role: Role,
    hours: u32,
) -> Result<(Invite, String), MembersError> {
    actor.refuse_tokens("create invitations")?;
    let email = normalize_email(email);
    email.parse::<Email>().map_err(|e| MembersError::Invalid {
        field: "email",
        message: e.to_string(),
    })?;
    if role == Role::Owner {
        actor.may_manage_owners()?;
    }
    if !(1..=168).contains(&hours) {
        return Err(invalid(
            "expires_in_hours",
            "invitations last between 1 and 168 hours",
        ));
    }
    let minted = Minted::new(time::Duration::hours(i64::from(hours)))?;
    // The audit log names the invitation, not the invitee's email: the same id
    // as when it is accepted or revoked.
    let target = format!("invite:{} role:{}", minted.id, role.as_str());
    let event = actor.audit(AuditAction::MemberInvite, target);
    let invite = store
        .insert_invite(actor.scope, &email, minted.grant(role), &event)
        .await?;
    Ok((
        invite,
        format!("/admin/invites/{}/{}", actor.scope.slug(), minted.secret),
    ))
}
