//! Security controls, their status, and the checks that back them with evidence.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Link, Scope};
use crate::types::{HostName, Key, Requirement, Text};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ControlStatus {
    Implemented,
    InProgress,
    Planned,
    NotApplicable,
}

impl ControlStatus {
    pub fn label(self) -> &'static str {
        match self {
            ControlStatus::Implemented => "Implemented",
            ControlStatus::InProgress => "In progress",
            ControlStatus::Planned => "Planned",
            ControlStatus::NotApplicable => "Not applicable",
        }
    }
    pub fn css(self) -> &'static str {
        match self {
            ControlStatus::Implemented => "ok",
            ControlStatus::InProgress => "wip",
            ControlStatus::Planned => "todo",
            ControlStatus::NotApplicable => "na",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Control {
    /// Stable identifier, unique in the file.
    pub key: Key,
    pub title: Text,
    pub description: Text,
    /// Grouping on the page, e.g. infrastructure, product, data-handling,
    /// operational; shown as written in `categories`, or title-cased.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Key>,
    pub status: ControlStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Framework requirements this control addresses, e.g. soc2:CC6.1, gdpr:art32.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mappings: Vec<Requirement>,
    /// Checks Candor can run to back the claim with evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<EvidenceCheck>,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    Hsts,
    Tls,
    Headers,
    Redirect,
    SecurityTxt,
    // The grade the MDN HTTP Observatory's rules give the host (A- or better
    // passes, B- or better warns). A plain comment: a doc comment would turn
    // the schema's enum into a oneOf.
    Observatory,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceCheck {
    pub check: CheckKind,
    pub host: HostName,
}
