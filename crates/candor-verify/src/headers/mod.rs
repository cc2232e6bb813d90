//! Checks on what a response's headers promise: HSTS, the first redirect, CSP,
//! framing, MIME sniffing, referrers, cookies and CORS.

mod content;
mod cookies;
mod cors;
mod referrer;
#[cfg(test)]
mod tests;
mod transport;

pub use content::{check_csp, check_framing, check_nosniff, parse_csp};
pub use cookies::check_cookies;
pub use cors::check_cors;
pub use referrer::{SAFE_REFERRER_POLICIES, UNSAFE_REFERRER_POLICIES, check_referrer};
pub use transport::{Hsts, check_hsts, check_redirect, parse_hsts};

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
