//! Questions, answers and where an answer comes from.

use serde::{Deserialize, Serialize};

pub use candor_domain::model::{Verdict, Visibility};

/// One question of a questionnaire, where it stands in the customer's file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub section: String,
    pub text: String,
    /// The worksheet it stands on, when it came from a spreadsheet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// 1-based row in the customer's sheet, when it came from one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<u32>,
}

/// Something the org has said that can answer a question: a knowledge-base
/// entry or an item of its published content.
#[derive(Clone, Debug, PartialEq)]
pub struct Passage {
    /// Where it is, e.g. `controls[12]` or `knowledge[41]`.
    pub cite: String,
    /// Its title or question, e.g. "Encryption at rest".
    pub title: String,
    /// What it says.
    pub text: String,
    /// The answer it gives to a question about its topic, if it gives one: a
    /// knowledge entry's answer, a control's status (planned or in progress is
    /// never "yes"). None for statements of fact with no yes or no in them.
    pub stance: Option<Verdict>,
    pub visibility: Visibility,
}

/// Where an answer comes from, for the reader to check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Citation {
    pub cite: String,
    pub title: String,
    /// How well it matched the question (1 ≈ every word of the question).
    pub relevance: f64,
}

/// A drafted answer: a verdict with its explanation and sources, or "needs
/// review" (no verdict) when the sources do not settle it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub question_id: String,
    /// None: needs review.
    pub verdict: Option<Verdict>,
    pub explanation: String,
    /// 0 to 1.
    pub confidence: f64,
    pub citations: Vec<Citation>,
}
