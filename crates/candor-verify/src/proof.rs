//! Proof that an org controls a host: its token as a DNS TXT record at
//! `_candor-verification.HOST`, or on a line of
//! `https://HOST/.well-known/candor-verification.txt`. Checked when the org
//! verifies the host and again before every scheduled scan of it.

use crate::scan::ScanOptions;

pub const WELL_KNOWN_PATH: &str = "/.well-known/candor-verification.txt";

/// Why neither place holds the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoProof {
    pub reason: String,
    /// Both DNS and the web server answered, without the token: the proof is
    /// gone, not merely out of reach for a moment.
    pub answered: bool,
}

impl std::fmt::Display for NoProof {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

/// Looks for `token` in DNS, then at the well-known URL. Ok names the proof
/// found.
pub async fn prove(host: &str, token: &str, options: &ScanOptions) -> Result<String, NoProof> {
    let name = crate::dns::proof_name(host);
    let (dns, dns_answered) =
        match crate::dns::txt_values(&name, options.dns_server, options.timeout).await {
            Ok(values) if values.iter().any(|v| v.trim() == token) => {
                return Ok(format!("DNS TXT at {name}"));
            }
            Ok(values) if values.is_empty() => (format!("no TXT record at {name}"), true),
            Ok(_) => (
                format!("the TXT records at {name} do not hold the token"),
                true,
            ),
            Err(e) => (e, false),
        };
    let url = format!("https://{host}{WELL_KNOWN_PATH}");
    let (web, web_answered) = match crate::scan::fetch_proof(&url, options).await {
        Ok((200, body)) if body.lines().any(|l| l.trim() == token) => return Ok(url),
        Ok((200, _)) => (format!("{url} does not contain the token"), true),
        Ok((status, _)) => (format!("{url} answers {status}"), true),
        Err(e) => (format!("cannot fetch {url}: {e}"), false),
    };
    Err(NoProof {
        reason: format!("{dns}; {web}"),
        answered: dns_answered && web_answered,
    })
}
