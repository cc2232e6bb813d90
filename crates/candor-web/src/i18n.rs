//! The words of the public trust page in each language Candor's pages are
//! written in: Fluent message catalogues (`i18n/{en,de,fr}.ftl`, compiled in),
//! one bundle per language, read once. A message missing in a language falls
//! back to English; a test keeps the catalogues' messages the same.

use std::collections::HashMap;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

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
}

impl Tr {
    pub fn new(locale: &str) -> Tr {
        let locale = CATALOGUES
            .iter()
            .map(|(l, _)| *l)
            .find(|l| *l == locale)
            .unwrap_or("en");
        Tr { locale }
    }

    fn format(&self, id: &str, args: Option<&FluentArgs>) -> String {
        for locale in [self.locale, "en"] {
            let Some(bundle) = BUNDLES.get(locale) else {
                continue;
            };
            if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return bundle
                    .format_pattern(pattern, args, &mut errors)
                    .into_owned();
            }
        }
        id.to_owned()
    }

    /// The message `id`.
    pub fn t(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with one variable.
    pub fn t1(&self, id: &str, name: &str, value: impl std::fmt::Display) -> String {
        let mut args = FluentArgs::new();
        args.set(name, FluentValue::from(value.to_string()));
        self.format(id, Some(&args))
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
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ids(source: &str) -> Vec<&str> {
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

    /// Every message the page template asks for exists.
    #[test]
    fn the_template_asks_only_for_messages_that_exist() {
        let template = include_str!("../templates/trust.html");
        let english = ids(CATALOGUES[0].1);
        for call in ["t.t(\"", "t.t1(\"", "t.t2(\""] {
            for (i, _) in template.match_indices(call) {
                let rest = &template[i + call.len()..];
                let id = &rest[..rest.find('"').unwrap()];
                assert!(
                    english.contains(&id),
                    "trust.html asks for {id}, which en.ftl lacks"
                );
            }
        }
    }
}
