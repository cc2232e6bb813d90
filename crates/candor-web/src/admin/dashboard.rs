//! An org's dashboard (`/admin/orgs/{org}`): the draft's differences from the
//! public page, the sections to edit, and what the caller's role lets them do.

use askama::Template;
use axum::extract::{Extension, Query, State};
use axum::http::StatusCode;
use candor_domain::diff;
use candor_domain::incidents::{Due, DueKind, open_deadlines};

/// A span as people say it: "45 min", "3 h 12 min", "2 d 4 h" (the admin
/// interface is in English).
fn span_words(span: time::Duration) -> String {
    crate::i18n::Tr::new("en").span(span)
}
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
    /// What waits for someone with the caller's role, most urgent first.
    attention: Vec<Attention>,
    /// Sections whose draft differs from the public page.
    edited: Vec<&'static str>,
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

/// How long before a document's `valid_until` the dashboard starts reminding.
const DOCUMENT_REMINDER_DAYS: i64 = 30;

/// One thing that waits for someone: what, how urgent, and where to act.
pub struct Attention {
    pub urgent: bool,
    pub text: String,
    pub link: String,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

/// What waits for the caller: requests to decide, reports to acknowledge
/// (with the time left), objections, messages that could not be delivered,
/// hosts not proven or failing checks, and a draft that publishing would
/// refuse. Each only for roles that can act on it.
async fn needs_attention(
    state: &AppState,
    access: &Access,
    blocker: Option<String>,
    documents: &[candor_domain::model::DocumentMeta],
    reports: &[candor_store::documents::StoredReport],
    now: time::OffsetDateTime,
) -> Result<Vec<Attention>, crate::page_error::PageError> {
    let scope = &access.scope;
    let slug = scope.slug();
    let can = |action| allows(access.role, action);
    let mut out = Vec::new();
    if let Some(reason) = blocker
        && can(Action::Publish)
    {
        out.push(Attention {
            urgent: true,
            text: format!("Publishing the draft now would be refused: {reason}"),
            link: format!("/admin/orgs/{slug}/preview"),
        });
    }
    // The caller read them only for roles that handle reports.
    for report in reports {
        if report.acknowledged_at.is_some() {
            continue;
        }
        let reference = crate::reports::reference(report.id);
        let by = crate::views::human_time(report.ack_due_at);
        let text = if report.is_overdue(now) {
            format!(
                "Vulnerability report {reference}: acknowledgement was due by {by}, {} ago.",
                span_words(now - report.ack_due_at)
            )
        } else {
            format!(
                "Vulnerability report {reference}: acknowledge by {by}, in {}.",
                span_words(report.ack_due_at - now)
            )
        };
        out.push(Attention {
            urgent: report.is_overdue(now) || report.ack_due_at - now < time::Duration::hours(24),
            text,
            link: format!("/admin/orgs/{slug}/reports/{}", report.id),
        });
    }
    if can(Action::ManageDocuments) {
        let pending = state
            .store
            .document_requests(scope)
            .await?
            .iter()
            .filter(|r| r.status == candor_store::documents::RequestStatus::Pending)
            .count();
        if pending > 0 {
            out.push(Attention {
                urgent: false,
                text: format!(
                    "{} {} for a decision.",
                    plural(pending, "document request", "document requests"),
                    if pending == 1 { "waits" } else { "wait" }
                ),
                link: format!("/admin/orgs/{slug}/documents#requests-h"),
            });
        }
    }
    if can(Action::EditDraft) || can(Action::ManageDocuments) {
        let today = now.to_offset(time::UtcOffset::UTC).date();
        for d in documents {
            let Some(until) = d.valid_until else { continue };
            let left = (until.0 - today).whole_days();
            if left > DOCUMENT_REMINDER_DAYS {
                continue;
            }
            let text = match left {
                ..0 => format!(
                    "“{}” expired on {until}: upload the new one and update its valid_until.",
                    d.title
                ),
                0 => format!("“{}” is valid until today.", d.title),
                n => format!(
                    "“{}” is valid until {until}, {}.",
                    d.title,
                    plural(n as usize, "day left", "days left")
                ),
            };
            out.push(Attention {
                urgent: left < 0,
                text,
                link: format!("/admin/orgs/{slug}/documents"),
            });
        }
    }
    if can(Action::ViewSubscribers) {
        let month_ago = now - time::Duration::days(30);
        let objections = state
            .store
            .objections(scope)
            .await?
            .iter()
            .filter(|o| o.created_at > month_ago)
            .count();
        if objections > 0 {
            out.push(Attention {
                urgent: false,
                text: format!(
                    "{} to a subprocessor in the last 30 days.",
                    plural(objections, "objection", "objections")
                ),
                link: format!("/admin/orgs/{slug}/subscribers"),
            });
        }
        let failed = state.store.outbox_stats(scope).await?.failed;
        if failed > 0 {
            out.push(Attention {
                urgent: false,
                text: format!(
                    "{} could not be delivered.",
                    plural(failed as usize, "mail or webhook", "mails or webhooks")
                ),
                link: format!("/admin/orgs/{slug}/subscribers"),
            });
        }
    }
    if can(Action::ManageSettings) {
        let claims = state.store.host_claims(scope).await?;
        let unproven = claims.iter().filter(|c| c.verified_at.is_none()).count();
        if unproven > 0 {
            out.push(Attention {
                urgent: false,
                text: format!(
                    "{} not proven yet: evidence checks wait for the proof.",
                    plural(unproven, "host is", "hosts are")
                ),
                link: format!("/admin/orgs/{slug}/hosts"),
            });
        }
        if let Some((host, certificate)) =
            super::hosts::own_host_certificate(state, scope, &claims).await?
            && certificate.alarm
        {
            out.push(Attention {
                urgent: true,
                text: format!("Certificate for {host}: {}", certificate.text),
                link: format!("/admin/orgs/{slug}/hosts"),
            });
        }
        let mut failing: Vec<String> = state
            .store
            .evidence(scope)
            .await?
            .into_iter()
            .filter(|e| e.failing_since.is_some())
            .map(|e| format!("{} ({})", e.host, e.check))
            .collect();
        failing.dedup();
        if !failing.is_empty() {
            out.push(Attention {
                urgent: true,
                text: format!("Evidence checks failing: {}.", failing.join(", ")),
                link: format!("/admin/orgs/{slug}/hosts"),
            });
        }
    }
    // Urgent first; otherwise in the order above.
    out.sort_by_key(|a| !a.urgent);
    Ok(out)
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
/// What the dashboard and the navigation's count are made from.
struct Standing {
    working: Option<candor_domain::TrustCenter>,
    latest: Option<candor_domain::Revision>,
    changes: Vec<String>,
    edited: Vec<&'static str>,
    reports: Vec<candor_store::documents::StoredReport>,
    attention: Vec<Attention>,
}

async fn standing(
    state: &AppState,
    access: &Access,
    now: time::OffsetDateTime,
) -> Result<Standing, crate::page_error::PageError> {
    let (working, latest) = working_copy(&*state.store, &access.scope).await?;
    let (changes, edited) = match (&working, &latest) {
        (Some(w), Some(l)) => {
            let d = diff(&l.content, &w.published());
            let edited = SECTIONS
                .iter()
                .copied()
                .filter(|name| d.sections.iter().any(|s| s.section == *name))
                .collect();
            (d.describe(), edited)
        }
        (Some(_), None) => (
            vec!["nothing published yet: publishing creates revision 1".into()],
            Vec::new(),
        ),
        _ => (Vec::new(), Vec::new()),
    };
    let reports = match allows(access.role, Action::HandleReports) {
        true => state.store.reports(&access.scope).await?,
        false => Vec::new(),
    };
    let blocker = match (&working, changes.is_empty()) {
        (Some(w), false) => candor_app::content::publish_blocker(latest.as_ref(), w, now)
            .map(|e| format!("{}: {}", e.field, e.message)),
        _ => None,
    };
    let documents = working
        .as_ref()
        .map(|w| w.documents.as_slice())
        .unwrap_or_default();
    let attention = needs_attention(state, access, blocker, documents, &reports, now).await?;
    Ok(Standing {
        working,
        latest,
        changes,
        edited,
        reports,
        attention,
    })
}

/// `GET /admin/orgs/{org}/attention`: how many things wait for the caller,
/// for the count beside the navigation's link (filled in by admin.js).
pub async fn attention_count(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> Result<axum::response::Response, crate::page_error::PageError> {
    let s = standing(&state, &access, time::OffsetDateTime::now_utc()).await?;
    // No-store, like every org route's answer: the access guard adds it.
    Ok(axum::response::IntoResponse::into_response(axum::Json(
        serde_json::json!({"count": s.attention.len()}),
    )))
}

pub(super) async fn org_view(
    state: &AppState,
    access: &Access,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let now = time::OffsetDateTime::now_utc();
    let Standing {
        working,
        latest,
        changes,
        edited,
        reports,
        attention,
    } = standing(state, access, now).await?;
    let overdue_reports = reports.iter().filter(|r| r.is_overdue(now)).count();
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
            attention,
            edited,
            notice,
            error,
        },
        status,
    ))
}
