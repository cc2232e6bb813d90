//! The content of one org's trust center: every section of the public page.
//! The same types are the trust-as-code YAML file, the JSON API body and the
//! payload of a published revision.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::types::{HttpsUrl, Key, Text};

mod changes;
mod commitments;
mod controls;
mod documents;
mod incidents;
mod knowledge;
mod posture;
mod profile;
mod subprocessors;

pub use changes::{Advisory, ChangeCategory, ChangelogEntry, RoadmapItem};
pub use commitments::{
    Commitments, Component, Encryption, Framed, Framing, Hosting, IncidentResponse, PlanDays,
    RemediationTime, Resilience, ResourceTenancy, Severity, Tenancy, TenancyModel, TlsVersion,
    V1_DEFAULT_NOTICE_DAYS, VulnerabilityDisclosure,
};
pub use controls::{CheckKind, Control, ControlStatus, EvidenceCheck};
pub use documents::{DocumentAccess, DocumentKind, DocumentMeta};
pub use incidents::{Incident, IncidentReview, IncidentSeverity, IncidentStatus, IncidentUpdate};
pub use knowledge::{KnowledgeEntry, Verdict, Visibility};
pub use posture::{Assessment, AssessmentKind, PostureEntry, PostureStatus};
pub use profile::{Branding, FaqEntry, NdaTerms, Profile, Promise, Witness};
pub use subprocessors::Subprocessor;

/// The version of the trust-as-code format this build writes. Version 2 implies
/// nothing: what a file leaves out, the page leaves out. Version 1 files (and
/// revisions published from them) still read, with the one default they implied:
/// 30 days' subprocessor notice when none was given.
pub const FORMAT_VERSION: u32 = 2;

/// Every version this build reads.
pub const READABLE_VERSIONS: [u32; 2] = [1, 2];

/// Everything an org publishes. Field order is the order of the exported YAML file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "Candor trust center",
    description = "Trust-as-code file: the whole content of one org's trust center."
)]
pub struct TrustCenter {
    /// Format version: 2 (1 is still read).
    #[schemars(range(min = 1, max = 2))]
    pub version: u32,
    pub profile: Profile,
    /// "What we don't do": promises made to customers.
    #[serde(default)]
    pub promises: Vec<Promise>,
    #[serde(default)]
    pub controls: Vec<Control>,
    /// Compliance posture per standard.
    #[serde(default)]
    pub posture: Vec<PostureEntry>,
    /// What the company commits to. Every part is optional: leave out what you
    /// do not promise, and the page says nothing about it.
    #[serde(default, skip_serializing_if = "Commitments::is_empty")]
    pub commitments: Commitments,
    #[serde(default)]
    pub subprocessors: Vec<Subprocessor>,
    /// Shipped security, privacy and reliability fixes.
    #[serde(default)]
    pub changelog: Vec<ChangelogEntry>,
    /// Where we are not finished yet.
    #[serde(default)]
    pub roadmap: Vec<RoadmapItem>,
    /// Incidents: confirmed, updates customers were told (stamped with the
    /// time of the revision that published them), resolution and review.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incidents: Vec<Incident>,
    #[serde(default)]
    pub documents: Vec<DocumentMeta>,
    #[serde(default)]
    pub faq: Vec<FaqEntry>,
    /// Audits and assessments: who looked, at what, when, and how.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assessments: Vec<Assessment>,
    /// Display names for control categories (`data-handling: Data handling`);
    /// a category not listed is shown title-cased.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub categories: std::collections::BTreeMap<Key, Text>,
    /// The author's own headline, introduction and links for each list section.
    #[serde(default, skip_serializing_if = "Sections::is_empty")]
    pub sections: Sections,
    /// Witnesses that cosign the transparency log's checkpoints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub witnesses: Vec<Witness>,
    /// Answered questions, reused to answer security questionnaires. Public
    /// entries are published and shown on the page; gated and internal ones
    /// stay in the draft.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub knowledge: Vec<KnowledgeEntry>,
}

impl TrustCenter {
    /// What publishing this draft puts in a revision: everything but the
    /// knowledge entries that are not public.
    pub fn published(&self) -> TrustCenter {
        let mut public = self.clone();
        public
            .knowledge
            .retain(|e| e.visibility == Visibility::Public);
        public
    }

    /// The subprocessor notice period the company promises, if any.
    pub fn notice_days(&self) -> Option<u32> {
        match (self.commitments.subprocessor_notice_days, self.version) {
            (Some(days), _) => Some(days),
            (None, 1) => Some(V1_DEFAULT_NOTICE_DAYS),
            (None, _) => None,
        }
    }
}

/// Per list section, the author's words around it. Each part is optional.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sections {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promises: Option<SectionIntro>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controls: Option<SectionIntro>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posture: Option<SectionIntro>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitments: Option<SectionIntro>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subprocessors: Option<SectionIntro>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changelog: Option<SectionIntro>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roadmap: Option<SectionIntro>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incidents: Option<SectionIntro>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documents: Option<SectionIntro>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faq: Option<SectionIntro>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessments: Option<SectionIntro>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclosure: Option<SectionIntro>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knowledge: Option<SectionIntro>,
}

