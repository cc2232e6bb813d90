//! Subprocessors: who else processes customers' data, where, and since when.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Scope;
use crate::types::{Day, HttpsUrl, Text};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subprocessor {
    /// Unique in the file; the subprocessor's identity across revisions.
    pub name: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<Text>,
    /// Where the subprocessor processes data (countries or regions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_categories: Vec<Text>,
    /// false when customers must opt in before this subprocessor sees their data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled_by_default: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<HttpsUrl>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announced_at: Option<Day>,
    /// When the subprocessor starts processing data (after the notice period).
    /// Needed for a subprocessor added while a notice period is promised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_at: Option<Day>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed_at: Option<Day>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// Offered under a HIPAA business associate agreement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hipaa_eligible: Option<bool>,
    /// Keeps no customer content after processing it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zero_data_retention: Option<bool>,
    /// Does not train models on customer data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_training_on_customer_data: Option<bool>,
}
