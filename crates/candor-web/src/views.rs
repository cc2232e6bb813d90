//! View models: the trust page's data arranged for the templates, so that the
//! templates only print. Every string is escaped by askama on output.

use std::collections::BTreeMap;

use askama::Template;
use candor_domain::coverage::{FrameworkCoverage, coverage};
use candor_domain::model::{ChangelogEntry, Control, Subprocessor, TrustCenter};
use candor_domain::types::Day;
use candor_domain::words::plural;
use candor_domain::{Revision, catalogue};
use time::format_description::BorrowedFormatItem;
use time::format_description::well_known::Rfc3339;

const HUMAN_TIME: &[BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");

/// One control mapping, with the requirement's title for a tooltip and screen readers.
pub struct MappingView {
    pub id: String,
    pub title: String,
}

pub struct ControlView<'a> {
    pub control: &'a Control,
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
    pub title: String,
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
}

/// Which of the subprocessor table's optional columns any row fills: a column
/// no row has is left out rather than printed as dashes.
#[derive(Default)]
pub struct SubprocessorColumns {
    pub purpose: bool,
    pub locations: bool,
    pub data: bool,
    pub default: bool,
    pub announced: bool,
    pub effective: bool,
}

/// One value of a fact: text, perhaps a link.
pub struct FactValue {
    pub text: String,
    pub href: Option<String>,
}

/// A `<dt>`/`<dd>` pair. Built only from what the content states.
pub struct Fact {
    pub label: &'static str,
    pub values: Vec<FactValue>,
}

/// A titled list of facts; a group with none is not shown at all.
pub struct FactGroup {
    pub title: &'static str,
    pub facts: Vec<Fact>,
}

/// Collects facts, skipping every one the content leaves out.
#[derive(Default)]
struct Facts(Vec<Fact>);

impl Facts {
    fn text(&mut self, label: &'static str, value: Option<impl std::fmt::Display>) {
        if let Some(value) = value {
            self.0.push(Fact {
                label,
                values: vec![FactValue {
                    text: value.to_string(),
                    href: None,
                }],
            });
        }
    }

    fn link(&mut self, label: &'static str, url: Option<impl std::fmt::Display>) {
        if let Some(url) = url {
            let url = url.to_string();
            self.links(label, vec![(url.clone(), url)]);
        }
    }

    /// Several links under one label (`(text, href)`), none if empty.
    fn links(&mut self, label: &'static str, links: Vec<(String, String)>) {
        if !links.is_empty() {
            self.0.push(Fact {
                label,
                values: links
                    .into_iter()
                    .map(|(text, href)| FactValue {
                        text,
                        href: Some(href),
                    })
                    .collect(),
            });
        }
    }

    /// A yes/no fact: printed only when stated.
    fn yes_no(&mut self, label: &'static str, value: Option<bool>) {
        self.text(label, value.map(|yes| if yes { "Yes" } else { "No" }));
    }

    fn list(&mut self, label: &'static str, items: &[impl AsRef<str>]) {
        self.text(label, (!items.is_empty()).then(|| join(items)));
    }

    fn group(self, title: &'static str, groups: &mut Vec<FactGroup>) {
        if !self.0.is_empty() {
            groups.push(FactGroup {
                title,
                facts: self.0,
            });
        }
    }
}

