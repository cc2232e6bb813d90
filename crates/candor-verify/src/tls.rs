//! TLS: the certificate the server presented (its chain and name were already
//! checked by rustls when the connection was made).

use time::OffsetDateTime;

use crate::{Finding, Verdict};

const CHECK: &str = "tls";

/// What a certificate says, as observed (kept with evidence).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CertificateSeen {
    pub subject: String,
    pub issuer: String,
    pub not_before: String,
    pub not_after: String,
    /// Subject alternative names (DNS names and IP addresses).
    pub names: Vec<String>,
}

/// The certificate's subject, issuer, validity and names; None if unreadable.
pub fn describe_certificate(der: &[u8]) -> Option<CertificateSeen> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let when = |t: x509_parser::time::ASN1Time| {
        OffsetDateTime::from_unix_timestamp(t.timestamp())
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default()
    };
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                x509_parser::extensions::GeneralName::DNSName(n) => names.push((*n).to_owned()),
                x509_parser::extensions::GeneralName::IPAddress(ip) => match ip.len() {
                    4 => {
                        names.push(std::net::Ipv4Addr::new(ip[0], ip[1], ip[2], ip[3]).to_string())
                    }
                    16 => {
                        let mut octets = [0u8; 16];
                        octets.copy_from_slice(ip);
                        names.push(std::net::Ipv6Addr::from(octets).to_string());
                    }
                    _ => {}
                },
                _ => {}
            }
        }
    }
    Some(CertificateSeen {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        not_before: when(cert.validity().not_before),
        not_after: when(cert.validity().not_after),
        names,
    })
}

/// Days left on a certificate: warn under 30.
pub fn check_certificate(der: Option<&[u8]>, now: OffsetDateTime) -> Finding {
    let Some(der) = der else {
        return Finding::new(
            CHECK,
            "tls_no_certificate",
            Verdict::Warn,
            "no certificate information from the connection",
        );
    };
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
        return Finding::new(
            CHECK,
            "tls_unreadable_certificate",
            Verdict::Warn,
            "the certificate could not be read",
        );
    };
    let not_after = cert.validity().not_after.timestamp();
    let days = (not_after - now.unix_timestamp()).div_euclid(86_400);
    if days < 30 {
        Finding::new(
            CHECK,
            "tls_expires_soon",
            Verdict::Warn,
            format!("chain and host name valid; the certificate expires in {days} days"),
        )
    } else {
        Finding::pass(
            CHECK,
            format!("chain and host name valid; {days} days to expiry"),
        )
    }
}

/// Protocol versions rustls will not speak, probed with a hand-built ClientHello.
pub const LEGACY_VERSIONS: &[(u16, &str)] = &[
    (0x0300, "SSL 3.0"),
    (0x0301, "TLS 1.0"),
    (0x0302, "TLS 1.1"),
];

/// A ClientHello offering only `version`, with the cipher suites servers of that
/// era accept (RSA and ECDSA, CBC and RC4-free).
pub fn legacy_client_hello(version: u16, server_name: Option<&str>, random: [u8; 32]) -> Vec<u8> {
    const SUITES: &[u16] = &[
        0xc00a, 0xc009, 0xc014, 0xc013, 0x0039, 0x0033, 0x0035, 0x002f, 0x000a,
    ];
    let mut extensions = Vec::new();
    if let Some(name) = server_name {
        let name = name.as_bytes();
        let list_len = name.len() + 3;
        extensions.extend_from_slice(&[0x00, 0x00]);
        extensions.extend_from_slice(&((list_len + 2) as u16).to_be_bytes());
        extensions.extend_from_slice(&(list_len as u16).to_be_bytes());
        extensions.push(0x00);
        extensions.extend_from_slice(&(name.len() as u16).to_be_bytes());
        extensions.extend_from_slice(name);
    }
    // supported_groups: x25519, secp256r1, secp384r1
    extensions.extend_from_slice(&[
        0x00, 0x0a, 0x00, 0x08, 0x00, 0x06, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18,
    ]);
    // ec_point_formats: uncompressed
    extensions.extend_from_slice(&[0x00, 0x0b, 0x00, 0x02, 0x01, 0x00]);
    // renegotiation_info (empty)
    extensions.extend_from_slice(&[0xff, 0x01, 0x00, 0x01, 0x00]);

    let mut body = Vec::new();
    body.extend_from_slice(&version.to_be_bytes());
    body.extend_from_slice(&random);
    body.push(0); // no session id
    body.extend_from_slice(&((SUITES.len() * 2) as u16).to_be_bytes());
    for suite in SUITES {
        body.extend_from_slice(&suite.to_be_bytes());
    }
    body.extend_from_slice(&[0x01, 0x00]); // compression: null
    body.extend_from_slice(&(extensions.len() as u16).to_be_bytes());
    body.extend_from_slice(&extensions);

    let mut handshake = vec![0x01];
    handshake.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    handshake.extend_from_slice(&body);

    // The record layer says TLS 1.0 (or SSL 3.0 for that probe), as clients of the time did.
    let mut record = vec![0x16];
    record.extend_from_slice(&version.min(0x0301).to_be_bytes());
    record.extend_from_slice(&(handshake.len() as u16).to_be_bytes());
    record.extend_from_slice(&handshake);
    record
}

