//! The accept loop: hyper's HTTP/1 connection builder with a timer (so the
//! header-read timeout fires), optional TLS, the plain-HTTP redirect to HTTPS,
//! and graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use candor_store::SharedStore;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::Service;

use crate::router::router;
use crate::state::{AppState, WebConfig};

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
    // Publishes through other replicas show within a second, whatever the
    // per-page revalidation interval.
    let follower = state
        .pages
        .follow_publishes(state.store.clone(), Duration::from_secs(1));
    let counts = state.analytics.clone();
    let flusher = counts.flush_periodically(state.store.clone());
    let store = state.store.clone();
    let served = serve_router(
        listener,
        router(state),
        &config,
        config.tls.clone(),
        shutdown,
    )
    .await;
    follower.abort();
    flusher.abort();
    // What was counted since the last flush goes to the database on the way out.
    counts.flush(&store, None).await;
    served
}

/// Plain HTTP on `listener` that answers every request with a redirect to the
/// same host name and path over HTTPS on `https_port`, so that a browser (or a
/// scanner) typing the bare host name is sent to TLS first, as HSTS preloading
/// asks. Nothing else is served in the clear.
///
/// ACME HTTP-01 answers are the exception (RFC 8555 §8.3 validates over plain
/// HTTP on port 80): they are served here from the store, whichever replica
/// stored them.
pub async fn serve_https_redirect(
    listener: TcpListener,
    https_port: u16,
    config: &WebConfig,
    store: SharedStore,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let redirects = Router::new()
        .route(
            "/.well-known/acme-challenge/{token}",
            axum::routing::get(crate::acme::challenge_answer),
        )
        .with_state(store)
        .fallback(move |headers: HeaderMap, uri: axum::http::Uri| async move {
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
pub(crate) async fn serve_router(
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

/// What every TLS configuration of Candor's shares: TLS 1.2 and 1.3 only
/// (rustls offers no older version), ring as the provider; the certificate is
/// for the caller to add.
fn tls_builder()
-> Result<rustls::ConfigBuilder<rustls::ServerConfig, rustls::server::WantsServerCert>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| e.to_string())?
        .with_no_client_auth())
}

fn serving_http1(mut config: rustls::ServerConfig) -> Arc<rustls::ServerConfig> {
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}

/// A TLS configuration whose certificates are chosen per connection (by SNI):
/// those Candor obtains over ACME.
pub fn tls_config_resolving(
    resolver: Arc<dyn rustls::server::ResolvesServerCert>,
) -> Result<Arc<rustls::ServerConfig>, String> {
    Ok(serving_http1(tls_builder()?.with_cert_resolver(resolver)))
}

/// A TLS configuration from PEM files, serving HTTP/1.1.
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
    let config = tls_builder()?
        .with_single_cert(certs, key)
        .map_err(|e| e.to_string())?;
    Ok(serving_http1(config))
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
