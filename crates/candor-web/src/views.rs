//! View models: the trust page's data arranged for the templates, so that the
//! templates only print. Every string is escaped by askama on output.

use std::collections::BTreeMap;

use askama::Template;
use candor_domain::coverage::{FrameworkCoverage, coverage};
use candor_domain::model::{
    ChangelogEntry, Control, Framed, Framing, Scope, SectionIntro, Subprocessor, TermsStatus,
    TrustCenter,
};
use candor_domain::types::Day;
use candor_domain::types::Text;
use candor_domain::words::plural;
use candor_domain::{Revision, catalogue};
use time::format_description::BorrowedFormatItem;
use time::format_description::well_known::Rfc3339;

/// Where the org's own key for researchers is served, beside security.txt
/// (the page links to it; `crate::securitytxt` serves it).
pub const RESEARCHER_KEY_FILE: &str = "researcher-key.asc";

const HUMAN_TIME: &[BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");

/// One control mapping, with the requirement's title for a tooltip and screen readers.
pub struct MappingView {
    pub id: String,
    pub title: String,
}

pub struct ControlView<'a> {
    pub control: &'a Control,
    pub description: String,
    pub scope: Option<String>,
    pub mappings: Vec<MappingView>,
    /// One line per check the control names: what Candor last observed.
    pub evidence: Vec<EvidenceLine>,
}

/// A check's standing on the page. Never green unless a recent check passed.
pub struct EvidenceLine {
    pub text: String,
    /// `ok`, `warn`, `bad` or `unknown`, for the badge colour.
    pub css: &'static str,
    pub label: &'static str,
}

pub struct CategoryView<'a> {
    pub anchor: String,
    /// None for controls the author put in no category.
    pub title: Option<String>,
    pub implemented: usize,
    pub controls: Vec<ControlView<'a>>,
}

pub struct CoverageView {
    pub label: &'static str,
    pub unit: &'static str,
    pub name: String,
    pub implemented: usize,
    pub mapped: usize,
    pub total: usize,
    pub percent: usize,
}

pub struct SubprocessorView<'a> {
    pub sub: &'a Subprocessor,
    pub state: &'static str,
    pub state_css: &'static str,
    pub locations: String,
    pub data: String,
    /// `Enabled`, `Opt-in`, or empty when the page does not say.
    pub default: &'static str,
    pub detail: Option<String>,
    /// Stated flags ("HIPAA eligible: yes") and scope, one line each.
    pub notes: Vec<String>,
}

pub struct PostureView<'a> {
    pub entry: &'a candor_domain::model::PostureEntry,
    pub detail: Option<String>,
    pub scope: Option<String>,
}

/// A promise, a roadmap item, a FAQ entry or a changelog entry: a title and the
/// author's text as HTML.
pub struct ProseItem<'a, T> {
    pub item: &'a T,
    pub html: Option<String>,
}

/// Which of the subprocessor table's optional columns any row fills: a column
/// no row has is left out rather than printed as dashes.
#[derive(Default)]
pub struct SubprocessorColumns {
    pub purpose: bool,
    pub notes: bool,
    pub locations: bool,
    pub data: bool,
    pub default: bool,
    pub announced: bool,
    pub effective: bool,
}

/// One value of a fact, as HTML built here from escaped text, links and the
/// author's Markdown.
pub struct FactValue {
    pub html: String,
}

/// A `<dt>`/`<dd>` pair. Built only from what the content states.
pub struct Fact {
    pub label: &'static str,
    pub values: Vec<FactValue>,
}

/// A titled list of facts; a group with none is not shown at all.
pub struct FactGroup {
    /// The author's headline, or Candor's name for the group.
    pub title: String,
    pub intro: Option<String>,
    /// "In legal review: not binding yet", and the like.
    pub status: Option<&'static str>,
    /// Who the group's terms apply to, if not everyone.
    pub scope: Option<String>,
    pub facts: Vec<Fact>,
}

/// Escaped text, safe to put in a page.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    crate::markdown::escape(text, &mut out);
    out
}

/// The author's text as HTML. Format 2 text is Markdown; format 1 text was
/// written as plain text, so it stays plain (paragraphs at blank lines) and its
/// published pages read as they always did.
pub fn prose(version: u32, text: &str) -> String {
    if version >= 2 {
        return crate::markdown::to_html(text);
    }
    text.split("\n\n")
        .map(|p| {
            let words = p.split_whitespace().collect::<Vec<_>>().join(" ");
            format!("<p>{}</p>\n", escape_html(&words))
        })
        .collect()
}

