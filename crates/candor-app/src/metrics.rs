//! The names of Candor's Prometheus series, in one place for every crate that
//! records one (the web layer serves and describes them all).

pub const REQUESTS: &str = "candor_http_requests_total";
pub const REQUEST_SECONDS: &str = "candor_http_request_duration_seconds";
pub const RATE_LIMITED: &str = "candor_rate_limit_refusals_total";
pub const PAGE_CACHE_LOOKUPS: &str = "candor_page_cache_lookups_total";
pub const PAGE_CACHE_ENTRIES: &str = "candor_page_cache_entries";
pub const PUBLISHES: &str = "candor_publishes_total";
pub const PUBLISH_SECONDS: &str = "candor_publish_duration_seconds";
pub const OUTBOX_PENDING: &str = "candor_outbox_pending_messages";
pub const OUTBOX_OLDEST: &str = "candor_outbox_oldest_pending_age_seconds";
pub const DB_CONNECTIONS: &str = "candor_db_pool_connections";
pub const DB_MAX: &str = "candor_db_pool_max_connections";
/// Recorded by the worker: one per delivery attempt, by channel and outcome.
pub const DELIVERIES: &str = "candor_deliveries_total";
/// Recorded by the worker: one per evidence record, by check and verdict.
pub const EVIDENCE_CHECKS: &str = "candor_evidence_checks_total";
