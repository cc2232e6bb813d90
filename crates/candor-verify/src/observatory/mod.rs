//! The MDN HTTP Observatory's score and grade, computed by its own rules: its ten
//! tests, their score modifiers, the extra-credit rule and the grade chart, ported
//! from `@mdn/mdn-http-observatory` 1.4.8 (`src/analyzer`, `src/grader`) so that a
//! Candor scan and an Observatory scan of the same site can be compared.
//!
//! The port keeps the Observatory's quirks wherever they change a result, because
//! a grade that differs from the one people look up is worse than none: Node joins
//! a repeated header with ", " before the tests see it (so two HSTS headers are one
//! invalid header), a policy shorter than six characters is invalid, a
//! `frame-ancestors` in a `<meta>` policy counts for X-Frame-Options, and a cookie
//! counts as a session cookie when its name contains "sess" or "login". Where
//! Candor's own checks judge differently, the findings say so; the grade is only
//! for comparison. The port is checked against the Observatory's own results on
//! the local corpus (`corpus/golden/observatory.json`, `tests/peers.rs`).
//!
//! Not ported: the fetch of `/robots.txt` (it only adds cookies after a
//! certificate error) and the HSTS preload list, which is the operator's to give
//! ([`PreloadList`]); without it no host counts as preloaded.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::headers::Headers;

mod cookies;
mod csp;
mod header_tests;
mod html;
mod sri;
#[cfg(test)]
mod tests;
mod transport;

pub use cookies::{JarCookie, cookie_jar, parse_set_cookie};
pub use csp::{Csp, parse_csp, parse_csp_meta};
pub use header_tests::CORS_REFLECTION_NOTE;
pub use html::html_elements;

use cookies::cookies_test;
use csp::csp_test;
use header_tests::{
    corp_test, cors_reflects_with_credentials, cors_test, referrer_test, xcto_test, xfo_test,
};
use sri::sri_test;
use transport::{hsts_test, redirection_test};

pub const PORTED_FROM: &str = "MDN HTTP Observatory 1.4.8";

/// The Origin the Observatory sends in its CORS preflight.
pub const CORS_ORIGIN: &str = "https://http-observatory.security.mozilla.org";

/// How many redirects a session follows before it takes the answer as it is.
pub const MAX_REDIRECTS: usize = 10;

/// One response of a session, in the order received.
#[derive(Clone, Debug)]
pub struct Hop {
    pub url: url::Url,
    pub status: u16,
    pub headers: Headers,
}

/// A page fetched from a starting URL, following redirects.
#[derive(Clone, Debug)]
pub struct Session {
    pub start: url::Url,
    /// Every response, the last one final; never empty.
    pub hops: Vec<Hop>,
    /// False when the certificate was refused and the page was fetched anyway.
    pub verified: bool,
    /// The final response's body.
    pub body: String,
}

impl Session {
    fn last(&self) -> Option<&Hop> {
        self.hops.last()
    }
}

/// What the Observatory looks at for one host.
#[derive(Clone, Debug)]
pub struct Observations {
    pub host: String,
    /// From `http://host/`, when it answered.
    pub http: Option<Session>,
    /// From `https://host/`, when it answered (with or without a valid certificate).
    pub https: Option<Session>,
    /// The answer to an `OPTIONS` preflight carrying [`CORS_ORIGIN`].
    pub cors: Option<Headers>,
}

/// One test's outcome, named as the Observatory names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TestResult {
    pub result: &'static str,
    pub pass: bool,
    pub modifier: i32,
    /// Where the Observatory's verdict differs from what browsers do, and Candor's
    /// own check says so (printed beside the grade).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Grade {
    pub grade: &'static str,
    pub score: i32,
    pub tests: BTreeMap<&'static str, TestResult>,
    pub rules: &'static str,
}

impl std::fmt::Display for Grade {
    /// `A+ (130/100) by the rules of the MDN HTTP Observatory 1.4.8`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}/100) by the rules of the {}",
            self.grade, self.score, self.rules
        )
    }
}

/// The Chromium HSTS preload list, or none.
#[derive(Clone, Debug, Default)]
pub struct PreloadList {
    /// host → includeSubDomains, for entries in force-https mode.
    entries: HashMap<String, bool>,
}

