//! What changed and what is still to come: the changelog and the roadmap.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::types::{AdvisoryId, Cve, CvssVector, Day, HttpsUrl, Key, Text, Version, VersionRange};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeCategory {
    Reliability,
    Security,
    Privacy,
    Billing,
    Ux,
}

impl ChangeCategory {
    pub fn label(self) -> &'static str {
        match self {
            ChangeCategory::Reliability => "Reliability",
            ChangeCategory::Security => "Security",
            ChangeCategory::Privacy => "Privacy",
            ChangeCategory::Billing => "Billing",
            ChangeCategory::Ux => "UX",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangelogEntry {
    /// Undated entries are listed after dated ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Day>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<ChangeCategory>,
    pub title: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<HttpsUrl>,
    /// Key of the assessment whose finding this fixes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment: Option<Key>,
    /// A security fix published as an advisory (CSAF 2.0), dated by the entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advisory: Option<Advisory>,
}

/// A security advisory: what was affected, how bad, and what to do. Published
/// as a CSAF 2.0 security advisory under the entry's date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Advisory {
    /// Tracking id, unique among the org's advisories (`ACME-2026-001`).
    pub id: AdvisoryId,
    /// The product affected, as customers know it (one line).
    pub product: Text,
    /// The versions affected (`<4.12.0`, `>=4.0.0|<4.12.0`); none for a
    /// service, which was affected until the fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected: Option<VersionRange>,
    /// The first version with the fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<Version>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cve: Option<Cve>,
    /// CVSS v3 base vector; the score is computed from it.
    pub cvss: CvssVector,
    /// What customers do (or that they need do nothing).
    pub remediation: Text,
    /// When the advisory was last changed, if after the entry's date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<Day>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoadmapItem {
    pub title: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<Text>,
    /// When we expect to finish, in words ("first half of 2027").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Text>,
}
