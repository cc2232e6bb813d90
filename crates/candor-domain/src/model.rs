//! The content of one org's trust center: every section of the public page.
//! The same types are the trust-as-code YAML file, the JSON API body and the
//! payload of a published revision.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::catalogue::FrameworkId;
use crate::types::{
    ContactUri, Day, Email, HostName, HttpsUrl, Key, LanguageTag, PartialDate, Requirement, Text,
};

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
    pub documents: Option<SectionIntro>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faq: Option<SectionIntro>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessments: Option<SectionIntro>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclosure: Option<SectionIntro>,
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tagline: Option<Text>,
    /// One or two paragraphs that open the page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overview: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<HttpsUrl>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_contact: Option<Email>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub general_contact: Option<Email>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_reviewed: Option<Day>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla_url: Option<HttpsUrl>,
    /// Regions customers can choose for their data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_residency: Option<Text>,
    /// The click-through NDA readers accept before downloading an `nda` document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nda: Option<NdaTerms>,
    /// How to get questions answered that the page does not (questionnaires, a DPA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub questions: Option<Text>,
    /// Leave out the computed coverage percentages (the counts stay).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hide_coverage_percentages: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NdaTerms {
    /// Recorded with every acceptance, so a change of terms is a new version.
    pub version: Text,
    pub terms: Text,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Promise {
    pub title: Text,
    pub body: Text,
}

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

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Commitments {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosting: Option<Hosting>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<Encryption>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenancy: Option<Tenancy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resilience: Option<Resilience>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_response: Option<IncidentResponse>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vulnerability_disclosure: Option<VulnerabilityDisclosure>,
    /// Days between announcing a new subprocessor and it taking effect. Publishing a
    /// revision that adds one with a shorter notice is refused. Leave it out if you
    /// promise no notice period (in a version 1 file, leaving it out meant 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 365))]
    pub subprocessor_notice_days: Option<u32>,
    /// Customers are told before any new subprocessor is added (no number of days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subprocessor_notice_before_addition: Option<bool>,
}

/// The notice period a version 1 file implied by leaving it out.
pub const V1_DEFAULT_NOTICE_DAYS: u32 = 30;

impl Commitments {
    pub fn is_empty(&self) -> bool {
        self == &Commitments::default()
    }
}

