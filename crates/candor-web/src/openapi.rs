//! The JSON API's routes, written once: the router is built from this table, the
//! access guard reads each route's action from it, and `/api/v1/openapi.json` is
//! generated from it, so the three cannot disagree.

use std::sync::LazyLock;

use axum::http::Method;
use axum::routing::{MethodRouter, delete, get, post, put};
use candor_domain::policy::Action;
use serde_json::{Map, Value, json};

use crate::state::AppState;
use crate::{api, log};

pub struct ApiRoute {
    pub method: Method,
    /// Full path template, e.g. `/api/v1/orgs/{org}/draft`.
    pub path: &'static str,
    pub summary: &'static str,
    /// `None`: public, no credentials. `Some`: behind the access guard.
    pub action: Option<Action>,
    /// A JSON or YAML request body is expected.
    pub body: bool,
    /// The body is a file's raw bytes (any media type).
    pub upload: bool,
    /// The status of a successful answer.
    pub success: u16,
    /// The media type of a successful answer (`None`: no content, as with 204).
    pub produces: Option<&'static str>,
    /// Required query parameters, all integers unless listed in `text_query`.
    pub query: &'static [&'static str],
    /// Query parameters that are text.
    pub text_query: &'static [&'static str],
    /// The JSON Schema of a JSON request body, when it is not a trust center.
    pub body_schema: Option<fn() -> Value>,
}

