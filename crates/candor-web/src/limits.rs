//! Rate limits applied as middleware. Sign-in has its own, stricter budget in
//! `admin::login`; the guard adds a per-account budget for writes.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

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

/// Every state-changing request spends from its address's budget; anonymous
/// public forms spend from a smaller one as well. Reads are not limited here:
/// they are served from memory and cost next to nothing.
pub async fn limit_writes(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method();
    if method == Method::GET || method == Method::HEAD || method == Method::OPTIONS {
        return next.run(request).await;
    }
    let ip = client_ip(&request);
    if state.limits.writes_by_ip.check_key(&ip).is_err() {
        return too_many();
    }
    let path = request.uri().path();
    let public_form = path == "/api/v1/validate"
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
