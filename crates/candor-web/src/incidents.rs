//! `GET /{org}/incidents.json` and `GET /{org}/incidents.atom`: the incident
//! history of the latest revision, for machines and feed readers. Both are
//! built from the cached page's revision, so they cost no database read.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

use crate::feed::{feed_entry, feed_head, page_url};
use crate::page_cache::etag_for;
use crate::pages::{cached_response, latest_page};
use crate::state::AppState;
use crate::views::incidents_json;

pub async fn json(
    State(state): State<AppState>,
    Path(org): Path<String>,
    headers: HeaderMap,
) -> Response {
    let page = match latest_page(&state, &org, true).await {
        Ok(page) => page,
        Err(response) => return response,
    };
    let revision = page.revision();
    let body = incidents_json(
        &revision.content,
        &org,
        revision.number,
        &revision.content_hash.to_string(),
    )
    .to_string();
    cached_response(
        &headers,
        &etag_for(body.as_bytes()),
        "application/json",
        &Bytes::from(body),
    )
}

pub async fn atom(
    State(state): State<AppState>,
    Path(org): Path<String>,
    headers: HeaderMap,
) -> Response {
    let page = match latest_page(&state, &org, false).await {
        Ok(page) => page,
        Err(response) => return response,
    };
    let revision = page.revision();
    let tc = &revision.content;
    let base = page_url(&state.config.public_url, &org);
    // One entry per update and per review, newest first.
    let mut entries: Vec<(time::OffsetDateTime, String)> = Vec::new();
    for incident in &tc.incidents {
        let link = format!("{base}#incident-{}", incident.key);
        for (n, update) in incident.updates.iter().enumerate() {
            let Some(at) = update.published_at else {
                continue;
            };
            entries.push((
                at.0,
                feed_entry(
                    &format!("{}: {}", incident.title, update.status.label()),
                    &format!("{link}-update-{n}"),
                    &link,
                    at.0,
                    update.body.as_str(),
                ),
            ));
        }
        if let Some(review) = &incident.review
            && let Some(at) = review.published_at
        {
            entries.push((
                at.0,
                feed_entry(
                    &format!("{}: post-incident review", incident.title),
                    &format!("{link}-review"),
                    &link,
                    at.0,
                    review.summary.as_str(),
                ),
            ));
        }
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.0));
    let updated = entries.first().map_or(revision.published_at, |(at, _)| *at);
    let mut xml = feed_head(
        &format!("{} incidents", tc.profile.name),
        &format!("{base}/incidents.atom"),
        updated,
        tc.profile.name.as_str(),
        &format!("{base}/incidents.atom"),
        &format!("{base}#incidents"),
    );
    for (_, e) in &entries {
        xml.push_str(e);
    }
    xml.push_str("</feed>\n");
    cached_response(
        &headers,
        &etag_for(xml.as_bytes()),
        "application/atom+xml; charset=utf-8",
        &Bytes::from(xml),
    )
}
