//! Validated value types. Each one checks its input when it is parsed, so a
//! `TrustCenter` that exists is already valid field by field, and the error names
//! the field path (serde_path_to_error supplies the path).

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::catalogue::{FrameworkId, framework};

/// Declares a string newtype that validates on parse and (de)serializes as a string.
macro_rules! validated_string {
    ($(#[$meta:meta])* $name:ident, $check:expr, $schema:expr) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                let check: fn(&str) -> Result<String, String> = $check;
                check(s).map($name)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                raw.parse().map_err(serde::de::Error::custom)
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                $schema
            }
        }
    };
}

const MAX_TEXT: usize = 20_000;

/// Unicode noncharacters: U+FDD0..U+FDEF and the last two code points of every plane.
pub fn is_noncharacter(c: char) -> bool {
    let code = u32::from(c);
    (0xFDD0..=0xFDEF).contains(&code) || code & 0xFFFE == 0xFFFE
}

/// Fields that are one line (URLs, and what is copied into line-based formats
/// such as security.txt) refuse every control and whitespace character, so no
/// value can start a line of its own.
fn check_single_token(s: &str) -> Result<(), String> {
    match s
        .chars()
        .find(|c| c.is_control() || c.is_whitespace() || is_noncharacter(*c))
    {
        Some(c) => Err(format!(
            "contains {}, which a URL cannot hold; percent-encode it",
            visible(c)
        )),
        None => Ok(()),
    }
}

/// A character named so that it can be seen (`U+000A`), or itself in quotes.
pub fn visible(c: char) -> String {
    if c.is_control() || c.is_whitespace() || is_noncharacter(c) || is_invisible(c) {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("{c:?}")
    }
}

/// Format characters that draw nothing but can change how text reads (zero-width
/// spaces and joiners, bidirectional overrides, the byte-order mark).
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
    )
}

fn check_text(s: &str) -> Result<String, String> {
    let trimmed = s.trim();
    if trimmed.is_empty() {
        return Err("must not be empty".into());
    }
    if s.len() > MAX_TEXT {
        return Err(format!(
            "is {} bytes long; the limit is {MAX_TEXT}",
            s.len()
        ));
    }
    if let Some(c) = s
        .chars()
        .find(|c| c.is_control() && *c != '\n' && *c != '\t')
    {
        return Err(format!("contains the control character {c:?}"));
    }
    if let Some(c) = s.chars().find(|c| is_noncharacter(*c)) {
        return Err(format!(
            "contains U+{:04X}, which is not a character (XML and many readers refuse it)",
            u32::from(c)
        ));
    }
    // Trailing newlines from YAML block scalars would make round trips unstable.
    Ok(s.trim_end().to_owned())
}

/// Free text: not empty, no control characters other than newline and tab.
/// It may carry translations: in trust-as-code, a map of locale → text (the
/// org's `profile.locales`, the first of which is the default and required),
/// e.g. `title: {en: Encryption at rest, de: Verschlüsselung im Ruhezustand}`.
/// `as_str` and `Display` give the default language; `in_locale` a translation.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text {
    text: String,
    translations: Option<Box<Translations>>,
}

/// A text's other languages, and which locale its own text is in.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Translations {
    pub default: String,
    pub others: std::collections::BTreeMap<String, String>,
}

impl Text {
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The text in `locale`, or in the default language when it has no translation.
    pub fn in_locale(&self, locale: &str) -> &str {
        self.translations
            .as_ref()
            .and_then(|t| t.others.get(locale))
            .map_or(&self.text, String::as_str)
    }

    pub fn translations(&self) -> Option<&Translations> {
        self.translations.as_deref()
    }

    /// This text (in `default_locale`) with translations: each checked like
    /// any text, each locale one Candor's pages are written in.
    pub fn with_translations(
        self,
        default_locale: &str,
        others: &[(&str, &str)],
    ) -> Result<Text, String> {
        let mut map = std::collections::BTreeMap::new();
        for (locale, text) in others {
            check_locale(locale)?;
            map.insert((*locale).to_owned(), check_text(text)?);
        }
        check_locale(default_locale)?;
        Ok(Text {
            text: self.text,
            translations: (!map.is_empty()).then(|| {
                Box::new(Translations {
                    default: default_locale.to_owned(),
                    others: map,
                })
            }),
        })
    }