/// The commitments the content states, group by group.
fn commitment_groups(tc: &TrustCenter) -> Vec<FactGroup> {
    let c = &tc.commitments;
    let mut groups = Vec::new();
    if let Some(h) = &c.hosting {
        let mut f = Facts::default();
        f.text("Provider", h.provider.as_ref());
        f.list("Regions", &h.regions);
        f.text("Data residency", h.data_residency.as_ref());
        f.text("Network isolation", h.network_isolation.as_ref());
        f.group("Hosting and data residency", &mut groups);
    }
    if let Some(e) = &c.encryption {
        let mut f = Facts::default();
        f.text("Minimum TLS version", e.tls_minimum.map(|v| v.label()));
        f.text("In transit", e.in_transit.as_ref());
        f.text("At rest", e.at_rest.as_ref());
        f.yes_no("Per-customer keys", e.per_tenant_keys);
        f.text("Key management", e.key_management.as_ref());
        f.text("Secrets", e.secrets.as_ref());
        f.yes_no("Backups encrypted", e.backups_encrypted);
        f.group("Encryption", &mut groups);
    }
    if let Some(t) = &c.tenancy {
        let mut f = Facts::default();
        f.text("Model", t.model.map(|m| m.label()));
        f.text("Isolation", t.isolation.as_ref());
        f.group("Tenancy", &mut groups);
    }
    if let Some(r) = &c.resilience {
        let mut f = Facts::default();
        f.text(
            "Backup frequency",
            r.backup_interval_hours
                .map(|h| format!("Every {}", plural(u64::from(h), "hour"))),
        );
        f.text(
            "Backup retention",
            r.backup_retention_days
                .map(|d| format!("Kept {}", plural(u64::from(d), "day"))),
        );
        f.text(
            "Point-in-time recovery",
            r.point_in_time_days
                .map(|d| format!("Up to {} back", plural(u64::from(d), "day"))),
        );
        f.text(
            "Recovery time objective (RTO)",
            r.rto_minutes.map(|m| plural(u64::from(m), "minute")),
        );
        f.text(
            "Recovery point objective (RPO)",
            r.rpo_minutes.map(|m| plural(u64::from(m), "minute")),
        );
        let last = r.last_dr_exercise.map(|d| format!("Last held {d}."));
        f.text(
            "Disaster-recovery exercise",
            match (&r.dr_exercise, last) {
                (Some(how), Some(last)) => Some(format!("{how} {last}")),
                (Some(how), None) => Some(how.to_string()),
                (None, last) => last,
            },
        );
        f.text("Uptime target", r.uptime_target.as_ref());
        f.group("Backups and recovery", &mut groups);
    }
    if let Some(i) = &c.incident_response {
        let mut f = Facts::default();
        f.text(
            "Customer notice",
            i.customer_notice_hours.map(|h| {
                format!(
                    "Within {} of confirming an incident that affects you",
                    plural(u64::from(h), "hour")
                )
            }),
        );
        f.text(
            "Post-incident review",
            i.review_days
                .map(|d| format!("Published within {}", plural(u64::from(d), "day"))),
        );
        f.link("Status page", i.status_page.as_ref());
        f.text("How we respond", i.detail.as_ref());
        f.group("Incident response", &mut groups);
    }
    groups
}

/// The vulnerability-disclosure facts the content states.
fn disclosure_facts(tc: &TrustCenter) -> Vec<Fact> {
    let Some(v) = &tc.commitments.vulnerability_disclosure else {
        return Vec::new();
    };
    let mut f = Facts::default();
    f.links(
        "Contact",
        v.contact
            .iter()
            .map(|c| (c.to_string(), c.to_string()))
            .collect(),
    );
    f.text(
        "Acknowledgement",
        v.acknowledgement_business_days
            .map(|d| format!("Within {}", plural(u64::from(d), "business day"))),
    );
    f.text("Safe harbour", v.safe_harbour.as_ref());
    f.link("Policy", v.policy_url.as_ref());
    f.link("OpenPGP key", v.openpgp_key_url.as_ref());
    f.list("Preferred languages", &v.preferred_languages);
    f.link("Hall of fame", v.acknowledgements_url.as_ref());
    f.text("Bug bounty", v.bug_bounty.as_ref());
    f.0
}

