//! The router: every route of the site, the admin UI and the API, the guard in
//! front of the org-scoped ones, and the one middleware stack every response
//! passes through. Also the few routes that belong to no feature (home page,
//! health checks, the stylesheet).

use askama::Template;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde_json::json;
use tower::ServiceBuilder;
use tower_http::csrf::CsrfLayer;
use tower_http::limit::RequestBodyLimitLayer;

use crate::error::ApiError;
use crate::page_error::{self, PageResult};
use crate::state::AppState;
use crate::{
    access, admin, branding, csaf, documents, feed, headers, history, incidents, language, limits,
    log, openapi, oscal, page_cache, pages, privacy, readers, reports, securitytxt, subscribe,
    views,
};

const STYLESHEET: &str = include_str!("../static/candor.css");
const ADMIN_SCRIPT: &str = include_str!("../static/admin.js");

pub fn router(state: AppState) -> Router {
    // The two route tables (admin pages, API) say which routes are org-scoped:
    // everything that reads or changes an org's private data gets one guard in
    // front, which reads the route's action from the same tables.
    let mut admin_open = Router::new();
    let mut guarded = Router::new();
    let mut public_api = Router::new();
    // File uploads get a larger body cap than everything else.
    let mut uploads = Router::new();
    for (route, handler) in admin::routes() {
        if route.upload {
            uploads = uploads.route(route.path, handler);
        } else if route.action.is_some() {
            guarded = guarded.route(route.path, handler);
        } else {
            admin_open = admin_open.route(route.path, handler);
        }
    }
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
    // A signed-in reader's questionnaire: public, with the questionnaire cap.
    let reader_cap = candor_questionnaire::sheet::MAX_FILE_BYTES + 64 * 1024;
    let reader_uploads = Router::new()
        .route(
            "/{org}/reader/questionnaire",
            post(readers::answer_questionnaire),
        )
        .layer(DefaultBodyLimit::max(reader_cap))
        .layer(RequestBodyLimitLayer::new(reader_cap))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            language::negotiate,
        ));
    // The pages readers see besides the trust page, in the reader's language.
    let reader_pages = Router::new()
        .route("/{org}/questions", get(pages::knowledge_search))
        .route("/{org}/documents/{key}", get(documents::document))
        .route("/{org}/documents/{key}/nda", post(documents::accept_nda))
        .route(
            "/{org}/documents/{key}/request",
            post(documents::request_access),
        )
        .route("/{org}/documents/{key}/download", get(documents::download))
        .route(
            "/{org}/access",
            get(readers::access_form).post(readers::access_request),
        )
        .route("/{org}/reader", get(readers::reader_home))
        .route("/{org}/reader/link", post(readers::send_link))
        .route(
            "/{org}/reader/signin",
            get(readers::sign_in_form).post(readers::sign_in),
        )
        .route("/{org}/reader/signout", post(readers::sign_out))
        .route(
            "/{org}/reader/documents/{key}",
            get(readers::reader_download),
        )
        .route(
            "/{org}/report",
            get(reports::report_form).post(reports::submit_report),
        )
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
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            language::negotiate,
        ));
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
        .route("/.well-known/csaf/{*file}", get(csaf::host_file))
        .route(
            "/.well-known/acme-challenge/{token}",
            get(crate::acme::challenge_answer),
        )
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/static/candor.css", get(stylesheet))
        .route("/static/admin.js", get(admin_script))
        .merge(admin_open)
        .merge(guarded)
        .route("/{org}", get(pages::trust_page))
        .route("/{org}/", get(pages::without_trailing_slash))
        .route("/{org}/trust.json", get(pages::trust_json))
        .route("/{org}/revisions.json", get(history::revisions))
        .route(
            "/{org}/revisions/{number}/trust.json",
            get(history::revision_json),
        )
        .route("/{org}/evidence.json", get(pages::evidence_json))
        .route(
            "/{org}/oscal/component-definition.json",
            get(oscal::component_definition),
        )
        .route("/oscal/catalogs/{file}", get(oscal::catalog))
        .route("/oscal/profiles/{file}", get(oscal::profile))
        .route("/{org}/log/entries/{index}", get(log::entry))
        .route("/{org}/log/key", get(log::key))
        .route("/{org}/log/key-history", get(log::key_history))
        .route("/{org}/log/tile/{*tile}", get(log::tile))
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
        .route("/{org}/.well-known/csaf/{*file}", get(csaf::org_file))
        .route("/{org}/feed.atom", get(feed::feed))
        .route("/{org}/incidents.json", get(incidents::json))
        .route("/{org}/brand.css", get(branding::css))
        .route("/{org}/logo.svg", get(branding::logo))
        .route("/{org}/logo.png", get(branding::logo_png))
        .route("/{org}/incidents.atom", get(incidents::atom))
        .route("/{org}/log/checkpoint", get(log::checkpoint))
        .route("/{org}/log/proof/inclusion", get(log::inclusion))
        .route("/{org}/log/proof/consistency", get(log::consistency))
        .merge(public_api)
        .merge(reader_pages)
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
        .merge(reader_uploads)
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

async fn index(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
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
        std::sync::LazyLock::new(|| page_cache::etag_for(STYLESHEET.as_bytes()));
    static_file(&headers, STYLESHEET, "text/css; charset=utf-8", &ETAG)
}

/// The admin pages' progressive enhancement.
async fn admin_script(headers: HeaderMap) -> Response {
    static ETAG: std::sync::LazyLock<HeaderValue> =
        std::sync::LazyLock::new(|| page_cache::etag_for(ADMIN_SCRIPT.as_bytes()));
    static_file(
        &headers,
        ADMIN_SCRIPT,
        "text/javascript; charset=utf-8",
        &ETAG,
    )
}

/// A file compiled into the binary, revalidated by its ETag.
fn static_file(
    headers: &HeaderMap,
    body: &'static str,
    content_type: &'static str,
    etag: &HeaderValue,
) -> Response {
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes());
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type)], body).into_response()
    };
    response.headers_mut().insert(header::ETAG, etag.clone());
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}
