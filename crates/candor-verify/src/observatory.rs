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

// ---------------------------------------------------------------- CSP parser

/// A parsed policy: directive → sources, in the order the Observatory keeps them.
pub type Csp = BTreeMap<String, Vec<String>>;

const DUPLICATE_WARNINGS_KEY: &str = "_observatory_duplicate_key_warnings";

#[derive(Clone, Debug)]
struct Source {
    source: String,
    index: usize,
    keep: bool,
}

/// The Observatory's CSP parser: several policies (headers and `<meta>`) merge
/// into one in which a source counts only if every policy that names the
/// directive allows it. None for a policy it calls invalid (too short, a repeated
/// directive other than report-uri/report-to, a bad percent-escape).
pub fn parse_csp(policies: &[String]) -> Option<Csp> {
    let clean: Vec<String> = policies
        .iter()
        .map(|p| p.replace(['\r', '\n'], "").trim().to_owned())
        .collect();
    if clean.is_empty() {
        return Some(Csp::new());
    }
    // "img-src".length - 1: the shortest policy the Observatory accepts.
    if clean.iter().any(|p| p.encode_utf16().count() < 6) {
        return None;
    }
    let mut csp: BTreeMap<String, Vec<Source>> = BTreeMap::new();
    let mut duplicates: Vec<String> = Vec::new();
    for (index, policy) in clean.iter().enumerate() {
        let mut seen: Vec<String> = Vec::new();
        for entry in policy.split(';') {
            let mut words = entry.split_whitespace();
            let Some(name) = words.next() else {
                continue;
            };
            let directive = name.to_lowercase();
            if seen.contains(&directive) {
                if directive == "report-uri" || directive == "report-to" {
                    if !duplicates.contains(&directive) {
                        duplicates.push(directive.clone());
                    }
                } else {
                    return None;
                }
            } else {
                seen.push(directive.clone());
            }
            let keep = index == 0;
            let mut values: Vec<Source> = words
                .map(|w| Source {
                    source: w.trim().to_lowercase(),
                    index,
                    keep,
                })
                .collect();
            if values.is_empty() && directive.ends_with("-src") {
                values.push(Source {
                    source: "'none'".into(),
                    index,
                    keep,
                });
            }
            let mut combined = if index == 0 {
                values
            } else {
                let mut earlier = csp.remove(&directive).unwrap_or_default();
                earlier.extend(values);
                earlier
            };
            combined.sort_by(|a, b| collate(&a.source, &b.source));
            for i in 1..combined.len() {
                let (before, after) = combined.split_at_mut(i);
                let prev = &before[i - 1];
                let current = &mut after[0];
                // From the same policy, a longer source is covered by a shorter one.
                if current.index == prev.index && current.source.starts_with(&prev.source) {
                    current.keep = false;
                }
                // A source counts only if it exists in both policies.
                if current.index != prev.index && path_part_match(&prev.source, &current.source)? {
                    current.keep = true;
                }
            }
            let mut kept: Vec<Source> = combined.into_iter().filter(|s| s.keep).collect();
            // With more policies to come, the first one's sources are only kept
            // when a later policy allows them too.
            if index == 0 && policies.len() > 1 {
                for source in &mut kept {
                    source.keep = false;
                }
            }
            csp.insert(directive, kept);
        }
    }
    let mut out: Csp = csp
        .into_iter()
        .map(|(directive, sources)| {
            let mut unique: Vec<String> = Vec::new();
            for s in sources {
                if !unique.contains(&s.source) {
                    unique.push(s.source);
                }
            }
            if unique.is_empty() {
                unique.push("'none'".into());
            }
            (directive, unique)
        })
        .collect();
    if !duplicates.is_empty() {
        out.insert(DUPLICATE_WARNINGS_KEY.into(), duplicates);
    }
    Some(out)
}

/// A `<meta>` policy, without the directives browsers ignore there.
pub fn parse_csp_meta(policies: &[String]) -> Option<Csp> {
    let mut csp = parse_csp(policies)?;
    for directive in ["frame-ancestors", "report-uri", "sandbox"] {
        csp.remove(directive);
    }
    Some(csp)
}

/// Orders sources as `Intl.Collator("en")` does for ASCII: spaces, then
/// punctuation and symbols in CLDR root order, then digits, then letters.
fn collate(a: &str, b: &str) -> std::cmp::Ordering {
    const ORDER: &str = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz";
    let key = |c: char| -> u32 {
        let lower = c.to_ascii_lowercase();
        match ORDER.find(lower) {
            Some(i) => i as u32,
            None => 1000 + c as u32,
        }
    };
    a.chars().map(key).cmp(b.chars().map(key))
}

