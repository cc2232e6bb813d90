//! The review queue of a customer's questionnaire: Candor drafts every answer,
//! a person accepts, edits or rejects each one, reviewed answers can be saved
//! to the draft's knowledge base, and the customer gets their file back filled
//! with what was reviewed.
//!
//! The customer's file and the review are sealed with the org's data key (their
//! questions can name the customer and their plans); every change names the
//! version it was made on, so two reviewers never overwrite each other, and is
//! recorded in the audit log in the same transaction.

use candor_domain::audit::{AuditAction, AuditEvent};
use candor_domain::model::{KnowledgeEntry, Verdict, Visibility};
use candor_domain::policy::{Action, allows};
use candor_questionnaire::json::{Questionnaire, key_for};
use candor_questionnaire::{Audience, sheet};
use candor_store::documents::{open_record, seal_record};
use candor_store::keys::MasterKey;
use candor_store::questionnaires::{
    NewQuestionnaire, ReviewChange, SealedRecord, StoredQuestionnaire,
};
use candor_store::{OrgScope, Store, StoreError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::members::Actor;
use crate::questionnaires::{self, Answered, AnsweredQuestion, QuestionnaireError, Source};

/// The kinds under which the file and the review are sealed (part of their
/// associated data, so one cannot be passed off as the other).
const FILE_KIND: &str = "questionnaire-file";
const STATE_KIND: &str = "questionnaire";

/// A person's decision on one drafted answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Not reviewed yet.
    Pending,
    /// The drafted answer, as it is.
    Accepted,
    /// The reviewer's own answer and explanation.
    Edited,
    /// Not to be sent: the question stays unanswered.
    Rejected,
}

impl Decision {
    pub fn parse(text: &str) -> Option<Decision> {
        match text {
            "pending" => Some(Decision::Pending),
            "accept" | "accepted" => Some(Decision::Accepted),
            "edit" | "edited" => Some(Decision::Edited),
            "reject" | "rejected" => Some(Decision::Rejected),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Pending => "pending",
            Decision::Accepted => "accepted",
            Decision::Edited => "edited",
            Decision::Rejected => "rejected",
        }
    }
}

/// One question under review.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReviewItem {
    /// The question and Candor's draft, with its sources.
    pub drafted: AnsweredQuestion,
    pub decision: Decision,
    /// The answer as reviewed: the draft's when accepted, the reviewer's when
    /// edited, none when rejected or pending.
    pub verdict: Option<Verdict>,
    pub explanation: String,
    #[serde(default)]
    pub reviewed_by: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub reviewed_at: Option<OffsetDateTime>,
    /// The knowledge entry it was saved as, once saved.
    #[serde(default)]
    pub saved_as: Option<String>,
}

impl ReviewItem {
    pub fn is_reviewed(&self) -> bool {
        self.decision != Decision::Pending
    }
}

/// A questionnaire's review, as sealed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Review {
    pub name: String,
    pub filename: String,
    pub source: Source,
    pub audience: Audience,
    pub created_by: String,
    pub items: Vec<ReviewItem>,
}

impl Review {
    pub fn reviewed(&self) -> usize {
        self.items.iter().filter(|i| i.is_reviewed()).count()
    }

    pub fn drafted(&self) -> usize {
        self.items
            .iter()
            .filter(|i| i.drafted.draft.verdict.is_some())
            .count()
    }

    /// Reviewed answers not yet in the knowledge base.
    pub fn unsaved(&self) -> usize {
        self.items.iter().filter(|i| saveable(i)).count()
    }

    /// The answers to send: reviewed ones (accepted or edited), and with
    /// `unreviewed` the drafts nobody has looked at yet; rejected questions
    /// and the rest are left blank.
    pub fn answered(&self, unreviewed: bool) -> Answered {
        let answers = self
            .items
            .iter()
            .map(|item| {
                let mut answer = item.drafted.clone();
                match item.decision {
                    Decision::Accepted | Decision::Edited => {
                        answer.draft.verdict = item.verdict;
                        answer.draft.explanation = item.explanation.clone();
                    }
                    Decision::Pending if unreviewed => {}
                    Decision::Pending | Decision::Rejected => answer.draft.verdict = None,
                }
                answer
            })
            .collect();
        Answered {
            questionnaire: self.name.clone(),
            source: self.source.clone(),
            answers,
        }
    }
}

