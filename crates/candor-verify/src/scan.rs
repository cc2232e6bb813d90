//! Fetching what the analysers judge: the plain-HTTP first hop, the page's
//! headers (with a CORS probe origin), and security.txt.

use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;

use crate::headers::{self, Headers};
use crate::observatory::{self, Hop, Observations, Session};
use crate::{Finding, Verdict, net, securitytxt};

/// The Origin sent to see whether the site grants it cross-origin access.
const PROBE_ORIGIN: &str = "https://candor-probe.invalid";

#[derive(Clone, Debug)]
pub struct ScanOptions {
    /// Allow loopback and private addresses (local test servers, closed networks).
    pub allow_private: bool,
    pub timeout: Duration,
    /// More trusted roots (PEM), for a private CA.
    pub extra_roots: Vec<Vec<u8>>,
    /// The plain-HTTP address whose first redirect is checked, when it is not
    /// `http://HOST/` (a non-default port).
    pub http_url: Option<String>,
    /// Fixed addresses for host names (like curl's --resolve): the port given here
    /// is used for HTTPS when the URL names none.
    pub resolve: Vec<(String, std::net::SocketAddr)>,
    /// The HSTS preload list the Observatory-rules grade consults.
    pub hsts_preload: std::sync::Arc<observatory::PreloadList>,
    /// The name server DNS proofs are looked up with; None: the system's.
    pub dns_server: Option<std::net::SocketAddr>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            allow_private: false,
            timeout: Duration::from_secs(10),
            extra_roots: Vec::new(),
            http_url: None,
            resolve: Vec::new(),
            hsts_preload: Default::default(),
            dns_server: None,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ScanReport {
    pub target: String,
    pub scanned_at: String,
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
    /// The score and grade the MDN HTTP Observatory's rules give the same site.
    pub observatory: ObservatoryOutcome,
    pub observed: Observed,
}

/// What the scan saw, as it saw it, so a verdict can be checked against the
/// observation it was drawn from (evidence keeps the part each check used).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Observed {
    /// The plain-HTTP request: its answer and where it sent the client.
    pub http_first_hop: Option<Exchange>,
    /// The HTTPS page: status and every response header.
    pub page: Option<Exchange>,
    pub certificate: Option<crate::tls::CertificateSeen>,
    /// Legacy protocols the server accepted (None: not probed).
    pub legacy_protocols_accepted: Option<Vec<&'static str>>,
    pub security_txt: Option<Exchange>,
}

/// One request as observed; `error` when nothing usable came back.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Exchange {
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    /// The body, for small text answers (security.txt), at most 4 KiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Exchange {
    fn of(url: &str, fetched: &Result<Fetched, String>, keep_body: bool) -> Exchange {
        match fetched {
            Ok(f) => Exchange {
                url: url.to_owned(),
                status: Some(f.status),
                headers: f
                    .headers
                    .0
                    .iter()
                    .map(|(name, value)| (name.clone(), redact_cookie(name, value)))
                    .collect(),
                body: keep_body.then(|| {
                    String::from_utf8_lossy(&f.body[..f.body.len().min(4096)]).into_owned()
                }),
                error: None,
            },
            Err(e) => Exchange {
                url: url.to_owned(),
                error: Some(e.clone()),
                ..Default::default()
            },
        }
    }
}

/// A Set-Cookie's value is the scanner's own session with the site: evidence is
/// published, so it keeps the cookie's name and attributes (what the checks
/// judge) and drops the value.
fn redact_cookie(name: &str, value: &str) -> String {
    if !name.eq_ignore_ascii_case("set-cookie") {
        return value.to_owned();
    }
    let (pair, attributes) = value.split_once(';').unwrap_or((value, ""));
    let cookie = match pair.split_once('=') {
        Some((cookie_name, _)) => format!("{cookie_name}=(value withheld)"),
        None => "(value withheld)".to_owned(),
    };
    if attributes.is_empty() {
        cookie
    } else {
        format!("{cookie};{attributes}")
    }
}

#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum ObservatoryOutcome {
    Graded(observatory::Grade),
    NotGraded { error: String },
}

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("{0} is not an http(s) URL with a host")]
    BadUrl(String),
    #[error("{0} is a private or loopback address (allow it with --allow-private)")]
    Private(String),
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    #[error("a trusted root is not a PEM certificate: {0}")]
    BadRoot(String),
}