/// Like [`prose`], for a short value: a single paragraph loses its `<p>`.
fn inline_prose(version: u32, text: &str) -> String {
    let html = prose(version, text);
    let inner = html
        .trim_end()
        .strip_prefix("<p>")
        .and_then(|h| h.strip_suffix("</p>"));
    match inner {
        Some(inner) if !inner.contains("<p>") => inner.to_owned(),
        _ => html,
    }
}

fn link_html(text: &str, href: &str) -> String {
    format!(
        "<a href=\"{}\">{}</a>",
        escape_html(href),
        escape_html(text)
    )
}

/// Collects facts, skipping every one the content leaves out.
struct Facts<'a> {
    version: u32,
    facts: Vec<Fact>,
    /// The group's framing (headline, intro, status, scopes), for a commitment group.
    framing: Option<Framing<'a>>,
    /// The field the next fact states (set by [`Facts::at`]).
    field: Option<&'static str>,
}

impl<'a> Facts<'a> {
    fn new(version: u32) -> Facts<'a> {
        Facts {
            version,
            facts: Vec::new(),
            framing: None,
            field: None,
        }
    }

    /// Facts of a commitment group: its single claims' scopes go with them.
    fn of_group(version: u32, group: &'a dyn Framed) -> Facts<'a> {
        Facts {
            framing: Some(group.framing()),
            ..Facts::new(version)
        }
    }

    /// The next fact states this field (so its scope, if any, goes with it).
    fn at(&mut self, field: &'static str) -> &mut Self {
        self.field = Some(field);
        self
    }

    fn push(&mut self, label: &'static str, mut values: Vec<FactValue>) {
        let field = self.field.take();
        if let Some(scope) = field
            .and_then(|f| self.framing.as_ref()?.field_scopes.get(f))
            .map(Scope::describe)
            .filter(|s| !s.is_empty())
        {
            values.push(FactValue {
                html: format!(
                    "<span class=\"meta\">Applies to: {}</span>",
                    escape_html(&scope)
                ),
            });
        }
        self.facts.push(Fact { label, values });
    }

    fn html(&mut self, label: &'static str, html: Option<String>) {
        match html {
            Some(html) => self.push(label, vec![FactValue { html }]),
            None => self.field = None,
        }
    }

    /// Words Candor composes around a stated value (numbers, labels).
    fn text(&mut self, label: &'static str, value: Option<impl std::fmt::Display>) {
        self.html(label, value.map(|v| escape_html(&v.to_string())));
    }

    /// The author's own words.
    fn prose(&mut self, label: &'static str, value: Option<&Text>) {
        let version = self.version;
        self.html(label, value.map(|t| inline_prose(version, t.as_str())));
    }

    fn link(&mut self, label: &'static str, url: Option<impl std::fmt::Display>) {
        if let Some(url) = url {
            let url = url.to_string();
            self.links(label, vec![(url.clone(), url)]);
        }
    }

    /// Several links under one label (`(text, href)`), none if empty.
    fn links(&mut self, label: &'static str, links: Vec<(String, String)>) {
        if links.is_empty() {
            self.field = None;
            return;
        }
        let values = links
            .into_iter()
            .map(|(text, href)| FactValue {
                html: link_html(&text, &href),
            })
            .collect();
        self.push(label, values);
    }

    /// A yes/no fact: printed only when stated.
    fn yes_no(&mut self, label: &'static str, value: Option<bool>) {
        self.text(label, value.map(|yes| if yes { "Yes" } else { "No" }));
    }

    fn list(&mut self, label: &'static str, items: &[impl AsRef<str>]) {
        self.text(label, (!items.is_empty()).then(|| join(items)));
    }

    /// The group on the page, under the author's headline or `default_title`;
    /// none if it states nothing.
    fn group(self, default_title: &'static str, groups: &mut Vec<FactGroup>) {
        let Some(framing) = &self.framing else {
            return;
        };
        if self.facts.is_empty() && framing.headline.is_none() && framing.intro.is_none() {
            return;
        }
        groups.push(FactGroup {
            title: framing
                .headline
                .map_or_else(|| default_title.to_owned(), ToString::to_string),
            intro: framing.intro.map(|t| prose(self.version, t.as_str())),
            status: framing.status.map(TermsStatus::label),
            scope: framing.scope.map(Scope::describe).filter(|s| !s.is_empty()),
            facts: self.facts,
        });
    }
}

/// A list section's heading (the author's headline, or Candor's), intro and links.
pub struct SectionView {
    pub heading: String,
    pub intro: Option<String>,
    pub links: Vec<(String, String)>,
}

