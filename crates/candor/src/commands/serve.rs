//! `candor serve` and `candor worker`: the server, the background worker, and
//! the outbound settings both take.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use candor_store::SharedStore;
use tokio_util::sync::CancellationToken;

use super::keys::load_master_key;
use crate::cli::{AcmeArgs, MetricsArgs, Outbound, Rates, ServeArgs};
use crate::demo;

pub(super) async fn run(store: SharedStore, args: ServeArgs) -> Result<ExitCode> {
    let ServeArgs {
        listen,
        demo,
        https,
        master_key_file,
        log_host,
        no_worker,
        page_cache_entries,
        page_revalidate_ms,
        tls_cert,
        tls_key,
        http_redirect_listen,
        acme,
        outbound,
        rates,
        metrics,
    } = args;
    let master = load_master_key(&master_key_file)?;
    let tls = match (tls_cert, tls_key) {
        (Some(cert), Some(key)) => {
            let read =
                |p: &PathBuf| std::fs::read(p).with_context(|| format!("reading {}", p.display()));
            Some(candor_web::tls_config(&read(&cert)?, &read(&key)?).map_err(anyhow::Error::msg)?)
        }
        _ => None,
    };
    if http_redirect_listen.is_some() && tls.is_none() && acme.acme_directory.is_none() {
        bail!(
            "--http-redirect-listen needs --tls-cert or --acme-directory: it redirects to Candor's own HTTPS"
        );
    }
    serve(
        store,
        &listen,
        ServeOptions {
            demo,
            https: https || tls.is_some() || acme.acme_directory.is_some(),
            tls,
            acme,
            http_redirect_listen,
            master,
            log_host,
            worker: !no_worker,
            page_cache_entries,
            page_revalidate: std::time::Duration::from_millis(page_revalidate_ms),
            outbound,
            rates,
            metrics,
        },
    )
    .await
}

pub(super) async fn worker(
    store: SharedStore,
    master_key_file: PathBuf,
    outbound: Outbound,
    metrics: MetricsArgs,
) -> Result<ExitCode> {
    let master = Arc::new(load_master_key(&master_key_file)?);
    let public_url = outbound.public_url("127.0.0.1:8080", "http")?;
    let stop = CancellationToken::new();
    let signal = shutdown_signal();
    let metrics_task = serve_metrics(&metrics, store.clone(), None, &stop).await?;
    let worker = outbound.worker(store, Some(master), public_url)?;
    let trigger = stop.clone();
    tokio::spawn(async move {
        signal.await;
        trigger.cancel();
    });
    tracing::info!("worker running");
    worker.run(stop.clone()).await;
    stop.cancel();
    if let Some(task) = metrics_task {
        let _ = task.await;
    }
    Ok(ExitCode::SUCCESS)
}

struct ServeOptions {
    demo: bool,
    https: bool,
    tls: Option<Arc<rustls::ServerConfig>>,
    acme: AcmeArgs,
    http_redirect_listen: Option<String>,
    master: candor_store::keys::MasterKey,
    log_host: String,
    worker: bool,
    page_cache_entries: usize,
    page_revalidate: std::time::Duration,
    outbound: Outbound,
    rates: Rates,
    metrics: MetricsArgs,
}

/// With `--metrics-listen`: installs the recorder and serves `/metrics` until
/// `stop` is cancelled.
async fn serve_metrics(
    args: &MetricsArgs,
    store: SharedStore,
    pages: Option<Arc<candor_web::page_cache::PageCache>>,
    stop: &CancellationToken,
) -> Result<Option<tokio::task::JoinHandle<std::io::Result<()>>>> {
    let Some(listen) = &args.metrics_listen else {
        return Ok(None);
    };
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening for metrics on {listen}"))?;
    let addr = listener.local_addr()?;
    let handle = candor_web::metrics::install(args.metrics_per_org).map_err(anyhow::Error::msg)?;
    let endpoint = candor_web::metrics::MetricsEndpoint::new(handle, store, pages);
    let stopped = stop.clone();
    let task = tokio::spawn(candor_web::metrics::serve_metrics(
        listener,
        endpoint,
        async move { stopped.cancelled().await },
    ));
    eprintln!("candor: metrics on http://{addr}/metrics");
    Ok(Some(task))
}

