//! `candor user`: accounts that can sign in to the admin UI, and their memberships.

use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};
use candor_app::accounts::{account_email, add_account};
use candor_domain::audit::{AuditAction, AuditEvent};
use candor_domain::policy::Role;
use candor_store::{MembershipChange, MembershipOutcome, SharedStore};

use super::{ACTOR, existing_org};
use crate::cli::UserCommand;

pub(super) async fn run(store: SharedStore, command: UserCommand) -> Result<ExitCode> {
    match command {
        UserCommand::Add {
            email,
            password_stdin,
            org,
            role,
        } => add(store, email, password_stdin, org, role).await,
        UserCommand::SetPassword {
            email,
            password_stdin,
        } => set_password(store, email, password_stdin).await,
        UserCommand::Remove { email, org } => remove(store, email, org).await,
        UserCommand::Delete { email } => delete(store, email).await,
    }
}

async fn add(
    store: SharedStore,
    email: String,
    password_stdin: bool,
    org: Option<String>,
    role: Option<String>,
) -> Result<ExitCode> {
    let email = account_email(&email)?;
    let membership = match (org, role) {
        (Some(org), Some(role)) => {
            let role: Role = role.parse().map_err(anyhow::Error::msg)?;
            Some((existing_org(&store, &org).await?, role))
        }
        _ => None,
    };
    let (password, generated) = read_password(password_stdin)?;
    let hash = candor_web::auth::hash_password(&password)?;
    let joins = membership.as_ref().map(|(scope, role)| (scope, *role));
    let user = add_account(&*store, ACTOR, &email, &hash, joins).await?;
    match &membership {
        Some((scope, role)) => {
            println!("created account {} ({role:?} of {})", user.id, scope.slug());
        }
        None => println!("created account {}", user.id),
    }
    if generated {
        println!("password (shown once): {password}");
    }
    Ok(ExitCode::SUCCESS)
}

async fn set_password(store: SharedStore, email: String, password_stdin: bool) -> Result<ExitCode> {
    let user = existing_user(&store, &email).await?;
    let (password, generated) = read_password(password_stdin)?;
    let hash = candor_web::auth::hash_password(&password)?;
    store.set_password(user.id, &hash, None).await?;
    println!(
        "password of account {} set; all its sessions ended",
        user.id
    );
    if generated {
        println!("password (shown once): {password}");
    }
    Ok(ExitCode::SUCCESS)
}

async fn remove(store: SharedStore, email: String, org: String) -> Result<ExitCode> {
    let user = existing_user(&store, &email).await?;
    let scope = existing_org(&store, &org).await?;
    let event = AuditEvent::new(
        ACTOR,
        AuditAction::MemberRemove,
        format!("user:{}", user.id),
        time::OffsetDateTime::now_utc(),
    );
    match store
        .change_membership(&scope, user.id, MembershipChange::Remove, &event)
        .await?
    {
        MembershipOutcome::Done => {
            println!("removed account {} from {org}", user.id);
            Ok(ExitCode::SUCCESS)
        }
        MembershipOutcome::NotMember => bail!("that account is not a member of {org}"),
        MembershipOutcome::LastOwner => {
            bail!("that account is the only owner of {org}; make someone else owner first")
        }
    }
}

async fn delete(store: SharedStore, email: String) -> Result<ExitCode> {
    let user = existing_user(&store, &email).await?;
    if let candor_store::AccountDeletion::OnlyOwnerOf(slug) =
        candor_store::delete_account(&*store, user.id, ACTOR, AuditAction::MemberRemove).await?
    {
        bail!("that account is the only owner of {slug}; make someone else owner first");
    }
    println!("deleted account {}", user.id);
    Ok(ExitCode::SUCCESS)
}

async fn existing_user(store: &SharedStore, email: &str) -> Result<candor_store::User> {
    let email = candor_web::auth::normalize_email(email);
    store
        .credentials_by_email(&email)
        .await?
        .map(|c| c.user)
        .ok_or_else(|| anyhow!("no account has the email {email}"))
}

/// The new account's password, and whether it was generated here.
fn read_password(from_stdin: bool) -> Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        return Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false));
    }
    if let Ok(password) = std::env::var("CANDOR_PASSWORD") {
        return Ok((password, false));
    }
    Ok((candor_web::auth::new_secret()?[..24].to_owned(), true))
}
