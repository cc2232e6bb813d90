//! The content an editor works on.

use candor_domain::{Revision, TrustCenter};
use candor_store::{OrgScope, Store, StoreError};

/// The draft, or (before the first edit) the latest revision's content, with
/// the latest revision.
pub async fn working_copy(
    store: &dyn Store,
    scope: &OrgScope,
) -> Result<(Option<TrustCenter>, Option<Revision>), StoreError> {
    let latest = store.latest_revision(scope).await?;
    let draft = store.draft(scope).await?.map(|d| d.content);
    let working = draft.or_else(|| latest.as_ref().map(|r| r.content.clone()));
    Ok((working, latest))
}

/// Why publishing `working` now would be refused, before anyone presses
/// Publish: the same rules `publish_draft` applies (what customers were told
/// about incidents stays as told; a new subprocessor needs its notice period).
pub fn publish_blocker(
    latest: Option<&candor_domain::Revision>,
    working: &TrustCenter,
    now: time::OffsetDateTime,
) -> Option<candor_domain::FieldError> {
    let previous = latest.map(|l| &l.content);
    let mut next = working.clone();
    if let Err(refusal) = candor_domain::incidents::stamp(previous, &mut next, now) {
        return Some(refusal);
    }
    let today = candor_domain::types::Day(now.to_offset(time::UtcOffset::UTC).date());
    candor_domain::notice::check(previous, &next, today).err()
}
