//! What every handler shares: the configuration ([`WebConfig`]), the store,
//! the caches and the rate limits, in one [`AppState`]. A leaf: it knows the
//! caches' types and nothing of the handlers.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use candor_domain::OrgSlug;
use candor_store::SharedStore;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::page_cache::PageCache;
use crate::signing::{LogKeys, SignerMap};

#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Served over HTTPS (directly or behind a TLS proxy): send HSTS.
    pub https: bool,
    /// List the hosted orgs on the home page (demo mode). Off by default so a
    /// multi-tenant server does not publish its customer list.
    pub directory: bool,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// How long a rendered page is served before the store is asked whether a newer
    /// revision exists.
    pub revalidate_after: Duration,
    /// How many orgs' pages are kept in memory (the least recently served go
    /// first), so memory stays flat however many orgs a server hosts.
    pub page_cache_entries: usize,
    /// A client must send a request's complete headers within this time, or the
    /// connection is closed (slow-loris defence).
    pub header_read_timeout: Duration,
    /// A request's body must arrive whole within this time of the headers (so a
    /// client trickling bytes cannot hold a connection); uploads get ten times it.
    pub body_read_timeout: Duration,
    /// On shutdown, how long in-flight requests get to finish.
    pub drain_timeout: Duration,
    /// Sign-in attempts allowed per minute, per client address and per account.
    pub login_attempts_per_minute: NonZeroU32,
    /// The operator's master key, which seals each org's log signing key. Without
    /// it, log checkpoints cannot be signed and their endpoints answer 503.
    pub master_key: Option<Arc<candor_store::keys::MasterKey>>,
    /// Host part of each org's log origin (`HOST/SLUG`), e.g. `trust.example.com`.
    /// Signatures name it, so it must not change once checkpoints are published.
    pub log_host: String,
    /// Anonymous form posts allowed per minute and client address.
    pub public_forms_per_minute: NonZeroU32,
    /// State-changing requests allowed per minute and client address.
    pub writes_per_minute: NonZeroU32,
    /// State-changing requests allowed per minute and account or API token.
    pub account_writes_per_minute: NonZeroU32,
    /// Where readers reach this server; the base of links in mails, webhooks and the feed.
    pub public_url: url::Url,
    /// Let webhook subscribers and an org's witnesses be on loopback or
    /// private addresses (tests, closed networks).
    pub allow_private_webhooks: bool,
    /// How often each org's checkpoint is submitted to its witnesses again when
    /// nothing changed, so that their cosignatures stay fresh.
    pub witness_refresh: Duration,
    /// How the scanner reaches org hosts (to check a host-ownership proof).
    pub check_options: candor_verify::scan::ScanOptions,
    /// How often evidence checks run; a result older than twice this is stale.
    pub check_interval: Duration,
    /// Serve HTTPS directly with this certificate (TLS 1.2 and 1.3 only).
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// The ACME directory certificates come from, when Candor obtains them
    /// itself (shown on the admin Hosts page).
    pub acme_directory: Option<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            https: false,
            directory: false,
            body_limit: 1024 * 1024,
            revalidate_after: Duration::from_secs(1),
            page_cache_entries: 10_000,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            drain_timeout: Duration::from_secs(30),
            login_attempts_per_minute: NonZeroU32::MIN.saturating_add(9),
            master_key: None,
            log_host: "localhost".into(),
            public_forms_per_minute: NonZeroU32::MIN.saturating_add(19),
            writes_per_minute: NonZeroU32::MIN.saturating_add(119),
            account_writes_per_minute: NonZeroU32::MIN.saturating_add(59),
            public_url: url::Url::parse("http://localhost/").unwrap_or_else(|_| unreachable!()),
            allow_private_webhooks: false,
            witness_refresh: Duration::from_secs(10 * 60),
            check_options: candor_verify::scan::ScanOptions::default(),
            check_interval: Duration::from_secs(6 * 3600),
            tls: None,
            acme_directory: None,
        }
    }
}

/// What every handler shares. One `Arc`: axum clones the state for each layer
/// and handler a request passes through, and one reference count is far
/// cheaper than one per field (a profile of the public page found a fifth of
/// its CPU time in cloning and dropping the field-by-field version).
#[derive(Clone)]
pub struct AppState(Arc<AppStateInner>);

impl std::ops::Deref for AppState {
    type Target = AppStateInner;
    fn deref(&self) -> &AppStateInner {
        &self.0
    }
}

/// Handlers that need only the store (the ACME challenge answer, also served
/// by the plain-HTTP listener, which has no app state) take it from either.
impl axum::extract::FromRef<AppState> for SharedStore {
    fn from_ref(state: &AppState) -> SharedStore {
        state.store.clone()
    }
}

#[derive(Clone)]
pub struct AppStateInner {
    pub store: SharedStore,
    pub pages: Arc<PageCache>,
    pub config: Arc<WebConfig>,
    pub limits: Arc<Limits>,
    /// Each org's OpenPGP key for security.txt, unsealed once and kept.
    pub openpgp_keys: Arc<RwLock<HashMap<OrgSlug, Arc<pgp::composed::SignedSecretKey>>>>,
    /// Rendered Atom feeds, per org and revision.
    pub feeds: Arc<FeedCache>,
    /// Rendered `revisions.json`, per org.
    pub history: Arc<crate::history::HistoryCache>,
    /// The background worker, woken when there is something to send.
    pub worker: Option<Arc<dyn candor_app::background::Background>>,
    /// Each org's checkpoint signer, unsealed once and kept.
    pub signers: Arc<SignerMap>,
    /// Witness cosignatures on each org's checkpoint.
    pub witnessing: Arc<crate::witnessing::Witnessing>,
    /// Today's counts, not yet added to the database.
    pub analytics: Arc<crate::analytics::Counter>,
}

