//! Pages in several languages: `?lang=`, then Accept-Language, then the
//! default; `lang`, hreflang alternates, Vary and Content-Language; each
//! text in its translation where it has one; security.txt's languages.

use candor_demo::QUILLFEATHER;
use reqwest::StatusCode;

use crate::harness::App;

const TAGLINE: &str =
    "  tagline: Product analytics that never sells, shares or fingerprints your users.\n";

fn trilingual() -> String {
    QUILLFEATHER
        .replacen(
            TAGLINE,
            "  tagline:\n    en: Analytics that never sells your users.\n    de: Analysen, die Ihre Nutzer nie verkaufen.\n    fr: L'analyse qui ne vend jamais vos utilisateurs.\n",
            1,
        )
        .replacen("  branding:\n", "  locales: [en, de, fr]\n  branding:\n", 1)
}

#[tokio::test]
async fn the_page_speaks_the_readers_language_when_it_has_it() {
    let (app, _) = App::quillfeather().await;
    app.publish("quillfeather", &trilingual()).await;
    let get = |path: &str, accept: Option<&str>| {
        let mut req = app.client.get(format!("{}{path}", app.base));
        if let Some(a) = accept {
            req = req.header("accept-language", a);
        }
        req.send()
    };
    // The default: English, with every language linked.
    let en = get("/quillfeather", None).await.unwrap();
    assert_eq!(en.headers()["vary"], "Accept-Language");
    assert_eq!(en.headers()["content-language"], "en");
    let en_etag = en.headers()["etag"].clone();
    let html = en.text().await.unwrap();
    assert!(
        html.starts_with("<!doctype html>\n<html lang=\"en\">"),
        "{}",
        &html[..80]
    );
    assert!(html.contains("Analytics that never sells your users."));
    for (locale, name) in [("en", "English"), ("de", "Deutsch"), ("fr", "Français")] {
        assert!(
            html.contains(&format!(
                "<link rel=\"alternate\" hreflang=\"{locale}\" href=\"/quillfeather?lang={locale}\">"
            )),
            "{locale}"
        );
        assert!(html.contains(name), "{name}");
    }
    assert!(html.contains("hreflang=\"x-default\" href=\"/quillfeather?lang=en\""));
    // ?lang= first, then Accept-Language (weights honoured), else the default.
    let de = get("/quillfeather?lang=de", Some("fr")).await.unwrap();
    assert_eq!(de.headers()["content-language"], "de");
    let de_etag = de.headers()["etag"].clone();
    assert_ne!(de_etag, en_etag);
    let html = de.text().await.unwrap();
    assert!(html.contains("<html lang=\"de\">"));
    assert!(html.contains("Analysen, die Ihre Nutzer nie verkaufen."));
    assert!(!html.contains("Analytics that never sells your users."));
    // The interface's own words come from the German catalogue.
    let de_words = candor_web::i18n::Tr::new("de");
    for id in [
        "section-verify",
        "heading-controls",
        "subscribe-heading",
        "posture-caption",
    ] {
        let word = de_words.t(id);
        assert_ne!(
            word,
            candor_web::i18n::Tr::new("en").t(id),
            "{id} is translated"
        );
        assert!(html.contains(&word), "{id}: {word}");
    }
    assert!(
        !html.contains(">Verify this page<"),
        "no English heading left"
    );
    let fr = get("/quillfeather", Some("es, fr-CH;q=0.9, en;q=0.8"))
        .await
        .unwrap();
    assert_eq!(fr.headers()["content-language"], "fr");
    assert!(
        fr.text()
            .await
            .unwrap()
            .contains("qui ne vend jamais vos utilisateurs.")
    );
    let weighted = get("/quillfeather", Some("en;q=0.5, de;q=0.9"))
        .await
        .unwrap();
    assert_eq!(weighted.headers()["content-language"], "de");
    for (path, accept) in [
        ("/quillfeather?lang=es", None),
        ("/quillfeather", Some("es, it")),
        ("/quillfeather", Some("de;q=0")),
    ] {
        let resp = get(path, accept).await.unwrap();
        assert_eq!(
            resp.headers()["content-language"],
            "en",
            "{path} {accept:?}"
        );
    }
    // Each language revalidates against its own tag.
    let again = app
        .client
        .get(format!("{}/quillfeather?lang=de", app.base))
        .header("if-none-match", de_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    // security.txt's languages are the policy's own, when it states them.
    let txt = app.page("/quillfeather/.well-known/security.txt").await;
    assert!(txt.contains("Preferred-Languages: en, de"), "{txt}");
    let without = trilingual().replacen("    preferred_languages: [en, de]\n", "", 1);
    app.publish("quillfeather", &without).await;
    let txt = app.page("/quillfeather/.well-known/security.txt").await;
    assert!(
        txt.contains("Preferred-Languages: en, de, fr"),
        "follows the locales: {txt}"
    );
    // A text translated into some languages but not all is a warning, named
    // by its field, in the API and on the publish review; it refuses nothing.
    let org = app
        .store
        .org_by_slug(&"quillfeather".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let scope = candor_store::scope_for(&*app.store, &org.slug)
        .await
        .unwrap()
        .unwrap();
    let owner = app
        .member_as(&scope, candor_domain::policy::Role::Owner)
        .await;
    let partial = trilingual().replacen(
        "    fr: L'analyse qui ne vend jamais vos utilisateurs.\n",
        "",
        1,
    );
    let saved = app.put_draft(&owner, partial).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let saved: serde_json::Value = saved.json().await.unwrap();
    assert_eq!(saved["warnings"][0]["field"], "profile.tagline", "{saved}");
    assert!(
        saved["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("fr"),
        "{saved}"
    );
    let review = app
        .with_cookie(
            reqwest::Method::GET,
            "/admin/orgs/quillfeather/publish",
            &owner,
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(review.contains("Missing translations"), "{review}");
    assert!(review.contains("<code>profile.tagline</code>"), "{review}");
    // A page in one language negotiates nothing.
    app.publish("quillfeather", QUILLFEATHER).await;
    let one = get("/quillfeather", Some("de")).await.unwrap();
    assert!(one.headers().get("vary").is_none());
    assert!(!one.text().await.unwrap().contains("hreflang"));
    app.stop().await;
}

/// The reader's other pages, their refusals, their error pages and the mail
/// they send speak the language the reader chose, and keep it from page to
/// page; an org with one language negotiates nothing there either.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reader_pages_and_their_mail_speak_it_too() {
    let dir = tempfile::tempdir().unwrap();
    let sink = candor_testkit::mail::MailSink::start(dir.path());
    let app = App::start_with_worker(sink.port).await;
    app.publish("quillfeather", &trilingual()).await;
    let de = candor_web::i18n::Tr::new("de");
    let fr = candor_web::i18n::Tr::new("fr");
    let get = |path: &str, accept: &str| {
        app.client
            .get(format!("{}{path}", app.base))
            .header("accept-language", accept)
            .send()
    };
    // Accept-Language chooses; the page says so and links onward in it.
    let access = get("/quillfeather/access", "de-DE, en;q=0.5")
        .await
        .unwrap();
    assert_eq!(access.headers()["content-language"], "de");
    assert!(
        access.headers()["vary"]
            .to_str()
            .unwrap()
            .contains("Accept-Language")
    );
    let html = access.text().await.unwrap();
    assert!(html.contains("<html lang=\"de\">"));
    assert!(html.contains(&de.t("request-documents")), "{html}");
    assert!(html.contains("action=\"/quillfeather/access?lang=de\""));
    assert!(!html.contains("Request documents"), "no English left");
    // A refusal in French names the field in French.
    let refused = app
        .client
        .post(format!("{}/quillfeather/access?lang=fr", app.base))
        .form(&[("name", "Ada")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let said = refused.text().await.unwrap();
    assert!(
        said.contains("documents : choisissez au moins un document"),
        "{said}"
    );
    // Error pages too.
    let missing = get("/quillfeather/documents/no-such-doc?lang=de", "en")
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let said = missing.text().await.unwrap();
    assert!(said.contains(&de.t("not-found-title")), "{said}");
    assert!(said.contains("Nicht gefunden: Dokument."), "{said}");
    // Ask for the NDA's documents in German, then for a sign-in link: the
    // mail is German and its link keeps the language.
    let asked = app
        .client
        .post(format!("{}/quillfeather/access?lang=de", app.base))
        .form(&[
            ("all", "yes"),
            ("name", "Ada Reviewer"),
            ("email", "ada@customer.example"),
            ("company", "Customer Ltd"),
            ("nda_version", "2026-1"),
            ("accept", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), StatusCode::OK);
    assert!(asked.text().await.unwrap().contains("Freigegeben:"));
    let sent = app
        .client
        .post(format!("{}/quillfeather/reader/link?lang=de", app.base))
        .form(&[("email", "ada@customer.example")])
        .send()
        .await
        .unwrap();
    assert!(
        sent.text()
            .await
            .unwrap()
            .contains("ist ein Anmeldelink unterwegs")
    );
    let mail =
        crate::readers::mail_to(&sink, "ada@customer.example", "/quillfeather/reader/signin");
    assert!(
        mail.body.contains("Melden Sie sich beim Trust Center"),
        "{}",
        mail.body
    );
    assert!(
        mail.header("Subject")
            .unwrap_or_default()
            .contains("Ihr Anmeldelink")
    );
    let token = mail
        .link_param("/quillfeather/reader/signin", "token")
        .unwrap();
    // So was the mail that told what the request granted, and so is a
    // subscription's confirmation.
    let granted =
        crate::readers::mail_to(&sink, "ada@customer.example", "Sie können diese Dokumente");
    assert!(
        granted.body.contains("/quillfeather/reader"),
        "{}",
        granted.body
    );
    let subscribed = app
        .client
        .post(format!("{}/quillfeather/subscribe?lang=fr", app.base))
        .form(&[
            ("channel", "email"),
            ("address", "lea@client.example"),
            ("topics", "all"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        subscribed
            .text()
            .await
            .unwrap()
            .contains(&fr.t("check-inbox-title"))
    );
    let confirm = crate::readers::mail_to(&sink, "lea@client.example", "/subscription/confirm");
    assert!(
        confirm.body.contains("Confirmez l’abonnement"),
        "{}",
        confirm.body
    );
    assert_eq!(
        mail.link_param("/quillfeather/reader/signin", "lang")
            .as_deref(),
        Some("de")
    );
    let button = get(
        &format!("/quillfeather/reader/signin?token={token}&lang=de"),
        "fr",
    )
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    assert!(button.contains(&de.t("sign-in")), "{button}");
    // The report form and the search, in French.
    let report = get("/quillfeather/report", "fr")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        report.contains(&fr.t1("report-heading", "org", "Quillfeather Analytics")),
        "{report}"
    );
    let search = get("/quillfeather/questions?q=encryption", "fr")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(search.contains(&fr.t("heading-knowledge")), "{search}");
    // One language: English, nothing negotiated.
    app.publish("quillfeather", QUILLFEATHER).await;
    let one = get("/quillfeather/access", "de").await.unwrap();
    assert!(one.headers().get("content-language").is_none());
    assert!(one.text().await.unwrap().contains("Request documents"));
    app.stop().await;
}
