//! Security questionnaires: answering a customer's questions from what an org
//! has already said (its knowledge base and its published content), with the
//! item each answer comes from, and leaving for review what the sources do not
//! settle rather than guessing.
//!
//! Retrieval is lexical and offline: question normalisation ([`text`]) and
//! Okapi BM25 ([`rank`]) over passages ([`corpus`]); [`answer`] chooses the
//! verdict; [`eval`] measures it against answers a vendor gave themselves.

pub mod answer;
pub mod corpus;
pub mod dense;
pub mod eval;
pub mod export;
pub mod fill;
pub mod json;
pub mod model;
pub mod rank;
pub mod sheet;
pub mod text;

pub use answer::{Answerer, Audience, Tuning};
pub use corpus::{content_passages, knowledge_passages, search};
pub use model::{Citation, Draft, Passage, Question, Verdict, Visibility};