fn saveable(item: &ReviewItem) -> bool {
    matches!(item.decision, Decision::Accepted | Decision::Edited)
        && item.verdict.is_some()
        && item.saved_as.is_none()
}

/// A review as stored and opened.
pub struct OpenedReview {
    pub stored: StoredQuestionnaire,
    pub review: Review,
}

#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("{0}")]
    Forbidden(String),
    #[error("no such questionnaire")]
    NotFound,
    #[error(
        "someone changed this questionnaire while you were reviewing it; reload to see their change"
    )]
    Conflict,
    /// A field of the request, and what is wrong with it.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("questionnaires are kept sealed: this server has no master key")]
    NoMasterKey,
    #[error(transparent)]
    Answering(#[from] QuestionnaireError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid(field: &'static str, message: impl Into<String>) -> ReviewError {
    ReviewError::Invalid {
        field,
        message: message.into(),
    }
}

fn may_edit(actor: &Actor<'_>) -> Result<(), ReviewError> {
    match allows(actor.role, Action::EditDraft) {
        true => Ok(()),
        false => Err(ReviewError::Forbidden(
            "reviewing questionnaires takes the editor role or above".into(),
        )),
    }
}

fn audit(actor: &Actor<'_>, action: AuditAction, target: String) -> AuditEvent {
    AuditEvent::new(actor.name, action, target, OffsetDateTime::now_utc())
}

async fn seal(
    store: &dyn Store,
    scope: &OrgScope,
    master: &MasterKey,
    kind: &str,
    id: Uuid,
    plaintext: &[u8],
) -> Result<SealedRecord, StoreError> {
    let (key_version, sealed) = seal_record(store, scope, master, kind, id, plaintext).await?;
    Ok(SealedRecord {
        key_version,
        sealed,
    })
}

async fn open(
    store: &dyn Store,
    scope: &OrgScope,
    master: &MasterKey,
    kind: &str,
    id: Uuid,
    record: &SealedRecord,
) -> Result<Vec<u8>, StoreError> {
    open_record(
        store,
        scope,
        master,
        kind,
        id,
        record.key_version,
        &record.sealed,
    )
    .await
}

/// What starting a review needs: the customer's file as uploaded, read.
pub struct Upload<'a> {
    pub filename: &'a str,
    pub bytes: &'a [u8],
    pub questionnaire: &'a Questionnaire,
}

/// Answers `upload` (from the latest revision, or `from_draft`) and keeps the
/// answers for review; the new questionnaire's id.
pub async fn start(
    store: &dyn Store,
    master: Option<&MasterKey>,
    actor: &Actor<'_>,
    upload: &Upload<'_>,
    from_draft: bool,
    audience: Audience,
) -> Result<Uuid, ReviewError> {
    may_edit(actor)?;
    let master = master.ok_or(ReviewError::NoMasterKey)?;
    let scope = actor.scope;
    let answered =
        questionnaires::answer(store, scope, upload.questionnaire, from_draft, audience).await?;
    let review = Review {
        name: answered.questionnaire.clone(),
        filename: upload.filename.to_owned(),
        source: answered.source,
        audience,
        created_by: actor.name.to_owned(),
        items: answered
            .answers
            .into_iter()
            .map(|drafted| ReviewItem {
                drafted,
                decision: Decision::Pending,
                verdict: None,
                explanation: String::new(),
                reviewed_by: None,
                reviewed_at: None,
                saved_as: None,
            })
            .collect(),
    };
    let id = Uuid::new_v4();
    let state = serde_json::to_vec(&review).map_err(|e| StoreError::Backend(e.to_string()))?;
    let new = NewQuestionnaire {
        id,
        created_at: OffsetDateTime::now_utc(),
        file: seal(store, scope, master, FILE_KIND, id, upload.bytes).await?,
        state: seal(store, scope, master, STATE_KIND, id, &state).await?,
    };
    let event = audit(actor, AuditAction::QuestionnaireAnswer, id.to_string());
    store.insert_questionnaire(scope, &new, &event).await?;
    Ok(id)
}

