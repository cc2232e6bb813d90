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

/// The public JSON form of a revision (`/{org}/trust.json`).
#[derive(Serialize)]
pub struct PublishedDocument<'a> {
    pub org: &'a str,
    pub revision: u64,
    pub content_hash: ContentHash,
    #[serde(with = "time::serde::rfc3339")]
    pub published_at: OffsetDateTime,
    pub content: &'a TrustCenter,
}

impl Revision {
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
