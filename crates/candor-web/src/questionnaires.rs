//! The questionnaire API: answer a customer's file (XLSX, CSV or JSON) from the
//! org's latest revision or its draft, and import an answered one into the
//! draft's knowledge base. The work is `candor_app::questionnaires`'; reading
//! the file runs off the runtime under the same slots and deadline as documents.

use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::{Extension, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use candor_app::questionnaires::{self, QuestionnaireError};
use candor_domain::ContentError;
use candor_domain::model::Visibility;
use candor_questionnaire::Audience;
use candor_questionnaire::json::Questionnaire;
use candor_questionnaire::sheet::{self, MAX_FILE_BYTES};
use serde::Deserialize;
use serde_json::json;

use crate::caller::Access;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct AnswerQuery {
    /// `revision` (the default) or `draft`.
    from: Option<String>,
    /// `public`, `customer` (the default) or `internal`.
    audience: Option<String>,
}

#[derive(Deserialize)]
pub struct ImportQuery {
    filename: Option<String>,
    /// `internal` (the default), `gated` or `public`.
    visibility: Option<String>,
}

async fn read_file(name: String, body: Body) -> Result<Questionnaire, ApiError> {
    let bytes = to_bytes(body, MAX_FILE_BYTES)
        .await
        .map_err(|_| ApiError::for_status(StatusCode::PAYLOAD_TOO_LARGE))?;
    let parsed = crate::parsing::off_runtime(move || {
        sheet::read(&name, &bytes).map_err(|e| ContentError::one("file", e.to_string()))
    })
    .await?;
    Ok(parsed)
}

impl From<QuestionnaireError> for ApiError {
    fn from(e: QuestionnaireError) -> ApiError {
        match e {
            QuestionnaireError::Store(e) => e.into(),
            QuestionnaireError::Invalid(e) => {
                ApiError::validation(e.first().field.clone(), e.to_string())
            }
            other => ApiError::new(StatusCode::CONFLICT, "no_content", other.to_string()),
        }
    }
}

/// `POST /api/v1/orgs/{org}/questionnaires/answer`: the file as the body.
pub async fn answer(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Query(q): Query<AnswerQuery>,
    body: Body,
) -> Result<Response, ApiError> {
    let from_draft = match q.from.as_deref() {
        None | Some("revision") => false,
        Some("draft") => true,
        Some(_) => return Err(ApiError::validation("from", "from is revision or draft")),
    };
    let audience = match q.audience.as_deref() {
        None => Audience::Customer,
        Some(text) => Audience::parse(text).ok_or_else(|| {
            ApiError::validation("audience", "audience is public, customer or internal")
        })?,
    };
    let questionnaire = read_file("questionnaire".into(), body).await?;
    let answered = questionnaires::answer(
        &*state.store,
        &access.scope,
        &questionnaire,
        from_draft,
        audience,
    )
    .await?;
    Ok(Json(answered).into_response())
}

/// `POST /api/v1/orgs/{org}/knowledge/import`: an answered questionnaire as
/// the body, into the draft's knowledge base.
pub async fn import(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Query(q): Query<ImportQuery>,
    body: Body,
) -> Result<Response, ApiError> {
    let visibility = match q.visibility.as_deref() {
        None => Visibility::Internal,
        Some(text) => Visibility::parse(text).ok_or_else(|| {
            ApiError::validation("visibility", "visibility is public, gated or internal")
        })?,
    };
    let filename = q.filename.unwrap_or_else(|| "imported".into());
    let questionnaire = read_file(filename.clone(), body).await?;
    let prefix = std::path::Path::new(&filename)
        .file_stem()
        .map_or_else(|| "imported".into(), |s| s.to_string_lossy().into_owned());
    let done = questionnaires::import(
        &*state.store,
        &access.scope,
        &questionnaire,
        &prefix,
        visibility,
    )
    .await?;
    Ok(Json(json!({"added": done.added, "replaced": done.replaced})).into_response())
}
