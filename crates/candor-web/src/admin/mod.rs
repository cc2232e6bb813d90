//! The admin UI at `/admin`: server-rendered, no JavaScript, one file per
//! feature. Every page handler returns [`PageResult`](crate::page_error::PageResult),
//! so a failure is an HTML page, never the API's JSON envelope.
//!
//! [`routes`] is the one table of admin routes: each row names the method, the
//! path, the action the access guard asks the policy for (org-scoped routes)
//! and the handler. The router is built from it and the guard reads each
//! route's action from it, so a route's permission is written once.

use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};
use candor_domain::policy::Action;

use crate::state::AppState;

pub mod account;
pub mod analytics;
pub mod audit;
pub mod confirm;
pub mod content;
pub mod dashboard;
pub mod documents;
pub mod hosts;
pub mod invites;
pub mod items;
pub mod members;
mod outcome;
pub mod questionnaires;
pub mod readers;
pub mod reports;
pub mod reset;
pub mod review;
pub mod session;
pub mod subscribers;
pub mod tokens;

/// One admin route.
pub struct AdminRoute {
    pub method: Method,
    /// Full path template, e.g. `/admin/orgs/{org}/members`.
    pub path: &'static str,
    /// `Some`: org-scoped, behind the access guard, which asks the policy for
    /// this action. `None`: not org-scoped (sign-in, the person's own account,
    /// invitation and password-reset links): the handler checks the session or
    /// the link itself.
    pub action: Option<Action>,
    /// The body is a file upload: it gets the larger body cap.
    pub upload: bool,
}