/// Every API route with its handler. Add a route here and nowhere else.
pub fn api_routes() -> Vec<(ApiRoute, MethodRouter<AppState>)> {
    use Action::*;
    let r = |method: Method, path, summary, action, body| ApiRoute {
        method,
        path,
        summary,
        action,
        body,
        upload: false,
        success: 200,
        produces: Some("application/json"),
        query: &[],
        text_query: &[],
        body_schema: None,
    };
    let created = |route: ApiRoute| ApiRoute {
        success: 201,
        ..route
    };
    let no_content = |route: ApiRoute| ApiRoute {
        success: 204,
        produces: None,
        ..route
    };
    let text = |route: ApiRoute| ApiRoute {
        produces: Some("text/plain"),
        ..route
    };
    vec![
        (
            r(
                Method::POST,
                "/api/v1/validate",
                "Check a trust-as-code document (YAML or JSON) without storing it",
                None,
                true,
            ),
            post(api::validate),
        ),
        (
            r(
                Method::GET,
                "/api/v1/orgs/{org}/revisions",
                "List published revisions, newest first",
                None,
                false,
            ),
            get(api::revisions),
        ),
        (
            r(
                Method::GET,
                "/api/v1/orgs/{org}/revisions/{number}",
                "One published revision, as trust.json",
                None,
                false,
            ),
            get(api::revision),
        ),
        (
            ApiRoute {
                query: &["from", "to"],
                ..r(
                    Method::GET,
                    "/api/v1/orgs/{org}/diff",
                    "What changed between two revisions (query: from, to)",
                    None,
                    false,
                )
            },
            get(api::revision_diff),
        ),
        (
            r(
                Method::GET,
                "/api/v1/orgs/{org}/draft",
                "The working draft and its differences from the public page",
                Some(ViewDraft),
                false,
            ),
            get(api::get_draft),
        ),
        (
            r(
                Method::PUT,
                "/api/v1/orgs/{org}/draft",
                "Replace the draft with a whole document (YAML or JSON), or with the answer of GET on this path sent back as it is (its content is the document; errors name fields under content)",
                Some(EditDraft),
                true,
            ),
            put(api::put_draft),
        ),
        (
            ApiRoute {
                upload: true,
                text_query: &["from", "audience"],
                ..r(
                    Method::POST,
                    "/api/v1/orgs/{org}/questionnaires/answer",
                    "Answer a questionnaire (XLSX, CSV or JSON as the body) from the latest revision (query: from=draft for the draft; audience=public|customer|internal): each answer with its explanation, confidence and citations",
                    Some(ViewDraft),
                    false,
                )
            },
            post(crate::questionnaires::answer),
        ),
        (
            ApiRoute {
                upload: true,
                text_query: &["filename", "visibility"],
                ..r(
                    Method::POST,
                    "/api/v1/orgs/{org}/knowledge/import",
                    "Import an answered questionnaire (XLSX, CSV or JSON as the body) into the draft's knowledge base (query: filename, visibility=internal|gated|public)",
                    Some(EditDraft),
                    false,
                )
            },
            post(crate::questionnaires::import),
        ),
        (
            r(
                Method::POST,
                "/api/v1/orgs/{org}/publish",
                "Freeze the draft into the next revision",
                Some(Publish),
                false,
            ),
            post(api::publish),
        ),
        (
            r(
                Method::GET,
                "/api/v1/orgs/{org}/audit",
                "The audit log and whether its hash chain verifies",
                Some(ViewAudit),
                false,
            ),
            get(api::audit),
        ),
        (
            created(ApiRoute {
                body_schema: Some(token_body),
                ..r(
                    Method::POST,
                    "/api/v1/orgs/{org}/tokens",
                    "Create an API token; the secret is returned once",
                    Some(ManageTokens),
                    true,
                )
            }),
            post(api::create_token),
        ),
        (
            no_content(r(
                Method::DELETE,
                "/api/v1/orgs/{org}/tokens/{id}",
                "Revoke an API token",
                Some(ManageTokens),
                false,
            )),
            delete(api::revoke_token),
        ),
        (
            ApiRoute {
                body_schema: Some(member_body),
                ..r(
                    Method::PUT,
                    "/api/v1/orgs/{org}/members",
                    "Change a member's role (people join only by accepting an invitation)",
                    Some(ManageMembers),
                    true,
                )
            },
            put(api::set_member),
        ),
        (
            no_content(r(
                Method::DELETE,
                "/api/v1/orgs/{org}/members/{email}",
                "Remove a member from the org (the last owner cannot be removed)",
                Some(ManageMembers),
                false,
            )),
            delete(api::remove_member),
        ),
        (
            no_content(r(
                Method::POST,
                "/api/v1/orgs/{org}/leave",
                "Leave the org (the signed-in person; not for tokens; the last owner cannot)",
                Some(ViewDraft),
                false,
            )),
            post(api::leave),
        ),
        (
            r(
                Method::GET,
                "/api/v1/orgs/{org}/invites",
                "Open invitations: not accepted, not expired, not revoked",
                Some(ManageMembers),
                false,
            ),
            get(api::open_invites),
        ),
        (
            no_content(r(
                Method::DELETE,
                "/api/v1/orgs/{org}/invites/{id}",
                "Revoke an open invitation: its link stops working",
                Some(ManageMembers),
                false,
            )),
            delete(api::revoke_invite),
        ),
        (
            created(ApiRoute {
                body_schema: Some(invite_body),
                ..r(
                    Method::POST,
                    "/api/v1/orgs/{org}/invites",
                    "Invite an email address to join with a role; the one-time link is returned once",
                    Some(ManageMembers),
                    true,
                )
            }),
            post(api::create_invite),
        ),
        (
            text(r(
                Method::GET,
                "/api/v1/orgs/{org}/audit/checkpoint",
                "The audit log's size and Merkle root as a signed note (C2SP), for auditors",
                Some(ViewAudit),
                false,
            )),
            get(log::audit_checkpoint),
        ),
        (
            text(r(
                Method::GET,
                "/api/v1/orgs/{org}/audit/key",
                "The verifier key of the audit log's checkpoints",
                Some(ViewAudit),
                false,
            )),
            get(log::audit_key),
        ),
        (
            r(
                Method::GET,
                "/api/v1/openapi.json",
                "This document",
                None,
                false,
            ),
            get(openapi_json),
        ),
        (
            ApiRoute {
                upload: true,
                success: 201,
                text_query: &["filename"],
                ..r(
                    Method::PUT,
                    "/api/v1/orgs/{org}/documents/{key}/file",
                    "Upload a document's file (raw bytes; query: filename); it is stored encrypted",
                    Some(ManageDocuments),
                    false,
                )
            },
            put(api::upload_document),
        ),
        (
            r(
                Method::GET,
                "/api/v1/orgs/{org}/documents/requests",
                "Document requests (NDA acceptances and approval requests), newest first",
                Some(ManageDocuments),
                false,
            ),
            get(api::document_requests),
        ),
        (
            ApiRoute {
                body_schema: Some(decision_body),
                ..r(
                    Method::POST,
                    "/api/v1/orgs/{org}/documents/requests/{id}/decision",
                    "Approve (for days, 1–365; the org's default if absent) or deny a pending request (body: {\"approve\": bool, \"days\": n})",
                    Some(ManageDocuments),
                    true,
                )
            },
            post(api::decide_document_request),
        ),
        (
            r(
                Method::POST,
                "/api/v1/orgs/{org}/documents/requests/{id}/revoke",
                "End a reader's grant now (it stays in their history)",
                Some(ManageDocuments),
                false,
            ),
            post(api::revoke_document_grant),
        ),
        (
            r(
                Method::GET,
                "/api/v1/orgs/{org}/readers/policy",
                "The org's reader rules: email domains approved or denied without an admin, and the default grant length",
                Some(ManageDocuments),
                false,
            ),
            get(api::reader_policy),
        ),
        (
            ApiRoute {
                body_schema: Some(policy_body),
                ..r(
                    Method::PUT,
                    "/api/v1/orgs/{org}/readers/policy",
                    "Replace the org's reader rules (the block-list wins over the allow-list)",
                    Some(ManageDocuments),
                    true,
                )
            },
            put(api::set_reader_policy),
        ),
        (
            ApiRoute {
                text_query: &["email", "document"],
                ..r(
                    Method::GET,
                    "/api/v1/orgs/{org}/readers/history",
                    "Readers' requests, decisions, revocations, sign-ins, views and downloads, newest first (query: email, document; both optional)",
                    Some(ManageDocuments),
                    false,
                )
            },
            get(api::reader_history),
        ),
        (
            r(
                Method::GET,
                "/api/v1/orgs/{org}/event-endpoints",
                "The org's endpoints for operator events (access.requested, nda.accepted, report.received, incident.declared)",
                Some(ManageSettings),
                false,
            ),
            get(api::event_endpoints),
        ),
        (
            ApiRoute {
                success: 201,
                body_schema: Some(endpoint_body),
                ..r(
                    Method::POST,
                    "/api/v1/orgs/{org}/event-endpoints",
                    "Add an endpoint for operator events (Standard Webhooks); the signing secret is returned once",
                    Some(ManageSettings),
                    true,
                )
            },
            post(api::add_event_endpoint),
        ),
        (
            no_content(r(
                Method::DELETE,
                "/api/v1/orgs/{org}/event-endpoints/{id}",
                "Remove an endpoint for operator events",
                Some(ManageSettings),
                false,
            )),
            delete(api::remove_event_endpoint),
        ),
    ]
}