async fn opened(
    store: &dyn Store,
    scope: &OrgScope,
    master: &MasterKey,
    stored: StoredQuestionnaire,
) -> Result<OpenedReview, ReviewError> {
    let bytes = open(store, scope, master, STATE_KIND, stored.id, &stored.state).await?;
    let review = serde_json::from_slice(&bytes).map_err(|e| {
        StoreError::Corrupt(format!("questionnaire {} does not parse: {e}", stored.id))
    })?;
    Ok(OpenedReview { stored, review })
}

/// Every questionnaire of the org, newest first.
pub async fn list(
    store: &dyn Store,
    master: Option<&MasterKey>,
    scope: &OrgScope,
) -> Result<Vec<OpenedReview>, ReviewError> {
    let Some(master) = master else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for stored in store.questionnaires(scope).await? {
        out.push(opened(store, scope, master, stored).await?);
    }
    Ok(out)
}

/// One questionnaire; another org's id is not found.
pub async fn get(
    store: &dyn Store,
    master: Option<&MasterKey>,
    scope: &OrgScope,
    id: Uuid,
) -> Result<OpenedReview, ReviewError> {
    let master = master.ok_or(ReviewError::NoMasterKey)?;
    let stored = store
        .questionnaire(scope, id)
        .await?
        .ok_or(ReviewError::NotFound)?;
    opened(store, scope, master, stored).await
}

/// A reviewer's decision on question `index`, made on `version`.
pub struct Decide {
    pub version: u64,
    pub index: usize,
    pub decision: Decision,
    /// For an edit: the reviewer's answer and explanation.
    pub verdict: Option<Verdict>,
    pub explanation: String,
}

async fn write(
    store: &dyn Store,
    master: &MasterKey,
    actor: &Actor<'_>,
    id: Uuid,
    change: (u64, &Review, Option<&candor_domain::TrustCenter>),
    event: AuditEvent,
) -> Result<(), ReviewError> {
    let (version, review, draft) = change;
    let state = serde_json::to_vec(review).map_err(|e| StoreError::Backend(e.to_string()))?;
    let state = seal(store, actor.scope, master, STATE_KIND, id, &state).await?;
    let change = ReviewChange {
        version,
        state: &state,
        at: OffsetDateTime::now_utc(),
        draft,
    };
    match store
        .update_questionnaire(actor.scope, id, &change, &event)
        .await?
    {
        true => Ok(()),
        false => Err(ReviewError::Conflict),
    }
}

