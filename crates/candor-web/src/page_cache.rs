//! The public trust page and its JSON twin, rendered once per revision and
//! served from memory.
//!
//! A rendered page is cached per org together with the revision number it shows.
//! After `revalidate_after` the next request is still answered from memory at
//! once, and starts one background task that asks the store (cheaply) for the
//! latest revision and re-renders only if it changed, so several stateless
//! replicas pick up a publish made anywhere within about that interval and no
//! request waits on the store for a page it already has (stale while
//! revalidating). A zero interval is strict: every request asks the store first.
//!
//! The cache needs only the store (passed to [`PageCache::lookup`]) and what it
//! was built with: the revalidation interval, the evidence-check interval and
//! the log keys. Each lookup is one read transaction of the org
//! ([`Store::page_snapshot`]) after finding the org: the same snapshot decides
//! whether a page is still current and fills the page that replaces it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use askama::Template;
use axum::body::Bytes;
use axum::http::HeaderValue;
use candor_domain::types::Day;
use candor_domain::{ContentHash, OrgSlug, canonical_json};
use candor_store::evidence::EvidenceSnapshot;
use candor_store::page::{KnownPage, PageContent, PageSnapshot};
use candor_store::{OrgScope, SharedStore, Store, StoreError, scope_for};

use crate::signing::LogKeys;
use crate::views::{TrustPage, attach_evidence};

/// One org's latest revision, rendered.
pub struct Rendered {
    pub number: u64,
    day: Day,
    /// What the evidence looked like when rendered (newest run, hour of rendering),
    /// so that new results, and results going stale, re-render the page.
    evidence_key: Option<EvidenceKey>,
    pub html: Bytes,
    pub html_etag: HeaderValue,
    /// The page in each of its other languages (none for a page in one):
    /// (locale, html, etag). `html` is the default language's.
    pub translations: Vec<(String, Bytes, HeaderValue)>,
    /// The page's languages, the default first.
    pub locales: Vec<String>,
    pub json: Bytes,
    pub json_etag: HeaderValue,
    /// What it was rendered from, to render again beside new evidence.
    content: PageContent,
    /// Milliseconds since the cache's epoch when the store was last asked.
    checked_ms: AtomicU64,
    /// A background revalidation of this page is under way.
    refreshing: AtomicBool,
    /// Milliseconds since the cache's epoch when this page was last served,
    /// so that a full cache lets the least recently used page go.
    used_ms: AtomicU64,
}

impl Rendered {
    /// The revision this page shows.
    pub fn revision(&self) -> &candor_domain::Revision {
        &self.content.revision
    }

    /// The evidence the page was rendered with (None when no control names checks).
    pub fn evidence(&self) -> Option<&candor_store::evidence::EvidenceSnapshot> {
        self.content.evidence.as_ref()
    }

    /// The witnesses this revision lists, whom checkpoints are submitted to.
    pub fn witnesses(&self) -> &[candor_domain::model::Witness] {
        &self.content.revision.content.witnesses
    }
}

pub struct PageCache {
    epoch: Instant,
    revalidate_after: Duration,
    /// How often evidence checks run: a result older than twice this is stale.
    check_interval: Duration,
    /// The log signer, whose verifier key the page prints.
    log_keys: LogKeys,
    /// At most this many pages are kept.
    capacity: usize,
    entries: RwLock<HashMap<OrgSlug, Arc<Rendered>>>,
}

pub enum Lookup {
    Found(Arc<Rendered>),
    Unpublished(String),
    Unknown,
}

fn today() -> Day {
    Day(time::OffsetDateTime::now_utc().date())
}

impl PageCache {
    /// A cache of at most `capacity` pages (at least one).
    pub fn new(
        revalidate_after: Duration,
        check_interval: Duration,
        log_keys: LogKeys,
        capacity: usize,
    ) -> PageCache {
        PageCache {
            epoch: Instant::now(),
            revalidate_after,
            check_interval,
            log_keys,
            capacity: capacity.max(1),
            entries: RwLock::new(HashMap::new()),
        }
    }

