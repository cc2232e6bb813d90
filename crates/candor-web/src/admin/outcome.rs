//! What a management form did, for the page that follows it: the members and
//! tokens pages answer every form by showing themselves again with a notice,
//! a refusal, or a secret shown this once.

use axum::http::StatusCode;
use candor_domain::policy::Role;

use crate::error::ApiError;

#[derive(Default)]
pub(super) struct Outcome {
    pub error: Option<String>,
    pub notice: Option<String>,
    /// A secret (token or invitation link) shown on this page and never again.
    pub secret: Option<String>,
}

/// It worked: 200 and a line saying what happened.
pub(super) fn done(notice: impl Into<String>) -> (StatusCode, Outcome) {
    (
        StatusCode::OK,
        Outcome {
            notice: Some(notice.into()),
            ..Outcome::default()
        },
    )
}

/// A secret was just created: 201, and the page shows it this once.
pub(super) fn shown_once(notice: String, secret: String) -> (StatusCode, Outcome) {
    (
        StatusCode::CREATED,
        Outcome {
            notice: Some(notice),
            secret: Some(secret),
            ..Outcome::default()
        },
    )
}

/// A refusal by the shared rules (`crate::manage`), with its status and field.
pub(super) fn refused(e: &ApiError) -> (StatusCode, Outcome) {
    let field = e
        .field
        .as_deref()
        .map(|f| format!("{f}: "))
        .unwrap_or_default();
    (
        e.status,
        Outcome {
            error: Some(format!("{field}{}", e.message)),
            ..Outcome::default()
        },
    )
}

/// A role typed into a form.
pub(super) fn parse_role_field(role: &str) -> Result<Role, ApiError> {
    role.parse()
        .map_err(|e: String| ApiError::validation("role", e))
}
