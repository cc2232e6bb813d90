//! Who is calling, and may they do this? One guard in front of every org-scoped
//! route (admin pages and API alike) authenticates the caller (session cookie or
//! API token), finds their role in the org, and asks the domain's one policy
//! function. The action each route needs is written once, in the route tables
//! ([`admin::routes`], [`openapi::api_routes`]) that also build the router; a
//! route missing from them is refused, so a new route cannot ship unguarded.

use std::sync::LazyLock;

use axum::extract::{MatchedPath, RawPathParams, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use candor_domain::policy::Action;

use crate::caller::{Denied, authorize};
use crate::error::ApiError;
use crate::page_error::PageError;
use crate::state::AppState;
use crate::{admin, openapi};

/// Every org-scoped route with its action, from the two route tables:
/// [`admin::routes`] for pages and [`openapi::api_routes`] for the API. HEAD
/// counts as GET.
static ORG_ROUTES: LazyLock<Vec<(Method, &'static str, Action)>> = LazyLock::new(|| {
    let admin = admin::routes().into_iter().filter_map(|(route, _)| {
        route
            .action
            .map(|action| (route.method, route.path, action))
    });
    let api = openapi::api_routes().into_iter().filter_map(|(route, _)| {
        route
            .action
            .map(|action| (route.method, route.path, action))
    });
    admin.chain(api).collect()
});

/// Every org-scoped route (admin and API) with the action it needs.
pub fn org_routes() -> &'static [(Method, &'static str, Action)] {
    &ORG_ROUTES
}

fn action_for(method: &Method, path: &str) -> Option<Action> {
    let method = if method == Method::HEAD {
        &Method::GET
    } else {
        method
    };
    ORG_ROUTES
        .iter()
        .find(|(m, p, _)| m == method && *p == path)
        .map(|(_, _, action)| *action)
}

/// The route layer in front of every org-scoped route.
pub async fn guard(
    State(state): State<AppState>,
    params: RawPathParams,
    mut request: Request,
    next: Next,
) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let Some(action) = path
        .as_deref()
        .and_then(|p| action_for(request.method(), p))
    else {
        let allowed = path.as_deref().map(allowed_methods).unwrap_or_default();
        if !allowed.is_empty() {
            // A method the route does not have: the client's mistake, not ours.
            tracing::debug!(route = path.as_deref().unwrap_or("?"), method = %request.method(), "method not allowed");
            return method_not_allowed(is_api, &allowed);
        }
        tracing::error!(route = path.as_deref().unwrap_or("?"), method = %request.method(), "route has no access rule");
        return refuse(is_api, Denied::Forbidden);
    };
    let Some(org) = params
        .iter()
        .find(|(name, _)| *name == "org")
        .map(|(_, v)| v.to_owned())
    else {
        return refuse(is_api, Denied::NotFound);
    };
    match authorize(&state, request.headers(), &org, action).await {
        Ok(access)
            if request.method() != Method::GET
                && state
                    .limits
                    .writes_by_actor
                    .check_key(&access.actor)
                    .is_err() =>
        {
            crate::limits::too_many()
        }
        Ok(access) => {
            let zone = if is_api {
                None
            } else {
                org_time_zone(&state, &access.scope).await
            };
            request.extensions_mut().insert(access);
            let mut response = match zone {
                Some(zone) => crate::views::with_time_zone(zone, next.run(request)).await,
                None => next.run(request).await,
            };
            // Whatever an authenticated caller is shown (drafts, audit entries, new
            // secrets) stays out of every cache.
            response
                .headers_mut()
                .entry(axum::http::header::CACHE_CONTROL)
                .or_insert(axum::http::HeaderValue::from_static("no-store"));
            response
        }
        Err(denied) => refuse(is_api, denied),
    }
}

/// The org's time zone, from its draft (or, without one, its latest revision),
/// for the times its admin pages show; None (UTC) if it set none.
async fn org_time_zone(
    state: &AppState,
    scope: &candor_store::OrgScope,
) -> Option<jiff::tz::TimeZone> {
    let profile_zone = |tc: &candor_domain::TrustCenter| tc.profile.time_zone.clone();
    let zone = match state.store.draft(scope).await {
        Ok(Some(draft)) => profile_zone(&draft.content),
        Ok(None) => match state.store.latest_revision(scope).await {
            Ok(Some(revision)) => profile_zone(&revision.content),
            _ => None,
        },
        Err(_) => None,
    };
    zone.map(|z| z.zone())
}

/// The methods a route answers, as an `Allow` header lists them (GET implies HEAD).
fn allowed_methods(path: &str) -> String {
    let mut methods: Vec<&str> = ORG_ROUTES
        .iter()
        .filter(|(_, p, _)| *p == path)
        .map(|(m, _, _)| m.as_str())
        .collect();
    if methods.contains(&"GET") {
        methods.push("HEAD");
    }
    methods.join(", ")
}

fn method_not_allowed(is_api: bool, allowed: &str) -> Response {
    let mut response = if is_api {
        ApiError::for_status(StatusCode::METHOD_NOT_ALLOWED).into_response()
    } else {
        crate::page_error::message_page(
            "Not allowed here",
            "This address does not accept that kind of request.",
            StatusCode::METHOD_NOT_ALLOWED,
        )
    };
    if let Ok(value) = axum::http::HeaderValue::from_str(allowed) {
        response
            .headers_mut()
            .insert(axum::http::header::ALLOW, value);
    }
    response
}

pub fn refuse(is_api: bool, denied: Denied) -> Response {
    match (is_api, denied) {
        (true, Denied::Store(e)) => ApiError::from(e).into_response(),
        (false, Denied::Store(e)) => PageError::from(e).into_response(),
        (true, Denied::NotSignedIn) => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "sign in or send a valid API token",
        )
        .into_response(),
        (true, Denied::Forbidden) => ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "your role in this org does not allow this",
        )
        .into_response(),
        (true, Denied::NotFound) => ApiError::not_found("no such org").into_response(),
        (false, Denied::NotSignedIn) => PageError::sign_in().into_response(),
        (false, Denied::Forbidden) => PageError::forbidden().into_response(),
        (false, Denied::NotFound) => {
            PageError::not_found("org you can manage at this address").into_response()
        }
    }
}
