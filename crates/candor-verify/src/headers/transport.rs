//! HTTPS itself: Strict-Transport-Security and the first redirect from plain HTTP.

use super::Headers;
use crate::{Finding, Verdict};

const YEAR: u64 = 31_536_000;
const HALF_YEAR: u64 = 180 * 86_400;

/// Parsed `Strict-Transport-Security`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hsts {
    pub max_age: u64,
    pub include_subdomains: bool,
    pub preload: bool,
}

pub fn parse_hsts(value: &str) -> Option<Hsts> {
    let mut hsts = Hsts::default();
    let mut max_age = None;
    for directive in value.split(';').map(str::trim).filter(|d| !d.is_empty()) {
        let (name, arg) = match directive.split_once('=') {
            Some((n, a)) => (n.trim(), Some(a.trim().trim_matches('"'))),
            None => (directive, None),
        };
        match name.to_ascii_lowercase().as_str() {
            "max-age" => {
                // A second max-age makes the header invalid (RFC 6797 §6.1).
                if max_age.is_some() {
                    return None;
                }
                max_age = Some(arg?.parse::<u64>().ok()?);
            }
            "includesubdomains" => hsts.include_subdomains = true,
            "preload" => hsts.preload = true,
            _ => {}
        }
    }
    hsts.max_age = max_age?;
    Some(hsts)
}

/// HSTS as browsers and the preload list see it. `redirects_to_https_first`: whether
/// plain HTTP on the same host redirects to HTTPS before anywhere else.
pub fn check_hsts(headers: &Headers, redirects_to_https_first: Option<bool>) -> Vec<Finding> {
    const C: &str = "hsts";
    let values = headers.all("strict-transport-security");
    let value = match values.as_slice() {
        [] => {
            return vec![Finding::new(
                C,
                "hsts_missing",
                Verdict::Fail,
                "no Strict-Transport-Security header",
            )];
        }
        [one] => *one,
        many => {
            return vec![Finding::new(
                C,
                "hsts_duplicate",
                Verdict::Fail,
                format!(
                    "Strict-Transport-Security is sent {} times; browsers may ignore all of them",
                    many.len()
                ),
            )];
        }
    };
    let Some(hsts) = parse_hsts(value) else {
        return vec![Finding::new(
            C,
            "hsts_invalid",
            Verdict::Fail,
            format!("cannot read {value:?}: it needs exactly one numeric max-age"),
        )];
    };
    let mut out = Vec::new();
    let days = hsts.max_age / 86_400;
    if hsts.max_age < HALF_YEAR {
        out.push(Finding::new(
            C,
            "hsts_short",
            Verdict::Fail,
            format!(
                "max-age is {} s ({days} days), under 180 days",
                hsts.max_age
            ),
        ));
    } else if hsts.max_age < YEAR {
        out.push(Finding::new(
            C,
            "hsts_under_a_year",
            Verdict::Warn,
            format!("max-age is {days} days; a year or more is recommended"),
        ));
    }
    if !hsts.include_subdomains {
        out.push(Finding::new(
            C,
            "hsts_no_subdomains",
            Verdict::Warn,
            "includeSubDomains is missing: subdomains can still be reached over plain HTTP",
        ));
    }
    let preloadable = hsts.max_age >= YEAR
        && hsts.include_subdomains
        && hsts.preload
        && redirects_to_https_first != Some(false);
    if hsts.preload && !preloadable {
        out.push(Finding::new(C, "hsts_preload_ineligible", Verdict::Warn, "asks for preload but is not eligible (needs max-age ≥ 1 year, includeSubDomains, and HTTP redirecting to HTTPS first)"));
    }
    if out.iter().all(|f| f.verdict == Verdict::Pass) {
        out.push(Finding::pass(
            C,
            format!(
                "max-age {days} days, includeSubDomains{}",
                if preloadable {
                    ", preload-eligible"
                } else {
                    ""
                }
            ),
        ));
    }
    out
}

/// The first hop of `http://host/`: it must go to `https://` on the same host.
pub fn check_redirect(host: &str, first_hop: Option<&str>) -> Finding {
    const C: &str = "redirect";
    let Some(location) = first_hop else {
        return Finding::new(
            C,
            "redirect_missing",
            Verdict::Fail,
            format!("http://{host}/ does not redirect to HTTPS"),
        );
    };
    let base = format!("http://{host}/");
    let target = url::Url::parse(&base).and_then(|b| b.join(location));
    match target {
        Ok(t)
            if t.scheme() == "https"
                && t.host_str().is_some_and(|h| h.eq_ignore_ascii_case(host)) =>
        {
            Finding::pass(C, format!("http://{host}/ redirects to {t} first"))
        }
        Ok(t) if t.scheme() == "https" => Finding::new(
            C,
            "redirect_off_host",
            Verdict::Fail,
            format!(
                "the first redirect leaves the host (to {t}), so HSTS for {host} is never set over HTTP"
            ),
        ),
        Ok(t) => Finding::new(
            C,
            "redirect_not_https",
            Verdict::Fail,
            format!("the first redirect goes to {t}, not HTTPS"),
        ),
        Err(_) => Finding::new(
            C,
            "redirect_invalid",
            Verdict::Fail,
            format!("cannot read the redirect target {location:?}"),
        ),
    }
}