struct Fetched {
    status: u16,
    headers: Headers,
    body: Vec<u8>,
    /// The server's certificate (DER), for HTTPS.
    certificate: Option<Vec<u8>>,
}

async fn fetch(client: &net::Guarded, url: &str, origin: bool) -> Result<Fetched, String> {
    let mut request = client.request(reqwest::Method::GET, url)?;
    if origin {
        request = request.header("origin", PROBE_ORIGIN);
    }
    fetch_request(request).await
}

async fn fetch_request(request: reqwest::RequestBuilder) -> Result<Fetched, String> {
    let response = request.send().await.map_err(|e| describe(&e))?;
    let status = response.status().as_u16();
    let certificate = response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|t| t.peer_certificate())
        .map(<[u8]>::to_vec);
    let headers = Headers(
        response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
    );
    // security.txt and pages are small; never read more than 1 MiB of anything.
    let mut body = Vec::new();
    let mut response = response;
    // A body cut short (many servers close without TLS close_notify) keeps what
    // arrived: the status and headers, which most checks judge, are complete.
    while let Ok(Some(chunk)) = response.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() > 1024 * 1024 {
            break;
        }
    }
    Ok(Fetched {
        status,
        headers,
        body,
        certificate,
    })
}

/// Redirects followed after the first hop before giving up.
const MAX_REDIRECTS: usize = 10;

/// Follows a redirect chain from `url` (an HTTPS URL the first hop led to):
/// a hop back to plain HTTP fails the redirect check, and a chain that does not
/// end warns. None when the chain ends on an HTTPS page (or cannot be fetched,
/// which the page's own fetch reports).
async fn chain_problem(client: &net::Guarded, mut url: url::Url) -> Option<Finding> {
    for _ in 0..MAX_REDIRECTS {
        if url.scheme() != "https" {
            return Some(Finding::new(
                "redirect",
                "redirect_downgrade",
                Verdict::Fail,
                format!("the redirect to HTTPS leads back to plain HTTP, at {url}"),
            ));
        }
        let fetched = fetch(client, url.as_str(), false).await.ok()?;
        if !(300..400).contains(&fetched.status) {
            return None;
        }
        url = url.join(fetched.headers.one("location")?).ok()?;
    }
    Some(Finding::new(
        "redirect",
        "redirect_chain_too_long",
        Verdict::Warn,
        format!("more than {MAX_REDIRECTS} redirects after the first hop to HTTPS"),
    ))
}

