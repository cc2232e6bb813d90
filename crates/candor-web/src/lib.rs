//! Candor's HTTP surface: the public trust pages, the JSON API, and the middleware
//! every response passes through (security headers, body cap, error envelope, access log).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use candor_store::SharedStore;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use serde_json::json;
use std::num::NonZeroU32;
use tokio::net::TcpListener;
use tower::{Service, ServiceBuilder};
use tower_http::csrf::CsrfLayer;
use tower_http::limit::RequestBodyLimitLayer;

pub mod access;
pub mod account;
pub mod admin;
pub mod api;
pub mod auth;
pub mod documents;
pub mod error;
pub mod feed;
pub mod headers;
pub mod hosts;
pub mod limits;
pub mod log;
pub mod manage;
pub mod markdown;
pub mod openapi;
pub mod page_error;
pub mod pages;
pub mod parsing;
pub mod privacy;
pub mod reports;
pub mod reset;
pub mod securitytxt;
pub mod subscribe;
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
    /// Let webhook subscribers name loopback or private addresses (tests, closed networks).
    pub allow_private_webhooks: bool,
    /// How the scanner reaches org hosts (to check a host-ownership proof).
    pub check_options: candor_verify::scan::ScanOptions,
    /// How often evidence checks run; a result older than twice this is stale.
    pub check_interval: Duration,
    /// Serve HTTPS directly with this certificate (TLS 1.2 and 1.3 only).
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            https: false,
            directory: false,
            body_limit: 1024 * 1024,
            revalidate_after: Duration::from_secs(1),
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
            check_options: candor_verify::scan::ScanOptions::default(),
            check_interval: Duration::from_secs(6 * 3600),
            tls: None,
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

#[derive(Clone)]
pub struct AppStateInner {
    pub store: SharedStore,
    pub pages: Arc<PageCache>,
    pub config: Arc<WebConfig>,
    pub limits: Arc<Limits>,
    /// Each org's OpenPGP key for security.txt, unsealed once and kept.
    pub openpgp_keys: Arc<
        std::sync::RwLock<
            std::collections::HashMap<candor_domain::OrgSlug, Arc<pgp::composed::SignedSecretKey>>,
        >,
    >,
    /// Rendered Atom feeds, per org and revision.
    pub feeds: Arc<feed::FeedCache>,
    /// The background worker, woken when there is something to send.
    pub worker: Option<candor_jobs::Worker>,
    /// Each org's checkpoint signer, unsealed once and kept.
    pub signers: Arc<
        std::sync::RwLock<
            std::collections::HashMap<candor_domain::OrgSlug, Arc<candor_log::note::NoteSigner>>,
        >,
    >,
}

/// Rate limits on what can be guessed or abused. In memory, per replica: a
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
        AppState(Arc::new(AppStateInner {
            store,
            pages: Arc::new(PageCache::new(config.revalidate_after)),
            limits: Arc::new(Limits::new(&config)),
            signers: Arc::default(),
            openpgp_keys: Arc::default(),
            feeds: Arc::default(),
            worker: None,
            config: Arc::new(config),
        }))
    }

    pub fn with_worker(mut self, worker: candor_jobs::Worker) -> AppState {
        Arc::make_mut(&mut self.0).worker = Some(worker);
        self
    }

    /// Asks the background worker (if this process runs one) to look for work now.
    pub fn wake_worker(&self) {
        if let Some(worker) = &self.worker {
            worker.wake();
        }
    }

    /// The org's display name, for mails; its slug if the directory cannot say.
    pub async fn org_name(&self, scope: &candor_store::OrgScope) -> String {
        match self.store.org_by_slug(scope.slug()).await {
            Ok(Some(org)) => org.name,
            _ => scope.slug().to_string(),
        }
    }

    /// An org that has published, with its latest revision, or the 404 page.
    pub async fn published_org(
        &self,
        slug: &str,
    ) -> Result<
        (
            candor_store::Org,
            candor_store::OrgScope,
            candor_domain::Revision,
        ),
        page_error::PageError,
    > {
        let not_found = || page_error::PageError::not_found("trust center");
        let slug: candor_domain::OrgSlug = slug.parse().map_err(|_| not_found())?;
        let found = async {
            let org = self.store.org_by_slug(&slug).await?;
            let scope = candor_store::scope_for(&*self.store, &slug).await?;
            let revision = match &scope {
                Some(scope) => self.store.latest_revision(scope).await?,
                None => None,
            };
            Ok::<_, candor_store::StoreError>((org, scope, revision))
        }
        .await;
        match found? {
            (Some(org), Some(scope), Some(revision)) => Ok((org, scope, revision)),
            _ => Err(not_found()),
        }
    }
}

