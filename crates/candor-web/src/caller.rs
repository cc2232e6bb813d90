//! Who is calling: the signed-in user of a session cookie, or an org's API
//! token, with their role in the org and the policy's verdict on an action.
//! [`crate::access::guard`] runs [`authorize`] in front of every org-scoped
//! route and hands the handler an [`Access`].

use axum::http::HeaderMap;
use candor_domain::OrgSlug;
use candor_domain::audit::{AuditAction, AuditEvent};
use candor_domain::policy::{Action, Role, allows};
use candor_store::{ApiToken, OrgScope, StoreError, User, scope_for};
use time::OffsetDateTime;

use crate::auth::{bearer_token, secret_hash, session_secret};
use crate::state::AppState;

/// What the guard hands to a handler: the org, the caller's role in it, and the
/// pseudonymous actor id the audit log records.
#[derive(Clone, Debug)]
pub struct Access {
    pub scope: OrgScope,
    pub role: Role,
    pub actor: String,
    pub caller: Caller,
}

impl Access {
    /// The caller as the application's workflows know them.
    pub fn actor(&self) -> candor_app::members::Actor<'_> {
        candor_app::members::Actor {
            scope: &self.scope,
            role: self.role,
            name: &self.actor,
            person: match &self.caller {
                Caller::Session(user) => Some(user),
                Caller::Token(_) => None,
            },
        }
    }

    /// An audit entry for what this caller does now.
    pub fn audit(&self, action: AuditAction, target: impl Into<String>) -> AuditEvent {
        AuditEvent::new(
            self.actor.clone(),
            action,
            target,
            time::OffsetDateTime::now_utc(),
        )
    }
}

#[derive(Clone, Debug)]
pub enum Caller {
    Session(User),
    Token(ApiToken),
}

#[derive(Debug)]
pub enum Denied {
    /// No valid session or token: 401 (API) or a redirect to sign in (pages).
    NotSignedIn,
    /// Signed in, but this role may not do this: 403.
    Forbidden,
    /// No such org, or the caller is not a member: 404, so membership is not revealed.
    NotFound,
    Store(StoreError),
}

impl From<StoreError> for Denied {
    fn from(e: StoreError) -> Denied {
        Denied::Store(e)
    }
}

/// The signed-in user of a session cookie, if it is valid.
pub async fn session_user(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<User>, StoreError> {
    match session_secret(headers) {
        Some(secret) => {
            state
                .store
                .session_user(&secret_hash(secret), OffsetDateTime::now_utc())
                .await
        }
        None => Ok(None),
    }
}

/// Authenticates the caller for `org` and checks `action` against the policy.
pub async fn authorize(
    state: &AppState,
    headers: &HeaderMap,
    org: &str,
    action: Action,
) -> Result<Access, Denied> {
    let slug: OrgSlug = org.parse().map_err(|_| Denied::NotFound)?;
    let scope = scope_for(&*state.store, &slug)
        .await?
        .ok_or(Denied::NotFound)?;
    let now = OffsetDateTime::now_utc();
    let (role, caller) = if let Some(secret) = bearer_token(headers) {
        // A token belongs to one org: presented to another, it is simply unknown.
        let token = state
            .store
            .token_by_hash(&scope, &secret_hash(secret))
            .await?
            .filter(|t| t.is_usable(now))
            .ok_or(Denied::NotSignedIn)?;
        // "Last used", to the minute: one write a minute per token at most.
        if token
            .last_used_at
            .is_none_or(|t| now - t > time::Duration::minutes(1))
            && let Err(e) = state.store.touch_token(&scope, token.id, now).await
        {
            tracing::warn!(error = %e, "could not record a token's use");
        }
        (token.role, Caller::Token(token))
    } else {
        let user = session_user(state, headers)
            .await?
            .ok_or(Denied::NotSignedIn)?;
        let role = state
            .store
            .member_role(&scope, user.id)
            .await?
            .ok_or(Denied::NotFound)?;
        (role, Caller::Session(user))
    };
    if !allows(role, action) {
        return Err(Denied::Forbidden);
    }
    let actor = match &caller {
        Caller::Session(user) => format!("user:{}", user.id),
        Caller::Token(token) => format!("token:{}", token.id),
    };
    Ok(Access {
        scope,
        role,
        actor,
        caller,
    })
}
