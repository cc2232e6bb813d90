//! The audit log of privileged writes as a hash chain: each entry commits to the
//! one before it, so editing or deleting an entry breaks every later hash, and a
//! separately stored head (sequence number and hash of the last entry) catches
//! the deletion of entries at the end.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::canonical::canonical_json;

/// What happened. Actors are pseudonymous ids (`user:<uuid>`, `token:<uuid>`,
/// `operator:cli`), never emails, so the log can be shown and exported safely.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub actor: String,
    /// An [`AuditAction`]'s name, e.g. `revision.publish`, `member.invite`. Kept as
    /// text: the chain hashes it, and entries written by older versions stay readable.
    pub action: String,
    /// What was acted on, e.g. `revision:3`.
    pub target: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

impl AuditEvent {
    pub fn new(
        actor: impl Into<String>,
        action: AuditAction,
        target: impl Into<String>,
        at: OffsetDateTime,
    ) -> AuditEvent {
        AuditEvent {
            actor: actor.into(),
            action: action.as_str().to_owned(),
            target: target.into(),
            at,
        }
    }
}

macro_rules! audit_actions {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)*) => {
        /// Every privileged write the audit log records: the one list of actions,
        /// so that a page, an export or a test names them alike.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum AuditAction {
            $($(#[$doc])* $variant,)*
        }

        impl AuditAction {
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant,)*];

            /// The name stored in the log.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $name,)*
                }
            }

            pub fn parse(name: &str) -> Option<AuditAction> {
                match name {
                    $($name => Some(AuditAction::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

audit_actions! {
    /// A draft became the next revision.
    RevisionPublish => "revision.publish",
    DocumentUpload => "document.upload",
    DocumentApprove => "document.approve",
    DocumentDeny => "document.deny",
    /// A reader's grant ended before its expiry.
    DocumentRevoke => "document.revoke",
    /// The org's reader domain lists or default grant length changed.
    ReaderPolicySet => "reader.policy",
    /// An endpoint for operator events added or removed.
    EventHookAdd => "event_hook.add",
    EventHookRemove => "event_hook.remove",
    ReportAcknowledge => "report.acknowledge",
    /// An org claimed a host name for evidence checks.
    HostClaim => "host.claim",
    HostVerify => "host.verify",
    /// A host's proof of control was found gone by the evidence worker.
    HostProofLost => "host.proof_lost",
    MemberInvite => "member.invite",
    MemberInviteRevoke => "member.invite_revoke",
    MemberJoin => "member.join",
    MemberLeave => "member.leave",
    MemberRemove => "member.remove",
    MemberSetRole => "member.set_role",
    TokenCreate => "token.create",
    TokenRevoke => "token.revoke",
    OrgExport => "org.export",
    /// The org's transparency-log signing key replaced by a new one.
    LogKeyRotate => "log.key_rotate",
    /// Publishing held after a restore from a backup, until the log is caught up.
    LogHold => "log.hold",
    /// Revisions lost in a restore replayed from a copy of the public log.
    LogRecover => "log.recover",
    /// The operator stated that no copy of the lost log entries exists.
    LogUnrecoverable => "log.unrecoverable",
    /// A person's data exported (Art. 15); the target is a pseudonym.
    PrivacyExport => "privacy.export",
    /// A person's data erased (Art. 17); the target is a pseudonym.
    PrivacyErase => "privacy.erase",
    /// A customer's questionnaire answered and kept for review.
    QuestionnaireAnswer => "questionnaire.answer",
    /// A drafted answer accepted, edited, rejected or reopened.
    QuestionnaireReview => "questionnaire.review",
    /// Reviewed answers saved to the draft's knowledge base.
    QuestionnaireSaveKnowledge => "questionnaire.save_knowledge",
    QuestionnaireDelete => "questionnaire.delete",
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One link of the chain.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEntry {
    /// 1, 2, … per org.
    pub seq: u64,
    pub event: AuditEvent,
    pub prev_hash: [u8; 32],
    pub hash: [u8; 32],
}

/// The hash before the first entry.
pub const GENESIS: [u8; 32] = [0; 32];

#[derive(Serialize)]
struct Link<'a> {
    seq: u64,
    prev: String,
    event: &'a AuditEvent,
}

/// The canonical bytes of a chain link: the entry's number, the previous hash and
/// the event. They are hashed for the chain and, as a leaf, into the audit Merkle tree.
pub fn entry_bytes(seq: u64, prev_hash: &[u8; 32], event: &AuditEvent) -> Vec<u8> {
    canonical_json(&Link {
        seq,
        prev: hex::encode(prev_hash),
        event,
    })
}

/// SHA-256 over [`entry_bytes`].
pub fn entry_hash(seq: u64, prev_hash: &[u8; 32], event: &AuditEvent) -> [u8; 32] {
    Sha256::digest(entry_bytes(seq, prev_hash, event)).into()
}

/// Makes the entry that follows `previous` (or the first one). The time is kept
/// in UTC at microsecond precision, which every backend stores exactly, so the
/// hash can be recomputed from what was stored.
pub fn next_entry(previous: Option<(u64, [u8; 32])>, mut event: AuditEvent) -> AuditEntry {
    let at = event.at.to_offset(time::UtcOffset::UTC);
    event.at = at
        .replace_nanosecond(at.nanosecond() / 1000 * 1000)
        .unwrap_or(at);
    let (seq, prev_hash) = match previous {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS),
    };
    AuditEntry {
        seq,
        hash: entry_hash(seq, &prev_hash, &event),
        prev_hash,
        event,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("entry {found} follows entry {expected_after}: an entry is missing")]
    Gap { expected_after: u64, found: u64 },
    #[error("entry {seq} does not chain to the entry before it")]
    BrokenLink { seq: u64 },
    #[error("entry {seq} was changed after it was written (its hash no longer matches)")]
    Altered { seq: u64 },
    #[error(
        "the log ends at entry {last}, but its head says {head}: entries were removed from the end"
    )]
    Truncated { last: u64, head: u64 },
    #[error("the log's head hash does not match entry {seq}")]
    HeadMismatch { seq: u64 },
    #[error("the audit Merkle tree of {size} entries does not match the entries")]
    TreeMismatch { size: u64 },
    #[error(
        "the audit Merkle tree holds more than the log's {size} entries: entries were removed from the end"
    )]
    TreeLonger { size: u64 },
    #[error(
        "a checkpoint was signed for {signed} entries but the log holds {size}: entries were removed from the end"
    )]
    ShorterThanCheckpoint { signed: u64, size: u64 },
    #[error(
        "the first {size} entries do not match the root of the checkpoint signed for them: history was rewritten"
    )]
    CheckpointMismatch { size: u64 },
}

