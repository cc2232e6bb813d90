//! The words of each section (headline, intro, links), the assessments, the
//! commitment groups, the disclosure policy and the overview's facts: each
//! built only from what the content states.

use candor_domain::model::{SectionIntro, TrustCenter};

use crate::i18n::Tr;

use super::facts::{Facts, escape_html, inline_prose, link_html, prose};
use super::types::{Fact, FactGroup, FactValue};

/// Where the org's own key for researchers is served, beside security.txt
/// (the disclosure group links to it; `crate::securitytxt` serves it).
pub const RESEARCHER_KEY_FILE: &str = "researcher-key.asc";

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

pub(super) fn assessment_views(tc: &TrustCenter, t: Tr) -> Vec<AssessmentView> {
    tc.assessments
        .iter()
        .map(|a| {
            let mut f = Facts::new(tc.version, t);
            f.text("When", a.date.map(|d| t.partial_date(&d)));
            f.text("Kind", a.kind.map(|k| t.label(k.label())));
            f.prose("Assessor", a.assessor.as_ref());
            f.prose("Scope", a.covers.as_ref());
            f.prose("Methodology", a.methodology.as_ref());
            f.prose("Summary", a.summary.as_ref());
            if let Some(doc) = &a.document {
                f.html(
                    "Report",
                    Some(link_html(&t.t("see-document"), &format!("#doc-{doc}"))),
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
    pub incidents: SectionView,
    pub documents: SectionView,
    pub faq: SectionView,
    pub assessments: SectionView,
    pub disclosure: SectionView,
    pub knowledge: SectionView,
}

pub(super) fn section_views(tc: &TrustCenter, t: Tr) -> SectionViews {
    let v = tc.version;
    let s = &tc.sections;
    let view = |intro: Option<&SectionIntro>, id: &str| section_view(v, intro, &t.t(id));
    SectionViews {
        promises: view(s.promises.as_ref(), "heading-promises"),
        controls: view(s.controls.as_ref(), "heading-controls"),
        posture: view(s.posture.as_ref(), "heading-posture"),
        commitments: view(s.commitments.as_ref(), "heading-commitments"),
        subprocessors: view(s.subprocessors.as_ref(), "heading-subprocessors"),
        changelog: view(s.changelog.as_ref(), "heading-changelog"),
        roadmap: view(s.roadmap.as_ref(), "heading-roadmap"),
        incidents: view(s.incidents.as_ref(), "heading-incidents"),
        documents: view(s.documents.as_ref(), "heading-documents"),
        faq: view(s.faq.as_ref(), "heading-faq"),
        assessments: view(s.assessments.as_ref(), "heading-assessments"),
        disclosure: view(s.disclosure.as_ref(), "heading-disclosure"),
        knowledge: view(s.knowledge.as_ref(), "heading-knowledge"),
    }
}

/// The commitments the content states, group by group.
pub(super) fn commitment_groups(tc: &TrustCenter, tr: Tr) -> Vec<FactGroup> {
    let c = &tc.commitments;
    let v = tc.version;
    let within = |span: String| tr.t1("within", "span", span);
    let mut groups = Vec::new();
    if let Some(h) = &c.hosting {
        let mut f = Facts::of_group(v, tr, h);
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
                label: tr.label("Component"),
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
        let mut f = Facts::of_group(v, tr, e);
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
        let mut f = Facts::of_group(v, tr, t);
        f.at("model")
            .text("Model", t.model.map(|m| tr.label(m.label())));
        for r in &t.resources {
            let how = r.per_tenant.map(|one| {
                tr.label(if one {
                    "One per tenant"
                } else {
                    "Shared between tenants"
                })
            });
            let detail = r.detail.as_ref().map(|d| inline_prose(v, d.as_str()));
            let value = match (how, detail) {
                (Some(how), Some(detail)) => format!("{how}. {detail}"),
                (Some(how), None) => how,
                (None, Some(detail)) => detail,
                (None, None) => continue,
            };
            f.facts.push(Fact {
                label: tr.label("Resource"),
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
        let mut f = Facts::of_group(v, tr, r);
        let every = |span: String| tr.t1("every", "span", span);
        f.at("continuous_backups").text(
            "Backups",
            r.continuous_backups
                .filter(|yes| *yes)
                .map(|_| tr.label("Continuous")),
        );
        f.at("backup_interval_hours").text(
            "Backup frequency",
            r.backup_interval_hours
                .map(|h| every(tr.tn("n-hours", h.into()))),
        );
        f.at("full_backup_interval_days").text(
            "Full backups",
            r.full_backup_interval_days.map(|d| match d {
                1 => tr.label("Daily"),
                7 => tr.label("Weekly"),
                d => every(tr.tn("n-days", d.into())),
            }),
        );
        f.at("backups_geo_replicated")
            .yes_no("Backups geo-replicated", r.backups_geo_replicated);
        f.at("backup_retention_days").text(
            "Backup retention",
            r.backup_retention_days
                .map(|d| tr.t1("kept", "span", tr.tn("n-days", d.into()))),
        );
        let extended = r.point_in_time_max.as_ref().map(|m| {
            tr.t2(
                "up-to-on-plan",
                "span",
                tr.tn("n-days", m.days.into()),
                "plan",
                &m.plan,
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
                    "{} ({more})",
                    tr.t1("up-to-back", "span", tr.tn("n-days", d.into()))
                )),
                (Some(d), None) => Some(tr.t1("up-to-back", "span", tr.tn("n-days", d.into()))),
                (None, Some(more)) => Some(more),
                (None, None) => None,
            },
        );
        f.at("rto_minutes").text(
            "Recovery time objective (RTO)",
            r.rto_minutes.map(|m| minutes(tr, m)),
        );
        f.at("rpo_minutes").text(
            "Recovery point objective (RPO)",
            r.rpo_minutes.map(|m| minutes(tr, m)),
        );
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
        let mut f = Facts::of_group(v, tr, i);
        f.at("on_call").prose("On call", i.on_call.as_ref());
        f.at("customer_notice_hours").text(
            "Customer notice",
            i.customer_notice_hours.map(|h| {
                let hours = tr.tn("n-hours", h.into());
                match (&i.customer_notice_for, v) {
                    (Some(which), _) => tr.t2("within-for", "span", hours, "which", which),
                    // What format 1 pages always said.
                    (None, 1) => tr.t1("within-of-confirming", "span", hours),
                    (None, _) => within(hours),
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
                (Some(d), _) => Some(within(tr.tn("n-business-days", d.into()))),
                (None, Some(d)) => Some(within(tr.tn("n-days", d.into()))),
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
fn minutes(t: Tr, m: u32) -> String {
    if m >= 60 && m.is_multiple_of(60) {
        t.tn("n-hours", (m / 60).into())
    } else {
        t.tn("n-minutes", m.into())
    }
}

/// The vulnerability-disclosure commitment as the content states it (its
/// headline, if any, under the section's own heading).
pub(super) fn disclosure_group(tc: &TrustCenter, slug: &str, t: Tr) -> Option<FactGroup> {
    let d = tc.commitments.vulnerability_disclosure.as_ref()?;
    let mut f = Facts::of_group(tc.version, t, d);
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
            .map(|days| t.t1("within", "span", t.tn("n-business-days", days.into()))),
    );
    let times: Vec<String> = d
        .remediation_times
        .iter()
        .filter_map(|r| {
            let within = match (r.days, r.business_days) {
                (Some(days), _) => t.tn("n-days", days.into()),
                (None, Some(days)) => t.tn("n-business-days", days.into()),
                (None, None) => return None,
            };
            Some(t.t2(
                "severity-within",
                "severity",
                t.label(r.severity.label()),
                "span",
                within,
            ))
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
            vec![(t.label("Our key for encrypted reports"), url.clone())],
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
pub(super) fn overview_facts(tc: &TrustCenter, implemented: usize, t: Tr) -> Vec<Fact> {
    let p = &tc.profile;
    let mut f = Facts::new(tc.version, t);
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
        (!tc.controls.is_empty()).then(|| {
            t.t2(
                "controls-implemented",
                "implemented",
                implemented,
                "total",
                tc.controls.len(),
            )
        }),
    );
    f.facts
}
