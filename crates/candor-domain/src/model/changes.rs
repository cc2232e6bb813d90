//! What changed and what is still to come: the changelog and the roadmap.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::types::{Day, HttpsUrl, Key, Text};

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
