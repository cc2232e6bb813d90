//! The review page of one questionnaire: each question with Candor's draft and
//! its sources side by side, a form to accept, edit, reject or reopen it
//! (editors and above), saving reviewed answers to the draft's knowledge base,
//! and the answers for the customer (their workbook filled, CSV or JSON).

use askama::Template;
use axum::extract::{Extension, Form, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use candor_app::questionnaires::QuestionnaireError;
use candor_app::review::{self, Decide, Decision, ExportFormat, OpenedReview, ReviewError};
use candor_domain::model::{Verdict, Visibility};
use candor_domain::policy::{Action, allows};
use serde::Deserialize;
use uuid::Uuid;

use crate::caller::Access;
use crate::page_error::{PageError, PageResult, render};
use crate::state::AppState;
use crate::views::human_time;

/// How a review failure reads to the person at the page.
pub(super) fn page_error(e: ReviewError) -> PageError {
    match e {
        ReviewError::Forbidden(_) => PageError::forbidden(),
        ReviewError::NotFound => PageError::not_found("questionnaire"),
        ReviewError::NoMasterKey => PageError::explained(
            StatusCode::SERVICE_UNAVAILABLE,
            "Questionnaires unavailable",
            "This server cannot keep questionnaires encrypted (no master key).",
        ),
        ReviewError::Conflict => PageError::admin(
            StatusCode::CONFLICT,
            "Changed meanwhile",
            "Someone changed this questionnaire while you were reviewing it. Go back and reload the page to see their change; yours was not saved.",
        ),
        ReviewError::Invalid { field, message } => PageError::admin(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not saved",
            format!("{field}: {message}"),
        ),
        ReviewError::Answering(QuestionnaireError::Store(e)) | ReviewError::Store(e) => e.into(),
        ReviewError::Answering(e) => PageError::admin(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not answered",
            e.to_string(),
        ),
    }
}

struct ItemRow {
    index: usize,
    id: String,
    section: String,
    question: String,
    where_: String,
    drafted: Option<&'static str>,
    confidence: f64,
    draft_explanation: String,
    citations: Vec<(String, String)>,
    decision: &'static str,
    verdict: Option<&'static str>,
    verdict_key: &'static str,
    explanation: String,
    reviewed: String,
    saved_as: String,
}

#[derive(Template)]
#[template(path = "admin/questionnaire.html")]
struct ReviewPage<'a> {
    slug: &'a str,
    id: String,
    version: u64,
    name: String,
    filename: String,
    source: String,
    audience: &'static str,
    created: String,
    created_by: String,
    questions: usize,
    drafted: usize,
    reviewed: usize,
    unsaved: usize,
    workbook: bool,
    can_edit: bool,
    verdicts: Vec<(&'static str, &'static str)>,
    items: Vec<ItemRow>,
}

/// 303 to the org's questionnaires page, or below it (`/{id}`, `/{id}#q-3`).
pub(super) fn see_other(access: &Access, below: &str) -> PageResult {
    Ok(Redirect::to(&format!(
        "/admin/orgs/{}/questionnaires{below}",
        access.scope.slug()
    ))
    .into_response())
}

fn parse_id(id: &str) -> Result<Uuid, PageError> {
    id.parse()
        .map_err(|_| PageError::not_found("questionnaire"))
}

async fn open(state: &AppState, access: &Access, id: Uuid) -> Result<OpenedReview, PageError> {
    review::get(
        &*state.store,
        state.config.master_key.as_deref(),
        &access.scope,
        id,
    )
    .await
    .map_err(page_error)
}

/// `GET /admin/orgs/{org}/questionnaires/{id}`.
pub async fn review_page(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
) -> PageResult {
    let OpenedReview { stored, review } = open(&state, &access, parse_id(&id)?).await?;
    // Audit actors are account ids; the org's own people read them as addresses.
    let people: std::collections::HashMap<String, String> = state
        .store
        .members(&access.scope)
        .await?
        .into_iter()
        .map(|m| (format!("user:{}", m.user.id), m.user.email))
        .collect();
    let person = |actor: &str| {
        people
            .get(actor)
            .cloned()
            .unwrap_or_else(|| actor.to_owned())
    };
    let items = review
        .items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let d = &item.drafted;
            ItemRow {
                index,
                id: d.id.clone(),
                section: d.section.clone(),
                question: d.question.clone(),
                where_: match (&d.sheet, d.row) {
                    (Some(sheet), Some(row)) => format!("{sheet}, row {row}"),
                    _ => String::new(),
                },
                drafted: d.draft.verdict.map(Verdict::label),
                confidence: d.draft.confidence,
                draft_explanation: d.draft.explanation.clone(),
                citations: d
                    .draft
                    .citations
                    .iter()
                    .map(|c| (c.cite.clone(), c.title.clone()))
                    .collect(),
                decision: item.decision.as_str(),
                verdict: item.verdict.map(Verdict::label),
                verdict_key: item.verdict.or(d.draft.verdict).map_or("", Verdict::as_str),
                explanation: match item.decision {
                    Decision::Edited | Decision::Accepted => item.explanation.clone(),
                    _ => d.draft.explanation.clone(),
                },
                reviewed: match (&item.reviewed_by, item.reviewed_at) {
                    (Some(by), Some(at)) => format!("{}, {}", person(by), human_time(at)),
                    _ => String::new(),
                },
                saved_as: item.saved_as.clone().unwrap_or_default(),
            }
        })
        .collect();
    Ok(render(
        ReviewPage {
            slug: access.scope.slug().as_str(),
            id: stored.id.to_string(),
            version: stored.version,
            questions: review.items.len(),
            drafted: review.drafted(),
            reviewed: review.reviewed(),
            unsaved: review.unsaved(),
            workbook: review.filename.to_lowercase().ends_with(".xlsx"),
            source: review.source.describe(),
            audience: review.audience.describe(),
            created: human_time(stored.created_at),
            created_by: person(&review.created_by),
            name: review.name,
            filename: review.filename,
            can_edit: allows(access.role, Action::EditDraft),
            verdicts: Verdict::ALL.map(|v| (v.as_str(), v.label())).to_vec(),
            items,
        },
        StatusCode::OK,
    ))
}

