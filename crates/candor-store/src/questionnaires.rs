//! Customers' questionnaires under review, as stored: the customer's file and
//! the review state, each sealed with the org's data key (the store never sees
//! a question or an answer in the clear), and the version that keeps two
//! reviewers from overwriting each other.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::keys::SealedSecret;

/// A value sealed under the org's data key of `key_version`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedRecord {
    pub key_version: u32,
    pub sealed: SealedSecret,
}

/// A questionnaire's review as stored (without the customer's file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredQuestionnaire {
    pub id: Uuid,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// Moves by one on every change; a change names the version it was made on.
    pub version: u64,
    pub state: SealedRecord,
}

/// A questionnaire about to be stored.
pub struct NewQuestionnaire {
    pub id: Uuid,
    pub created_at: OffsetDateTime,
    pub file: SealedRecord,
    pub state: SealedRecord,
}

/// A change to a questionnaire's review, made on `version`.
pub struct ReviewChange<'a> {
    pub version: u64,
    pub state: &'a SealedRecord,
    pub at: OffsetDateTime,
    /// The draft with the accepted answers in its knowledge base, saved in the
    /// same transaction (saving answers to the knowledge base).
    pub draft: Option<&'a candor_domain::TrustCenter>,
}
