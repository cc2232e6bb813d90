//! DNS TXT proofs of host control: an org proves it controls `HOST` by publishing
//! its token as a TXT record at `_candor-verification.HOST`, for hosts that serve
//! no web page of their own (an API, a mail host) or whose web server it cannot
//! change quickly.

use std::net::SocketAddr;

use hickory_resolver::Resolver;
use hickory_resolver::config::{NameServerConfig, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::RData;

/// The label under the host where the proof lives.
pub const PROOF_LABEL: &str = "_candor-verification";

/// The DNS name that holds `host`'s proof.
pub fn proof_name(host: &str) -> String {
    format!("{PROOF_LABEL}.{}.", host.trim_end_matches('.'))
}

/// The TXT values at `name` (each record's strings joined, as RFC 7208 §3.3
/// reads long TXT records); none when the name or its TXT records do not exist.
/// Err only when no answer came. `server`: ask this name server (UDP, then TCP)
/// instead of the system's resolvers.
pub async fn txt_values(
    name: &str,
    server: Option<SocketAddr>,
    timeout: std::time::Duration,
) -> Result<Vec<String>, String> {
    let resolver = match server {
        Some(addr) => {
            let mut server = NameServerConfig::udp_and_tcp(addr.ip());
            for connection in &mut server.connections {
                connection.port = addr.port();
            }
            Resolver::builder_with_config(
                ResolverConfig::from_name_servers(vec![server]),
                TokioRuntimeProvider::default(),
            )
            .build()
        }
        None => Resolver::builder_tokio().and_then(|b| b.build()),
    }
    .map_err(|e| format!("no DNS resolver: {e}"))?;
    let lookup = match tokio::time::timeout(timeout, resolver.txt_lookup(name))
        .await
        .map_err(|_| format!("no DNS answer for {name} within {} s", timeout.as_secs()))?
    {
        Ok(lookup) => lookup,
        // NXDOMAIN, or the name exists without TXT records: an answer, and empty.
        Err(e) if e.is_no_records_found() => return Ok(Vec::new()),
        Err(e) => return Err(format!("DNS lookup of {name} failed: {e}")),
    };
    Ok(lookup
        .answers()
        .iter()
        .filter_map(|record| match &record.data {
            RData::TXT(txt) => Some(
                txt.txt_data
                    .iter()
                    .map(|part| String::from_utf8_lossy(part))
                    .collect::<String>(),
            ),
            _ => None,
        })
        .collect())
}
