//! Questions, answers and where an answer comes from.

use serde::{Deserialize, Serialize};

/// An answer to a yes/no question, as questionnaires allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Yes,
    No,
    Partial,
    /// "n/a" in most questionnaires.
    #[serde(rename = "na", alias = "n/a", alias = "not_applicable")]
    NotApplicable,
}

impl Verdict {
    pub const ALL: [Verdict; 4] = [
        Verdict::Yes,
        Verdict::No,
        Verdict::Partial,
        Verdict::NotApplicable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Yes => "yes",
            Verdict::No => "no",
            Verdict::Partial => "partial",
            Verdict::NotApplicable => "na",
        }
    }

    /// Reads the spellings questionnaires use ("Yes", "N/A", "Not applicable", …).
    pub fn parse(text: &str) -> Option<Verdict> {
        match text.trim().to_lowercase().as_str() {
            "yes" | "y" | "true" => Some(Verdict::Yes),
            "no" | "n" | "false" => Some(Verdict::No),
            "partial" | "partially" | "in progress" => Some(Verdict::Partial),
            "na" | "n/a" | "n.a." | "not applicable" | "not_applicable" => {
                Some(Verdict::NotApplicable)
            }
            _ => None,
        }
    }
}

/// Who may see an item: customers (public), readers who were granted access
/// (gated), or only the org's own people (internal).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    #[default]
    Public,
    Gated,
    Internal,
}

/// One question of a questionnaire, where it stands in the customer's file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub section: String,
    pub text: String,
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
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Citation {
    pub cite: String,
    pub title: String,
    /// How well it matched the question (1 ≈ every word of the question).
    pub relevance: f64,
}

/// A drafted answer: a verdict with its explanation and sources, or "needs
/// review" (no verdict) when the sources do not settle it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Draft {
    pub question_id: String,
    /// None: needs review.
    pub verdict: Option<Verdict>,
    pub explanation: String,
    /// 0 to 1.
    pub confidence: f64,
    pub citations: Vec<Citation>,
}