impl Sections {
    pub fn is_empty(&self) -> bool {
        self == &Sections::default()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionIntro {
    /// Replaces the section's heading (e.g. "What we DON'T do.").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<Text>,
    /// Markdown: paragraphs, lists, emphasis, links; no HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

/// A related link (a policy, the public commit log where fixes land, …).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub title: Text,
    pub url: HttpsUrl,
}

/// Who or what a claim applies to, when not every customer everywhere.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// A plan or tier ("enterprise").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<Text>,
    /// A condition ("when the feature is enabled").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Text>,
}

impl Scope {
    /// `enterprise plan; when the feature is enabled; EU`, for the page.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(plan) = &self.plan {
            parts.push(format!("{plan} plan"));
        }
        if let Some(condition) = &self.condition {
            parts.push(condition.to_string());
        }
        if let Some(region) = &self.region {
            parts.push(region.to_string());
        }
        parts.join("; ")
    }
}

/// How binding published terms are, when they are not yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TermsStatus {
    Draft,
    LegalReview,
    NonBinding,
}

impl TermsStatus {
    pub fn label(self) -> &'static str {
        match self {
            TermsStatus::Draft => "Draft",
            TermsStatus::LegalReview => "In legal review: not binding yet",
            TermsStatus::NonBinding => "Non-binding",
        }
    }
}

/// Whether `value` is a text in several languages as serialised (a map with
/// `default` naming one of its other keys, every value a string).
fn is_translated_text(value: &serde_json::Map<String, serde_json::Value>) -> bool {
    value
        .get("default")
        .and_then(|d| d.as_str())
        .is_some_and(|d| value.contains_key(d))
        && value.values().all(serde_json::Value::is_string)
}

impl TrustCenter {
    /// The languages of the page, the default first (English when none are named).
    /// The trust-as-code document's JSON Schema (what `candor schema
    /// trust-center` prints, and what the admin forms are built from).
    pub fn json_schema() -> serde_json::Value {
        serde_json::to_value(schemars::schema_for!(TrustCenter)).unwrap_or_default()
    }

    pub fn page_locales(&self) -> Vec<&str> {
        match self.profile.locales.is_empty() {
            true => vec!["en"],
            false => self.profile.locales.iter().map(|l| l.as_str()).collect(),
        }
    }

    /// This content in `locale`: every text in its translation, or in the
    /// default language where it has none. Without translations, the same.
    pub fn localized(&self, locale: &str) -> TrustCenter {
        fn walk(value: &mut serde_json::Value, locale: &str) {
            match value {
                serde_json::Value::Object(map) if is_translated_text(map) => {
                    let default = map["default"].as_str().unwrap_or_default().to_owned();
                    let chosen = map
                        .get(locale)
                        .or_else(|| map.get(&default))
                        .cloned()
                        .unwrap_or_default();
                    *value = chosen;
                }
                serde_json::Value::Object(map) => map.values_mut().for_each(|v| walk(v, locale)),
                serde_json::Value::Array(list) => list.iter_mut().for_each(|v| walk(v, locale)),
                _ => {}
            }
        }
        let Ok(mut value) = serde_json::to_value(self) else {
            return self.clone();
        };
        walk(&mut value, locale);
        serde_json::from_value(value).unwrap_or_else(|_| self.clone())
    }

    /// Texts given in some of the page's languages but not all: one warning
    /// each, naming the field and the languages missing (their readers see
    /// the default text there). Plain texts are counted in one line.
    pub fn missing_translations(&self) -> Vec<crate::FieldError> {
        let locales: Vec<&str> = self.page_locales();
        if locales.len() < 2 {
            return Vec::new();
        }
        fn walk(
            value: &serde_json::Value,
            path: String,
            locales: &[&str],
            out: &mut Vec<crate::FieldError>,
        ) {
            match value {
                serde_json::Value::Object(map) if is_translated_text(map) => {
                    let missing: Vec<&str> = locales
                        .iter()
                        .copied()
                        .filter(|l| !map.contains_key(*l))
                        .collect();
                    if !missing.is_empty() {
                        out.push(crate::FieldError {
                            field: path,
                            message: format!(
                                "no translation in {}: those pages show the {} text",
                                missing.join(", "),
                                locales[0]
                            ),
                        });
                    }
                }
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        let next = match path.is_empty() {
                            true => k.clone(),
                            false => format!("{path}.{k}"),
                        };
                        walk(v, next, locales, out);
                    }
                }
                serde_json::Value::Array(list) => {
                    for (i, v) in list.iter().enumerate() {
                        walk(v, format!("{path}[{i}]"), locales, out);
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        if let Ok(value) = serde_json::to_value(self) {
            walk(&value, String::new(), &locales, &mut out);
        }
        out
    }
}
