//! View models: the trust page's data arranged for the templates, so that the
//! templates only print. Every string is escaped by askama on output.
//!
//! [`TrustPage`] (`trust_page`) is built from a revision; the section words,
//! commitment groups and overview facts come from `sections`, the rows of the
//! lists (subprocessors, coverage, changelog) from `lists`, the text helpers
//! and the fact builder from `facts`, what the evidence says about each
//! control from `evidence`, and the printed pieces are in `types`.

use askama::Template;

mod evidence;
mod facts;
mod incidents;
mod lists;
mod sections;
mod trust_page;
mod types;

pub use evidence::{Standing, attach_evidence};
pub use facts::{escape_html, human_time, prose, with_time_zone};
pub use incidents::{IncidentView, incidents_json};
pub use sections::{AssessmentView, RESEARCHER_KEY_FILE, SectionView, SectionViews};
pub use trust_page::TrustPage;
pub use types::*;

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

#[cfg(test)]
mod tests;
