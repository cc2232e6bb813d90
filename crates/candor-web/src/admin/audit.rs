//! The org's audit log (`/admin/orgs/{org}/audit`, and `.csv`), newest first,
//! whether its hash chain and head verify, and filters by action, actor and
//! date. Actors are stored as ids (`user:…`, `token:…`); the page names them
//! (a member's email, a token's name) for the owners and admins who may read
//! it, and the log itself never holds an address.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Extension, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use candor_domain::audit::{AuditEntry, verify_chain};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;

use crate::caller::Access;
use crate::page_error::{PageResult, render};
use crate::state::AppState;
use crate::views::human_time;

/// Rows the page shows at most (the CSV has them all).
const PAGE_ROWS: usize = 500;

struct Row {
    seq: u64,
    at: String,
    at_iso: String,
    actor: String,
    actor_id: String,
    action: String,
    target: String,
    hash: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage<'a> {
    slug: &'a str,
    rows: Vec<Row>,
    /// How many entries the filters matched (the page shows at most PAGE_ROWS).
    matched: usize,
    verdict: String,
    intact: bool,
    /// (value, label, selected)
    actions: Vec<(String, bool)>,
    actors: Vec<(String, String, bool)>,
    from: String,
    to: String,
    /// The filters as a query string, for the CSV link.
    query: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct AuditFilter {
    #[serde(default)]
    action: String,
    #[serde(default)]
    actor: String,
    /// YYYY-MM-DD, inclusive (UTC).
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

impl AuditFilter {
    fn day(text: &str, field: &str) -> Result<Option<time::Date>, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let format = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(text, format)
            .map(Some)
            .map_err(|_| format!("{field}: give a day as YYYY-MM-DD"))
    }

    fn matches(&self, e: &AuditEntry, from: Option<time::Date>, to: Option<time::Date>) -> bool {
        let day = e.event.at.to_offset(time::UtcOffset::UTC).date();
        (self.action.is_empty() || e.event.action == self.action)
            && (self.actor.is_empty() || e.event.actor == self.actor)
            && from.is_none_or(|f| day >= f)
            && to.is_none_or(|t| day <= t)
    }

    fn query(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("action", &self.action)
            .append_pair("actor", &self.actor)
            .append_pair("from", self.from.trim())
            .append_pair("to", self.to.trim())
            .finish()
    }
}

/// Who each actor id is, as far as the org knows: members by email, tokens by name.
async fn actor_names(state: &AppState, access: &Access) -> HashMap<String, String> {
    let mut names = HashMap::new();
    if let Ok(members) = state.store.members(&access.scope).await {
        for m in members {
            names.insert(format!("user:{}", m.user.id), m.user.email.clone());
        }
    }
    if let Ok(tokens) = state.store.tokens(&access.scope).await {
        for t in tokens {
            names.insert(format!("token:{}", t.id), format!("token “{}”", t.name));
        }
    }
    names
}

fn actor_label(names: &HashMap<String, String>, id: &str) -> String {
    match names.get(id) {
        Some(name) => name.clone(),
        None if id.starts_with("user:") => "a former member".into(),
        None if id.starts_with("token:") => "a deleted token".into(),
        None => id.to_owned(),
    }
}

/// The log, its verdict, the filter's days (or the error naming the field),
/// and the matching entries, newest first.
async fn filtered(
    state: &AppState,
    access: &Access,
    filter: &AuditFilter,
) -> Result<
    (
        Vec<AuditEntry>,
        Vec<AuditEntry>,
        String,
        bool,
        Option<String>,
    ),
    crate::page_error::PageError,
> {
    let log = state.store.audit_log(&access.scope).await?;
    let check = verify_chain(&log.entries, log.head);
    let verdict = match &check {
        Ok(()) => format!(
            "{} entries; the hash chain and head are intact.",
            log.entries.len()
        ),
        Err(e) => format!("Verification FAILED: {e}"),
    };
    let days = AuditFilter::day(&filter.from, "from")
        .and_then(|f| AuditFilter::day(&filter.to, "to").map(|t| (f, t)));
    let (error, (from, to)) = match days {
        Ok(days) => (None, days),
        Err(e) => (Some(e), (None, None)),
    };
    let matching = log
        .entries
        .iter()
        .rev()
        .filter(|e| filter.matches(e, from, to))
        .cloned()
        .collect();
    Ok((log.entries, matching, verdict, check.is_ok(), error))
}

/// `GET /admin/orgs/{org}/audit?action=&actor=&from=&to=`.
pub async fn audit(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Query(filter): Query<AuditFilter>,
) -> PageResult {
    let (all, matching, verdict, intact, error) = filtered(&state, &access, &filter).await?;
    let names = actor_names(&state, &access).await;
    let mut actions: Vec<String> = all.iter().map(|e| e.event.action.clone()).collect();
    actions.sort();
    actions.dedup();
    let mut actors: Vec<String> = all.iter().map(|e| e.event.actor.clone()).collect();
    actors.sort();
    actors.dedup();
    let rows = matching
        .iter()
        .take(PAGE_ROWS)
        .map(|e| Row {
            seq: e.seq,
            at: human_time(e.event.at),
            at_iso: e.event.at.format(&Rfc3339).unwrap_or_default(),
            actor: actor_label(&names, &e.event.actor),
            actor_id: e.event.actor.clone(),
            action: e.event.action.clone(),
            target: e.event.target.clone(),
            hash: hex::encode(e.hash),
        })
        .collect();
    let status = match error {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    Ok(render(
        AuditPage {
            slug: access.scope.slug().as_str(),
            rows,
            matched: matching.len(),
            verdict,
            intact,
            actions: actions
                .into_iter()
                .map(|a| {
                    let selected = a == filter.action;
                    (a, selected)
                })
                .collect(),
            actors: actors
                .into_iter()
                .map(|id| {
                    let label = actor_label(&names, &id);
                    let selected = id == filter.actor;
                    (id, label, selected)
                })
                .collect(),
            from: filter.from.trim().to_owned(),
            to: filter.to.trim().to_owned(),
            query: filter.query(),
            error,
        },
        status,
    ))
}

fn csv_field(text: &str) -> String {
    let text = candor_questionnaire::export::inert(text);
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// `GET /admin/orgs/{org}/audit.csv` with the same filters: every matching entry.
pub async fn audit_csv(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Query(filter): Query<AuditFilter>,
) -> PageResult {
    let (_, matching, _, _, error) = filtered(&state, &access, &filter).await?;
    if let Some(e) = error {
        return Err(crate::page_error::PageError::explained(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Bad filter",
            e,
        ));
    }
    let names = actor_names(&state, &access).await;
    let mut csv = String::from("seq,at,actor_id,actor,action,target,hash\n");
    for e in &matching {
        let row = [
            e.seq.to_string(),
            e.event.at.format(&Rfc3339).unwrap_or_default(),
            e.event.actor.clone(),
            actor_label(&names, &e.event.actor),
            e.event.action.clone(),
            e.event.target.clone(),
            hex::encode(e.hash),
        ];
        let line: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
        csv.push_str(&line.join(","));
        csv.push('\n');
    }
    let mut response = csv.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"audit-{}.csv\"",
        access.scope.slug()
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