    /// How many pages are in memory.
    pub fn len(&self) -> usize {
        self.entries.read().map_or(0, |e| e.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keeps `page`; when the cache is full, the page served least recently
    /// goes (it is rendered again when next asked for). Eviction scans the
    /// pages, but only when a new org's page is rendered into a full cache.
    fn keep(&self, slug: OrgSlug, page: Arc<Rendered>) {
        let Ok(mut entries) = self.entries.write() else {
            return;
        };
        if !entries.contains_key(&slug) && entries.len() >= self.capacity {
            let oldest = entries
                .iter()
                .min_by_key(|(_, p)| p.used_ms.load(Ordering::Relaxed))
                .map(|(s, _)| s.clone());
            if let Some(oldest) = oldest {
                entries.remove(&oldest);
            }
        }
        entries.insert(slug, page);
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn cached(&self, slug: &OrgSlug) -> Option<Arc<Rendered>> {
        self.entries.read().ok()?.get(slug).cloned()
    }

    /// Drops an org's page so the next request renders afresh (after a local publish).
    pub fn invalidate(&self, slug: &OrgSlug) {
        if let Ok(mut entries) = self.entries.write() {
            entries.remove(slug);
        }
    }

    /// The org's page: from memory while fresh; from memory while a background
    /// task asks the store whether it is still current, once stale; else (no
    /// page yet, a new day, or a zero interval) after asking the store.
    pub async fn lookup(
        self: &Arc<Self>,
        store: &SharedStore,
        slug: &str,
    ) -> Result<Lookup, StoreError> {
        let Ok(slug) = slug.parse::<OrgSlug>() else {
            return Ok(Lookup::Unknown);
        };
        let cached = self.cached(&slug);
        let now = self.now_ms();
        let fresh_for = u64::try_from(self.revalidate_after.as_millis()).unwrap_or(u64::MAX);
        if let Some(page) = &cached
            && page.day == today()
        {
            page.used_ms.store(now, Ordering::Relaxed);
            if now.saturating_sub(page.checked_ms.load(Ordering::Relaxed)) < fresh_for {
                crate::metrics::page_cache_lookup("fresh");
                return Ok(Lookup::Found(page.clone()));
            }
            if !self.revalidate_after.is_zero() {
                if !page.refreshing.swap(true, Ordering::AcqRel) {
                    self.revalidate_in_background(store.clone(), slug, page.clone());
                }
                crate::metrics::page_cache_lookup("stale");
                return Ok(Lookup::Found(page.clone()));
            }
        }
        crate::metrics::page_cache_lookup("miss");
        self.refresh(&**store, slug, cached, now).await
    }

    /// Re-checks at once the cached pages of orgs that published since the last
    /// look, through any replica: one query every `every` for all orgs, so that
    /// each page is otherwise checked only every `revalidate_after`. Runs until
    /// aborted.
    pub fn follow_publishes(
        self: &Arc<Self>,
        store: SharedStore,
        every: std::time::Duration,
    ) -> tokio::task::JoinHandle<()> {
        // Look back by the feed's slack, and remember what was seen.
        let cache = self.clone();
        tokio::spawn(async move {
            let mut seen: HashMap<OrgSlug, time::OffsetDateTime> = HashMap::new();
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let since = time::OffsetDateTime::now_utc() - candor_store::PUBLISH_FEED_SLACK;
                let published = match store.orgs_published_since(since).await {
                    Ok(published) => published,
                    Err(e) => {
                        tracing::warn!(error = %e, "looking for new revisions failed");
                        continue;
                    }
                };
                seen.retain(|_, at| *at >= since);
                for (slug, at) in published {
                    if seen.insert(slug.clone(), at) == Some(at) {
                        continue;
                    }
                    if let Some(page) = cache.cached(&slug)
                        && !page.refreshing.swap(true, Ordering::AcqRel)
                    {
                        cache.revalidate_in_background(store.clone(), slug, page);
                    }
                }
            }
        })
    }

    /// Asks the store about `page` without anyone waiting; a failure is logged
    /// and retried one interval later.
    fn revalidate_in_background(
        self: &Arc<Self>,
        store: SharedStore,
        slug: OrgSlug,
        page: Arc<Rendered>,
    ) {
        let cache = self.clone();
        tokio::spawn(async move {
            let now = cache.now_ms();
            if let Err(e) = cache.refresh(&*store, slug, Some(page.clone()), now).await {
                tracing::warn!(error = %e, "revalidating a cached trust page failed");
                page.checked_ms.store(now, Ordering::Relaxed);
            }
            page.refreshing.store(false, Ordering::Release);
        });
    }

    /// Asks the store whether `cached` (if any) still shows the latest revision,
    /// and renders the page anew if not.
    async fn refresh(
        &self,
        store: &dyn Store,
        slug: OrgSlug,
        cached: Option<Arc<Rendered>>,
        now: u64,
    ) -> Result<Lookup, StoreError> {
        let Some(scope) = scope_for(store, &slug).await? else {
            self.invalidate(&slug);
            return Ok(Lookup::Unknown);
        };
        // With today's page in memory, the cheap question: is it still the latest?
        let known = cached
            .as_ref()
            .filter(|p| p.day == today())
            .map(|p| KnownPage {
                number: p.number,
                with_evidence: p.evidence_key.is_some(),
            });
        let content = match store.page_snapshot(&scope, known).await? {
            PageSnapshot::Unpublished => return unpublished(store, &slug).await,
            PageSnapshot::Unchanged {
                evidence,
                log_key_generation,
            } => {
                let Some(page) = cached else {
                    return Ok(Lookup::Unknown);
                };
                if evidence.as_ref().map(evidence_key) == page.evidence_key
                    && log_key_generation == page.content.log_key_generation
                {
                    page.checked_ms.store(now, Ordering::Relaxed);
                    return Ok(Lookup::Found(page));
                }
                // The same revision beside new evidence or a new log key.
                PageContent {
                    evidence,
                    log_key_generation,
                    ..page.content.clone()
                }
            }
            PageSnapshot::Latest(content) => *content,
        };
        let log = self.log_view(store, &scope, &content).await?;
        let page = Arc::new(self.render(&slug, content, log, now)?);
        self.keep(slug, page.clone());
        Ok(Lookup::Found(page))
    }

    /// What the page says about the transparency log: the verifier key (when
    /// the server signs checkpoints) and the root at this revision.
    async fn log_view(
        &self,
        store: &dyn Store,
        scope: &OrgScope,
        content: &PageContent,
    ) -> Result<LogView, StoreError> {
        let (key, retired) = match self.log_keys.master() {
            Some(master) => match self
                .log_key_and_history(store, scope, master, content.log_key_generation)
                .await
            {
                Ok(found) => found,
                Err(e) => {
                    tracing::error!(error = %e, "could not load the log signing key");
                    (None, Vec::new())
                }
            },
            None => (None, Vec::new()),
        };
        // The log as it stood when this revision was published: its size is the
        // revision number, and its root is what that checkpoint signed.
        let lost_after = store.log_hold(scope).await?.and_then(|hold| {
            let released = hold.released?;
            (released.outcome == candor_store::log::HoldOutcome::Unrecoverable).then(|| {
                (
                    hold.restored_size,
                    released
                        .at
                        .date()
                        .format(&time::format_description::well_known::Iso8601::DATE)
                        .unwrap_or_default(),
                )
            })
        });
        Ok(LogView {
            key,
            retired,
            lost_after,
            root: base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                content.log_root,
            ),
        })
    }

    /// The log's current verifier key and the keys it replaced, oldest first
    /// (the generation is read once for both).
    async fn log_key_and_history(
        &self,
        store: &dyn Store,
        scope: &OrgScope,
        master: &candor_store::keys::MasterKey,
        generation: u32,
    ) -> Result<(Option<String>, Vec<String>), StoreError> {
        let key = self
            .log_keys
            .signer_at(store, scope, generation)
            .await?
            .map(|s| s.verifier_key());
        if generation == 1 {
            return Ok((key, Vec::new()));
        }
        let origin = self.log_keys.origin(scope);
        let statements =
            candor_store::log::log_key_history_to(store, scope, master, &origin, generation)
                .await?;
        let retired = statements
            .iter()
            .filter_map(|s| {
                let (text, _) = s.split_once("\n\n")?;
                let text = format!("{text}\n");
                candor_log::note::parse_rotation(&text).map(|(_, old, _)| old.to_owned())
            })
            .collect();
        Ok((key, retired))
    }

    fn render(
        &self,
        slug: &OrgSlug,
        content: PageContent,
        log: LogView,
        now_ms: u64,
    ) -> Result<Rendered, StoreError> {
        let day = today();
        let revision = &content.revision;
        let locales: Vec<String> = revision
            .content
            .page_locales()
            .into_iter()
            .map(str::to_owned)
            .collect();
        let alternates: Vec<(String, &'static str, String)> = match locales.len() {
            1 => Vec::new(),
            _ => locales
                .iter()
                .map(|l| (l.clone(), language_name(l), format!("/{slug}?lang={l}")))
                .collect(),
        };
        // Each language's page: the content in that language, the same log,
        // keys and evidence.
        let render_in = |locale: &str, revision: &candor_domain::Revision| {
            let mut page = TrustPage::new_in(slug.as_str(), revision, day, locale);
            page.log_key = log.key.clone();
            page.retired_log_keys = log.retired.clone();
            page.log_root = Some(log.root.clone());
            page.log_lost_after = log.lost_after.clone();
            page.alternates = alternates.clone();
            if let Some(evidence) = &content.evidence {
                attach_evidence(
                    &mut page,
                    &evidence.records,
                    &evidence.verified_hosts(),
                    time::OffsetDateTime::now_utc(),
                    self.check_interval,
                );
            }
            page.render()
                .map_err(|e| StoreError::Render(format!("{slug}: {e}")))
        };
        let html = render_in(&locales[0], revision)?;
        let mut translations = Vec::new();
        for locale in locales.iter().skip(1) {
            let localized = candor_domain::Revision {
                content: revision.content.localized(locale),
                ..revision.clone()
            };
            let page = render_in(locale, &localized)?;
            let etag = etag_for(page.as_bytes());
            translations.push((locale.clone(), Bytes::from(page), etag));
        }
        // The whole document is canonical JSON, so `content` can be hashed as served.
        let json = canonical_json(&revision.document(slug.as_str()));
        Ok(Rendered {
            number: revision.number,
            day,
            evidence_key: content.evidence.as_ref().map(evidence_key),
            html_etag: etag_for(html.as_bytes()),
            html: Bytes::from(html),
            translations,
            locales,
            json_etag: etag_for(&json),
            json: Bytes::from(json),
            content,
            checked_ms: AtomicU64::new(now_ms),
            refreshing: AtomicBool::new(false),
            used_ms: AtomicU64::new(now_ms),
        })
    }
}

/// A language's name in itself, for the page's language links.
pub fn language_name(locale: &str) -> &'static str {
    match locale {
        "de" => "Deutsch",
        "fr" => "Français",
        _ => "English",
    }
}

