//! The words of Candor's reader-facing pages and mails in each language they
//! are written in: Fluent message catalogues (`i18n/{en,de,fr}.ftl`, compiled
//! in), one bundle per language, read once. A message missing in a language
//! falls back to English; a test keeps the catalogues' messages the same.
//! The web layer prints pages with [`Tr`]; the app layer composes mails with it.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use candor_domain::model::Scope;
use candor_domain::types::PartialDate;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// A message's variables, for [`Tr::args`].
pub type Args<'a> = FluentArgs<'a>;

/// The catalogues, by locale (the same list as `candor_domain::types::SUPPORTED_LOCALES`).
pub const CATALOGUES: &[(&str, &str)] = &[
    ("en", include_str!("../i18n/en.ftl")),
    ("de", include_str!("../i18n/de.ftl")),
    ("fr", include_str!("../i18n/fr.ftl")),
];

static BUNDLES: LazyLock<HashMap<&'static str, FluentBundle<FluentResource>>> =
    LazyLock::new(|| {
        CATALOGUES
            .iter()
            .filter_map(|(locale, source)| {
                let id: unic_langid::LanguageIdentifier = locale.parse().ok()?;
                let resource = FluentResource::try_new((*source).to_owned())
                    .unwrap_or_else(|(partial, _)| partial);
                let mut bundle = FluentBundle::new_concurrent(vec![id]);
                // Plain text: no bidi isolation marks around placeholders.
                bundle.set_use_isolating(false);
                let _ = bundle.add_resource(resource);
                Some((*locale, bundle))
            })
            .collect()
    });

/// The interface's words in one language.
#[derive(Clone, Copy, Debug)]
pub struct Tr {
    locale: &'static str,
    /// The page is not in the org's default language, so links and forms
    /// carry `?lang=` to stay in this one.
    in_query: bool,
}

impl Tr {
    pub fn new(locale: &str) -> Tr {
        let locale = CATALOGUES
            .iter()
            .map(|(l, _)| *l)
            .find(|l| *l == locale)
            .unwrap_or("en");
        Tr {
            locale,
            in_query: false,
        }
    }

    /// The same words, for a page that is not in the org's default language.
    pub fn in_query(self, in_query: bool) -> Tr {
        Tr { in_query, ..self }
    }

