//! What the page lets browsers run, frame and sniff: Content-Security-Policy,
//! framing (frame-ancestors or X-Frame-Options) and X-Content-Type-Options.

use super::{Headers, PageMeta};
use crate::{Finding, Verdict};

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
