//! Checks on what a response's headers promise: HSTS, the first redirect, CSP,
//! framing, MIME sniffing, referrers, cookies and CORS.

use crate::{Finding, Verdict};

const YEAR: u64 = 31_536_000;
const HALF_YEAR: u64 = 180 * 86_400;

/// The response headers as received (name lowercased by the caller or not: names
/// are compared without case), in order, repeated headers kept apart.
#[derive(Clone, Debug, Default)]
pub struct Headers(pub Vec<(String, String)>);

impl Headers {
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn one(&self, name: &str) -> Option<&str> {
        self.all(name).into_iter().next()
    }
}

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

/// A parsed CSP: directive name → source list (lowercased names, sources as written).
pub fn parse_csp(policy: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for directive in policy.split(';').map(str::trim).filter(|d| !d.is_empty()) {
        let mut words = directive.split_ascii_whitespace();
        let Some(name) = words.next() else { continue };
        let name = name.to_ascii_lowercase();
        // The first occurrence of a directive wins (CSP3 §2.2.1).
        if out.iter().any(|(n, _)| *n == name) {
            continue;
        }
        out.push((name, words.map(str::to_owned).collect()));
    }
    out
}

fn directive<'a>(csp: &'a [(String, Vec<String>)], name: &str) -> Option<&'a [String]> {
    csp.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_slice())
}

/// CSP: enforced, and its script and object sources not open to injection.
/// What a page's HTML declares that browsers treat like headers: policies in
/// `<meta http-equiv="Content-Security-Policy">` and `<meta name="referrer">`.
#[derive(Clone, Debug, Default)]
pub struct PageMeta {
    pub csp: Vec<String>,
    pub referrer: Option<String>,
}

impl PageMeta {
    /// Reads the page's `<meta>` elements (any body: a non-HTML one has none),
    /// as the Observatory does: an element with both `http-equiv` and `content`
    /// counts only as a policy; otherwise `name="referrer"` sets the referrer
    /// policy, the last one winning.
    pub fn from_html(html: &str) -> PageMeta {
        let mut meta = PageMeta::default();
        for (_, attrs) in crate::observatory::html_elements(html, &["meta"]) {
            let attr = |n: &str| attrs.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
            match (attr("http-equiv"), attr("content")) {
                (Some(equiv), Some(content)) => {
                    if equiv.trim().eq_ignore_ascii_case("content-security-policy")
                        && !content.is_empty()
                    {
                        meta.csp.push(content.to_owned());
                    }
                }
                (_, content) => {
                    if let Some(content) = content.filter(|c| !c.is_empty())
                        && attr("name").is_some_and(|n| n.trim().eq_ignore_ascii_case("referrer"))
                    {
                        meta.referrer = Some(content.to_owned());
                    }
                }
            }
        }
        meta
    }
}

/// CSP from headers and `<meta>` (browsers enforce both; frame-ancestors only
/// counts in a header, which [`check_framing`] reads).
pub fn check_csp(headers: &Headers, meta: &PageMeta) -> Vec<Finding> {
    const C: &str = "csp";
    let mut enforced = headers.all("content-security-policy");
    enforced.extend(meta.csp.iter().map(String::as_str));
    if enforced.is_empty() {
        let code = if headers.one("content-security-policy-report-only").is_some() {
            "csp_report_only"
        } else {
            "csp_missing"
        };
        return vec![Finding::new(
            C,
            code,
            Verdict::Fail,
            "no enforced Content-Security-Policy header",
        )];
    }
    // Browsers enforce every policy: a script runs only if each one allows it.
    // So a weakness counts only when every policy permits it (the intersection;
    // a policy that does not restrict scripts, or plugins, permits all their
    // weaknesses), and is reported once, as the first policy that has it words it.
    const SCRIPT_WEAKNESSES: [&str; 3] = [
        "csp_unsafe_inline",
        "csp_unsafe_eval",
        "csp_insecure_scheme_source",
    ];
    let permits = |problems: &[Finding], code: &str| {
        let has = |c: &str| problems.iter().any(|f| f.code == c);
        has(code)
            || (SCRIPT_WEAKNESSES.contains(&code) && has("csp_no_script_src"))
            || (code == "csp_object_src_open" && has("csp_no_object_src"))
    };
    let per_policy: Vec<Vec<Finding>> = enforced.iter().map(|p| policy_problems(p)).collect();
    let mut out: Vec<Finding> = Vec::new();
    for finding in per_policy.iter().flatten() {
        if per_policy
            .iter()
            .all(|problems| permits(problems, finding.code))
            && !out.iter().any(|f| f.code == finding.code)
        {
            out.push(finding.clone());
        }
    }
    if out.is_empty() {
        out.push(Finding::pass(
            C,
            "enforced, scripts limited without unsafe-inline, unsafe-eval, data: or wildcards",
        ));
    }
    out
}

