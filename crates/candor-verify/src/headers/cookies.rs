//! Set-Cookie: Secure, HttpOnly on session cookies, SameSite and the name prefixes.

use super::Headers;
use crate::{Finding, Verdict};

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
