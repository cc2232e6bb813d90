//! Public subscription flows: subscribe (email or webhook), double opt-in,
//! one-click unsubscribe (RFC 8058) and objections to a new subprocessor.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use candor_app::subscribe::{
    CONFIRM_DAYS, SubscribeContext, SubscribeError, Subscribed, Subscription,
};
use candor_domain::OrgSlug;
use candor_store::outbox::{Channel, SubscribeOutcome, Subscriber, Topics};
use candor_store::{Org, OrgScope, scope_for};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::auth::secret_hash;
use crate::i18n::Tr;
use crate::page_error::{PageError, PageResult, render};
use crate::state::AppState;

pub struct FormSpec {
    pub action: String,
    /// The button's message id.
    pub button: &'static str,
    pub hidden: Vec<(&'static str, String)>,
    pub reason: bool,
}

#[derive(Template)]
#[template(path = "subscription.html")]
struct SubscriptionPage {
    t: Tr,
    slug: String,
    org_name: String,
    title: String,
    paragraphs: Vec<String>,
    secret: Option<String>,
    form: Option<FormSpec>,
    /// More forms and links (the data-rights choices on the unsubscribe page).
    more_forms: Vec<FormSpec>,
    /// (address, the link's message id)
    links: Vec<(String, &'static str)>,
}

/// One subscription page: a title (its message id) and paragraphs (in the
/// reader's language), perhaps a secret shown once and a form.
pub(crate) struct Notice {
    status: StatusCode,
    title: &'static str,
    paragraphs: Vec<String>,
    secret: Option<String>,
    form: Option<FormSpec>,
}

impl Notice {
    pub(crate) fn new(status: StatusCode, title: &'static str, paragraphs: Vec<String>) -> Notice {
        Notice {
            status,
            title,
            paragraphs,
            secret: None,
            form: None,
        }
    }

    fn secret(mut self, secret: Option<String>) -> Notice {
        self.secret = secret;
        self
    }

    fn form(mut self, form: FormSpec) -> Notice {
        self.form = Some(form);
        self
    }

