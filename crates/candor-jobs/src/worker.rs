//! The worker loop: announce new revisions, then claim and deliver due messages.

use std::sync::Arc;
use std::time::Duration;

use candor_domain::diff;
use candor_store::keys::MasterKey;
use candor_store::outbox::{Channel, Delivery, DeliveryResult};
use candor_store::{OrgScope, SharedStore, scope_for};
use time::OffsetDateTime;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::mail::{MailError, Mailer};
use crate::webhook;
use candor_app::compose::{self, EmailMessage, Links, Purpose, WebhookMessage};
use candor_app::manage::{ManageLinkKey, TOKEN_SLOT};

pub use candor_store::outbox::webhook_secret_purpose;

#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// Public base URL of this Candor, for the links in messages.
    pub base_url: Url,
    pub poll_interval: Duration,
    /// How long a claim lasts; a worker killed mid-send is retried after it.
    pub lease: Duration,
    /// Messages claimed (and sent concurrently) at a time.
    pub batch: u32,
    /// Waits before attempts 2, 3, …; after the last, a message fails for good.
    pub backoff: Vec<Duration>,
    /// Lets webhooks target loopback and private networks (tests, closed networks).
    pub allow_private_targets: bool,
    /// Scheduled evidence checks; None runs none.
    pub evidence: Option<crate::evidence::EvidenceConfig>,
}

impl WorkerConfig {
    pub fn new(base_url: Url) -> WorkerConfig {
        WorkerConfig {
            base_url,
            poll_interval: Duration::from_secs(2),
            lease: Duration::from_secs(60),
            batch: 20,
            // About a day in all, like the schedules webhook providers use.
            backoff: [5, 300, 1800, 7200, 18000, 36000, 36000]
                .into_iter()
                .map(Duration::from_secs)
                .collect(),
            allow_private_targets: false,
            evidence: None,
        }
    }
}

#[derive(Clone)]
pub struct Worker {
    inner: Arc<Inner>,
}

struct Inner {
    store: SharedStore,
    master_key: Option<Arc<MasterKey>>,
    mailer: Option<Mailer>,
    http: reqwest::Client,
    config: WorkerConfig,
    wake: Notify,
    /// When each org's evidence was last looked at: the look loads the revision,
    /// so it is not repeated on every poll.
    evidence_passes:
        std::sync::Mutex<std::collections::HashMap<candor_domain::OrgSlug, std::time::Instant>>,
}

impl Worker {
    pub fn new(
        store: SharedStore,
        master_key: Option<Arc<MasterKey>>,
        mailer: Option<Mailer>,
        config: WorkerConfig,
    ) -> Result<Worker, String> {
        let http = webhook::client(config.allow_private_targets).map_err(|e| e.to_string())?;
        Ok(Worker {
            inner: Arc::new(Inner {
                store,
                master_key,
                mailer,
                http,
                config,
                wake: Notify::new(),
                evidence_passes: Default::default(),
            }),
        })
    }

    /// Asks the worker to look for work now rather than at its next poll.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }
    /// Sends one mail now, outside the outbox, retrying a transient failure twice:
    /// for a password-reset link, which should not sit in a table and whose loss
    /// costs only another request. False when no SMTP server is configured.
    pub fn send_account_mail(&self, to: String, subject: String, text: String) -> bool {
        let Some(mailer) = self.inner.mailer.clone() else {
            return false;
        };
        tokio::spawn(async move {
            let mail = EmailMessage {
                purpose: Purpose::Operator,
                to,
                subject,
                text,
                unsubscribe_url: None,
            };
            let id = uuid::Uuid::new_v4();
            for attempt in 0..3u32 {
                match mailer.send(id, &mail).await {
                    Ok(()) => return,
                    Err(MailError::Permanent(e)) => {
                        tracing::warn!(error = %e, "account mail refused");
                        return;
                    }
                    Err(MailError::Transient(e)) => {
                        tracing::info!(error = %e, attempt, "account mail not sent yet");
                        tokio::time::sleep(std::time::Duration::from_secs(2 << attempt)).await;
                    }
                }
            }
            tracing::warn!("account mail given up after 3 attempts");
        });
        true
    }

