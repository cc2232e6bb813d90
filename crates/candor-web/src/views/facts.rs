//! Text for the page: escaping, the author's prose (Markdown from format 2 on),
//! links, and [`Facts`], which collects a group's facts and skips every one the
//! content leaves out.

use candor_domain::model::{Framed, Framing};
use candor_domain::types::Text;

use crate::i18n::Tr;

use time::format_description::BorrowedFormatItem;

use super::types::{Fact, FactGroup, FactValue};

const HUMAN_TIME: &[BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");

/// Escaped text, safe to put in a page.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    crate::markdown::escape(text, &mut out);
    out
}

/// The author's text as HTML. Format 2 text is Markdown; format 1 text was
/// written as plain text, so it stays plain (paragraphs at blank lines) and its
/// published pages read as they always did.
pub fn prose(version: u32, text: &str) -> String {
    if version >= 2 {
        return crate::markdown::to_html(text);
    }
    text.split("\n\n")
        .map(|p| {
            let words = p.split_whitespace().collect::<Vec<_>>().join(" ");
            format!("<p>{}</p>\n", escape_html(&words))
        })
        .collect()
}

/// Like [`prose`], for a short value: a single paragraph loses its `<p>`.
pub(super) fn inline_prose(version: u32, text: &str) -> String {
    let html = prose(version, text);
    let inner = html
        .trim_end()
        .strip_prefix("<p>")
        .and_then(|h| h.strip_suffix("</p>"));
    match inner {
        Some(inner) if !inner.contains("<p>") => inner.to_owned(),
        _ => html,
    }
}

pub(super) fn link_html(text: &str, href: &str) -> String {
    format!(
        "<a href=\"{}\">{}</a>",
        escape_html(href),
        escape_html(text)
    )
}

/// Collects facts, skipping every one the content leaves out. Labels are
/// given in English and printed in the page's language.
pub(super) struct Facts<'a> {
    version: u32,
    pub(super) t: Tr,
    pub(super) facts: Vec<Fact>,
    /// The group's framing (headline, intro, status, scopes), for a commitment group.
    framing: Option<Framing<'a>>,
    /// The field the next fact states (set by [`Facts::at`]).
    field: Option<&'static str>,
}

