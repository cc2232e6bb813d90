//! Answering a customer's questionnaire from what the org has published (or
//! its draft), and importing an answered one into the draft's knowledge base.

use candor_domain::TrustCenter;
use candor_domain::model::Visibility;
use candor_questionnaire::fill::Fill;
use candor_questionnaire::json::Questionnaire;
use candor_questionnaire::{Answerer, Audience, Draft, Tuning, content_passages};
use candor_store::{OrgScope, Store, StoreError};
use serde::{Deserialize, Serialize};

/// What the answers were drawn from: a published revision (which the reader can
/// check against the org's signed log) or the unpublished draft.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    Revision {
        revision: u64,
        /// The revision's entry in the org's transparency log.
        log_index: u64,
        content_hash: String,
    },
    /// Not published: nothing to check it against yet.
    Draft,
}

#[derive(Debug, Serialize)]
pub struct Answered {
    pub questionnaire: String,
    pub source: Source,
    pub answers: Vec<AnsweredQuestion>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AnsweredQuestion {
    pub id: String,
    pub section: String,
    pub question: String,
    /// Where the question stands in the customer's file, when it came from a sheet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u32>,
    #[serde(flatten)]
    pub draft: Draft,
}

impl Answered {
    /// How many questions got an answer (the rest need review).
    pub fn answered(&self) -> usize {
        self.answers
            .iter()
            .filter(|a| a.draft.verdict.is_some())
            .count()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum QuestionnaireError {
    #[error("this org has not published a revision yet (answer from the draft instead)")]
    NothingPublished,
    #[error("this org has no draft")]
    NoDraft,
    #[error(transparent)]
    Invalid(#[from] candor_domain::ContentError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Answers every question of `questionnaire` from the org's latest revision, or
/// with `from_draft` from its draft, citing only what `audience` may read.
pub async fn answer(
    store: &dyn Store,
    scope: &OrgScope,
    questionnaire: &Questionnaire,
    from_draft: bool,
    audience: Audience,
) -> Result<Answered, QuestionnaireError> {
    let (content, source) = match from_draft {
        true => {
            let draft = store
                .draft(scope)
                .await?
                .ok_or(QuestionnaireError::NoDraft)?;
            (draft.content, Source::Draft)
        }
        false => {
            let revision = store
                .latest_revision(scope)
                .await?
                .ok_or(QuestionnaireError::NothingPublished)?;
            let source = Source::Revision {
                revision: revision.number,
                log_index: revision.number.saturating_sub(1),
                content_hash: revision.content_hash.to_string(),
            };
            (revision.content, source)
        }
    };
    Ok(answer_from(&content, source, questionnaire, audience))
}

/// The same, from content already in hand.
pub fn answer_from(
    content: &TrustCenter,
    source: Source,
    questionnaire: &Questionnaire,
    audience: Audience,
) -> Answered {
    let answerer = Answerer::new(content_passages(content), Tuning::default());
    let answers = questionnaire
        .questions
        .iter()
        .map(|q| AnsweredQuestion {
            id: q.id.clone(),
            section: q.section.clone(),
            question: q.text.clone(),
            sheet: q.sheet.clone(),
            row: q.row,
            draft: answerer.answer(q, audience),
        })
        .collect();
    Answered {
        questionnaire: questionnaire.name.clone(),
        source,
        answers,
    }
}

/// What importing did to the draft's knowledge base.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Imported {
    pub added: usize,
    pub replaced: usize,
}

/// Adds the answered questions of `questionnaire` to the draft's knowledge base
/// as `visibility` entries keyed `prefix-ID` (an entry with the same key is
/// replaced). The whole draft is validated and saved at once, or not at all.
pub async fn import(
    store: &dyn Store,
    scope: &OrgScope,
    questionnaire: &Questionnaire,
    prefix: &str,
    visibility: Visibility,
) -> Result<Imported, QuestionnaireError> {
    let mut content = match store.draft(scope).await? {
        Some(draft) => draft.content,
        None => store
            .latest_revision(scope)
            .await?
            .map(|r| r.content)
            .ok_or(QuestionnaireError::NothingPublished)?,
    };
    let mut outcome = Imported::default();
    for entry in questionnaire.knowledge(prefix, visibility) {
        match content.knowledge.iter_mut().find(|k| k.key == entry.key) {
            Some(existing) => {
                *existing = entry;
                outcome.replaced += 1;
            }
            None => {
                content.knowledge.push(entry);
                outcome.added += 1;
            }
        }
    }
    content.validate()?;
    store.save_draft(scope, &content).await?;
    Ok(outcome)
}

impl Source {
    /// How a customer reads where the answers come from.
    pub fn describe(&self) -> String {
        match self {
            Source::Revision {
                revision,
                log_index,
                ..
            } => format!("revision {revision}, log entry {log_index}"),
            Source::Draft => "the unpublished draft".to_owned(),
        }
    }
}

impl AnsweredQuestion {
    /// Its sources as one line: `controls[3] "Encryption at rest"; knowledge[1] "…"`.
    pub fn sources(&self) -> String {
        self.draft
            .citations
            .iter()
            .map(|c| format!("{} \"{}\"", c.cite, c.title))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl Answered {
    fn rows(&self) -> Vec<candor_questionnaire::export::Row<'_>> {
        let source = self.source.describe();
        self.answers
            .iter()
            .map(|a| candor_questionnaire::export::Row {
                id: &a.id,
                section: &a.section,
                question: &a.question,
                verdict: a.draft.verdict,
                explanation: match a.draft.verdict {
                    Some(_) => &a.draft.explanation,
                    None => "",
                },
                sources: match a.draft.verdict {
                    Some(_) => format!("{} of {source}", a.sources()),
                    None => String::new(),
                },
            })
            .collect()
    }

    /// The answers as CSV (ID, Section, Question, Answer, Explanation, Sources).
    pub fn to_csv(&self) -> Result<Vec<u8>, candor_questionnaire::export::CsvError> {
        candor_questionnaire::export::csv(&self.rows())
    }

    /// The answers in the questionnaire JSON layout (importable again).
    pub fn to_questionnaire_json(&self) -> serde_json::Value {
        candor_questionnaire::export::json(&self.questionnaire, &self.rows())
    }
}

/// The customer's own workbook with the answers written into it: each answered
/// question's verdict in its answer column (in the sheet's drop-down words) and
/// its explanation with its sources in the comment column; questions that need
/// review are left blank.
pub fn fill_workbook(
    original: &[u8],
    questionnaire: &Questionnaire,
    answered: &Answered,
) -> Result<Vec<u8>, candor_questionnaire::sheet::SheetError> {
    let source = answered.source.describe();
    let fills: Vec<Fill> = answered
        .answers
        .iter()
        .filter_map(|a| {
            let (sheet, row) = (a.sheet.clone()?, a.row?);
            let comment = a.draft.verdict.map(|_| {
                format!(
                    "{} (Source: {} of {source}.)",
                    a.draft.explanation,
                    a.sources()
                )
            });
            Some(Fill {
                sheet,
                row,
                verdict: a.draft.verdict,
                comment,
            })
        })
        .collect();
    candor_questionnaire::fill::fill_xlsx(original, &questionnaire.columns, &fills)
}
