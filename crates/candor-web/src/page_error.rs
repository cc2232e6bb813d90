//! How HTML handlers fail: [`PageError`], which answers with an HTML page in the
//! site's layout and the right status, never with the API's JSON envelope and
//! never with internal detail. A failure on our side is logged where it is
//! made (its cause, which names no person: store errors carry no addresses)
//! and the page only says that something went wrong.
//!
//! Page handlers return `Result<Response, PageError>` and use `?` on store,
//! template and secret-generation results. The rendering helpers every page
//! shares ([`render`], the not-found and message pages) live here too, so that
//! feature modules depend on this leaf and not on each other.

use std::borrow::Cow;
use std::fmt::Display;

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

/// An HTML handler's failure (or early answer), rendered as a page.
#[derive(Debug)]
pub struct PageError {
    status: StatusCode,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    /// Our failure; its cause was logged when the error was made.
    Internal,
    /// "There is no {what} here."
    NotFound(Cow<'static, str>),
    /// A titled explanation in the site's layout (a service not configured, an
    /// expired link).
    Explained {
        title: Cow<'static, str>,
        message: Cow<'static, str>,
    },
    /// A titled message in the admin layout (a refusal to a signed-in person).
    Admin {
        title: &'static str,
        message: Cow<'static, str>,
    },
    /// Not signed in: to the sign-in form.
    SignIn,
    /// The thing asked for is elsewhere (a document published at its own URL).
    Elsewhere(String),
}

impl PageError {
    /// A failure on our side. `cause` is logged here; the page does not show it.
    pub fn internal(cause: impl Display) -> PageError {
        tracing::error!(error = %cause, "page request failed");
        PageError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            kind: Kind::Internal,
        }
    }

    /// 404: there is no `what` at this address.
    pub fn not_found(what: impl Into<Cow<'static, str>>) -> PageError {
        PageError {
            status: StatusCode::NOT_FOUND,
            kind: Kind::NotFound(what.into()),
        }
    }

    /// A refusal explained in the site's layout, with its status.
    pub fn explained(
        status: StatusCode,
        title: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> PageError {
        PageError {
            status,
            kind: Kind::Explained {
                title: title.into(),
                message: message.into(),
            },
        }
    }

    /// A message in the admin layout, with its status.
    pub fn admin(
        status: StatusCode,
        title: &'static str,
        message: impl Into<Cow<'static, str>>,
    ) -> PageError {
        PageError {
            status,
            kind: Kind::Admin {
                title,
                message: message.into(),
            },
        }
    }

    /// 403 to a signed-in person whose role does not allow this.
    pub fn forbidden() -> PageError {
        PageError::admin(
            StatusCode::FORBIDDEN,
            "Not allowed",
            "Your role in this org does not allow this.",
        )
    }

    /// No session: the sign-in form (303).
    pub fn sign_in() -> PageError {
        PageError {
            status: StatusCode::SEE_OTHER,
            kind: Kind::SignIn,
        }
    }

    /// What was asked for is at `url` (303).
    pub fn elsewhere(url: impl Into<String>) -> PageError {
        PageError {
            status: StatusCode::SEE_OTHER,
            kind: Kind::Elsewhere(url.into()),
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self.kind {
            Kind::Internal => {
                let t = crate::language::current();
                site_page(
                    ErrorPage {
                        t,
                        title: &t.t("internal-title"),
                        message: &t.t("internal-message"),
                    },
                    self.status,
                )
            }
            Kind::NotFound(what) => not_found_page(&what),
            Kind::Explained { title, message } => site_page(
                ErrorPage {
                    t: crate::language::current(),
                    title: &title,
                    message: &message,
                },
                self.status,
            ),
            Kind::Admin { title, message } => message_page(title, &message, self.status),
            Kind::SignIn => Redirect::to("/admin/login").into_response(),
            Kind::Elsewhere(url) => Redirect::to(&url).into_response(),
        }
    }
}

impl From<candor_store::StoreError> for PageError {
    fn from(e: candor_store::StoreError) -> PageError {
        PageError::internal(e)
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> PageError {
        PageError::internal(format_args!("template: {e}"))
    }
}

impl From<crate::auth::AuthError> for PageError {
    fn from(e: crate::auth::AuthError) -> PageError {
        PageError::internal(e)
    }
}

impl From<tokio::task::JoinError> for PageError {
    fn from(e: tokio::task::JoinError) -> PageError {
        PageError::internal(format_args!("blocking task: {e}"))
    }
}

impl From<serde_json::Error> for PageError {
    fn from(e: serde_json::Error) -> PageError {
        PageError::internal(format_args!("JSON: {e}"))
    }
}

/// The page handlers' result.
pub type PageResult = Result<Response, PageError>;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: crate::i18n::Tr,
    title: &'a str,
    message: &'a str,
}

#[derive(Template)]
#[template(path = "admin/message.html")]
struct MessagePage<'a> {
    title: &'a str,
    message: &'a str,
}

/// Shown for unknown orgs and unknown paths.
#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage<'a> {
    t: crate::i18n::Tr,
    what: &'a str,
}

/// A page that shows unpublished or personal data (admin pages, forms with what
/// a reader typed): rendered with `status` and kept out of every cache. A
/// template that fails to render is a 500 page.
pub fn render(template: impl Template, status: StatusCode) -> Response {
    match template.render() {
        Ok(html) => no_store((status, Html(html)).into_response()),
        Err(e) => PageError::from(e).into_response(),
    }
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// An error page in the site's layout (no admin chrome), never cached.
fn site_page(page: ErrorPage<'_>, status: StatusCode) -> Response {
    match page.render() {
        Ok(html) => no_store((status, Html(html)).into_response()),
        // The error page itself failed: the status still says what happened.
        Err(_) => status.into_response(),
    }
}

/// A titled message in the admin layout.
pub fn message_page(title: &str, message: &str, status: StatusCode) -> Response {
    render(MessagePage { title, message }, status)
}

/// 404 in the site's layout: "There is no {what} here."
pub fn not_found_page(what: &str) -> Response {
    let t = crate::language::current();
    let body = NotFoundPage {
        t,
        what: &t.noun(what),
    }
    .render()
    .unwrap_or_else(|_| "Not found".into());
    (StatusCode::NOT_FOUND, Html(body)).into_response()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    async fn body(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn internal_errors_are_html_pages_that_hide_their_cause() {
        let response = PageError::from(candor_store::StoreError::Backend(
            "connection refused at 10.0.0.7".into(),
        ))
        .into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let content_type = response.headers()[header::CONTENT_TYPE].to_str().unwrap();
        assert!(content_type.starts_with("text/html"), "{content_type}");
        let html = body(response).await;
        assert!(html.contains("Something went wrong"), "{html}");
        assert!(html.contains("/static/candor.css"), "the site's layout");
        assert!(!html.contains("10.0.0.7") && !html.contains("connection refused"));
        assert!(!html.contains("\"error\""), "not the API's envelope");
    }

    #[tokio::test]
    async fn each_kind_keeps_its_status() {
        assert_eq!(
            PageError::not_found("report").into_response().status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            PageError::forbidden().into_response().status(),
            StatusCode::FORBIDDEN
        );
        let gone = PageError::explained(StatusCode::GONE, "Link expired", "Ask again.");
        let gone = gone.into_response();
        assert_eq!(gone.status(), StatusCode::GONE);
        assert!(body(gone).await.contains("Ask again."));
        let sign_in = PageError::sign_in().into_response();
        assert_eq!(sign_in.status(), StatusCode::SEE_OTHER);
        assert_eq!(sign_in.headers()[header::LOCATION], "/admin/login");
    }
}
