//! An org's dashboard (`/admin/orgs/{org}`): the draft's differences from the
//! public page, the sections to edit, and what the caller's role lets them do.

use askama::Template;
use axum::extract::{Extension, Query, State};
use axum::http::StatusCode;
use candor_domain::diff;
use candor_domain::incidents::{Due, DueKind, open_deadlines, span_words};
use candor_domain::parse::SECTIONS;
use candor_domain::policy::{Action, allows};
use serde::Deserialize;

use crate::caller::Access;
use crate::page_error::{PageResult, render};
use crate::state::AppState;
use candor_app::content::working_copy;

#[derive(Template)]
#[template(path = "admin/org.html")]
struct OrgPage<'a> {
    slug: &'a str,
    name: String,
    role: &'static str,
    latest: Option<u64>,
    has_draft: bool,
    changes: Vec<String>,
    sections: &'static [&'static str],
    can_edit: bool,
    can_publish: bool,
    can_audit: bool,
    can_manage_members: bool,
    can_manage_tokens: bool,
    can_view_subscribers: bool,
    can_manage_documents: bool,
    can_handle_reports: bool,
    overdue_reports: usize,
    /// Incident-response deadlines still open: (words, overdue).
    incident_deadlines: Vec<(String, bool)>,
    can_handle_privacy: bool,
    can_manage_settings: bool,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct OrgQuery {
    published: Option<u64>,
}

/// `GET /admin/orgs/{org}`.
pub async fn org_page(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Query(q): Query<OrgQuery>,
) -> PageResult {
    let notice = q.published.map(|n| format!("Published revision {n}."));
    org_view(&state, &access, notice, None, StatusCode::OK).await
}

/// An open incident deadline in words: what is due, by when, and how long is left.
fn deadline_words(d: &Due, now: time::OffsetDateTime) -> String {
    let what = match d.kind {
        DueKind::Notice => "tell customers (publish a first update)",
        DueKind::Review => "publish the post-incident review",
    };
    let by = crate::views::human_time(d.due.0);
    if d.overdue {
        format!(
            "Incident \u{201c}{}\u{201d}: {what} was due by {by}, {} ago.",
            d.title,
            span_words(now - d.due.0)
        )
    } else {
        format!(
            "Incident \u{201c}{}\u{201d}: {what} by {by}, in {}.",
            d.title,
            span_words(d.due.0 - now)
        )
    }
}

/// The org's dashboard, with a status line or a refusal at the top.
pub(super) async fn org_view(
    state: &AppState,
    access: &Access,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let (working, latest) = working_copy(&*state.store, &access.scope).await?;
    let changes = match (&working, &latest) {
        (Some(w), Some(l)) => diff(&l.content, &w.published()).describe(),
        (Some(_), None) => vec!["nothing published yet: publishing creates revision 1".into()],
        _ => Vec::new(),
    };
    let overdue_reports = if allows(access.role, Action::HandleReports) {
        super::reports::overdue_count(state, &access.scope).await
    } else {
        0
    };
    let now = time::OffsetDateTime::now_utc();
    let incident_deadlines = working
        .as_ref()
        .map(|w| {
            open_deadlines(w, latest.as_ref().map(|l| &l.content), now)
                .into_iter()
                .map(|d| (deadline_words(&d, now), d.overdue))
                .collect()
        })
        .unwrap_or_default();
    let name = working
        .as_ref()
        .map(|w| w.profile.name.to_string())
        .unwrap_or_else(|| access.scope.slug().to_string());
    let can = |action| allows(access.role, action);
    Ok(render(
        OrgPage {
            slug: access.scope.slug().as_str(),
            name,
            role: access.role.as_str(),
            latest: latest.map(|l| l.number),
            has_draft: working.is_some(),
            changes,
            sections: SECTIONS,
            can_edit: can(Action::EditDraft),
            can_publish: can(Action::Publish),
            can_audit: can(Action::ViewAudit),
            can_manage_members: can(Action::ManageMembers),
            can_manage_tokens: can(Action::ManageTokens),
            can_view_subscribers: can(Action::ViewSubscribers),
            can_manage_documents: can(Action::ManageDocuments),
            can_handle_reports: can(Action::HandleReports),
            can_handle_privacy: can(Action::HandlePrivacyRequests),
            can_manage_settings: can(Action::ManageSettings),
            overdue_reports,
            incident_deadlines,
            notice,
            error,
        },
        status,
    ))
}
