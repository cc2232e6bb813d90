//! Prometheus metrics, served on a listener of their own (`--metrics-listen`),
//! never on the public site: what operators watch (requests by route and
//! status, latency, the page cache, publishing, the outbox, deliveries,
//! evidence checks, rate-limit refusals, the database pool).
//!
//! Label values come from bounded sets only: route templates (`/{org}/trust.json`,
//! never the path), methods, status codes, outcomes. Org slugs appear only when
//! the operator asks (`--metrics-per-org`), and then only for requests that
//! found something (not a 404), so junk paths cannot mint series.
//!
//! Until [`install`] runs, nothing is measured: the request path checks one
//! flag and skips the clock and the labels.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics::{Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

use candor_store::{SharedStore, scope_for};

use crate::page_cache::PageCache;
use crate::state::WebConfig;

use candor_app::metrics::*;

static ENABLED: AtomicBool = AtomicBool::new(false);
static PER_ORG: AtomicBool = AtomicBool::new(false);

/// Whether a recorder is installed (the request path skips everything if not).
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Installs the process-wide recorder (once per process) and starts its upkeep.
/// `per_org`: label requests and the outbox with the org's slug.
pub fn install(per_org: bool) -> Result<PrometheusHandle, String> {
    let latency = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ];
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_duration_seconds".into()), &latency)
        .map_err(|e| e.to_string())?
        .install_recorder()
        .map_err(|e| format!("installing the metrics recorder: {e}"))?;
    describe();
    PER_ORG.store(per_org, Ordering::Relaxed);
    ENABLED.store(true, Ordering::Relaxed);
    // Histograms keep raw samples until upkeep folds them into buckets.
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(5));
        loop {
            every.tick().await;
            upkeep.run_upkeep();
        }
    });
    Ok(handle)
}

fn describe() {
    describe_counter!(
        REQUESTS,
        "HTTP requests answered, by route template, method and status"
    );
    describe_histogram!(
        REQUEST_SECONDS,
        Unit::Seconds,
        "Time to answer an HTTP request, by route template"
    );
    describe_counter!(
        RATE_LIMITED,
        "Requests refused with 429 by a rate limit, by route template"
    );
    describe_counter!(
        PAGE_CACHE_LOOKUPS,
        "Trust page lookups: fresh (served from memory), stale (served from memory while revalidating), miss (rendered or asked the store)"
    );
    describe_gauge!(PAGE_CACHE_ENTRIES, "Trust pages held in memory");
    describe_counter!(
        PUBLISHES,
        "Publish attempts, by outcome (published, unchanged, no_draft, refused, held, error)"
    );
    describe_histogram!(
        PUBLISH_SECONDS,
        Unit::Seconds,
        "Time to publish a draft into a revision"
    );
    describe_gauge!(
        OUTBOX_PENDING,
        "Mails and webhooks queued and not yet delivered or given up"
    );
    describe_gauge!(
        OUTBOX_OLDEST,
        Unit::Seconds,
        "Age of the oldest message still queued (0 when none)"
    );
    describe_gauge!(
        DB_CONNECTIONS,
        "Database connections this process holds, by state (busy, idle)"
    );
    describe_gauge!(DB_MAX, "Most database connections this process may open");
    describe_counter!(
        DELIVERIES,
        "Delivery attempts of queued mails and webhooks, by channel and outcome (delivered, retry, failed, dropped)"
    );
    describe_counter!(
        EVIDENCE_CHECKS,
        "Evidence checks recorded, by check and verdict"
    );
}

/// A request's measurement, started before the handler runs.
pub struct RequestTimer {
    started: Instant,
    org: Option<String>,
}

impl RequestTimer {
    /// None when metrics are off: the request path then does no work at all.
    pub fn start(path: &str) -> Option<RequestTimer> {
        if !enabled() {
            return None;
        }
        let org = PER_ORG
            .load(Ordering::Relaxed)
            .then(|| path.trim_start_matches('/').split('/').next())
            .flatten()
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        Some(RequestTimer {
            started: Instant::now(),
            org,
        })
    }

    pub fn finish(self, route: &str, method: &Method, status: StatusCode) {
        let method = match *method {
            Method::GET => "GET",
            Method::HEAD => "HEAD",
            Method::POST => "POST",
            Method::PUT => "PUT",
            Method::PATCH => "PATCH",
            Method::DELETE => "DELETE",
            Method::OPTIONS => "OPTIONS",
            _ => "other",
        };
        let series = RouteSeries::of(route);
        series.latency.record(self.started.elapsed().as_secs_f64());
        if status == StatusCode::TOO_MANY_REQUESTS {
            series.refused.increment(1);
        }
        // An org label only where the route names an org and the org answered.
        match self
            .org
            .filter(|_| route.starts_with("/{org}") && status != StatusCode::NOT_FOUND)
        {
            Some(org) => counter!(
                REQUESTS,
                "route" => route.to_owned(),
                "method" => method,
                "status" => status.as_u16().to_string(),
                "org" => org
            )
            .increment(1),
            None => series.count(route, method, status),
        }
    }
}