/// The overview's facts: contacts and regions, as stated.
fn overview_facts(tc: &TrustCenter, implemented: usize) -> Vec<Fact> {
    let p = &tc.profile;
    let mut f = Facts::default();
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
    f.text("Data residency", p.data_residency.as_ref());
    f.link("Service level agreement", p.sla_url.as_ref());
    f.text(
        "Controls",
        (!tc.controls.is_empty())
            .then(|| format!("{implemented} of {} implemented", tc.controls.len())),
    );
    f.0
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
    pub overview: Vec<String>,
    pub categories: Vec<CategoryView<'a>>,
    pub coverage: Vec<CoverageView>,
    pub controls_total: usize,
    pub controls_implemented: usize,
    pub subprocessors: Vec<SubprocessorView<'a>>,
    pub subprocessor_columns: SubprocessorColumns,
    /// The notice promise, shown only with subprocessors and a stated period.
    pub notice: Option<String>,
    pub overview_facts: Vec<Fact>,
    pub commitment_groups: Vec<FactGroup>,
    pub disclosure_facts: Vec<Fact>,
    pub changelog: Vec<&'a ChangelogEntry>,
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

fn subprocessor_view(sub: &Subprocessor, today: Day) -> SubprocessorView<'_> {
    let (state, state_css) = match sub.removed_at {
        Some(removed) if removed <= today => ("Removed", "na"),
        Some(_) => ("Leaving", "wip"),
        None if sub.effective_at.is_some_and(|d| d > today) => ("Upcoming", "todo"),
        None => ("Active", "ok"),
    };
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
    }
}

fn subprocessor_columns(list: &[Subprocessor]) -> SubprocessorColumns {
    SubprocessorColumns {
        purpose: list
            .iter()
            .any(|s| s.purpose.is_some() || s.detail.is_some()),
        locations: list.iter().any(|s| !s.locations.is_empty()),
        data: list.iter().any(|s| !s.data_categories.is_empty()),
        default: list.iter().any(|s| s.enabled_by_default.is_some()),
        announced: list.iter().any(|s| s.announced_at.is_some()),
        effective: list.iter().any(|s| s.effective_at.is_some()),
    }
}

/// Newest first; undated entries last, in the author's order.
fn changelog_order(entries: &[ChangelogEntry]) -> Vec<&ChangelogEntry> {
    let mut sorted: Vec<&ChangelogEntry> = entries.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse(e.date.map(|d| d.0)));
    sorted.sort_by_key(|e| e.date.is_none());
    sorted
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
        let mut order: Vec<&str> = Vec::new();
        let mut grouped: BTreeMap<&str, Vec<ControlView<'a>>> = BTreeMap::new();
        for control in &tc.controls {
            let key = control.category.as_str();
            if !grouped.contains_key(key) {
                order.push(key);
            }
            grouped.entry(key).or_default().push(ControlView {
                control,
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
                    anchor: format!("controls-{key}"),
                    title: title_case(key),
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
            .map(|o| {
                o.as_str()
                    .split("\n\n")
                    .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
                    .collect()
            })
            .unwrap_or_default();
        TrustPage {
            slug,
            tc,
            revision: revision.number,
            log_index: revision.number.saturating_sub(1),
            published_at: revision.published_at.format(&Rfc3339).unwrap_or_default(),
            published_human: human_time(revision.published_at),
            content_hash: revision.content_hash.to_string(),
            overview,
            categories,
            coverage: coverage(tc).into_iter().map(coverage_view).collect(),
            controls_total: tc.controls.len(),
            controls_implemented,
            subprocessors: tc
                .subprocessors
                .iter()
                .map(|s| subprocessor_view(s, today))
                .collect(),
            subprocessor_columns: subprocessor_columns(&tc.subprocessors),
            notice: tc
                .notice_days()
                .filter(|_| !tc.subprocessors.is_empty())
                .map(|days| plural(u64::from(days), "day")),
            overview_facts: overview_facts(tc, controls_implemented),
            commitment_groups: commitment_groups(tc),
            disclosure_facts: disclosure_facts(tc),
            changelog: changelog_order(&tc.changelog),
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

/// Shown for unknown orgs and unknown paths.
#[derive(Template)]
#[template(path = "not_found.html")]
pub struct NotFoundPage<'a> {
    pub what: &'a str,
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
