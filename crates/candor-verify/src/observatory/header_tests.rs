//! The tests that read one header each: X-Frame-Options,
//! X-Content-Type-Options, Cross-Origin-Resource-Policy, CORS and Referrer-Policy.

use super::csp::CspOutcome;
use super::{CORS_ORIGIN, Observations, Page, first, prefix, values};

pub(super) fn xfo_test(page: &Page, csp: &CspOutcome) -> (&'static str, bool) {
    let mut result = match first(&page.response.headers, "x-frame-options") {
        Some(value) => {
            let xfo = prefix(&value, 1024).trim().to_lowercase();
            if xfo == "deny" || xfo == "sameorigin" {
                "x-frame-options-sameorigin-or-deny"
            } else if xfo.starts_with("allow-from") {
                "x-frame-options-allow-from-origin"
            } else {
                "x-frame-options-header-invalid"
            }
        }
        None => "x-frame-options-not-implemented",
    };
    if csp.frame_ancestors {
        result = "x-frame-options-implemented-via-csp";
    }
    let pass = matches!(
        result,
        "x-frame-options-allow-from-origin"
            | "x-frame-options-sameorigin-or-deny"
            | "x-frame-options-implemented-via-csp"
    );
    (result, pass)
}

pub(super) fn xcto_test(page: &Page) -> (&'static str, bool) {
    let result = match first(&page.response.headers, "x-content-type-options") {
        Some(value) if prefix(&value, 256).trim().eq_ignore_ascii_case("nosniff") => {
            "x-content-type-options-nosniff"
        }
        Some(_) => "x-content-type-options-header-invalid",
        None => "x-content-type-options-not-implemented",
    };
    (result, result == "x-content-type-options-nosniff")
}

pub(super) fn corp_test(page: &Page) -> (&'static str, bool) {
    let value = first(&page.response.headers, "cross-origin-resource-policy")
        .map(|v| prefix(&v, 256).trim().to_lowercase())
        .unwrap_or_default();
    let result = match value.as_str() {
        "" => "corp-not-implemented",
        "same-site" => "corp-implemented-with-same-site",
        "same-origin" => "corp-implemented-with-same-origin",
        "cross-origin" => "corp-implemented-with-cross-origin",
        _ => "corp-header-invalid",
    };
    (result, result != "corp-header-invalid")
}

/// The note on the CORS test when the site reflects the Origin with credentials.
pub const CORS_REFLECTION_NOTE: &str = "the Origin is reflected with credentials: the \
    Observatory 1.4.8 cannot see this (its cors.js reads the request's Origin from a Node \
    ClientRequest, which has no .headers, so its universal-access rule never matches) and \
    gives 0; Candor's own cors check fails it";

pub(super) fn cors_test(obs: &Observations) -> (&'static str, bool) {
    let mut result = "cross-origin-resource-sharing-not-implemented";
    if let Some(headers) = &obs.cors
        && let Some(acao) = first(headers, "access-control-allow-origin").filter(|v| !v.is_empty())
    {
        // The Observatory's "universal access" (the Origin reflected with
        // credentials) compares with an Origin it reads as undefined, so it never
        // matches: such a site gets "restricted access", as here. The grade is
        // the Observatory's; `cors_reflects_with_credentials` feeds the note.
        result = if prefix(&acao, 256).trim().to_lowercase() == "*" {
            "cross-origin-resource-sharing-implemented-with-public-access"
        } else {
            "cross-origin-resource-sharing-implemented-with-restricted-access"
        };
    }
    (
        result,
        result != "cross-origin-resource-sharing-implemented-with-universal-access",
    )
}

/// Whether the preflight answer reflects [`CORS_ORIGIN`] with credentials.
pub(super) fn cors_reflects_with_credentials(obs: &Observations) -> bool {
    obs.cors.as_ref().is_some_and(|headers| {
        first(headers, "access-control-allow-origin").as_deref() == Some(CORS_ORIGIN)
            && first(headers, "access-control-allow-credentials")
                .is_some_and(|c| c.trim().eq_ignore_ascii_case("true"))
    })
}

pub(super) fn referrer_test(page: &Page) -> (&'static str, bool) {
    use crate::headers::{SAFE_REFERRER_POLICIES as GOOD, UNSAFE_REFERRER_POLICIES as BAD};
    let mut all = values(&page.response.headers, "referrer-policy");
    all.extend(page.meta_referrer.iter().cloned());
    if all.is_empty() {
        return ("referrer-policy-not-implemented", true);
    }
    let joined = all.join(", ");
    let policy = joined
        .split(',')
        .map(|p| p.trim().to_lowercase())
        .rfind(|p| GOOD.contains(&p.as_str()) || BAD.contains(&p.as_str()))
        .unwrap_or_default();
    if GOOD.contains(&policy.as_str()) {
        ("referrer-policy-private", true)
    } else if BAD.contains(&policy.as_str()) {
        ("referrer-policy-unsafe", false)
    } else {
        ("referrer-policy-header-invalid", false)
    }
}