const STYLESHEET: &str = include_str!("../static/candor.css");

pub fn router(state: AppState) -> Router {
    // Everything that reads or changes an org's private data: one guard in front.
    // Everything that reads or changes an org's private data: one guard in front.
    let mut guarded = Router::new()
        .route("/admin/orgs/{org}", get(admin::org_page))
        .route(
            "/admin/orgs/{org}/sections/{section}",
            get(admin::section_form).post(admin::section_save),
        )
        .route("/admin/orgs/{org}/preview", get(admin::preview))
        .route("/admin/orgs/{org}/publish", post(admin::publish))
        .route("/admin/orgs/{org}/audit", get(admin::audit))
        .route("/admin/orgs/{org}/subscribers", get(admin::subscribers))
        .route(
            "/admin/orgs/{org}/hosts",
            get(hosts::hosts).post(hosts::claim),
        )
        .route("/admin/orgs/{org}/hosts/{host}/verify", post(hosts::verify))
        .route("/admin/orgs/{org}/privacy", get(privacy::admin_privacy))
        .route(
            "/admin/orgs/{org}/privacy/export",
            post(privacy::admin_export_person),
        )
        .route(
            "/admin/orgs/{org}/privacy/erase",
            post(privacy::admin_erase_person),
        )
        .route("/admin/orgs/{org}/export", get(privacy::admin_export_org))
        .route("/admin/orgs/{org}/delete", post(privacy::admin_delete_org))
        .route("/admin/orgs/{org}/reports", get(reports::admin_reports))
        .route("/admin/orgs/{org}/reports/{id}", get(reports::admin_report))
        .route(
            "/admin/orgs/{org}/reports/{id}/acknowledge",
            post(reports::admin_acknowledge),
        )
        .route(
            "/admin/orgs/{org}/documents",
            get(documents::admin_documents),
        )
        .route(
            "/admin/orgs/{org}/documents/requests/{id}/{verdict}",
            post(documents::admin_decide),
        )
        .route(
            "/admin/orgs/{org}/members",
            get(admin::members).post(admin::set_member),
        )
        .route(
            "/admin/orgs/{org}/members/remove",
            post(admin::remove_member),
        )
        .route("/admin/orgs/{org}/invites", post(admin::invite))
        .route(
            "/admin/orgs/{org}/invites/{id}/revoke",
            post(admin::revoke_invite),
        )
        .route("/admin/orgs/{org}/leave", post(account::leave_org))
        .route(
            "/admin/orgs/{org}/tokens",
            get(admin::tokens).post(admin::create_token),
        )
        .route(
            "/admin/orgs/{org}/tokens/{id}/revoke",
            post(admin::revoke_token),
        );
    let mut public_api = Router::new();
    // File uploads get a larger body cap than everything else.
    let mut uploads = Router::new().route(
        "/admin/orgs/{org}/documents/{key}/file",
        post(documents::admin_upload),
    );
    for (route, handler) in openapi::api_routes() {
        if route.upload {
            uploads = uploads.route(route.path, handler);
        } else if route.action.is_some() {
            guarded = guarded.route(route.path, handler);
        } else {
            public_api = public_api.route(route.path, handler);
        }
    }
    let guarded = guarded.route_layer(middleware::from_fn_with_state(state.clone(), access::guard));
    let upload_cap = documents::UPLOAD_LIMIT + 64 * 1024;
    let uploads = uploads
        .route_layer(middleware::from_fn_with_state(state.clone(), access::guard))
        .layer(DefaultBodyLimit::max(upload_cap))
        .layer(RequestBodyLimitLayer::new(upload_cap));
    Router::new()
        .route("/", get(index))
        .route(
            "/.well-known/security.txt",
            get(securitytxt::host_security_txt),
        )
        .route(
            "/.well-known/openpgp-key.asc",
            get(securitytxt::host_openpgp_public_key),
        )
        .route(
            "/.well-known/researcher-key.asc",
            get(securitytxt::host_researcher_key),
        )
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/static/candor.css", get(stylesheet))
        .route("/admin", get(admin::home))
        .route("/admin/login", get(admin::login_form).post(admin::login))
        .route("/admin/logout", post(admin::logout))
        .route("/admin/logout-everywhere", post(admin::logout_everywhere))
        .route(
            "/admin/reset",
            get(reset::request_form).post(reset::request),
        )
        .route(
            "/admin/reset/{token}",
            get(reset::choose_form).post(reset::choose),
        )
        .route("/admin/account", get(account::account))
        .route("/admin/account/password", post(account::change_password))
        .route("/admin/account/delete", post(account::delete_account))
        .route(
            "/admin/invites/{org}/{secret}",
            get(admin::invite_form).post(admin::accept_invite),
        )
        .merge(guarded)
        .route("/{org}", get(pages::trust_page))
        .route("/{org}/", get(pages::without_trailing_slash))
        .route("/{org}/trust.json", get(pages::trust_json))
        .route("/{org}/evidence.json", get(pages::evidence_json))
        .route("/{org}/log/entries/{index}", get(log::entry))
        .route("/{org}/log/key", get(log::key))
        .route(
            "/{org}/.well-known/security.txt",
            get(securitytxt::security_txt),
        )
        .route(
            "/{org}/.well-known/openpgp-key.asc",
            get(securitytxt::openpgp_public_key),
        )
        .route(
            "/{org}/.well-known/researcher-key.asc",
            get(securitytxt::researcher_key),
        )
        .route("/{org}/documents/{key}", get(documents::document))
        .route("/{org}/documents/{key}/nda", post(documents::accept_nda))
        .route(
            "/{org}/documents/{key}/request",
            post(documents::request_access),
        )
        .route("/{org}/documents/{key}/download", get(documents::download))
        .route(
            "/{org}/report",
            get(reports::report_form).post(reports::submit_report),
        )
        .route("/{org}/feed.atom", get(feed::feed))
        .route("/{org}/subscribe", post(subscribe::subscribe))
        .route(
            "/{org}/subscription/confirm",
            get(subscribe::confirm_form).post(subscribe::confirm),
        )
        .route(
            "/{org}/subscription/unsubscribe",
            get(subscribe::unsubscribe_form).post(subscribe::unsubscribe),
        )
        .route("/{org}/subscription/data", get(privacy::subscriber_data))
        .route("/{org}/subscription/erase", post(privacy::subscriber_erase))
        .route(
            "/{org}/subscription/object",
            get(subscribe::object_form).post(subscribe::object),
        )
        .route("/{org}/log/checkpoint", get(log::checkpoint))
        .route("/{org}/log/proof/inclusion", get(log::inclusion))
        .route("/{org}/log/proof/consistency", get(log::consistency))
        .merge(public_api)
        .route(
            "/api/{*rest}",
            any(|| async { ApiError::for_status(StatusCode::NOT_FOUND) }),
        )
        .fallback(|| async { page_error::not_found_page("page at this address") })
        // Every route, present and future, gets the same cap (file uploads, merged
        // below, have their own); the envelope middleware turns the 413 into JSON
        // on API paths.
        .layer(
            ServiceBuilder::new()
                .layer(RequestBodyLimitLayer::new(state.config.body_limit))
                .layer(DefaultBodyLimit::max(state.config.body_limit)),
        )
        .merge(uploads)
        // One stack, applied once: axum wraps each `.layer` call around every
        // route in a box of its own, and clones every box on every request, so
        // separate calls cost an allocation each per request. Outermost first.
        .layer(
            ServiceBuilder::new()
                .layer(middleware::from_fn_with_state(state.clone(), headers::edge))
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    limits::limit_writes,
                ))
                // Cross-site form posts and fetches are refused (Fetch Metadata / Origin checks).
                .layer(CsrfLayer::new()),
        )
        .with_state(state)
}

