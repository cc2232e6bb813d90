//! What the company commits to, group by group: hosting, encryption, tenancy,
//! resilience, incident response and vulnerability disclosure.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Scope, TermsStatus};
use crate::types::{ContactUri, Day, HttpsUrl, LanguageTag, Text};

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

/// Defines a commitment group: a struct whose first fields are the author's framing
/// of it (headline, intro, status, scope, field_scopes), written here once for all
/// groups, followed by the group's own fields; and its [`Framed`] impl.
macro_rules! commitment_group {
    (pub struct $group:ident { $($fields:tt)* }) => {
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $group {
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
            $($fields)*
        }

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
    };
}

commitment_group! {
    pub struct Hosting {
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

commitment_group! {
    pub struct Encryption {
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

commitment_group! {
    pub struct Tenancy {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub model: Option<TenancyModel>,
        /// Resource by resource: which are shared and which are per tenant.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub resources: Vec<ResourceTenancy>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub isolation: Option<Text>,
    }
}

commitment_group! {
    pub struct Resilience {
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

commitment_group! {
    pub struct IncidentResponse {
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
}

commitment_group! {
    pub struct VulnerabilityDisclosure {
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
}
