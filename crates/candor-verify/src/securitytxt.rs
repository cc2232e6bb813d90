//! RFC 9116 (security.txt) checks. Problem codes follow PyPI's `sectxt`, the
//! validator the test suite compares with, so that the two can be lined up.
//!
//! The parser takes bytes as served and never panics on any input (a property
//! test and a fuzz target hold it to that).

use std::collections::BTreeMap;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::{Finding, Verdict};

const CHECK: &str = "security_txt";

/// Fields whose values are URIs (RFC 9116 §2.5 and the CSAF extension).
const URI_FIELDS: &[&str] = &[
    "acknowledgments",
    "canonical",
    "contact",
    "encryption",
    "hiring",
    "policy",
    "csaf",
];

/// What a parse found: the fields (lowercased names, values in order) and whether
/// the file is an OpenPGP cleartext-signed message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub fields: BTreeMap<String, Vec<String>>,
    pub signed: bool,
    /// The Expires value, when it parsed.
    pub expires: Option<OffsetDateTime>,
}

impl Parsed {
    pub fn values(&self, field: &str) -> &[String] {
        self.fields.get(field).map(Vec::as_slice).unwrap_or(&[])
    }
}

struct Checker {
    findings: Vec<Finding>,
}

impl Checker {
    fn error(&mut self, code: &'static str, message: impl Into<String>) {
        self.findings
            .push(Finding::new(CHECK, code, Verdict::Fail, message));
    }

    fn recommend(&mut self, code: &'static str, message: impl Into<String>) {
        self.findings
            .push(Finding::new(CHECK, code, Verdict::Warn, message));
    }
}

/// `2026-12-22T00:00:00Z`, with seconds and an offset, as RFC 9116 requires (RFC 3339).
fn parse_expires(value: &str) -> Option<OffsetDateTime> {
    let bytes = value.as_bytes();
    // RFC 3339 allows a space for `T` only by note; both parsers accept `T` or `t`.
    if bytes.len() < 20
        || !bytes[..10].iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        })
    {
        return None;
    }
    OffsetDateTime::parse(value, &Rfc3339).ok()
}