    /// This text in `locale` only (its translation or its default), without the others.
    pub fn localized(&self, locale: &str) -> Text {
        Text {
            text: self.in_locale(locale).to_owned(),
            translations: None,
        }
    }
}

impl FromStr for Text {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        check_text(s).map(|text| Text {
            text,
            translations: None,
        })
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match &self.translations {
            None => s.serialize_str(&self.text),
            Some(t) => {
                // Self-describing: which entry is the default travels with it,
                // so a stored revision reads back without its profile at hand.
                let mut map = s.serialize_map(Some(t.others.len() + 2))?;
                map.serialize_entry("default", &t.default)?;
                map.serialize_entry(&t.default, &self.text)?;
                for (locale, text) in &t.others {
                    map.serialize_entry(locale, text)?;
                }
                map.end()
            }
        }
    }
}

thread_local! {
    /// The locales of the document being read (`profile.locales`, default
    /// first), so that a text given as a map knows which entry is its default.
    static READING_LOCALES: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Sets the locales texts are read with on this thread, until dropped.
pub struct LocalesGuard(Vec<String>);

impl LocalesGuard {
    pub fn set(locales: Vec<String>) -> LocalesGuard {
        let previous = READING_LOCALES.with(|l| std::mem::replace(&mut *l.borrow_mut(), locales));
        LocalesGuard(previous)
    }
}

impl Drop for LocalesGuard {
    fn drop(&mut self) {
        let previous = std::mem::take(&mut self.0);
        READING_LOCALES.with(|l| *l.borrow_mut() = previous);
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> serde::de::Visitor<'de> for TextVisitor {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("text, or a map of locale to text")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text, E> {
                v.parse().map_err(E::custom)
            }
            // YAML reads a bare 2026 or true as a number or a boolean; as text
            // they mean what they say.
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Text, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Text, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Text, E> {
                self.visit_str(&v.to_string())
            }
            // A bare 1.10 would be read as 1.1: refuse rather than change it.
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Text, E> {
                Err(E::custom(format!(
                    "{v} was read as a number; put the text in quotes (e.g. '{v}') so it stays as written"
                )))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
                use serde::de::Error;
                let locales = READING_LOCALES.with(|l| l.borrow().clone());
                let mut named_default = None;
                let mut given = std::collections::BTreeMap::new();
                while let Some((locale, text)) = map.next_entry::<String, String>()? {
                    if locale == "default" {
                        named_default = Some(text);
                        continue;
                    }
                    if (!locales.is_empty() && !locales.contains(&locale))
                        || !SUPPORTED_LOCALES.contains(&locale.as_str())
                    {
                        return Err(A::Error::custom(format!(
                            "{locale:?} is not one of profile.locales ({})",
                            locales.join(", ")
                        )));
                    }
                    let text = check_text(&text)
                        .map_err(|e| A::Error::custom(format!("{locale}: {e}")))?;
                    given.insert(locale, text);
                }
                let Some(default) = named_default.or_else(|| locales.first().cloned()) else {
                    return Err(A::Error::custom(
                        "a text in several languages needs profile.locales (the default first)",
                    ));
                };
                if !SUPPORTED_LOCALES.contains(&default.as_str()) {
                    return Err(A::Error::custom(format!(
                        "{default:?} is not a supported locale"
                    )));
                }
                let Some(text) = given.remove(&default) else {
                    return Err(A::Error::custom(format!(
                        "give the text in the default language ({default}) too"
                    )));
                };
                Ok(Text {
                    text,
                    translations: (!given.is_empty()).then(|| {
                        Box::new(Translations {
                            default,
                            others: given,
                        })
                    }),
                })
            }
        }
        d.deserialize_any(TextVisitor)
    }
}

impl schemars::JsonSchema for Text {
    fn schema_name() -> Cow<'static, str> {
        "Text".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"oneOf": [
            {"type": "string", "minLength": 1, "maxLength": MAX_TEXT},
            {"type": "object", "minProperties": 1,
             "propertyNames": {"pattern": "^([a-z]{2}|default)$"},
             "additionalProperties": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT}},
        ]})
    }
}