/// reqwest's error chain in one line (the TLS reason is deep inside it).
fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Scans one URL: the page at it, its host's plain-HTTP redirect (when the URL
/// uses the default ports) and its host's security.txt.
pub async fn scan(target: &str, options: &ScanOptions) -> Result<ScanReport, ScanError> {
    let url = url::Url::parse(target).map_err(|_| ScanError::BadUrl(target.into()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ScanError::BadUrl(target.into()));
    }
    let host = url
        .host_str()
        .ok_or_else(|| ScanError::BadUrl(target.into()))?
        .to_owned();
    let literal: Option<std::net::IpAddr> =
        host.trim_matches(|c| c == '[' || c == ']').parse().ok();
    if !options.allow_private && literal.is_some_and(|ip| !net::is_public(ip)) {
        return Err(ScanError::Private(host));
    }
    let client = client(options)?;
    let mut findings = Vec::new();
    let mut observed = Observed::default();
    let authority = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.clone(),
    };

    // Plain HTTP: checked on the default port, or when the URL itself is http.
    let mut https_first = None;
    let plain = match (&options.http_url, url.scheme()) {
        (Some(given), _) => Some(given.clone()),
        (None, "http") => Some(url.to_string()),
        (None, _) if url.port().is_none() => Some(format!("http://{host}/")),
        _ => None,
    };
    let first_hop = match &plain {
        Some(plain) => {
            let fetched = fetch(&client, plain, false).await;
            observed.http_first_hop = Some(Exchange::of(plain, &fetched, false));
            Some(fetched)
        }
        None => None,
    };
    match (plain, first_hop) {
        (Some(plain), Some(fetched)) => match fetched {
            Ok(f) if (300..400).contains(&f.status) => {
                let mut finding = headers::check_redirect(&host, f.headers.one("location"));
                // The first hop goes to HTTPS; the visitor must stay there.
                let next = f
                    .headers
                    .one("location")
                    .and_then(|l| url::Url::parse(&plain).ok()?.join(l).ok());
                if finding.verdict == Verdict::Pass
                    && let Some(next) = next
                    && let Some(problem) = chain_problem(&client, next).await
                {
                    finding = problem;
                }
                https_first = Some(finding.verdict == Verdict::Pass);
                findings.push(finding);
            }
            Ok(f) => {
                https_first = Some(false);
                findings.push(Finding::new(
                    "redirect",
                    "redirect_missing",
                    Verdict::Fail,
                    format!("{plain} answers {} without redirecting to HTTPS", f.status),
                ));
            }
            Err(_) => findings.push(Finding::pass(
                "redirect",
                format!("{plain} is not served (plain HTTP is closed)"),
            )),
        },
        _ => findings.push(Finding::new(
            "redirect",
            "redirect_not_checked",
            Verdict::Warn,
            "a non-default HTTPS port: the plain-HTTP redirect is not checked",
        )),
    }

    // The page over HTTPS (or as given, for http:// targets).
    let page_url = if url.scheme() == "https" {
        url.to_string()
    } else {
        let mut u = url.clone();
        let _ = u.set_scheme("https");
        u.to_string()
    };
    let fetched = fetch(&client, &page_url, true).await;
    observed.page = Some(Exchange::of(&page_url, &fetched, false));
    let page = match fetched {
        Ok(p) => Some(p),
        Err(e) => {
            let failure = tls_failure(&page_url, &e);
            // Behind HTTPS that browsers refuse, neither HSTS nor the redirect to
            // HTTPS protects anyone (browsers ignore HSTS sent over such a
            // connection), so neither may count as passing. The codes and words
            // name the real cause: a certificate, or a protocol or handshake.
            let certificate = matches!(
                failure.code,
                "tls_expired" | "tls_name_mismatch" | "tls_untrusted"
            );
            let (hsts_code, redirect_code, cause) = if certificate {
                (
                    "hsts_invalid_cert",
                    "redirect_invalid_cert",
                    "an invalid certificate",
                )
            } else {
                (
                    "hsts_unusable_https",
                    "redirect_unusable_https",
                    "HTTPS this client cannot use (protocol version or handshake)",
                )
            };
            if failure.code != "https_unreachable" {
                findings.push(Finding::new(
                    "hsts",
                    hsts_code,
                    Verdict::Fail,
                    format!("HSTS does not count behind {cause}"),
                ));
                if let Some(i) = findings
                    .iter()
                    .position(|f| f.check == "redirect" && f.verdict == Verdict::Pass)
                {
                    findings[i] = Finding::new(
                        "redirect",
                        redirect_code,
                        Verdict::Fail,
                        format!("the redirect leads to {cause}"),
                    );
                }
            }
            findings.push(failure);
            None
        }
    };
    if url.scheme() == "https" || page.is_some() {
        let fixed = options
            .resolve
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(&host))
            .map(|(_, addr)| *addr);
        let addr = match fixed {
            Some(addr) => Some(addr),
            None => tokio::net::lookup_host((host.as_str(), url.port().unwrap_or(443)))
                .await
                .ok()
                .and_then(|mut addrs| addrs.next()),
        }
        .filter(|a| options.allow_private || net::is_public(a.ip()));
        if let Some(addr) = addr {
            let name = literal.is_none().then_some(host.as_str());
            let legacy = crate::tls::probe_legacy(addr, name, options.timeout).await;
            findings.push(crate::tls::check_protocols(&legacy));
            observed.legacy_protocols_accepted = Some(legacy);
        }
    }
    if let Some(page) = &page {
        observed.certificate = page
            .certificate
            .as_deref()
            .and_then(crate::tls::describe_certificate);
        findings.push(crate::tls::check_certificate(
            page.certificate.as_deref(),
            OffsetDateTime::now_utc(),
        ));
        findings.extend(headers::check_hsts(&page.headers, https_first));
        let meta = headers::PageMeta::from_html(&String::from_utf8_lossy(&page.body));
        findings.extend(headers::check_csp(&page.headers, &meta));
        findings.push(headers::check_framing(&page.headers));
        findings.push(headers::check_nosniff(&page.headers));
        findings.push(headers::check_referrer(&page.headers, &meta));
        findings.extend(headers::check_cookies(&page.headers));
        findings.push(headers::check_cors(&page.headers, PROBE_ORIGIN));
    }

    // security.txt at the host's well-known address.
    let txt_url = format!("https://{authority}/.well-known/security.txt");
    let fetched = fetch(&client, &txt_url, false).await;
    observed.security_txt = Some(Exchange::of(&txt_url, &fetched, true));
    match fetched {
        Ok(f) if f.status == 200 => {
            findings.extend(securitytxt::check_retrieval(
                &txt_url,
                f.headers.one("content-type"),
            ));
            let (parsed, body_findings) =
                securitytxt::check_body(&f.body, &[&txt_url], OffsetDateTime::now_utc());
            if parsed.signed {
                let sibling = format!("https://{authority}/.well-known/openpgp-key.asc");
                let mut keys = parsed.values("encryption").to_vec();
                keys.push(sibling);
                findings.push(check_signature(&client, &f.body, &keys).await);
            }
            if body_findings.is_empty() {
                findings.push(Finding::pass("security_txt", "valid per RFC 9116"));
            }
            findings.extend(body_findings);
        }
        Ok(f) => findings.push(Finding::new(
            "security_txt",
            "no_security_txt",
            Verdict::Fail,
            format!("{txt_url} answers {}", f.status),
        )),
        Err(e) => findings.push(Finding::new(
            "security_txt",
            "no_security_txt",
            Verdict::Fail,
            format!("{txt_url}: {e}"),
        )),
    }
    let http_start = match (&options.http_url, url.scheme()) {
        (Some(given), _) => given.clone(),
        (None, "http") => url.to_string(),
        _ => {
            let mut plain = url.clone();
            let _ = plain.set_scheme("http");
            let _ = plain.set_port(None);
            plain.to_string()
        }
    };
    // The Observatory's sessions ask again for the first hop and the page: they
    // follow redirects and fail as a whole (an unreachable redirect target means
    // "no HTTP site" to it), where Candor's checks judge the first answer itself.
    let observations = observe(&host, &http_start, &page_url, options).await;
    let observatory = match observatory::grade(&observations, &options.hsts_preload) {
        Ok(grade) => ObservatoryOutcome::Graded(grade),
        Err(error) => ObservatoryOutcome::NotGraded { error },
    };
    let scanned_at = OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    Ok(ScanReport {
        target: target.to_owned(),
        scanned_at,
        verdict: crate::overall(&findings),
        findings,
        observatory,
        observed,
    })
}