impl PreloadList {
    /// Reads the Observatory's `conf/hsts-preload.json` (host → {mode,
    /// includeSubDomains}) or Chromium's `transport_security_state_static.json`
    /// (`entries: [{name, mode, include_subdomains}]`, `//` comment lines allowed).
    pub fn from_json(text: &str) -> Result<PreloadList, String> {
        let stripped: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let value: serde_json::Value =
            serde_json::from_str(&stripped).map_err(|e| format!("not JSON: {e}"))?;
        let mut entries = HashMap::new();
        let force = |v: &serde_json::Value| v["mode"].as_str() == Some("force-https");
        if let Some(list) = value.get("entries").and_then(|e| e.as_array()) {
            for entry in list.iter().filter(|e| force(e)) {
                if let Some(name) = entry["name"].as_str() {
                    let subs = entry["include_subdomains"].as_bool().unwrap_or(false);
                    entries.insert(name.to_ascii_lowercase(), subs);
                }
            }
        } else if let Some(map) = value.as_object() {
            for (name, entry) in map.iter().filter(|(_, e)| force(e)) {
                let subs = entry["includeSubDomains"].as_bool().unwrap_or(false);
                entries.insert(name.to_ascii_lowercase(), subs);
            }
        } else {
            return Err("neither a host map nor an entries list".into());
        }
        Ok(PreloadList { entries })
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The host itself in force-https mode, or a parent with includeSubDomains.
    pub fn covers(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        if self.entries.contains_key(&host) {
            return true;
        }
        let mut rest = host.as_str();
        while let Some((_, parent)) = rest.split_once('.') {
            if self.entries.get(parent) == Some(&true) {
                return true;
            }
            rest = parent;
        }
        false
    }
}

/// Each result's score modifier (the Observatory's SCORE_TABLE).
fn modifier(result: &str) -> i32 {
    match result {
        "csp-implemented-with-no-unsafe-default-src-none" => 10,
        "csp-implemented-with-no-unsafe" => 5,
        "csp-implemented-with-insecure-scheme-in-passive-content-only"
        | "csp-implemented-with-unsafe-eval" => -10,
        "csp-implemented-with-unsafe-inline" | "csp-implemented-with-insecure-scheme" => -20,
        "csp-header-invalid"
        | "csp-not-implemented"
        | "csp-not-implemented-but-reporting-enabled" => -25,
        "cookies-secure-with-httponly-sessions-and-samesite" => 5,
        "cookies-without-secure-flag-but-protected-by-hsts" => -5,
        "cookies-session-without-secure-flag-but-protected-by-hsts" => -10,
        "cookies-without-secure-flag"
        | "cookies-samesite-flag-invalid"
        | "cookies-anticsrf-without-samesite-flag" => -20,
        "cookies-session-without-httponly-flag" => -30,
        "cookies-session-without-secure-flag" => -40,
        "cross-origin-resource-sharing-implemented-with-universal-access" => -50,
        "redirection-off-host-from-http" => -5,
        "redirection-not-to-https-on-initial-redirection" => -10,
        "redirection-not-to-https" | "redirection-missing" | "redirection-invalid-cert" => -20,
        "referrer-policy-private" => 5,
        "referrer-policy-unsafe" | "referrer-policy-header-invalid" => -5,
        "hsts-preloaded" => 5,
        "hsts-implemented-max-age-less-than-six-months" => -10,
        "hsts-not-implemented"
        | "hsts-header-invalid"
        | "hsts-not-implemented-no-https"
        | "hsts-invalid-cert" => -20,
        "sri-implemented-and-all-scripts-loaded-securely"
        | "sri-implemented-and-external-scripts-loaded-securely" => 5,
        "sri-not-implemented-but-external-scripts-loaded-securely" => -5,
        "sri-implemented-but-external-scripts-not-loaded-securely" => -20,
        "sri-not-implemented-and-external-scripts-not-loaded-securely" => -50,
        "x-content-type-options-not-implemented" | "x-content-type-options-header-invalid" => -5,
        "x-frame-options-implemented-via-csp" => 5,
        "x-frame-options-not-implemented" | "x-frame-options-header-invalid" => -20,
        "corp-header-invalid" => -5,
        "corp-implemented-with-same-origin" | "corp-implemented-with-same-site" => 10,
        _ => 0,
    }
}

/// The grade for a score: multiples of five, capped at 100 for the chart.
pub fn grade_for_score(score: i32) -> (&'static str, i32) {
    let score = score.max(0);
    let key = (score - score % 5).min(100);
    let grade = match key {
        100 => "A+",
        90 | 95 => "A",
        85 => "A-",
        80 => "B+",
        70 | 75 => "B",
        65 => "B-",
        60 => "C+",
        50 | 55 => "C",
        45 => "C-",
        40 => "D+",
        30 | 35 => "D",
        25 => "D-",
        _ => "F",
    };
    (grade, score)
}

/// The Observatory's grade for what was observed, or why it gives none.
pub fn grade(obs: &Observations, preload: &PreloadList) -> Result<Grade, String> {
    let page = Page::of(obs).ok_or("the site seems to be down (no HTTP or HTTPS answer)")?;
    let status = page.response.status;
    if status < 200 || (status >= 400 && status != 401 && status != 403) {
        return Err(format!(
            "the site answers {status}; the Observatory grades only 2xx, 3xx, 401 and 403"
        ));
    }
    let csp = csp_test(&page);
    let outcomes: [(&'static str, (&'static str, bool)); 10] = [
        ("content-security-policy", (csp.result, csp.pass)),
        ("cookies", cookies_test(obs, &page, preload)),
        ("cross-origin-resource-policy", corp_test(&page)),
        ("cross-origin-resource-sharing", cors_test(obs)),
        ("redirection", redirection_test(obs, preload)),
        ("referrer-policy", referrer_test(&page)),
        ("strict-transport-security", hsts_test(obs, preload)),
        ("subresource-integrity", sri_test(obs, &page)),
        ("x-content-type-options", xcto_test(&page)),
        ("x-frame-options", xfo_test(&page, &csp)),
    ];
    let mut with_extra_credit = 100;
    let mut uncurved = 100;
    let mut tests = BTreeMap::new();
    for (name, (result, pass)) in outcomes {
        let modifier = modifier(result);
        with_extra_credit += modifier;
        if modifier < 0 {
            uncurved += modifier;
        }
        let note = (name == "cross-origin-resource-sharing" && cors_reflects_with_credentials(obs))
            .then_some(CORS_REFLECTION_NOTE);
        tests.insert(
            name,
            TestResult {
                result,
                pass,
                modifier,
                note,
            },
        );
    }
    // Bonuses only count once the site already earns an A without them.
    let score = if uncurved >= 90 {
        with_extra_credit
    } else {
        uncurved
    };
    let (grade, score) = grade_for_score(score);
    Ok(Grade {
        grade,
        score,
        tests,
        rules: PORTED_FROM,
    })
}

