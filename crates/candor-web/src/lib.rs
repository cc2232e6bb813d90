//! Candor's HTTP surface: the public trust pages, the JSON API, and the middleware
//! every response passes through (security headers, body cap, error envelope, access log).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use candor_store::SharedStore;
use serde_json::json;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;

pub mod api;
pub mod error;
pub mod headers;
pub mod pages;
pub mod views;

use error::ApiError;
use pages::PageCache;

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
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            https: false,
            directory: false,
            body_limit: 1024 * 1024,
            revalidate_after: Duration::from_secs(1),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: SharedStore,
    pub pages: Arc<PageCache>,
    pub config: Arc<WebConfig>,
}

impl AppState {
    pub fn new(store: SharedStore, config: WebConfig) -> AppState {
        AppState {
            store,
            pages: Arc::new(PageCache::new(config.revalidate_after)),
            config: Arc::new(config),
        }
    }
}

const STYLESHEET: &str = include_str!("../static/candor.css");

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/validate", post(api::validate))
        .route("/orgs/{org}/revisions", get(api::revisions))
        .route("/orgs/{org}/revisions/{number}", get(api::revision))
        .route("/orgs/{org}/diff", get(api::revision_diff))
        .fallback(|| async { ApiError::for_status(StatusCode::NOT_FOUND) });
    Router::new()
        .route("/", get(index))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/static/candor.css", get(stylesheet))
        .route("/{org}", get(pages::trust_page))
        .route("/{org}/", get(pages::without_trailing_slash))
        .route("/{org}/trust.json", get(pages::trust_json))
        .nest("/api/v1", api)
        .fallback(|| async { pages::not_found_page("page at this address") })
        // Every route, present and future, gets the same cap; the envelope
        // middleware turns the 413 into JSON on API paths.
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .layer(RequestBodyLimitLayer::new(state.config.body_limit))
        .layer(middleware::from_fn(headers::api_error_envelope))
        .layer(middleware::from_fn(access_log))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            headers::security_headers,
        ))
        .with_state(state)
}

async fn index(State(state): State<AppState>) -> Response {
    let orgs = if state.config.directory {
        match state.store.list_orgs().await {
            Ok(orgs) => orgs
                .into_iter()
                .map(|o| (o.slug.to_string(), o.name))
                .collect(),
            Err(e) => return ApiError::from(e).into_response(),
        }
    } else {
        Vec::new()
    };
    match (views::IndexPage { orgs }).render() {
        Ok(html) => Html(html).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Liveness: the process is up and serving.
async fn healthz() -> impl IntoResponse {
    Json(json!({"status": "ok"}))
}

/// Readiness: the database answers.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => {
            Json(json!({"status": "ready", "database": state.store.backend()})).into_response()
        }
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "not_ready",
                "the database is not reachable",
            )
            .into_response()
        }
    }
}

async fn stylesheet(headers: HeaderMap) -> Response {
    static ETAG: std::sync::LazyLock<HeaderValue> =
        std::sync::LazyLock::new(|| pages::etag_for(STYLESHEET.as_bytes()));
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == ETAG.as_bytes());
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
            STYLESHEET,
        )
            .into_response()
    };
    response.headers_mut().insert(header::ETAG, ETAG.clone());
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}

/// One structured line per request: method, route template, status, duration.
/// Never the raw URI, query string, headers or client address.
async fn access_log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    if response.status().is_server_error() {
        tracing::error!(%method, route, status, micros, "request");
    } else {
        tracing::info!(%method, route, status, micros, "request");
    }
    response
}

/// Serves until `shutdown` resolves, then stops accepting and lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
