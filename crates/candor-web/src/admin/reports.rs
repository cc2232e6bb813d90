//! Vulnerability reports in the admin UI (`/admin/orgs/{org}/reports`): the
//! list (overdue first), one report decrypted, and acknowledging it, which
//! tells the reporter. The acknowledgement deadline comes from the org's
//! disclosure commitment (`crate::reports` takes the reports).

use askama::Template;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use candor_app::compose;
use candor_app::reports::open_report;
use candor_domain::audit::AuditAction;
use candor_store::OrgScope;
use candor_store::documents::StoredReport;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::caller::Access;
use crate::page_error::{PageError, PageResult, render};
use crate::reports::{ReportContent, no_master_key, reference};
use crate::state::AppState;
use crate::views::human_time;

pub struct ReportRow {
    pub id: String,
    pub reference: String,
    pub title: String,
    pub received: String,
    pub due: String,
    /// "overdue", "open" or "acknowledged".
    pub state: &'static str,
}

#[derive(Template)]
#[template(path = "admin/reports.html")]
struct ReportsPage<'a> {
    slug: &'a str,
    rows: Vec<ReportRow>,
    overdue: usize,
}

#[derive(Template)]
#[template(path = "admin/report.html")]
struct ReportDetail<'a> {
    slug: &'a str,
    row: ReportRow,
    content: ReportContent,
}

async fn decrypt(
    state: &AppState,
    scope: &OrgScope,
    r: &StoredReport,
) -> Result<ReportContent, PageError> {
    let Some(master) = &state.config.master_key else {
        return Err(no_master_key());
    };
    Ok(open_report(&*state.store, scope, master, r).await?)
}

fn row(r: &StoredReport, title: String, now: OffsetDateTime) -> ReportRow {
    ReportRow {
        id: r.id.to_string(),
        reference: reference(r.id),
        title,
        received: human_time(r.received_at),
        due: human_time(r.ack_due_at),
        state: if r.acknowledged_at.is_some() {
            "acknowledged"
        } else if r.is_overdue(now) {
            "overdue"
        } else {
            "open"
        },
    }
}

/// `GET /admin/orgs/{org}/reports`: overdue first, then open, then acknowledged.
pub async fn admin_reports(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> PageResult {
    let reports = state.store.reports(&access.scope).await?;
    let now = OffsetDateTime::now_utc();
    let mut rows = Vec::new();
    for r in &reports {
        let title = decrypt(&state, &access.scope, r).await?.title;
        rows.push(row(r, title, now));
    }
    let rank = |s: &str| match s {
        "overdue" => 0,
        "open" => 1,
        _ => 2,
    };
    rows.sort_by_key(|r| rank(r.state));
    let overdue = rows.iter().filter(|r| r.state == "overdue").count();
    Ok(render(
        ReportsPage {
            slug: access.scope.slug().as_str(),
            rows,
            overdue,
        },
        StatusCode::OK,
    ))
}

/// One report of the org, with its decrypted content.
async fn find(
    state: &AppState,
    scope: &OrgScope,
    id: &str,
) -> Result<(StoredReport, ReportContent), PageError> {
    let id: Uuid = id.parse().map_err(|_| PageError::not_found("report"))?;
    let report = state
        .store
        .reports(scope)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| PageError::not_found("report"))?;
    let content = decrypt(state, scope, &report).await?;
    Ok((report, content))
}

/// `GET /admin/orgs/{org}/reports/{id}`.
pub async fn admin_report(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
) -> PageResult {
    let (report, content) = find(&state, &access.scope, &id).await?;
    Ok(render(
        ReportDetail {
            slug: access.scope.slug().as_str(),
            row: row(&report, content.title.clone(), OffsetDateTime::now_utc()),
            content,
        },
        StatusCode::OK,
    ))
}

/// `POST /admin/orgs/{org}/reports/{id}/acknowledge`: records it and tells the reporter.
pub async fn admin_acknowledge(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
) -> PageResult {
    let (report, content) = find(&state, &access.scope, &id).await?;
    let event = access.audit(
        AuditAction::ReportAcknowledge,
        format!("report:{}", report.id),
    );
    let acknowledged = state
        .store
        .acknowledge_report(&access.scope, report.id, OffsetDateTime::now_utc(), &event)
        .await?;
    if acknowledged && !content.email.is_empty() {
        let org_name = state.org_name(&access.scope).await;
        let mail = compose::direct_email(
            &content.email,
            format!(
                "{org_name} acknowledges your report {}",
                reference(report.id)
            ),
            format!(
                "Thank you for your report \"{}\" ({}). {org_name}'s security team has it and is looking into it.\n",
                content.title,
                reference(report.id)
            ),
        );
        state.store.enqueue(&access.scope, &[mail]).await?;
        state.wake_worker();
    }
    Ok(Redirect::to(&format!(
        "/admin/orgs/{}/reports/{}",
        access.scope.slug(),
        report.id
    ))
    .into_response())
}
