//! [`TrustPage`]: a revision arranged for `trust.html`.

use std::collections::BTreeMap;

use askama::Template;
use candor_domain::Revision;
use candor_domain::coverage::coverage;
use candor_domain::model::{ChangelogEntry, TrustCenter};
use candor_domain::types::Day;
use time::format_description::well_known::Rfc3339;

use super::facts::{human_time, inline_prose, prose};
use super::incidents::{IncidentView, incident_views};
use super::lists::{
    changelog_order, coverage_view, subprocessor_columns, subprocessor_view, title_case,
};
use super::sections::{
    AssessmentView, SectionViews, assessment_views, commitment_groups, disclosure_group,
    overview_facts, section_views,
};
use super::types::{
    CategoryView, ControlView, CoverageView, Fact, FactGroup, MappingView, PostureView, ProseItem,
    SubprocessorColumns, SubprocessorView,
};

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
    pub incidents: Vec<IncidentView<'a>>,
    /// The company set an accent colour: `/{org}/brand.css` is linked.
    pub has_brand_css: bool,
    pub faq: Vec<ProseItem<'a, candor_domain::model::FaqEntry>>,
    /// The public knowledge base (a revision holds no other entries).
    pub knowledge: Vec<&'a candor_domain::model::KnowledgeEntry>,
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
    /// Keys the log was signed with before, oldest first (each replaced by the
    /// next with a statement both signed).
    pub retired_log_keys: Vec<String>,
    /// The log's root hash at this revision (base64), i.e. at log size `revision`.
    pub log_root: Option<String>,
    /// Entries after this size were lost in a restore and no copy was found
    /// (with the date the operator declared it).
    pub log_lost_after: Option<(u64, String)>,
    /// The language this page is in (`lang`), and the page in every language
    /// it is written in: (locale, its name in that language, address).
    pub lang: String,
    pub alternates: Vec<(String, &'static str, String)>,
    /// The interface's words in `lang`.
    pub t: crate::i18n::Tr,
}

impl<'a> TrustPage<'a> {
    pub fn new(slug: &'a str, revision: &'a Revision, today: Day) -> TrustPage<'a> {
        TrustPage::new_in(slug, revision, today, "en")
    }

    /// The page in `locale`: the interface's words from its catalogue (the
    /// content is localized by the caller).
    pub fn new_in(
        slug: &'a str,
        revision: &'a Revision,
        today: Day,
        locale: &str,
    ) -> TrustPage<'a> {
        let t = crate::i18n::Tr::new(locale);
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
                    .map(|s| t.scope(s))
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
            sections: section_views(tc, t),
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
                        .map(|s| t.scope(s))
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
            incidents: incident_views(tc, t),
            has_brand_css: tc
                .profile
                .branding
                .as_ref()
                .and_then(crate::branding::brand_css)
                .is_some(),
            faq: tc
                .faq
                .iter()
                .map(|q| ProseItem {
                    item: q,
                    html: Some(prose(version, q.answer.as_str())),
                })
                .collect(),
            knowledge: tc
                .knowledge
                .iter()
                .filter(|k| k.visibility == candor_domain::model::Visibility::Public)
                .collect(),
            assessments: assessment_views(tc, t),
            categories,
            coverage: coverage(tc)
                .into_iter()
                .map(|c| coverage_view(c, t))
                .collect(),
            controls_total: tc.controls.len(),
            controls_implemented,
            subprocessors: tc
                .subprocessors
                .iter()
                .map(|s| subprocessor_view(s, today, version, t))
                .collect(),
            subprocessor_columns: subprocessor_columns(&tc.subprocessors),
            notice: tc
                .notice_days()
                .filter(|_| !tc.subprocessors.is_empty())
                .map(|days| t.tn("n-days", days.into())),
            notice_before_addition: tc.commitments.subprocessor_notice_before_addition
                == Some(true)
                && !tc.subprocessors.is_empty(),
            overview_facts: overview_facts(tc, controls_implemented, t),
            commitment_groups: commitment_groups(tc, t),
            disclosure: disclosure_group(tc, slug, t),
            changelog: changelog_order(&tc.changelog, version),
            posture_targets: tc.posture.iter().any(|p| p.target_date.is_some()),
            document_versions: tc.documents.iter().any(|d| d.version.is_some()),
            document_dates: tc.documents.iter().any(|d| d.updated.is_some()),
            today: today.to_string(),
            lang: locale.to_owned(),
            alternates: Vec::new(),
            t,
            preview: false,
            log_key: None,
            retired_log_keys: Vec::new(),
            log_root: None,
            log_lost_after: None,
        }
    }
}

impl TrustPage<'_> {
    /// A changelog entry's advisory, for the page: its id, where its CSAF
    /// document is, and its severity in words (`6.5 MEDIUM`).
    pub fn advisory(&self, entry: &ChangelogEntry) -> Option<(String, String, String)> {
        let advisory = entry.advisory.as_ref()?;
        let published = candor_formats::csaf::Published {
            entry,
            advisory,
            released: entry.date?.0,
        };
        let (score, severity) = advisory.cvss.base_score();
        Some((
            advisory.id.to_string(),
            format!("/{}/.well-known/csaf/white/{}", self.slug, published.path()),
            format!(
                "{score:.1} {}",
                self.t.label(&severity.to_ascii_lowercase())
            ),
        ))
    }

    /// The title of the assessment with this key (validation made sure there is one).
    pub fn assessment_title(&self, key: &candor_domain::types::Key) -> String {
        self.tc
            .assessments
            .iter()
            .find(|a| &a.key == key)
            .map_or_else(|| key.to_string(), |a| a.title.to_string())
    }
}
