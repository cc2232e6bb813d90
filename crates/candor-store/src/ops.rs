//! Operations that combine store calls; the only places an `OrgScope` is made.

use candor_domain::types::Day;
use candor_domain::{ContentDiff, FieldError, OrgSlug, Revision, diff, incidents, notice};
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
    /// The org's log was restored from a backup and is not caught up yet; nothing was stored.
    Held {
        restored_size: u64,
    },
}

/// Why publishing is held, and what ends the hold: the same words on every surface.
pub fn hold_explanation(org: &str, restored_size: u64) -> String {
    format!(
        "publishing is held: {org}'s transparency log was restored from a backup at {restored_size} entries, and readers may have seen later ones; the operator runs `candor log recover --org {org} --from URL` (a replica, mirror or watcher's copy of the public log) or, if no copy exists, `candor log recover --org {org} --unrecoverable`"
    )
}

/// Freezes the org's draft into its next revision, unless it equals the latest
/// one. `actor` is recorded in the audit log (a pseudonymous id, never an email).
pub async fn publish_draft(
    store: &dyn Store,
    scope: &OrgScope,
    now: OffsetDateTime,
    actor: &str,
) -> Result<PublishOutcome> {
    // A restored log that is behind the public one would fork at the next entry.
    if let Some(hold) = store.log_hold(scope).await?
        && hold.is_held()
    {
        return Ok(PublishOutcome::Held {
            restored_size: hold.restored_size,
        });
    }
    let Some(draft) = store.draft(scope).await? else {
        return Ok(PublishOutcome::NoDraft);
    };
    // Knowledge entries that are not public stay in the draft.
    let mut content = draft.content.published();
    let latest = store.latest_revision(scope).await?;
    let previous = latest.as_ref().map(|r| &r.content);
    // Whole seconds: every backend stores them exactly, and readers need no more.
    let published_at = now.replace_nanosecond(0).unwrap_or(now);
    // What customers were told about incidents stays as told; what this
    // revision tells them first carries its time (before comparing: a draft
    // need not hold the stamps of what it already published).
    if let Err(refusal) = incidents::stamp(previous, &mut content, published_at) {
        return Ok(PublishOutcome::Refused(refusal));
    }
    if let Some(latest) = &latest
        && latest.content_hash == content.content_hash()
    {
        return Ok(PublishOutcome::Unchanged {
            latest: latest.number,
        });
    }
    let publish_day = Day(published_at.to_offset(time::UtcOffset::UTC).date());
    if let Err(refusal) = notice::check(previous, &content, publish_day) {
        return Ok(PublishOutcome::Refused(refusal));
    }
    let revision = store
        .insert_revision(scope, &content, published_at, actor)
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
    // Removing entries from the end and rewinding the head leaves a shorter chain
    // that verifies; the tree's nodes were written with each entry and still hold
    // the leaf that came after.
    let beyond = store.audit_nodes(scope, &[(0, size)]).await?;
    if !beyond.is_empty() {
        return Ok(Err(candor_domain::audit::ChainError::TreeLonger { size }));
    }
    Ok(Ok(log.entries.len()))
}

/// [`verify_audit`], and the log against a checkpoint an auditor kept: the note
/// must verify with `verifier_key`, the log must be at least as long as the
/// checkpoint, and its first entries must give the checkpoint's root.
pub async fn verify_audit_against(
    store: &dyn Store,
    scope: &OrgScope,
    checkpoint_note: &str,
    verifier_key: &str,
) -> Result<std::result::Result<usize, String>> {
    use candor_domain::audit::ChainError;
    let verifier = match candor_log::note::NoteVerifier::parse(verifier_key.trim()) {
        Ok(v) => v,
        Err(e) => return Ok(Err(format!("the verifier key does not parse: {e}"))),
    };
    let body = match verifier.open(checkpoint_note) {
        Ok(body) => body,
        Err(e) => {
            return Ok(Err(format!(
                "the checkpoint's signature does not verify: {e}"
            )));
        }
    };
    let checkpoint = match candor_log::checkpoint::Checkpoint::parse(body) {
        Ok(c) => c,
        Err(e) => return Ok(Err(format!("the checkpoint does not parse: {e}"))),
    };
    let count = match verify_audit(store, scope).await? {
        Ok(count) => count,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let size = count as u64;
    if checkpoint.size > size {
        return Ok(Err(ChainError::ShorterThanCheckpoint {
            signed: checkpoint.size,
            size,
        }
        .to_string()));
    }
    let log = store.audit_log(scope).await?;
    let mut tree = candor_log::tree::MemoryTree::new();
    for e in log
        .entries
        .iter()
        .take(usize::try_from(checkpoint.size).unwrap_or(usize::MAX))
    {
        tree.append(&candor_domain::audit::entry_bytes(
            e.seq,
            &e.prev_hash,
            &e.event,
        ));
    }
    let root = candor_log::tree::root(&tree, checkpoint.size)
        .map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
    if root != checkpoint.root {
        return Ok(Err(ChainError::CheckpointMismatch {
            size: checkpoint.size,
        }
        .to_string()));
    }
    Ok(Ok(count))
}

/// How deleting an account ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountDeletion {
    Deleted,
    /// Still the only owner of this org: it left the orgs before it, and nothing else changed.
    OnlyOwnerOf(OrgSlug),
}

/// Deletes an account: it leaves every org (each removal audited there as
/// `action` by `actor`), then its sessions and the account go. Stops at an org it
/// is the only owner of.
pub async fn delete_account(
    store: &dyn Store,
    user_id: uuid::Uuid,
    actor: &str,
    action: candor_domain::audit::AuditAction,
) -> Result<AccountDeletion> {
    for (org, _) in store.memberships_of(user_id).await? {
        let Some(scope) = scope_for(store, &org.slug).await? else {
            continue;
        };
        let event = candor_domain::audit::AuditEvent::new(
            actor,
            action,
            format!("user:{user_id} (account deleted)"),
            OffsetDateTime::now_utc(),
        );
        let outcome = store
            .change_membership(&scope, user_id, crate::MembershipChange::Remove, &event)
            .await?;
        if outcome == crate::MembershipOutcome::LastOwner {
            return Ok(AccountDeletion::OnlyOwnerOf(org.slug));
        }
    }
    store.delete_user(user_id).await?;
    Ok(AccountDeletion::Deleted)
}
