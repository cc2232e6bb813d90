//! Reader access: the org's rules for readers' requests, a reader's sign-in
//! links and sessions, the record of what each reader did, and the org's
//! endpoints for operator events.

use std::fmt;
use std::str::FromStr;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::documents::{DocumentRequest, RequestStatus};
use crate::keys::SealedSecret;

/// Shortest and longest grant an admin (or the org's default) may give.
pub const GRANT_DAYS: std::ops::RangeInclusive<u16> = 1..=365;

/// The org's rules for readers' requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReaderPolicy {
    /// Email domains whose requests are approved without an admin (a domain
    /// also covers its subdomains).
    pub allow_domains: Vec<String>,
    /// Email domains whose requests are denied without an admin; wins over the allow-list.
    pub block_domains: Vec<String>,
    /// How long a grant lasts when nobody chose: NDA acceptances, the
    /// allow-list, and an admin's approval without a number of days.
    pub grant_days: u16,
}

impl Default for ReaderPolicy {
    fn default() -> Self {
        ReaderPolicy {
            allow_domains: Vec::new(),
            block_domains: Vec::new(),
            grant_days: 30,
        }
    }
}

/// What the org's lists decide for a request, before any admin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListVerdict {
    Allowed,
    Blocked,
    /// Neither list names the domain: an admin decides.
    Unlisted,
}

impl ReaderPolicy {
    /// What the lists say of `email` (lowercase). The block-list wins.
    pub fn verdict(&self, email: &str) -> ListVerdict {
        let Some((_, domain)) = email.rsplit_once('@') else {
            return ListVerdict::Unlisted;
        };
        let covers = |listed: &String| {
            domain == listed
                || domain
                    .strip_suffix(listed.as_str())
                    .is_some_and(|rest| rest.ends_with('.'))
        };
        if self.block_domains.iter().any(covers) {
            ListVerdict::Blocked
        } else if self.allow_domains.iter().any(covers) {
            ListVerdict::Allowed
        } else {
            ListVerdict::Unlisted
        }
    }

    /// Reads a list typed by an admin (one domain per line, or separated by
    /// commas or spaces; `@` and case ignored), or names the first bad entry.
    pub fn parse_domains(text: &str) -> Result<Vec<String>, String> {
        let mut out: Vec<String> = Vec::new();
        for entry in text.split(|c: char| c == ',' || c.is_whitespace()) {
            let entry = entry.trim().trim_start_matches('@').to_ascii_lowercase();
            if entry.is_empty() {
                continue;
            }
            let valid = entry.len() <= 253
                && entry.contains('.')
                && entry.split('.').all(|label| {
                    !label.is_empty()
                        && label.len() <= 63
                        && !label.starts_with('-')
                        && !label.ends_with('-')
                        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                });
            if !valid {
                return Err(format!("{entry:?} is not a domain name (like example.com)"));
            }
            if !out.contains(&entry) {
                out.push(entry);
            }
        }
        if out.len() > 500 {
            return Err("at most 500 domains".into());
        }
        Ok(out)
    }
}

/// The UTC day of `t` (YYYY-MM-DD), for history lines.
pub fn day_of(t: OffsetDateTime) -> String {
    candor_domain::types::Day(t.to_offset(time::UtcOffset::UTC).date()).to_string()
}

/// Who decided a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decider {
    /// An admin (the audit log says who).
    Admin,
    /// Granted when the reader accepted the NDA.
    Nda,
    /// The org's allow-list.
    AllowList,
    /// The org's block-list.
    BlockList,
}

impl Decider {
    pub fn as_str(self) -> &'static str {
        match self {
            Decider::Admin => "admin",
            Decider::Nda => "nda",
            Decider::AllowList => "allow-list",
            Decider::BlockList => "block-list",
        }
    }
}

impl FromStr for Decider {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "admin" => Ok(Decider::Admin),
            "nda" => Ok(Decider::Nda),
            "allow-list" => Ok(Decider::AllowList),
            "block-list" => Ok(Decider::BlockList),
            other => Err(format!("unknown decider {other:?}")),
        }
    }
}

/// Where a request stands for its reader at a given time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantState {
    Pending,
    Denied,
    /// Granted and usable until the time given.
    Active(OffsetDateTime),
    Expired,
    Revoked,
}

impl GrantState {
    pub fn of(request: &DocumentRequest, now: OffsetDateTime) -> GrantState {
        match request.status {
            RequestStatus::Pending => GrantState::Pending,
            RequestStatus::Denied => GrantState::Denied,
            RequestStatus::Granted if request.revoked_at.is_some() => GrantState::Revoked,
            RequestStatus::Granted => match request.expires_at {
                Some(until) if until > now => GrantState::Active(until),
                _ => GrantState::Expired,
            },
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            GrantState::Pending => "pending",
            GrantState::Denied => "denied",
            GrantState::Active(_) => "active",
            GrantState::Expired => "expired",
            GrantState::Revoked => "revoked",
        }
    }
}

