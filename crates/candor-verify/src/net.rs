//! Outbound HTTP that cannot be aimed at the operator's own network: every
//! address a host name resolves to must be public (no loopback, private,
//! link-local, CGNAT or documentation ranges), unless the operator allows it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// Special-purpose address blocks that are not globally reachable, or that embed
/// or translate to another address (so could lead back inside), from IANA's
/// IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and its updates).
const V4_SPECIAL: &[([u8; 4], u8)] = &[
    ([0, 0, 0, 0], 8),       // "this network"
    ([10, 0, 0, 0], 8),      // private
    ([100, 64, 0, 0], 10),   // shared address space (CGNAT)
    ([127, 0, 0, 0], 8),     // loopback
    ([169, 254, 0, 0], 16),  // link-local
    ([172, 16, 0, 0], 12),   // private
    ([192, 0, 0, 0], 24),    // IETF protocol assignments
    ([192, 0, 2, 0], 24),    // documentation
    ([192, 31, 196, 0], 24), // AS112
    ([192, 52, 193, 0], 24), // AMT
    ([192, 88, 99, 0], 24),  // deprecated 6to4 relay anycast
    ([192, 168, 0, 0], 16),  // private
    ([192, 175, 48, 0], 24), // direct delegation AS112
    ([198, 18, 0, 0], 15),   // benchmarking
    ([198, 51, 100, 0], 24), // documentation
    ([203, 0, 113, 0], 24),  // documentation
    ([224, 0, 0, 0], 4),     // multicast
    ([240, 0, 0, 0], 4),     // reserved, and the limited broadcast address
];

const V6_SPECIAL: &[([u16; 8], u8)] = &[
    ([0, 0, 0, 0, 0, 0, 0, 0], 96), // unspecified, loopback, IPv4-compatible
    ([0, 0, 0, 0, 0, 0xffff, 0, 0], 96), // IPv4-mapped (checked as IPv4 below)
    ([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96), // NAT64 well-known prefix
    ([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48), // local-use NAT64
    ([0x100, 0, 0, 0, 0, 0, 0, 0], 64), // discard-only
    ([0x2001, 0, 0, 0, 0, 0, 0, 0], 23), // IETF protocol assignments (Teredo among them)
    ([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32), // documentation
    ([0x2002, 0, 0, 0, 0, 0, 0, 0], 16), // 6to4
    ([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20), // documentation
    ([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16), // segment routing SIDs
    ([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7), // unique local
    ([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10), // link-local
    ([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10), // site-local (deprecated)
    ([0xff00, 0, 0, 0, 0, 0, 0, 0], 8), // multicast
];

fn in_v4(ip: Ipv4Addr, (net, bits): ([u8; 4], u8)) -> bool {
    let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

fn in_v6(ip: Ipv6Addr, (net, bits): ([u16; 8], u8)) -> bool {
    let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
    u128::from(ip) & mask == u128::from(Ipv6Addr::from(net)) & mask
}

/// True for addresses on the public internet: none of IANA's special-purpose
/// blocks, and no IPv6 form that embeds an IPv4 address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => !V4_SPECIAL.iter().any(|block| in_v4(v4, *block)),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            !V6_SPECIAL.iter().any(|block| in_v6(v6, *block))
        }
    }
}

/// Refuses a URL whose host is a literal non-public address (names are checked
/// after resolution by the client's resolver).
pub fn check_url(url: &url::Url, allow_private: bool) -> Result<(), String> {
    if allow_private {
        return Ok(());
    }
    let literal = match url.host() {
        Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        _ => None,
    };
    match literal {
        Some(ip) if !is_public(ip) => Err(format!("{ip} is not a public address")),
        _ => Ok(()),
    }
}

/// The one way Candor's scanner makes outbound requests: a client whose resolver
/// drops non-public addresses and that follows no redirects itself, plus a check
/// of every URL's literal address before it is sent, so that no caller can
/// forget it (redirects are followed by callers, through here, hop by hop).
#[derive(Clone)]
pub struct Guarded {
    client: reqwest::Client,
    allow_private: bool,
}

impl Guarded {
    /// `builder` must come from [`guarded_client_builder`] with the same `allow_private`.
    pub fn new(client: reqwest::Client, allow_private: bool) -> Guarded {
        Guarded {
            client,
            allow_private,
        }
    }

    /// A request to `url`, or why it may not be made.
    pub fn request(
        &self,
        method: reqwest::Method,
        url: &str,
    ) -> Result<reqwest::RequestBuilder, String> {
        let parsed = url::Url::parse(url).map_err(|_| format!("{url} is not a URL"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!("{url} is not an http(s) URL"));
        }
        check_url(&parsed, self.allow_private)?;
        Ok(self.client.request(method, parsed))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_purpose_addresses_are_not_public() {
        for text in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.1.2.3",
            "240.0.0.1",
            "255.255.255.255",
            "192.0.0.8",
            "198.18.0.1",
            "224.0.0.1",
            "::",
            "::1",
            "::127.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b:1::1",
            "2002:7f00:1::1",
            "2001::1",
            "2001:db8::1",
            "fec0::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "100::1",
        ] {
            let ip: IpAddr = text.parse().unwrap();
            assert!(!is_public(ip), "{text} should not be public");
        }
        for text in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700::1111",
            "2a00:1450::1",
            "::ffff:8.8.8.8",
        ] {
            let ip: IpAddr = text.parse().unwrap();
            assert!(is_public(ip), "{text} should be public");
        }
    }

    #[test]
    fn guarded_requests_refuse_literal_private_addresses() {
        let guarded = Guarded::new(guarded_client_builder(false).build().unwrap(), false);
        for url in [
            "https://127.0.0.1/key.asc",
            "https://[::1]:8443/",
            "http://[::127.0.0.1]/",
            "ftp://example.com/",
        ] {
            assert!(guarded.request(reqwest::Method::GET, url).is_err(), "{url}");
        }
        assert!(
            guarded
                .request(reqwest::Method::GET, "https://example.com/")
                .is_ok()
        );
        let open = Guarded::new(guarded_client_builder(true).build().unwrap(), true);
        assert!(
            open.request(reqwest::Method::GET, "https://127.0.0.1/")
                .is_ok()
        );
    }
}
