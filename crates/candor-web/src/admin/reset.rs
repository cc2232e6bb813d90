//! Forgotten passwords: a single-use link by mail. The link carries its own
//! proof (sealed with the master key: the address, an expiry and a digest of the
//! password hash it may replace), so nothing is stored; it stops working once
//! the password changes, which makes it single-use. The mail is sent at once,
//! outside the outbox: the link is a live credential that should not sit in a
//! table, and a lost mail only costs the reader another request.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::auth::{hash_new_password, normalize_email, open_token, seal_token, secret_hash};
use crate::page_error::{PageError, PageResult, message_page, render};
use crate::state::AppState;

/// How long a reset link works.
pub const RESET_MINUTES: i64 = 60;
const PURPOSE: &str = "password-reset";

/// The answer to every request, whether or not the address has an account.
const REQUESTED: &str = "If a Candor account has this address, a link to choose a new password is on its way. It works once, for one hour. Nothing arrived? Check the address and ask again in a quarter of an hour.";

fn digest(password_hash: &str) -> [u8; 16] {
    let full = Sha256::digest(password_hash.as_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

/// A reset token for `email` whose current password hash is `password_hash`.
pub fn reset_token(state: &AppState, email: &str, password_hash: &str) -> Option<String> {
    let master = state.config.master_key.as_ref()?;
    let expires = time::OffsetDateTime::now_utc() + time::Duration::minutes(RESET_MINUTES);
    let mut plain = expires.unix_timestamp().to_be_bytes().to_vec();
    plain.extend_from_slice(&digest(password_hash));
    plain.extend_from_slice(email.as_bytes());
    seal_token(master, PURPOSE, uuid::Uuid::nil(), &plain)
}

/// The account a token may reset, if the token is genuine, unexpired and its
/// password is still the current one.
async fn account_for(state: &AppState, token: &str) -> Option<candor_store::Credentials> {
    let master = state.config.master_key.as_ref()?;
    let plain = open_token(master, PURPOSE, uuid::Uuid::nil(), token)?;
    let (expiry, rest) = plain.split_first_chunk::<8>()?;
    let (wanted, email) = rest.split_first_chunk::<16>()?;
    if i64::from_be_bytes(*expiry) <= time::OffsetDateTime::now_utc().unix_timestamp() {
        return None;
    }
    let email = std::str::from_utf8(email).ok()?;
    let credentials = state.store.credentials_by_email(email).await.ok()??;
    (digest(&credentials.password_hash) == *wanted).then_some(credentials)
}

#[derive(Template)]
#[template(path = "admin/reset_request.html")]
struct RequestPage<'a> {
    notice: Option<&'a str>,
}

/// `GET /admin/reset`.
pub async fn request_form() -> Response {
    render(RequestPage { notice: None }, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct RequestForm {
    email: String,
}

/// `POST /admin/reset`: the same answer for every address; a mail only for an
/// account, at most one per address every quarter of an hour.
pub async fn request(State(state): State<AppState>, Form(form): Form<RequestForm>) -> PageResult {
    let email = normalize_email(&form.email);
    let credentials = state.store.credentials_by_email(&email).await?;
    // One mail per account every quarter of an hour: in memory, and across
    // replicas in the database.
    if let Some(credentials) = credentials
        && state
            .limits
            .reset_mail_by_account
            .check_key(&secret_hash(&email))
            .is_ok()
        && crate::limits::spend_shared(
            &state,
            &format!("reset-mail:{}", secret_hash(&email)),
            1,
            15 * 60,
        )
        .await?
    {
        match (
            reset_token(&state, &email, &credentials.password_hash),
            &state.worker,
        ) {
            (Some(token), Some(worker)) => {
                let link = state
                    .config
                    .public_url
                    .join(&format!("admin/reset/{token}"))
                    .map(|u| u.to_string())
                    .unwrap_or_default();
                let text = format!(
                    "Someone asked to choose a new password for the Candor account of this address.\n\n\
                     If it was you, open this link within {RESET_MINUTES} minutes; it works once:\n\n{link}\n\n\
                     If it was not you, ignore this mail: your password stays as it is.\n"
                );
                if !worker.send_account_mail(
                    email.clone(),
                    "Choose a new Candor password".into(),
                    text,
                ) {
                    tracing::warn!(user = %credentials.user.id, "password reset asked for, but no SMTP server is configured");
                }
            }
            _ => {
                tracing::warn!(user = %credentials.user.id, "password reset asked for, but this server has no master key or worker to send it");
            }
        }
    }
    Ok(render(
        RequestPage {
            notice: Some(REQUESTED),
        },
        StatusCode::OK,
    ))
}

#[derive(Template)]
#[template(path = "admin/reset_choose.html")]
struct ChoosePage<'a> {
    action: &'a str,
    error: Option<&'a str>,
}

const LINK_INVALID: &str = "password reset link that still works: it may have expired or been used already. Ask for a new one.";

/// `GET /admin/reset/{token}`.
pub async fn choose_form(State(state): State<AppState>, Path(token): Path<String>) -> PageResult {
    if account_for(&state, &token).await.is_none() {
        return Err(PageError::not_found(LINK_INVALID));
    }
    let action = format!("/admin/reset/{token}");
    Ok(render(
        ChoosePage {
            action: &action,
            error: None,
        },
        StatusCode::OK,
    ))
}

#[derive(Deserialize)]
pub struct ChooseForm {
    password: String,
}

/// `POST /admin/reset/{token}`: the new password; every session of the account ends.
pub async fn choose(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<ChooseForm>,
) -> PageResult {
    let Some(credentials) = account_for(&state, &token).await else {
        return Err(PageError::not_found(LINK_INVALID));
    };
    let hash = match hash_new_password(form.password).await? {
        Ok(hash) => hash,
        Err(message) => {
            let action = format!("/admin/reset/{token}");
            return Ok(render(
                ChoosePage {
                    action: &action,
                    error: Some(&message),
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    state
        .store
        .set_password(credentials.user.id, &hash, None)
        .await?;
    tracing::info!(user = %credentials.user.id, "password reset by mailed link");
    Ok(message_page(
        "Password changed",
        "Your new password is set, and every session of your account has been signed out. Sign in with the new password.",
        StatusCode::OK,
    ))
}
