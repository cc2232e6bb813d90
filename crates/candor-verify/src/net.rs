//! Outbound HTTP that cannot be aimed at the operator's own network: every
//! address a host name resolves to must be public (no loopback, private,
//! link-local, CGNAT or documentation ranges), unless the operator allows it.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// True for addresses on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                // Carrier-grade NAT and benchmarking ranges.
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19)))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// Resolves names and drops every non-public address, so a host name that points
/// at 127.0.0.1 or 10.0.0.0/8 cannot be used to reach internal services.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

/// A reqwest builder on rustls (ring) whose resolver drops non-public addresses,
/// unless `allow_private`. Literal IP addresses in URLs skip resolution: callers
/// check them with [`is_public`] first.
pub fn guarded_client_builder(allow_private: bool) -> reqwest::ClientBuilder {
    // reqwest is built without a default provider (no aws-lc); ring is the one
    // stack. Installing fails harmlessly if the binary already did.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let builder = reqwest::Client::builder();
    if allow_private {
        builder
    } else {
        builder.dns_resolver(Arc::new(PublicOnly))
    }
}
