//! Standard Webhooks (https://www.standardwebhooks.com): secrets, signing, and the
//! check of a subscriber's target URL before anything is stored or sent.

use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const SECRET_PREFIX: &str = "whsec_";

/// A new signing secret, as shown to the subscriber once: `whsec_` + base64 of 32 random bytes.
pub fn new_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes)))
}

/// The key bytes of a `whsec_…` secret.
pub fn secret_bytes(secret: &str) -> Option<Vec<u8>> {
    STANDARD
        .decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
        .ok()
}

/// The `webhook-signature` header value: `v1,` + base64(HMAC-SHA256(key, "id.timestamp.body")).
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &str) -> String {
    // HMAC accepts keys of any length.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// Why a webhook target is refused before any request is made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TargetError {
    #[error("the URL is not valid")]
    Invalid,
    #[error("webhook URLs must use https")]
    NotHttps,
    #[error("the URL names a private, loopback or link-local address")]
    Private,
}

/// Checks a subscriber-supplied URL. Host names are checked again when resolved.
pub fn check_target(url: &str, allow_private: bool) -> Result<url::Url, TargetError> {
    let parsed = url::Url::parse(url).map_err(|_| TargetError::Invalid)?;
    if parsed.username() != "" || parsed.password().is_some() || parsed.host().is_none() {
        return Err(TargetError::Invalid);
    }
    if allow_private {
        return match parsed.scheme() {
            "https" | "http" => Ok(parsed),
            _ => Err(TargetError::NotHttps),
        };
    }
    if parsed.scheme() != "https" {
        return Err(TargetError::NotHttps);
    }
    let literal = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        _ => None,
    };
    if literal.is_some_and(|ip| !is_public(ip)) {
        return Err(TargetError::Private);
    }
    Ok(parsed)
}

pub use candor_verify::net::is_public;
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_the_standard_webhooks_example() {
        // The example from the Standard Webhooks specification.
        let key = secret_bytes("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap_or_default();
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            sign(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn private_targets_are_refused_unless_allowed() {
        for url in [
            "https://127.0.0.1/hook",
            "https://10.1.2.3/hook",
            "https://[::1]/hook",
            "https://169.254.169.254/latest",
            "https://[::ffff:192.168.0.1]/",
            // IPv6 transition forms and reserved ranges that lead back inside.
            "https://[::127.0.0.1]/",
            "https://[64:ff9b::7f00:1]/",
            "https://[2002:7f00:1::1]/",
            "https://[fec0::1]/",
            "https://240.0.0.1/",
        ] {
            assert_eq!(check_target(url, false), Err(TargetError::Private), "{url}");
        }
        assert_eq!(
            check_target("http://example.com/hook", false),
            Err(TargetError::NotHttps)
        );
        assert_eq!(
            check_target("https://user:pw@example.com/", false),
            Err(TargetError::Invalid)
        );
        assert!(check_target("https://hooks.example.com/candor", false).is_ok());
        assert!(check_target("http://127.0.0.1:9/hook", true).is_ok());
        assert_eq!(
            check_target("ftp://example.com/", true),
            Err(TargetError::NotHttps)
        );
    }
}
