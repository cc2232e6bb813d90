//! Evidence: hosts an org claims (and proves it controls), and the latest result
//! of each check Candor runs on them.

use time::OffsetDateTime;

/// A host name an org claims, with the token that proves it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostClaim {
    pub host: String,
    /// Served at `https://HOST/.well-known/candor-verification.txt` to prove control.
    pub token: String,
    pub created_at: OffsetDateTime,
    pub verified_at: Option<OffsetDateTime>,
}

/// The latest result of one check (`hsts`, `tls`, …) on one host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvidenceRecord {
    pub host: String,
    pub check: String,
    pub ran_at: OffsetDateTime,
    /// `pass`, `warn` or `fail`.
    pub verdict: String,
    /// One line for the page.
    pub summary: String,
    /// Every finding behind the verdict, as JSON (the raw observations).
    pub findings_json: String,
    /// When the current run of failures began; None unless failing.
    pub failing_since: Option<OffsetDateTime>,
}

/// An org's evidence results and host claims as one read saw them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EvidenceSnapshot {
    pub records: Vec<EvidenceRecord>,
    pub claims: Vec<HostClaim>,
}

impl EvidenceSnapshot {
    /// The hosts whose control has been proven.
    pub fn verified_hosts(&self) -> Vec<String> {
        self.claims
            .iter()
            .filter(|c| c.verified_at.is_some())
            .map(|c| c.host.clone())
            .collect()
    }
}

/// When an updated record's failure run began: kept while it keeps failing.
pub fn failing_since(
    previous: Option<&EvidenceRecord>,
    verdict: &str,
    ran_at: OffsetDateTime,
) -> Option<OffsetDateTime> {
    if verdict != "fail" {
        return None;
    }
    match previous {
        Some(p) if p.verdict == "fail" => p.failing_since.or(Some(p.ran_at)),
        _ => Some(ran_at),
    }
}