fn section_view(version: u32, intro: Option<&SectionIntro>, default: &str) -> SectionView {
    SectionView {
        heading: intro
            .and_then(|i| i.headline.as_ref())
            .map_or_else(|| default.to_owned(), ToString::to_string),
        intro: intro
            .and_then(|i| i.intro.as_ref())
            .map(|t| prose(version, t.as_str())),
        links: intro
            .map(|i| {
                i.links
                    .iter()
                    .map(|l| (l.title.to_string(), l.url.to_string()))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// An assessment on the page: its facts, and the changelog entries that fix
/// its findings.
pub struct AssessmentView {
    pub key: String,
    pub title: String,
    pub facts: Vec<Fact>,
    pub fixes: Vec<String>,
}

fn assessment_views(tc: &TrustCenter) -> Vec<AssessmentView> {
    tc.assessments
        .iter()
        .map(|a| {
            let mut f = Facts::new(tc.version);
            f.text("When", a.date.map(|d| d.human()));
            f.text("Kind", a.kind.map(|k| k.label()));
            f.prose("Assessor", a.assessor.as_ref());
            f.prose("Scope", a.covers.as_ref());
            f.prose("Methodology", a.methodology.as_ref());
            f.prose("Summary", a.summary.as_ref());
            if let Some(doc) = &a.document {
                f.html(
                    "Report",
                    Some(link_html("See the document", &format!("#doc-{doc}"))),
                );
            }
            AssessmentView {
                key: a.key.to_string(),
                title: a.title.to_string(),
                facts: f.facts,
                fixes: tc
                    .changelog
                    .iter()
                    .filter(|e| e.assessment.as_ref() == Some(&a.key))
                    .map(|e| e.title.to_string())
                    .collect(),
            }
        })
        .collect()
}

/// Every list section's words.
pub struct SectionViews {
    pub promises: SectionView,
    pub controls: SectionView,
    pub posture: SectionView,
    pub commitments: SectionView,
    pub subprocessors: SectionView,
    pub changelog: SectionView,
    pub roadmap: SectionView,
    pub documents: SectionView,
    pub faq: SectionView,
    pub assessments: SectionView,
    pub disclosure: SectionView,
}

fn section_views(tc: &TrustCenter) -> SectionViews {
    let v = tc.version;
    let s = &tc.sections;
    SectionViews {
        promises: section_view(v, s.promises.as_ref(), "What we don't do"),
        controls: section_view(v, s.controls.as_ref(), "Security controls"),
        posture: section_view(v, s.posture.as_ref(), "Compliance"),
        commitments: section_view(v, s.commitments.as_ref(), "Commitments"),
        subprocessors: section_view(v, s.subprocessors.as_ref(), "Subprocessors"),
        changelog: section_view(v, s.changelog.as_ref(), "Changelog"),
        roadmap: section_view(v, s.roadmap.as_ref(), "Where we're not finished"),
        documents: section_view(v, s.documents.as_ref(), "Documents"),
        faq: section_view(v, s.faq.as_ref(), "Frequently asked questions"),
        assessments: section_view(v, s.assessments.as_ref(), "Audits and assessments"),
        disclosure: section_view(v, s.disclosure.as_ref(), "Report a vulnerability"),
    }
}

/// The commitments the content states, group by group.
fn commitment_groups(tc: &TrustCenter) -> Vec<FactGroup> {
    let c = &tc.commitments;
    let v = tc.version;
    let mut groups = Vec::new();
    if let Some(h) = &c.hosting {
        let mut f = Facts::of_group(v, h);
        f.at("provider").prose("Provider", h.provider.as_ref());
        f.at("regions").list("Regions", &h.regions);
        f.at("region_selection")
            .prose("Region selection", h.region_selection.as_ref());
        f.at("data_residency")
            .prose("Data residency", h.data_residency.as_ref());
        f.at("network_isolation")
            .prose("Network isolation", h.network_isolation.as_ref());
        for component in &h.components {
            f.facts.push(Fact {
                label: "Component",
                values: vec![FactValue {
                    html: format!(
                        "<strong>{}</strong>: {}",
                        escape_html(component.name.as_str()),
                        inline_prose(v, component.detail.as_str())
                    ),
                }],
            });
        }
        f.group("Hosting and data residency", &mut groups);
    }
    if let Some(e) = &c.encryption {
        let mut f = Facts::of_group(v, e);
        f.at("tls_minimum")
            .text("Minimum TLS version", e.tls_minimum.map(|t| t.label()));
        f.at("in_transit")
            .prose("In transit", e.in_transit.as_ref());
        f.at("at_rest").prose("At rest", e.at_rest.as_ref());
        f.at("per_tenant_keys")
            .yes_no("Per-customer keys", e.per_tenant_keys);
        f.at("tenant_keys")
            .prose("Per-tenant keys", e.tenant_keys.as_ref());
        f.at("key_management")
            .prose("Key management", e.key_management.as_ref());
        f.at("secrets").prose("Secrets", e.secrets.as_ref());
        f.at("backups_encrypted")
            .yes_no("Backups encrypted", e.backups_encrypted);
        f.at("backups").prose("Backups", e.backups.as_ref());
        f.group("Encryption", &mut groups);
    }
    if let Some(t) = &c.tenancy {
        let mut f = Facts::of_group(v, t);
        f.at("model").text("Model", t.model.map(|m| m.label()));
        for r in &t.resources {
            let how = match r.per_tenant {
                Some(true) => Some("One per tenant".to_owned()),
                Some(false) => Some("Shared between tenants".to_owned()),
                None => None,
            };
            let detail = r.detail.as_ref().map(|d| inline_prose(v, d.as_str()));
            let value = match (how, detail) {
                (Some(how), Some(detail)) => format!("{how}. {detail}"),
                (Some(how), None) => how,
                (None, Some(detail)) => detail,
                (None, None) => continue,
            };
            f.facts.push(Fact {
                label: "Resource",
                values: vec![FactValue {
                    html: format!(
                        "<strong>{}</strong>: {value}",
                        escape_html(r.resource.as_str())
                    ),
                }],
            });
        }
        f.at("isolation").prose("Isolation", t.isolation.as_ref());
        f.group("Tenancy", &mut groups);
    }
    if let Some(r) = &c.resilience {
        let mut f = Facts::of_group(v, r);
        f.at("continuous_backups").text(
            "Backups",
            r.continuous_backups
                .filter(|yes| *yes)
                .map(|_| "Continuous"),
        );
        f.at("backup_interval_hours").text(
            "Backup frequency",
            r.backup_interval_hours
                .map(|h| format!("Every {}", plural(u64::from(h), "hour"))),
        );
        f.at("full_backup_interval_days").text(
            "Full backups",
            r.full_backup_interval_days.map(|d| match d {
                1 => "Daily".to_owned(),
                7 => "Weekly".to_owned(),
                d => format!("Every {}", plural(u64::from(d), "day")),
            }),
        );
        f.at("backups_geo_replicated")
            .yes_no("Backups geo-replicated", r.backups_geo_replicated);
        f.at("backup_retention_days").text(
            "Backup retention",
            r.backup_retention_days
                .map(|d| format!("Kept {}", plural(u64::from(d), "day"))),
        );
        let extended = r.point_in_time_max.as_ref().map(|m| {
            format!(
                "up to {} on the {} plan",
                plural(u64::from(m.days), "day"),
                m.plan
            )
        });
        f.at(if r.point_in_time_days.is_some() {
            "point_in_time_days"
        } else {
            "point_in_time_max"
        })
        .text(
            "Point-in-time recovery",
            match (r.point_in_time_days, extended) {
                (Some(d), Some(more)) => Some(format!(
                    "Up to {} back ({more})",
                    plural(u64::from(d), "day")
                )),
                (Some(d), None) => Some(format!("Up to {} back", plural(u64::from(d), "day"))),
                (None, Some(more)) => Some(more),
                (None, None) => None,
            },
        );
        f.at("rto_minutes")
            .text("Recovery time objective (RTO)", r.rto_minutes.map(minutes));
        f.at("rpo_minutes")
            .text("Recovery point objective (RPO)", r.rpo_minutes.map(minutes));
        f.at("dr_exercise")
            .prose("Disaster-recovery exercise", r.dr_exercise.as_ref());
        f.at("last_dr_exercise")
            .text("Last disaster-recovery exercise", r.last_dr_exercise);
        f.at("uptime_target")
            .prose("Uptime target", r.uptime_target.as_ref());
        f.at("detail").prose("Also", r.detail.as_ref());
        f.group("Backups and recovery", &mut groups);
    }
    if let Some(i) = &c.incident_response {
        let mut f = Facts::of_group(v, i);
        f.at("on_call").prose("On call", i.on_call.as_ref());
        f.at("customer_notice_hours").text(
            "Customer notice",
            i.customer_notice_hours.map(|h| {
                let within = format!("Within {}", plural(u64::from(h), "hour"));
                match (&i.customer_notice_for, v) {
                    (Some(which), _) => format!("{within}, for {which}"),
                    // What format 1 pages always said.
                    (None, 1) => format!("{within} of confirming an incident that affects you"),
                    (None, _) => within,
                }
            }),
        );
        f.at(if i.review_business_days.is_some() {
            "review_business_days"
        } else {
            "review_days"
        })
        .text(
            "Post-incident review",
            match (i.review_business_days, i.review_days) {
                (Some(d), _) => Some(format!("Within {}", plural(u64::from(d), "business day"))),
                (None, Some(d)) => Some(format!("Within {}", plural(u64::from(d), "day"))),
                (None, None) => None,
            },
        );
        f.at("status_page")
            .link("Status page", i.status_page.as_ref());
        f.at("detail").prose("How we respond", i.detail.as_ref());
        f.group("Incident response", &mut groups);
    }
    groups
}

/// `15 minutes`, `4 hours`, `90 minutes`: whole hours as hours.
fn minutes(m: u32) -> String {
    if m >= 60 && m.is_multiple_of(60) {
        plural(u64::from(m / 60), "hour")
    } else {
        plural(u64::from(m), "minute")
    }
}

/// The vulnerability-disclosure commitment as the content states it (its
/// headline, if any, under the section's own heading).
fn disclosure_group(tc: &TrustCenter, slug: &str) -> Option<FactGroup> {
    let d = tc.commitments.vulnerability_disclosure.as_ref()?;
    let mut f = Facts::of_group(tc.version, d);
    f.at("contact").links(
        "Contact",
        d.contact
            .iter()
            .map(|c| {
                let text = c.as_str().strip_prefix("mailto:").unwrap_or(c.as_str());
                (text.to_owned(), c.to_string())
            })
            .collect(),
    );
    f.at("acknowledgement_business_days").text(
        "Acknowledgement",
        d.acknowledgement_business_days
            .map(|days| format!("Within {}", plural(u64::from(days), "business day"))),
    );
    let times: Vec<String> = d
        .remediation_times
        .iter()
        .filter_map(|t| {
            let within = match (t.days, t.business_days) {
                (Some(days), _) => plural(u64::from(days), "day"),
                (None, Some(days)) => plural(u64::from(days), "business day"),
                (None, None) => return None,
            };
            Some(format!("{}: within {within}", t.severity.label()))
        })
        .collect();
    f.at("remediation_times").text(
        "Fix deadlines",
        (!times.is_empty()).then(|| times.join("; ")),
    );
    f.at("remediation").prose("Fixes", d.remediation.as_ref());
    f.at("safe_harbour")
        .prose("Safe harbour", d.safe_harbour.as_ref());
    f.at("policy_url").link("Policy", d.policy_url.as_ref());
    let own_key = d.openpgp_public_key.as_ref().map(|key| {
        (
            format!("/{slug}/.well-known/{}", RESEARCHER_KEY_FILE),
            candor_domain::openpgp::researcher_key_fingerprint(key.as_str()).ok(),
        )
    });
    if let Some((url, _)) = &own_key {
        f.at("openpgp_public_key").links(
            "OpenPGP key",
            vec![("Our key for encrypted reports".to_owned(), url.clone())],
        );
    }
    f.at("openpgp_key_url")
        .link("OpenPGP key", d.openpgp_key_url.as_ref());
    // The fingerprint of a key published here is computed from it, not typed.
    match own_key.and_then(|(_, fingerprint)| fingerprint) {
        Some(fingerprint) => f.text("OpenPGP fingerprint", Some(fingerprint)),
        None => f
            .at("openpgp_fingerprint")
            .text("OpenPGP fingerprint", d.openpgp_fingerprint.as_ref()),
    }
    f.at("preferred_languages")
        .list("Preferred languages", &d.preferred_languages);
    f.at("acknowledgements_url")
        .link("Hall of fame", d.acknowledgements_url.as_ref());
    f.at("bug_bounty")
        .prose("Bug bounty", d.bug_bounty.as_ref());
    let mut groups = Vec::new();
    f.group("", &mut groups);
    groups.pop()
}

/// The overview's facts: contacts and regions, as stated.
fn overview_facts(tc: &TrustCenter, implemented: usize) -> Vec<Fact> {
    let p = &tc.profile;
    let mut f = Facts::new(tc.version);
    f.link("Website", p.website.as_ref());
    let mail = |e: &candor_domain::types::Email| vec![(e.to_string(), format!("mailto:{e}"))];
    f.links(
        "Security contact",
        p.security_contact.as_ref().map(mail).unwrap_or_default(),
    );
    f.links(
        "Other questions",
        p.general_contact.as_ref().map(mail).unwrap_or_default(),
    );
    f.list("Regions offered", &p.regions);
    f.prose("Data residency", p.data_residency.as_ref());
    f.link("Service level agreement", p.sla_url.as_ref());
    f.prose("Questions this page does not answer", p.questions.as_ref());
    f.text(
        "Controls",
        (!tc.controls.is_empty())
            .then(|| format!("{implemented} of {} implemented", tc.controls.len())),
    );
    f.facts
}

#[derive(Template)]
#[template(path = "trust.html")]
pub struct TrustPage<'a> {
    pub slug: &'a str,
    pub tc: &'a TrustCenter,
    pub revision: u64,
    /// The revision's entry in the org's transparency log (revision n is entry n - 1).
    pub log_index: u64,
    /// RFC 3339, for `<time datetime>` and machines.
    pub published_at: String,
    /// For people: `2026-11-22 21:01 UTC`.
    pub published_human: String,
    pub content_hash: String,
    pub overview: Option<String>,
    pub sections: SectionViews,
    pub promises: Vec<ProseItem<'a, candor_domain::model::Promise>>,
    pub posture: Vec<PostureView<'a>>,
    pub roadmap: Vec<ProseItem<'a, candor_domain::model::RoadmapItem>>,
    pub faq: Vec<ProseItem<'a, candor_domain::model::FaqEntry>>,
    pub assessments: Vec<AssessmentView>,
    pub categories: Vec<CategoryView<'a>>,
    pub coverage: Vec<CoverageView>,
    pub controls_total: usize,
    pub controls_implemented: usize,
    pub subprocessors: Vec<SubprocessorView<'a>>,
    pub subprocessor_columns: SubprocessorColumns,
    /// The notice promise, shown only with subprocessors and a stated period.
    pub notice: Option<String>,
    /// "Before any addition", promised without a number of days.
    pub notice_before_addition: bool,
    pub overview_facts: Vec<Fact>,
    pub commitment_groups: Vec<FactGroup>,
    pub disclosure: Option<FactGroup>,
    pub changelog: Vec<ProseItem<'a, ChangelogEntry>>,
    /// Whether any posture row or document has a target date, version or update date.
    pub posture_targets: bool,
    pub document_versions: bool,
    pub document_dates: bool,
    pub today: String,
    /// Shown in the admin UI before publishing: adds a banner.
    pub preview: bool,
    /// The verifier key of the org's log checkpoints, when the server signs them.
    pub log_key: Option<String>,
    /// The log's root hash at this revision (base64), i.e. at log size `revision`.
    pub log_root: Option<String>,
}

fn title_case(key: &str) -> String {
    let words = key.replace('-', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn coverage_view(c: FrameworkCoverage) -> CoverageView {
    CoverageView {
        label: c.label,
        unit: c.unit,
        name: catalogue::framework(c.framework).name.clone(),
        implemented: c.implemented,
        mapped: c.mapped,
        total: c.total,
        percent: c.percent(),
    }
}

fn subprocessor_view(sub: &Subprocessor, today: Day, version: u32) -> SubprocessorView<'_> {
    let (state, state_css) = match sub.removed_at {
        Some(removed) if removed <= today => ("Removed", "na"),
        Some(_) => ("Leaving", "wip"),
        None if sub.effective_at.is_some_and(|d| d > today) => ("Upcoming", "todo"),
        None => ("Active", "ok"),
    };
    let mut notes = Vec::new();
    for (label, value) in [
        ("HIPAA eligible", sub.hipaa_eligible),
        ("Zero data retention", sub.zero_data_retention),
        (
            "No training on customer data",
            sub.no_training_on_customer_data,
        ),
    ] {
        if let Some(yes) = value {
            notes.push(format!("{label}: {}", if yes { "yes" } else { "no" }));
        }
    }
    if let Some(scope) = sub
        .scope
        .as_ref()
        .map(Scope::describe)
        .filter(|s| !s.is_empty())
    {
        notes.push(format!("Applies to: {scope}"));
    }
    SubprocessorView {
        sub,
        state,
        state_css,
        locations: join(&sub.locations),
        data: join(&sub.data_categories),
        default: match sub.enabled_by_default {
            Some(true) => "Enabled",
            Some(false) => "Opt-in",
            None => "",
        },
        detail: sub
            .detail
            .as_ref()
            .map(|d| inline_prose(version, d.as_str())),
        notes,
    }
}

fn subprocessor_columns(list: &[Subprocessor]) -> SubprocessorColumns {
    SubprocessorColumns {
        purpose: list
            .iter()
            .any(|s| s.purpose.is_some() || s.detail.is_some()),
        notes: list.iter().any(|s| {
            s.hipaa_eligible.is_some()
                || s.zero_data_retention.is_some()
                || s.no_training_on_customer_data.is_some()
                || s.scope.is_some()
        }),
        locations: list.iter().any(|s| !s.locations.is_empty()),
        data: list.iter().any(|s| !s.data_categories.is_empty()),
        default: list.iter().any(|s| s.enabled_by_default.is_some()),
        announced: list.iter().any(|s| s.announced_at.is_some()),
        effective: list.iter().any(|s| s.effective_at.is_some()),
    }
}

/// Newest first; undated entries last, in the author's order.
fn changelog_order(entries: &[ChangelogEntry], version: u32) -> Vec<ProseItem<'_, ChangelogEntry>> {
    let mut sorted: Vec<&ChangelogEntry> = entries.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse(e.date.map(|d| d.0)));
    sorted.sort_by_key(|e| e.date.is_none());
    sorted
        .into_iter()
        .map(|e| ProseItem {
            item: e,
            html: e.detail.as_ref().map(|d| prose(version, d.as_str())),
        })
        .collect()
}

fn join<T: AsRef<str>>(items: &[T]) -> String {
    items
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(", ")
}

impl<'a> TrustPage<'a> {
    pub fn new(slug: &'a str, revision: &'a Revision, today: Day) -> TrustPage<'a> {
        let tc = &revision.content;
        // Categories in order of first appearance, which the author controls.
        let version = tc.version;
        let mut order: Vec<&str> = Vec::new();
        let mut grouped: BTreeMap<&str, Vec<ControlView<'a>>> = BTreeMap::new();
        for control in &tc.controls {
            let key = control.category.as_ref().map_or("", |k| k.as_str());
            if !grouped.contains_key(key) {
                order.push(key);
            }
            grouped.entry(key).or_default().push(ControlView {
                control,
                description: prose(version, control.description.as_str()),
                scope: control
                    .scope
                    .as_ref()
                    .map(Scope::describe)
                    .filter(|s| !s.is_empty()),
                evidence: Vec::new(),
                mappings: control
                    .mappings
                    .iter()
                    .map(|m| MappingView {
                        id: m.to_string(),
                        title: format!("{} {}: {}", m.framework.label(), m.id, m.title()),
                    })
                    .collect(),
            });
        }
        let categories = order
            .into_iter()
            .map(|key| {
                let controls = grouped.remove(key).unwrap_or_default();
                CategoryView {
                    anchor: if key.is_empty() {
                        "controls-all".to_owned()
                    } else {
                        format!("controls-{key}")
                    },
                    title: (!key.is_empty()).then(|| {
                        tc.categories
                            .iter()
                            .find(|(k, _)| k.as_str() == key)
                            .map_or_else(|| title_case(key), |(_, name)| name.to_string())
                    }),
                    implemented: controls
                        .iter()
                        .filter(|c| {
                            c.control.status == candor_domain::model::ControlStatus::Implemented
                        })
                        .count(),
                    controls,
                }
            })
            .collect();
        let controls_implemented = tc
            .controls
            .iter()
            .filter(|c| c.status == candor_domain::model::ControlStatus::Implemented)
            .count();
        let overview = tc
            .profile
            .overview
            .as_ref()
            .map(|o| prose(version, o.as_str()));
        TrustPage {
            slug,
            tc,
            revision: revision.number,
            log_index: revision.number.saturating_sub(1),
            published_at: revision.published_at.format(&Rfc3339).unwrap_or_default(),
            published_human: human_time(revision.published_at),
            content_hash: revision.content_hash.to_string(),
            overview,
            sections: section_views(tc),
            promises: tc
                .promises
                .iter()
                .map(|p| ProseItem {
                    item: p,
                    html: Some(prose(version, p.body.as_str())),
                })
                .collect(),
            posture: tc
                .posture
                .iter()
                .map(|entry| PostureView {
                    entry,
                    detail: entry
                        .detail
                        .as_ref()
                        .map(|d| inline_prose(version, d.as_str())),
                    scope: entry
                        .scope
                        .as_ref()
                        .map(Scope::describe)
                        .filter(|s| !s.is_empty()),
                })
                .collect(),
            roadmap: tc
                .roadmap
                .iter()
                .map(|r| ProseItem {
                    item: r,
                    html: r.detail.as_ref().map(|d| prose(version, d.as_str())),
                })
                .collect(),
            faq: tc
                .faq
                .iter()
                .map(|q| ProseItem {
                    item: q,
                    html: Some(prose(version, q.answer.as_str())),
                })
                .collect(),
            assessments: assessment_views(tc),
            categories,
            coverage: coverage(tc).into_iter().map(coverage_view).collect(),
            controls_total: tc.controls.len(),
            controls_implemented,
            subprocessors: tc
                .subprocessors
                .iter()
                .map(|s| subprocessor_view(s, today, version))
                .collect(),
            subprocessor_columns: subprocessor_columns(&tc.subprocessors),
            notice: tc
                .notice_days()
                .filter(|_| !tc.subprocessors.is_empty())
                .map(|days| plural(u64::from(days), "day")),
            notice_before_addition: tc.commitments.subprocessor_notice_before_addition
                == Some(true)
                && !tc.subprocessors.is_empty(),
            overview_facts: overview_facts(tc, controls_implemented),
            commitment_groups: commitment_groups(tc),
            disclosure: disclosure_group(tc, slug),
            changelog: changelog_order(&tc.changelog, version),
            posture_targets: tc.posture.iter().any(|p| p.target_date.is_some()),
            document_versions: tc.documents.iter().any(|d| d.version.is_some()),
            document_dates: tc.documents.iter().any(|d| d.updated.is_some()),
            today: today.to_string(),
            preview: false,
            log_key: None,
            log_root: None,
        }
    }
}

impl TrustPage<'_> {
    /// The title of the assessment with this key (validation made sure there is one).
    pub fn assessment_title(&self, key: &candor_domain::types::Key) -> String {
        self.tc
            .assessments
            .iter()
            .find(|a| &a.key == key)
            .map_or_else(|| key.to_string(), |a| a.title.to_string())
    }
}

