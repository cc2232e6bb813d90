//! The language of a reader's page: `?lang=` if the org's page is written in
//! it, else the first language of Accept-Language it is written in, else the
//! org's default. The trust page chooses among its cached translations with
//! [`choose`]; the other reader pages (documents, access, reader, report,
//! subscription, search) run under [`negotiate`], which makes the choice
//! once per request so that handlers, their templates and the error pages all
//! speak it ([`current`]).

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::i18n::Tr;
use crate::page_cache::Lookup;
use crate::state::AppState;

tokio::task_local! {
    static LANGUAGE: Tr;
}

/// The language of the page being answered (English outside [`negotiate`]:
/// the admin interface, the API).
pub fn current() -> Tr {
    LANGUAGE.try_with(|t| *t).unwrap_or_else(|_| Tr::new("en"))
}

/// Middleware for reader pages under `/{org}/…`: chooses among the org's
/// page languages, and says which it chose (`Content-Language`, `Vary`).
pub async fn negotiate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let slug = request
        .uri()
        .path()
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let locales = match state.pages.lookup(&state.store, &slug).await {
        Ok(Lookup::Found(page)) => page.locales.clone(),
        _ => Vec::new(),
    };
    let accept = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let locale = choose(&locales, request.uri().query(), accept).to_owned();
    let chosen = Tr::new(&locale).in_query(locales.first().is_some_and(|d| *d != locale));
    let mut response = LANGUAGE.scope(chosen, next.run(request)).await;
    if locales.len() > 1 {
        let h = response.headers_mut();
        h.append(header::VARY, HeaderValue::from_static("Accept-Language"));
        if let Ok(v) = HeaderValue::from_str(&locale) {
            h.insert(header::CONTENT_LANGUAGE, v);
        }
    }
    response
}

/// The reader's language among `locales` (the default first); English when
/// the org has none.
pub fn choose<'a>(locales: &'a [String], query: Option<&str>, accept: Option<&str>) -> &'a str {
    let Some(default) = locales.first() else {
        return "en";
    };
    let find = |wanted: &str| locales.iter().find(|l| *l == wanted).map(String::as_str);
    let asked = query.and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .map(|(_, v)| v.into_owned())
    });
    if let Some(locale) = asked.as_deref().and_then(find) {
        return locale;
    }
    accept
        .map(preferred_languages)
        .unwrap_or_default()
        .iter()
        .find_map(|l| find(l))
        .unwrap_or(default)
}

/// Accept-Language's primary language tags, most wanted first (q=0 left out).
fn preferred_languages(header: &str) -> Vec<String> {
    let mut ranked: Vec<(String, f32)> = header
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next()?.trim();
            let primary = tag.split('-').next()?.to_ascii_lowercase();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            (q > 0.0 && !primary.is_empty() && primary != "*").then_some((primary, q))
        })
        .collect();
    // Stable: equal weights keep the header's order.
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    ranked.into_iter().map(|(l, _)| l).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_then_accept_language_then_the_default() {
        let locales: Vec<String> = ["de", "en", "fr"].map(String::from).to_vec();
        assert_eq!(choose(&locales, Some("lang=fr"), Some("en")), "fr");
        assert_eq!(
            choose(&locales, Some("lang=es"), Some("en-GB,fr;q=0.8")),
            "en"
        );
        assert_eq!(choose(&locales, None, Some("es, fr;q=0.5, en;q=0.7")), "en");
        assert_eq!(choose(&locales, None, Some("en;q=0, es")), "de");
        assert_eq!(choose(&locales, None, None), "de");
        assert_eq!(choose(&[], Some("lang=fr"), Some("fr")), "en");
    }
}
