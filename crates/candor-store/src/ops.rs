//! Operations that combine store calls; the only places an `OrgScope` is made.

use candor_domain::types::Day;
use candor_domain::{ContentDiff, FieldError, OrgSlug, Revision, diff, notice};
use time::OffsetDateTime;

use crate::{OrgScope, Result, Store};

/// Creates an org and returns the scope to fill it.
pub async fn create_org(store: &dyn Store, slug: &OrgSlug, name: &str) -> Result<OrgScope> {
    let org = store.insert_org(slug, name).await?;
    Ok(OrgScope::new(&org))
}

/// The scope of an existing org, or None. Callers decide who may hold it: the
/// operator's CLI, the public read path (published revisions only), and later
/// authenticated members.
pub async fn scope_for(store: &dyn Store, slug: &OrgSlug) -> Result<Option<OrgScope>> {
    Ok(store
        .org_by_slug(slug)
        .await?
        .map(|org| OrgScope::new(&org)))
}

pub enum PublishOutcome {
    Published {
        revision: Box<Revision>,
        changes: ContentDiff,
    },
    /// The draft is identical to the latest revision; nothing was stored.
    Unchanged {
        latest: u64,
    },
    NoDraft,
    /// The draft breaks a publication rule (the subprocessor notice period); nothing was stored.
    Refused(FieldError),
}

/// Freezes the org's draft into its next revision, unless it equals the latest
/// one. `actor` is recorded in the audit log (a pseudonymous id, never an email).
pub async fn publish_draft(
    store: &dyn Store,
    scope: &OrgScope,
    now: OffsetDateTime,
    actor: &str,
) -> Result<PublishOutcome> {
    let Some(draft) = store.draft(scope).await? else {
        return Ok(PublishOutcome::NoDraft);
    };
    let latest = store.latest_revision(scope).await?;
    if let Some(latest) = &latest
        && latest.content_hash == draft.content.content_hash()
    {
        return Ok(PublishOutcome::Unchanged {
            latest: latest.number,
        });
    }
    // Whole seconds: every backend stores them exactly, and readers need no more.
    let published_at = now.replace_nanosecond(0).unwrap_or(now);
    let publish_day = Day(published_at.to_offset(time::UtcOffset::UTC).date());
    if let Err(refusal) = notice::check(
        latest.as_ref().map(|r| &r.content),
        &draft.content,
        publish_day,
    ) {
        return Ok(PublishOutcome::Refused(refusal));
    }
    let revision = store
        .insert_revision(scope, &draft.content, published_at, actor)
        .await?;
    let changes = match &latest {
        Some(previous) => diff(&previous.content, &revision.content),
        None => ContentDiff::default(),
    };
    Ok(PublishOutcome::Published {
        revision: Box::new(revision),
        changes,
    })
}

/// Loads the org's audit log and checks its chain and head. `Ok(Ok(n))`: n entries, intact.
pub async fn verify_audit(
    store: &dyn Store,
    scope: &OrgScope,
) -> Result<std::result::Result<usize, candor_domain::audit::ChainError>> {
    let log = store.audit_log(scope).await?;
    if let Err(e) = candor_domain::audit::verify_chain(&log.entries, log.head) {
        return Ok(Err(e));
    }
    // The chain holds; the Merkle tree over the same entries must agree with it.
    let mut tree = candor_log::tree::MemoryTree::new();
    for e in &log.entries {
        tree.append(&candor_domain::audit::entry_bytes(
            e.seq,
            &e.prev_hash,
            &e.event,
        ));
    }
    let size = tree.size();
    let expected = candor_log::tree::root(&tree, size)
        .map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
    let stored = crate::log::audit_root(store, scope, size).await;
    if stored.ok() != Some(expected) {
        return Ok(Err(candor_domain::audit::ChainError::TreeMismatch { size }));
    }
    Ok(Ok(log.entries.len()))
}
