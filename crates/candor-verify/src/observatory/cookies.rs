//! Cookies as the Observatory's cookie jar keeps them, and its cookies test.

use super::transport::hsts_test;
use super::{Observations, Page, PreloadList, Session, only_if_worse, values};

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

pub(super) fn invalid_same_site(raw: &str) -> bool {
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

pub(super) fn cookies_test(
    obs: &Observations,
    page: &Page,
    preload: &PreloadList,
) -> (&'static str, bool) {
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