/// The review form of one question.
#[derive(Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    index: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    explanation: String,
}

fn field<T: std::str::FromStr>(name: &'static str, value: &str) -> Result<T, PageError> {
    value.trim().parse().map_err(|_| {
        page_error(ReviewError::Invalid {
            field: name,
            message: format!("{value:?} is not valid here"),
        })
    })
}

/// `POST /admin/orgs/{org}/questionnaires/{id}/review`: one decision; back to
/// the question on the review page.
pub async fn decide(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
    Form(form): Form<DecideForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    let decision = Decision::parse(&form.decision).ok_or_else(|| {
        page_error(ReviewError::Invalid {
            field: "decision",
            message: "accept, edit, reject or pending".into(),
        })
    })?;
    let index: usize = field("question", &form.index)?;
    let verdict = match form.verdict.trim() {
        "" => None,
        text => Some(Verdict::parse(text).ok_or_else(|| {
            page_error(ReviewError::Invalid {
                field: "verdict",
                message: "yes, no, partial or na".into(),
            })
        })?),
    };
    review::decide(
        &*state.store,
        state.config.master_key.as_deref(),
        &access.actor(),
        id,
        &Decide {
            version: field("version", &form.version)?,
            index,
            decision,
            verdict,
            explanation: form.explanation,
        },
    )
    .await
    .map_err(page_error)?;
    see_other(&access, &format!("/{id}#q-{index}"))
}

#[derive(Deserialize)]
pub struct SaveForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    visibility: String,
}

/// `POST /admin/orgs/{org}/questionnaires/{id}/knowledge`: reviewed answers
/// into the draft's knowledge base.
pub async fn save_to_knowledge(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
    Form(form): Form<SaveForm>,
) -> PageResult {
    let id = parse_id(&id)?;
    let visibility = match form.visibility.as_str() {
        "" => Visibility::Internal,
        text => Visibility::parse(text).ok_or_else(|| {
            page_error(ReviewError::Invalid {
                field: "visibility",
                message: "public, gated or internal".into(),
            })
        })?,
    };
    review::save_to_knowledge(
        &*state.store,
        state.config.master_key.as_deref(),
        &access.actor(),
        id,
        field("version", &form.version)?,
        visibility,
    )
    .await
    .map_err(page_error)?;
    see_other(&access, &format!("/{id}"))
}

/// `POST /admin/orgs/{org}/questionnaires/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> PageResult {
    if !super::confirm::confirmed(&body) {
        let slug = access.scope.slug().as_str();
        return Ok(super::confirm::ask(super::confirm::Ask {
            slug,
            title: "Delete a questionnaire",
            consequence: "The customer's file and every drafted, edited and reviewed answer in it are deleted. Answers already saved to the knowledge base stay.",
            action: &format!("/admin/orgs/{slug}/questionnaires/{id}/delete"),
            hidden: &[],
            button: "Delete the questionnaire",
            back: &format!("/admin/orgs/{slug}/questionnaires/{id}"),
        }));
    }
    review::delete(&*state.store, &access.actor(), parse_id(&id)?)
        .await
        .map_err(page_error)?;
    see_other(&access, "")
}

#[derive(Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    format: String,
    #[serde(default)]
    unreviewed: Option<String>,
}

/// `GET /admin/orgs/{org}/questionnaires/{id}/export?format=xlsx|csv|json`: the
/// reviewed answers (`unreviewed=1`: with the drafts nobody reviewed yet).
pub async fn export(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, id)): Path<(String, String)>,
    Query(query): Query<ExportQuery>,
) -> PageResult {
    let format = match query.format.as_str() {
        "xlsx" => ExportFormat::Workbook,
        "csv" => ExportFormat::Csv,
        "json" | "" => ExportFormat::Json,
        _ => {
            return Err(page_error(ReviewError::Invalid {
                field: "format",
                message: "xlsx, csv or json".into(),
            }));
        }
    };
    let exported = review::export(
        &*state.store,
        state.config.master_key.as_deref(),
        &access.scope,
        parse_id(&id)?,
        format,
        query.unreviewed.is_some_and(|v| !v.is_empty()),
    )
    .await
    .map_err(page_error)?;
    let mut response = (StatusCode::OK, exported.bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(exported.content_type),
    );
    if let Ok(value) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}\"",
        exported
            .filename
            .replace(|c: char| !c.is_ascii_graphic() || c == '"', "_")
    )) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
