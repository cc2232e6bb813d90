//! Accounts the operator creates (`candor user add`, the demo's accounts): the
//! address checked and normalised, the account stored, and its first
//! membership with its audit entry. Hashing the password is the caller's (the
//! web layer's argon2), done after the address is checked, since it is slow.

use candor_domain::audit::{AuditAction, AuditEvent};
use candor_domain::policy::Role;
use candor_store::{OrgScope, Store, StoreError, User};

use crate::normalize_email;

#[derive(Debug, thiserror::Error)]
pub enum AddAccountError {
    #[error("{0:?} is not an email address")]
    InvalidEmail(String),
    #[error("an account with this email already exists")]
    Exists,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The address as accounts are keyed, or why it is not one.
pub fn account_email(email: &str) -> Result<String, AddAccountError> {
    let email = normalize_email(email);
    match email.parse::<candor_domain::types::Email>() {
        Ok(_) => Ok(email),
        Err(_) => Err(AddAccountError::InvalidEmail(email)),
    }
}

/// Creates the account for `email` (from [`account_email`]) and, with
/// `membership`, gives it that role in that org, recorded as `actor`'s.
pub async fn add_account(
    store: &dyn Store,
    actor: &str,
    email: &str,
    password_hash: &str,
    membership: Option<(&OrgScope, Role)>,
) -> Result<User, AddAccountError> {
    let user = store
        .insert_user(email, password_hash)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AddAccountError::Exists,
            other => other.into(),
        })?;
    if let Some((scope, role)) = membership {
        let event = AuditEvent::new(
            actor,
            AuditAction::MemberSetRole,
            format!("user:{} role:{}", user.id, role.as_str()),
            time::OffsetDateTime::now_utc(),
        );
        store.set_member_role(scope, user.id, role, &event).await?;
    }
    Ok(user)
}
