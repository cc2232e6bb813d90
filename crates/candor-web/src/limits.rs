//! Rate limits applied as middleware. Sign-in has its own, stricter budget in
//! `admin::login`; the guard adds a per-account budget for writes.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

/// The client's address as the TCP connection saw it. Behind a proxy this is the
/// proxy; forwarded headers are not trusted, since anyone can send them.
pub fn client_ip(request: &Request) -> IpAddr {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

pub fn too_many() -> Response {
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        "too many requests; wait a minute",
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    response
}

/// Spends one attempt from a budget every replica shares: at most `limit` per
/// `window_secs`, counted in the database (this window's attempts plus the
/// share of the previous window's that a sliding window would still hold), so
/// a client spread over several replicas gets no more than it would from one.
/// `bucket` must already be a hash: it is stored.
pub async fn spend_shared(
    state: &AppState,
    bucket: &str,
    limit: u32,
    window_secs: i64,
) -> Result<bool, candor_store::StoreError> {
    let window = window_secs.max(1);
    let now = time::OffsetDateTime::now_utc();
    let seconds = now.unix_timestamp();
    let window_start = seconds - seconds.rem_euclid(window);
    let (current, previous) = state
        .store
        .count_attempt(bucket, window_start, window)
        .await?;
    let elapsed = (now.unix_timestamp_nanos() as f64 / 1e9 - window_start as f64) / window as f64;
    let held = f64::from(current) + f64::from(previous) * (1.0 - elapsed).clamp(0.0, 1.0);
    Ok(held <= f64::from(limit))
}

/// Every state-changing request spends from its address's budget; anonymous
/// public forms spend from a smaller one as well. Reads are not limited here:
/// they are served from memory and cost next to nothing.
pub async fn limit_writes(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let method = request.method();
    if method == Method::GET || method == Method::HEAD || method == Method::OPTIONS {
        return next.run(request).await;
    }
    // Writes carry bodies: each must arrive within its deadline.
    let uploads = request.uri().path().ends_with("/file");
    let deadline = if uploads {
        state.config.body_read_timeout * 10
    } else {
        state.config.body_read_timeout
    };
    let body = std::mem::take(request.body_mut());
    *request.body_mut() = axum::body::Body::new(DeadlineBody::new(body, deadline));
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        // Form decoding would replace invalid UTF-8 with U+FFFD and carry on (a
        // subscriber `\u{FFFD}@example.com` was accepted): refuse it whole instead.
        let body = std::mem::take(request.body_mut());
        let bytes = match axum::body::to_bytes(body, state.config.body_limit).await {
            Ok(bytes) => bytes,
            Err(_) => {
                return (StatusCode::BAD_REQUEST, "the form could not be read").into_response();
            }
        };
        if !form_is_utf8(&bytes) {
            return (StatusCode::BAD_REQUEST, "the form is not valid UTF-8").into_response();
        }
        *request.body_mut() = axum::body::Body::from(bytes);
    }
    let ip = client_ip(&request);
    if state.limits.writes_by_ip.check_key(&ip).is_err() {
        return too_many();
    }
    let path = request.uri().path();
    let public_form = path == "/api/v1/validate"
        || path.starts_with("/admin/reset")
        || path.ends_with("/subscribe")
        || path.ends_with("/report")
        || path.contains("/subscription/")
        || (path.contains("/documents/")
            && !path.starts_with("/admin/")
            && !path.starts_with("/api/"));
    if public_form && state.limits.public_forms_by_ip.check_key(&ip).is_err() {
        return too_many();
    }
    next.run(request).await
}

/// A request body that fails once its deadline passes, however the bytes trickle
/// in: tower-http's body timeout restarts with every frame, so it would not stop a
/// client sending one byte every few seconds.
pub struct DeadlineBody {
    inner: axum::body::Body,
    deadline: std::pin::Pin<Box<tokio::time::Sleep>>,
}

impl DeadlineBody {
    pub fn new(inner: axum::body::Body, within: std::time::Duration) -> DeadlineBody {
        DeadlineBody {
            inner,
            deadline: Box::pin(tokio::time::sleep(within)),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
pub struct BodyTooSlow;

impl http_body::Body for DeadlineBody {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        if this.deadline.as_mut().poll(cx).is_ready() {
            return std::task::Poll::Ready(Some(Err(axum::Error::new(BodyTooSlow))));
        }
        std::pin::Pin::new(&mut this.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// Whether every name and value of an `application/x-www-form-urlencoded` body is
/// UTF-8 once percent-decoded.
pub fn form_is_utf8(body: &[u8]) -> bool {
    let mut decoded = Vec::with_capacity(body.len());
    for pair in body.split(|b| *b == b'&') {
        for part in pair.splitn(2, |b| *b == b'=') {
            decoded.clear();
            let mut i = 0;
            while i < part.len() {
                let escaped = (part[i] == b'%')
                    .then(|| part.get(i + 1..i + 3))
                    .flatten()
                    .and_then(|hex| std::str::from_utf8(hex).ok())
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok());
                match (escaped, part[i]) {
                    (Some(byte), _) => {
                        decoded.push(byte);
                        i += 3;
                    }
                    (None, b'+') => {
                        decoded.push(b' ');
                        i += 1;
                    }
                    (None, other) => {
                        decoded.push(other);
                        i += 1;
                    }
                }
            }
            if std::str::from_utf8(&decoded).is_err() {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::form_is_utf8;

    #[test]
    fn forms_with_invalid_utf8_are_recognised() {
        assert!(form_is_utf8(b"email=a%40example.com&topics=all"));
        assert!(form_is_utf8("name=J%C3%BCrgen+M&x=caf\u{e9}".as_bytes()));
        assert!(form_is_utf8(b"a=100%&b=%zz"));
        assert!(!form_is_utf8(b"email=%FF%40example.com"));
        assert!(!form_is_utf8(b"%C3=x"));
        assert!(!form_is_utf8(b"email=\xff@example.com"));
    }
}