/// What the Observatory's retriever fetches: `http://` and `https://` sessions that
/// follow redirects (retried without certificate checks after a certificate
/// error, and marked unverified), and a CORS preflight to where HTTPS ended up.
async fn observe(
    host: &str,
    http_start: &str,
    https_start: &str,
    options: &ScanOptions,
) -> Observations {
    let (http, https) = tokio::join!(
        observed_session(http_start, options),
        observed_session(https_start, options)
    );
    let mut cors = None;
    if let Some(session) = https.as_ref().or(http.as_ref())
        && let Some(last) = session.hops.last()
        && let Ok(client) = client_checking(options, session.verified)
    {
        let preflight = [
            ("access-control-request-method", "GET"),
            ("origin", observatory::CORS_ORIGIN),
        ];
        if let Ok((hops, _)) =
            follow(&client, reqwest::Method::OPTIONS, &last.url, &preflight).await
        {
            cors = hops.last().map(|h| h.headers.clone());
        }
    }
    Observations {
        host: host.to_owned(),
        http,
        https,
        cors,
    }
}

async fn observed_session(start: &str, options: &ScanOptions) -> Option<Session> {
    let start = url::Url::parse(start).ok()?;
    let accept = [(
        "accept",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    )];
    let verified = client_checking(options, true).ok()?;
    let (hops, body, verified) =
        match follow(&verified, reqwest::Method::GET, &start, &accept).await {
            Ok((hops, body)) => (hops, body, true),
            Err(e) if is_certificate_error(&e) => {
                let unverified = client_checking(options, false).ok()?;
                let (hops, body) = follow(&unverified, reqwest::Method::GET, &start, &accept)
                    .await
                    .ok()?;
                (hops, body, false)
            }
            Err(_) => return None,
        };
    Some(Session {
        start,
        hops,
        verified,
        body,
    })
}

