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
use crate::page_error::{PageError, PageResult, render};
use crate::state::AppState;

pub struct FormSpec {
    pub action: String,
    pub button: &'static str,
    pub hidden: Vec<(&'static str, String)>,
    pub reason: bool,
}

#[derive(Template)]
#[template(path = "subscription.html")]
struct SubscriptionPage {
    slug: String,
    org_name: String,
    title: &'static str,
    paragraphs: Vec<String>,
    secret: Option<String>,
    form: Option<FormSpec>,
    /// More forms and links (the data-rights choices on the unsubscribe page).
    more_forms: Vec<FormSpec>,
    links: Vec<(String, &'static str)>,
}

/// One subscription page: a title and paragraphs, perhaps a secret shown once
/// and a form.
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
        let view = SubscriptionPage {
            slug: org.slug.to_string(),
            org_name: org.name.clone(),
            title: self.title,
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

fn invalid(org: &Org, field: &str, message: String) -> Response {
    Notice::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Not subscribed",
        vec![format!("{field}: {message}")],
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
        return Ok(invalid(&org, "channel", "choose email or webhook".into()));
    };
    let Ok(topics) = form.topics.parse::<Topics>() else {
        return Ok(invalid(
            &org,
            "topics",
            "choose all or subprocessors".into(),
        ));
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
    };
    let Subscribed {
        address,
        outcome,
        webhook_secret: shown_secret,
    } = match candor_app::subscribe::subscribe(&*state.store, &ctx, &wanted).await {
        Ok(done) => done,
        Err(SubscribeError::Invalid { field, message }) => {
            return Ok(invalid(&org, field, message));
        }
        Err(SubscribeError::NoMasterKey) => {
            return Ok(Notice::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Webhooks are not available",
                vec!["This server has no master key to protect webhook secrets.".into()],
            )
            .page(&org));
        }
        Err(e) => return Err(PageError::internal(e)),
    };
    state.wake_worker();
    Ok(match (channel, outcome) {
        (Channel::Email, _) => Notice::new(
            StatusCode::OK,
            "Check your inbox",
            vec![format!(
                "If {} is not subscribed yet, a message with a confirmation link is on its way. \
                 The link works for {CONFIRM_DAYS} days; nothing is sent until you use it.",
                address
            )],
        )
        .page(&org),
        (Channel::Webhook, SubscribeOutcome::Pending(_)) => Notice::new(
            StatusCode::OK,
            "Confirm the webhook",
            vec![format!(
                "A signed subscription.confirm event is on its way to {}. To confirm, POST its \
                 data.token as the form field token to its data.confirm_url within {CONFIRM_DAYS} days.",
                address
            )],
        )
        .secret(shown_secret)
        .page(&org),
        (Channel::Webhook, SubscribeOutcome::AlreadyActive) => Notice::new(
            StatusCode::CONFLICT,
            "Already subscribed",
            vec!["This URL already receives events. Its secret was not changed.".into()],
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
    Ok(Notice::new(
        StatusCode::OK,
        "Confirm your subscription",
        vec![format!(
            "Confirm to be told when {} changes its trust center.",
            org.name
        )],
    )
    .form(FormSpec {
        action: format!("/{}/subscription/confirm", org.slug),
        button: "Confirm",
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
    Ok(match confirmed {
        Some(_) => Notice::new(
            StatusCode::OK,
            "Subscribed",
            vec!["You will be told of every change you asked for, including each new subprocessor before it starts, with a link to object. Every message has a link to unsubscribe.".into()],
        )
        .page(&org),
        None => Notice::new(
            StatusCode::NOT_FOUND,
            "This link does not work",
            vec!["It may have expired or been replaced by a newer one. Subscribe again from the trust center.".into()],
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
    Ok(render(
        SubscriptionPage {
            slug: org.slug.to_string(),
            org_name: org.name.clone(),
            title: "Unsubscribe",
            paragraphs: vec![
                format!("Stop receiving {}'s trust center updates.", org.name),
                "You can also download what is stored about your subscription, or erase it (with any objection you sent).".into(),
            ],
            secret: None,
            form: Some(FormSpec {
                action: format!("/{}/subscription/unsubscribe?token={token}", org.slug),
                button: "Unsubscribe",
                hidden: Vec::new(),
                reason: false,
            }),
            more_forms: vec![FormSpec {
                action: format!("/{}/subscription/erase?token={token}", org.slug),
                button: "Erase my data",
                hidden: Vec::new(),
                reason: false,
            }],
            links: vec![(
                format!("/{}/subscription/data?token={token}", org.slug),
                "Download my data (JSON)",
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
    Ok(
        match subscriber_by_manage_token(&state, &scope, &q.token).await? {
            Some(s) => {
                state
                    .store
                    .unsubscribe(&scope, s.id, OffsetDateTime::now_utc())
                    .await?;
                Notice::new(
                StatusCode::OK,
                "Unsubscribed",
                vec!["You will receive no more updates. Messages already queued for you are dropped.".into()],
            )
            .page(&org)
            }
            None => Notice::new(
                StatusCode::NOT_FOUND,
                "This link does not work",
                vec!["No subscription matches it.".into()],
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
    Ok(Notice::new(
        StatusCode::OK,
        "Object to a subprocessor",
        vec![format!(
            "Tell {} that you object to it using {}. Your objection is recorded with your subscription address and shown to its administrators.",
            org.name, q.subprocessor
        )],
    )
    .form(FormSpec {
        action: format!("/{}/subscription/object", org.slug),
        button: "Send the objection",
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
        return Ok(invalid(
            &org,
            "subprocessor",
            "no such subprocessor on this trust center".into(),
        ));
    }
    let Some(subscriber) = subscriber_by_manage_token(&state, &scope, &form.token).await? else {
        return Ok(invalid(
            &org,
            "token",
            "this link does not match a subscription".into(),
        ));
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
    Ok(Notice::new(
            StatusCode::OK,
            "Objection recorded",
            vec![format!(
                "{} has your objection to {}. Its administrators see it with your subscription address.",
                org.name, form.subprocessor
            )],
        )
        .page(&org))
}