/// The response the header tests look at ("auto"): HTTPS when it answered, else
/// plain HTTP, with what its HTML declares in `<meta>`.
struct Page<'a> {
    session: &'a Session,
    response: &'a Hop,
    meta_csp: Vec<String>,
    meta_referrer: Vec<String>,
}

impl<'a> Page<'a> {
    fn of(obs: &'a Observations) -> Option<Page<'a>> {
        let session = obs.https.as_ref().or(obs.http.as_ref())?;
        let response = session.last()?;
        // Only an HTML answer's <meta> elements count.
        let meta = if is_html(&response.headers) {
            crate::headers::PageMeta::from_html(&session.body)
        } else {
            crate::headers::PageMeta::default()
        };
        Some(Page {
            session,
            response,
            meta_csp: meta.csp,
            meta_referrer: meta.referrer.into_iter().collect(),
        })
    }

    fn is_https(&self) -> bool {
        self.session.start.scheme() == "https"
    }
}

fn is_html(headers: &Headers) -> bool {
    let mime = first(headers, "content-type").unwrap_or_default();
    let mime = mime.split(';').next().unwrap_or_default();
    mime == "text/html" || mime == "application/xhtml+xml"
}

/// Headers as Node hands them to the Observatory: a repeated header becomes one
/// value joined with ", " (Set-Cookie stays a list; a few, such as Content-Type
/// and Location, keep only the first).
fn values(headers: &Headers, name: &str) -> Vec<String> {
    const FIRST_ONLY: &[&str] = &[
        "age",
        "authorization",
        "content-length",
        "content-type",
        "etag",
        "expires",
        "from",
        "host",
        "if-modified-since",
        "if-unmodified-since",
        "last-modified",
        "location",
        "max-forwards",
        "proxy-authorization",
        "referer",
        "retry-after",
        "server",
        "user-agent",
    ];
    let all = headers.all(name);
    if all.is_empty() {
        return Vec::new();
    }
    let lower = name.to_ascii_lowercase();
    if lower == "set-cookie" {
        all.into_iter().map(str::to_owned).collect()
    } else if FIRST_ONLY.contains(&lower.as_str()) {
        vec![all[0].to_owned()]
    } else {
        vec![all.join(", ")]
    }
}

fn first(headers: &Headers, name: &str) -> Option<String> {
    values(headers, name).into_iter().next()
}

/// The first `n` characters (the Observatory's defensive `slice`).
fn prefix(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// A result only replaces the current one when it comes later in `order`.
fn only_if_worse(new: &'static str, old: Option<&'static str>, order: &[&str]) -> &'static str {
    match old {
        None => new,
        Some(old) => {
            let rank = |r: &str| order.iter().position(|o| *o == r).map_or(-1, |i| i as i64);
            if rank(new) > rank(old) { new } else { old }
        }
    }
}
