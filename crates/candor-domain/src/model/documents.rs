//! Documents: what is offered, and how readers get it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::TermsStatus;
use crate::types::{Day, HttpsUrl, Key, Text};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentAccess {
    /// Anyone can download it.
    Public,
    /// After accepting a click-through NDA.
    Nda,
    /// After an admin approves a request.
    Approval,
}

impl DocumentAccess {
    pub fn label(self) -> &'static str {
        match self {
            DocumentAccess::Public => "Public",
            DocumentAccess::Nda => "After a click-through NDA",
            DocumentAccess::Approval => "On approved request",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    AuditReport,
    Certificate,
    PentestSummary,
    Agreement,
    Policy,
    Questionnaire,
    Other,
}

impl DocumentKind {
    pub fn label(self) -> &'static str {
        match self {
            DocumentKind::AuditReport => "Audit report",
            DocumentKind::Certificate => "Certificate",
            DocumentKind::PentestSummary => "Penetration test summary",
            DocumentKind::Agreement => "Agreement",
            DocumentKind::Policy => "Policy",
            DocumentKind::Questionnaire => "Questionnaire",
            DocumentKind::Other => "Document",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentMeta {
    pub key: Key,
    pub title: Text,
    pub kind: DocumentKind,
    pub access: DocumentAccess,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<Day>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Text>,
    /// A document published elsewhere: readers follow this link, nothing is uploaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<HttpsUrl>,
    /// Whether its terms bind yet (leave out when they do).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TermsStatus>,
    /// The last day it holds (the end of a SOC 2 report's period, a
    /// certificate's expiry): the page says so, and says when it has passed;
    /// admins are reminded from 30 days before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<Day>,
}
