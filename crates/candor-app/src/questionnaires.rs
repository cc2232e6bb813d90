//! Answering a customer's questionnaire from what the org has published (or
//! its draft), and importing an answered one into the draft's knowledge base.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

use candor_domain::TrustCenter;
use candor_domain::model::Visibility;
use candor_questionnaire::dense::{self, Encoder};
use candor_questionnaire::fill::Fill;
use candor_questionnaire::json::Questionnaire;
use candor_questionnaire::{Answerer, Audience, Draft, Passage, Tuning, content_passages};
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
    /// The answering thread stopped (a bug, reported rather than hidden).
    #[error("answering stopped: {0}")]
    Answering(String),
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
    if !sentence_encoder_loaded() {
        return Ok(answer_from(&content, source, questionnaire, audience));
    }
    // Embedding uses every core: one questionnaire at a time, the others
    // waiting here (not on blocking threads), so uploads cannot pile up work.
    let _slot = ENCODER_SLOT
        .acquire()
        .await
        .map_err(|e| QuestionnaireError::Answering(e.to_string()))?;
    let questionnaire = questionnaire.clone();
    tokio::task::spawn_blocking(move || answer_from(&content, source, &questionnaire, audience))
        .await
        .map_err(|e| QuestionnaireError::Answering(e.to_string()))
}

/// The one slot for answering with the encoder (see [`answer`]).
static ENCODER_SLOT: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// The sentence encoder answering uses, if the operator gave one
/// (`--sentence-model`): loaded once at start, shared by every request.
static ENCODER: OnceLock<Encoder> = OnceLock::new();

/// Passages' vectors by the passages' text, so a revision's passages are
/// embedded once rather than for every questionnaire answered from it.
static PASSAGE_VECTORS: LazyLock<Mutex<HashMap<u64, Vectors>>> = LazyLock::new(Default::default);

/// One unit vector per passage, in the passages' order.
type Vectors = Arc<Vec<Vec<f32>>>;

/// How many contents' vectors are kept (about 0.5 MB each for 300 passages).
const KEPT_VECTOR_SETS: usize = 16;

/// Answers with `encoder` from now on (its cosine stands in for lexical
/// matching, with [`Tuning::with_encoder`]). False if one was already set.
pub fn use_sentence_encoder(encoder: Encoder) -> bool {
    ENCODER.set(encoder).is_ok()
}

/// Whether answers use a sentence encoder.
pub fn sentence_encoder_loaded() -> bool {
    ENCODER.get().is_some()
}

fn passage_vectors(encoder: &Encoder, passages: &[Passage]) -> Vectors {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    passages.len().hash(&mut hasher);
    for passage in passages {
        dense::passage_text(passage).hash(&mut hasher);
    }
    let key = hasher.finish();
    let cached = PASSAGE_VECTORS
        .lock()
        .ok()
        .and_then(|cache| cache.get(&key).cloned());
    if let Some(vectors) = cached {
        return vectors;
    }
    let vectors = Arc::new(dense::embed_passages(encoder, passages));
    if let Ok(mut cache) = PASSAGE_VECTORS.lock() {
        if cache.len() >= KEPT_VECTOR_SETS {
            cache.clear();
        }
        cache.insert(key, vectors.clone());
    }
    vectors
}

/// The same, from content already in hand. With a sentence encoder this
/// takes a second or two for a few hundred questions: async callers go
/// through [`answer`], which runs it on a blocking thread.
pub fn answer_from(
    content: &TrustCenter,
    source: Source,
    questionnaire: &Questionnaire,
    audience: Audience,
) -> Answered {
    let passages = content_passages(content);
    let drafts: Vec<Draft> = match ENCODER.get() {
        Some(encoder) => {
            let vectors = passage_vectors(encoder, &passages);
            let answerer =
                Answerer::new(passages, Tuning::with_encoder()).with_vectors(vectors.to_vec());
            let texts: Vec<&str> = questionnaire
                .questions
                .iter()
                .map(|q| q.text.as_str())
                .collect();
            let questions = encoder.embed(&texts);
            questionnaire
                .questions
                .iter()
                .zip(&questions)
                .map(|(q, v)| answerer.answer_with(q, Some(v), audience, None))
                .collect()
        }
        None => {
            let answerer = Answerer::new(passages, Tuning::default());
            questionnaire
                .questions
                .iter()
                .map(|q| answerer.answer(q, audience))
                .collect()
        }
    };
    let answers = questionnaire
        .questions
        .iter()
        .zip(drafts)
        .map(|(q, draft)| AnsweredQuestion {
            id: q.id.clone(),
            section: q.section.clone(),
            question: q.text.clone(),
            sheet: q.sheet.clone(),
            row: q.row,
            draft,
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
