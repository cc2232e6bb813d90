//! Data-subject rights (GDPR articles 15 and 17) and the org's own exit:
//! a subscriber downloads or erases their data with the link in every mail; an
//! admin answers a request from anyone (subscriber, document requester, reporter)
//! by email address; an owner exports the whole org as one archive, or deletes it.

use askama::Template;
use axum::Form;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use candor_app::export::{export_org, export_person, export_subscription};
use candor_app::privacy::erase_person;
use candor_store::outbox::Subscriber;
use candor_store::privacy::ErasedCounts;
use candor_store::{Org, OrgScope};
use serde::Deserialize;
use serde_json::Value;

use crate::auth::normalize_email;
use crate::caller::Access;
use crate::page_error::{PageError, PageResult, render};
use crate::state::AppState;
use crate::subscribe::{Notice, published_org, subscriber_by_manage_token};

/// A JSON document sent as a file to keep.
fn attachment(name: &str, value: &Value) -> Response {
    let body = serde_json::to_string_pretty(value).unwrap_or_default();
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

// ---------------------------------------------------------------- self-service

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

async fn subscriber_by_token(
    state: &AppState,
    slug: &str,
    token: &str,
) -> Result<(Org, OrgScope, Subscriber), PageError> {
    let (org, scope) = published_org(state, slug).await?;
    let subscriber = subscriber_by_manage_token(state, &scope, token)
        .await?
        .ok_or_else(|| PageError::not_found("subscription"))?;
    Ok((org, scope, subscriber))
}

/// `GET /{org}/subscription/data?token=`: the subscriber's own data, as JSON.
pub async fn subscriber_data(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<TokenQuery>,
) -> PageResult {
    let (_, scope, subscriber) = subscriber_by_token(&state, &slug, &q.token).await?;
    let data = export_subscription(&*state.store, &scope, &subscriber).await?;
    Ok(attachment("my-subscription.json", &data))
}

/// `POST /{org}/subscription/erase?token=`: deletes the subscription and all with it.
pub async fn subscriber_erase(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<TokenQuery>,
) -> PageResult {
    let (org, scope, subscriber) = subscriber_by_token(&state, &slug, &q.token).await?;
    state.store.erase_subscriber(&scope, subscriber.id).await?;
    Ok(Notice::new(
        StatusCode::OK,
        "erased-title",
        vec![crate::language::current().t("erased")],
    )
    .page(&org))
}

// ---------------------------------------------------------------- admin

#[derive(Template)]
#[template(path = "admin/privacy.html")]
struct PrivacyPage<'a> {
    slug: &'a str,
    notice: Option<String>,
    error: Option<String>,
    can_export_org: bool,
    can_delete_org: bool,
}

fn privacy_page(
    access: &Access,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    use candor_domain::policy::{Action, allows};
    render(
        PrivacyPage {
            slug: access.scope.slug().as_str(),
            notice,
            error,
            can_export_org: allows(access.role, Action::ExportOrg),
            can_delete_org: allows(access.role, Action::DeleteOrg),
        },
        status,
    )
}

/// `GET /admin/orgs/{org}/privacy`.
pub async fn admin_privacy(Extension(access): Extension<Access>) -> Response {
    privacy_page(&access, None, None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct SubjectForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    confirm: String,
}

/// The person's address from the form, if it is one.
fn subject_email(form: &SubjectForm) -> Option<String> {
    let email = normalize_email(&form.email);
    email
        .parse::<candor_domain::types::Email>()
        .is_ok()
        .then_some(email)
}

/// The privacy page again, naming the field to correct.
fn refused(access: &Access, error: &str) -> Response {
    privacy_page(
        access,
        None,
        Some(error.into()),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

const NO_EMAIL: &str = "email: enter the person's email address";

/// `POST /admin/orgs/{org}/privacy/export`: one person's data, as JSON (Art. 15).
pub async fn admin_export_person(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Form(form): Form<SubjectForm>,
) -> PageResult {
    let Some(email) = subject_email(&form) else {
        return Ok(refused(&access, NO_EMAIL));
    };
    let data = export_person(
        &*state.store,
        &access.scope,
        state.config.master_key.as_deref(),
        &access.actor,
        &email,
    )
    .await?;
    Ok(attachment("personal-data.json", &data))
}

/// `POST /admin/orgs/{org}/privacy/erase`: erases one person's data (Art. 17);
/// `confirm` must repeat the address.
pub async fn admin_erase_person(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Form(form): Form<SubjectForm>,
) -> PageResult {
    let Some(email) = subject_email(&form) else {
        return Ok(refused(&access, NO_EMAIL));
    };
    if normalize_email(&form.confirm) != email {
        return Ok(refused(
            &access,
            "confirm: type the same address again to erase",
        ));
    }
    let ErasedCounts {
        subscriptions,
        requests,
        reports,
    } = erase_person(
        &*state.store,
        &access.scope,
        state.config.master_key.as_deref(),
        &access.actor,
        &email,
    )
    .await?;
    Ok(privacy_page(
        &access,
        Some(format!(
            "Erased: {subscriptions} subscription(s), {requests} document request(s) with their downloads, and the reporter's identity in {reports} vulnerability report(s)."
        )),
        None,
        StatusCode::OK,
    ))
}

/// `GET /admin/orgs/{org}/export`: everything the org holds, as one JSON archive.
pub async fn admin_export_org(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> PageResult {
    let archive = export_org(
        &*state.store,
        &access.scope,
        state.config.master_key.as_deref(),
        &access.actor,
    )
    .await?;
    Ok(attachment(
        &format!("{}-export.json", access.scope.slug()),
        &archive,
    ))
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    confirm: String,
}

/// `POST /admin/orgs/{org}/delete`: deletes the org and everything in it; `confirm`
/// must repeat the slug.
pub async fn admin_delete_org(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Form(form): Form<DeleteForm>,
) -> PageResult {
    if form.confirm.trim() != access.scope.slug().as_str() {
        return Ok(refused(
            &access,
            "confirm: type the org's slug to delete it",
        ));
    }
    let slug = access.scope.slug().clone();
    state.store.delete_org(access.scope.clone()).await?;
    state.pages.invalidate(&slug);
    if let Ok(mut keys) = state.signers.write() {
        keys.remove(&slug);
    }
    if let Ok(mut keys) = state.openpgp_keys.write() {
        keys.remove(&slug);
    }
    // The org's own audit log went with it; the operator's log keeps the fact.
    tracing::warn!(org = %slug, actor = %access.actor, "org deleted with all its data");
    Ok(Redirect::to("/admin").into_response())
}
