//! Privacy-preserving analytics: per org and UTC day, how many page views,
//! document views and downloads, and access requests, with the referrer's host
//! for page views. Nothing else is looked at: no address, no cookie, no user
//! agent, no path beyond which org and which kind of request.
//!
//! Requests only increment a counter in memory (one short lock); a task adds
//! the counts to the database every [`FLUSH_EVERY`] (replicas add theirs, so
//! the sums are right), and the admin's analytics page flushes first, so it is
//! current for the replica it is served by. Counts not yet flushed when a
//! process dies are lost: at most one interval's worth.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use axum::http::{HeaderMap, header};
use candor_domain::OrgSlug;
use candor_store::analytics::{DailyCount, Metric};
use candor_store::{SharedStore, scope_for};

/// How often counts go to the database.
pub const FLUSH_EVERY: Duration = Duration::from_secs(60);

/// Distinct referrer hosts kept per org between flushes; past it, further new
/// ones are counted under "other" (a client can send any Referer it likes).
const REFERRERS_PER_FLUSH: usize = 200;

/// The host name a count is filed under when the referrer list is full.
pub const OTHER_REFERRERS: &str = "other";

type Key = (String, Metric, String);

#[derive(Default)]
pub struct Counter {
    counts: Mutex<HashMap<String, HashMap<Key, u64>>>,
}

impl Counter {
    /// Counts one `metric` for `org` now, under the referrer's host (page
    /// views) or none.
    pub fn count(&self, org: &str, metric: Metric, referrer: Option<String>) {
        let day = today();
        let Ok(mut counts) = self.counts.lock() else {
            return;
        };
        let org_counts = match counts.get_mut(org) {
            Some(c) => c,
            None => counts.entry(org.to_owned()).or_default(),
        };
        let mut referrer = referrer.unwrap_or_default();
        if !referrer.is_empty()
            && !org_counts.contains_key(&(day.clone(), metric, referrer.clone()))
            && org_counts.keys().filter(|(_, _, r)| !r.is_empty()).count() >= REFERRERS_PER_FLUSH
        {
            referrer = OTHER_REFERRERS.to_owned();
        }
        *org_counts.entry((day, metric, referrer)).or_default() += 1;
    }

    /// Takes what was counted for every org (or one), leaving nothing behind.
    fn take(&self, only: Option<&str>) -> Vec<(String, Vec<DailyCount>)> {
        let Ok(mut counts) = self.counts.lock() else {
            return Vec::new();
        };
        let taken: Vec<(String, HashMap<Key, u64>)> = match only {
            Some(org) => counts.remove_entry(org).into_iter().collect(),
            None => counts.drain().collect(),
        };
        taken
            .into_iter()
            .map(|(org, map)| {
                let list = map
                    .into_iter()
                    .map(|((day, metric, referrer), count)| DailyCount {
                        day,
                        metric,
                        referrer,
                        count,
                    })
                    .collect();
                (org, list)
            })
            .collect()
    }

    /// Adds what was counted (for every org, or one) to the database. Counts
    /// that cannot be stored are put back, to go with the next flush.
    pub async fn flush(&self, store: &SharedStore, only: Option<&str>) {
        for (org, counts) in self.take(only) {
            let Ok(slug) = org.parse::<OrgSlug>() else {
                continue;
            };
            let stored = match scope_for(&**store, &slug).await {
                Ok(Some(scope)) => store.add_counts(&scope, &counts).await.is_ok(),
                // The org is gone: its counts go with it.
                Ok(None) => true,
                Err(_) => false,
            };
            if !stored {
                tracing::warn!("analytics counts not stored; kept for the next flush");
                if let Ok(mut map) = self.counts.lock() {
                    let entry = map.entry(org).or_default();
                    for c in counts {
                        *entry.entry((c.day, c.metric, c.referrer)).or_default() += c.count;
                    }
                }
            }
        }
    }

    /// Flushes every [`FLUSH_EVERY`] until aborted.
    pub fn flush_periodically(
        self: &std::sync::Arc<Self>,
        store: SharedStore,
    ) -> tokio::task::JoinHandle<()> {
        let counter = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(FLUSH_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tick.tick().await;
                counter.flush(&store, None).await;
            }
        })
    }
}

fn today() -> String {
    let date = time::OffsetDateTime::now_utc().date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The host of the `Referer` header, lowercased; nothing of its path or
/// query is kept. None when absent or not an http(s) URL with a host.
pub fn referrer_host(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::REFERER)?.to_str().ok()?;
    let url = url::Url::parse(value).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    (host.len() <= 253).then_some(host)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn only_the_referrers_host_is_kept() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::REFERER,
            "https://News.Example/story?id=42&email=a@b.example"
                .parse()
                .unwrap(),
        );
        assert_eq!(referrer_host(&headers).as_deref(), Some("news.example"));
        headers.insert(header::REFERER, "android-app://x".parse().unwrap());
        assert_eq!(referrer_host(&headers), None);
        assert_eq!(referrer_host(&HeaderMap::new()), None);
    }

    #[test]
    fn counts_add_up_and_too_many_referrers_fold_into_other() {
        let counter = Counter::default();
        let org = "acme";
        for i in 0..(REFERRERS_PER_FLUSH + 5) {
            counter.count(org, Metric::PageView, Some(format!("site{i}.example")));
        }
        counter.count(org, Metric::PageView, Some("site0.example".into()));
        counter.count(org, Metric::DocumentDownload, None);
        let taken = counter.take(None);
        let counts = &taken[0].1;
        let of = |referrer: &str| {
            counts
                .iter()
                .find(|c| c.referrer == referrer && c.metric == Metric::PageView)
                .map_or(0, |c| c.count)
        };
        assert_eq!(of("site0.example"), 2);
        assert_eq!(of(OTHER_REFERRERS), 5);
        assert!(
            counts
                .iter()
                .any(|c| c.metric == Metric::DocumentDownload && c.count == 1)
        );
        assert!(counter.take(None).is_empty(), "taken once");
    }
}