/// The weaknesses of one CSP policy on its own.
fn policy_problems(policy: &str) -> Vec<Finding> {
    const C: &str = "csp";
    let mut out = Vec::new();
    {
        let csp = parse_csp(policy);
        let script = directive(&csp, "script-src").or_else(|| directive(&csp, "default-src"));
        let object = directive(&csp, "object-src").or_else(|| directive(&csp, "default-src"));
        match script {
            None => out.push(Finding::new(
                C,
                "csp_no_script_src",
                Verdict::Fail,
                "neither script-src nor default-src restricts scripts",
            )),
            Some(sources) => {
                let lower: Vec<String> = sources.iter().map(|s| s.to_ascii_lowercase()).collect();
                let has = |s: &str| lower.iter().any(|x| x == s);
                let cancelled = lower.iter().any(|s| {
                    s.starts_with("'nonce-")
                        || s.starts_with("'sha256-")
                        || s.starts_with("'sha384-")
                        || s.starts_with("'sha512-")
                });
                if has("'unsafe-inline'") && !cancelled {
                    out.push(Finding::new(
                        C,
                        "csp_unsafe_inline",
                        Verdict::Fail,
                        "script sources allow 'unsafe-inline' (no nonce or hash cancels it)",
                    ));
                }
                if has("'strict-dynamic'") && !cancelled {
                    out.push(Finding::new(
                        C,
                        "csp_strict_dynamic_without_nonce",
                        Verdict::Warn,
                        "'strict-dynamic' without a nonce or hash: browsers that support it load no script at all",
                    ));
                }
                if has("'unsafe-eval'") {
                    out.push(Finding::new(
                        C,
                        "csp_unsafe_eval",
                        Verdict::Fail,
                        "script sources allow 'unsafe-eval'",
                    ));
                }
                if lower
                    .iter()
                    .any(|s| s == "data:" || s == "*" || s == "http:" || s == "https:")
                    && !has("'strict-dynamic'")
                {
                    out.push(Finding::new(
                        C,
                        "csp_insecure_scheme_source",
                        Verdict::Fail,
                        "script sources allow data:, a bare scheme or *",
                    ));
                }
            }
        }
        if let Some(sources) = object {
            if sources
                .iter()
                .any(|s| s == "*" || s.eq_ignore_ascii_case("data:"))
            {
                out.push(Finding::new(
                    C,
                    "csp_object_src_open",
                    Verdict::Fail,
                    "object-src allows data: or *",
                ));
            }
        } else {
            out.push(Finding::new(
                C,
                "csp_no_object_src",
                Verdict::Warn,
                "neither object-src nor default-src restricts plugins",
            ));
        }
    }
    out
}

