//! The subresource-integrity test: how the page's scripts are loaded.

use super::html::html_elements;
use super::{Observations, Page, is_html, only_if_worse};

pub(super) fn sri_test(obs: &Observations, page: &Page) -> (&'static str, bool) {
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