fn policy_body() -> Value {
    let domains = json!({"type": "array", "items": {"type": "string"}, "maxItems": 500});
    json!({
        "type": "object",
        "required": ["grant_days"],
        "additionalProperties": false,
        "properties": {
            "allow_domains": domains,
            "block_domains": domains,
            "grant_days": {"type": "integer", "minimum": 1, "maximum": 365},
        },
    })
}

fn endpoint_body() -> Value {
    json!({
        "type": "object",
        "required": ["url"],
        "additionalProperties": false,
        "properties": {"url": {"type": "string", "format": "uri"}},
    })
}

fn role_schema(with_owner: bool) -> Value {
    let roles: Vec<&str> = candor_domain::policy::Role::ALL
        .into_iter()
        .filter(|r| with_owner || *r != candor_domain::policy::Role::Owner)
        .map(candor_domain::policy::Role::as_str)
        .collect();
    json!({"type": "string", "enum": roles})
}

fn token_body() -> Value {
    json!({
        "type": "object",
        "required": ["name", "role"],
        "additionalProperties": false,
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 100},
            "role": role_schema(false),
            "expires_in_days": {"type": "integer", "minimum": 1, "maximum": 365},
        },
    })
}

fn member_body() -> Value {
    json!({
        "type": "object",
        "required": ["email", "role"],
        "additionalProperties": false,
        "properties": {"email": {"type": "string", "format": "email"}, "role": role_schema(true)},
    })
}

