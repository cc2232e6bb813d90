//! The pieces the trust page's templates print: controls, coverage rows,
//! subprocessor rows, prose items and fact groups.

use candor_domain::model::{Control, Subprocessor};

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
    pub label: String,
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
    pub unit: String,
    pub name: String,
    pub implemented: usize,
    pub mapped: usize,
    pub total: usize,
    pub percent: usize,
}

pub struct SubprocessorView<'a> {
    pub sub: &'a Subprocessor,
    pub state: String,
    pub state_css: &'static str,
    pub locations: String,
    pub data: String,
    /// `Enabled`, `Opt-in`, or empty when the page does not say.
    pub default: String,
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
    pub label: String,
    pub values: Vec<FactValue>,
}

/// A titled list of facts; a group with none is not shown at all.
pub struct FactGroup {
    /// The author's headline, or Candor's name for the group.
    pub title: String,
    pub intro: Option<String>,
    /// "In legal review: not binding yet", and the like.
    pub status: Option<String>,
    /// Who the group's terms apply to, if not everyone.
    pub scope: Option<String>,
    pub facts: Vec<Fact>,
}