/// A language tag's shape (RFC 5646): 2–8 letter primary subtag, then alphanumeric subtags.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    primary_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Checks a security.txt body. `urls`: where it was fetched (the first and last
/// address of any redirect chain), for the Canonical check; `now` for Expires.
pub fn check_body(body: &[u8], urls: &[&str], now: OffsetDateTime) -> (Parsed, Vec<Finding>) {
    let mut c = Checker {
        findings: Vec::new(),
    };
    let mut parsed = Parsed::default();
    let mut content = body;
    if let Some(rest) = content.strip_prefix(b"\xEF\xBB\xBF") {
        c.error(
            "bom_in_file",
            "the file starts with a byte-order mark, which RFC 9116 forbids",
        );
        content = rest;
    }
    let text = match std::str::from_utf8(content) {
        Ok(t) => t.to_owned(),
        Err(_) => {
            c.error("utf8", "the file is not UTF-8");
            String::from_utf8_lossy(content).into_owned()
        }
    };

    let mut reading_sig = false;
    let mut finished_sig = false;
    let mut last_line_empty = false;
    let mut second_last_empty = false;
    let lines: Vec<&str> = text.split('\n').collect();
    // `split` yields a final "" when the text ends with a newline: that is the
    // empty line sectxt sees after the last line break.
    for (index, raw) in lines.iter().enumerate() {
        let line = raw.trim_end();
        second_last_empty = last_line_empty;
        last_line_empty = line.is_empty();
        if reading_sig {
            if line == "-----END PGP SIGNATURE-----" {
                reading_sig = false;
                finished_sig = true;
            }
            continue;
        }
        if !line.is_empty() && finished_sig {
            c.error(
                "data_after_sig",
                "a signed file has data after its signature",
            );
            continue;
        }
        let line = match line.strip_prefix("- ") {
            Some(rest) if parsed.signed => rest,
            _ => line,
        };
        if line == "-----BEGIN PGP SIGNED MESSAGE-----" {
            if index != 0 {
                c.error(
                    "signed_format_issue",
                    "a signed file must start with -----BEGIN PGP SIGNED MESSAGE-----",
                );
            }
            parsed.signed = true;
            continue;
        }
        if line == "-----BEGIN PGP SIGNATURE-----" && parsed.signed {
            reading_sig = true;
            continue;
        }
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            c.error(
                "invalid_line",
                format!("line {}: neither a field, a comment nor blank", index + 1),
            );
            continue;
        };
        let mut key = key.to_ascii_lowercase();
        if key.trim_end() != key {
            c.error(
                "prec_ws",
                format!("line {}: space before the colon", index + 1),
            );
            key = key.trim_end().to_owned();
        }
        let mut value = value;
        if !value.is_empty() {
            if !value.starts_with(' ') {
                c.error(
                    "no_space",
                    format!("line {}: no space after the colon", index + 1),
                );
            }
            value = value.trim_start();
        }
        if key == "hash" && parsed.signed {
            continue;
        }
        if key.is_empty() {
            c.error("empty_key", format!("line {}: empty field name", index + 1));
            continue;
        }
        if value.is_empty() {
            c.error(
                "empty_value",
                format!("line {}: empty {key} value", index + 1),
            );
            continue;
        }
        if URI_FIELDS.contains(&key.as_str()) {
            match url::Url::parse(value) {
                Err(_) => c.error("no_uri", format!("{key}: {value:?} is not a URI")),
                Ok(u) if u.scheme() == "http" => c.error(
                    "no_https",
                    format!("{key}: web URIs must be https ({value})"),
                ),
                Ok(_) => {}
            }
        } else if key == "expires" {
            match parse_expires(value) {
                None => c.error(
                    "invalid_expiry",
                    format!("Expires {value:?} is not an RFC 3339 date-time with an offset"),
                ),
                Some(at) => {
                    if at > now + time::Duration::days(365) {
                        c.recommend(
                            "long_expiry",
                            format!("Expires {value} is more than a year ahead"),
                        );
                    } else if at < now {
                        c.error("expired", format!("Expires {value} is in the past"));
                    }
                    parsed.expires.get_or_insert(at);
                }
            }
        } else if key == "preferred-languages" {
            for tag in value.split(',').map(str::trim) {
                if !is_language_tag(tag) {
                    c.error(
                        "invalid_lang",
                        format!("Preferred-Languages: {tag:?} is not a language tag"),
                    );
                }
            }
        }
        // Unknown fields are allowed (sectxt only notes them), so they are kept as read.
        parsed.fields.entry(key).or_default().push(value.to_owned());
    }

    match parsed.values("expires").len() {
        0 => c.error("no_expire", "Expires is missing"),
        1 => {}
        n => c.error(
            "multi_expire",
            format!("Expires appears {n} times; once only"),
        ),
    }
    let canonical = parsed.values("canonical");
    if !urls.is_empty()
        && !canonical.is_empty()
        && !urls.iter().any(|u| canonical.iter().any(|c| c == u))
    {
        c.error(
            "no_canonical_match",
            format!(
                "none of the Canonical values matches where the file was fetched ({})",
                urls.join(", ")
            ),
        );
    }
    if !last_line_empty {
        c.error(
            "no_line_separators",
            "the last line does not end with a line break",
        );
    }
    if parsed.signed && last_line_empty && second_last_empty && lines.len() > 1 {
        c.error(
            "too_many_line_separators",
            "a signed file ends with more than one line break",
        );
    }
    if parsed.values("contact").is_empty() {
        c.error("no_contact", "Contact is missing");
    } else if parsed
        .values("contact")
        .iter()
        .any(|v| v.starts_with("mailto:"))
        && parsed.values("encryption").is_empty()
    {
        c.recommend(
            "no_encryption",
            "a mailto: contact without an Encryption key",
        );
    }
    if parsed.values("preferred-languages").len() > 1 {
        c.error("multi_lang", "Preferred-Languages appears more than once");
    }
    if !parsed.signed {
        c.recommend(
            "not_signed",
            "the file is not signed (OpenPGP cleartext signature)",
        );
    } else if canonical.is_empty() {
        c.recommend(
            "no_canonical",
            "a signed file should name its Canonical address",
        );
    }
    (parsed, c.findings)
}