/// Accepts, edits, rejects or reopens one drafted answer.
pub async fn decide(
    store: &dyn Store,
    master: Option<&MasterKey>,
    actor: &Actor<'_>,
    id: Uuid,
    decide: &Decide,
) -> Result<(), ReviewError> {
    may_edit(actor)?;
    let master = master.ok_or(ReviewError::NoMasterKey)?;
    let OpenedReview { stored, mut review } = get(store, Some(master), actor.scope, id).await?;
    if stored.version != decide.version {
        return Err(ReviewError::Conflict);
    }
    let item = review
        .items
        .get_mut(decide.index)
        .ok_or_else(|| invalid("question", "no such question in this questionnaire"))?;
    let explanation = decide.explanation.trim();
    let (verdict, explanation) = match decide.decision {
        Decision::Accepted => {
            let verdict = item.drafted.draft.verdict.ok_or_else(|| {
                invalid(
                    "decision",
                    "this question has no drafted answer to accept: edit it to answer it",
                )
            })?;
            (Some(verdict), item.drafted.draft.explanation.clone())
        }
        Decision::Edited => {
            let verdict = decide
                .verdict
                .ok_or_else(|| invalid("verdict", "choose an answer"))?;
            if explanation.is_empty() {
                return Err(invalid("explanation", "say why (the customer reads it)"));
            }
            if explanation.chars().count() > 4000 {
                return Err(invalid("explanation", "at most 4,000 characters"));
            }
            (Some(verdict), explanation.to_owned())
        }
        Decision::Rejected | Decision::Pending => (None, String::new()),
    };
    let (reviewed_by, reviewed_at) = match decide.decision {
        Decision::Pending => (None, None),
        _ => (Some(actor.name.to_owned()), Some(OffsetDateTime::now_utc())),
    };
    // An answer changed after it was saved is saved again (same entry, replaced).
    let saved_as = match (verdict == item.verdict, explanation == item.explanation) {
        (true, true) => item.saved_as.clone(),
        _ => None,
    };
    *item = ReviewItem {
        verdict,
        explanation,
        decision: decide.decision,
        reviewed_by,
        reviewed_at,
        drafted: item.drafted.clone(),
        saved_as,
    };
    let event = audit(
        actor,
        AuditAction::QuestionnaireReview,
        format!(
            "{id} question {} {}",
            decide.index + 1,
            decide.decision.as_str()
        ),
    );
    write(
        store,
        master,
        actor,
        id,
        (stored.version, &review, None),
        event,
    )
    .await
}

/// Saves every reviewed (accepted or edited) answer not saved yet to the
/// draft's knowledge base as a `visibility` entry, keyed by the questionnaire
/// and the question's id (an entry with that key is replaced), in one
/// transaction with the review and its audit entry. The number saved.
pub async fn save_to_knowledge(
    store: &dyn Store,
    master: Option<&MasterKey>,
    actor: &Actor<'_>,
    id: Uuid,
    version: u64,
    visibility: Visibility,
) -> Result<usize, ReviewError> {
    may_edit(actor)?;
    let master = master.ok_or(ReviewError::NoMasterKey)?;
    let OpenedReview { stored, mut review } = get(store, Some(master), actor.scope, id).await?;
    if stored.version != version {
        return Err(ReviewError::Conflict);
    }
    let (working, _) = crate::content::working_copy(store, actor.scope).await?;
    let mut content = working.ok_or(QuestionnaireError::NothingPublished)?;
    let today = candor_domain::types::Day(OffsetDateTime::now_utc().date());
    let prefix = format!("review-{}", &id.simple().to_string()[..8]);
    let source = format!("review of the questionnaire {}", review.name);
    let mut saved = 0;
    for item in review.items.iter_mut().filter(|i| saveable(i)) {
        let (Some(verdict), Some(key)) = (item.verdict, key_for(&prefix, &item.drafted.id)) else {
            continue;
        };
        let field = |what: &str| {
            format!(
                "question {} ({}): {what}",
                item.drafted.id, item.drafted.question
            )
        };
        let entry = KnowledgeEntry {
            key: key.clone(),
            question: item
                .drafted
                .question
                .parse()
                .map_err(|e: String| invalid("question", field(&e)))?,
            answer: verdict,
            explanation: item.explanation.parse().ok(),
            visibility,
            owner: None,
            reviewed: Some(today),
            source: source.parse().ok(),
        };
        match content.knowledge.iter_mut().find(|k| k.key == key) {
            Some(existing) => *existing = entry,
            None => content.knowledge.push(entry),
        }
        item.saved_as = Some(key.to_string());
        saved += 1;
    }
    if saved == 0 {
        return Ok(0);
    }
    content
        .validate()
        .map_err(|e| invalid("knowledge", e.to_string()))?;
    let event = audit(
        actor,
        AuditAction::QuestionnaireSaveKnowledge,
        format!("{id}: {saved} answers"),
    );
    write(
        store,
        master,
        actor,
        id,
        (stored.version, &review, Some(&content)),
        event,
    )
    .await?;
    Ok(saved)
}