/// The languages Candor's interface speaks; `profile.locales` names some of them.
pub const SUPPORTED_LOCALES: &[&str] = &["en", "de", "fr"];

fn check_locale(s: &str) -> Result<String, String> {
    match SUPPORTED_LOCALES.contains(&s) {
        true => Ok(s.to_owned()),
        false => Err(format!(
            "{s:?} is not a language Candor's pages are written in ({})",
            SUPPORTED_LOCALES.join(", ")
        )),
    }
}

validated_string!(
    /// A language of the page: `en`, `de` or `fr` (the interface catalogues shipped).
    Locale,
    check_locale,
    schemars::json_schema!({"type": "string", "enum": ["en", "de", "fr"]})
);

fn check_time_zone(s: &str) -> Result<String, String> {
    match jiff::tz::TimeZone::get(s) {
        Ok(_) if s.len() <= 64 => Ok(s.to_owned()),
        _ => Err(format!(
            "{s:?} is not an IANA time zone name (such as Europe/Berlin, America/New_York or UTC)"
        )),
    }
}

validated_string!(
    /// An IANA time zone name (`Europe/Berlin`), checked against the time zone
    /// database Candor carries (not the host's, which may lack one).
    TimeZoneName,
    check_time_zone,
    schemars::json_schema!({"type": "string", "maxLength": 64, "examples": ["Europe/Berlin", "America/New_York", "UTC"]})
);

impl TimeZoneName {
    /// The zone's rules (present: the name was checked when parsed).
    pub fn zone(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.0).unwrap_or(jiff::tz::TimeZone::UTC)
    }
}

fn check_key(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.len() <= 63
        && s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && !s.ends_with('-')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "{s:?} is not a valid key (lowercase letters, digits and '-', at most 63 characters)"
        ))
    }
}

validated_string!(
    /// A stable identifier: lowercase letters, digits and dashes.
    Key,
    check_key,
    schemars::json_schema!({"type": "string", "pattern": "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"})
);

/// Paths under the site root that an org slug must not shadow.
pub const RESERVED_SLUGS: &[&str] = &[
    "admin",
    "api",
    "static",
    "healthz",
    "readyz",
    "metrics",
    "well-known",
    "log",
    "login",
    "logout",
    "assets",
    "favicon-ico",
    "robots-txt",
    "oscal",
];

fn check_org_slug(s: &str) -> Result<String, String> {
    check_key(s)?;
    if s.len() < 2 {
        return Err(format!(
            "{s:?} is too short; an org slug has at least 2 characters"
        ));
    }
    if RESERVED_SLUGS.contains(&s) {
        return Err(format!("{s:?} is reserved"));
    }
    Ok(s.to_owned())
}

validated_string!(
    /// An org's public identifier: the first path segment of its trust page.
    OrgSlug,
    check_org_slug,
    schemars::json_schema!({"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$"})
);

fn check_advisory_id(s: &str) -> Result<String, String> {
    let ok = (1..=64).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+'));
    if ok {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "{s:?} is not an advisory id (letters, digits, '-', '_', '.' and '+', a letter or digit first, at most 64 characters; e.g. ACME-2026-001)"
        ))
    }
}

validated_string!(
    /// An advisory's tracking id, unique among the org's advisories (`ACME-2026-001`).
    AdvisoryId,
    check_advisory_id,
    schemars::json_schema!({"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$"})
);

fn check_cve(s: &str) -> Result<String, String> {
    let ok = s.strip_prefix("CVE-").is_some_and(|rest| {
        rest.split_once('-').is_some_and(|(year, n)| {
            year.len() == 4
                && year.bytes().all(|b| b.is_ascii_digit())
                && n.len() >= 4
                && n.bytes().all(|b| b.is_ascii_digit())
        })
    });
    if ok {
        Ok(s.to_owned())
    } else {
        Err(format!("{s:?} is not a CVE id (CVE-YYYY-NNNN)"))
    }
}

validated_string!(
    /// A CVE id, `CVE-2026-12345`.
    Cve,
    check_cve,
    schemars::json_schema!({"type": "string", "pattern": "^CVE-[0-9]{4}-[0-9]{4,}$"})
);

