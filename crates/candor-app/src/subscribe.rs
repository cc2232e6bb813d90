//! Subscribing to an org's changes: by email (double opt-in) or by webhook (a
//! signed confirmation event), and finding a subscriber by their manage link.

use candor_domain::types::Email;
use candor_store::keys::MasterKey;
use candor_store::outbox::{
    Channel, SubscribeOutcome, SubscribeRequest, Subscriber, Topics, webhook_secret_purpose,
};
use candor_store::{OrgScope, Store, StoreError};
use time::OffsetDateTime;

use crate::compose::{self, Links};
use crate::manage::{self, ManageLinkKey};
use crate::{normalize_email, secrets, webhook};

/// How long a confirmation link or token stays valid.
pub const CONFIRM_DAYS: i64 = 7;

/// What a reader asked for.
pub struct Subscription<'a> {
    pub channel: Channel,
    /// An email address or a webhook URL, as typed.
    pub address: &'a str,
    pub topics: Topics,
    /// The language of the page they subscribed from: their mails are in it.
    pub locale: &'a str,
}

/// Where and how a subscription is made.
pub struct SubscribeContext<'a> {
    pub scope: &'a OrgScope,
    pub org_name: &'a str,
    pub links: &'a Links,
    /// Seals webhook secrets and manage-link keys; webhooks need it.
    pub master: Option<&'a MasterKey>,
    pub allow_private_webhooks: bool,
    pub now: OffsetDateTime,
}

/// What was stored.
pub struct Subscribed {
    /// The normalised address.
    pub address: String,
    pub outcome: SubscribeOutcome,
    /// A new webhook's signing secret, shown to the subscriber once.
    pub webhook_secret: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SubscribeError {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("this server has no master key to protect webhook secrets")]
    NoMasterKey,
    #[error("the system's random number generator failed")]
    Random,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Stores a pending subscription with its confirmation message queued in the same
/// transaction. An address that is already subscribed answers like a new one
/// (`AlreadyActive`), so the form cannot be used to test addresses.
pub async fn subscribe(
    store: &dyn Store,
    ctx: &SubscribeContext<'_>,
    wanted: &Subscription<'_>,
) -> Result<Subscribed, SubscribeError> {
    let (Ok(confirm_secret), Some(manage_salt)) = (secrets::new_secret(), manage::new_salt())
    else {
        return Err(SubscribeError::Random);
    };
    let (address, webhook_secret, confirmation, shown_secret) = match wanted.channel {
        Channel::Email => {
            let address = normalize_email(wanted.address);
            if address.parse::<Email>().is_err() {
                return Err(SubscribeError::Invalid {
                    field: "address",
                    message: "this is not an email address".into(),
                });
            }
            let confirmation = compose::email_confirmation(
                ctx.links,
                ctx.org_name,
                &address,
                &confirm_secret,
                candor_i18n::Tr::new(wanted.locale),
            );
            (address, None, confirmation, None)
        }
        Channel::Webhook => {
            let url = webhook::check_target(wanted.address.trim(), ctx.allow_private_webhooks)
                .map_err(|e| SubscribeError::Invalid {
                    field: "address",
                    message: e.to_string(),
                })?
                .to_string();
            let master = ctx.master.ok_or(SubscribeError::NoMasterKey)?;
            let secret = webhook::new_secret().map_err(|_| SubscribeError::Random)?;
            let sealed = master.seal(
                &webhook_secret_purpose(&url),
                ctx.scope.org_id(),
                secret.as_bytes(),
            )?;
            let confirmation =
                compose::webhook_confirmation(ctx.links, &url, &confirm_secret, ctx.now);
            (url, Some(sealed), confirmation, Some(secret))
        }
    };
    let request = SubscribeRequest {
        channel: wanted.channel,
        address,
        topics: wanted.topics,
        confirm_hash: secrets::secret_hash(&confirm_secret),
        confirm_expires_at: ctx.now + time::Duration::days(CONFIRM_DAYS),
        manage_salt,
        webhook_secret,
        locale: candor_i18n::Tr::new(wanted.locale).locale().to_owned(),
    };
    let outcome = match store.subscribe(ctx.scope, &request, &confirmation).await {
        Ok(outcome) => outcome,
        // Two requests for one new address at once: the other one stored it.
        Err(StoreError::Conflict(_)) => SubscribeOutcome::AlreadyActive,
        Err(e) => return Err(e.into()),
    };
    Ok(Subscribed {
        address: request.address,
        outcome,
        webhook_secret: shown_secret,
    })
}

/// The subscriber a manage link names, if its token is right. Links from before
/// tokens were MACed are found by their hash; MACed ones need the master key.
pub async fn subscriber_by_manage_token(
    store: &dyn Store,
    scope: &OrgScope,
    master: Option<&MasterKey>,
    token: &str,
) -> Result<Option<Subscriber>, StoreError> {
    let key = match master {
        Some(master) => Some(ManageLinkKey::load(store, scope, master).await?),
        None => None,
    };
    match manage::lookup(key.as_ref(), token) {
        Some(lookup) => store.subscriber_by_manage_link(scope, &lookup).await,
        None => Ok(None),
    }
}
