//! Candor's domain: the content model of a trust center, its validation, the
//! framework catalogue, canonical form and content hash, coverage and diffs.
//! Pure: no I/O, no async, no web or database types.

pub mod audit;
pub mod branding;
pub mod canonical;
pub mod catalogue;
pub mod coverage;
pub mod deadline;
pub mod diff;
pub mod hints;
pub mod incidents;
pub mod model;
pub mod notice;
pub mod openpgp;
pub mod parse;
pub mod policy;
pub mod revision;
pub mod types;
pub mod words;
pub mod yaml_guard;

pub use canonical::{ContentHash, canonical_json};
pub use catalogue::FrameworkId;
pub use diff::{ContentDiff, diff};
pub use model::TrustCenter;
pub use parse::{ContentError, FieldError};
pub use revision::{PublishedDocument, Revision};
pub use types::OrgSlug;

#[cfg(test)]
mod tests;
