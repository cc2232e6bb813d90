//! Who is told of changes, who objected to a subprocessor, and how the outbox
//! is doing (`/admin/orgs/{org}/subscribers`).

use askama::Template;
use axum::extract::{Extension, State};
use axum::http::StatusCode;

use crate::caller::Access;
use crate::page_error::{PageResult, render};
use crate::state::AppState;
use crate::views::human_time;

#[derive(Template)]
#[template(path = "admin/subscribers.html")]
struct SubscribersPage<'a> {
    slug: &'a str,
    /// (address, channel, topics, state, since)
    subscribers: Vec<(String, &'static str, &'static str, &'static str, String)>,
    /// (when, subprocessor, address, reason)
    objections: Vec<(String, String, String, String)>,
    queued: u64,
    delivered: u64,
    failed: u64,
}

/// `GET /admin/orgs/{org}/subscribers`.
pub async fn subscribers(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
) -> PageResult {
    let store = &state.store;
    let list = store.subscribers(&access.scope).await?;
    let objections = store.objections(&access.scope).await?;
    let stats = store.outbox_stats(&access.scope).await?;
    let day = human_time;
    Ok(render(
        SubscribersPage {
            slug: access.scope.slug().as_str(),
            subscribers: list
                .iter()
                .map(|s| {
                    let (state_name, since) = match (s.confirmed_at, s.unsubscribed_at) {
                        (_, Some(at)) => ("unsubscribed", day(at)),
                        (Some(at), None) => ("active", day(at)),
                        (None, None) => ("awaiting confirmation", day(s.created_at)),
                    };
                    (
                        s.address.clone(),
                        s.channel.as_str(),
                        s.topics.as_str(),
                        state_name,
                        since,
                    )
                })
                .collect(),
            objections: objections
                .into_iter()
                .map(|o| (day(o.created_at), o.subprocessor, o.address, o.reason))
                .collect(),
            queued: stats.pending,
            delivered: stats.delivered,
            failed: stats.failed,
        },
        StatusCode::OK,
    ))
}