    /// The page, in the org's name.
    pub(crate) fn page(self, org: &Org) -> Response {
        let t = crate::language::current();
        let view = SubscriptionPage {
            t,
            slug: org.slug.to_string(),
            org_name: org.name.clone(),
            title: t.t(self.title),
            paragraphs: self.paragraphs,
            secret: self.secret,
            form: self.form,
            more_forms: Vec::new(),
            links: Vec::new(),
        };
        render(view, self.status)
    }
}

/// The org and its scope, if it exists and has published a page.
pub(crate) async fn published_org(
    state: &AppState,
    slug: &str,
) -> Result<(Org, OrgScope), PageError> {
    let not_found = || PageError::not_found("trust center");
    let slug: OrgSlug = slug.parse().map_err(|_| not_found())?;
    let org = state
        .store
        .org_by_slug(&slug)
        .await?
        .ok_or_else(not_found)?;
    let scope = scope_for(&*state.store, &slug)
        .await?
        .ok_or_else(not_found)?;
    state
        .store
        .latest_revision_summary(&scope)
        .await?
        .ok_or_else(not_found)?;
    Ok((org, scope))
}

#[derive(Deserialize)]
pub struct SubscribeForm {
    #[serde(default)]
    channel: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    topics: String,
}

/// A refusal naming the field; `message` is the message id.
fn invalid(org: &Org, field: &str, message: &str) -> Response {
    Notice::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "not-subscribed-title",
        vec![crate::documents::field_error(field, message)],
    )
    .page(org)
}

/// `POST /{org}/subscribe`. The answer to an email address is the same whether or
/// not it was already subscribed, so the form cannot be used to test addresses.
pub async fn subscribe(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(form): Form<SubscribeForm>,
) -> PageResult {
    let (org, scope) = published_org(&state, &slug).await?;
    let Ok(channel) = form.channel.parse::<Channel>() else {
        return Ok(invalid(&org, "channel", "choose-channel"));
    };
    let Ok(topics) = form.topics.parse::<Topics>() else {
        return Ok(invalid(&org, "topics", "choose-topics"));
    };
    let links = state.links(org.slug.as_str());
    let ctx = SubscribeContext {
        scope: &scope,
        org_name: &org.name,
        links: &links,
        master: state.config.master_key.as_deref(),
        allow_private_webhooks: state.config.allow_private_webhooks,
        now: OffsetDateTime::now_utc(),
    };
    let wanted = Subscription {
        channel,
        address: &form.address,
        topics,
        locale: crate::language::current().locale(),
    };
    let Subscribed {
        address,
        outcome,
        webhook_secret: shown_secret,
    } = match candor_app::subscribe::subscribe(&*state.store, &ctx, &wanted).await {
        Ok(done) => done,
        Err(SubscribeError::Invalid { field, message }) => {
            // The check's own words are English; the page says what to do in
            // the reader's language and keeps them as the detail.
            let t = crate::language::current();
            let said = crate::documents::field_error(field, &format!("subscribe-invalid-{field}"));
            let error = if t.locale() == "en" {
                format!("{field}: {message}")
            } else {
                format!("{said} ({message})")
            };
            return Ok(Notice::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "not-subscribed-title",
                vec![error],
            )
            .page(&org));
        }
        Err(SubscribeError::NoMasterKey) => {
            return Ok(Notice::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "webhooks-unavailable-title",
                vec![crate::language::current().t("webhooks-no-key")],
            )
            .page(&org));
        }
        Err(e) => return Err(PageError::internal(e)),
    };
    state.wake_worker();
    let t = crate::language::current();
    let days = t.tn("n-days", CONFIRM_DAYS.unsigned_abs());
    Ok(match (channel, outcome) {
        (Channel::Email, _) => Notice::new(
            StatusCode::OK,
            "check-inbox-title",
            vec![t.t2("check-inbox", "address", &address, "span", days)],
        )
        .page(&org),
        (Channel::Webhook, SubscribeOutcome::Pending(_)) => Notice::new(
            StatusCode::OK,
            "confirm-webhook-title",
            vec![t.t2("confirm-webhook", "address", &address, "span", days)],
        )
        .secret(shown_secret)
        .page(&org),
        (Channel::Webhook, SubscribeOutcome::AlreadyActive) => Notice::new(
            StatusCode::CONFLICT,
            "already-subscribed-title",
            vec![t.t("already-subscribed")],
        )
        .page(&org),
    })
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// `GET /{org}/subscription/confirm?token=`: a button, so that mail scanners that
/// fetch links do not confirm on their own.
pub async fn confirm_form(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<TokenQuery>,
) -> PageResult {
    let (org, _) = published_org(&state, &slug).await?;
    let t = crate::language::current();
    Ok(Notice::new(
        StatusCode::OK,
        "confirm-subscription-title",
        vec![t.t1("confirm-subscription", "org", &org.name)],
    )
    .form(FormSpec {
        action: format!("/{}/subscription/confirm{}", org.slug, t.lang_query()),
        button: "confirm-button",
        hidden: vec![("token", q.token)],
        reason: false,
    })
    .page(&org))
}

/// `POST /{org}/subscription/confirm` (form field `token`).
pub async fn confirm(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(form): Form<TokenQuery>,
) -> PageResult {
    let (org, scope) = published_org(&state, &slug).await?;
    let confirmed = state
        .store
        .confirm_subscriber(&scope, &secret_hash(&form.token), OffsetDateTime::now_utc())
        .await?;
    let t = crate::language::current();
    Ok(match confirmed {
        Some(_) => {
            Notice::new(StatusCode::OK, "subscribed-title", vec![t.t("subscribed")]).page(&org)
        }
        None => Notice::new(
            StatusCode::NOT_FOUND,
            "dead-link-title",
            vec![t.t("dead-confirm-link")],
        )
        .page(&org),
    })
}

/// `GET /{org}/subscription/unsubscribe?token=`.
pub async fn unsubscribe_form(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<TokenQuery>,
) -> PageResult {
    let (org, _) = published_org(&state, &slug).await?;
    // Tokens are hex: keep only that, so nothing else lands in the form addresses.
    let token: String = q.token.chars().filter(char::is_ascii_hexdigit).collect();
    let t = crate::language::current();
    let lang = t.lang_query().replace('?', "&");
    Ok(render(
        SubscriptionPage {
            t,
            slug: org.slug.to_string(),
            org_name: org.name.clone(),
            title: t.t("unsubscribe-title"),
            paragraphs: vec![
                t.t1("unsubscribe-intro", "org", &org.name),
                t.t("unsubscribe-data"),
            ],
            secret: None,
            form: Some(FormSpec {
                action: format!("/{}/subscription/unsubscribe?token={token}{lang}", org.slug),
                button: "unsubscribe-button",
                hidden: Vec::new(),
                reason: false,
            }),
            more_forms: vec![FormSpec {
                action: format!("/{}/subscription/erase?token={token}{lang}", org.slug),
                button: "erase-button",
                hidden: Vec::new(),
                reason: false,
            }],
            links: vec![(
                format!("/{}/subscription/data?token={token}", org.slug),
                "download-data-link",
            )],
        },
        StatusCode::OK,
    ))
}