async fn serve(store: SharedStore, listen: &str, options: ServeOptions) -> Result<ExitCode> {
    let signal = shutdown_signal();
    if options.demo {
        demo::load(&store, &options.master)
            .await
            .context("loading demo content")?;
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    let acme_on = options.acme.acme_directory.is_some();
    let scheme = if options.tls.is_some() || acme_on {
        "https"
    } else {
        "http"
    };
    let public_url = options.outbound.public_url(&addr.to_string(), scheme)?;
    // Where browsers reach HTTPS: the public URL's port, which differs from the
    // bound one behind port mapping.
    let https_port = public_url.port_or_known_default().unwrap_or(addr.port());
    let master = Arc::new(options.master);
    let stop = CancellationToken::new();
    let (tls, acme_task) = match &options.acme.acme_directory {
        Some(directory) => {
            let (tls, task) = start_acme(
                &options.acme,
                directory,
                &public_url,
                &store,
                &master,
                &stop,
            )?;
            (Some(tls), Some(task))
        }
        None => (options.tls.clone(), None),
    };
    let config = candor_web::WebConfig {
        https: options.https,
        directory: options.demo,
        master_key: Some(master.clone()),
        log_host: options.log_host,
        public_url: public_url.clone(),
        allow_private_webhooks: options.outbound.allow_private_webhooks,
        witness_refresh: std::time::Duration::from_secs(options.outbound.witness_refresh_seconds),
        check_options: options.outbound.scan_options()?,
        check_interval: options.outbound.check_interval(),
        tls,
        acme_directory: options
            .acme
            .acme_directory
            .as_ref()
            .map(url::Url::to_string),
        login_attempts_per_minute: options.rates.login_attempts_per_minute,
        public_forms_per_minute: options.rates.public_forms_per_minute,
        writes_per_minute: options.rates.writes_per_minute,
        account_writes_per_minute: options.rates.account_writes_per_minute,
        page_cache_entries: options.page_cache_entries,
        revalidate_after: options.page_revalidate,
        ..Default::default()
    };
    let mut state = candor_web::AppState::new(store.clone(), config);
    let metrics_task = serve_metrics(
        &options.metrics,
        store.clone(),
        Some(state.pages.clone()),
        &stop,
    )
    .await?;
    let mut worker_task = None;
    if options.worker {
        let worker = options
            .outbound
            .worker(store.clone(), Some(master), public_url)?;
        state = state.with_worker(Arc::new(worker.clone()));
        worker_task = Some(tokio::spawn(worker.run(stop.clone())));
    }
    let mut redirect_task = None;
    if let Some(redirect_listen) = &options.http_redirect_listen {
        let redirect_listener = tokio::net::TcpListener::bind(redirect_listen)
            .await
            .with_context(|| format!("listening on {redirect_listen}"))?;
        let redirect_addr = redirect_listener.local_addr()?;
        let web_config = state.config.clone();
        let stopped = stop.clone();
        let redirect_store = store.clone();
        redirect_task = Some(tokio::spawn(async move {
            candor_web::serve_https_redirect(
                redirect_listener,
                https_port,
                &web_config,
                redirect_store,
                async move {
                    stopped.cancelled().await;
                },
            )
            .await
        }));
        eprintln!("candor: redirecting http://{redirect_addr}/ to https on port {https_port}");
    }
    tracing::info!(%addr, "candor is serving");
    eprintln!("candor: serving on {scheme}://{addr}/");
    let trigger = stop.clone();
    candor_web::serve(listener, state, async move {
        signal.await;
        // The worker stops claiming while the server drains its requests.
        trigger.cancel();
    })
    .await?;
    stop.cancel();
    if let Some(task) = worker_task {
        let _ = task.await;
    }
    if let Some(task) = redirect_task {
        let _ = task.await;
    }
    if let Some(task) = acme_task {
        let _ = task.await;
    }
    if let Some(task) = metrics_task {
        let _ = task.await;
    }
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// With --acme-directory: the TLS configuration serving the certificates the
/// store holds (by SNI), and the task that obtains and renews them.
fn start_acme(
    args: &AcmeArgs,
    directory: &url::Url,
    public_url: &url::Url,
    store: &SharedStore,
    master: &Arc<candor_store::keys::MasterKey>,
    stop: &CancellationToken,
) -> Result<(Arc<rustls::ServerConfig>, tokio::task::JoinHandle<()>)> {
    // CAs issue for DNS names only: an IP address or localhost gets no certificate.
    let own_host = match public_url.host() {
        Some(url::Host::Domain(name)) if name != "localhost" => Some(name.to_ascii_lowercase()),
        _ => {
            tracing::warn!(%public_url, "--public-url has no DNS name: no certificate for the server's own host");
            None
        }
    };
    let mut config = candor_acme::AcmeConfig::new(directory.to_string());
    config.contact = args
        .acme_email
        .iter()
        .map(|e| format!("mailto:{e}"))
        .collect();
    config.ca_file = args.acme_ca_file.clone();
    config.own_host = own_host.clone();
    config.pass_interval = std::time::Duration::from_secs(args.acme_pass_seconds.max(1));
    config.retry_after = std::time::Duration::from_secs(args.acme_retry_seconds.max(1));
    let certs = Arc::new(candor_acme::CertificateSet::new(own_host));
    let tls = candor_web::tls_config_resolving(certs.clone()).map_err(anyhow::Error::msg)?;
    let manager = Arc::new(candor_acme::Manager::new(
        store.clone(),
        master.clone(),
        config,
        certs,
    ));
    let task = tokio::spawn(manager.run(stop.clone()));
    eprintln!("candor: certificates from {directory}");
    Ok((tls, task))
}

/// Resolves on SIGTERM or Ctrl-C. SIGTERM is caught from this call on, not
/// from the first poll: a process that says it is up must already stop
/// gracefully when told to.
pub(super) fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let term = async {
            match term {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            () = ctrl_c => {},
            () = term => {},
        }
        tracing::info!("shutdown requested; finishing in-flight requests");
    }
}

impl Outbound {
    fn scan_options(&self) -> Result<candor_verify::scan::ScanOptions> {
        let mut options = candor_verify::scan::ScanOptions {
            allow_private: self.allow_private_checks,
            ..Default::default()
        };
        if let Some(path) = &self.check_ca_file {
            options
                .extra_roots
                .push(std::fs::read(path).with_context(|| format!("reading {}", path.display()))?);
        }
        for entry in &self.check_resolve {
            let (host, addr) = entry
                .split_once('=')
                .ok_or_else(|| anyhow!("--check-resolve {entry:?}: want HOST=IP:PORT"))?;
            let addr = addr
                .parse()
                .map_err(|_| anyhow!("--check-resolve {entry:?}: {addr} is not IP:PORT"))?;
            options.resolve.push((host.to_ascii_lowercase(), addr));
        }
        options.dns_server = self.check_dns_server;
        Ok(options)
    }

    fn check_interval(&self) -> std::time::Duration {
        std::time::Duration::from_secs_f64(self.check_interval_minutes * 60.0)
    }

    fn public_url(&self, listen: &str, scheme: &str) -> Result<url::Url> {
        match &self.public_url {
            Some(url) => Ok(url.clone()),
            None => url::Url::parse(&format!("{scheme}://{listen}/"))
                .with_context(|| format!("no --public-url, and {scheme}://{listen}/ is not a URL")),
        }
    }

    fn worker(
        &self,
        store: SharedStore,
        master: Option<Arc<candor_store::keys::MasterKey>>,
        public_url: url::Url,
    ) -> Result<candor_jobs::Worker> {
        let host = public_url.host_str().unwrap_or("localhost").to_owned();
        let mailer = match &self.smtp_url {
            Some(smtp) => {
                let from = self
                    .mail_from
                    .clone()
                    .unwrap_or_else(|| format!("notifications@{host}"));
                Some(
                    candor_jobs::mail::Mailer::new(smtp, &from, &host)
                        .map_err(anyhow::Error::msg)?,
                )
            }
            None => {
                tracing::warn!(
                    "no --smtp-url: mail is not sent; each message is retried on the usual back-off, then marked failed"
                );
                None
            }
        };
        let mut config = candor_jobs::WorkerConfig::new(public_url);
        config.lease = std::time::Duration::from_secs(self.worker_lease_seconds.max(1));
        config.poll_interval = std::time::Duration::from_millis(self.worker_poll_ms.max(10));
        if !self.worker_backoff_seconds.is_empty() {
            config.backoff = self
                .worker_backoff_seconds
                .iter()
                .map(|s| std::time::Duration::from_secs(*s))
                .collect();
        }
        config.allow_private_targets = self.allow_private_webhooks;
        let mut evidence = candor_jobs::evidence::EvidenceConfig::new(self.scan_options()?);
        evidence.interval = self.check_interval();
        config.evidence = Some(evidence);
        candor_jobs::Worker::new(store, master, mailer, config).map_err(anyhow::Error::msg)
    }
}
