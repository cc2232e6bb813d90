//! Vulnerability reports: a public form whose reports are stored encrypted, a mail
//! to the security contact (with no report content in it), and an admin view that
//! tracks the acknowledgement deadline from the org's disclosure commitment.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use candor_app::compose;
use candor_domain::deadline::add_business_days;
use candor_domain::types::Email;
use candor_domain::words::plural;
use candor_store::documents::{StoredReport, seal_record};
use candor_store::{Org, OrgScope};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::auth::normalize_email;
use crate::page_error::{PageError, PageResult, render};
use crate::state::AppState;
use crate::views::human_time;

use candor_app::reports::RECORD_KIND;
pub use candor_app::reports::ReportContent;

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage<'a> {
    t: crate::i18n::Tr,
    slug: &'a str,
    org_name: &'a str,
    /// What the disclosure policy promises, if it promises anything.
    business_days: Option<u32>,
    error: Option<String>,
    /// After a report: its reference and the acknowledgement deadline.
    received: Option<(String, String)>,
    form: ReportForm,
}

/// When the org promised no acknowledgement time, Candor still tracks this one
/// so that no report is forgotten; the reporter is not told of it.
const UNPROMISED_ACK_BUSINESS_DAYS: u32 = 5;

type Published = (Org, OrgScope, Option<u32>, Option<String>);

async fn published(state: &AppState, slug: &str) -> Result<Published, PageError> {
    let (org, scope, revision) = crate::pages::published_org(state, slug).await?;
    let content = &revision.content;
    let disclosure = content.commitments.vulnerability_disclosure.as_ref();
    let days = disclosure.and_then(|v| v.acknowledgement_business_days);
    // Who hears of a report: the security contact, else a mailto: in the
    // disclosure policy, else the general contact; with none, the admin pages.
    let contact = content
        .profile
        .security_contact
        .as_ref()
        .map(ToString::to_string)
        .or_else(|| {
            disclosure.and_then(|v| {
                v.contact
                    .iter()
                    .find_map(|c| c.as_str().strip_prefix("mailto:").map(str::to_owned))
            })
        })
        .or_else(|| {
            content
                .profile
                .general_contact
                .as_ref()
                .map(ToString::to_string)
        });
    Ok((org, scope, days, contact))
}

fn page(
    org: &Org,
    days: Option<u32>,
    status: StatusCode,
    error: Option<String>,
    received: Option<(String, String)>,
    form: ReportForm,
) -> Response {
    let view = ReportPage {
        t: crate::language::current(),
        slug: org.slug.as_str(),
        org_name: &org.name,
        business_days: days,
        error,
        received,
        form,
    };
    render(view, status)
}

/// `GET /{org}/report`.
pub async fn report_form(State(state): State<AppState>, Path(slug): Path<String>) -> PageResult {
    let (org, _, days, _) = published(&state, &slug).await?;
    Ok(page(
        &org,
        days,
        StatusCode::OK,
        None,
        None,
        ReportForm::default(),
    ))
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub details: String,
    #[serde(default)]
    pub asset: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
}

fn validate(form: &ReportForm) -> Result<ReportContent, (&'static str, &'static str)> {
    let title = form.title.trim();
    let details = form.details.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(("title", "report-title-invalid"));
    }
    if details.is_empty() || details.chars().count() > 20_000 {
        return Err(("details", "report-details-invalid"));
    }
    let email = if form.email.trim().is_empty() {
        String::new()
    } else {
        let e = normalize_email(&form.email);
        if e.parse::<Email>().is_err() {
            return Err(("email", "report-email-invalid"));
        }
        e
    };
    Ok(ReportContent {
        title: title.to_owned(),
        details: details.to_owned(),
        asset: form.asset.trim().chars().take(500).collect(),
        name: form.name.trim().chars().take(200).collect(),
        email,
    })
}

/// `POST /{org}/report`.
pub async fn submit_report(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(form): Form<ReportForm>,
) -> PageResult {
    let (org, scope, days, contact) = published(&state, &slug).await?;
    let content = match validate(&form) {
        Ok(c) => c,
        Err((field, message)) => {
            return Ok(page(
                &org,
                days,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(crate::documents::field_error(field, message)),
                None,
                form,
            ));
        }
    };
    let Some(master) = &state.config.master_key else {
        return Err(no_master_key());
    };
    let id = Uuid::new_v4();
    let json = serde_json::to_vec(&content)?;
    let (key_version, sealed) =
        seal_record(&*state.store, &scope, master, RECORD_KIND, id, &json).await?;
    let received_at = OffsetDateTime::now_utc();
    let report = StoredReport {
        id,
        received_at,
        ack_due_at: add_business_days(received_at, days.unwrap_or(UNPROMISED_ACK_BUSINESS_DAYS)),
        acknowledged_at: None,
        key_version,
        sealed,
    };
    let admin_url = state
        .config
        .public_url
        .join(&format!("/admin/orgs/{}/reports/{id}", org.slug))
        .map(|u| u.to_string())
        .unwrap_or_default();
    // The mail says that a report arrived and when it is due, never what it says.
    let promise = match days {
        Some(days) => format!(
            "Your disclosure policy promises an acknowledgement within {}: by {}.",
            plural(u64::from(days), "business day"),
            human_time(report.ack_due_at)
        ),
        None => format!(
            "Your disclosure policy promises no acknowledgement time; Candor tracks one of {}: by {}.",
            plural(u64::from(UNPROMISED_ACK_BUSINESS_DAYS), "business day"),
            human_time(report.ack_due_at)
        ),
    };
    let notify = contact.map(|contact| {
        compose::direct_email(
            &contact,
            format!("[{}] New vulnerability report {}", org.name, reference(id)),
            format!(
                "A vulnerability report arrived through {}'s trust center at {}.\n\
                 {promise}\n\n\
                 Read it (it is stored encrypted; sign in to see it):\n{admin_url}\n",
                org.name,
                human_time(received_at),
            ),
        )
    });
    let mut notify: Vec<_> = notify.into_iter().collect();
    let hooks = state.store.event_hooks(&scope).await?;
    notify.extend(compose::operator_event(
        &hooks,
        &state.links(org.slug.as_str()),
        compose::OperatorEvent::ReportReceived,
        serde_json::json!({
            "report": id,
            "reference": reference(id),
            "received_at": received_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
            "acknowledge_by": report.ack_due_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
            "admin_url": admin_url,
        }),
        received_at,
    ));
    state.store.insert_report(&scope, &report, &notify).await?;
    state.wake_worker();
    Ok(page(
        &org,
        days,
        StatusCode::OK,
        None,
        Some((reference(id), human_time(report.ack_due_at))),
        ReportForm::default(),
    ))
}

/// Reports are stored only encrypted: without a master key none can be taken or read.
pub(crate) fn no_master_key() -> PageError {
    let t = crate::language::current();
    PageError::explained(
        StatusCode::SERVICE_UNAVAILABLE,
        t.t("reports-unavailable-title"),
        t.t("reports-no-key"),
    )
}

/// The short reference shown to reporters.
pub(crate) fn reference(id: Uuid) -> String {
    format!("VR-{}", &id.simple().to_string()[..8].to_uppercase())
}