fn check_cvss(s: &str) -> Result<String, String> {
    if !s.starts_with("CVSS:3.1/") && !s.starts_with("CVSS:3.0/") {
        return Err(format!(
            "{s:?} is not a CVSS v3 vector (it starts with CVSS:3.1/, e.g. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N)"
        ));
    }
    let v = s
        .parse::<cvss::v3::Vector>()
        .map_err(|e| format!("{s:?} is not a CVSS v3 vector: {e}"))?;
    let complete = v.av.is_some()
        && v.ac.is_some()
        && v.pr.is_some()
        && v.ui.is_some()
        && v.s.is_some()
        && v.c.is_some()
        && v.i.is_some()
        && v.a.is_some()
        && s.split('/').count() == 9;
    if !complete {
        return Err(format!(
            "{s:?} is not a base vector: it names AV, AC, PR, UI, S, C, I and A, each once, and nothing else"
        ));
    }
    Ok(s.to_owned())
}

validated_string!(
    /// A CVSS v3.0 or v3.1 base vector; its score is computed, never typed.
    CvssVector,
    check_cvss,
    schemars::json_schema!({"type": "string", "pattern": "^CVSS:3[.][01]/"})
);

impl CvssVector {
    /// The base score and its severity (`CRITICAL`, `HIGH`, `MEDIUM`, `LOW`, `NONE`).
    pub fn base_score(&self) -> (f64, &'static str) {
        match self.0.parse::<cvss::v3::Vector>() {
            Ok(base) => {
                let score = base.score();
                let severity = match score.severity() {
                    cvss::Severity::None => "NONE",
                    cvss::Severity::Low => "LOW",
                    cvss::Severity::Medium => "MEDIUM",
                    cvss::Severity::High => "HIGH",
                    cvss::Severity::Critical => "CRITICAL",
                };
                (score.value(), severity)
            }
            Err(_) => (0.0, "NONE"),
        }
    }

    /// `3.1` or `3.0`.
    pub fn version(&self) -> &'static str {
        if self.0.starts_with("CVSS:3.0/") {
            "3.0"
        } else {
            "3.1"
        }
    }
}

fn check_version(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+' | '~'));
    if ok {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "{s:?} is not a version (letters, digits, '.', '-', '_', '+', '~'; a range goes in affected)"
        ))
    }
}

validated_string!(
    /// One version of a product, `4.12.0`.
    Version,
    check_version,
    schemars::json_schema!({"type": "string", "pattern": "^[A-Za-z0-9._+~-]{1,64}$"})
);

fn check_version_range(s: &str) -> Result<String, String> {
    for constraint in s.split('|') {
        let version = ["<=", ">=", "!=", "<", ">", "="]
            .iter()
            .find_map(|op| constraint.strip_prefix(op))
            .unwrap_or(constraint);
        if check_version(version).is_err() {
            return Err(format!(
                "{s:?} is not a version range: write constraints like <4.12.0 or >=4.0.0|<4.12.0 (the vers syntax, without spaces)"
            ));
        }
    }
    Ok(s.to_owned())
}

validated_string!(
    /// The versions an advisory affects, as `vers` constraints without the
    /// scheme: `<4.12.0`, `>=4.0.0|<4.12.0`.
    VersionRange,
    check_version_range,
    schemars::json_schema!({"type": "string", "pattern": "^[<>=!]{0,2}[A-Za-z0-9._+~-]+([|][<>=!]{0,2}[A-Za-z0-9._+~-]+)*$"})
);

fn check_https_url(s: &str) -> Result<String, String> {
    // The URL parser silently drops tabs and newlines: refuse them instead, so
    // that what is stored is exactly what was read.
    check_single_token(s)?;
    let url = url::Url::parse(s).map_err(|e| format!("{s:?} is not a URL: {e}"))?;
    if url.scheme() != "https" {
        return Err(format!("{s:?} must be an https:// URL"));
    }
    if url.host_str().is_none_or(|h| h.is_empty()) {
        return Err(format!("{s:?} has no host"));
    }
    Ok(s.to_owned())
}