/// The rendered Atom feed per org, with the revision it was rendered at.
#[derive(Default)]
pub struct FeedCache(pub RwLock<HashMap<OrgSlug, (u64, Arc<String>)>>);

/// Rate limits on what can be guessed or abused, in memory, per replica (password
/// checks and reset mails are also counted in the database, across replicas: see
/// `limits::spend_shared`). For the others, a
/// load balancer spreading one client over N replicas gives it N times the rate.
pub struct Limits {
    pub login_by_ip: DefaultKeyedRateLimiter<std::net::IpAddr>,
    /// Keyed by the SHA-256 of the normalised email, not the email itself.
    pub login_by_account: DefaultKeyedRateLimiter<String>,
    /// Anonymous public forms (document validation today; subscriptions later).
    pub public_forms_by_ip: DefaultKeyedRateLimiter<std::net::IpAddr>,
    /// Every state-changing request, per client address…
    pub writes_by_ip: DefaultKeyedRateLimiter<std::net::IpAddr>,
    /// …and per signed-in account or token.
    pub writes_by_actor: DefaultKeyedRateLimiter<String>,
    /// Password-reset mails: one per account every 15 minutes (keyed by the
    /// address's hash), so the form cannot be used to flood someone's inbox.
    pub reset_mail_by_account: DefaultKeyedRateLimiter<String>,
}

impl Limits {
    pub fn new(config: &WebConfig) -> Limits {
        Limits {
            login_by_ip: RateLimiter::keyed(Quota::per_minute(config.login_attempts_per_minute)),
            login_by_account: RateLimiter::keyed(Quota::per_minute(
                config.login_attempts_per_minute,
            )),
            public_forms_by_ip: RateLimiter::keyed(Quota::per_minute(
                config.public_forms_per_minute,
            )),
            writes_by_ip: RateLimiter::keyed(Quota::per_minute(config.writes_per_minute)),
            writes_by_actor: RateLimiter::keyed(Quota::per_minute(
                config.account_writes_per_minute,
            )),
            reset_mail_by_account: RateLimiter::keyed(
                Quota::with_period(Duration::from_secs(15 * 60))
                    .unwrap_or_else(|| Quota::per_hour(NonZeroU32::MIN)),
            ),
        }
    }
}

impl AppState {
    pub fn new(store: SharedStore, config: WebConfig) -> AppState {
        let signers: Arc<SignerMap> = Arc::default();
        let log_keys = LogKeys::new(
            config.master_key.clone(),
            config.log_host.clone(),
            signers.clone(),
        );
        AppState(Arc::new(AppStateInner {
            store,
            pages: Arc::new(PageCache::new(
                config.revalidate_after,
                config.check_interval,
                log_keys,
                config.page_cache_entries,
            )),
            limits: Arc::new(Limits::new(&config)),
            signers,
            openpgp_keys: Arc::default(),
            feeds: Arc::default(),
            history: Arc::default(),
            analytics: Arc::default(),
            worker: None,
            witnessing: Arc::new(crate::witnessing::Witnessing::new(
                config.allow_private_webhooks,
                config.witness_refresh,
            )),
            config: Arc::new(config),
        }))
    }

    pub fn with_worker(mut self, worker: Arc<dyn candor_app::background::Background>) -> AppState {
        Arc::make_mut(&mut self.0).worker = Some(worker);
        self
    }

    /// Publishes the org's draft (admin page and API alike): on success the
    /// cached page is dropped and the worker woken to send the notices; every
    /// attempt is counted and timed.
    pub async fn publish(
        &self,
        access: &crate::caller::Access,
    ) -> candor_store::Result<candor_store::PublishOutcome> {
        use candor_store::PublishOutcome;
        let started = std::time::Instant::now();
        let outcome = candor_store::publish_draft(
            &*self.store,
            &access.scope,
            time::OffsetDateTime::now_utc(),
            &access.actor,
        )
        .await;
        let name = match &outcome {
            Ok(PublishOutcome::Published { .. }) => "published",
            Ok(PublishOutcome::Unchanged { .. }) => "unchanged",
            Ok(PublishOutcome::NoDraft) => "no_draft",
            Ok(PublishOutcome::Refused(_)) => "refused",
            Ok(PublishOutcome::Held { .. }) => "held",
            Err(_) => "error",
        };
        crate::metrics::publish(name, started.elapsed());
        if let Ok(PublishOutcome::Published { .. }) = &outcome {
            self.pages.invalidate(access.scope.slug());
            self.wake_worker();
        }
        outcome
    }

    /// Asks the background worker (if this process runs one) to look for work now.
    pub fn wake_worker(&self) {
        if let Some(worker) = &self.worker {
            worker.wake();
        }
    }

    /// How the org's log signer is found (master key, log host, unsealed signers).
    pub fn log_keys(&self) -> LogKeys {
        LogKeys::new(
            self.config.master_key.clone(),
            self.config.log_host.clone(),
            self.signers.clone(),
        )
    }

    /// Where an org's public pages live under this server's public address,
    /// for links in mails, webhooks and events.
    pub fn links(&self, slug: &str) -> candor_app::compose::Links {
        candor_app::compose::Links {
            base: self.config.public_url.clone(),
            org: slug.to_owned(),
        }
    }

    /// The org's display name, for mails; its slug if the directory cannot say.
    pub async fn org_name(&self, scope: &candor_store::OrgScope) -> String {
        match self.store.org_by_slug(scope.slug()).await {
            Ok(Some(org)) => org.name,
            _ => scope.slug().to_string(),
        }
    }
}