/// Follows up to [`observatory::MAX_REDIRECTS`] redirects, recording every answer.
async fn follow(
    client: &net::Guarded,
    method: reqwest::Method,
    start: &url::Url,
    headers: &[(&str, &str)],
) -> Result<(Vec<Hop>, String), String> {
    let mut url = start.clone();
    let mut hops = Vec::new();
    loop {
        // Every hop goes through the guard: a redirect to a private address stops here.
        let mut request = client.request(method.clone(), url.as_str())?;
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let fetched = fetch_request(request).await?;
        let location = fetched.headers.one("location").map(str::to_owned);
        hops.push(Hop {
            url: url.clone(),
            status: fetched.status,
            headers: fetched.headers,
        });
        let redirect = matches!(fetched.status, 301 | 302 | 303 | 307 | 308);
        match location.and_then(|l| url.join(&l).ok()) {
            Some(next) if redirect && hops.len() <= observatory::MAX_REDIRECTS => url = next,
            _ => return Ok((hops, String::from_utf8_lossy(&fetched.body).into_owned())),
        }
    }
}

/// The client every scan uses: guarded, no redirects, the operator's extra roots
/// and fixed addresses.
fn client(options: &ScanOptions) -> Result<net::Guarded, ScanError> {
    client_checking(options, true)
}