    /// Runs until `shutdown`: then it claims nothing more, lets the messages it has
    /// claimed finish, and returns. Unclaimed messages stay queued for the next start.
    ///
    /// A pass over every org costs a few queries per org (a second of CPU for
    /// 10,000 orgs), so full passes are spaced to take at most a tenth of the
    /// time (every poll for a few orgs, up to a minute apart for many); polls in
    /// between visit only the orgs that published meanwhile, found in one query.
    /// Being woken (this process queued something) runs a full pass at once.
    pub async fn run(self, shutdown: CancellationToken) {
        self.report_queue().await;
        let poll = self.inner.config.poll_interval;
        let mut next_sweep = std::time::Instant::now();
        let mut woken = true;
        loop {
            if shutdown.is_cancelled() {
                break;
            }
            let started = std::time::Instant::now();
            let pass = if woken || started >= next_sweep {
                let pass = self.tick(&shutdown).await;
                next_sweep = std::time::Instant::now()
                    + started
                        .elapsed()
                        .saturating_mul(10)
                        .clamp(poll, MAX_SWEEP_SPACING.max(poll));
                pass
            } else {
                self.tick_published(&shutdown).await
            };
            if let Err(e) = pass {
                tracing::warn!(error = %e, "worker pass failed; retrying at the next poll");
            }
            woken = tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = self.inner.wake.notified() => true,
                _ = tokio::time::sleep(poll) => false,
            };
        }
        tracing::info!("worker stopped: in-flight messages finished, the rest stay queued");
    }

    /// Announces and delivers for the orgs that published in the last few
    /// seconds (by any process): what cannot wait for the next full pass.
    async fn tick_published(&self, shutdown: &CancellationToken) -> candor_store::Result<()> {
        let since = OffsetDateTime::now_utc() - candor_store::PUBLISH_FEED_SLACK;
        for (slug, _) in self.inner.store.orgs_published_since(since).await? {
            let Some(scope) = scope_for(&*self.inner.store, &slug).await? else {
                continue;
            };
            self.announce(&scope).await?;
            self.deliver_due(&scope, shutdown).await?;
        }
        Ok(())
    }

    async fn report_queue(&self) {
        let Ok(orgs) = self.inner.store.list_orgs().await else {
            return;
        };
        for org in orgs {
            let Ok(Some(scope)) = scope_for(&*self.inner.store, &org.slug).await else {
                continue;
            };
            if let Ok(stats) = self.inner.store.outbox_stats(&scope).await
                && stats.pending > 0
            {
                tracing::info!(
                    org = %org.slug,
                    queued = stats.pending,
                    "worker starting with queued messages; claims left by a stopped worker are retried when their lease ends"
                );
            }
        }
    }

    /// One pass over every org. Public for tests and the CLI.
    pub async fn tick(&self, shutdown: &CancellationToken) -> candor_store::Result<()> {
        for org in self.inner.store.list_orgs().await? {
            let Some(scope) = scope_for(&*self.inner.store, &org.slug).await? else {
                continue;
            };
            self.announce(&scope).await?;
            if let Some(config) = &self.inner.config.evidence
                && self.evidence_pass_due(scope.slug(), config.interval)
            {
                // A host that cannot be scanned is recorded as failing; a store
                // error stops this org's pass only.
                if let Err(e) =
                    crate::evidence::run_due_checks(&self.inner.store, &scope, config).await
                {
                    tracing::warn!(org = %scope.slug(), error = %e, "evidence checks failed");
                }
            }
            self.deliver_due(&scope, shutdown).await?;
        }
        Ok(())
    }

    /// At most one evidence pass per org per minute (or per interval, if shorter);
    /// a woken worker (a host was just verified) looks at once.
    fn evidence_pass_due(&self, slug: &candor_domain::OrgSlug, interval: Duration) -> bool {
        let spacing = interval.min(Duration::from_secs(60));
        let Ok(mut passes) = self.inner.evidence_passes.lock() else {
            return true;
        };
        let now = std::time::Instant::now();
        match passes.get(slug) {
            Some(last) if now.duration_since(*last) < spacing => false,
            _ => {
                passes.insert(slug.clone(), now);
                true
            }
        }
    }

    /// Forgets when orgs' evidence was last looked at, so the next pass looks at all.
    pub fn recheck_evidence(&self) {
        if let Ok(mut passes) = self.inner.evidence_passes.lock() {
            passes.clear();
        }
        self.wake();
    }

    fn links(&self, scope: &OrgScope) -> Links {
        Links {
            base: self.inner.config.base_url.clone(),
            org: scope.slug().to_string(),
        }
    }

    /// Turns each unannounced revision into notices, queued atomically with the mark.
    async fn announce(&self, scope: &OrgScope) -> candor_store::Result<()> {
        let store = &self.inner.store;
        for number in store.unannounced_revisions(scope).await? {
            let now = OffsetDateTime::now_utc();
            let Some(revision) = store.revision(scope, number).await? else {
                continue;
            };
            let previous = match number {
                1 => None,
                n => store.revision(scope, n - 1).await?,
            };
            // The first revision is the starting point, not a change to announce.
            let notices = match &previous {
                None => Vec::new(),
                Some(previous) => {
                    let changes = diff(&previous.content, &revision.content);
                    let subscribers = store.subscribers(scope).await?;
                    let links = self.links(scope);
                    let mut notices =
                        compose::revision_notices(&links, &revision, &changes, &subscribers, now);
                    let hooks = store.event_hooks(scope).await?;
                    notices.extend(compose::incidents_declared(
                        &hooks, &links, previous, &revision, now,
                    ));
                    notices
                }
            };
            if store
                .announce_revision(scope, number, &notices, now)
                .await?
            {
                tracing::info!(org = %scope.slug(), revision = number, notices = notices.len(), "revision announced");
            }
        }
        Ok(())
    }

    /// Delivers the org's due messages, batch after batch, until none is left
    /// or the worker is told to stop.
    async fn deliver_due(
        &self,
        scope: &OrgScope,
        shutdown: &CancellationToken,
    ) -> candor_store::Result<()> {
        while !shutdown.is_cancelled() {
            if self.deliver_batch(scope).await? == 0 {
                break;
            }
        }
        Ok(())
    }

    async fn deliver_batch(&self, scope: &OrgScope) -> candor_store::Result<usize> {
        let now = OffsetDateTime::now_utc();
        let lease =
            time::Duration::try_from(self.inner.config.lease).unwrap_or(time::Duration::minutes(1));
        let claimed = self
            .inner
            .store
            .claim_deliveries(scope, now, now + lease, self.inner.config.batch)
            .await?;
        let count = claimed.len();
        let mut tasks = JoinSet::new();
        for delivery in claimed {
            let worker = self.clone();
            let scope = scope.clone();
            tasks.spawn(async move {
                if delivery.attempts > 1 {
                    tracing::info!(org = %scope.slug(), delivery = %delivery.id, attempt = delivery.attempts, "redelivering: an earlier attempt failed or did not finish");
                }
                let result = worker.deliver(&scope, &delivery).await;
                metrics::counter!(
                    candor_app::metrics::DELIVERIES,
                    "channel" => channel_name(delivery.channel),
                    "outcome" => outcome_name(&result)
                )
                .increment(1);
                match &result {
                    DeliveryResult::Delivered => {
                        tracing::debug!(org = %scope.slug(), delivery = %delivery.id, channel = %delivery.channel, "delivered")
                    }
                    other => {
                        tracing::info!(org = %scope.slug(), delivery = %delivery.id, channel = %delivery.channel, outcome = outcome_name(other), "not delivered")
                    }
                }
                if let Err(e) = worker
                    .inner
                    .store
                    .finish_delivery(&scope, delivery.id, &result, OffsetDateTime::now_utc())
                    .await
                {
                    // The lease will expire and the message will be tried again.
                    tracing::warn!(delivery = %delivery.id, error = %e, "could not record a delivery");
                }
            });
        }
        while tasks.join_next().await.is_some() {}
        Ok(count)
    }

    fn retry(&self, attempts: u32, error: String) -> DeliveryResult {
        let index = usize::try_from(attempts.saturating_sub(1)).unwrap_or(usize::MAX);
        match self.inner.config.backoff.get(index) {
            Some(wait) => DeliveryResult::Retry {
                next_attempt_at: OffsetDateTime::now_utc()
                    + time::Duration::try_from(*wait).unwrap_or(time::Duration::hours(1)),
                error,
            },
            None => DeliveryResult::Failed {
                error: format!("gave up after {attempts} attempts: {error}"),
            },
        }
    }

    /// Whether a message should still go out to its subscriber.
    async fn wanted(
        &self,
        scope: &OrgScope,
        delivery: &Delivery,
        purpose: Purpose,
    ) -> candor_store::Result<Option<candor_store::outbox::Subscriber>> {
        let Some(id) = delivery.subscriber_id else {
            return Ok(None);
        };
        let subscriber = self.inner.store.subscriber(scope, id).await?;
        Ok(subscriber.filter(|s| match purpose {
            Purpose::Confirmation => s.unsubscribed_at.is_none() || s.confirmed_at.is_none(),
            Purpose::Notice => s.is_active(),
            Purpose::Operator | Purpose::Event => true,
        }))
    }

    async fn deliver(&self, scope: &OrgScope, delivery: &Delivery) -> DeliveryResult {
        let message = match self.with_manage_token(scope, delivery).await {
            Ok(Ok(message)) => message,
            Ok(Err(not_sent)) => return not_sent,
            Err(e) => return self.retry(delivery.attempts, e.to_string()),
        };
        let result = match delivery.channel {
            Channel::Email => self.deliver_email(scope, delivery, &message).await,
            Channel::Webhook => self.deliver_webhook(scope, delivery, &message).await,
        };
        result.unwrap_or_else(|e| self.retry(delivery.attempts, e.to_string()))
    }

    /// The message as it is sent: the subscriber's manage token where the
    /// queued copy holds its place (the token itself is never stored).
    async fn with_manage_token(
        &self,
        scope: &OrgScope,
        delivery: &Delivery,
    ) -> candor_store::Result<Result<String, DeliveryResult>> {
        if !delivery.message.contains(TOKEN_SLOT) {
            return Ok(Ok(delivery.message.clone()));
        }
        let subscriber = match delivery.subscriber_id {
            Some(id) => self.inner.store.subscriber(scope, id).await?,
            None => None,
        };
        let Some(subscriber) = subscriber else {
            return Ok(Err(DeliveryResult::Dropped {
                reason: "the subscriber left before it was sent".into(),
            }));
        };
        let Some(master) = &self.inner.master_key else {
            return Ok(Err(self.retry(
                delivery.attempts,
                "no master key to make the subscriber's manage links".into(),
            )));
        };
        let key = ManageLinkKey::load(self.inner.store.as_ref(), scope, master).await?;
        Ok(Ok(key.fill(&delivery.message, &subscriber.manage_salt)))
    }

    async fn deliver_email(
        &self,
        scope: &OrgScope,
        delivery: &Delivery,
        message: &str,
    ) -> candor_store::Result<DeliveryResult> {
        let Ok(mail) = serde_json::from_str::<EmailMessage>(message) else {
            return Ok(DeliveryResult::Failed {
                error: "unreadable message".into(),
            });
        };
        if mail.purpose != Purpose::Operator
            && self.wanted(scope, delivery, mail.purpose).await?.is_none()
        {
            return Ok(DeliveryResult::Dropped {
                reason: "the subscriber left before it was sent".into(),
            });
        }
        let Some(mailer) = &self.inner.mailer else {
            return Ok(self.retry(delivery.attempts, "no SMTP server is configured".into()));
        };
        Ok(match mailer.send(delivery.id, &mail).await {
            Ok(()) => DeliveryResult::Delivered,
            Err(MailError::Permanent(e)) => DeliveryResult::Failed { error: e },
            Err(MailError::Transient(e)) => self.retry(delivery.attempts, e),
        })
    }

    async fn deliver_webhook(
        &self,
        scope: &OrgScope,
        delivery: &Delivery,
        message: &str,
    ) -> candor_store::Result<DeliveryResult> {
        let Ok(hook) = serde_json::from_str::<WebhookMessage>(message) else {
            return Ok(DeliveryResult::Failed {
                error: "unreadable message".into(),
            });
        };
        let sealed = match (hook.purpose, hook.hook) {
            (Purpose::Event, Some(id)) => {
                let endpoints = self.inner.store.event_hooks(scope).await?;
                match endpoints
                    .into_iter()
                    .find(|e| e.id == id && e.url == hook.url)
                {
                    Some(endpoint) => Some(endpoint.secret),
                    None => {
                        return Ok(DeliveryResult::Dropped {
                            reason: "the event endpoint was removed before it was sent".into(),
                        });
                    }
                }
            }
            _ => match self.wanted(scope, delivery, hook.purpose).await? {
                Some(subscriber) => subscriber.webhook_secret,
                None => {
                    return Ok(DeliveryResult::Dropped {
                        reason: "the subscriber left before it was sent".into(),
                    });
                }
            },
        };
        let (Some(key), Some(sealed)) = (&self.inner.master_key, &sealed) else {
            return Ok(self.retry(
                delivery.attempts,
                "no master key to open the signing secret".into(),
            ));
        };
        let secret = key.open(&webhook_secret_purpose(&hook.url), scope.org_id(), sealed)?;
        let secret = String::from_utf8_lossy(&secret).into_owned();
        let Some(key_bytes) = webhook::secret_bytes(&secret) else {
            return Ok(DeliveryResult::Failed {
                error: "the stored signing secret is malformed".into(),
            });
        };
        let url = match webhook::check_target(&hook.url, self.inner.config.allow_private_targets) {
            Ok(url) => url,
            Err(e) => {
                return Ok(DeliveryResult::Failed {
                    error: e.to_string(),
                });
            }
        };
        // Signed at each attempt: receivers reject stale timestamps.
        let id = format!("msg_{}", delivery.id.simple());
        let timestamp = OffsetDateTime::now_utc().unix_timestamp();
        let signature = webhook::sign(&key_bytes, &id, timestamp, &hook.body);
        let response = self
            .inner
            .http
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(hook.body.clone())
            .send()
            .await;
        Ok(match response {
            Ok(r) if r.status().is_success() => DeliveryResult::Delivered,
            Ok(r) if r.status() == reqwest::StatusCode::GONE => DeliveryResult::Failed {
                error: "the receiver answered 410 Gone".into(),
            },
            Ok(r) => self.retry(
                delivery.attempts,
                format!("the receiver answered {}", r.status()),
            ),
            Err(e) => self.retry(delivery.attempts, format!("request failed: {e}")),
        })
    }
}

fn channel_name(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "email",
        Channel::Webhook => "webhook",
    }
}

fn outcome_name(result: &DeliveryResult) -> &'static str {
    match result {
        DeliveryResult::Delivered => "delivered",
        DeliveryResult::Retry { .. } => "retry",
        DeliveryResult::Failed { .. } => "failed",
        DeliveryResult::Dropped { .. } => "dropped",
    }
}

/// The longest wait between full passes over every org (messages queued by
/// another process, and retries, wait at most this long).
const MAX_SWEEP_SPACING: Duration = Duration::from_secs(60);

impl candor_app::background::Background for Worker {
    fn wake(&self) {
        Worker::wake(self);
    }
    fn recheck_evidence(&self) {
        Worker::recheck_evidence(self);
    }
    fn send_account_mail(&self, to: String, subject: String, text: String) -> bool {
        Worker::send_account_mail(self, to, subject, text)
    }
}
