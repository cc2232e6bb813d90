//! The application layer: Candor's workflows, written once for every front end.
//!
//! A workflow is what one user intent does to stored data (erase a person, read a
//! report back): the web handlers and the CLI parse their input, call the workflow
//! and render its result, so a rule such as "a report outlives its reporter's
//! identity" lives here and nowhere else. Workflows speak only to the `Store`
//! trait and the key hierarchy; they know nothing of HTTP, HTML or terminals.

pub mod accounts;
pub mod background;
pub mod compose;
pub mod content;
pub mod evidence;
pub mod export;
pub mod manage;
pub mod members;
pub mod metrics;
pub mod privacy;
pub mod questionnaires;
pub mod readers;
pub mod reports;
pub mod review;
pub mod secrets;
pub mod subscribe;
pub mod webhook;
pub mod witness;

/// An email address as Candor compares and stores it.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}