/// Deletes a questionnaire, its file and its review.
pub async fn delete(store: &dyn Store, actor: &Actor<'_>, id: Uuid) -> Result<(), ReviewError> {
    may_edit(actor)?;
    let event = audit(actor, AuditAction::QuestionnaireDelete, id.to_string());
    match store.delete_questionnaire(actor.scope, id, &event).await? {
        true => Ok(()),
        false => Err(ReviewError::NotFound),
    }
}

/// Every questionnaire of the org with its file, opened, for the org's export
/// archive (empty without a master key: nothing can be opened).
pub async fn archive(
    store: &dyn Store,
    master: Option<&MasterKey>,
    scope: &OrgScope,
) -> Result<Vec<serde_json::Value>, StoreError> {
    use base64::Engine;
    let Some(master) = master else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for stored in store.questionnaires(scope).await? {
        let file = store.questionnaire_file(scope, stored.id).await?;
        let OpenedReview { stored, review } = match opened(store, scope, master, stored).await {
            Ok(opened) => opened,
            Err(ReviewError::Store(e)) => return Err(e),
            Err(e) => return Err(StoreError::Backend(e.to_string())),
        };
        let file = match file {
            Some(file) => base64::engine::general_purpose::STANDARD
                .encode(open(store, scope, master, FILE_KIND, stored.id, &file).await?),
            None => String::new(),
        };
        out.push(serde_json::json!({
            "id": stored.id,
            "created_at": crate::export::rfc3339(stored.created_at),
            "review": review,
            "file_base64": file,
        }));
    }
    Ok(out)
}

/// How the customer gets their answers back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// Their own workbook, filled (XLSX uploads only).
    Workbook,
    Csv,
    /// The questionnaire JSON layout, importable again.
    Json,
}

/// An export: its bytes, content type and file name.
pub struct Exported {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub filename: String,
}

/// The reviewed answers (and with `unreviewed` the unreviewed drafts) in `format`.
pub async fn export(
    store: &dyn Store,
    master: Option<&MasterKey>,
    scope: &OrgScope,
    id: Uuid,
    format: ExportFormat,
    unreviewed: bool,
) -> Result<Exported, ReviewError> {
    let master = master.ok_or(ReviewError::NoMasterKey)?;
    let OpenedReview { review, .. } = get(store, Some(master), scope, id).await?;
    let answered = review.answered(unreviewed);
    let stem = std::path::Path::new(&review.filename)
        .file_stem()
        .map(|s| s.to_string_lossy().replace(['"', '\r', '\n', '\\'], ""))
        .unwrap_or_else(|| "questionnaire".into());
    let internal = |e: String| ReviewError::Store(StoreError::Backend(e));
    Ok(match format {
        ExportFormat::Workbook => {
            if !review.filename.to_lowercase().ends_with(".xlsx") {
                return Err(invalid(
                    "format",
                    "only an XLSX questionnaire can be returned filled; choose CSV or JSON",
                ));
            }
            let file = store
                .questionnaire_file(scope, id)
                .await?
                .ok_or(ReviewError::NotFound)?;
            let original = open(store, scope, master, FILE_KIND, id, &file).await?;
            let questionnaire = sheet::read(&review.filename, &original)
                .map_err(|e| internal(format!("the stored file no longer reads: {e}")))?;
            Exported {
                bytes: questionnaires::fill_workbook(&original, &questionnaire, &answered)
                    .map_err(|e| internal(e.to_string()))?,
                content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                filename: format!("{stem}-answered.xlsx"),
            }
        }
        ExportFormat::Csv => Exported {
            bytes: answered.to_csv().map_err(|e| internal(e.to_string()))?,
            content_type: "text/csv; charset=utf-8",
            filename: format!("{stem}-answered.csv"),
        },
        ExportFormat::Json => Exported {
            bytes: serde_json::to_vec_pretty(&answered.to_questionnaire_json())
                .map_err(|e| internal(e.to_string()))?,
            content_type: "application/json",
            filename: format!("{stem}-answered.json"),
        },
    })
}
