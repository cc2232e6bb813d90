//! Subscribers and the outbox: the records behind notices, mails and webhooks.

use std::fmt;
use std::str::FromStr;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::keys::SealedSecret;

/// How a subscriber is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    Email,
    Webhook,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Webhook => "webhook",
        }
    }
}

impl FromStr for Channel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "email" => Ok(Channel::Email),
            "webhook" => Ok(Channel::Webhook),
            other => Err(format!("unknown channel {other:?}")),
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a subscriber wants to hear about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Topics {
    /// Every published revision.
    All,
    /// Only revisions that change the subprocessor list.
    Subprocessors,
    /// Only revisions that tell of an incident (a new update or review).
    Incidents,
}

impl Topics {
    pub fn as_str(self) -> &'static str {
        match self {
            Topics::All => "all",
            Topics::Subprocessors => "subprocessors",
            Topics::Incidents => "incidents",
        }
    }
}

impl FromStr for Topics {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "all" => Ok(Topics::All),
            "subprocessors" => Ok(Topics::Subprocessors),
            "incidents" => Ok(Topics::Incidents),
            other => Err(format!("unknown topics {other:?}")),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscriber {
    pub id: Uuid,
    pub channel: Channel,
    /// An email address (lowercased) or a webhook URL. Personal data: never logged.
    pub address: String,
    pub topics: Topics,
    /// The public half of the capability in unsubscribe and objection links:
    /// the link carries this salt and its MAC under the org's manage-link key
    /// (sealed with the master key), so the database alone cannot make a link.
    pub manage_salt: String,
    /// Webhooks only: the signing secret, sealed with the master key.
    pub webhook_secret: Option<SealedSecret>,
    pub created_at: OffsetDateTime,
    pub confirmed_at: Option<OffsetDateTime>,
    pub unsubscribed_at: Option<OffsetDateTime>,
    /// The language they subscribed in: their mails are written in it.
    pub locale: String,
}

impl Subscriber {
    /// Confirmed and not unsubscribed since: the only state that receives notices.
    pub fn is_active(&self) -> bool {
        self.confirmed_at.is_some() && self.unsubscribed_at.is_none()
    }
}

/// A request to subscribe, from the public form or the API.
#[derive(Clone, Debug)]
pub struct SubscribeRequest {
    pub channel: Channel,
    pub address: String,
    pub topics: Topics,
    /// SHA-256 (hex) of the secret in the confirmation link or event.
    pub confirm_hash: String,
    pub confirm_expires_at: OffsetDateTime,
    /// Used if the address is new; a known address keeps its salt, so that links
    /// in mails already sent keep working.
    pub manage_salt: String,
    pub webhook_secret: Option<SealedSecret>,
    /// The language of the page they subscribed from (`en`, `de`, `fr`).
    pub locale: String,
}

/// How a manage link finds its subscriber.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ManageLookup {
    /// A link whose MAC was checked: the salt it names.
    Salt(String),
    /// A link from before manage links were MACed (its token was random and kept
    /// in the clear): the SHA-256 (hex) of that token, which is all that is kept now.
    LegacyTokenHash(String),
}

impl ManageLookup {
    /// The column that holds the value, and the value.
    pub fn column_and_value(&self) -> (&'static str, &str) {
        match self {
            ManageLookup::Salt(salt) => ("manage_salt", salt),
            ManageLookup::LegacyTokenHash(hash) => ("legacy_token_hash", hash),
        }
    }
}

/// What is kept of a manage token from before manage links were MACed.
pub fn legacy_token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// An address that asked to subscribe gets at most one confirmation mail in this
/// time, however often the form is sent (else the form mails anyone, repeatedly).
pub const CONFIRMATION_MAIL_INTERVAL: time::Duration = time::Duration::minutes(15);

/// Whether a pending email subscription whose confirmation expires at
/// `previous_expiry` was asked for within [`CONFIRMATION_MAIL_INTERVAL`] of `now`.
/// Confirmations last as long each time, so the expiry dates the request.
pub fn confirmation_recently_mailed(
    request: &SubscribeRequest,
    previous_expiry: OffsetDateTime,
    now: OffsetDateTime,
) -> bool {
    let lifetime = request.confirm_expires_at - now;
    let asked_at = previous_expiry - lifetime;
    request.channel == Channel::Email && now - asked_at < CONFIRMATION_MAIL_INTERVAL
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubscribeOutcome {
    /// Stored (or renewed) and waiting for confirmation; the confirmation is queued,
    /// unless one was mailed to this address within [`CONFIRMATION_MAIL_INTERVAL`]
    /// (then nothing changed, and the link already sent still works).
    Pending(Uuid),
    /// The address is already subscribed: nothing changed, nothing was sent.
    AlreadyActive,
}

/// A message to queue. `message` is the channel's JSON document (see candor-jobs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDelivery {
    pub id: Uuid,
    pub subscriber_id: Option<Uuid>,
    pub channel: Channel,
    pub message: String,
}

/// A queued message, as claimed by a worker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// Also the mail's Message-ID and the webhook's `webhook-id`: receivers deduplicate on it.
    pub id: Uuid,
    pub subscriber_id: Option<Uuid>,
    pub channel: Channel,
    pub message: String,
    /// Attempts so far, this one included.
    pub attempts: u32,
    pub created_at: OffsetDateTime,
}

/// How an attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliveryResult {
    Delivered,
    /// Try again at `next_attempt_at`.
    Retry {
        next_attempt_at: OffsetDateTime,
        error: String,
    },
    /// Give up (too many attempts, or a permanent refusal).
    Failed {
        error: String,
    },
    /// Not sent on purpose (the subscriber left before it went out).
    Dropped {
        reason: String,
    },
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutboxStats {
    pub pending: u64,
    pub delivered: u64,
    pub failed: u64,
    /// When the oldest message still waiting was queued.
    pub oldest_pending_at: Option<OffsetDateTime>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Objection {
    pub id: Uuid,
    pub subscriber_id: Uuid,
    /// The subscriber's address at the time it was read, for the admin's reply.
    pub address: String,
    pub subprocessor: String,
    pub reason: String,
    pub created_at: OffsetDateTime,
}

/// The sealing purpose of a webhook's signing secret: bound to the URL it signs for.
pub fn webhook_secret_purpose(url: &str) -> String {
    format!("webhook-secret:{url}")
}
