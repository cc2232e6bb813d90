//! Questionnaires in the admin UI: the list of questionnaires under review;
//! upload a customer's file (XLSX, CSV or JSON) to have every answer drafted and
//! kept for review (`super::review` is the review page); or import an answered
//! one into the draft's knowledge base.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Extension, Multipart, State};
use axum::http::StatusCode;
use candor_app::questionnaires::{self, QuestionnaireError};
use candor_app::review::{self, ReviewError};
use candor_domain::model::Visibility;
use candor_domain::policy::{Action, allows};
use candor_questionnaire::Audience;
use candor_questionnaire::json::Questionnaire;

use crate::caller::Access;
use crate::page_error::{PageResult, render};
use crate::state::AppState;
use crate::views::human_time;

#[derive(Template)]
#[template(path = "admin/questionnaires.html")]
struct QuestionnairesPage<'a> {
    slug: &'a str,
    can_edit: bool,
    reviews: Vec<ReviewRow>,
    notice: Option<String>,
    error: Option<String>,
}

/// One questionnaire in the list.
struct ReviewRow {
    id: String,
    name: String,
    filename: String,
    created: String,
    questions: usize,
    drafted: usize,
    reviewed: usize,
}

async fn page(
    state: &AppState,
    access: &Access,
    notice: Option<String>,
    error: Option<String>,
) -> PageResult {
    let master = state.config.master_key.as_deref();
    let reviews = review::list(&*state.store, master, &access.scope)
        .await
        .map_err(super::review::page_error)?
        .into_iter()
        .map(|r| ReviewRow {
            id: r.stored.id.to_string(),
            created: human_time(r.stored.created_at),
            questions: r.review.items.len(),
            drafted: r.review.drafted(),
            reviewed: r.review.reviewed(),
            name: r.review.name,
            filename: r.review.filename,
        })
        .collect();
    let status = match error {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    Ok(render(
        QuestionnairesPage {
            slug: access.scope.slug().as_str(),
            can_edit: allows(access.role, Action::EditDraft),
            reviews,
            notice,
            error,
        },
        status,
    ))
}

/// `GET /admin/orgs/{org}/questionnaires`: the questionnaires under review and
/// the forms to answer or import one.
pub async fn questionnaires(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> PageResult {
    page(&state, &access, None, None).await
}

/// The form's fields: the file and what to do with it.
struct Upload {
    filename: String,
    bytes: Bytes,
    fields: Vec<(String, String)>,
}

async fn upload(mut multipart: Multipart) -> Option<Upload> {
    let mut file = None;
    let mut fields = Vec::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let filename = field.file_name().unwrap_or("questionnaire").to_owned();
            file = Some((filename, field.bytes().await.ok()?));
        } else {
            fields.push((name, field.text().await.ok()?));
        }
    }
    let (filename, bytes) = file?;
    Some(Upload {
        filename,
        bytes,
        fields,
    })
}

impl Upload {
    fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    async fn questionnaire(&self) -> Result<Questionnaire, String> {
        let (name, bytes) = (self.filename.clone(), self.bytes.clone());
        let parsed = crate::parsing::off_runtime(move || {
            candor_questionnaire::sheet::read(&name, &bytes)
                .map_err(|e| candor_domain::ContentError::one("file", e.to_string()))
        })
        .await;
        parsed.map_err(|e| match e {
            crate::parsing::ParseFailure::Invalid(e) => {
                format!("{}: {}", self.filename, e.first().message)
            }
            crate::parsing::ParseFailure::Busy => {
                "the server is busy reading other files; try again shortly".into()
            }
        })
    }
}

/// The uploaded form and the questionnaire in its file, or what is wrong with them.
async fn read_upload(multipart: Multipart) -> Result<(Upload, Questionnaire), String> {
    let upload = upload(multipart)
        .await
        .ok_or("file: choose a questionnaire to upload")?;
    let questionnaire = upload.questionnaire().await?;
    Ok((upload, questionnaire))
}

/// `POST /admin/orgs/{org}/questionnaires/answer`: drafts every answer and
/// keeps them for review (editors and above); to the review page.
pub async fn answer(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    multipart: Multipart,
) -> PageResult {
    let (upload, questionnaire) = match read_upload(multipart).await {
        Ok(read) => read,
        Err(e) => return page(&state, &access, None, Some(e)).await,
    };
    let audience = Audience::parse(upload.field("audience")).unwrap_or(Audience::Customer);
    let started = review::start(
        &*state.store,
        state.config.master_key.as_deref(),
        &access.actor(),
        &review::Upload {
            filename: &upload.filename,
            bytes: &upload.bytes,
            questionnaire: &questionnaire,
        },
        upload.field("from") == "draft",
        audience,
    )
    .await;
    match started {
        Ok(id) => super::review::see_other(&access, &format!("/{id}")),
        Err(ReviewError::Answering(
            e @ (QuestionnaireError::NothingPublished
            | QuestionnaireError::NoDraft
            | QuestionnaireError::Invalid(_)),
        )) => page(&state, &access, None, Some(e.to_string())).await,
        Err(e) => Err(super::review::page_error(e)),
    }
}

/// `POST /admin/orgs/{org}/questionnaires/import`: an answered questionnaire into
/// the draft's knowledge base (editors and above).
pub async fn import(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    multipart: Multipart,
) -> PageResult {
    let (upload, questionnaire) = match read_upload(multipart).await {
        Ok(read) => read,
        Err(e) => return page(&state, &access, None, Some(e)).await,
    };
    let visibility = Visibility::parse(upload.field("visibility")).unwrap_or(Visibility::Internal);
    let prefix = questionnaire.name.clone();
    match questionnaires::import(
        &*state.store,
        &access.scope,
        &questionnaire,
        &prefix,
        visibility,
    )
    .await
    {
        Ok(done) => {
            page(
                &state,
                &access,
                Some(format!(
                "Knowledge base of the draft: {} added, {} replaced. Publish the draft to publish the public ones.",
                    done.added, done.replaced
                )),
                None,
            )
            .await
        }
        Err(QuestionnaireError::Store(e)) => Err(e.into()),
        Err(e) => page(&state, &access, None, Some(e.to_string())).await,
    }
}