/// As [`client`]; with `verify_certificates` false it accepts any certificate,
/// which only the Observatory-rules grade uses, to see the page behind one.
fn client_checking(
    options: &ScanOptions,
    verify_certificates: bool,
) -> Result<net::Guarded, ScanError> {
    let mut builder = net::guarded_client_builder(options.allow_private)
        .danger_accept_invalid_certs(!verify_certificates);
    for pem in &options.extra_roots {
        let cert =
            reqwest::Certificate::from_pem(pem).map_err(|e| ScanError::BadRoot(e.to_string()))?;
        builder = builder.add_root_certificate(cert);
    }
    for (name, addr) in &options.resolve {
        builder = builder.resolve(name, *addr);
    }
    builder
        .tls_info(true)
        .timeout(options.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Candor-Verify/", env!("CARGO_PKG_VERSION")))
        .build()
        .map(|client| net::Guarded::new(client, options.allow_private))
        .map_err(|e| ScanError::Client(e.to_string()))
}

/// The status and text at `url` (at most 4 KiB), for proving control of a host:
/// no redirects, the same guards as a scan. Err only when nothing answered.
pub async fn fetch_proof(url: &str, options: &ScanOptions) -> Result<(u16, String), String> {
    let parsed = url::Url::parse(url).map_err(|_| format!("{url} is not a URL"))?;
    let host = parsed.host_str().unwrap_or_default();
    let literal: Option<std::net::IpAddr> =
        host.trim_matches(|c| c == '[' || c == ']').parse().ok();
    if !options.allow_private && literal.is_some_and(|ip| !net::is_public(ip)) {
        return Err(format!("{host} is a private address"));
    }
    let client = client(options).map_err(|e| e.to_string())?;
    let fetched = fetch(&client, url, false).await?;
    let body = &fetched.body[..fetched.body.len().min(4096)];
    Ok((fetched.status, String::from_utf8_lossy(body).into_owned()))
}

/// Whether a connection failed on the certificate (not on the network).
fn is_certificate_error(error: &str) -> bool {
    matches!(
        classify_tls_error(error).0,
        "tls_expired" | "tls_name_mismatch" | "tls_untrusted"
    )
}

/// Why an HTTPS connection failed, in the terms of certificate problems.
fn tls_failure(url: &str, error: &str) -> Finding {
    let (code, what) = classify_tls_error(error);
    Finding::new(
        "tls",
        code,
        Verdict::Fail,
        format!("{what}: {url} ({error})"),
    )
}

fn classify_tls_error(error: &str) -> (&'static str, &'static str) {
    let lower = error.to_ascii_lowercase();
    if lower.contains("expired") {
        ("tls_expired", "the certificate has expired")
    } else if lower.contains("notvalidforname") || lower.contains("not valid for name") {
        (
            "tls_name_mismatch",
            "the certificate does not name this host",
        )
    } else if lower.contains("unknownissuer")
        || lower.contains("unknown issuer")
        || lower.contains("self-signed")
        || lower.contains("selfsigned")
        || lower.contains("invalid peer certificate")
    {
        (
            "tls_untrusted",
            "the certificate is not signed by a trusted authority",
        )
    } else if lower.contains("invalidcontenttype") || lower.contains("corrupt message") {
        ("https_unreachable", "the port does not speak TLS")
    } else if lower.contains("protocolversion") || lower.contains("protocol version") {
        (
            "tls_old_protocol_only",
            "the server offers no TLS version this client accepts (1.2 or 1.3)",
        )
    } else if lower.contains("handshake") || lower.contains("alert") {
        (
            "tls_handshake_failed",
            "the TLS handshake failed (no protocol version or cipher suite in common)",
        )
    } else {
        ("https_unreachable", "no HTTPS connection")
    }
}

/// A signed security.txt must verify with a key the site publishes: one of its
/// `Encryption:` keys, or a signing key beside it at
/// `/.well-known/openpgp-key.asc` (where a sign-only key lives, since an
/// `Encryption:` key is one researchers must be able to encrypt to). `keys` are
/// tried in turn: one that verifies passes; keys that were fetched and none verified fail.
async fn check_signature(client: &net::Guarded, body: &[u8], keys: &[String]) -> Finding {
    const C: &str = "security_txt";
    let text = String::from_utf8_lossy(body);
    let mut problems = Vec::new();
    let mut mismatches = Vec::new();
    for url in keys.iter().filter(|u| u.starts_with("https://")) {
        let key = match fetch(client, url, false).await {
            Ok(f) if f.status == 200 => String::from_utf8_lossy(&f.body).into_owned(),
            Ok(f) => {
                problems.push(format!("{url} answers {}", f.status));
                continue;
            }
            Err(e) => {
                problems.push(format!("{url}: {e}"));
                continue;
            }
        };
        match securitytxt::verify_signature(&text, &key) {
            Ok(()) => {
                return Finding::pass(
                    C,
                    format!("OpenPGP signature verifies with the key at {url}"),
                );
            }
            Err(e) => mismatches.push(format!("{e} ({url})")),
        }
    }
    if !mismatches.is_empty() {
        return Finding::new(C, "signature_invalid", Verdict::Fail, mismatches.join("; "));
    }
    Finding::new(
        C,
        "signature_key_unavailable",
        Verdict::Warn,
        if problems.is_empty() {
            "signed, but no https key to check the signature with".to_owned()
        } else {
            format!(
                "signed, but no published key could be fetched: {}",
                problems.join("; ")
            )
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scanned host's security.txt names its key by URL: a loopback URL there
    /// must not make the scanner connect to the operator's own machine.
    #[tokio::test]
    async fn encryption_urls_on_private_addresses_are_not_fetched() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let client = client(&ScanOptions::default()).unwrap();
        let signed =
            b"-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nContact: mailto:a@example.com\n";
        let urls = [
            format!("https://127.0.0.1:{port}/key.asc"),
            format!("https://[::ffff:127.0.0.1]:{port}/key.asc"),
        ];
        let finding = check_signature(&client, signed, &urls).await;
        assert_eq!(finding.code, "signature_key_unavailable");
        assert!(
            finding.message.contains("not a public address"),
            "{}",
            finding.message
        );
        let connected =
            tokio::time::timeout(std::time::Duration::from_millis(200), listener.accept()).await;
        assert!(
            connected.is_err(),
            "the scanner connected to a loopback listener"
        );
    }

    #[test]
    fn published_observations_keep_cookie_attributes_not_values() {
        assert_eq!(
            redact_cookie("Set-Cookie", "sid=s3cr3t; Path=/; Secure; HttpOnly"),
            "sid=(value withheld); Path=/; Secure; HttpOnly"
        );
        assert_eq!(
            redact_cookie("set-cookie", "sid=s3cr3t"),
            "sid=(value withheld)"
        );
        assert_eq!(redact_cookie("set-cookie", "junk"), "(value withheld)");
        assert_eq!(
            redact_cookie("Location", "https://a/?x=1"),
            "https://a/?x=1"
        );
    }
}