/// The subscriber a manage link names, if its token is right.
pub(crate) async fn subscriber_by_manage_token(
    state: &AppState,
    scope: &OrgScope,
    token: &str,
) -> candor_store::Result<Option<Subscriber>> {
    candor_app::subscribe::subscriber_by_manage_token(
        &*state.store,
        scope,
        state.config.master_key.as_deref(),
        token,
    )
    .await
}

/// `POST /{org}/subscription/unsubscribe?token=`: RFC 8058 one-click (the body is
/// `List-Unsubscribe=One-Click`, and is not needed), and the button above.
pub async fn unsubscribe(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<TokenQuery>,
) -> PageResult {
    let (org, scope) = published_org(&state, &slug).await?;
    let t = crate::language::current();
    Ok(
        match subscriber_by_manage_token(&state, &scope, &q.token).await? {
            Some(s) => {
                state
                    .store
                    .unsubscribe(&scope, s.id, OffsetDateTime::now_utc())
                    .await?;
                Notice::new(
                    StatusCode::OK,
                    "unsubscribed-title",
                    vec![t.t("unsubscribed")],
                )
                .page(&org)
            }
            None => Notice::new(
                StatusCode::NOT_FOUND,
                "dead-link-title",
                vec![t.t("no-subscription-matches")],
            )
            .page(&org),
        },
    )
}

#[derive(Deserialize)]
pub struct ObjectQuery {
    #[serde(default)]
    token: String,
    #[serde(default)]
    subprocessor: String,
}

/// `GET /{org}/subscription/object?token=&subprocessor=`.
pub async fn object_form(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<ObjectQuery>,
) -> PageResult {
    let (org, _) = published_org(&state, &slug).await?;
    let t = crate::language::current();
    Ok(Notice::new(
        StatusCode::OK,
        "object-title",
        vec![t.t2(
            "object-intro",
            "org",
            &org.name,
            "subprocessor",
            &q.subprocessor,
        )],
    )
    .form(FormSpec {
        action: format!("/{}/subscription/object{}", org.slug, t.lang_query()),
        button: "object-button",
        hidden: vec![("token", q.token), ("subprocessor", q.subprocessor)],
        reason: true,
    })
    .page(&org))
}

#[derive(Deserialize)]
pub struct ObjectForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    subprocessor: String,
    #[serde(default)]
    reason: String,
}

/// `POST /{org}/subscription/object`.
pub async fn object(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(form): Form<ObjectForm>,
) -> PageResult {
    let (org, scope) = published_org(&state, &slug).await?;
    let reason: String = form.reason.trim().chars().take(2000).collect();
    // Only a subprocessor on the published page can be objected to.
    let known = state.store.latest_revision(&scope).await?.is_some_and(|r| {
        r.content
            .subprocessors
            .iter()
            .any(|s| s.name.as_str() == form.subprocessor)
    });
    if !known {
        return Ok(invalid(&org, "subprocessor", "no-such-subprocessor"));
    }
    let Some(subscriber) = subscriber_by_manage_token(&state, &scope, &form.token).await? else {
        return Ok(invalid(&org, "token", "link-matches-no-subscription"));
    };
    state
        .store
        .insert_objection(
            &scope,
            subscriber.id,
            &form.subprocessor,
            &reason,
            OffsetDateTime::now_utc(),
        )
        .await?;
    let t = crate::language::current();
    Ok(Notice::new(
        StatusCode::OK,
        "objection-recorded-title",
        vec![t.t2(
            "objection-recorded",
            "org",
            &org.name,
            "subprocessor",
            &form.subprocessor,
        )],
    )
    .page(&org))
}
