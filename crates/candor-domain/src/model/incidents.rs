//! Incidents: what went wrong, when it was confirmed, what customers were told
//! and when, and the review afterwards.
//!
//! The times customers were told are not typed in: Candor stamps each update
//! (and the review) with the time of the revision that first publishes it, and
//! that revision's log entry carries the same time, so "notified after 3 h 12
//! min" can be checked against the signed log (`crate::incidents`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::types::{Key, Moment, Text};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IncidentSeverity {
    Minor,
    Major,
    Critical,
}

impl IncidentSeverity {
    pub fn label(self) -> &'static str {
        match self {
            IncidentSeverity::Minor => "Minor",
            IncidentSeverity::Major => "Major",
            IncidentSeverity::Critical => "Critical",
        }
    }
}

/// Where the response stands, as status pages say it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    Investigating,
    Identified,
    Monitoring,
    Resolved,
}

impl IncidentStatus {
    pub fn label(self) -> &'static str {
        match self {
            IncidentStatus::Investigating => "Investigating",
            IncidentStatus::Identified => "Identified",
            IncidentStatus::Monitoring => "Monitoring",
            IncidentStatus::Resolved => "Resolved",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    /// Stays the same for the incident's life (links and feeds use it).
    pub key: Key,
    pub title: Text,
    pub severity: IncidentSeverity,
    /// Material to customers: the incident-response notice commitment applies.
    #[serde(default)]
    pub material: bool,
    /// When the incident was confirmed; the notice clock starts here. It may not
    /// be later than the revision that first publishes the incident.
    pub confirmed_at: Moment,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<Text>,
    /// What customers were told, oldest first. Published updates cannot be
    /// changed or removed; new ones are added at the end.
    #[serde(default)]
    pub updates: Vec<IncidentUpdate>,
    /// When the incident was over (the review clock starts here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<Moment>,
    /// The post-incident review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<IncidentReview>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentUpdate {
    pub status: IncidentStatus,
    pub body: Text,
    /// Set by Candor: the time of the revision that first published this update.
    /// Leave it out when writing a new one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<Moment>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentReview {
    /// What happened, why, and what changes so that it does not happen again.
    pub summary: Text,
    /// Key of a document holding the full review (e.g. a PDF behind the NDA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<Key>,
    /// Set by Candor when the review is first published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<Moment>,
}

impl Incident {
    /// When customers were first told: the first update's publication.
    pub fn first_notice(&self) -> Option<Moment> {
        self.updates.first().and_then(|u| u.published_at)
    }

    /// The latest status, or "investigating" before any update.
    pub fn status(&self) -> IncidentStatus {
        self.updates
            .last()
            .map_or(IncidentStatus::Investigating, |u| u.status)
    }
}