    /// `?lang=de` for a page not in the org's default language, else nothing:
    /// for the forms and links that lead to the next page.
    pub fn lang_query(&self) -> &'static str {
        match (self.in_query, self.locale) {
            (false, _) => "",
            (true, "de") => "?lang=de",
            (true, "fr") => "?lang=fr",
            (true, _) => "?lang=en",
        }
    }

    pub fn locale(&self) -> &'static str {
        self.locale
    }

    fn format(&self, id: &str, args: Option<&FluentArgs>) -> Option<String> {
        for locale in [self.locale, "en"] {
            let Some(bundle) = BUNDLES.get(locale) else {
                continue;
            };
            if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
                if locale != self.locale {
                    missed(self.locale, id);
                }
                let mut errors = Vec::new();
                return Some(
                    bundle
                        .format_pattern(pattern, args, &mut errors)
                        .into_owned(),
                );
            }
        }
        missed(self.locale, id);
        None
    }

    /// The message `id`.
    pub fn t(&self, id: &str) -> String {
        self.format(id, None).unwrap_or_else(|| id.to_owned())
    }

    /// The message `id` with a count `n`, for plural forms (`{ $n -> [one] … *[other] … }`).
    pub fn tn(&self, id: &str, n: u64) -> String {
        let mut args = FluentArgs::new();
        args.set("n", FluentValue::from(n));
        self.format(id, Some(&args))
            .unwrap_or_else(|| format!("{n} {id}"))
    }

    /// The message `id` with a count `n` and one more variable.
    pub fn tn1(
        &self,
        id: &str,
        n: impl std::borrow::Borrow<u64>,
        name: &str,
        value: impl std::fmt::Display,
    ) -> String {
        let mut args = FluentArgs::new();
        args.set("n", FluentValue::from(*n.borrow()));
        args.set(name, FluentValue::from(value.to_string()));
        self.args(id, &args)
    }

    /// A label Candor prints in English elsewhere (a status, a fact's name, a
    /// kind): its message is `label-` and the English words in lower case,
    /// joined by hyphens (`In progress` → `label-in-progress`). A label with
    /// no message stays in English.
    pub fn label(&self, english: &str) -> String {
        self.format(&label_id(english), None)
            .unwrap_or_else(|| english.to_owned())
    }

    /// What a page says is not there ("document", "download link"), found
    /// like a label under `noun-`.
    pub fn noun(&self, english: &str) -> String {
        let id = format!("noun{}", &label_id(english)["label".len()..]);
        self.format(&id, None).unwrap_or_else(|| english.to_owned())
    }

    /// `Yes` or `No`.
    pub fn yes_no(&self, yes: bool) -> String {
        self.label(if yes { "Yes" } else { "No" })
    }

    /// A day as is (ISO dates read the same in every language), a month by
    /// its name, a quarter, a year.
    pub fn partial_date(&self, date: &PartialDate) -> String {
        match *date {
            PartialDate::Month { year, month } => self.t2(
                "month-year",
                "month",
                self.tn("month", u8::from(month).into()),
                "year",
                year,
            ),
            PartialDate::Quarter { year, quarter } => {
                self.t2("quarter-year", "quarter", quarter, "year", year)
            }
            _ => date.human(),
        }
    }

    /// Who terms apply to: plan, condition, region.
    pub fn scope(&self, scope: &Scope) -> String {
        let mut parts = Vec::new();
        if let Some(plan) = &scope.plan {
            parts.push(self.t1("scope-plan", "plan", plan));
        }
        if let Some(condition) = &scope.condition {
            parts.push(condition.to_string());
        }
        if let Some(region) = &scope.region {
            parts.push(region.to_string());
        }
        parts.join("; ")
    }

    /// A span of time in short units: `3 h 12 min`, `2 d 4 h`, `under 1 min`
    /// (a negative span, a time written before the clock started, is `0 min`).
    pub fn span(&self, span: time::Duration) -> String {
        let minutes = span.whole_minutes().max(0);
        if span > time::Duration::ZERO && minutes == 0 {
            return self.t("span-under-minute");
        }
        let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
        let unit = |id: &str, n: i64| self.t1(id, "n", n);
        match (days, hours, mins) {
            (0, 0, m) => unit("span-min", m),
            (0, h, 0) => unit("span-h", h),
            (0, h, m) => format!("{} {}", unit("span-h", h), unit("span-min", m)),
            (d, 0, _) => unit("span-d", d),
            (d, h, _) => format!("{} {}", unit("span-d", d), unit("span-h", h)),
        }
    }

    /// The message `id` with one variable.
    pub fn t1(&self, id: &str, name: &str, value: impl std::fmt::Display) -> String {
        let mut args = FluentArgs::new();
        args.set(name, FluentValue::from(value.to_string()));
        self.format(id, Some(&args))
            .unwrap_or_else(|| id.to_owned())
    }

    /// The message `id` with any variables.
    pub fn args(&self, id: &str, args: &FluentArgs) -> String {
        self.format(id, Some(args)).unwrap_or_else(|| id.to_owned())
    }

    /// The message `id` with two variables.
    pub fn t2(
        &self,
        id: &str,
        n1: &str,
        v1: impl std::fmt::Display,
        n2: &str,
        v2: impl std::fmt::Display,
    ) -> String {
        let mut args = FluentArgs::new();
        args.set(n1, FluentValue::from(v1.to_string()));
        args.set(n2, FluentValue::from(v2.to_string()));
        self.format(id, Some(&args))
            .unwrap_or_else(|| id.to_owned())
    }
}

/// Whether the English catalogue has the message `id` (every catalogue has
/// the same messages).
pub fn exists(id: &str) -> bool {
    BUNDLES.get("en").is_some_and(|b| b.has_message(id))
}

/// `In progress` → `label-in-progress`.
pub fn label_id(english: &str) -> String {
    let mut id = String::from("label");
    for word in english
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        id.push('-');
        id.push_str(&word.to_ascii_lowercase());
    }
    id
}