fn invite_body() -> Value {
    json!({
        "type": "object",
        "required": ["email", "role"],
        "additionalProperties": false,
        "properties": {
            "email": {"type": "string", "format": "email"},
            "role": role_schema(true),
            "expires_in_hours": {"type": "integer", "minimum": 1, "maximum": 168},
        },
    })
}

fn decision_body() -> Value {
    json!({
        "type": "object",
        "required": ["approve"],
        "properties": {
            "approve": {"type": "boolean"},
            "days": {"type": "integer", "minimum": 1, "maximum": 365},
            "note": {"type": "string", "maxLength": 1000},
        },
    })
}

async fn openapi_json() -> axum::Json<Value> {
    axum::Json(DOCUMENT.clone())
}

static DOCUMENT: LazyLock<Value> = LazyLock::new(document);

fn action_name(action: Action) -> String {
    serde_json::to_value(action)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The OpenAPI 3.1 description of [`api_routes`].
pub fn document() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for (route, _) in api_routes() {
        let mut parameters: Vec<Value> = route
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| {
                let schema = if name == "number" {
                    json!({"type": "integer", "minimum": 1})
                } else {
                    json!({"type": "string"})
                };
                json!({"name": name, "in": "path", "required": true, "schema": schema})
            })
            .collect();
        for name in route.query {
            parameters.push(json!({"name": name, "in": "query", "required": true, "schema": {"type": "integer", "minimum": 1}}));
        }
        for name in route.text_query {
            parameters.push(json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}}));
        }
        let success = match route.produces {
            Some(media) => json!({"description": "Success", "content": {media: {}}}),
            None => json!({"description": "Success, nothing to return"}),
        };
        let mut operation = json!({
            "summary": route.summary,
            "operationId": format!("{}{}", route.method.as_str().to_lowercase(), route.path.replace(['/', '{', '}', '.'], "_")),
            "parameters": parameters,
            "responses": {
                route.success.to_string(): success,
                "4XX": {"description": "Refused", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "503": {"description": "Busy, or not configured (no master key)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        });
        if let Some(action) = route.action {
            operation["security"] = json!([{"token": []}, {"session": []}]);
            operation["x-candor-action"] = json!(action_name(action));
        } else {
            operation["security"] = json!([]);
        }
        if route.body {
            operation["requestBody"] = match route.body_schema {
                Some(schema) => json!({
                    "required": true,
                    "content": {"application/json": {"schema": schema()}},
                }),
                None => json!({
                    "required": true,
                    "content": {
                        "application/json": {"schema": {"type": "object", "description": "A trust center (trust-as-code), see schema/trust-center.schema.json"}},
                        "application/yaml": {"schema": {"type": "string"}},
                    },
                }),
            };
        }
        if route.upload {
            operation["requestBody"] = json!({
                "required": true,
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            });
        }
        let entry = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| json!({}));
        entry[route.method.as_str().to_lowercase()] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Candor API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Trust center API. Org-scoped endpoints take an API token (Authorization: Bearer cnd_…) or a session cookie; each states the action it needs in x-candor-action.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": crate::auth::SESSION_COOKIE},
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {
                        "type": "object",
                        "required": ["code", "message", "field"],
                        "properties": {
                            "code": {"type": "string"},
                            "message": {"type": "string"},
                            "field": {"type": ["string", "null"], "description": "Path of the failing field, e.g. controls[3].mappings[0]"},
                        },
                    }},
                },
            },
        },
    })
}
