//! A published revision: immutable, numbered, hashed.

use serde::Serialize;
use time::OffsetDateTime;

use crate::canonical::{ContentHash, canonical_json};
use crate::model::TrustCenter;

impl TrustCenter {
    /// The bytes the content hash is computed over.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        canonical_json(self)
    }

    pub fn content_hash(&self) -> ContentHash {
        ContentHash::of(&self.canonical_bytes())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Revision {
    /// 1 for an org's first publish, then +1 each time.
    pub number: u64,
    pub content_hash: ContentHash,
    pub published_at: OffsetDateTime,
    pub content: TrustCenter,
}

/// The public JSON form of a revision (`/{org}/trust.json`), served as canonical
/// JSON so that `content` can be hashed exactly as received.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(
    title = "Candor published revision",
    description = "One published, immutable revision of an org's trust center (GET /{org}/trust.json).",
    deny_unknown_fields
)]
pub struct PublishedDocument<'a> {
    /// The org's slug: the first path segment of its trust page.
    pub org: &'a str,
    /// 1 for the org's first publish, then +1 each time.
    pub revision: u64,
    /// `sha256:` and the hex SHA-256 of `content` as canonical JSON (RFC 8785).
    pub content_hash: ContentHash,
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String", extend("format" = "date-time"))]
    pub published_at: OffsetDateTime,
    pub content: &'a TrustCenter,
}

/// What the transparency log records for a published revision: public and
/// permanent, so only the number, hash and time — no content, no people.
#[derive(Serialize)]
struct LogEntry<'a> {
    v: u32,
    org: &'a str,
    revision: u64,
    content_hash: ContentHash,
    #[serde(with = "time::serde::rfc3339")]
    published_at: OffsetDateTime,
}

impl Revision {
    /// The canonical bytes appended to the org's transparency log.
    pub fn log_entry(&self, org: &str) -> Vec<u8> {
        log_entry(org, self.number, self.content_hash, self.published_at)
    }

    pub fn document<'a>(&'a self, org: &'a str) -> PublishedDocument<'a> {
        PublishedDocument {
            org,
            revision: self.number,
            content_hash: self.content_hash,
            published_at: self.published_at,
            content: &self.content,
        }
    }
}

/// The canonical transparency-log entry for revision `number` of `org`.
pub fn log_entry(
    org: &str,
    number: u64,
    content_hash: ContentHash,
    published_at: OffsetDateTime,
) -> Vec<u8> {
    canonical_json(&LogEntry {
        v: 1,
        org,
        revision: number,
        content_hash,
        published_at,
    })
}