validated_string!(
    /// An absolute https:// URL.
    HttpsUrl,
    check_https_url,
    schemars::json_schema!({"type": "string", "format": "uri", "pattern": "^https://"})
);

fn check_witness_url(s: &str) -> Result<String, String> {
    check_single_token(s)?;
    let url = url::Url::parse(s).map_err(|e| format!("{s:?} is not a URL: {e}"))?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match url.scheme() {
        "https" => {}
        // A witness run beside the server for a test or a demo.
        "http" if loopback => {}
        _ => return Err(format!("{s:?} must be an https:// URL")),
    }
    if url.host_str().is_none_or(|h| h.is_empty()) || !url.username().is_empty() {
        return Err(format!("{s:?} has no host, or has credentials"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("{s:?} must be a prefix, without ? or #"));
    }
    Ok(s.trim_end_matches('/').to_owned())
}

validated_string!(
    /// A witness's submission prefix (C2SP tlog-witness): https://, or
    /// http:// on a loopback address.
    WitnessUrl,
    check_witness_url,
    schemars::json_schema!({"type": "string", "format": "uri", "pattern": "^https?://"})
);

fn check_witness_key(s: &str) -> Result<String, String> {
    candor_log::cosignature::CosignatureVerifier::parse(s).map_err(|_| {
        format!(
            "{s:?} is not a witness verifier key (NAME+KEYID+BASE64, an Ed25519 cosignature/v1 key)"
        )
    })?;
    Ok(s.to_owned())
}

validated_string!(
    /// A witness's C2SP cosignature/v1 verifier key, `NAME+KEYID+BASE64`.
    WitnessKey,
    check_witness_key,
    schemars::json_schema!({"type": "string", "pattern": "^[^+\\s]+\\+[0-9a-f]{8}\\+[A-Za-z0-9+/=]+$"})
);

fn check_email(s: &str) -> Result<String, String> {
    let bad = || format!("{s:?} is not an email address");
    let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
    let ok = !local.is_empty()
        && local.len() <= 64
        && s.len() <= 254
        && !s.contains(|c: char| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        && !local.contains('@')
        && check_host_name(domain).is_ok();
    if ok { Ok(s.to_owned()) } else { Err(bad()) }
}

validated_string!(
    /// An email address (the practical subset: local@host.name).
    Email,
    check_email,
    schemars::json_schema!({"type": "string", "format": "email"})
);

fn check_host_name(s: &str) -> Result<String, String> {
    let bad = || format!("{s:?} is not a host name");
    if s.is_empty() || s.len() > 253 || !s.contains('.') {
        return Err(bad());
    }
    for label in s.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !ok {
            return Err(bad());
        }
    }
    Ok(s.to_ascii_lowercase())
}

validated_string!(
    /// A fully qualified DNS host name.
    HostName,
    check_host_name,
    schemars::json_schema!({"type": "string", "format": "hostname"})
);

fn check_language_tag(s: &str) -> Result<String, String> {
    let mut parts = s.split('-');
    let primary = parts.next().unwrap_or_default();
    let ok = (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts
            .all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if ok {
        Ok(s.to_owned())
    } else {
        Err(format!("{s:?} is not a language tag such as en or pt-BR"))
    }
}

validated_string!(
    /// A BCP 47 language tag (simplified: primary language plus subtags).
    LanguageTag,
    check_language_tag,
    schemars::json_schema!({"type": "string", "pattern": "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"})
);

fn check_contact_uri(s: &str) -> Result<String, String> {
    check_single_token(s)?;
    if let Some(addr) = s.strip_prefix("mailto:") {
        check_email(addr).map(|_| s.to_owned())
    } else if let Some(number) = s.strip_prefix("tel:") {
        let ok = number.starts_with('+')
            && number.len() > 4
            && number[1..].chars().all(|c| c.is_ascii_digit() || c == '-');
        if ok {
            Ok(s.to_owned())
        } else {
            Err(format!(
                "{s:?} is not a tel: URI in international form (tel:+1-555-0100)"
            ))
        }
    } else if s.starts_with("https://") {
        check_https_url(s)
    } else {
        Err(format!("{s:?} must be a mailto:, tel: or https:// URI"))
    }
}

validated_string!(
    /// A contact URI as security.txt accepts it: mailto:, tel: or https://.
    ContactUri,
    check_contact_uri,
    schemars::json_schema!({"type": "string", "pattern": "^(mailto:|tel:\\+|https://)"})
);

/// A calendar day, written `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub time::Date);

const DAY_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

impl FromStr for Day {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        time::Date::parse(s, DAY_FORMAT)
            .map(Day)
            .map_err(|_| format!("{s:?} is not a date in the form YYYY-MM-DD"))
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.format(DAY_FORMAT).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Day {
    fn schema_name() -> Cow<'static, str> {
        "Day".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "format": "date"})
    }
}

