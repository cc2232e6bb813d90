//! The Observatory's CSP parser, and its content-security-policy test.

use std::collections::BTreeMap;

use super::{Page, first, values};

/// A parsed policy: directive → sources, in the order the Observatory keeps them.
pub type Csp = BTreeMap<String, Vec<String>>;

pub(super) const DUPLICATE_WARNINGS_KEY: &str = "_observatory_duplicate_key_warnings";

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
pub(super) fn collate(a: &str, b: &str) -> std::cmp::Ordering {
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

pub(super) struct CspOutcome {
    pub(super) result: &'static str,
    pub(super) pass: bool,
    /// The merged policy names frame-ancestors (X-Frame-Options reads this).
    pub(super) frame_ancestors: bool,
}

pub(super) fn csp_test(page: &Page) -> CspOutcome {
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
