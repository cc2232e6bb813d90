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
