//! Editing the draft section by section (YAML with field-path errors), the
//! preview rendered exactly as the public page, and publishing.

use askama::Template;
use axum::extract::{Extension, Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use candor_domain::Revision;
use candor_domain::parse::SECTIONS;
use candor_domain::policy::{Action, allows};
use candor_domain::types::Day;
use candor_store::PublishOutcome;
use serde::Deserialize;
use time::OffsetDateTime;

use crate::caller::Access;
use crate::page_error::{PageError, PageResult, render};
use crate::parsing::{ParseFailure, off_runtime};
use crate::state::AppState;
use crate::views::TrustPage;
use candor_app::content::working_copy;

#[derive(Template)]
#[template(path = "admin/section.html")]
struct SectionPage<'a> {
    slug: &'a str,
    section: &'a str,
    yaml: String,
    /// Each error, and the line of the YAML it names (when it names one).
    errors: Vec<(String, Option<usize>)>,
    can_edit: bool,
    saved: bool,
}

#[derive(Deserialize)]
pub struct SectionQuery {
    saved: Option<u8>,
}

/// `GET /admin/orgs/{org}/sections/{section}`: the section as YAML.
pub async fn section_form(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, section)): Path<(String, String)>,
    Query(q): Query<SectionQuery>,
) -> PageResult {
    let (working, _) = working_copy(&*state.store, &access.scope).await?;
    let Some(working) = working else {
        return Err(PageError::admin(
            StatusCode::NOT_FOUND,
            "No content yet",
            "Apply a trust-as-code file first: candor apply FILE --org SLUG.",
        ));
    };
    let Some(yaml) = working.section_yaml(&section) else {
        return Err(PageError::not_found("section with this name"));
    };
    Ok(render(
        SectionPage {
            slug: access.scope.slug().as_str(),
            section: &section,
            yaml,
            errors: Vec::new(),
            can_edit: allows(access.role, Action::EditDraft),
            saved: q.saved.is_some(),
        },
        StatusCode::OK,
    ))
}

#[derive(Deserialize)]
pub struct SectionForm {
    yaml: String,
}

/// `POST /admin/orgs/{org}/sections/{section}`: replaces the section in the draft,
/// or shows the form again with every error and its field path.
pub async fn section_save(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, section)): Path<(String, String)>,
    Form(form): Form<SectionForm>,
) -> PageResult {
    let (working, _) = working_copy(&*state.store, &access.scope).await?;
    let Some(working) = working else {
        return Err(PageError::not_found("draft to edit"));
    };
    if !SECTIONS.contains(&section.as_str()) {
        return Err(PageError::not_found("section with this name"));
    }
    // Browsers send CRLF from textareas; YAML does not care, but round trips should not change.
    let yaml = form.yaml.replace("\r\n", "\n");
    let parsed = {
        let (section, yaml) = (section.clone(), yaml.clone());
        off_runtime(move || working.replace_section(&section, &yaml)).await
    };
    let errors = match parsed {
        Ok(updated) => {
            state.store.save_draft(&access.scope, &updated).await?;
            return Ok(Redirect::to(&format!(
                "/admin/orgs/{}/sections/{section}?saved=1",
                access.scope.slug()
            ))
            .into_response());
        }
        Err(ParseFailure::Invalid(e)) => e
            .errors
            .iter()
            .map(|error| {
                (
                    error.to_string(),
                    line_in_section(&yaml, &section, &error.field),
                )
            })
            .collect(),
        Err(ParseFailure::Busy) => vec![(
            "the server is busy reading other documents; nothing was saved, try again".to_owned(),
            None,
        )],
    };
    Ok(render(
        SectionPage {
            slug: access.scope.slug().as_str(),
            section: &section,
            yaml,
            errors,
            can_edit: true,
            saved: false,
        },
        StatusCode::UNPROCESSABLE_ENTITY,
    ))
}

/// The line of a section's YAML that an error's field path (from the document's
/// root: `subprocessors[2].website`) names.
fn line_in_section(yaml: &str, section: &str, field: &str) -> Option<usize> {
    let rest = field.strip_prefix(section)?;
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    if rest.is_empty() {
        return None;
    }
    candor_domain::hints::line_of(yaml, rest)
}

/// `GET /admin/orgs/{org}/preview`: the draft as the public page will show it.
pub async fn preview(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> PageResult {
    let (working, latest) = working_copy(&*state.store, &access.scope).await?;
    let Some(content) = working else {
        return Err(PageError::not_found("draft to preview"));
    };
    let revision = Revision {
        number: latest.map(|l| l.number + 1).unwrap_or(1),
        content_hash: content.content_hash(),
        published_at: OffsetDateTime::now_utc(),
        content,
    };
    let today = Day(OffsetDateTime::now_utc().date());
    let mut page = TrustPage::new(access.scope.slug().as_str(), &revision, today);
    page.preview = true;
    Ok(render(page, StatusCode::OK))
}

/// `POST /admin/orgs/{org}/publish`: freezes the draft into the next revision.
#[derive(Template)]
#[template(path = "admin/publish.html")]
struct PublishPage<'a> {
    slug: &'a str,
    p: candor_app::content::PublishPreview,
    blocker: Option<String>,
}

/// The page that says what publishing will do, and asks.
async fn publish_review(state: &AppState, access: &Access) -> PageResult {
    let slug = access.scope.slug();
    let links = state.links(slug.as_str());
    let preview = candor_app::content::publish_preview(
        &*state.store,
        &access.scope,
        &links,
        OffsetDateTime::now_utc(),
    )
    .await?;
    let Some(p) = preview else {
        return super::dashboard::org_view(
            state,
            access,
            Some("Nothing to publish: the draft is the published page.".into()),
            None,
            StatusCode::OK,
        )
        .await;
    };
    let blocker = p
        .blocker
        .as_ref()
        .map(|e| format!("{}: {}", e.field, e.message));
    let status = match blocker {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    Ok(render(
        PublishPage {
            slug: slug.as_str(),
            p,
            blocker,
        },
        status,
    ))
}

/// `GET /admin/orgs/{org}/publish`: what publishing will do.
pub async fn publish_form(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> PageResult {
    publish_review(&state, &access).await
}

/// `POST /admin/orgs/{org}/publish`: with `confirm=yes` (from the review
/// page) it publishes; without, it shows the review page.
pub async fn publish(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    body: axum::body::Bytes,
) -> PageResult {
    if !super::confirm::confirmed(&body) {
        return publish_review(&state, &access).await;
    }
    let outcome = state.publish(&access).await?;
    let slug = access.scope.slug();
    match outcome {
        PublishOutcome::Published { revision, .. } => {
            let to = format!("/admin/orgs/{slug}?published={}", revision.number);
            Ok(Redirect::to(&to).into_response())
        }
        PublishOutcome::Unchanged { .. } | PublishOutcome::NoDraft => {
            Ok(Redirect::to(&format!("/admin/orgs/{slug}")).into_response())
        }
        PublishOutcome::Refused(refusal) => {
            let message = format!("Not published: {refusal}");
            super::dashboard::org_view(
                &state,
                &access,
                None,
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        PublishOutcome::Held { restored_size } => {
            let message = format!(
                "Not published: {}",
                candor_store::hold_explanation(slug.as_str(), restored_size)
            );
            super::dashboard::org_view(&state, &access, None, Some(message), StatusCode::CONFLICT)
                .await
        }
    }
}
