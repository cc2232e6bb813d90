//! The rows of the page's lists and tables: controls' categories, framework
//! coverage, subprocessors (and which optional columns any row fills), and the
//! changelog in order.

use candor_domain::catalogue;
use candor_domain::coverage::FrameworkCoverage;
use candor_domain::model::{ChangelogEntry, Subprocessor};
use candor_domain::types::Day;

use super::facts::{inline_prose, join, prose};
use super::types::{CoverageView, ProseItem, SubprocessorColumns, SubprocessorView};
use crate::i18n::Tr;

pub(super) fn title_case(key: &str) -> String {
    let words = key.replace('-', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub(super) fn coverage_view(c: FrameworkCoverage, t: Tr) -> CoverageView {
    CoverageView {
        label: c.label,
        unit: t.label(c.unit),
        name: catalogue::framework(c.framework).name.clone(),
        implemented: c.implemented,
        mapped: c.mapped,
        total: c.total,
        percent: c.percent(),
    }
}

pub(super) fn subprocessor_view(
    sub: &Subprocessor,
    today: Day,
    version: u32,
    t: Tr,
) -> SubprocessorView<'_> {
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
            notes.push(t.t1(
                if yes { "note-yes" } else { "note-no" },
                "label",
                t.label(label),
            ));
        }
    }
    if let Some(scope) = sub
        .scope
        .as_ref()
        .map(|s| t.scope(s))
        .filter(|s| !s.is_empty())
    {
        notes.push(format!("{} {scope}", t.t("applies-to")));
    }
    SubprocessorView {
        sub,
        state: t.label(state),
        state_css,
        locations: join(&sub.locations),
        data: join(&sub.data_categories),
        default: match sub.enabled_by_default {
            Some(true) => t.label("Enabled"),
            Some(false) => t.label("Opt-in"),
            None => String::new(),
        },
        detail: sub
            .detail
            .as_ref()
            .map(|d| inline_prose(version, d.as_str())),
        notes,
    }
}

pub(super) fn subprocessor_columns(list: &[Subprocessor]) -> SubprocessorColumns {
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
pub(super) fn changelog_order(
    entries: &[ChangelogEntry],
    version: u32,
) -> Vec<ProseItem<'_, ChangelogEntry>> {
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