impl TrustCenter {
    /// The subprocessor notice period the company promises, if any.
    pub fn notice_days(&self) -> Option<u32> {
        match (self.commitments.subprocessor_notice_days, self.version) {
            (Some(days), _) => Some(days),
            (None, 1) => Some(V1_DEFAULT_NOTICE_DAYS),
            (None, _) => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Hosting {
    /// The author's own heading for this part (e.g. "Hosted on Microsoft Azure.").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<Text>,
    /// The author's introduction (Markdown: paragraphs, lists, emphasis, links).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<Text>,
    /// Whether these terms bind yet (leave out when they do).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TermsStatus>,
    /// Who or what these terms apply to, if not everyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// Scopes of single claims in this group, by field name
    /// (`point_in_time_days: {plan: enterprise}`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub field_scopes: std::collections::BTreeMap<String, Scope>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<Text>,
    /// How customers choose a region, in words ("at provisioning; more on request").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_selection: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_residency: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_isolation: Option<Text>,
    /// Architecture components customers ask about (datastore, messaging, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// What it is, e.g. "Datastore".
    pub name: Text,
    pub detail: Text,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum TlsVersion {
    #[serde(rename = "1.2")]
    Tls12,
    #[serde(rename = "1.3")]
    Tls13,
}

impl TlsVersion {
    pub fn label(self) -> &'static str {
        match self {
            TlsVersion::Tls12 => "TLS 1.2",
            TlsVersion::Tls13 => "TLS 1.3",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Encryption {
    /// The author's own heading for this part (e.g. "Hosted on Microsoft Azure.").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<Text>,
    /// The author's introduction (Markdown: paragraphs, lists, emphasis, links).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<Text>,
    /// Whether these terms bind yet (leave out when they do).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TermsStatus>,
    /// Who or what these terms apply to, if not everyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// Scopes of single claims in this group, by field name
    /// (`point_in_time_days: {plan: enterprise}`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub field_scopes: std::collections::BTreeMap<String, Scope>,
    /// Oldest TLS version accepted on public endpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_minimum: Option<TlsVersion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_transit: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_rest: Option<Text>,
    /// Whether each customer's data is encrypted under its own key (leave out if
    /// you do not say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_tenant_keys: Option<bool>,
    /// Per-tenant keys in words, when the answer is not a plain yes or no
    /// ("for data flagged sensitive; bring your own key on enterprise").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_keys: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_management: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backups_encrypted: Option<bool>,
    /// How backups are encrypted and who can reach them, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backups: Option<Text>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TenancyModel {
    /// Shared infrastructure, logically isolated per tenant.
    Pooled,
    /// Dedicated infrastructure per tenant.
    Siloed,
    /// Pooled by default, dedicated on request.
    Hybrid,
}

impl TenancyModel {
    pub fn label(self) -> &'static str {
        match self {
            TenancyModel::Pooled => "Pooled (shared infrastructure, isolated per tenant)",
            TenancyModel::Siloed => "Siloed (dedicated infrastructure per tenant)",
            TenancyModel::Hybrid => "Hybrid (pooled by default, dedicated on request)",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tenancy {
    /// The author's own heading for this part (e.g. "Hosted on Microsoft Azure.").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<Text>,
    /// The author's introduction (Markdown: paragraphs, lists, emphasis, links).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<Text>,
    /// Whether these terms bind yet (leave out when they do).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TermsStatus>,
    /// Who or what these terms apply to, if not everyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// Scopes of single claims in this group, by field name
    /// (`point_in_time_days: {plan: enterprise}`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub field_scopes: std::collections::BTreeMap<String, Scope>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<TenancyModel>,
    /// Resource by resource: which are shared and which are per tenant.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<ResourceTenancy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isolation: Option<Text>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resilience {
    /// The author's own heading for this part (e.g. "Hosted on Microsoft Azure.").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<Text>,
    /// The author's introduction (Markdown: paragraphs, lists, emphasis, links).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<Text>,
    /// Whether these terms bind yet (leave out when they do).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TermsStatus>,
    /// Who or what these terms apply to, if not everyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// Scopes of single claims in this group, by field name
    /// (`point_in_time_days: {plan: enterprise}`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub field_scopes: std::collections::BTreeMap<String, Scope>,
    /// Changes are shipped continuously (e.g. transaction-log shipping).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuous_backups: Option<bool>,
    /// Days between full backups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_backup_interval_days: Option<u32>,
    /// Backups are copied to another region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backups_geo_replicated: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_interval_hours: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_retention_days: Option<u32>,
    /// How far back point-in-time recovery reaches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point_in_time_days: Option<u32>,
    /// A longer window some plans can have (e.g. 365 days on enterprise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point_in_time_max: Option<PlanDays>,
    /// Recovery time objective.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rto_minutes: Option<u32>,
    /// Recovery point objective.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpo_minutes: Option<u32>,
    /// How often disaster recovery is rehearsed, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dr_exercise: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_dr_exercise: Option<Day>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uptime_target: Option<Text>,
    /// Anything else about backups and recovery, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<Text>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Critical => "Critical",
            Severity::High => "High",
            Severity::Medium => "Medium",
            Severity::Low => "Low",
        }
    }
}

/// A fix deadline for one severity, in calendar days or business days (one of them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemediationTime {
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_days: Option<u32>,
}

/// How one kind of resource is shared between tenants.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceTenancy {
    /// The resource, e.g. "Database", "Storage account", "Key vault".
    pub resource: Text,
    /// true: one per tenant; false: shared between tenants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_tenant: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<Text>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanDays {
    pub days: u32,
    pub plan: Text,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentResponse {
    /// The author's own heading for this part (e.g. "Hosted on Microsoft Azure.").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<Text>,
    /// The author's introduction (Markdown: paragraphs, lists, emphasis, links).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<Text>,
    /// Whether these terms bind yet (leave out when they do).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TermsStatus>,
    /// Who or what these terms apply to, if not everyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// Scopes of single claims in this group, by field name
    /// (`point_in_time_days: {plan: enterprise}`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub field_scopes: std::collections::BTreeMap<String, Scope>,
    /// Hours from confirming an incident that affects customers to telling them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_notice_hours: Option<u32>,
    /// Which incidents the notice promise covers, if not every one that affects
    /// customers (e.g. "confirmed material incidents").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_notice_for: Option<Text>,
    /// Calendar days from resolution to a published post-incident review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_days: Option<u32>,
    /// The same in business days (Monday to Friday).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_business_days: Option<u32>,
    /// Who is on call, and when (e.g. "24/7 for production").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_call: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_page: Option<HttpsUrl>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<Text>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VulnerabilityDisclosure {
    /// The author's own heading for this part (e.g. "Hosted on Microsoft Azure.").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<Text>,
    /// The author's introduction (Markdown: paragraphs, lists, emphasis, links).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<Text>,
    /// Whether these terms bind yet (leave out when they do).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TermsStatus>,
    /// Who or what these terms apply to, if not everyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// Scopes of single claims in this group, by field name
    /// (`point_in_time_days: {plan: enterprise}`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub field_scopes: std::collections::BTreeMap<String, Scope>,
    /// security.txt Contact: lines, in order of preference (security.txt is
    /// published only when there is one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contact: Vec<ContactUri>,
    /// Business days until a report is acknowledged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledgement_business_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe_harbour: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_url: Option<HttpsUrl>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openpgp_key_url: Option<HttpsUrl>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preferred_languages: Vec<LanguageTag>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledgements_url: Option<HttpsUrl>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bug_bounty: Option<Text>,
    /// How long fixes take, by severity.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remediation_times: Vec<RemediationTime>,
    /// How fast fixes ship, in words ("on a schedule proportional to severity").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<Text>,
    /// The org's own OpenPGP public key (ASCII armor) for researchers to encrypt
    /// reports to: served beside security.txt, named in its `Encryption:` field,
    /// fingerprint shown on the page. Must be able to encrypt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openpgp_public_key: Option<Text>,
    /// The fingerprint of the key researchers encrypt to, as published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openpgp_fingerprint: Option<Text>,
}

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
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaqEntry {
    pub question: Text,
    pub answer: Text,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Key>,
}

/// The author's framing of one commitment group: the same fields on each.
pub struct Framing<'a> {
    pub headline: Option<&'a Text>,
    pub intro: Option<&'a Text>,
    pub status: Option<TermsStatus>,
    pub scope: Option<&'a Scope>,
    pub field_scopes: &'a std::collections::BTreeMap<String, Scope>,
}

/// A commitment group, as far as its framing goes.
pub trait Framed {
    fn framing(&self) -> Framing<'_>;
}

macro_rules! framed {
    ($($group:ty),*) => {$(
        impl Framed for $group {
            fn framing(&self) -> Framing<'_> {
                Framing {
                    headline: self.headline.as_ref(),
                    intro: self.intro.as_ref(),
                    status: self.status,
                    scope: self.scope.as_ref(),
                    field_scopes: &self.field_scopes,
                }
            }
        }
    )*};
}

framed!(
    Hosting,
    Encryption,
    Tenancy,
    Resilience,
    IncidentResponse,
    VulnerabilityDisclosure
);