/// Every admin route with its handler. Add a route here and nowhere else.
pub fn routes() -> Vec<(AdminRoute, MethodRouter<AppState>)> {
    use crate::privacy;
    use Action::*;
    const GET: Method = Method::GET;
    const POST: Method = Method::POST;
    vec![
        // Not org-scoped: the session, the person's own account, links.
        open(GET, "/admin", session::home),
        open(GET, "/admin/login", session::login_form),
        open(POST, "/admin/login", session::login),
        open(POST, "/admin/logout", session::logout),
        open(POST, "/admin/logout-everywhere", session::logout_everywhere),
        open(GET, "/admin/reset", reset::request_form),
        open(POST, "/admin/reset", reset::request),
        open(GET, "/admin/reset/{token}", reset::choose_form),
        open(POST, "/admin/reset/{token}", reset::choose),
        open(GET, "/admin/account", account::account),
        open(POST, "/admin/account/password", account::change_password),
        open(POST, "/admin/account/delete", account::delete_account),
        open(GET, "/admin/invites/{org}/{secret}", invites::invite_form),
        open(
            POST,
            "/admin/invites/{org}/{secret}",
            invites::accept_invite,
        ),
        // The draft, the preview and publishing.
        org(GET, "/admin/orgs/{org}", ViewDraft, dashboard::org_page),
        org(
            GET,
            "/admin/orgs/{org}/attention",
            ViewDraft,
            dashboard::attention_count,
        ),
        org(
            GET,
            "/admin/orgs/{org}/sections/{section}",
            ViewDraft,
            content::section_form,
        ),
        org(
            POST,
            "/admin/orgs/{org}/sections/{section}",
            EditDraft,
            content::section_save,
        ),
        // Forms for one item of a list section (the YAML above is the Advanced view).
        org(
            GET,
            "/admin/orgs/{org}/sections/{section}/items",
            ViewDraft,
            items::list,
        ),
        org(
            GET,
            "/admin/orgs/{org}/sections/{section}/items/{item}",
            ViewDraft,
            items::form,
        ),
        org(
            POST,
            "/admin/orgs/{org}/sections/{section}/items/{item}",
            EditDraft,
            items::save,
        ),
        org(
            POST,
            "/admin/orgs/{org}/sections/{section}/items/{item}/remove",
            EditDraft,
            items::remove,
        ),
        org(
            GET,
            "/admin/orgs/{org}/preview",
            ViewDraft,
            content::preview,
        ),
        org(
            GET,
            "/admin/orgs/{org}/publish",
            Publish,
            content::publish_form,
        ),
        org(POST, "/admin/orgs/{org}/publish", Publish, content::publish),
        org(GET, "/admin/orgs/{org}/audit", ViewAudit, audit::audit),
        org(
            GET,
            "/admin/orgs/{org}/audit.csv",
            ViewAudit,
            audit::audit_csv,
        ),
        // Counts only, nothing personal: every member may see them.
        org(
            GET,
            "/admin/orgs/{org}/analytics",
            ViewDraft,
            analytics::analytics,
        ),
        org(
            GET,
            "/admin/orgs/{org}/analytics.csv",
            ViewDraft,
            analytics::analytics_csv,
        ),
        org(
            GET,
            "/admin/orgs/{org}/subscribers",
            ViewSubscribers,
            subscribers::subscribers,
        ),
        // Hosts for evidence checks.
        org(GET, "/admin/orgs/{org}/hosts", ManageSettings, hosts::hosts),
        org(
            POST,
            "/admin/orgs/{org}/hosts",
            ManageSettings,
            hosts::claim,
        ),
        org(
            POST,
            "/admin/orgs/{org}/hosts/{host}/verify",
            ManageSettings,
            hosts::verify,
        ),
        // Data-subject rights and the org's own export and deletion.
        org(
            GET,
            "/admin/orgs/{org}/privacy",
            HandlePrivacyRequests,
            privacy::admin_privacy,
        ),
        org(
            POST,
            "/admin/orgs/{org}/privacy/export",
            HandlePrivacyRequests,
            privacy::admin_export_person,
        ),
        org(
            POST,
            "/admin/orgs/{org}/privacy/erase",
            HandlePrivacyRequests,
            privacy::admin_erase_person,
        ),
        org(
            GET,
            "/admin/orgs/{org}/export",
            ExportOrg,
            privacy::admin_export_org,
        ),
        org(
            POST,
            "/admin/orgs/{org}/delete",
            DeleteOrg,
            privacy::admin_delete_org,
        ),
        // Vulnerability reports.
        org(
            GET,
            "/admin/orgs/{org}/reports",
            HandleReports,
            reports::admin_reports,
        ),
        org(
            GET,
            "/admin/orgs/{org}/reports/{id}",
            HandleReports,
            reports::admin_report,
        ),
        org(
            POST,
            "/admin/orgs/{org}/reports/{id}/acknowledge",
            HandleReports,
            reports::admin_acknowledge,
        ),
        // Security questionnaires.
        org(
            GET,
            "/admin/orgs/{org}/questionnaires",
            ViewDraft,
            questionnaires::questionnaires,
        ),
        upload(
            "/admin/orgs/{org}/questionnaires/answer",
            EditDraft,
            questionnaires::answer,
        ),
        org(
            GET,
            "/admin/orgs/{org}/questionnaires/{id}",
            ViewDraft,
            review::review_page,
        ),
        org(
            POST,
            "/admin/orgs/{org}/questionnaires/{id}/review",
            EditDraft,
            review::decide,
        ),
        org(
            POST,
            "/admin/orgs/{org}/questionnaires/{id}/knowledge",
            EditDraft,
            review::save_to_knowledge,
        ),
        org(
            GET,
            "/admin/orgs/{org}/questionnaires/{id}/export",
            ViewDraft,
            review::export,
        ),
        org(
            POST,
            "/admin/orgs/{org}/questionnaires/{id}/delete",
            EditDraft,
            review::delete,
        ),
        upload(
            "/admin/orgs/{org}/questionnaires/import",
            EditDraft,
            questionnaires::import,
        ),
        // Gated documents.
        org(
            GET,
            "/admin/orgs/{org}/documents",
            ManageDocuments,
            documents::admin_documents,
        ),
        upload(
            "/admin/orgs/{org}/documents/{key}/file",
            ManageDocuments,
            documents::admin_upload,
        ),
        org(
            POST,
            "/admin/orgs/{org}/documents/requests/{id}/{verdict}",
            ManageDocuments,
            documents::admin_decide,
        ),
        // Readers: rules for requests and history; operator event endpoints.
        org(
            GET,
            "/admin/orgs/{org}/readers",
            ManageDocuments,
            readers::readers,
        ),
        org(
            POST,
            "/admin/orgs/{org}/readers/policy",
            ManageDocuments,
            readers::set_policy,
        ),
        org(
            GET,
            "/admin/orgs/{org}/events",
            ManageSettings,
            readers::events,
        ),
        org(
            POST,
            "/admin/orgs/{org}/events",
            ManageSettings,
            readers::add_event_endpoint,
        ),
        org(
            POST,
            "/admin/orgs/{org}/events/{id}/remove",
            ManageSettings,
            readers::remove_event_endpoint,
        ),
        // Members, invitations and API tokens.
        org(
            GET,
            "/admin/orgs/{org}/members",
            ManageMembers,
            members::members,
        ),
        org(
            POST,
            "/admin/orgs/{org}/members",
            ManageMembers,
            members::set_member,
        ),
        org(
            POST,
            "/admin/orgs/{org}/members/remove",
            ManageMembers,
            members::remove_member,
        ),
        org(
            POST,
            "/admin/orgs/{org}/invites",
            ManageMembers,
            members::invite,
        ),
        org(
            POST,
            "/admin/orgs/{org}/invites/{id}/revoke",
            ManageMembers,
            members::revoke_invite,
        ),
        org(
            POST,
            "/admin/orgs/{org}/invites/{id}/resend",
            ManageMembers,
            members::resend_invite,
        ),
        // Every member may leave; the handler refuses the last owner.
        org(
            POST,
            "/admin/orgs/{org}/leave",
            ViewDraft,
            account::leave_org,
        ),
        org(
            GET,
            "/admin/orgs/{org}/tokens",
            ManageTokens,
            tokens::tokens,
        ),
        org(
            POST,
            "/admin/orgs/{org}/tokens",
            ManageTokens,
            tokens::create_token,
        ),
        org(
            POST,
            "/admin/orgs/{org}/tokens/{id}/revoke",
            ManageTokens,
            tokens::revoke_token,
        ),
    ]
}