/// Checks how the file was served: over https, at /.well-known/, as text/plain in UTF-8.
pub fn check_retrieval(url: &str, content_type: Option<&str>) -> Vec<Finding> {
    let mut c = Checker {
        findings: Vec::new(),
    };
    match url::Url::parse(url) {
        Ok(u) if u.scheme() != "https" => c.error(
            "invalid_uri_scheme",
            format!("{url} is not served over https"),
        ),
        Ok(u)
            if u.path() != "/.well-known/security.txt"
                && u.path().ends_with("/security.txt")
                && !u.path().contains("/.well-known/") =>
        {
            c.recommend(
                "location",
                "served from the legacy top-level path; RFC 9116 wants /.well-known/security.txt",
            )
        }
        Ok(_) => {}
        Err(_) => c.error("invalid_uri_scheme", format!("{url} is not a URL")),
    }
    match content_type {
        None => c.error("no_content_type", "no Content-Type header"),
        Some(ct) => {
            let mut parts = ct.split(';');
            let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            if media != "text/plain" {
                c.error(
                    "invalid_media",
                    format!("Content-Type is {media}, not text/plain"),
                );
            }
            let charset = parts
                .filter_map(|p| p.split_once('='))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
                .map(|(_, v)| v.trim().trim_matches('"').to_ascii_lowercase())
                .unwrap_or_else(|| "utf-8".into());
            if charset != "utf-8" {
                c.error(
                    "invalid_charset",
                    format!("charset is {charset}, not utf-8"),
                );
            }
        }
    }
    c.findings
}