/// Checks a whole log, in order, against its recorded head (`None` for an empty log).
pub fn verify_chain(
    entries: &[AuditEntry],
    head: Option<(u64, [u8; 32])>,
) -> Result<(), ChainError> {
    let mut previous: Option<&AuditEntry> = None;
    for entry in entries {
        let (expected_seq, expected_prev) = match previous {
            Some(p) => (p.seq + 1, p.hash),
            None => (1, GENESIS),
        };
        if entry.seq != expected_seq {
            return Err(ChainError::Gap {
                expected_after: expected_seq - 1,
                found: entry.seq,
            });
        }
        if entry.prev_hash != expected_prev {
            return Err(ChainError::BrokenLink { seq: entry.seq });
        }
        if entry_hash(entry.seq, &entry.prev_hash, &entry.event) != entry.hash {
            return Err(ChainError::Altered { seq: entry.seq });
        }
        previous = Some(entry);
    }
    let last = previous.map(|p| (p.seq, p.hash));
    match (last, head) {
        (None, None) => Ok(()),
        (Some((seq, _)), None) => Err(ChainError::Truncated { last: seq, head: 0 }),
        (None, Some((head_seq, _))) => Err(ChainError::Truncated {
            last: 0,
            head: head_seq,
        }),
        (Some((seq, hash)), Some((head_seq, head_hash))) => {
            if seq != head_seq {
                Err(ChainError::Truncated {
                    last: seq,
                    head: head_seq,
                })
            } else if hash != head_hash {
                Err(ChainError::HeadMismatch { seq })
            } else {
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_audit_action_has_its_own_name_that_parses_back() {
        let mut names = std::collections::BTreeSet::new();
        for action in AuditAction::ALL {
            assert!(names.insert(action.as_str()), "{action} named twice");
            assert_eq!(AuditAction::parse(action.as_str()), Some(*action));
            let (area, verb) = action.as_str().split_once('.').unwrap_or_default();
            assert!(!area.is_empty() && !verb.is_empty(), "{action}");
        }
        assert_eq!(AuditAction::parse("revision.delete"), None);
    }

    fn event(n: u32) -> AuditEvent {
        AuditEvent {
            actor: "operator:cli".into(),
            action: "revision.publish".into(),
            target: format!("revision:{n}"),
            at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn chain(n: u32) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for i in 1..=n {
            let prev = out.last().map(|e| (e.seq, e.hash));
            out.push(next_entry(prev, event(i)));
        }
        out
    }

    fn head(entries: &[AuditEntry]) -> Option<(u64, [u8; 32])> {
        entries.last().map(|e| (e.seq, e.hash))
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify_chain(&c, head(&c)), Ok(()));
        assert_eq!(verify_chain(&[], None), Ok(()));
    }

    #[test]
    fn every_kind_of_tampering_is_detected() {
        let c = chain(5);
        let h = head(&c);
        let mut edited = c.clone();
        edited[2].event.actor = "user:someone-else".into();
        assert_eq!(
            verify_chain(&edited, h),
            Err(ChainError::Altered { seq: 3 })
        );

        let mut deleted = c.clone();
        deleted.remove(1);
        assert_eq!(
            verify_chain(&deleted, h),
            Err(ChainError::Gap {
                expected_after: 1,
                found: 3
            })
        );

        let truncated = &c[..4];
        assert_eq!(
            verify_chain(truncated, h),
            Err(ChainError::Truncated { last: 4, head: 5 })
        );

        // Rewriting an entry and recomputing its hash breaks the next link instead.
        let mut rehashed = c.clone();
        rehashed[1].event.target = "revision:99".into();
        rehashed[1].hash = entry_hash(2, &rehashed[1].prev_hash, &rehashed[1].event);
        assert_eq!(
            verify_chain(&rehashed, h),
            Err(ChainError::BrokenLink { seq: 3 })
        );

        // Rewriting the whole tail consistently still disagrees with the head.
        let mut forged = c[..4].to_vec();
        forged.push(next_entry(head(&forged), event(42)));
        assert_eq!(
            verify_chain(&forged, h),
            Err(ChainError::HeadMismatch { seq: 5 })
        );
    }
}
