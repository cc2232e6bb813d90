//! The edge of every response: security headers, the JSON envelope on every
//! API error, the head-size limit and the request log line.

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;

/// No inline script or style anywhere; forms post only to us; nobody may frame us.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The admin pages' policy: the same, with this origin's script (`/static/admin.js`:
/// the unsaved-changes guard, line numbers, copy buttons, drag and drop, and
/// the navigation's count of what needs attention, fetched from this origin).
/// Nothing inline, and the public pages run no script at all.
pub const ADMIN_CSP: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const HSTS: &str = "max-age=63072000; includeSubDomains";

/// Most a request's head (target and header fields) may take. hyper refuses
/// heads past its read buffer (~400 KiB) or with over 100 fields itself, with a
/// bare 431 it writes before any Candor code runs; refusing from here, far
/// below that, gives the 431 clients actually meet the same headers as every
/// other response. Browsers' heads are a few KiB; nginx allows 4 × 8 KiB.
pub const MAX_REQUEST_HEAD_BYTES: usize = 32 * 1024;

fn head_too_large(request: &Request) -> bool {
    let fields: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    fields
        + request
            .uri()
            .path_and_query()
            .map_or(0, |p| p.as_str().len())
        > MAX_REQUEST_HEAD_BYTES
}

/// The outermost layer of every response, in one function (each middleware
/// layer costs a boxed future and a clone per request): refuses oversized
/// heads, turns API errors into the JSON envelope, logs the request (method,
/// route pattern, status, time; never the path or a query, which can carry
/// personal data), and sets the security headers.
pub async fn edge(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let route = request.extensions().get::<MatchedPath>().cloned();
    let api = request.uri().path().starts_with("/api/");
    let admin = request.uri().path().starts_with("/admin");
    let timer = crate::metrics::RequestTimer::start(request.uri().path());
    let mut response = if head_too_large(&request) {
        let status = axum::http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE;
        if api {
            ApiError::for_status(status).into_response()
        } else {
            (
                status,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "request header fields too large\n",
            )
                .into_response()
        }
    } else {
        let response = next.run(request).await;
        if api {
            api_error_envelope(response)
        } else {
            response
        }
    };
    let status = response.status().as_u16();
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    if let Some(timer) = timer {
        timer.finish(route, &method, response.status());
    }
    if response.status().is_server_error() {
        tracing::error!(%method, route, status, micros, "request");
    } else {
        tracing::info!(%method, route, status, micros, "request");
    }
    add_security_headers(response.headers_mut(), state.config.https, admin);
    response
}

fn add_security_headers(h: &mut axum::http::HeaderMap, https: bool, admin: bool) {
    // One growth for all of them, not one per insert.
    h.reserve(9);
    let set = |h: &mut axum::http::HeaderMap, name: HeaderName, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        if admin { ADMIN_CSP } else { CSP },
    );
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(
        h,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        h,
        HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    set(
        h,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    );
    if https {
        set(h, header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
}

/// Errors produced outside the API handlers (unknown route, body too large,
/// wrong method) still reach API clients as the JSON envelope.
fn api_error_envelope(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        let (parts, _) = response.into_parts();
        let mut replaced = ApiError::for_status(status).into_response();
        for name in [header::ALLOW, header::RETRY_AFTER] {
            if let Some(value) = parts.headers.get(&name) {
                replaced.headers_mut().insert(name, value.clone());
            }
        }
        return replaced;
    }
    response
}

pub fn empty(status: axum::http::StatusCode) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = status;
    r
}