async fn index(State(state): State<AppState>, headers: HeaderMap) -> page_error::PageResult {
    // On an org's own host name, the home page is its trust center.
    if let Some(host) = securitytxt::request_host(&headers)
        && let Ok(Some(org)) = state.store.org_by_host(&host).await
    {
        return Ok(axum::response::Redirect::to(&format!("/{}", org.slug)).into_response());
    }
    let orgs = if state.config.directory {
        state
            .store
            .list_orgs()
            .await?
            .into_iter()
            .map(|o| (o.slug.to_string(), o.name))
            .collect()
    } else {
        Vec::new()
    };
    Ok(Html((views::IndexPage { orgs }).render()?).into_response())
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
/// Serves until `shutdown` resolves, then stops accepting and lets in-flight
/// requests finish (for at most `drain_timeout`).
///
/// A hand-written accept loop rather than `axum::serve`, which installs no timer
/// in hyper, so its header-read timeout never fires and a client could hold a
/// connection open forever by sending headers slowly.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let config = state.config.clone();
    serve_router(
        listener,
        router(state),
        &config,
        config.tls.clone(),
        shutdown,
    )
    .await
}

/// Plain HTTP on `listener` that answers every request with a redirect to the
/// same host name and path over HTTPS on `https_port`, so that a browser (or a
/// scanner) typing the bare host name is sent to TLS first, as HSTS preloading
/// asks. Nothing else is served in the clear.
pub async fn serve_https_redirect(
    listener: TcpListener,
    https_port: u16,
    config: &WebConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let redirects =
        Router::new().fallback(move |headers: HeaderMap, uri: axum::http::Uri| async move {
            redirect_to_https(&headers, &uri, https_port)
        });
    serve_router(listener, redirects, config, None, shutdown).await
}