fn check_colour(s: &str) -> Result<String, String> {
    match crate::branding::parse_hex(s) {
        Some(_) => Ok(s.to_ascii_lowercase()),
        None => Err(format!("{s:?} is not a colour in the form #rrggbb")),
    }
}

validated_string!(
    /// A colour, `#rrggbb` (kept lowercase).
    Colour,
    check_colour,
    schemars::json_schema!({"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"})
);

fn check_svg_logo(s: &str) -> Result<String, String> {
    crate::branding::check_svg(s).map(|_| s.to_owned())
}

validated_string!(
    /// An SVG logo, inline: drawing elements only (no script, style or
    /// external reference), at most 32 KiB.
    SvgLogo,
    check_svg_logo,
    schemars::json_schema!({"type": "string", "maxLength": 32768})
);

fn check_png_logo(s: &str) -> Result<String, String> {
    use base64::Engine as _;
    let compact: String = s.split_whitespace().collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|_| "not base64 (give the PNG file's bytes in base64)".to_owned())?;
    crate::branding::check_png(&bytes).map(|_| compact)
}

validated_string!(
    /// A PNG logo, in base64: at most 64 KiB and 2048 pixels a side, no text
    /// or EXIF metadata.
    PngLogo,
    check_png_logo,
    schemars::json_schema!({"type": "string", "contentEncoding": "base64", "contentMediaType": "image/png"})
);

impl PngLogo {
    /// The PNG file.
    pub fn bytes(&self) -> Vec<u8> {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(self.as_str())
            .unwrap_or_default()
    }
}

fn check_brand_css(s: &str) -> Result<String, String> {
    crate::branding::check_css(s).map(|_| s.to_owned())
}

validated_string!(
    /// Custom CSS for the page: shapes and type only (see
    /// `branding::CSS_PROPERTIES`), no colours, functions, strings or at-rules
    /// other than `@media (prefers-color-scheme: …)`; at most 8 KiB.
    BrandCss,
    check_brand_css,
    schemars::json_schema!({"type": "string", "maxLength": 8192})
);

/// An instant to the second, in UTC, written as RFC 3339 (`2026-11-20T10:02:00Z`).
/// An offset other than `Z` is read and converted, so a written time is never
/// ambiguous; fractions of a second are refused (revisions store whole seconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Moment(pub time::OffsetDateTime);

const MOMENT_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");

impl Moment {
    /// `at` in UTC, to the second.
    pub fn at(at: time::OffsetDateTime) -> Moment {
        let utc = at.to_offset(time::UtcOffset::UTC);
        Moment(utc.replace_nanosecond(0).unwrap_or(utc))
    }
}

impl FromStr for Moment {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let parsed = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .map_err(|_| format!("{s:?} is not a time in the form 2026-11-20T10:02:00Z"))?;
        if parsed.nanosecond() != 0 {
            return Err(format!(
                "{s:?}: give the time to the second, without fractions"
            ));
        }
        Ok(Moment::at(parsed))
    }
}

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.format(MOMENT_FORMAT).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

impl Serialize for Moment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Moment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Moment {
    fn schema_name() -> Cow<'static, str> {
        "Moment".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "format": "date-time"})
    }
}

/// A date as people write targets and events: a day (`2026-12-01`), a month
/// (`2026-12`), a quarter (`2026-Q4`, also read as `Q4 2026`) or a year (`2027`).
/// Written back in the first form of each, so a day stays byte-identical.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PartialDate {
    Day(Day),
    Month { year: i32, month: time::Month },
    Quarter { year: i32, quarter: u8 },
    Year(i32),
}

