//! HTTPS itself: Strict-Transport-Security and the redirects from plain HTTP.

use super::{Observations, PreloadList, prefix, values};

/// JavaScript's `parseInt(s, 10)`; None for NaN.
pub(super) fn parse_int(s: &str) -> Option<f64> {
    let s = s.trim_start();
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let digits: String = digits.chars().take_while(char::is_ascii_digit).collect();
    let value: f64 = digits.parse().ok()?;
    Some(if negative { -value } else { value })
}

pub(super) fn hsts_test(obs: &Observations, preload: &PreloadList) -> (&'static str, bool) {
    // 15768000 is six months; the Observatory accepts 180 days.
    const SIX_MONTHS: f64 = 15_552_000.0;
    let response = obs.https.as_ref().and_then(|s| s.last().map(|h| (s, h)));
    let mut result = match response {
        None => "hsts-not-implemented-no-https",
        Some((session, _)) if !session.verified => "hsts-invalid-cert",
        Some((_, hop)) => match values(&hop.headers, "strict-transport-security").first() {
            None => "hsts-not-implemented",
            Some(header) => {
                let header = prefix(header, 1024);
                let mut max_age: Option<Option<f64>> = None;
                for parameter in header.split(';').map(|p| p.trim().to_lowercase()) {
                    if let Some(rest) = parameter.strip_prefix("max-age=") {
                        max_age = Some(parse_int(prefix(rest, 120)));
                    }
                }
                match max_age {
                    _ if header.contains(',') => "hsts-header-invalid",
                    None => "hsts-header-invalid",
                    // NaN is not below six months.
                    Some(Some(age)) if age < SIX_MONTHS => {
                        "hsts-implemented-max-age-less-than-six-months"
                    }
                    Some(_) => "hsts-implemented-max-age-at-least-six-months",
                }
            }
        },
    };
    if response.is_some() && preload.covers(&obs.host) {
        result = "hsts-preloaded";
    }
    let pass = matches!(
        result,
        "hsts-implemented-max-age-at-least-six-months" | "hsts-preloaded"
    );
    (result, pass)
}

pub(super) fn redirection_test(obs: &Observations, preload: &PreloadList) -> (&'static str, bool) {
    let result = match &obs.http {
        None => "redirection-not-needed-no-http",
        Some(session) if !session.verified => "redirection-invalid-cert",
        Some(session) => {
            let route: Vec<&url::Url> = session.hops.iter().map(|h| &h.url).collect();
            let host = |u: &url::Url| u.host_str().unwrap_or_default().to_owned();
            if !route.is_empty() && route.iter().all(|u| preload.covers(&host(u))) {
                "redirection-all-redirects-preloaded"
            } else if route.len() <= 1 {
                "redirection-missing"
            } else if route[route.len() - 1].scheme() != "https" {
                "redirection-not-to-https"
            } else if route[1].scheme() == "http" {
                "redirection-not-to-https-on-initial-redirection"
            } else if route[0].scheme() == "http"
                && route[1].scheme() == "https"
                && host(route[0]) != host(route[1])
            {
                "redirection-off-host-from-http"
            } else {
                "redirection-to-https"
            }
        }
    };
    let pass = matches!(
        result,
        "redirection-not-needed-no-http"
            | "redirection-all-redirects-preloaded"
            | "redirection-to-https"
    );
    (result, pass)
}