impl<'a> Facts<'a> {
    pub(super) fn new(version: u32, t: Tr) -> Facts<'a> {
        Facts {
            version,
            t,
            facts: Vec::new(),
            framing: None,
            field: None,
        }
    }

    /// Facts of a commitment group: its single claims' scopes go with them.
    pub(super) fn of_group(version: u32, t: Tr, group: &'a dyn Framed) -> Facts<'a> {
        Facts {
            framing: Some(group.framing()),
            ..Facts::new(version, t)
        }
    }

    /// The next fact states this field (so its scope, if any, goes with it).
    pub(super) fn at(&mut self, field: &'static str) -> &mut Self {
        self.field = Some(field);
        self
    }

    pub(super) fn push(&mut self, label: &'static str, mut values: Vec<FactValue>) {
        let field = self.field.take();
        if let Some(scope) = field
            .and_then(|f| self.framing.as_ref()?.field_scopes.get(f))
            .map(|s| self.t.scope(s))
            .filter(|s| !s.is_empty())
        {
            values.push(FactValue {
                html: format!(
                    "<span class=\"meta\">{} {}</span>",
                    escape_html(&self.t.t("applies-to")),
                    escape_html(&scope)
                ),
            });
        }
        let label = self.t.label(label);
        self.facts.push(Fact { label, values });
    }

    pub(super) fn html(&mut self, label: &'static str, html: Option<String>) {
        match html {
            Some(html) => self.push(label, vec![FactValue { html }]),
            None => self.field = None,
        }
    }

    /// Words Candor composes around a stated value (numbers, labels).
    pub(super) fn text(&mut self, label: &'static str, value: Option<impl std::fmt::Display>) {
        self.html(label, value.map(|v| escape_html(&v.to_string())));
    }

    /// The author's own words.
    pub(super) fn prose(&mut self, label: &'static str, value: Option<&Text>) {
        let version = self.version;
        self.html(label, value.map(|t| inline_prose(version, t.as_str())));
    }

    pub(super) fn link(&mut self, label: &'static str, url: Option<impl std::fmt::Display>) {
        if let Some(url) = url {
            let url = url.to_string();
            self.links(label, vec![(url.clone(), url)]);
        }
    }

    /// Several links under one label (`(text, href)`), none if empty.
    pub(super) fn links(&mut self, label: &'static str, links: Vec<(String, String)>) {
        if links.is_empty() {
            self.field = None;
            return;
        }
        let values = links
            .into_iter()
            .map(|(text, href)| FactValue {
                html: link_html(&text, &href),
            })
            .collect();
        self.push(label, values);
    }

    /// A yes/no fact: printed only when stated.
    pub(super) fn yes_no(&mut self, label: &'static str, value: Option<bool>) {
        let t = self.t;
        self.text(label, value.map(|yes| t.yes_no(yes)));
    }

    pub(super) fn list(&mut self, label: &'static str, items: &[impl AsRef<str>]) {
        self.text(label, (!items.is_empty()).then(|| join(items)));
    }

    /// The group on the page, under the author's headline or `default_title`;
    /// none if it states nothing.
    pub(super) fn group(self, default_title: &'static str, groups: &mut Vec<FactGroup>) {
        let Some(framing) = &self.framing else {
            return;
        };
        if self.facts.is_empty() && framing.headline.is_none() && framing.intro.is_none() {
            return;
        }
        groups.push(FactGroup {
            title: framing.headline.map_or_else(
                || {
                    if default_title.is_empty() {
                        String::new()
                    } else {
                        self.t.label(default_title)
                    }
                },
                ToString::to_string,
            ),
            intro: framing.intro.map(|t| prose(self.version, t.as_str())),
            status: framing.status.map(|s| self.t.label(s.label())),
            scope: framing
                .scope
                .map(|s| self.t.scope(s))
                .filter(|s| !s.is_empty()),
            facts: self.facts,
        });
    }
}

pub(super) fn join<T: AsRef<str>>(items: &[T]) -> String {
    items
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(", ")
}

tokio::task_local! {
    /// The time zone of the org whose admin pages are being rendered.
    static ORG_TIME_ZONE: jiff::tz::TimeZone;
}

/// Runs `f` with times written in `zone` (the org's, on its admin pages).
pub async fn with_time_zone<F: std::future::Future>(zone: jiff::tz::TimeZone, f: F) -> F::Output {
    ORG_TIME_ZONE.scope(zone, f).await
}

/// `2026-11-22 21:01 UTC`, for people: in the org's time zone on its admin
/// pages (`2026-11-22 22:01 CET`), in UTC everywhere else.
pub fn human_time(t: time::OffsetDateTime) -> String {
    ORG_TIME_ZONE
        .try_with(|zone| in_zone(t, zone))
        .ok()
        .flatten()
        .unwrap_or_else(|| {
            t.to_offset(time::UtcOffset::UTC)
                .format(HUMAN_TIME)
                .unwrap_or_default()
        })
}

fn in_zone(t: time::OffsetDateTime, zone: &jiff::tz::TimeZone) -> Option<String> {
    let zoned = jiff::Timestamp::from_second(t.unix_timestamp())
        .ok()?
        .to_zoned(zone.clone());
    Some(zoned.strftime("%Y-%m-%d %H:%M %Z").to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn times_follow_the_org_zone_with_its_daylight_saving_and_stay_utc_elsewhere() {
        let winter = time::macros::datetime!(2026-01-15 12:30 UTC);
        let summer = time::macros::datetime!(2026-07-15 12:30 UTC);
        assert_eq!(human_time(winter), "2026-01-15 12:30 UTC");
        let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        let (w, s) =
            with_time_zone(berlin, async { (human_time(winter), human_time(summer)) }).await;
        assert_eq!(w, "2026-01-15 13:30 CET");
        assert_eq!(s, "2026-07-15 14:30 CEST");
        assert_eq!(human_time(winter), "2026-01-15 12:30 UTC");
    }
}