impl PartialDate {
    /// The last day the date covers: what "by then" means when comparing.
    pub fn last_day(&self) -> Option<time::Date> {
        let end_of = |year: i32, month: time::Month| {
            time::Date::from_calendar_date(year, month, time::util::days_in_month(month, year)).ok()
        };
        match *self {
            PartialDate::Day(d) => Some(d.0),
            PartialDate::Month { year, month } => end_of(year, month),
            PartialDate::Quarter { year, quarter } => {
                end_of(year, time::Month::try_from(quarter * 3).ok()?)
            }
            PartialDate::Year(year) => end_of(year, time::Month::December),
        }
    }

    /// For people: `2026-12-01`, `December 2026`, `Q4 2026`, `2027`.
    pub fn human(&self) -> String {
        match self {
            PartialDate::Day(d) => d.to_string(),
            PartialDate::Month { year, month } => format!("{month} {year}"),
            PartialDate::Quarter { year, quarter } => format!("Q{quarter} {year}"),
            PartialDate::Year(year) => year.to_string(),
        }
    }
}

fn year_of(text: &str) -> Option<i32> {
    (text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

fn quarter_of(text: &str) -> Option<u8> {
    match text.strip_prefix(['Q', 'q'])? {
        "1" => Some(1),
        "2" => Some(2),
        "3" => Some(3),
        "4" => Some(4),
        _ => None,
    }
}

impl FromStr for PartialDate {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let text = s.trim();
        let wrong = || {
            format!(
                "{s:?} is not a date: write a day (2026-12-01), a month (2026-12), \
                 a quarter (2026-Q4 or Q4 2026) or a year (2027)"
            )
        };
        if let Ok(day) = text.parse::<Day>() {
            return Ok(PartialDate::Day(day));
        }
        if let Some(year) = year_of(text) {
            return Ok(PartialDate::Year(year));
        }
        let (first, second) = text
            .split_once('-')
            .or_else(|| text.split_once(' '))
            .ok_or_else(wrong)?;
        if let (Some(year), Some(quarter)) = (year_of(first), quarter_of(second)) {
            return Ok(PartialDate::Quarter { year, quarter });
        }
        if let (Some(quarter), Some(year)) = (quarter_of(first), year_of(second)) {
            return Ok(PartialDate::Quarter { year, quarter });
        }
        if let (Some(year), true) = (year_of(first), second.len() == 2)
            && let Ok(number) = second.parse::<u8>()
            && let Ok(month) = time::Month::try_from(number)
        {
            return Ok(PartialDate::Month { year, month });
        }
        Err(wrong())
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PartialDate::Day(d) => d.fmt(f),
            PartialDate::Month { year, month } => write!(f, "{year:04}-{:02}", *month as u8),
            PartialDate::Quarter { year, quarter } => write!(f, "{year:04}-Q{quarter}"),
            PartialDate::Year(year) => write!(f, "{year:04}"),
        }
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // YAML reads a bare `2027` as a number.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Year(i64),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Text(text) => text,
            Raw::Year(year) => year.to_string(),
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for PartialDate {
    fn schema_name() -> Cow<'static, str> {
        "PartialDate".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "anyOf": [
                {"type": "string", "pattern": "^([0-9]{4}(-[0-9]{2}(-[0-9]{2})?|-Q[1-4])?|Q[1-4] [0-9]{4})$"},
                {"type": "integer", "minimum": 1000, "maximum": 9999}
            ],
            "description": "A day (2026-12-01), month (2026-12), quarter (2026-Q4 or Q4 2026) or year (2027)"
        })
    }
}

/// A framework requirement such as `soc2:CC6.1`, `gdpr:art32` or `iso27001:A.8.24`,
/// checked against the shipped catalogue when parsed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Requirement {
    pub framework: FrameworkId,
    pub id: String,
}

impl Requirement {
    pub fn title(&self) -> &'static str {
        framework(self.framework)
            .get(&self.id)
            .map(|r| r.title.as_str())
            .unwrap_or_default()
    }
}