/// Framing: CSP frame-ancestors, or X-Frame-Options DENY/SAMEORIGIN.
pub fn check_framing(headers: &Headers) -> Finding {
    const C: &str = "framing";
    let open = |sources: &[String]| {
        sources
            .iter()
            .any(|s| s == "*" || s == "https:" || s == "http:")
    };
    // Every policy is enforced: one that restricts framing is enough.
    let all: Vec<Vec<String>> = headers
        .all("content-security-policy")
        .iter()
        .filter_map(|p| directive(&parse_csp(p), "frame-ancestors").map(<[String]>::to_vec))
        .collect();
    let ancestors = all
        .iter()
        .find(|sources| !open(sources))
        .or(all.first())
        .cloned();
    if let Some(sources) = ancestors {
        if open(&sources) {
            return Finding::new(
                C,
                "frame_ancestors_open",
                Verdict::Fail,
                "frame-ancestors allows any site to frame the page",
            );
        }
        return Finding::pass(C, format!("frame-ancestors {}", sources.join(" ")));
    }
    match headers
        .one("x-frame-options")
        .map(|v| v.trim().to_ascii_uppercase())
    {
        Some(v) if v == "DENY" || v == "SAMEORIGIN" => {
            Finding::pass(C, format!("X-Frame-Options {v}"))
        }
        Some(v) => Finding::new(
            C,
            "xfo_invalid",
            Verdict::Fail,
            format!("X-Frame-Options {v:?} is not DENY or SAMEORIGIN"),
        ),
        None => Finding::new(
            C,
            "framing_unrestricted",
            Verdict::Fail,
            "neither frame-ancestors nor X-Frame-Options: any site can frame the page",
        ),
    }
}

pub fn check_nosniff(headers: &Headers) -> Finding {
    const C: &str = "x_content_type_options";
    match headers.one("x-content-type-options").map(str::trim) {
        Some(v) if v.eq_ignore_ascii_case("nosniff") => Finding::pass(C, "nosniff"),
        Some(v) => Finding::new(
            C,
            "xcto_invalid",
            Verdict::Fail,
            format!("X-Content-Type-Options is {v:?}, not nosniff"),
        ),
        None => Finding::new(
            C,
            "xcto_missing",
            Verdict::Fail,
            "no X-Content-Type-Options: nosniff",
        ),
    }
}

/// Referrer policies that send no full URL to another origin.
pub const SAFE_REFERRER_POLICIES: &[&str] = &[
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
];

/// Valid referrer policies that do.
pub const UNSAFE_REFERRER_POLICIES: &[&str] = &[
    "origin",
    "origin-when-cross-origin",
    "unsafe-url",
    "no-referrer-when-downgrade",
];

/// Referrer-Policy: one of the values that do not leak full URLs across origins.
/// A `<meta name="referrer">` comes after the header and wins.
pub fn check_referrer(headers: &Headers, meta: &PageMeta) -> Finding {
    const C: &str = "referrer_policy";
    const SAFE: &[&str] = SAFE_REFERRER_POLICIES;
    const UNSAFE: &[&str] = UNSAFE_REFERRER_POLICIES;
    let mut given: Vec<&str> = headers.all("referrer-policy");
    given.extend(meta.referrer.as_deref());
    let value = given.join(", ");
    if given.is_empty() {
        // Browsers default to strict-origin-when-cross-origin today.
        return Finding::new(
            C,
            "referrer_policy_missing",
            Verdict::Warn,
            "no Referrer-Policy (browsers default to strict-origin-when-cross-origin)",
        );
    }
    // The last recognised token wins (the fallback syntax).
    let effective = value
        .split(',')
        .map(|t| t.trim().to_ascii_lowercase())
        .rev()
        .find(|t| SAFE.contains(&t.as_str()) || UNSAFE.contains(&t.as_str()));
    match effective {
        Some(t) if SAFE.contains(&t.as_str()) => Finding::pass(C, t),
        Some(t) => Finding::new(
            C,
            "referrer_policy_unsafe",
            Verdict::Fail,
            format!("{t} sends full URLs or origins where it should not"),
        ),
        None => Finding::new(
            C,
            "referrer_policy_invalid",
            Verdict::Fail,
            format!("{value:?} is not a Referrer-Policy"),
        ),
    }
}

/// Why a cookie counts as a session cookie, if it does: a word of its name
/// (split at non-letters and case changes, so `csrftoken` is not `token`), or a
/// `__Host-`/`__Secure-` prefix. Anti-CSRF cookies are meant to be read by
/// scripts (double-submit), so they never count.
fn session_rule(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    if lower.contains("csrf") || lower.contains("xsrf") {
        return None;
    }
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        let boundary = !c.is_ascii_alphanumeric() || (c.is_ascii_uppercase() && previous_lower);
        if boundary && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        }
        previous_lower = c.is_ascii_lowercase();
    }
    if !word.is_empty() {
        words.push(word);
    }
    const SESSION_WORDS: [&str; 9] = [
        "session",
        "sessionid",
        "sess",
        "sid",
        "auth",
        "token",
        "login",
        "jwt",
        "remember",
    ];
    if let Some(w) = words.iter().find(|w| SESSION_WORDS.contains(&w.as_str())) {
        return Some(format!("its name has the word \"{w}\""));
    }
    if name.starts_with("__Host-") || name.starts_with("__Secure-") {
        return Some("a __Host- or __Secure- cookie".into());
    }
    None
}