/// One route's series, registered once: afterwards a request records with no
/// allocation and no registry lookup (registering labels per request cost
/// about a fifth of a cached page's CPU time; see BENCHMARKS.md).
struct RouteSeries {
    latency: metrics::Histogram,
    refused: metrics::Counter,
    requests: RwLock<HashMap<(&'static str, u16), metrics::Counter>>,
}

type RouteTable = RwLock<HashMap<Box<str>, Arc<RouteSeries>>>;
static ROUTES: LazyLock<RouteTable> = LazyLock::new(RouteTable::default);

impl RouteSeries {
    fn of(route: &str) -> Arc<RouteSeries> {
        if let Some(found) = ROUTES.read().ok().and_then(|t| t.get(route).cloned()) {
            return found;
        }
        let made = Arc::new(RouteSeries {
            latency: metrics::histogram!(REQUEST_SECONDS, "route" => route.to_owned()),
            refused: counter!(RATE_LIMITED, "route" => route.to_owned()),
            requests: RwLock::default(),
        });
        match ROUTES.write() {
            Ok(mut table) => table.entry(route.into()).or_insert(made).clone(),
            Err(_) => made,
        }
    }

    fn count(&self, route: &str, method: &'static str, status: StatusCode) {
        let key = (method, status.as_u16());
        if let Some(counter) = self.requests.read().ok().as_ref().and_then(|m| m.get(&key)) {
            counter.increment(1);
            return;
        }
        let counter = counter!(
            REQUESTS,
            "route" => route.to_owned(),
            "method" => method,
            "status" => status.as_u16().to_string()
        );
        counter.increment(1);
        if let Ok(mut map) = self.requests.write() {
            map.entry(key).or_insert(counter);
        }
    }
}

/// How a trust page was found: "fresh", "stale" or "miss".
pub fn page_cache_lookup(result: &'static str) {
    if enabled() {
        counter!(PAGE_CACHE_LOOKUPS, "result" => result).increment(1);
    }
}

/// A publish attempt's outcome and duration.
pub fn publish(outcome: &'static str, took: Duration) {
    if enabled() {
        counter!(PUBLISHES, "outcome" => outcome).increment(1);
        metrics::histogram!(PUBLISH_SECONDS).record(took.as_secs_f64());
    }
}

/// What the scrape endpoint reads at scrape time, besides the recorder.
#[derive(Clone)]
pub struct MetricsEndpoint {
    handle: PrometheusHandle,
    store: SharedStore,
    pages: Option<Arc<PageCache>>,
    outbox: Arc<Mutex<OutboxReading>>,
}

/// The outbox is read across every org, one query each; a scrape reuses a
/// reading younger than this, so frequent scrapers cost the database nothing more.
const OUTBOX_READING_TTL: Duration = Duration::from_secs(10);

#[derive(Default)]
struct OutboxReading {
    at: Option<Instant>,
}

impl MetricsEndpoint {
    pub fn new(
        handle: PrometheusHandle,
        store: SharedStore,
        pages: Option<Arc<PageCache>>,
    ) -> MetricsEndpoint {
        MetricsEndpoint {
            handle,
            store,
            pages,
            outbox: Arc::new(Mutex::new(OutboxReading::default())),
        }
    }

    async fn render(&self) -> String {
        let pool = self.store.pool_stats();
        gauge!(DB_CONNECTIONS, "state" => "busy")
            .set(f64::from(pool.open.saturating_sub(pool.idle)));
        gauge!(DB_CONNECTIONS, "state" => "idle").set(f64::from(pool.idle));
        gauge!(DB_MAX).set(f64::from(pool.max));
        if let Some(pages) = &self.pages {
            gauge!(PAGE_CACHE_ENTRIES).set(pages.len() as f64);
        }
        self.read_outbox().await;
        self.handle.render()
    }

    async fn read_outbox(&self) {
        let due = self
            .outbox
            .lock()
            .map(|r| r.at.is_none_or(|at| at.elapsed() >= OUTBOX_READING_TTL))
            .unwrap_or(true);
        if !due {
            return;
        }
        let now = time::OffsetDateTime::now_utc();
        let per_org = PER_ORG.load(Ordering::Relaxed);
        let mut pending = 0u64;
        let mut oldest: Option<time::OffsetDateTime> = None;
        let orgs = match self.store.list_orgs().await {
            Ok(orgs) => orgs,
            Err(e) => {
                tracing::warn!(error = %e, "metrics: listing orgs failed");
                return;
            }
        };
        for org in orgs {
            let Ok(Some(scope)) = scope_for(&*self.store, &org.slug).await else {
                continue;
            };
            let stats = match self.store.outbox_stats(&scope).await {
                Ok(stats) => stats,
                Err(e) => {
                    tracing::warn!(error = %e, "metrics: reading the outbox failed");
                    return;
                }
            };
            pending += stats.pending;
            oldest = match (oldest, stats.oldest_pending_at) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if per_org {
                gauge!(OUTBOX_PENDING, "org" => org.slug.to_string()).set(stats.pending as f64);
            }
        }
        if !per_org {
            gauge!(OUTBOX_PENDING).set(pending as f64);
        }
        let age = oldest.map_or(0.0, |t| (now - t).as_seconds_f64().max(0.0));
        gauge!(OUTBOX_OLDEST).set(age);
        if let Ok(mut reading) = self.outbox.lock() {
            reading.at = Some(Instant::now());
        }
    }
}

/// Serves `GET /metrics` (Prometheus text format) until `shutdown` resolves.
pub async fn serve_metrics(
    listener: TcpListener,
    endpoint: MetricsEndpoint,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = Router::new()
        .route("/metrics", get(scrape))
        .with_state(endpoint);
    crate::server::serve_router(listener, app, &WebConfig::default(), None, shutdown).await
}

async fn scrape(State(endpoint): State<MetricsEndpoint>) -> Response {
    let body = endpoint.render().await;
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}