impl FromStr for Requirement {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (fw, id) = s
            .split_once(':')
            .ok_or_else(|| format!("{s:?} is not a requirement such as soc2:CC6.1"))?;
        let framework_id: FrameworkId = fw.parse()?;
        if framework(framework_id).get(id).is_none() {
            return Err(crate::hints::unknown_requirement(s, framework_id, id));
        }
        Ok(Requirement {
            framework: framework_id,
            id: id.to_owned(),
        })
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.framework, self.id)
    }
}

impl Serialize for Requirement {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Requirement {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Requirement {
    fn schema_name() -> Cow<'static, str> {
        "Requirement".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^(soc2|gdpr|iso27001|hipaa|pcidss):\\S+$",
            "description": "framework:requirement, checked against Candor's shipped catalogue"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_are_checked_against_the_catalogue() {
        assert!("soc2:CC6.1".parse::<Requirement>().is_ok());
        assert!("iso27001:A.8.24".parse::<Requirement>().is_ok());
        assert!("gdpr:art32".parse::<Requirement>().is_ok());
        assert!("hipaa:164.312(a)(1)".parse::<Requirement>().is_ok());
        assert!("pcidss:8.3".parse::<Requirement>().is_ok());
        assert_eq!(
            "soc2:CC99.1".parse::<Requirement>().unwrap_err(),
            "unknown requirement `soc2:CC99.1` — did you mean `soc2:CC9.1`?"
        );
        assert!(
            "nist:AC-1"
                .parse::<Requirement>()
                .unwrap_err()
                .contains("unknown framework")
        );
    }

    #[test]
    fn value_types_reject_bad_input() {
        assert!("".parse::<Text>().is_err());
        assert!("  ".parse::<Text>().is_err());
        assert!("a\u{7}b".parse::<Text>().is_err());
        assert_eq!(
            "two\nlines\n".parse::<Text>().unwrap().as_str(),
            "two\nlines"
        );
        assert!("Bad-Key".parse::<Key>().is_err());
        assert!("trailing-".parse::<Key>().is_err());
        assert!("mfa-everywhere".parse::<Key>().is_ok());
        assert!("http://example.com".parse::<HttpsUrl>().is_err());
        assert!("https://example.com/x".parse::<HttpsUrl>().is_ok());
        assert!("security@example.com".parse::<Email>().is_ok());
        assert!("no-at-sign".parse::<Email>().is_err());
        assert!("a@localhost".parse::<Email>().is_err());
        assert!("2027-02-30".parse::<Day>().is_err());
        assert_eq!(
            "2027-01-05".parse::<Day>().unwrap().to_string(),
            "2027-01-05"
        );
        assert!("mailto:security@example.com".parse::<ContactUri>().is_ok());
        assert!("tel:+1-555-0100".parse::<ContactUri>().is_ok());
        assert!("ftp://example.com".parse::<ContactUri>().is_err());
        assert!("pt-BR".parse::<LanguageTag>().is_ok());
        // Line injection into security.txt: no line break survives in a URL field.
        for bad in [
            "https://example.com/thanks\nContact: mailto:planted@evil.example",
            "https://example.com/\rExpires: 1999-01-01T00:00:00z",
            "https://example.com/a\tb",
            "https://example.com/a b",
            " https://example.com/",
            "https://example.com/\u{FFFE}",
        ] {
            let err = bad.parse::<HttpsUrl>().unwrap_err();
            assert!(err.contains("U+"), "{bad:?}: {err}");
            assert!(bad.parse::<ContactUri>().is_err(), "{bad:?}");
        }
        assert!(
            "mailto:a@example.com\nContact: x"
                .parse::<ContactUri>()
                .is_err()
        );
        assert!("tel:+1-555\n".parse::<ContactUri>().is_err());
        // Characters XML cannot hold.
        assert!("a\u{FFFE}b".parse::<Text>().unwrap_err().contains("U+FFFE"));
        assert!("a\u{FFFF}".parse::<Text>().is_err());
        assert!("a\u{FDD0}".parse::<Text>().is_err());
        assert!("a\u{10FFFF}".parse::<Text>().is_err());
        assert!("a\u{1F600}".parse::<Text>().is_ok());
        assert!("english".parse::<LanguageTag>().is_err());
    }
}