/// Whether the first bytes a server answered with are a ServerHello for `version`.
pub fn accepts(response: &[u8], version: u16) -> bool {
    // record: type 0x16, version (2), length (2); handshake: type 0x02, length (3), version (2)
    response.len() >= 11
        && response[0] == 0x16
        && response[5] == 0x02
        && u16::from_be_bytes([response[9], response[10]]) == version
}

/// Which legacy versions a server accepts. Connection failures count as "not
/// accepted"; a server that closes on an old ClientHello is what we want.
pub async fn probe_legacy(
    addr: std::net::SocketAddr,
    server_name: Option<&str>,
    timeout: std::time::Duration,
) -> Vec<&'static str> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut accepted = Vec::new();
    for (version, label) in LEGACY_VERSIONS {
        let attempt = async {
            let mut stream = tokio::net::TcpStream::connect(addr).await.ok()?;
            let mut random = [0u8; 32];
            // Not secret: any bytes do for a probe that never completes a handshake.
            for (i, b) in random.iter_mut().enumerate() {
                *b = (i as u8).wrapping_mul(151).wrapping_add(*version as u8);
            }
            stream
                .write_all(&legacy_client_hello(*version, server_name, random))
                .await
                .ok()?;
            let mut buf = [0u8; 16];
            let mut read = 0;
            while read < 11 {
                let n = stream.read(&mut buf[read..]).await.ok()?;
                if n == 0 {
                    break;
                }
                read += n;
            }
            Some(accepts(&buf[..read], *version))
        };
        if let Ok(Some(true)) = tokio::time::timeout(timeout, attempt).await {
            accepted.push(*label);
        }
    }
    accepted
}

/// The verdict on legacy protocol support.
pub fn check_protocols(accepted_legacy: &[&str]) -> Finding {
    if accepted_legacy.is_empty() {
        Finding::pass(CHECK, "refuses SSL 3.0, TLS 1.0 and TLS 1.1")
    } else {
        Finding::new(
            CHECK,
            "tls_legacy_protocol",
            Verdict::Fail,
            format!(
                "accepts {}, which are broken or deprecated (RFC 8996)",
                accepted_legacy.join(", ")
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_hello_is_well_formed() {
        let hello = legacy_client_hello(0x0301, Some("example.com"), [7; 32]);
        assert_eq!(hello[0], 0x16);
        let record_len = u16::from_be_bytes([hello[3], hello[4]]) as usize;
        assert_eq!(record_len, hello.len() - 5);
        assert_eq!(hello[5], 0x01);
        let hs_len = u32::from_be_bytes([0, hello[6], hello[7], hello[8]]) as usize;
        assert_eq!(hs_len, hello.len() - 9);
        assert_eq!(&hello[9..11], &[0x03, 0x01]);
        assert!(accepts(&[0x16, 3, 1, 0, 50, 0x02, 0, 0, 46, 3, 1], 0x0301));
        assert!(!accepts(&[0x15, 3, 1, 0, 2, 2, 70], 0x0301));
        assert!(!accepts(&[0x16, 3, 3, 0, 50, 0x02, 0, 0, 46, 3, 3], 0x0301));
        // SSL 3.0, which no server here can offer: the probe asks for it on an
        // SSL 3.0 record and recognises an SSL 3.0 ServerHello.
        let ssl3 = legacy_client_hello(0x0300, None, [7; 32]);
        assert_eq!((&ssl3[1..3], &ssl3[9..11]), (&[3u8, 0][..], &[3u8, 0][..]));
        assert!(accepts(&[0x16, 3, 0, 0, 50, 0x02, 0, 0, 46, 3, 0], 0x0300));
        assert!(!accepts(&[0x16, 3, 0, 0, 50, 0x02, 0, 0, 46, 3, 1], 0x0300));
        assert_eq!(check_protocols(&["SSL 3.0"]).code, "tls_legacy_protocol");
    }
}