/// Cookies: Secure, HttpOnly on session cookies, a valid SameSite (None needs
/// Secure), and the rules of the `__Host-` and `__Secure-` prefixes.
pub fn check_cookies(headers: &Headers) -> Vec<Finding> {
    const C: &str = "cookies";
    let cookies = headers.all("set-cookie");
    if cookies.is_empty() {
        return vec![Finding::pass(C, "no cookies set")];
    }
    let mut out = Vec::new();
    for cookie in cookies {
        let mut parts = cookie.split(';').map(str::trim);
        let name = parts
            .next()
            .and_then(|p| p.split_once('='))
            .map(|(n, _)| n.trim().to_owned())
            .unwrap_or_default();
        let attrs: Vec<(String, Option<String>)> = parts
            .map(|a| match a.split_once('=') {
                Some((k, v)) => (
                    k.trim().to_ascii_lowercase(),
                    Some(v.trim().to_ascii_lowercase()),
                ),
                None => (a.to_ascii_lowercase(), None),
            })
            .collect();
        let has = |k: &str| attrs.iter().any(|(n, _)| n == k);
        let same_site = attrs
            .iter()
            .find(|(n, _)| n == "samesite")
            .map(|(_, v)| v.clone().unwrap_or_default());
        let session_rule = session_rule(&name);
        if !has("secure") {
            out.push(Finding::new(
                C,
                "cookie_not_secure",
                Verdict::Fail,
                format!("{name} lacks Secure"),
            ));
        }
        if let Some(rule) = session_rule
            && !has("httponly")
        {
            out.push(Finding::new(
                C,
                "cookie_session_not_httponly",
                Verdict::Fail,
                format!("{name} looks like a session cookie ({rule}) and lacks HttpOnly"),
            ));
        }
        // RFC 6265bis 4.1.3: browsers drop a prefixed cookie that breaks its rules.
        if name.starts_with("__Host-") {
            let path_is_root = attrs
                .iter()
                .any(|(n, v)| n == "path" && v.as_deref() == Some("/"));
            let mut missing = Vec::new();
            if !has("secure") {
                missing.push("Secure");
            }
            if !path_is_root {
                missing.push("Path=/");
            }
            if has("domain") {
                missing.push("no Domain");
            }
            if !missing.is_empty() {
                out.push(Finding::new(
                    C,
                    "cookie_host_prefix_invalid",
                    Verdict::Fail,
                    format!(
                        "{name}: a __Host- cookie needs {}; browsers drop it",
                        missing.join(", ")
                    ),
                ));
            }
        } else if name.starts_with("__Secure-") && !has("secure") {
            out.push(Finding::new(
                C,
                "cookie_secure_prefix_invalid",
                Verdict::Fail,
                format!("{name}: a __Secure- cookie needs Secure; browsers drop it"),
            ));
        }
        match same_site.as_deref() {
            None => out.push(Finding::new(
                C,
                "cookie_no_samesite",
                Verdict::Warn,
                format!("{name} has no SameSite"),
            )),
            Some("strict" | "lax") => {}
            Some("none") if !has("secure") => out.push(Finding::new(
                C,
                "cookie_samesite_none_insecure",
                Verdict::Fail,
                format!("{name}: SameSite=None needs Secure"),
            )),
            Some("none") => {}
            Some(other) => out.push(Finding::new(
                C,
                "cookie_samesite_invalid",
                Verdict::Fail,
                format!("{name}: SameSite={other} is not Strict, Lax or None"),
            )),
        }
    }
    if out.is_empty() {
        out.push(Finding::pass(
            C,
            "every cookie Secure, session cookies HttpOnly, SameSite set",
        ));
    }
    out
}

