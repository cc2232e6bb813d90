//! `GET /{org}/feed.atom`: every revision's changes in words (RFC 4287).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use candor_domain::{OrgSlug, diff};
use candor_store::{Store, scope_for};
use time::format_description::well_known::Rfc3339;

use crate::page_error::{PageError, PageResult};
use crate::state::AppState;

/// Entries in the feed, newest first.
const FEED_ENTRIES: usize = 50;

pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 has no way to write these (not even as references); revisions
            // published before they were refused must not break the feed.
            c if !xml_char(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// XML 1.0's `Char` production.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The start of an Atom feed, up to its first entry.
pub(crate) fn feed_head(
    title: &str,
    id: &str,
    updated: time::OffsetDateTime,
    author: &str,
    self_link: &str,
    alternate: &str,
) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n\
         <title>{title}</title>\n<id>{id}</id>\n<updated>{updated}</updated>\n\
         <author><name>{author}</name></author>\n\
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{self_link}\"/>\n\
         <link rel=\"alternate\" type=\"text/html\" href=\"{alternate}\"/>\n",
        title = escape(title),
        id = escape(id),
        updated = rfc3339(updated),
        author = escape(author),
        self_link = escape(self_link),
        alternate = escape(alternate),
    )
}

/// One Atom entry with a plain-text body.
pub(crate) fn feed_entry(
    title: &str,
    id: &str,
    link: &str,
    updated: time::OffsetDateTime,
    text: &str,
) -> String {
    format!(
        "<entry>\n<title>{title}</title>\n<id>{id}</id>\n<updated>{updated}</updated>\n\
         <link rel=\"alternate\" href=\"{link}\"/>\n<content type=\"text\">{text}</content>\n</entry>\n",
        title = escape(title),
        id = escape(id),
        updated = rfc3339(updated),
        link = escape(link),
        text = escape(text),
    )
}

/// The absolute address of an org's page.
pub(crate) fn page_url(base: &url::Url, slug: &str) -> String {
    base.join(&format!("/{slug}"))
        .map(|u| u.to_string())
        .unwrap_or_default()
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

async fn render(
    store: &dyn Store,
    scope: &candor_store::OrgScope,
    base: &url::Url,
    name: &str,
) -> candor_store::Result<Option<(u64, String)>> {
    let summaries = store.revisions(scope).await?;
    let Some(latest) = summaries.first() else {
        return Ok(None);
    };
    let slug = scope.slug().as_str();
    let page = page_url(base, slug);
    let mut xml = feed_head(
        &format!("{name} trust center: changes"),
        &page,
        latest.published_at,
        name,
        &format!("{page}/feed.atom"),
        &page,
    );
    let shown: Vec<u64> = summaries
        .iter()
        .take(FEED_ENTRIES)
        .map(|s| s.number)
        .collect();
    let mut next = None;
    // Oldest shown first, so each revision is loaded once; entries are emitted newest first.
    let mut entries = Vec::new();
    let oldest = shown.last().copied().unwrap_or(1);
    let mut previous = if oldest > 1 {
        store.revision(scope, oldest - 1).await?
    } else {
        None
    };
    for number in shown.iter().rev() {
        let Some(revision) = store.revision(scope, *number).await? else {
            continue;
        };
        let lines = match &previous {
            Some(p) => diff(&p.content, &revision.content).describe(),
            None => vec!["First published revision.".to_owned()],
        };
        let id = format!("{page}/log/entries/{}", revision.number - 1);
        let mut content = String::new();
        for line in &lines {
            content.push_str(&format!("{line}\n"));
        }
        content.push_str(&format!("Content hash: {}\n", revision.content_hash));
        let title = match lines.as_slice() {
            [only] => format!("Revision {}: {only}", revision.number),
            _ => format!("Revision {}: {} changes", revision.number, lines.len()),
        };
        entries.push(feed_entry(
            &title,
            &id,
            &id,
            revision.published_at,
            &content,
        ));
        next = Some(revision.number);
        previous = Some(revision);
    }
    for entry in entries.iter().rev() {
        xml.push_str(entry);
    }
    xml.push_str("</feed>\n");
    Ok(next.map(|_| (latest.number, xml)))
}

pub async fn feed(State(state): State<AppState>, Path(slug): Path<String>) -> PageResult {
    let not_found = || PageError::not_found("trust center");
    let Ok(slug) = slug.parse::<OrgSlug>() else {
        return Err(not_found());
    };
    let (Ok(Some(org)), Ok(Some(scope))) = (
        state.store.org_by_slug(&slug).await,
        scope_for(&*state.store, &slug).await,
    ) else {
        return Err(not_found());
    };
    let latest = state
        .store
        .latest_revision_summary(&scope)
        .await?
        .ok_or_else(not_found)?
        .number;
    let cached = state.feeds.0.read().ok().and_then(|m| {
        m.get(&slug)
            .filter(|(n, _)| *n == latest)
            .map(|(_, x)| x.clone())
    });
    let xml = match cached {
        Some(xml) => xml,
        None => {
            let (number, xml) = render(&*state.store, &scope, &state.config.public_url, &org.name)
                .await?
                .ok_or_else(not_found)?;
            let xml = Arc::new(xml);
            if let Ok(mut m) = state.feeds.0.write() {
                m.insert(slug, (number, xml.clone()));
            }
            xml
        }
    };
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/atom+xml; charset=utf-8"),
        )],
        (*xml).clone(),
    )
        .into_response())
}

#[cfg(test)]
mod xml_tests {
    #[test]
    fn characters_xml_cannot_hold_are_replaced() {
        assert_eq!(super::escape("a\u{FFFE}b\u{1}<"), "a\u{FFFD}b\u{FFFD}&lt;");
        assert_eq!(super::escape("tab\tline\n😀"), "tab\tline\n😀");
    }
}
