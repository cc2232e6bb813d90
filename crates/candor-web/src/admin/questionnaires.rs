//! Questionnaires in the admin UI: upload a customer's file (XLSX, CSV or
//! JSON) and see every drafted answer with its sources side by side, or get the
//! customer's workbook back filled; or import an answered one into the draft's
//! knowledge base. Nothing of the uploaded file is kept.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Extension, Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use candor_app::questionnaires::{self, Answered, Source};
use candor_domain::model::Visibility;
use candor_questionnaire::Audience;
use candor_questionnaire::json::Questionnaire;

use crate::caller::Access;
use crate::page_error::{PageResult, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "admin/questionnaires.html")]
struct QuestionnairesPage<'a> {
    slug: &'a str,
    can_import: bool,
    answered: Option<Answered>,
    source: String,
    notice: Option<String>,
    error: Option<String>,
}

fn page(
    access: &Access,
    answered: Option<Answered>,
    notice: Option<String>,
    error: Option<String>,
) -> PageResult {
    let source = match answered.as_ref().map(|a| &a.source) {
        Some(Source::Revision {
            revision,
            log_index,
            content_hash,
        }) => format!("revision {revision} (log entry {log_index}, {content_hash})"),
        Some(Source::Draft) => "the draft (not published: not in the log)".into(),
        None => String::new(),
    };
    let status = match error {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    let can_import =
        candor_domain::policy::allows(access.role, candor_domain::policy::Action::EditDraft);
    Ok(render(
        QuestionnairesPage {
            slug: access.scope.slug().as_str(),
            can_import,
            answered,
            source,
            notice,
            error,
        },
        status,
    ))
}

/// `GET /admin/orgs/{org}/questionnaires`.
pub async fn questionnaires(Extension(access): Extension<Access>) -> PageResult {
    page(&access, None, None, None)
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

/// `POST /admin/orgs/{org}/questionnaires/answer`: the answers on the page, or
/// (`format=xlsx`) the customer's workbook filled.
pub async fn answer(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    multipart: Multipart,
) -> PageResult {
    let (upload, questionnaire) = match read_upload(multipart).await {
        Ok(read) => read,
        Err(e) => return page(&access, None, None, Some(e)),
    };
    let from_draft = upload.field("from") == "draft";
    let audience = match upload.field("audience") {
        "internal" => Audience::Internal,
        "public" => Audience::Public,
        _ => Audience::Customer,
    };
    let answered = match questionnaires::answer(
        &*state.store,
        &access.scope,
        &questionnaire,
        from_draft,
        audience,
    )
    .await
    {
        Ok(a) => a,
        Err(questionnaires::QuestionnaireError::Store(e)) => return Err(e.into()),
        Err(e) => return page(&access, None, None, Some(e.to_string())),
    };
    if upload.field("format") == "xlsx" {
        return match questionnaires::fill_workbook(&upload.bytes, &questionnaire, &answered) {
            Ok(filled) => {
                let disposition = format!(
                    "attachment; filename=\"{}-answered.xlsx\"",
                    questionnaire.name.replace(['"', '\r', '\n'], "")
                );
                let mut response = (StatusCode::OK, filled).into_response();
                let headers = response.headers_mut();
                headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    ),
                );
                if let Ok(value) = HeaderValue::from_str(&disposition) {
                    headers.insert(header::CONTENT_DISPOSITION, value);
                }
                Ok(response)
            }
            Err(e) => page(
                &access,
                Some(answered),
                None,
                Some(format!("the workbook could not be filled: {e}")),
            ),
        };
    }
    let notice = format!(
        "{} of {} questions answered; the rest need review.",
        answered.answered(),
        answered.answers.len()
    );
    page(&access, Some(answered), Some(notice), None)
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
        Err(e) => return page(&access, None, None, Some(e)),
    };
    let visibility = match upload.field("visibility") {
        "public" => Visibility::Public,
        "gated" => Visibility::Gated,
        _ => Visibility::Internal,
    };
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
        Ok(done) => page(
            &access,
            None,
            Some(format!(
                "Knowledge base of the draft: {} added, {} replaced. Publish the draft to publish the public ones.",
                done.added, done.replaced
            )),
            None,
        ),
        Err(questionnaires::QuestionnaireError::Store(e)) => Err(e.into()),
        Err(e) => page(&access, None, None, Some(e.to_string())),
    }
}
