//! The knowledge base: questions the company has answered (from security
//! questionnaires, sales calls, audits), reused to answer the next ones.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::types::{Day, Key, Text};

/// An answer to a yes/no question, as questionnaires allow.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
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

    pub fn label(self) -> &'static str {
        match self {
            Verdict::Yes => "Yes",
            Verdict::No => "No",
            Verdict::Partial => "Partly",
            Verdict::NotApplicable => "Not applicable",
        }
    }

    /// Reads the spellings questionnaires use ("Yes", "N/A", "Not applicable", …).
    pub fn parse(text: &str) -> Option<Verdict> {
        match text.trim().to_lowercase().as_str() {
            "yes" | "y" | "true" => Some(Verdict::Yes),
            "no" | "n" | "false" => Some(Verdict::No),
            "partial" | "partially" | "partly" | "in progress" => Some(Verdict::Partial),
            "na" | "n/a" | "n.a." | "not applicable" | "not_applicable" => {
                Some(Verdict::NotApplicable)
            }
            _ => None,
        }
    }
}

/// Who may read an entry: everyone (public, shown on the trust page), readers
/// granted access (gated), or only the org's own people (internal). Only public
/// entries are published: the others stay in the draft and are never in a
/// revision, its JSON or the log.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    #[default]
    Public,
    Gated,
    Internal,
}

impl Visibility {
    /// Reads `public`, `gated` or `internal`.
    pub fn parse(text: &str) -> Option<Visibility> {
        match text {
            "public" => Some(Visibility::Public),
            "gated" => Some(Visibility::Gated),
            "internal" => Some(Visibility::Internal),
            _ => None,
        }
    }

    fn is_public(&self) -> bool {
        *self == Visibility::Public
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeEntry {
    /// Stable identifier, unique in the file.
    pub key: Key,
    pub question: Text,
    pub answer: Verdict,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Text>,
    /// public (the default), gated or internal.
    #[serde(default, skip_serializing_if = "Visibility::is_public")]
    pub visibility: Visibility,
    /// Who keeps this answer true (a name or a team).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<Day>,
    /// Where the answer came from, e.g. the questionnaire file it was imported from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Text>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TrustCenter;

    const BASE: &str = "version: 2\nprofile:\n  name: Example\nknowledge:\n";

    #[test]
    fn only_public_entries_are_published_and_keys_are_unique() {
        let yaml = format!(
            "{BASE}- {{key: a, question: Q1?, answer: yes}}\n\
             - {{key: b, question: Q2?, answer: partial, visibility: gated}}\n\
             - {{key: c, question: Q3?, answer: na, visibility: internal}}\n"
        );
        let tc = TrustCenter::from_yaml(&yaml).unwrap();
        let published = tc.published();
        let keys: Vec<&str> = published.knowledge.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(keys, ["a"]);
        assert_eq!(tc.knowledge.len(), 3, "the draft keeps every entry");

        let twice = format!(
            "{BASE}- {{key: a, question: Q1?, answer: yes}}\n- {{key: a, question: Q2?, answer: no}}\n"
        );
        let err = TrustCenter::from_yaml(&twice).unwrap_err().to_string();
        assert!(err.contains("knowledge[1].key"), "{err}");
        let bad = format!("{BASE}- {{key: a, question: Q1?, answer: maybe}}\n");
        let err = TrustCenter::from_yaml(&bad).unwrap_err().to_string();
        assert!(err.contains("knowledge[0].answer"), "{err}");
    }

    #[test]
    fn questionnaire_spellings_are_read() {
        for (text, verdict) in [
            ("Yes", Verdict::Yes),
            (" N/A ", Verdict::NotApplicable),
            ("Not applicable", Verdict::NotApplicable),
            ("partially", Verdict::Partial),
            ("NO", Verdict::No),
        ] {
            assert_eq!(Verdict::parse(text), Some(verdict), "{text}");
        }
        assert_eq!(Verdict::parse("maybe"), None);
    }
}