/// The Observatory's `pathPartMatch` (applied to whole sources, as it does).
fn path_part_match(a: &str, b: &str) -> Option<bool> {
    if a.is_empty() || (a == "/" && b.is_empty()) {
        return Some(true);
    }
    let exact = !a.ends_with('/');
    let mut parts_a: Vec<&str> = a.split('/').collect();
    let parts_b: Vec<&str> = b.split('/').collect();
    if parts_a.len() > parts_b.len() || (exact && parts_a.len() != parts_b.len()) {
        return Some(false);
    }
    if !exact {
        parts_a.pop();
    }
    for (x, y) in parts_a.iter().zip(&parts_b) {
        if decode_uri_component(x)? != decode_uri_component(y)? {
            return Some(false);
        }
    }
    Some(true)
}

/// JavaScript's `decodeURIComponent`: None where it throws.
fn decode_uri_component(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

// ---------------------------------------------------------------- the tests

const DANGEROUSLY_BROAD: &[&str] = &[
    "ftp:",
    "http:",
    "https:",
    "*",
    "http://*",
    "http://*.*",
    "https://*",
    "https://*.*",
];

fn broad(s: &str) -> bool {
    DANGEROUSLY_BROAD.contains(&s)
}

fn broad_or_inline(s: &str) -> bool {
    broad(s) || s == "'unsafe-inline'" || s == "data:"
}

fn nonce_or_hash(sources: &[String]) -> bool {
    sources.iter().any(|s| {
        ["'sha256-", "'sha384-", "'sha512-", "'nonce-"]
            .iter()
            .any(|p| s.starts_with(p))
    })
}

struct CspOutcome {
    result: &'static str,
    pass: bool,
    /// The merged policy names frame-ancestors (X-Frame-Options reads this).
    frame_ancestors: bool,
}

fn csp_test(page: &Page) -> CspOutcome {
    let outcome = |result, pass| CspOutcome {
        result,
        pass,
        frame_ancestors: false,
    };
    let http = values(&page.response.headers, "content-security-policy");
    let all: Vec<String> = http.iter().chain(&page.meta_csp).cloned().collect();
    let Some(mut csp) = parse_csp(&all) else {
        return outcome("csp-header-invalid", false);
    };
    let http_only = parse_csp(&http).unwrap_or_default();
    let meta = parse_csp_meta(&page.meta_csp).unwrap_or_default();
    if http_only.len() + meta.len() == 0 {
        let reporting = first(
            &page.response.headers,
            "content-security-policy-report-only",
        )
        .is_some_and(|v| !v.is_empty());
        return outcome(
            if reporting {
                "csp-not-implemented-but-reporting-enabled"
            } else {
                "csp-not-implemented"
            },
            false,
        );
    }
    // (The Observatory also reads base-uri, form-action and the header's
    // frame-ancestors into its report data; none of them moves the score.)
    let any = || vec!["*".to_owned()];
    // script-src, style-src and object-src fall back to default-src, and then
    // share its set: removing a source from one removes it from the others.
    let fallback = |csp: &Csp, name: &str| -> Option<String> {
        [name, "default-src"]
            .into_iter()
            .find(|d| csp.contains_key(*d))
            .map(str::to_owned)
    };
    let script_key = fallback(&csp, "script-src");
    let style_key = fallback(&csp, "style-src");
    let object_key = fallback(&csp, "object-src");
    let mut own_script = any();
    let mut own_style = any();
    let own_object = any();
    fn set<'a>(
        csp: &'a mut Csp,
        key: &Option<String>,
        own: &'a mut Vec<String>,
    ) -> &'a mut Vec<String> {
        match key {
            Some(k) => csp.entry(k.clone()).or_default(),
            None => own,
        }
    }
    for (key, own) in [(&script_key, &mut own_script), (&style_key, &mut own_style)] {
        let sources = set(&mut csp, key, own);
        if nonce_or_hash(sources) {
            sources.retain(|s| s != "'unsafe-inline'");
        }
    }
    let mut result: Option<&'static str> = None;
    {
        let script = set(&mut csp, &script_key, &mut own_script);
        let strict_dynamic = script.iter().any(|s| s == "'strict-dynamic'");
        if nonce_or_hash(script) && strict_dynamic {
            script.retain(|s| {
                !(DANGEROUSLY_BROAD.iter().any(|b| s.starts_with(b))
                    || s == "'self'"
                    || s == "'unsafe-inline'")
            });
        } else if strict_dynamic {
            result = Some("csp-header-invalid");
        }
    }
    let get = |csp: &Csp, key: &Option<String>, own: &Vec<String>| -> Vec<String> {
        match key {
            Some(k) => csp.get(k).cloned().unwrap_or_default(),
            None => own.clone(),
        }
    };
    let script = get(&csp, &script_key, &own_script);
    let style = get(&csp, &style_key, &own_style);
    let object = get(&csp, &object_key, &own_object);
    let passive_directives = ["img-src", "media-src"];
    let mut active: Vec<String> = csp
        .iter()
        .filter(|(d, _)| !passive_directives.contains(&d.as_str()) && *d != "script-src")
        .flat_map(|(_, s)| s.iter().cloned())
        .collect();
    active.extend(script.iter().cloned());
    let passive: Vec<String> = passive_directives
        .iter()
        .flat_map(|d| {
            csp.get(*d)
                .or_else(|| csp.get("default-src"))
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    let insecure = |s: &String| s.starts_with("http:") || s.starts_with("ftp:");
    let mut set_once = |r: &'static str| {
        if result.is_none() {
            result = Some(r);
        }
    };
    if script.iter().any(|s| broad_or_inline(s)) || object.iter().any(|s| broad(s)) {
        set_once("csp-implemented-with-unsafe-inline");
    }
    if page.is_https() && active.iter().any(insecure) {
        set_once("csp-implemented-with-insecure-scheme");
    }
    if script.iter().chain(&style).any(|s| s == "'unsafe-eval'") {
        set_once("csp-implemented-with-unsafe-eval");
    }
    if page.is_https() && passive.iter().any(insecure) {
        set_once("csp-implemented-with-insecure-scheme-in-passive-content-only");
    }
    if style.iter().any(|s| broad_or_inline(s)) {
        set_once("csp-implemented-with-unsafe-inline-in-style-src-only");
    }
    let default_none = csp
        .get("default-src")
        .is_some_and(|d| d.len() == 1 && d[0] == "'none'");
    set_once(if default_none {
        "csp-implemented-with-no-unsafe-default-src-none"
    } else {
        "csp-implemented-with-no-unsafe"
    });
    let mut result = result.unwrap_or("csp-implemented-with-no-unsafe");
    let pass = matches!(
        result,
        "csp-implemented-with-no-unsafe"
            | "csp-implemented-with-no-unsafe-default-src-none"
            | "csp-implemented-with-unsafe-inline-in-style-src-only"
            | "csp-implemented-with-insecure-scheme-in-passive-content-only"
    );
    if pass && csp.contains_key(DUPLICATE_WARNINGS_KEY) {
        result = "csp-implemented-but-duplicate-directives";
    }
    CspOutcome {
        result,
        pass,
        frame_ancestors: csp.contains_key("frame-ancestors"),
    }
}