thread_local! {
    /// While [`record_misses`] runs: the messages a page asked for in a
    /// language whose catalogue lacks them.
    static MISSES: RefCell<Option<BTreeSet<String>>> = const { RefCell::new(None) };
}

fn missed(locale: &str, id: &str) {
    MISSES.with(|m| {
        if let Some(set) = m.borrow_mut().as_mut() {
            set.insert(format!("{locale}: {id}"));
        }
    });
}

/// Runs `f` and returns the messages it asked for that were missing (in its
/// language or at all), for tests that a page is wholly translated.
pub fn record_misses(f: impl FnOnce()) -> BTreeSet<String> {
    MISSES.with(|m| *m.borrow_mut() = Some(BTreeSet::new()));
    f();
    MISSES.with(|m| m.borrow_mut().take()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    pub(crate) fn ids(source: &str) -> Vec<&str> {
        source
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| l.split_once(" =").map(|(id, _)| id.trim()))
            .collect()
    }

    #[test]
    fn every_catalogue_has_every_message_and_parses() {
        let english = ids(CATALOGUES[0].1);
        assert!(english.len() > 50);
        for (locale, source) in CATALOGUES {
            assert!(
                FluentResource::try_new((*source).to_owned()).is_ok(),
                "{locale}.ftl does not parse"
            );
            assert_eq!(
                ids(source),
                english,
                "{locale}.ftl's messages differ from en.ftl's"
            );
        }
    }

    #[test]
    fn messages_format_with_their_variables_and_fall_back_to_english() {
        let en = Tr::new("en");
        assert_eq!(en.t1("page-heading", "name", "Acme"), "Acme trust center");
        let de = Tr::new("de");
        let heading = de.t1("page-heading", "name", "Acme");
        assert!(
            heading.contains("Acme") && heading != "Acme trust center",
            "{heading}"
        );
        assert_eq!(
            Tr::new("es").t("section-overview"),
            "Overview",
            "unknown: English"
        );
        assert_eq!(de.t("no-such-message"), "no-such-message");
    }

    #[test]
    fn spans_read_as_people_say_them() {
        use time::Duration;
        let en = Tr::new("en");
        assert_eq!(en.span(Duration::seconds(20)), "under 1 min");
        assert_eq!(en.span(Duration::minutes(45)), "45 min");
        assert_eq!(en.span(Duration::hours(3)), "3 h");
        assert_eq!(en.span(Duration::minutes(26 * 60 + 5)), "1 d 2 h");
        assert_eq!(en.span(Duration::minutes(-5)), "0 min");
        assert_eq!(Tr::new("de").span(Duration::minutes(192)), "3 Std. 12 Min.");
        assert_eq!(
            Tr::new("fr").tn("n-days", 0),
            "0 jour",
            "French: 0 is singular"
        );
        assert_eq!(Tr::new("de").tn("n-days", 1), "1 Tag");
        assert_eq!(en.tn("n-days", 2), "2 days");
    }

    /// Each phrase a notice's list of changes uses is in every catalogue.
    #[test]
    fn every_change_phrase_is_translated() {
        let phrases = candor_domain::diff::ContentDiff::phrases();
        assert!(phrases.len() > 60);
        for (locale, _) in CATALOGUES {
            let missing = record_misses(|| {
                for phrase in &phrases {
                    Tr::new(locale).label(phrase);
                }
            });
            assert!(missing.is_empty(), "{locale}: {missing:?}");
        }
    }

    #[test]
    fn labels_are_found_by_their_english_words() {
        assert_eq!(
            label_id("In legal review: not binding yet"),
            "label-in-legal-review-not-binding-yet"
        );
        assert_eq!(Tr::new("de").label("In progress"), "In Arbeit");
        assert_eq!(
            Tr::new("fr").label("Recovery time objective (RTO)"),
            "Durée maximale d’interruption (RTO)"
        );
        let missing = record_misses(|| {
            assert_eq!(
                Tr::new("de").label("Nothing like this"),
                "Nothing like this"
            );
        });
        assert_eq!(
            missing.into_iter().collect::<Vec<_>>(),
            ["de: label-nothing-like-this"]
        );
    }
}