/// What happened, in a reader's history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReaderEventKind {
    Requested,
    NdaAccepted,
    Approved,
    Denied,
    Revoked,
    SignedIn,
    Viewed,
    Downloaded,
    /// Had a questionnaire answered from the page's public and gated entries.
    Questionnaire,
}

impl ReaderEventKind {
    pub const ALL: [ReaderEventKind; 9] = [
        ReaderEventKind::Requested,
        ReaderEventKind::NdaAccepted,
        ReaderEventKind::Approved,
        ReaderEventKind::Denied,
        ReaderEventKind::Revoked,
        ReaderEventKind::SignedIn,
        ReaderEventKind::Viewed,
        ReaderEventKind::Downloaded,
        ReaderEventKind::Questionnaire,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReaderEventKind::Requested => "requested",
            ReaderEventKind::NdaAccepted => "nda_accepted",
            ReaderEventKind::Approved => "approved",
            ReaderEventKind::Denied => "denied",
            ReaderEventKind::Revoked => "revoked",
            ReaderEventKind::SignedIn => "signed_in",
            ReaderEventKind::Viewed => "viewed",
            ReaderEventKind::Downloaded => "downloaded",
            ReaderEventKind::Questionnaire => "questionnaire",
        }
    }
}

impl fmt::Display for ReaderEventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReaderEventKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ReaderEventKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown reader event {s:?}"))
    }
}

/// One line of a reader's history. Personal data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReaderEvent {
    pub id: Uuid,
    pub at: OffsetDateTime,
    pub email: String,
    /// The document, or empty (a sign-in).
    pub doc_key: String,
    pub request_id: Option<Uuid>,
    pub kind: ReaderEventKind,
    /// A few words: who decided, for how many days.
    pub detail: String,
}

impl ReaderEvent {
    pub fn new(
        at: OffsetDateTime,
        email: &str,
        doc_key: &str,
        request_id: Option<Uuid>,
        kind: ReaderEventKind,
        detail: impl Into<String>,
    ) -> ReaderEvent {
        ReaderEvent {
            id: Uuid::new_v4(),
            at,
            email: email.to_owned(),
            doc_key: doc_key.to_owned(),
            request_id,
            kind,
            detail: detail.into(),
        }
    }
}

/// Which history to read: one reader's, one document's, or the org's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReaderFilter {
    pub email: Option<String>,
    pub doc_key: Option<String>,
}

/// A reader's single-use sign-in link, or their session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReaderTokenKind {
    Link,
    Session,
}

impl ReaderTokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReaderTokenKind::Link => "link",
            ReaderTokenKind::Session => "session",
        }
    }
}

/// One of the org's endpoints for operator events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventHook {
    pub id: Uuid,
    pub url: String,
    /// The Standard Webhooks signing secret, sealed with the master key for
    /// [`crate::outbox::webhook_secret_purpose`] of the URL.
    pub secret: SealedSecret,
    pub created_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_block_list_wins_and_a_domain_covers_its_subdomains_only() {
        let policy = ReaderPolicy {
            allow_domains: vec!["example.com".into(), "partner.org".into()],
            block_domains: vec!["rival.example.com".into()],
            grant_days: 30,
        };
        assert_eq!(policy.verdict("ann@example.com"), ListVerdict::Allowed);
        assert_eq!(policy.verdict("ann@eu.example.com"), ListVerdict::Allowed);
        assert_eq!(
            policy.verdict("ann@rival.example.com"),
            ListVerdict::Blocked
        );
        assert_eq!(policy.verdict("ann@badexample.com"), ListVerdict::Unlisted);
        assert_eq!(
            policy.verdict("ann@partner.org.evil.net"),
            ListVerdict::Unlisted
        );
        assert_eq!(policy.verdict("not-an-address"), ListVerdict::Unlisted);
    }

    #[test]
    fn domain_lists_are_read_loosely_and_refused_precisely() {
        assert_eq!(
            ReaderPolicy::parse_domains("Example.com\n@partner.org, example.com  ").unwrap(),
            vec!["example.com".to_owned(), "partner.org".to_owned()]
        );
        assert!(ReaderPolicy::parse_domains("").unwrap().is_empty());
        let err = ReaderPolicy::parse_domains("example.com\nlocalhost").unwrap_err();
        assert!(err.contains("localhost"), "{err}");
        assert!(ReaderPolicy::parse_domains("exa_mple.com").is_err());
        assert!(ReaderPolicy::parse_domains("-bad.com").is_err());
    }
}
