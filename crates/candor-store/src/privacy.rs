//! Erasing one person's data (GDPR Art. 17): what the caller prepares, what the
//! store erased.

use candor_domain::audit::AuditEvent;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::keys::SealedSecret;

/// A pseudonym for a person in the audit log, which never holds personal data.
pub fn subject_ref(email: &str) -> String {
    let digest = hex::encode(Sha256::digest(email.as_bytes()));
    format!("subject:{}", &digest[..16])
}

/// A vulnerability report sealed again without the reporter's name and address.
/// A report is the org's security record: it stays, without who sent it.
pub struct ResealedReport {
    pub id: Uuid,
    pub key_version: u32,
    pub sealed: SealedSecret,
}

/// One person's erasure, done by the store in one transaction with its audit
/// entry, so that a crash leaves either all of it, recorded, or none of it.
pub struct PersonErasure {
    /// The normalised address: subscriptions and document requests made with it go.
    pub email: String,
    pub resealed_reports: Vec<ResealedReport>,
    /// Its target is the [`subject_ref`]; the store adds what was erased.
    pub audit: AuditEvent,
}

/// What an erasure removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ErasedCounts {
    pub subscriptions: u64,
    /// Document requests, with their download links and records.
    pub requests: u64,
    /// Reports whose reporter's identity was removed.
    pub reports: u64,
}