/// The site root: what Candor is, and (in demo mode) the orgs it hosts.
#[derive(Template)]
#[template(path = "index.html")]
pub struct IndexPage {
    pub orgs: Vec<(String, String)>,
}

/// A trust page that exists but has never been published.
#[derive(Template)]
#[template(path = "unpublished.html")]
pub struct UnpublishedPage<'a> {
    pub name: &'a str,
}

/// `2026-11-22 21:01 UTC`, for people.
pub fn human_time(t: time::OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(HUMAN_TIME)
        .unwrap_or_default()
}

/// What the page says about each control's checks, from the stored evidence.
pub fn attach_evidence(
    page: &mut TrustPage<'_>,
    evidence: &[candor_store::evidence::EvidenceRecord],
    verified_hosts: &[String],
    now: time::OffsetDateTime,
    interval: std::time::Duration,
) {
    let interval = time::Duration::try_from(interval).unwrap_or(time::Duration::hours(6));
    for category in &mut page.categories {
        for view in &mut category.controls {
            view.evidence = view
                .control
                .checks
                .iter()
                .map(|check| {
                    let kind = candor_jobs::evidence::kind_name(check.check);
                    let host = check.host.as_str();
                    let what = format!("{kind} on {host}");
                    let record = evidence.iter().find(|e| e.host == host && e.check == kind);
                    let line = |css, label, text: String| EvidenceLine { text, css, label };
                    if !verified_hosts.iter().any(|h| h == host) {
                        return line(
                            "unknown",
                            "Not verified",
                            format!(
                                "{what}: not verified, the org has not proven it controls this host"
                            ),
                        );
                    }
                    let Some(r) = record else {
                        return line(
                            "unknown",
                            "Not checked yet",
                            format!("{what}: not checked yet"),
                        );
                    };
                    if now - r.ran_at > interval * 2 {
                        return line(
                            "unknown",
                            "Stale",
                            format!(
                                "{what}: last checked {}, too long ago to count",
                                human_time(r.ran_at)
                            ),
                        );
                    }
                    match r.verdict.as_str() {
                        "pass" => line(
                            "ok",
                            "Verified",
                            format!("{what}: verified {} ({})", human_time(r.ran_at), r.summary),
                        ),
                        "warn" => line(
                            "warn",
                            "Verified with warnings",
                            format!("{what}: checked {}: {}", human_time(r.ran_at), r.summary),
                        ),
                        _ => line(
                            "bad",
                            "Failing",
                            format!(
                                "{what}: failing since {}: {}",
                                human_time(r.failing_since.unwrap_or(r.ran_at)),
                                r.summary
                            ),
                        ),
                    }
                })
                .collect();
        }
    }
}