fn xfo_test(page: &Page, csp: &CspOutcome) -> (&'static str, bool) {
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

fn xcto_test(page: &Page) -> (&'static str, bool) {
    let result = match first(&page.response.headers, "x-content-type-options") {
        Some(value) if prefix(&value, 256).trim().eq_ignore_ascii_case("nosniff") => {
            "x-content-type-options-nosniff"
        }
        Some(_) => "x-content-type-options-header-invalid",
        None => "x-content-type-options-not-implemented",
    };
    (result, result == "x-content-type-options-nosniff")
}

fn corp_test(page: &Page) -> (&'static str, bool) {
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

fn cors_test(obs: &Observations) -> (&'static str, bool) {
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
fn cors_reflects_with_credentials(obs: &Observations) -> bool {
    obs.cors.as_ref().is_some_and(|headers| {
        first(headers, "access-control-allow-origin").as_deref() == Some(CORS_ORIGIN)
            && first(headers, "access-control-allow-credentials")
                .is_some_and(|c| c.trim().eq_ignore_ascii_case("true"))
    })
}

fn referrer_test(page: &Page) -> (&'static str, bool) {
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

/// JavaScript's `parseInt(s, 10)`; None for NaN.
fn parse_int(s: &str) -> Option<f64> {
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

fn hsts_test(obs: &Observations, preload: &PreloadList) -> (&'static str, bool) {
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

fn redirection_test(obs: &Observations, preload: &PreloadList) -> (&'static str, bool) {
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

/// A cookie as the Observatory's cookie jar (tough-cookie 5) stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JarCookie {
    pub name: String,
    pub domain: String,
    pub path: String,
    pub secure: bool,
    pub http_only: bool,
    /// strict, lax or none; None when absent or not one of those.
    pub same_site: Option<&'static str>,
}

/// Parses one Set-Cookie value as tough-cookie does; None when it refuses it.
pub fn parse_set_cookie(value: &str, url: &url::Url) -> Option<JarCookie> {
    let value = value.trim();
    let (pair, attributes) = match value.split_once(';') {
        Some((p, a)) => (p, Some(a)),
        None => (value, None),
    };
    let pair = pair.split(['\n', '\r', '\0']).next().unwrap_or_default();
    let eq = pair.find('=').filter(|&i| i > 0)?;
    let name = pair[..eq].trim();
    let content = pair[eq + 1..].trim();
    let control = |s: &str| s.chars().any(|c| (c as u32) < 0x20);
    if control(name) || control(content) {
        return None;
    }
    let mut cookie = JarCookie {
        name: name.to_owned(),
        domain: String::new(),
        path: String::new(),
        secure: false,
        http_only: false,
        same_site: None,
    };
    let mut domain_attr: Option<String> = None;
    let mut path_attr: Option<String> = None;
    for av in attributes.unwrap_or_default().split(';').map(str::trim) {
        if av.is_empty() {
            continue;
        }
        let (key, val) = match av.split_once('=') {
            Some((k, v)) => (k.trim().to_lowercase(), Some(v.trim())),
            None => (av.to_lowercase(), None),
        };
        match key.as_str() {
            "domain" => {
                let d = val.unwrap_or_default().trim_start_matches('.');
                if !d.is_empty() {
                    domain_attr = Some(d.to_lowercase());
                }
            }
            "path" => path_attr = val.filter(|v| v.starts_with('/')).map(str::to_owned),
            "secure" => cookie.secure = true,
            "httponly" => cookie.http_only = true,
            "samesite" => {
                cookie.same_site = match val.unwrap_or_default().to_lowercase().as_str() {
                    "strict" => Some("strict"),
                    "lax" => Some("lax"),
                    "none" => Some("none"),
                    _ => None,
                }
            }
            _ => {}
        }
    }
    let host = url.host_str().unwrap_or_default().to_lowercase();
    let host_only = domain_attr.is_none();
    cookie.domain = match domain_attr {
        Some(d) => {
            let is_ip = host.parse::<std::net::IpAddr>().is_ok()
                || host
                    .trim_matches(['[', ']'])
                    .parse::<std::net::IpAddr>()
                    .is_ok();
            let matches = host == d || (!is_ip && host.ends_with(&format!(".{d}")));
            if !matches {
                return None;
            }
            d
        }
        None => host,
    };
    cookie.path = path_attr.unwrap_or_else(|| {
        // RFC 6265's default-path: the request path up to its last slash.
        let path = url.path();
        match path.rfind('/') {
            Some(i) if i > 0 && path.starts_with('/') => path[..i].to_owned(),
            _ => "/".to_owned(),
        }
    });
    // Cookie prefixes (silently dropped when not met).
    if cookie.name.starts_with("__Secure-") && !cookie.secure {
        return None;
    }
    if cookie.name.starts_with("__Host-") && !(cookie.secure && host_only && cookie.path == "/") {
        return None;
    }
    Some(cookie)
}

/// The cookies a session's responses leave in a jar, in the order first set.
pub fn cookie_jar(session: &Session) -> Vec<JarCookie> {
    let mut jar: Vec<JarCookie> = Vec::new();
    for hop in &session.hops {
        for value in values(&hop.headers, "set-cookie") {
            let Some(cookie) = parse_set_cookie(&value, &hop.url) else {
                continue;
            };
            let same = |c: &JarCookie| {
                c.name == cookie.name && c.domain == cookie.domain && c.path == cookie.path
            };
            match jar.iter_mut().find(|c| same(c)) {
                Some(old) => *old = cookie,
                None => jar.push(cookie),
            }
        }
    }
    jar
}

fn invalid_same_site(raw: &str) -> bool {
    raw.trim().split(';').any(|part| {
        let mut pieces = part.trim().split('=');
        let key = pieces.next().unwrap_or_default();
        let value = pieces.next();
        key.trim().eq_ignore_ascii_case("samesite")
            && match value {
                None | Some("") => true,
                Some(v) => !["lax", "strict", "none"].contains(&v.trim().to_lowercase().as_str()),
            }
    })
}

fn cookies_test(obs: &Observations, page: &Page, preload: &PreloadList) -> (&'static str, bool) {
    const ORDER: &[&str] = &[
        "cookies-without-secure-flag-but-protected-by-hsts",
        "cookies-without-secure-flag",
        "cookies-session-without-secure-flag-but-protected-by-hsts",
        "cookies-samesite-flag-invalid",
        "cookies-anticsrf-without-samesite-flag",
        "cookies-session-without-httponly-flag",
        "cookies-session-without-secure-flag",
    ];
    let hsts = hsts_test(obs, preload).1;
    let mut result: Option<&'static str> = None;
    let worse = |r: &'static str, result: &mut Option<&'static str>| {
        *result = Some(only_if_worse(r, *result, ORDER));
    };
    for raw in values(&page.response.headers, "set-cookie") {
        if invalid_same_site(&raw) {
            worse("cookies-samesite-flag-invalid", &mut result);
        }
    }
    let jar: Vec<JarCookie> = cookie_jar(page.session)
        .into_iter()
        .filter(|c| !c.name.is_empty() && c.name != "heroku-session-affinity")
        .collect();
    if jar.is_empty() {
        return ("cookies-not-found", true);
    }
    let mut missing_same_site = false;
    for cookie in &jar {
        let name = cookie.name.to_lowercase();
        let session = name.contains("login") || name.contains("sess");
        let anticsrf = name.contains("csrf");
        if !cookie.secure && cookie.same_site == Some("none") {
            worse("cookies-samesite-flag-invalid", &mut result);
        }
        if !cookie.secure {
            worse(
                if hsts {
                    "cookies-without-secure-flag-but-protected-by-hsts"
                } else {
                    "cookies-without-secure-flag"
                },
                &mut result,
            );
        }
        if anticsrf && cookie.same_site.is_none() {
            worse("cookies-anticsrf-without-samesite-flag", &mut result);
        }
        if session && !cookie.secure {
            worse(
                if hsts {
                    "cookies-session-without-secure-flag-but-protected-by-hsts"
                } else {
                    "cookies-session-without-secure-flag"
                },
                &mut result,
            );
        }
        if session && !cookie.http_only {
            worse("cookies-session-without-httponly-flag", &mut result);
        }
        missing_same_site |= cookie.same_site.is_none();
    }
    let result = result.unwrap_or(if missing_same_site {
        "cookies-secure-with-httponly-sessions"
    } else {
        "cookies-secure-with-httponly-sessions-and-samesite"
    });
    let pass = matches!(
        result,
        "cookies-secure-with-httponly-sessions-and-samesite"
            | "cookies-secure-with-httponly-sessions"
    );
    (result, pass)
}

fn sri_test(obs: &Observations, page: &Page) -> (&'static str, bool) {
    const ORDER: &[&str] = &[
        "sri-implemented-and-all-scripts-loaded-securely",
        "sri-implemented-and-external-scripts-loaded-securely",
        "sri-implemented-but-external-scripts-not-loaded-securely",
        "sri-not-implemented-but-external-scripts-loaded-securely",
        "sri-not-implemented-and-external-scripts-not-loaded-securely",
        "sri-not-implemented-response-not-html",
    ];
    let result = if !is_html(&page.response.headers) {
        "sri-not-implemented-response-not-html"
    } else {
        let site = registrable_domain(&obs.host);
        let scripts = html_elements(&page.session.body, &["script"]);
        let mut result: Option<&'static str> = None;
        let mut foreign = false;
        for (_, attrs) in &scripts {
            let attr = |n: &str| attrs.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
            let Some(raw) = attr("src") else { continue };
            // The DOM's `src`: absolute URLs normalised, others as written.
            let src = match url::Url::parse(raw.trim()) {
                Ok(u) => u.to_string(),
                Err(_) => raw.to_owned(),
            };
            if src.is_empty() {
                continue;
            }
            let integrity = attr("integrity").is_some_and(|i| !i.is_empty());
            let relative_protocol =
                src.starts_with("//") && src.as_bytes().get(2).is_some_and(|&c| c != b'/');
            let full = src.starts_with("http://") || src.starts_with("https://");
            let (relative_origin, same_site) = if relative_protocol {
                (false, true)
            } else if full {
                let host = url::Url::parse(&src)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned))
                    .unwrap_or_default();
                (false, registrable_domain(&host) == site)
            } else {
                (true, true)
            };
            let secure_origin = relative_origin || (same_site && !relative_protocol);
            if !secure_origin {
                foreign = true;
            }
            let secure_scheme = if relative_protocol || relative_origin {
                relative_origin && page.is_https()
            } else {
                url::Url::parse(&src).is_ok_and(|u| u.scheme() == "https")
            };
            if !secure_origin {
                if integrity && !secure_scheme {
                    result = Some(only_if_worse(
                        "sri-implemented-but-external-scripts-not-loaded-securely",
                        result,
                        ORDER,
                    ));
                } else if !integrity && secure_scheme {
                    result = Some(only_if_worse(
                        "sri-not-implemented-but-external-scripts-loaded-securely",
                        result,
                        ORDER,
                    ));
                } else if !integrity && !secure_scheme {
                    result = Some(only_if_worse(
                        "sri-not-implemented-and-external-scripts-not-loaded-securely",
                        result,
                        ORDER,
                    ));
                }
            } else if integrity && secure_scheme && result.is_none() {
                result = Some("sri-implemented-and-all-scripts-loaded-securely");
            }
        }
        if scripts.is_empty() {
            "sri-not-implemented-but-no-scripts-loaded"
        } else {
            result.unwrap_or(if foreign {
                "sri-implemented-and-external-scripts-loaded-securely"
            } else {
                "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"
            })
        }
    };
    let pass = matches!(
        result,
        "sri-implemented-and-all-scripts-loaded-securely"
            | "sri-implemented-and-external-scripts-loaded-securely"
            | "sri-not-implemented-response-not-html"
            | "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"
            | "sri-not-implemented-but-no-scripts-loaded"
    );
    (result, pass)
}

/// The registrable domain (eTLD+1) of a host name; None for IP addresses and
/// bare suffixes, as the Observatory's tldts answers.
fn registrable_domain(host: &str) -> Option<String> {
    let host = host.trim_matches(['[', ']']).to_lowercase();
    if host.parse::<std::net::IpAddr>().is_ok() {
        return None;
    }
    psl::domain_str(&host).map(str::to_owned)
}

// ---------------------------------------------------------------- HTML

/// Start tags named in `wanted`, with their attributes (names lowercased, first
/// of a repeated name kept, character references decoded). Comments, end tags
/// and the text of raw-text elements (script, style, …) are skipped, as an HTML
/// parser would, so a `<meta>` written inside a script is not seen.
pub fn html_elements(html: &str, wanted: &[&str]) -> Vec<(String, Vec<(String, String)>)> {
    const RAW_TEXT: &[&str] = &[
        "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
    ];
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(offset) = html[i..].find('<') {
        i += offset;
        let rest = &html[i..];
        if rest.starts_with("<!--") {
            i = rest
                .get(4..)
                .and_then(|r| r.find("-->"))
                .map_or(html.len(), |e| i + 4 + e + 3);
            continue;
        }
        let next = bytes.get(i + 1).copied().unwrap_or(b' ');
        if matches!(next, b'!' | b'?' | b'/') {
            i = rest.find('>').map_or(html.len(), |e| i + e + 1);
            continue;
        }
        if !next.is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < bytes.len()
            && !matches!(
                bytes[j],
                b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>'
            )
        {
            j += 1;
        }
        let name = html[i + 1..j].to_ascii_lowercase();
        let mut attrs: Vec<(String, String)> = Vec::new();
        loop {
            while j < bytes.len()
                && matches!(bytes[j], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/')
            {
                j += 1;
            }
            if j >= bytes.len() {
                break;
            }
            if bytes[j] == b'>' {
                j += 1;
                break;
            }
            let start = j;
            j += 1;
            while j < bytes.len()
                && !matches!(
                    bytes[j],
                    b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>' | b'='
                )
            {
                j += 1;
            }
            let attr = html[start..j].to_ascii_lowercase();
            while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c') {
                j += 1;
            }
            let mut value = String::new();
            if bytes.get(j) == Some(&b'=') {
                j += 1;
                while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
                {
                    j += 1;
                }
                match bytes.get(j) {
                    Some(&q) if q == b'"' || q == b'\'' => {
                        let end = html[j + 1..]
                            .find(q as char)
                            .map_or(html.len(), |e| j + 1 + e);
                        value = decode_entities(&html[j + 1..end]);
                        j = (end + 1).min(html.len());
                    }
                    _ => {
                        let start = j;
                        while j < bytes.len()
                            && !matches!(bytes[j], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'>')
                        {
                            j += 1;
                        }
                        value = decode_entities(&html[start..j]);
                    }
                }
            }
            if !attrs.iter().any(|(k, _)| *k == attr) {
                attrs.push((attr, value));
            }
        }
        if wanted.contains(&name.as_str()) {
            out.push((name.clone(), attrs));
        }
        i = j;
        if RAW_TEXT.contains(&name.as_str()) {
            let close = format!("</{name}");
            let lower = html[i..].to_ascii_lowercase();
            i = lower.find(&close).map_or(html.len(), |e| i + e);
        }
    }
    out
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let entity = &rest[1..e];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let number = entity.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => number.parse().ok(),
                    };
                    code.and_then(char::from_u32)
                }
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn parsed(policies: &[&str]) -> Option<Vec<(String, Vec<String>)>> {
        let owned: Vec<String> = policies.iter().map(|p| p.to_string()).collect();
        parse_csp(&owned).map(|m| m.into_iter().collect())
    }

    fn entry(d: &str, s: &[&str]) -> (String, Vec<String>) {
        (d.into(), s.iter().map(|x| x.to_string()).collect())
    }

    /// An Origin reflected with credentials: the Observatory 1.4.8 gives it 0
    /// ("restricted access", its universal-access rule never matches); the port
    /// gives the same, notes the difference, and Candor's own check fails it.
    #[test]
    fn a_reflected_origin_with_credentials_scores_as_the_observatory_scores_it() {
        let obs = Observations {
            host: "h".into(),
            http: None,
            https: None,
            cors: Some(Headers(vec![
                ("access-control-allow-origin".into(), CORS_ORIGIN.into()),
                ("access-control-allow-credentials".into(), "true".into()),
            ])),
        };
        assert_eq!(
            cors_test(&obs),
            (
                "cross-origin-resource-sharing-implemented-with-restricted-access",
                true
            )
        );
        assert!(cors_reflects_with_credentials(&obs));
        let ours = crate::headers::check_cors(obs.cors.as_ref().unwrap(), CORS_ORIGIN);
        assert_eq!(ours.code, "cors_credentials_any_origin");
    }

    /// Expected values are what the Observatory's own parseCsp printed for the
    /// same input (node, @mdn/mdn-http-observatory 1.4.8).
    #[test]
    fn policies_merge_as_the_observatory_merges_them() {
        assert_eq!(
            parsed(&[
                "default-src 'self' https://a.example.com/js/; img-src *",
                "default-src 'self' https://a.example.com/js/app.js; img-src 'none'",
            ])
            .unwrap(),
            vec![
                entry(
                    "default-src",
                    &["'self'", "https://a.example.com/js/app.js"]
                ),
                entry("img-src", &["'none'"]),
            ]
        );
        assert_eq!(
            parsed(&[
                "script-src 'self' https://cdn.example.com https://cdn.example.com/x",
                "script-src https://cdn.example.com/x/y.js",
            ])
            .unwrap(),
            vec![entry("script-src", &["'none'"])]
        );
        assert_eq!(
            parsed(&["default-src 'self'", "script-src 'self'"]).unwrap(),
            vec![
                entry("default-src", &["'self'"]),
                entry("script-src", &["'none'"])
            ]
        );
        assert_eq!(
            parsed(&["default-src 'self'; report-uri /a; report-uri /b"]).unwrap(),
            vec![
                entry(DUPLICATE_WARNINGS_KEY, &["report-uri"]),
                entry("default-src", &["'self'"]),
                entry("report-uri", &["/b"]),
            ]
        );
        assert_eq!(
            parsed(&["default-src 'self'; object-src"]).unwrap(),
            vec![
                entry("default-src", &["'self'"]),
                entry("object-src", &["'none'"])
            ]
        );
        assert!(parsed(&["img-s"]).is_none());
        assert!(parsed(&["default-src 'self'; default-src 'none'"]).is_none());
        assert!(
            parsed(&[
                "default-src https://a.example.com/%E0%A4%A",
                "default-src https://a.example.com/%E0%A4%A"
            ])
            .is_none()
        );
    }

    #[test]
    fn sources_sort_as_intl_collator_en_does() {
        let mut v = vec![
            "https://a.com/x",
            "https://a.com.evil",
            "https://a.com",
            "*",
            "'none'",
            "1.example",
        ];
        v.sort_by(|a, b| collate(a, b));
        assert_eq!(
            v,
            vec![
                "'none'",
                "*",
                "1.example",
                "https://a.com",
                "https://a.com.evil",
                "https://a.com/x"
            ]
        );
    }

    #[test]
    fn the_grade_chart() {
        assert_eq!(grade_for_score(130), ("A+", 130));
        assert_eq!(grade_for_score(100), ("A+", 100));
        assert_eq!(grade_for_score(99), ("A", 99));
        assert_eq!(grade_for_score(85), ("A-", 85));
        assert_eq!(grade_for_score(64), ("C+", 64));
        assert_eq!(grade_for_score(25), ("D-", 25));
        assert_eq!(grade_for_score(-40), ("F", 0));
    }

    #[test]
    fn cookies_enter_the_jar_as_tough_cookie_lets_them() {
        let url = url::Url::parse("https://app.example.com/a/b").unwrap();
        let c = parse_set_cookie("sid=1; Secure; HttpOnly; SameSite=LAX", &url).unwrap();
        assert_eq!(
            (c.path.as_str(), c.same_site, c.secure, c.http_only),
            ("/a", Some("lax"), true, true)
        );
        assert_eq!(
            parse_set_cookie("x=1; SameSite=bogus", &url)
                .unwrap()
                .same_site,
            None
        );
        assert!(parse_set_cookie("novalue", &url).is_none());
        assert!(parse_set_cookie("x=1; Domain=other.example", &url).is_none());
        assert_eq!(
            parse_set_cookie("x=1; Domain=.example.com", &url)
                .unwrap()
                .domain,
            "example.com"
        );
        // Prefixed cookies that break their prefix's rules are dropped silently.
        assert!(parse_set_cookie("__Host-a=1; Secure; Path=/a", &url).is_none());
        assert!(parse_set_cookie("__Secure-a=1", &url).is_none());
        assert!(parse_set_cookie("__Host-a=1; Secure; Path=/", &url).is_some());
        assert!(invalid_same_site("a=1; SameSite"));
        assert!(invalid_same_site("a=1; samesite=Relaxed"));
        assert!(!invalid_same_site("a=1; SameSite=None; Secure"));
    }

    #[test]
    fn repeated_headers_reach_the_tests_as_node_joins_them() {
        let h = Headers(vec![
            ("Strict-Transport-Security".into(), "max-age=1".into()),
            ("strict-transport-security".into(), "max-age=2".into()),
            ("Content-Type".into(), "text/html".into()),
            ("content-type".into(), "text/plain".into()),
            ("set-cookie".into(), "a=1".into()),
            ("set-cookie".into(), "b=2".into()),
        ]);
        assert_eq!(
            values(&h, "strict-transport-security"),
            vec!["max-age=1, max-age=2"]
        );
        assert_eq!(values(&h, "content-type"), vec!["text/html"]);
        assert_eq!(values(&h, "set-cookie").len(), 2);
    }

    #[test]
    fn preload_lists_in_either_format() {
        let observatory = PreloadList::from_json(
            r#"{"example.com": {"mode": "force-https", "includeSubDomains": true}, "a.test": {"mode": "force-https"}}"#,
        )
        .unwrap();
        assert!(observatory.covers("www.example.com") && observatory.covers("a.test"));
        assert!(!observatory.covers("www.a.test"));
        let chromium = PreloadList::from_json(
            "{\n// comment\n\"entries\": [{\"name\": \"bank.test\", \"policy\": \"custom\", \"mode\": \"force-https\", \"include_subdomains\": true}, {\"name\": \"pinned.test\"}]}",
        )
        .unwrap();
        assert_eq!(chromium.len(), 1);
        assert!(chromium.covers("login.bank.test") && !chromium.covers("pinned.test"));
        assert!(PreloadList::from_json("[1]").is_err());
    }

    proptest::proptest! {
        #[test]
        fn parsers_never_panic(input in "\\PC{0,200}", markup in "[<>!/='\"a-z &#;x0-9\u{e9}-]{0,200}") {
            let url = url::Url::parse("https://example.com/a").unwrap();
            let _ = parse_csp(&[input.clone(), markup.clone()]);
            let _ = parse_set_cookie(&input, &url);
            let _ = invalid_same_site(&input);
            let _ = html_elements(&markup, &["meta", "script", "a"]);
            let _ = html_elements(&input, &["meta"]);
            let _ = decode_entities(&markup);
            let _ = parse_int(&input);
        }
    }

    #[test]
    fn html_scanning_skips_comments_and_script_text() {
        let found = html_elements(
            "<!-- <script src=a></script> --><SCRIPT src='/b.js' integrity=\"sha384-x\">if (a<b) {}</script>\
             <p title='>'><script src=//cdn.test/c.js></script><img src=x>",
            &["script"],
        );
        let srcs: Vec<&str> = found
            .iter()
            .map(|(_, a)| a.iter().find(|(k, _)| k == "src").unwrap().1.as_str())
            .collect();
        assert_eq!(srcs, vec!["/b.js", "//cdn.test/c.js"]);
    }
}