/// Checks a signed security.txt against an armored OpenPGP public key (the one
/// its `Encryption:` field publishes).
pub fn verify_signature(signed: &str, armored_key: &str) -> Result<(), String> {
    use pgp::composed::{CleartextSignedMessage, Deserializable, SignedPublicKey};
    let (message, _) = CleartextSignedMessage::from_string(signed)
        .map_err(|e| format!("not a cleartext-signed message: {e}"))?;
    let (key, _) = SignedPublicKey::from_string(armored_key)
        .map_err(|e| format!("not an OpenPGP public key: {e}"))?;
    if message.verify(&key).is_ok() {
        return Ok(());
    }
    if key
        .public_subkeys
        .iter()
        .any(|sub| message.verify(sub).is_ok())
    {
        return Ok(());
    }
    Err("the signature does not verify with the published key".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-22 12:00 UTC);
    const URL: &str = "https://example.com/.well-known/security.txt";

    fn codes(body: &str) -> Vec<&'static str> {
        check_body(body.as_bytes(), &[URL], NOW)
            .1
            .iter()
            .map(|f| f.code)
            .collect()
    }

    const GOOD: &str = "Contact: mailto:security@example.com\nExpires: 2026-12-22T00:00:00Z\nEncryption: https://example.com/key.asc\nPreferred-Languages: en, de\nCanonical: https://example.com/.well-known/security.txt\nPolicy: https://example.com/policy\n";

    #[test]
    fn a_good_unsigned_file_only_lacks_a_signature() {
        assert_eq!(codes(GOOD), vec!["not_signed"]);
        let (parsed, _) = check_body(GOOD.as_bytes(), &[URL], NOW);
        assert_eq!(parsed.values("preferred-languages"), ["en, de"]);
        assert_eq!(parsed.expires, Some(datetime!(2026-12-22 0:00 UTC)));
    }

    #[test]
    fn each_rule_names_its_problem() {
        let cases: &[(&str, &str)] = &[
            ("Contact: mailto:a@b.c\n", "no_expire"),
            ("Expires: 2026-12-22T00:00:00Z\n", "no_contact"),
            (
                "Contact: https://a.b\nExpires: 2026-12-22T00:00:00Z\nExpires: 2026-12-23T00:00:00Z\n",
                "multi_expire",
            ),
            (
                "Contact: https://a.b\nExpires: 2026-12-22\n",
                "invalid_expiry",
            ),
            (
                "Contact: https://a.b\nExpires: 2026-12-22T00:00:00\n",
                "invalid_expiry",
            ),
            (
                "Contact: https://a.b\nExpires: 2025-12-22T00:00:00Z\n",
                "expired",
            ),
            (
                "Contact: https://a.b\nExpires: 2028-12-22T00:00:00Z\n",
                "long_expiry",
            ),
            (
                "Contact: http://a.b\nExpires: 2026-12-22T00:00:00Z\n",
                "no_https",
            ),
            ("Contact: a.b\nExpires: 2026-12-22T00:00:00Z\n", "no_uri"),
            (
                "Contact:https://a.b\nExpires: 2026-12-22T00:00:00Z\n",
                "no_space",
            ),
            (
                "Contact : https://a.b\nExpires: 2026-12-22T00:00:00Z\n",
                "prec_ws",
            ),
            (
                "Contact: https://a.b\nExpires: 2026-12-22T00:00:00Z\njust text\n",
                "invalid_line",
            ),
            (
                "Contact: https://a.b\nExpires: 2026-12-22T00:00:00Z",
                "no_line_separators",
            ),
            (
                "Contact: https://a.b\nExpires: 2026-12-22T00:00:00Z\nCanonical: https://other.example/.well-known/security.txt\n",
                "no_canonical_match",
            ),
            (
                "Contact: https://a.b\nExpires: 2026-12-22T00:00:00Z\nPreferred-Languages: en\nPreferred-Languages: de\n",
                "multi_lang",
            ),
            (
                "Contact: https://a.b\nExpires: 2026-12-22T00:00:00Z\nPreferred-Languages: english!\n",
                "invalid_lang",
            ),
            (
                "Contact: mailto:a@b.c\nExpires: 2026-12-22T00:00:00Z\n",
                "no_encryption",
            ),
            (
                "Contact: https://a.b\nExpires: 2026-12-22T00:00:00Z\nPolicy:\n",
                "empty_value",
            ),
        ];
        for (body, code) in cases {
            assert!(codes(body).contains(code), "{body:?}: {:?}", codes(body));
        }
        let bom = [b"\xEF\xBB\xBF".as_slice(), GOOD.as_bytes()].concat();
        assert!(
            check_body(&bom, &[URL], NOW)
                .1
                .iter()
                .any(|f| f.code == "bom_in_file")
        );
        assert!(
            check_body(b"Contact: \xff\n", &[URL], NOW)
                .1
                .iter()
                .any(|f| f.code == "utf8")
        );
        // CRLF line ends are as good as LF.
        assert_eq!(codes(&GOOD.replace('\n', "\r\n")), vec!["not_signed"]);
    }

    #[test]
    fn signed_files_are_read_through_their_envelope() {
        let signed = format!(
            "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n{GOOD}-----BEGIN PGP SIGNATURE-----\n\nwnUEARYKAB0WIQ\n-----END PGP SIGNATURE-----\n"
        );
        let (parsed, findings) = check_body(signed.as_bytes(), &[URL], NOW);
        assert!(parsed.signed);
        assert!(findings.is_empty(), "{findings:?}");
        let trailing = format!("{signed}Contact: https://evil.example\n");
        assert!(codes(&trailing).contains(&"data_after_sig"));
        let late = format!("# comment\n{signed}");
        assert!(codes(&late).contains(&"signed_format_issue"));
    }

    #[test]
    fn retrieval_checks_scheme_place_and_type() {
        assert!(check_retrieval(URL, Some("text/plain; charset=utf-8")).is_empty());
        let code = |url, ct| {
            check_retrieval(url, ct)
                .iter()
                .map(|f| f.code)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            code(
                "http://example.com/.well-known/security.txt",
                Some("text/plain")
            ),
            vec!["invalid_uri_scheme"]
        );
        assert_eq!(
            code("https://example.com/security.txt", Some("text/plain")),
            vec!["location"]
        );
        assert_eq!(code(URL, Some("text/html")), vec!["invalid_media"]);
        assert_eq!(
            code(URL, Some("text/plain; charset=iso-8859-1")),
            vec!["invalid_charset"]
        );
        assert_eq!(code(URL, None), vec!["no_content_type"]);
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_give_findings_not_a_panic(body in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let _ = check_body(&body, &[URL], NOW);
        }

        #[test]
        fn any_lines_of_fields_give_findings_not_a_panic(lines in proptest::collection::vec("[ -~]{0,40}", 0..12)) {
            let body = lines.join("\n");
            let _ = check_body(body.as_bytes(), &[URL], NOW);
        }
    }
}
