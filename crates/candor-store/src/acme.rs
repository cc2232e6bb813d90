//! Certificates Candor obtains over ACME, shared by every replica: one row per
//! host, with the chain, its sealed private key and the schedule of the next
//! attempt. Not tenant content (a host is looked up before any org is known).

use time::OffsetDateTime;

use crate::keys::SealedSecret;

/// A host Candor wants a certificate for, and what it has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcmeCertificate {
    pub host: String,
    /// The certificate chain (leaf first), PEM; None until the first issuance.
    pub chain_pem: Option<String>,
    /// The chain's private key (PKCS#8 PEM), sealed for purpose `acme-key/HOST`.
    pub sealed_key: Option<SealedSecret>,
    pub not_after: Option<OffsetDateTime>,
    pub issued_at: Option<OffsetDateTime>,
    /// The latest attempt, successful or not.
    pub attempted_at: Option<OffsetDateTime>,
    /// Why the latest attempt failed; None after a success.
    pub last_error: Option<String>,
    /// Failed attempts since the latest success.
    pub failures: u32,
    /// When to renew, or to try again after a failure.
    pub next_attempt_at: OffsetDateTime,
}

/// A newly issued certificate, as the manager stores it.
pub struct IssuedCertificate<'a> {
    pub chain_pem: &'a str,
    pub sealed_key: &'a SealedSecret,
    pub not_after: OffsetDateTime,
    pub issued_at: OffsetDateTime,
    /// When to renew it.
    pub renew_at: OffsetDateTime,
}

/// What the master key seals a certificate's private key for.
pub fn key_purpose(host: &str) -> String {
    format!("{KEY_PREFIX}{host}")
}

/// What the master key seals the ACME account's credentials for.
pub fn account_purpose(directory: &str) -> String {
    format!("{ACCOUNT_PREFIX}{directory}")
}

const ACCOUNT_PREFIX: &str = "acme-account/";
const KEY_PREFIX: &str = "acme-key/";

/// A sealed ACME secret's row, from its purpose.
pub(crate) enum SealedRow<'a> {
    Account { directory: &'a str },
    Key { host: &'a str },
}

pub(crate) fn row_of(purpose: &str) -> Option<SealedRow<'_>> {
    if let Some(directory) = purpose.strip_prefix(ACCOUNT_PREFIX) {
        Some(SealedRow::Account { directory })
    } else {
        purpose
            .strip_prefix(KEY_PREFIX)
            .map(|host| SealedRow::Key { host })
    }
}