/// The handler for one method; a method the admin UI does not use answers 405.
fn on<H, T>(method: &Method, handler: H) -> MethodRouter<AppState>
where
    H: Handler<T, AppState>,
    T: 'static,
{
    if *method == Method::GET {
        get(handler)
    } else if *method == Method::POST {
        post(handler)
    } else {
        MethodRouter::new()
    }
}

fn row<H, T>(
    method: Method,
    path: &'static str,
    action: Option<Action>,
    upload: bool,
    handler: H,
) -> (AdminRoute, MethodRouter<AppState>)
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let handler = on(&method, handler);
    (
        AdminRoute {
            method,
            path,
            action,
            upload,
        },
        handler,
    )
}

/// A route that is not org-scoped.
fn open<H, T>(
    method: Method,
    path: &'static str,
    handler: H,
) -> (AdminRoute, MethodRouter<AppState>)
where
    H: Handler<T, AppState>,
    T: 'static,
{
    row(method, path, None, false, handler)
}

/// An org-scoped route and the action it needs.
fn org<H, T>(
    method: Method,
    path: &'static str,
    action: Action,
    handler: H,
) -> (AdminRoute, MethodRouter<AppState>)
where
    H: Handler<T, AppState>,
    T: 'static,
{
    row(method, path, Some(action), false, handler)
}

/// An org-scoped file upload (POST).
fn upload<H, T>(
    path: &'static str,
    action: Action,
    handler: H,
) -> (AdminRoute, MethodRouter<AppState>)
where
    H: Handler<T, AppState>,
    T: 'static,
{
    row(Method::POST, path, Some(action), true, handler)
}

#[cfg(test)]
mod tests {
    use super::routes;

    #[test]
    fn every_org_page_names_its_action_and_no_route_is_listed_twice() {
        let table = routes();
        for (route, _) in &table {
            let org_scoped = route.path.starts_with("/admin/orgs/{org}");
            assert_eq!(
                org_scoped,
                route.action.is_some(),
                "{} {}: org pages need an action, other pages none",
                route.method,
                route.path
            );
            assert!(!route.upload || route.action.is_some(), "{}", route.path);
            let same = table
                .iter()
                .filter(|(r, _)| r.method == route.method && r.path == route.path)
                .count();
            assert_eq!(
                same, 1,
                "{} {} is listed {same} times",
                route.method, route.path
            );
        }
    }
}
