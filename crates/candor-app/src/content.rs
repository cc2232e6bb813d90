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

/// What publishing the draft now would do, for the page that asks before it
/// does: the revision it makes, what changed, whether a rule refuses it, who
/// is told, and the rules that apply.
#[derive(Clone, Debug)]
pub struct PublishPreview {
    /// The revision publishing makes.
    pub number: u64,
    pub changes: Vec<String>,
    /// Why publishing would be refused now, naming the field.
    pub blocker: Option<candor_domain::FieldError>,
    /// Notices queued for subscribers (by the worker, once published).
    pub emails: usize,
    pub webhooks: usize,
    /// `incident.declared` events to the org's event endpoints.
    pub events: usize,
    /// The promised subprocessor notice, in days, when this revision changes subprocessors.
    pub notice_days: Option<u32>,
    /// Subprocessors this revision adds: name and the day they take effect.
    pub added_subprocessors: Vec<(String, String)>,
    /// Incident updates and reviews this revision tells customers first.
    pub incident_news: usize,
    /// Texts translated into some of the page's languages but not all: those
    /// pages show the default text there (a warning, not a refusal).
    pub missing_translations: Vec<candor_domain::FieldError>,
}

/// The preview of publishing the draft at `now`; None without a draft or changes.
pub async fn publish_preview(
    store: &dyn Store,
    scope: &OrgScope,
    links: &crate::compose::Links,
    now: time::OffsetDateTime,
) -> Result<Option<PublishPreview>, StoreError> {
    let (working, latest) = working_copy(store, scope).await?;
    let Some(working) = working else {
        return Ok(None);
    };
    let changes = match &latest {
        Some(l) => candor_domain::diff(&l.content, &working.published()),
        None => candor_domain::ContentDiff::default(),
    };
    if latest.is_some() && changes.is_empty() {
        return Ok(None);
    }
    let blocker = publish_blocker(latest.as_ref(), &working, now);
    let mut content = working.clone();
    // What the revision would carry: incident news stamped with its time.
    let _ = candor_domain::incidents::stamp(latest.as_ref().map(|l| &l.content), &mut content, now);
    let candidate = Revision {
        number: latest.as_ref().map_or(1, |l| l.number + 1),
        content_hash: content.content_hash(),
        published_at: now,
        content,
    };
    let (mut emails, mut webhooks, mut events) = (0, 0, 0);
    if let Some(previous) = &latest {
        let subscribers = store.subscribers(scope).await?;
        for d in crate::compose::revision_notices(links, &candidate, &changes, &subscribers, now) {
            match d.channel {
                candor_store::outbox::Channel::Email => emails += 1,
                candor_store::outbox::Channel::Webhook => webhooks += 1,
            }
        }
        let hooks = store.event_hooks(scope).await?;
        events = crate::compose::incidents_declared(&hooks, links, previous, &candidate, now).len();
    }
    let known: Vec<&str> = latest
        .as_ref()
        .map(|l| {
            l.content
                .subprocessors
                .iter()
                .map(|s| s.name.as_str())
                .collect()
        })
        .unwrap_or_default();
    let added_subprocessors: Vec<(String, String)> = match &latest {
        None => Vec::new(),
        Some(_) => candidate
            .content
            .subprocessors
            .iter()
            .filter(|s| s.removed_at.is_none() && !known.contains(&s.name.as_str()))
            .map(|s| {
                (
                    s.name.to_string(),
                    s.effective_at.map(|d| d.to_string()).unwrap_or_default(),
                )
            })
            .collect(),
    };
    let changes_subprocessors = changes
        .sections
        .iter()
        .any(|s| s.section == "subprocessors");
    let incident_news = {
        let at = candor_domain::types::Moment::at(now);
        candidate
            .content
            .incidents
            .iter()
            .map(|i| {
                i.updates
                    .iter()
                    .filter(|u| u.published_at == Some(at))
                    .count()
                    + usize::from(
                        i.review
                            .as_ref()
                            .is_some_and(|r| r.published_at == Some(at)),
                    )
            })
            .sum()
    };
    Ok(Some(PublishPreview {
        number: candidate.number,
        changes: match &latest {
            Some(_) => changes.describe(),
            None => vec!["the first revision: the page as it starts".into()],
        },
        blocker,
        emails,
        webhooks,
        events,
        notice_days: candidate
            .content
            .notice_days()
            .filter(|_| changes_subprocessors),
        added_subprocessors,
        incident_news,
        missing_translations: candidate.content.missing_translations(),
    }))
}
