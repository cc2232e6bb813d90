//! The org's audit log (`/admin/orgs/{org}/audit`), newest first, and whether
//! its hash chain and head verify.

use askama::Template;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use candor_domain::audit::verify_chain;
use time::format_description::well_known::Rfc3339;

use crate::caller::Access;
use crate::page_error::{PageResult, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage<'a> {
    slug: &'a str,
    rows: Vec<(u64, String, String, String, String)>,
    verdict: String,
    intact: bool,
}

/// `GET /admin/orgs/{org}/audit`.
pub async fn audit(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> PageResult {
    let log = state.store.audit_log(&access.scope).await?;
    let check = verify_chain(&log.entries, log.head);
    let rows = log
        .entries
        .iter()
        .rev()
        .map(|e| {
            let at = e.event.at.format(&Rfc3339).unwrap_or_default();
            (
                e.seq,
                at,
                e.event.actor.clone(),
                e.event.action.clone(),
                e.event.target.clone(),
            )
        })
        .collect();
    Ok(render(
        AuditPage {
            slug: access.scope.slug().as_str(),
            rows,
            intact: check.is_ok(),
            verdict: match check {
                Ok(()) => format!(
                    "{} entries; the hash chain and head are intact.",
                    log.entries.len()
                ),
                Err(e) => format!("Verification FAILED: {e}"),
            },
        },
        StatusCode::OK,
    ))
}