/// CORS: a wildcard or reflected origin together with credentials exposes users' data.
pub fn check_cors(headers: &Headers, probe_origin: &str) -> Finding {
    const C: &str = "cors";
    let origin = headers.one("access-control-allow-origin").map(str::trim);
    let credentials = headers
        .one("access-control-allow-credentials")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    match origin {
        None => Finding::pass(C, "no cross-origin access granted"),
        Some(o)
            if credentials && (o == "*" || o.eq_ignore_ascii_case(probe_origin) || o == "null") =>
        {
            Finding::new(
                C,
                "cors_credentials_any_origin",
                Verdict::Fail,
                format!(
                    "Access-Control-Allow-Origin {o} with credentials: any site can read users' responses"
                ),
            )
        }
        Some("*") => Finding::new(
            C,
            "cors_public",
            Verdict::Warn,
            "Access-Control-Allow-Origin * (fine for public data, without credentials)",
        ),
        Some(o) => Finding::pass(C, format!("cross-origin access only for {o}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Headers {
        Headers(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    fn codes(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.code).collect()
    }

    #[test]
    fn hsts_verdicts() {
        let good = h(&[(
            "Strict-Transport-Security",
            "max-age=63072000; includeSubDomains; preload",
        )]);
        let f = check_hsts(&good, Some(true));
        assert_eq!(codes(&f), vec!["ok"]);
        assert!(f[0].message.contains("preload-eligible"));
        assert_eq!(codes(&check_hsts(&h(&[]), None)), vec!["hsts_missing"]);
        assert_eq!(
            codes(&check_hsts(
                &h(&[
                    ("strict-transport-security", "max-age=86400"),
                    ("Strict-Transport-Security", "max-age=86400")
                ]),
                None
            )),
            vec!["hsts_duplicate"]
        );
        assert_eq!(
            codes(&check_hsts(
                &h(&[(
                    "strict-transport-security",
                    "max-age=86400; includeSubDomains"
                )]),
                None
            )),
            vec!["hsts_short"]
        );
        assert_eq!(
            codes(&check_hsts(
                &h(&[(
                    "strict-transport-security",
                    "max-age=20000000; includeSubDomains"
                )]),
                None
            )),
            vec!["hsts_under_a_year"]
        );
        assert_eq!(
            codes(&check_hsts(
                &h(&[("strict-transport-security", "max-age=31536000")]),
                None
            )),
            vec!["hsts_no_subdomains"]
        );
        assert_eq!(
            codes(&check_hsts(
                &h(&[("strict-transport-security", "includeSubDomains")]),
                None
            )),
            vec!["hsts_invalid"]
        );
        assert_eq!(
            codes(&check_hsts(
                &h(&[("strict-transport-security", "max-age=1; max-age=2")]),
                None
            )),
            vec!["hsts_invalid"]
        );
        assert_eq!(
            codes(&check_hsts(
                &h(&[(
                    "strict-transport-security",
                    "max-age=31536000; includeSubDomains; preload"
                )]),
                Some(false)
            )),
            vec!["hsts_preload_ineligible"]
        );
    }

    #[test]
    fn redirect_verdicts() {
        assert_eq!(
            check_redirect("example.com", Some("https://example.com/")).code,
            "ok"
        );
        assert_eq!(
            check_redirect("example.com", Some("https://www.example.com/")).code,
            "redirect_off_host"
        );
        assert_eq!(
            check_redirect("example.com", Some("/login")).code,
            "redirect_not_https"
        );
        assert_eq!(check_redirect("example.com", None).code, "redirect_missing");
    }

    #[test]
    fn meta_elements_count_like_headers_except_frame_ancestors() {
        let meta = PageMeta::from_html(
            "<html><head><meta http-equiv=\"content-security-policy\" content=\"default-src &#39;self&#39;; frame-ancestors 'none'\">\
             <script>document.write('<meta name=referrer content=no-referrer>')</script>\
             <META NAME=referrer CONTENT=unsafe-url></head></html>",
        );
        assert_eq!(meta.csp, vec!["default-src 'self'; frame-ancestors 'none'"]);
        assert_eq!(meta.referrer.as_deref(), Some("unsafe-url"));
        assert_eq!(codes(&check_csp(&h(&[]), &meta)), vec!["ok"]);
        // A header says no-referrer; the page's own meta element comes later and wins.
        assert_eq!(
            check_referrer(&h(&[("referrer-policy", "no-referrer")]), &meta).code,
            "referrer_policy_unsafe"
        );
        // Browsers ignore frame-ancestors in a meta policy.
        assert_eq!(check_framing(&h(&[])).code, "framing_unrestricted");
        assert_eq!(
            codes(&check_csp(
                &h(&[(
                    "content-security-policy",
                    "script-src 'strict-dynamic' 'self'; object-src 'none'"
                )]),
                &PageMeta::default()
            )),
            vec!["csp_strict_dynamic_without_nonce"]
        );
    }

    #[test]
    fn csp_verdicts() {
        let csp = |p: &str| {
            codes(&check_csp(
                &h(&[("content-security-policy", p)]),
                &PageMeta::default(),
            ))
        };
        // Every enforced policy applies: a weakness counts only if all have it.
        let two = |a: &str, b: &str| {
            codes(&check_csp(
                &h(&[
                    ("content-security-policy", a),
                    ("content-security-policy", b),
                ]),
                &PageMeta::default(),
            ))
        };
        assert_eq!(
            two(
                "script-src 'self' 'unsafe-inline'; object-src 'none'",
                "script-src 'self'; object-src 'none'"
            ),
            vec!["ok"]
        );
        // A policy that leaves scripts alone lets the other one's weakness through.
        assert_eq!(
            two(
                "object-src 'none'",
                "script-src 'self' 'unsafe-eval'; object-src 'none'"
            ),
            vec!["csp_unsafe_eval"]
        );
        assert_eq!(
            two(
                "script-src 'self' 'unsafe-eval'; object-src 'none'",
                "script-src * 'unsafe-eval'; object-src 'none'"
            ),
            vec!["csp_unsafe_eval"]
        );
        // One policy that forbids framing is enough.
        let framing = check_framing(&h(&[
            ("content-security-policy", "frame-ancestors *"),
            ("content-security-policy", "frame-ancestors 'none'"),
        ]));
        assert_eq!(framing.verdict, Verdict::Pass, "{}", framing.message);
        assert_eq!(
            csp("default-src 'self'; frame-ancestors 'none'"),
            vec!["ok"]
        );
        assert_eq!(
            csp("default-src 'self'; script-src 'self' 'unsafe-inline'"),
            vec!["csp_unsafe_inline"]
        );
        assert_eq!(
            csp("default-src 'self'; script-src 'self' 'unsafe-inline' 'nonce-abc'"),
            vec!["ok"]
        );
        assert_eq!(
            csp("default-src 'self'; script-src 'self' 'unsafe-eval'"),
            vec!["csp_unsafe_eval"]
        );
        assert_eq!(
            csp("default-src 'self'; script-src data:"),
            vec!["csp_insecure_scheme_source"]
        );
        assert_eq!(
            csp("default-src *"),
            vec!["csp_insecure_scheme_source", "csp_object_src_open"]
        );
        assert_eq!(
            csp("img-src 'self'"),
            vec!["csp_no_script_src", "csp_no_object_src"]
        );
        assert_eq!(
            codes(&check_csp(
                &h(&[("content-security-policy-report-only", "default-src 'self'")]),
                &PageMeta::default()
            )),
            vec!["csp_report_only"]
        );
        assert_eq!(
            codes(&check_csp(&h(&[]), &PageMeta::default())),
            vec!["csp_missing"]
        );
    }

    #[test]
    fn framing_sniffing_referrer_cookies_cors() {
        assert_eq!(
            check_framing(&h(&[("content-security-policy", "frame-ancestors 'none'")])).code,
            "ok"
        );
        assert_eq!(
            check_framing(&h(&[("content-security-policy", "frame-ancestors *")])).code,
            "frame_ancestors_open"
        );
        assert_eq!(
            check_framing(&h(&[("x-frame-options", "sameorigin")])).code,
            "ok"
        );
        assert_eq!(
            check_framing(&h(&[("x-frame-options", "ALLOW-FROM https://a")])).code,
            "xfo_invalid"
        );
        assert_eq!(check_framing(&h(&[])).code, "framing_unrestricted");
        assert_eq!(
            check_nosniff(&h(&[("x-content-type-options", "nosniff")])).code,
            "ok"
        );
        assert_eq!(check_nosniff(&h(&[])).code, "xcto_missing");
        assert_eq!(
            check_referrer(
                &h(&[("referrer-policy", "no-referrer")]),
                &PageMeta::default()
            )
            .code,
            "ok"
        );
        assert_eq!(
            check_referrer(
                &h(&[("referrer-policy", "unsafe-url")]),
                &PageMeta::default()
            )
            .code,
            "referrer_policy_unsafe"
        );
        assert_eq!(
            check_referrer(
                &h(&[("referrer-policy", "unsafe-url, strict-origin")]),
                &PageMeta::default()
            )
            .code,
            "ok"
        );
        assert_eq!(
            check_referrer(&h(&[]), &PageMeta::default()).code,
            "referrer_policy_missing"
        );
        let cookie = |v: &str| codes(&check_cookies(&h(&[("set-cookie", v)])));
        assert_eq!(
            cookie("__Host-session=x; Path=/; Secure; HttpOnly; SameSite=Lax"),
            vec!["ok"]
        );
        assert_eq!(
            cookie("sessionid=x; Path=/; SameSite=Lax"),
            vec!["cookie_not_secure", "cookie_session_not_httponly"]
        );
        assert_eq!(cookie("theme=dark; Secure"), vec!["cookie_no_samesite"]);
        // Anti-CSRF cookies are read by scripts on purpose; "token" inside a word
        // is not the word token; the rule that matched is named.
        for name in ["csrftoken", "XSRF-TOKEN", "_csrf", "__Host-csrf"] {
            assert_eq!(
                cookie(&format!("{name}=x; Path=/; Secure; SameSite=Lax")),
                vec!["ok"],
                "{name}"
            );
        }
        assert_eq!(cookie("tokenizer_pref=x; Secure; SameSite=Lax"), vec!["ok"]);
        let auth = check_cookies(&h(&[("set-cookie", "authToken=x; Secure; SameSite=Lax")]));
        assert_eq!(
            auth[0].message,
            "authToken looks like a session cookie (its name has the word \"auth\") and lacks HttpOnly"
        );
        // RFC 6265bis: a __Host- cookie needs Secure, Path=/ and no Domain; a
        // __Secure- cookie needs Secure. Browsers drop the others.
        assert_eq!(
            cookie("__Host-id=x; Secure; HttpOnly; SameSite=Lax"),
            vec!["cookie_host_prefix_invalid"]
        );
        let host = check_cookies(&h(&[(
            "set-cookie",
            "__Host-id=x; Path=/app; Domain=example.com; HttpOnly; SameSite=Lax",
        )]));
        assert_eq!(
            host.iter()
                .find(|f| f.code == "cookie_host_prefix_invalid")
                .unwrap()
                .message,
            "__Host-id: a __Host- cookie needs Secure, Path=/, no Domain; browsers drop it"
        );
        assert_eq!(
            cookie("__Secure-id=x; HttpOnly; SameSite=Lax"),
            vec!["cookie_not_secure", "cookie_secure_prefix_invalid"]
        );
        assert_eq!(
            cookie("theme=dark; SameSite=None"),
            vec!["cookie_not_secure", "cookie_samesite_none_insecure"]
        );
        assert_eq!(
            cookie("theme=dark; Secure; SameSite=Sometimes"),
            vec!["cookie_samesite_invalid"]
        );
        assert_eq!(check_cors(&h(&[]), "https://evil.example").code, "ok");
        assert_eq!(
            check_cors(
                &h(&[
                    ("access-control-allow-origin", "https://evil.example"),
                    ("access-control-allow-credentials", "true")
                ]),
                "https://evil.example"
            )
            .code,
            "cors_credentials_any_origin"
        );
        assert_eq!(
            check_cors(
                &h(&[("access-control-allow-origin", "*")]),
                "https://evil.example"
            )
            .code,
            "cors_public"
        );
    }
}
