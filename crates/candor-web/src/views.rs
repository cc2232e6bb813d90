//! View models: the trust page's data arranged for the templates, so that the
//! templates only print. Every string is escaped by askama on output.

use std::collections::BTreeMap;

use askama::Template;
use candor_domain::coverage::{FrameworkCoverage, coverage};
use candor_domain::model::{Control, Subprocessor, TrustCenter};
use candor_domain::types::Day;
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
    pub regions: String,
    pub hosting_regions: String,
    pub languages: String,
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
        None if sub.effective_at > today => ("Upcoming", "todo"),
        None => ("Active", "ok"),
    };
    SubprocessorView {
        sub,
        state,
        state_css,
        locations: join(&sub.locations),
        data: join(&sub.data_categories),
    }
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
            regions: join(&tc.profile.regions),
            hosting_regions: join(&tc.commitments.hosting.regions),
            languages: join(&tc.commitments.vulnerability_disclosure.preferred_languages),
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