impl Rendered {
    /// The page in the reader's language: `?lang=` if the page has it, else
    /// the first of Accept-Language's languages it has, else its default.
    /// The locale chosen, the html and its etag.
    pub fn in_language(
        &self,
        query: Option<&str>,
        accept_language: Option<&str>,
    ) -> (&str, &Bytes, &HeaderValue) {
        let default = (self.locales[0].as_str(), &self.html, &self.html_etag);
        if self.translations.is_empty() {
            return default;
        }
        let chosen = crate::language::choose(&self.locales, query, accept_language);
        self.translations
            .iter()
            .find(|(l, _, _)| l == chosen)
            .map_or(default, |(l, html, etag)| (l.as_str(), html, etag))
    }
}

/// An org that exists but has never published: its name, for the page that says so.
async fn unpublished(store: &dyn Store, slug: &OrgSlug) -> Result<Lookup, StoreError> {
    let name = store
        .org_by_slug(slug)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    Ok(Lookup::Unpublished(name))
}

/// What the page says about the transparency log.
struct LogView {
    key: Option<String>,
    retired: Vec<String>,
    root: String,
    /// After a restore whose lost entries no copy held: the size the log
    /// continued from, and when the operator said so.
    lost_after: Option<(u64, String)>,
}

/// What the evidence shown depends on: the newest run and the number of
/// results, which hosts are verified (a host whose proof is gone shows "not
/// verified" without any new run), and the hour, so results going stale show.
type EvidenceKey = (i64, usize, Vec<(String, i64)>, i64);

/// What the evidence shown looks like now, to compare with a rendered page's.
fn evidence_key(evidence: &EvidenceSnapshot) -> EvidenceKey {
    let newest = evidence
        .records
        .iter()
        .map(|r| r.ran_at.unix_timestamp())
        .max()
        .unwrap_or(0);
    let verified = evidence
        .claims
        .iter()
        .filter_map(|c| {
            c.verified_at
                .map(|at| (c.host.clone(), at.unix_timestamp()))
        })
        .collect();
    let hour = time::OffsetDateTime::now_utc().unix_timestamp() / 3600;
    (newest, evidence.records.len(), verified, hour)
}

/// A strong ETag from the bytes themselves, so any change in rendering changes it.
pub fn etag_for(bytes: &[u8]) -> HeaderValue {
    let hex = ContentHash::of(bytes).hex();
    HeaderValue::from_str(&format!("\"{}\"", &hex[..32]))
        .unwrap_or(HeaderValue::from_static("\"0\""))
}
