//! What the public trust page is rendered from, read in one snapshot
//! ([`crate::Content::page_snapshot`]): the revision, the log's root at it, the
//! evidence shown beside its controls and the log key's generation all come
//! from one moment, and a render costs one read transaction, not one per part.

use candor_domain::Revision;

use crate::evidence::EvidenceSnapshot;

/// The page a reader already has: the revision it shows, and whether it shows
/// evidence (which may have changed while the revision did not).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KnownPage {
    pub number: u64,
    pub with_evidence: bool,
}

#[derive(Debug)]
pub enum PageSnapshot {
    /// The org has not published yet.
    Unpublished,
    /// The latest revision is the known one: its evidence (when that was asked
    /// for) and the log key's generation, which may have moved on without it.
    Unchanged {
        evidence: Option<EvidenceSnapshot>,
        log_key_generation: u32,
    },
    /// A revision the caller does not have yet.
    Latest(Box<PageContent>),
}

#[derive(Clone, Debug)]
pub struct PageContent {
    pub revision: Revision,
    /// The log's root at this revision: what its checkpoint signed.
    pub log_root: [u8; 32],
    /// Read only when one of the revision's controls names checks.
    pub evidence: Option<EvidenceSnapshot>,
    pub log_key_generation: u32,
}

/// Whether a revision's page shows evidence: one of its controls names checks.
pub fn shows_evidence(revision: &Revision) -> bool {
    revision
        .content
        .controls
        .iter()
        .any(|c| !c.checks.is_empty())
}