fn redirect_to_https(headers: &HeaderMap, uri: &axum::http::Uri, https_port: u16) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.parse::<axum::http::uri::Authority>().ok())
        .map(|a| a.host().to_owned())
        // Only host names and IP literals: never a Location built from junk.
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'))
        });
    let Some(host) = host else {
        return (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "this address only redirects to HTTPS, and needs a Host header to do so\n",
        )
            .into_response();
    };
    let authority = if https_port == 443 {
        host
    } else {
        format!("{host}:{https_port}")
    };
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    (
        StatusCode::MOVED_PERMANENTLY,
        [
            (header::LOCATION, format!("https://{authority}{path}")),
            (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_owned()),
        ],
        "moved to HTTPS\n",
    )
        .into_response()
}

/// The accept loop, for the site and for the HTTPS redirect alike.
async fn serve_router(
    listener: TcpListener,
    app: Router,
    config: &WebConfig,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut make_service = app.into_make_service_with_connect_info::<SocketAddr>();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let Ok(service) = make_service.call(peer).await;
        match &tls {
            None => {
                let connection =
                    http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    if let Err(e) = connection.await {
                        tracing::debug!(error = %e, "connection closed with an error");
                    }
                });
            }
            Some(tls) => {
                let acceptor = tokio_rustls::TlsAcceptor::from(tls.clone());
                let watcher = graceful.watcher();
                let http = http.clone();
                let handshake_timeout = config.header_read_timeout;
                tokio::spawn(async move {
                    // The handshake shares the header deadline: a silent client is dropped.
                    let stream = match tokio::time::timeout(
                        handshake_timeout,
                        acceptor.accept(stream),
                    )
                    .await
                    {
                        Ok(Ok(stream)) => stream,
                        Ok(Err(e)) => {
                            tracing::debug!(error = %e, "TLS handshake failed");
                            return;
                        }
                        Err(_) => return,
                    };
                    let connection = http
                        .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
                    if let Err(e) = watcher.watch(connection).await {
                        tracing::debug!(error = %e, "connection closed with an error");
                    }
                });
            }
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(config.drain_timeout) => {
            tracing::warn!("drain timeout reached with requests still in flight");
        }
    }
    Ok(())
}

/// A TLS configuration from PEM files: TLS 1.2 and 1.3 only (rustls offers no
/// older version), ring as the provider, HTTP/1.1.
pub fn tls_config(cert_pem: &[u8], key_pem: &[u8]) -> Result<Arc<rustls::ServerConfig>, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("certificate: {e}"))?;
    if certs.is_empty() {
        return Err("certificate: no PEM certificate found".into());
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| format!("key: {e}"))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| e.to_string())?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn location(host: Option<&str>, uri: &str, port: u16) -> (StatusCode, Option<String>) {
        let mut headers = HeaderMap::new();
        if let Some(host) = host {
            headers.insert(header::HOST, host.parse().unwrap());
        }
        let response = redirect_to_https(&headers, &uri.parse().unwrap(), port);
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|l| l.to_str().unwrap().to_owned());
        (response.status(), location)
    }

    #[test]
    fn plain_http_redirects_to_the_same_host_over_https() {
        assert_eq!(
            location(Some("trust.example.com"), "/acme?x=1", 443),
            (
                StatusCode::MOVED_PERMANENTLY,
                Some("https://trust.example.com/acme?x=1".into())
            )
        );
        // The plain-HTTP port is dropped; a non-default HTTPS port is named.
        assert_eq!(
            location(Some("trust.example.com:80"), "/", 8443)
                .1
                .as_deref(),
            Some("https://trust.example.com:8443/")
        );
        assert_eq!(
            location(Some("[::1]:8080"), "/x", 443).1.as_deref(),
            Some("https://[::1]/x")
        );
        // No Location is ever built from a missing or malformed Host.
        assert_eq!(location(None, "/", 443), (StatusCode::BAD_REQUEST, None));
        assert_eq!(
            location(Some("evil.example/x"), "/", 443),
            (StatusCode::BAD_REQUEST, None)
        );
    }
}
