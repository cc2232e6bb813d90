//! The public trust page and its JSON twin, rendered once per revision and
//! served from memory.
//!
//! A rendered page is cached per org together with the revision number it shows.
//! After `revalidate_after` the next request asks the store (cheaply) for the latest
//! revision number and re-renders only if it changed, so several stateless replicas
//! pick up a publish made anywhere within that interval.
//!
//! The cache needs only the store (passed to [`PageCache::lookup`]) and what it
//! was built with: the revalidation interval, the evidence-check interval and
//! the log keys. Each lookup reads the evidence at most once: the same records
//! decide whether a page is still current and fill the page that replaces it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use askama::Template;
use axum::body::Bytes;
use axum::http::HeaderValue;
use candor_domain::types::Day;
use candor_domain::{ContentHash, OrgSlug, Revision, canonical_json};
use candor_store::evidence::{EvidenceRecord, HostClaim};
use candor_store::{OrgScope, Store, StoreError, scope_for};

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
    pub json: Bytes,
    pub json_etag: HeaderValue,
    /// The witnesses this revision lists, whom checkpoints are submitted to.
    pub witnesses: Vec<candor_domain::model::Witness>,
    /// Milliseconds since the cache's epoch when the store was last asked.
    checked_ms: AtomicU64,
}

pub struct PageCache {
    epoch: Instant,
    revalidate_after: Duration,
    /// How often evidence checks run: a result older than twice this is stale.
    check_interval: Duration,
    /// The log signer, whose verifier key the page prints.
    log_keys: LogKeys,
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
    pub fn new(
        revalidate_after: Duration,
        check_interval: Duration,
        log_keys: LogKeys,
    ) -> PageCache {
        PageCache {
            epoch: Instant::now(),
            revalidate_after,
            check_interval,
            log_keys,
            entries: RwLock::new(HashMap::new()),
        }
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

    /// The org's page: from memory while fresh, else after asking the store
    /// whether it is still current, else rendered anew.
    pub async fn lookup(&self, store: &dyn Store, slug: &str) -> Result<Lookup, StoreError> {
        let Ok(slug) = slug.parse::<OrgSlug>() else {
            return Ok(Lookup::Unknown);
        };
        let cached = self.cached(&slug);
        let now = self.now_ms();
        let fresh_for = u64::try_from(self.revalidate_after.as_millis()).unwrap_or(u64::MAX);
        if let Some(page) = &cached
            && now.saturating_sub(page.checked_ms.load(Ordering::Relaxed)) < fresh_for
            && page.day == today()
        {
            return Ok(Lookup::Found(page.clone()));
        }
        let Some(scope) = scope_for(store, &slug).await? else {
            self.invalidate(&slug);
            return Ok(Lookup::Unknown);
        };
        // With a page in memory, the cheap question first: is it still the latest?
        let mut evidence = None;
        let revision = match cached {
            Some(page) => {
                let Some(latest) = store.latest_revision_summary(&scope).await? else {
                    return unpublished(store, &slug).await;
                };
                if page.number == latest.number && page.day == today() {
                    let Some(key) = &page.evidence_key else {
                        page.checked_ms.store(now, Ordering::Relaxed);
                        return Ok(Lookup::Found(page));
                    };
                    let current = Evidence::read(store, &scope).await?;
                    if current.key() == *key {
                        page.checked_ms.store(now, Ordering::Relaxed);
                        return Ok(Lookup::Found(page));
                    }
                    evidence = Some(current);
                }
                store.revision(&scope, latest.number).await?
            }
            None => match store.latest_revision(&scope).await? {
                Some(revision) => Some(revision),
                None => return unpublished(store, &slug).await,
            },
        };
        let Some(revision) = revision else {
            return Ok(Lookup::Unknown);
        };
        let has_checks = revision
            .content
            .controls
            .iter()
            .any(|c| !c.checks.is_empty());
        let evidence = match (has_checks, evidence) {
            (false, _) => None,
            (true, Some(read)) => Some(read),
            (true, None) => Some(Evidence::read(store, &scope).await?),
        };
        let log = self.log_view(store, &scope, revision.number).await?;
        let page = Arc::new(self.render(&slug, &revision, log, now, evidence.as_ref())?);
        if let Ok(mut entries) = self.entries.write() {
            entries.insert(slug, page.clone());
        }
        Ok(Lookup::Found(page))
    }

    /// What the page says about the transparency log: the verifier key (when
    /// the server signs checkpoints) and the root at this revision.
    async fn log_view(
        &self,
        store: &dyn Store,
        scope: &OrgScope,
        number: u64,
    ) -> Result<LogView, StoreError> {
        let (key, retired) = match self.log_keys.master() {
            Some(master) => match self.log_key_and_history(store, scope, master).await {
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
        let root = candor_store::log::log_root(store, scope, number).await?;
        Ok(LogView {
            key,
            retired,
            root: base64::Engine::encode(&base64::engine::general_purpose::STANDARD, root),
        })
    }

    /// The log's current verifier key and the keys it replaced, oldest first
    /// (the generation is read once for both).
    async fn log_key_and_history(
        &self,
        store: &dyn Store,
        scope: &OrgScope,
        master: &candor_store::keys::MasterKey,
    ) -> Result<(Option<String>, Vec<String>), StoreError> {
        let generation = candor_store::log::log_key_generation(store, scope).await?;
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
        revision: &Revision,
        log: LogView,
        now_ms: u64,
        evidence: Option<&Evidence>,
    ) -> Result<Rendered, StoreError> {
        let day = today();
        let mut page = TrustPage::new(slug.as_str(), revision, day);
        page.log_key = log.key;
        page.retired_log_keys = log.retired;
        page.log_root = Some(log.root);
        if let Some(evidence) = evidence {
            attach_evidence(
                &mut page,
                &evidence.records,
                &evidence.verified_hosts(),
                time::OffsetDateTime::now_utc(),
                self.check_interval,
            );
        }
        let html = page
            .render()
            .map_err(|e| StoreError::Render(format!("{slug}: {e}")))?;
        // The whole document is canonical JSON, so `content` can be hashed as served.
        let json = canonical_json(&revision.document(slug.as_str()));
        Ok(Rendered {
            number: revision.number,
            day,
            evidence_key: evidence.map(Evidence::key),
            html_etag: etag_for(html.as_bytes()),
            html: Bytes::from(html),
            json_etag: etag_for(&json),
            json: Bytes::from(json),
            witnesses: revision.content.witnesses.clone(),
            checked_ms: AtomicU64::new(now_ms),
        })
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
}

/// What the evidence shown depends on: the newest run and the number of
/// results, which hosts are verified (a host whose proof is gone shows "not
/// verified" without any new run), and the hour, so results going stale show.
type EvidenceKey = (i64, usize, Vec<(String, i64)>, i64);

/// The org's evidence results and host claims, read once per lookup.
struct Evidence {
    records: Vec<EvidenceRecord>,
    claims: Vec<HostClaim>,
}

impl Evidence {
    async fn read(store: &dyn Store, scope: &OrgScope) -> Result<Evidence, StoreError> {
        Ok(Evidence {
            records: store.evidence(scope).await?,
            claims: store.host_claims(scope).await?,
        })
    }

    fn key(&self) -> EvidenceKey {
        let newest = self
            .records
            .iter()
            .map(|r| r.ran_at.unix_timestamp())
            .max()
            .unwrap_or(0);
        let verified = self
            .claims
            .iter()
            .filter_map(|c| {
                c.verified_at
                    .map(|at| (c.host.clone(), at.unix_timestamp()))
            })
            .collect();
        let hour = time::OffsetDateTime::now_utc().unix_timestamp() / 3600;
        (newest, self.records.len(), verified, hour)
    }

    fn verified_hosts(&self) -> Vec<String> {
        self.claims
            .iter()
            .filter(|c| c.verified_at.is_some())
            .map(|c| c.host.clone())
            .collect()
    }
}

/// A strong ETag from the bytes themselves, so any change in rendering changes it.
pub fn etag_for(bytes: &[u8]) -> HeaderValue {
    let hex = ContentHash::of(bytes).hex();
    HeaderValue::from_str(&format!("\"{}\"", &hex[..32]))
        .unwrap_or(HeaderValue::from_static("\"0\""))
}
