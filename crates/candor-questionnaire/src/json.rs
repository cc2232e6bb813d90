//! Questionnaires as JSON: `{"name", "sections": [{"name", "questions":
//! [{"id", "question", "answer"?, "explanation"?}]}]}`, the layout the CLI and
//! API exchange, and the one an answered questionnaire is imported from.

use serde::Deserialize;

use candor_domain::model::KnowledgeEntry;
use candor_domain::types::Key;

use crate::model::{Question, Verdict, Visibility};

#[derive(Debug, thiserror::Error)]
pub enum JsonError {
    #[error("not a questionnaire: {0}")]
    Syntax(#[from] serde_json::Error),
    #[error("sections[{section}].questions[{question}]: the question is empty")]
    EmptyQuestion { section: usize, question: usize },
    #[error(
        "sections[{section}].questions[{question}].answer: {found:?} is not yes, no, partial or na"
    )]
    BadAnswer {
        section: usize,
        question: usize,
        found: String,
    },
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    name: String,
    sections: Vec<Section>,
}

#[derive(Deserialize)]
struct Section {
    #[serde(default)]
    name: String,
    questions: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    id: String,
    question: String,
    #[serde(default)]
    answer: Option<String>,
    #[serde(default)]
    explanation: Option<String>,
}

/// A questionnaire read from JSON, with the answers it already holds.
#[derive(Clone)]
pub struct Questionnaire {
    pub name: String,
    pub questions: Vec<Question>,
    /// The answer given to each question, if it was answered.
    pub answers: Vec<Option<(Verdict, String)>>,
    /// Where each sheet takes its answers and comments (spreadsheets only).
    pub columns: Vec<crate::fill::AnswerColumns>,
}

impl Questionnaire {
    pub fn from_json(bytes: &[u8]) -> Result<Questionnaire, JsonError> {
        let file: File = serde_json::from_slice(bytes)?;
        let mut questions = Vec::new();
        let mut answers = Vec::new();
        for (s, section) in file.sections.into_iter().enumerate() {
            for (q, item) in section.questions.into_iter().enumerate() {
                if item.question.trim().is_empty() {
                    return Err(JsonError::EmptyQuestion {
                        section: s,
                        question: q,
                    });
                }
                let answer = match item.answer.as_deref().map(str::trim) {
                    None | Some("") => None,
                    Some(text) => {
                        Some(Verdict::parse(text).ok_or_else(|| JsonError::BadAnswer {
                            section: s,
                            question: q,
                            found: text.to_owned(),
                        })?)
                    }
                };
                answers.push(answer.map(|v| (v, item.explanation.unwrap_or_default())));
                questions.push(Question {
                    id: item.id,
                    section: section.name.clone(),
                    text: item.question,
                    sheet: None,
                    row: None,
                });
            }
        }
        Ok(Questionnaire {
            name: file.name,
            questions,
            answers,
            columns: Vec::new(),
        })
    }

    /// The answered questions as knowledge entries of `visibility`, keyed by
    /// `prefix` and the question's id, with the file named as their source.
    pub fn knowledge(&self, prefix: &str, visibility: Visibility) -> Vec<KnowledgeEntry> {
        self.questions
            .iter()
            .zip(&self.answers)
            .filter_map(|(q, a)| {
                let (answer, explanation) = a.as_ref()?;
                Some(KnowledgeEntry {
                    key: key_for(prefix, &q.id)?,
                    question: q.text.parse().ok()?,
                    answer: *answer,
                    explanation: explanation.parse().ok(),
                    visibility,
                    owner: None,
                    reviewed: None,
                    // The same question may stand in several sections ("Are policies
                    // reviewed annually?"): the source says which one.
                    source: format!("{}, {}, {}", self.name, q.section, q.id)
                        .parse()
                        .ok(),
                })
            })
            .collect()
    }
}

/// A knowledge key from a question's id: `caiq` and `A&A-01.1` give `caiq-a-a-01-1`.
pub fn key_for(prefix: &str, id: &str) -> Option<Key> {
    let mut key = String::new();
    for c in format!("{prefix}-{id}").chars() {
        match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9') => key.push(c),
            _ if !key.ends_with('-') && !key.is_empty() => key.push('-'),
            _ => {}
        }
    }
    key.truncate(63);
    key.trim_end_matches('-').parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_answer_names_its_place() {
        let text = br#"{"sections":[{"name":"A","questions":[
            {"id":"1","question":"Q?","answer":"yes"},
            {"id":"2","question":"Q2?","answer":"maybe"}]}]}"#;
        let err = Questionnaire::from_json(text).err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(r#"sections[0].questions[1].answer: "maybe" is not yes, no, partial or na"#)
        );
        assert!(Questionnaire::from_json(b"[1,2]").is_err());
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_bytes_give_a_questionnaire_or_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = Questionnaire::from_json(&bytes);
        }

        #[test]
        fn every_question_is_read_in_order(texts in proptest::collection::vec("[A-Za-z ?]{1,40}", 1..20)) {
            let texts: Vec<String> = texts.into_iter().map(|t| format!("Q {t}")).collect();
            let items: Vec<serde_json::Value> = texts
                .iter()
                .enumerate()
                .map(|(i, t)| serde_json::json!({"id": i.to_string(), "question": t, "answer": "yes"}))
                .collect();
            let doc = serde_json::json!({"sections": [{"name": "S", "questions": items}]});
            let q = Questionnaire::from_json(doc.to_string().as_bytes()).unwrap();
            let read: Vec<&str> = q.questions.iter().map(|q| q.text.as_str()).collect();
            prop_assert_eq!(read, texts.iter().map(String::as_str).collect::<Vec<_>>());
            prop_assert_eq!(q.knowledge("t", Visibility::Gated).len(), texts.len());
        }
    }
}
