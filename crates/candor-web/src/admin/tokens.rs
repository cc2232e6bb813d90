//! API tokens (`/admin/orgs/{org}/tokens`): create (the secret is shown once),
//! list and revoke. The rules are `candor_app::members`', shared with the API.

use askama::Template;
use axum::extract::{Extension, Form, Path, State};
use axum::http::StatusCode;
use candor_domain::policy::Role;
use serde::Deserialize;
use time::OffsetDateTime;

use super::outcome::{Outcome, done, parse_role_field, refused, shown_once};
use crate::caller::Access;
use crate::error::ApiError;
use crate::page_error::{PageResult, render};
use crate::state::AppState;
use candor_app::members;

#[derive(Template)]
#[template(path = "admin/tokens.html")]
struct TokensPage<'a> {
    slug: &'a str,
    /// id, name, role, expiry date, state, still usable.
    /// (id, name, role, expires, state, active, last used)
    tokens: Vec<(
        String,
        String,
        &'static str,
        String,
        &'static str,
        bool,
        String,
    )>,
    roles: Vec<&'static str>,
    error: Option<String>,
    notice: Option<String>,
    secret: Option<String>,
}

async fn tokens_page(
    state: &AppState,
    access: &Access,
    (status, outcome): (StatusCode, Outcome),
) -> PageResult {
    let now = OffsetDateTime::now_utc();
    let tokens = state
        .store
        .tokens(&access.scope)
        .await?
        .into_iter()
        .map(|t| {
            let state = if t.revoked_at.is_some() {
                "revoked"
            } else if t.is_usable(now) {
                "active"
            } else {
                "expired"
            };
            let expires = t.expires_at.date().to_string();
            let active = t.is_usable(now);
            let used = t
                .last_used_at
                .map_or_else(|| "never".to_owned(), crate::views::human_time);
            (
                t.id.to_string(),
                t.name,
                t.role.as_str(),
                expires,
                state,
                active,
                used,
            )
        })
        .collect();
    let roles = [Role::Admin, Role::Editor, Role::Viewer]
        .into_iter()
        .filter(|r| *r <= access.role)
        .map(Role::as_str)
        .collect();
    Ok(render(
        TokensPage {
            slug: access.scope.slug().as_str(),
            tokens,
            roles,
            error: outcome.error,
            notice: outcome.notice,
            secret: outcome.secret,
        },
        status,
    ))
}

/// `GET /admin/orgs/{org}/tokens`.
pub async fn tokens(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> PageResult {
    tokens_page(&state, &access, (StatusCode::OK, Outcome::default())).await
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
    role: String,
    days: u32,
}

/// `POST /admin/orgs/{org}/tokens`.
pub async fn create_token(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Form(form): Form<TokenForm>,
) -> PageResult {
    let result = match parse_role_field(&form.role) {
        Ok(role) => {
            members::create_token(&*state.store, &access.actor(), &form.name, role, form.days)
                .await
                .map_err(ApiError::from)
        }
        Err(e) => Err(e),
    };
    let outcome = match result {
        Ok((_, secret)) => shown_once(
            "Token created. Copy it now: it is not shown again.".into(),
            secret,
        ),
        Err(e) => refused(&e),
    };
    tokens_page(&state, &access, outcome).await
}

/// `POST /admin/orgs/{org}/tokens/{id}/revoke`.
pub async fn revoke_token(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> PageResult {
    if !super::confirm::confirmed(&body) {
        let slug = access.scope.slug().as_str();
        return Ok(super::confirm::ask(super::confirm::Ask {
            slug,
            title: "Revoke an API token",
            consequence: "Every program using this token is refused from its next request. A revoked token cannot be restored; create a new one if needed.",
            action: &format!("/admin/orgs/{slug}/tokens/{id}/revoke"),
            hidden: &[],
            button: "Revoke the token",
            back: &format!("/admin/orgs/{slug}/tokens"),
        }));
    }
    let revoked = match id.parse::<uuid::Uuid>() {
        Ok(id) => members::revoke_token(&*state.store, &access.actor(), id)
            .await
            .map_err(ApiError::from),
        Err(_) => Ok(false),
    };
    let outcome = match revoked {
        Ok(true) => done("Token revoked."),
        Ok(false) => (
            StatusCode::NOT_FOUND,
            Outcome {
                error: Some("No such live token.".into()),
                ..Outcome::default()
            },
        ),
        Err(e) => refused(&e),
    };
    tokens_page(&state, &access, outcome).await
}
