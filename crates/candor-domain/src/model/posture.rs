//! Compliance posture per standard, and the assessments behind it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Scope;
use crate::catalogue::FrameworkId;
use crate::types::{Key, PartialDate, Text};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PostureStatus {
    Compliant,
    Certified,
    InProgress,
    Roadmap,
    DesignedAgainst,
    NotPursued,
    OutOfScope,
}

impl PostureStatus {
    pub fn label(self) -> &'static str {
        match self {
            PostureStatus::Compliant => "Compliant",
            PostureStatus::Certified => "Certified",
            PostureStatus::InProgress => "In progress",
            PostureStatus::Roadmap => "On the roadmap",
            PostureStatus::DesignedAgainst => "Designed against",
            PostureStatus::NotPursued => "Not pursued",
            PostureStatus::OutOfScope => "Out of scope",
        }
    }
    pub fn css(self) -> &'static str {
        match self {
            PostureStatus::Compliant | PostureStatus::Certified => "ok",
            PostureStatus::InProgress | PostureStatus::DesignedAgainst => "wip",
            PostureStatus::Roadmap => "todo",
            PostureStatus::NotPursued | PostureStatus::OutOfScope => "na",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PostureEntry {
    /// The standard as readers know it, e.g. "SOC 2 Type II".
    pub standard: Text,
    /// The catalogue framework this standard corresponds to, if any (links coverage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub framework: Option<FrameworkId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<PostureStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// A day, month, quarter (`2026-Q4`) or year (`2027`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_date: Option<PartialDate>,
    /// Key of a document in `documents` (e.g. the audit report).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<Key>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentKind {
    Internal,
    External,
}

impl AssessmentKind {
    pub fn label(self) -> &'static str {
        match self {
            AssessmentKind::Internal => "Internal",
            AssessmentKind::External => "External",
        }
    }
}

/// An audit, penetration test or other assessment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    /// Stable identifier; changelog entries name it when they fix its findings.
    pub key: Key,
    pub title: Text,
    /// A day, month, quarter or year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<PartialDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<AssessmentKind>,
    /// Who did it (a firm, or a team for an internal one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessor: Option<Text>,
    /// What was assessed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covers: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub methodology: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Text>,
    /// Key of a document in `documents` (the report).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<Key>,
}
