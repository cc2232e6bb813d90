//! Signing in and out, and the list of a person's orgs (`/admin`).

use std::net::{IpAddr, SocketAddr};

use askama::Template;
use axum::extract::{ConnectInfo, Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::auth::{
    SESSION_HOURS, burn_decoy_verification, device_cookie, expired_session_cookie, known_device,
    new_secret, normalize_email, password_attempt_allowed, secret_hash, session_cookie,
    session_secret, verify_password,
};
use crate::caller::session_user;
use crate::page_error::{PageError, PageResult, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage<'a> {
    error: Option<&'a str>,
}

/// `GET /admin/login`.
pub async fn login_form() -> Response {
    render(LoginPage { error: None }, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
}

/// One message for every failure, so the form does not reveal which emails have accounts.
const LOGIN_FAILED: &str = "That email and password do not match an account.";

fn too_many_attempts() -> Response {
    let mut response = render(
        LoginPage {
            error: Some("Too many attempts. Wait a minute and try again."),
        },
        StatusCode::TOO_MANY_REQUESTS,
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    response
}

/// `POST /admin/login`: within the per-address and per-account budgets; a new
/// session id at every sign-in.
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> PageResult {
    let email = normalize_email(&form.email);
    let ip: IpAddr = peer.ip();
    let credentials = state.store.credentials_by_email(&email).await?;
    let known = credentials
        .as_ref()
        .is_some_and(|c| known_device(&state, &headers, c.user.id));
    if !password_attempt_allowed(&state, ip, &email, known).await? {
        return Ok(too_many_attempts());
    }
    // Hashing is slow on purpose: keep it off the async workers.
    let password = form.password;
    let user = tokio::task::spawn_blocking(move || match credentials {
        Some(c) if verify_password(&c.password_hash, &password) => Some(c.user),
        Some(_) => None,
        None => {
            burn_decoy_verification(&password);
            None
        }
    })
    .await
    .unwrap_or(None);
    let Some(user) = user else {
        tracing::info!("sign-in failed");
        return Ok(render(
            LoginPage {
                error: Some(LOGIN_FAILED),
            },
            StatusCode::UNAUTHORIZED,
        ));
    };
    // A new session id at every sign-in, and the old one ended (no fixation).
    if let Some(old) = session_secret(&headers) {
        let _ = state.store.delete_session(&secret_hash(old)).await;
    }
    let secret = new_secret()?;
    let expires = OffsetDateTime::now_utc() + time::Duration::hours(SESSION_HOURS);
    state
        .store
        .insert_session(&secret_hash(&secret), user.id, expires)
        .await?;
    tracing::info!(user = %user.id, "signed in");
    let mut response = Redirect::to("/admin").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&secret));
    if let Some(device) = device_cookie(&state, user.id) {
        response.headers_mut().append(header::SET_COOKIE, device);
    }
    Ok(response)
}

fn signed_out() -> Response {
    let mut response = Redirect::to("/admin/login").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, expired_session_cookie());
    response
}

/// `POST /admin/logout`: ends this session.
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    if let Some(secret) = session_secret(&headers) {
        state.store.delete_session(&secret_hash(secret)).await?;
    }
    Ok(signed_out())
}

/// `POST /admin/logout-everywhere`: ends every session of the account.
pub async fn logout_everywhere(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    if let Some(user) = session_user(&state, &headers).await? {
        state.store.delete_user_sessions(user.id).await?;
    }
    Ok(signed_out())
}

#[derive(Template)]
#[template(path = "admin/home.html")]
struct HomePage {
    orgs: Vec<(String, String, &'static str)>,
}

/// `GET /admin`: the orgs the signed-in person belongs to.
pub async fn home(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let user = session_user(&state, &headers)
        .await?
        .ok_or_else(PageError::sign_in)?;
    let orgs = state
        .store
        .memberships_of(user.id)
        .await?
        .into_iter()
        .map(|(org, role)| (org.slug.to_string(), org.name, role.as_str()))
        .collect();
    Ok(render(HomePage { orgs }, StatusCode::OK))
}
