//! A confirmation step for what cannot be undone (revoking, denying,
//! removing, deleting): the first post answers with a page that says what
//! will happen and a second, danger-styled button that posts again with
//! `confirm=yes`. No script needed.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use crate::page_error::render;

#[derive(Template)]
#[template(path = "admin/confirm.html")]
struct ConfirmPage<'a> {
    slug: &'a str,
    title: &'a str,
    consequence: &'a str,
    action: &'a str,
    hidden: &'a [(&'a str, String)],
    button: &'a str,
    back: &'a str,
}

/// What to ask before an action.
pub struct Ask<'a> {
    pub slug: &'a str,
    /// e.g. "Revoke this token".
    pub title: &'a str,
    /// What happens, in a sentence or two.
    pub consequence: &'a str,
    /// Where the confirmed form posts (the action's own address).
    pub action: &'a str,
    /// Fields the first form sent, sent again.
    pub hidden: &'a [(&'a str, String)],
    pub button: &'a str,
    /// Where "No, go back" leads.
    pub back: &'a str,
}

pub fn ask(a: Ask<'_>) -> Response {
    render(
        ConfirmPage {
            slug: a.slug,
            title: a.title,
            consequence: a.consequence,
            action: a.action,
            hidden: a.hidden,
            button: a.button,
            back: a.back,
        },
        StatusCode::OK,
    )
}

/// Whether a form body (url-encoded, any content type or none) says `confirm=yes`.
pub fn confirmed(body: &[u8]) -> bool {
    url::form_urlencoded::parse(body).any(|(k, v)| k == "confirm" && v == "yes")
}
