//! The company's look: an accent colour that keeps text readable, and a logo
//! that is drawing only, both served so that the CSP stays as strict.

use candor_demo::QUILLFEATHER;
use candor_domain::policy::Role;
use reqwest::StatusCode;

use crate::harness::{App, error_envelope};

/// The demo file with its branding block replaced by `block` (profile fields,
/// indented two spaces).
fn with_branding(block: &str) -> String {
    let start = QUILLFEATHER.find("  branding:\n").unwrap();
    let end = QUILLFEATHER[start..].find("  tagline:").unwrap() + start;
    format!("{}{block}{}", &QUILLFEATHER[..start], &QUILLFEATHER[end..])
}

#[tokio::test]
async fn the_accent_must_stay_readable_and_the_logo_must_be_drawing_only() {
    let app = App::start_default().await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let owner = app.member_as(&org, Role::Owner).await;
    let put = |yaml: String| app.put_draft(&owner, yaml);
    for (block, field, words) in [
        // Yellow on white: about 1.6:1.
        (
            "  branding:\n    accent: '#ffcc00'\n    accent_dark: '#ffcc00'\n",
            "profile.branding.accent",
            "WCAG AA",
        ),
        // Dark violet is fine on white, unreadable on the dark background.
        (
            "  branding:\n    accent: '#5b21b6'\n",
            "profile.branding.accent",
            "accent_dark",
        ),
        (
            "  branding:\n    logo_svg: '<svg><script>alert(1)</script></svg>'\n    logo_alt: x\n",
            "profile.branding.logo_svg",
            "<script>",
        ),
        (
            "  branding:\n    logo_svg: '<svg><rect width=\"1\" height=\"1\"/></svg>'\n",
            "profile.branding.logo_alt",
            "text alternative",
        ),
    ] {
        let (status, body) = error_envelope(put(with_branding(block)).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{block}: {body}");
        assert_eq!(body["error"]["field"], field, "{block}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(words), "{block}: {message}");
    }

    // The demo's own branding: linked as a stylesheet, the logo as an image.
    let page = app.page("/quillfeather").await;
    assert!(page.contains("<link rel=\"stylesheet\" href=\"/quillfeather/brand.css\">"));
    assert!(page.contains(
        "<img class=\"logo\" src=\"/quillfeather/logo.svg\" alt=\"Quillfeather Analytics\">"
    ));
    assert!(!page.contains(" style="), "no inline style");
    let css = app.get("/quillfeather/brand.css").await;
    assert_eq!(css.status(), StatusCode::OK);
    assert!(
        css.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    let css = css.text().await.unwrap();
    assert!(css.contains(":root { --accent: #5b21b6;"), "{css}");
    assert!(
        css.contains("prefers-color-scheme: dark") && css.contains("#c4b5fd"),
        "{css}"
    );
    let logo = app.get("/quillfeather/logo.svg").await;
    assert_eq!(logo.status(), StatusCode::OK);
    assert_eq!(logo.headers()["content-type"], "image/svg+xml");
    let csp = logo.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(logo.text().await.unwrap().starts_with("<svg"));
    // An org without branding has neither.
    let plain = QUILLFEATHER.replace(
        &QUILLFEATHER
            [QUILLFEATHER.find("  branding:\n").unwrap()..QUILLFEATHER.find("  tagline:").unwrap()],
        "",
    );
    app.publish(
        "plain",
        &plain.replace("Quillfeather Analytics", "Plain Co"),
    )
    .await;
    assert_eq!(
        app.get("/plain/brand.css").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/plain/logo.svg").await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(!app.page("/plain").await.contains("brand.css"));
}

/// A real 1×1 PNG.
const PNG_1X1: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

#[tokio::test]
async fn a_png_logo_and_custom_css_are_served_when_they_cannot_hide_or_fetch_anything() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let app = App::start_default().await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let owner = app.member_as(&org, Role::Owner).await;
    let put = |yaml: String| app.put_draft(&owner, yaml);
    // A PNG that carries a text chunk (an author's name) after its header.
    let png = b64.decode(PNG_1X1).unwrap();
    let mut with_text = png[..33].to_vec();
    with_text.extend_from_slice(b"\x00\x00\x00\x0btEXtAuthor\x00Jane\x00\x00\x00\x00");
    with_text.extend_from_slice(&png[33..]);
    let with_text = b64.encode(&with_text);
    for (block, field, words) in [
        (
            format!("  branding:\n    logo_png: {with_text}\n    logo_alt: x\n"),
            "profile.branding.logo_png",
            "tEXt",
        ),
        (
            format!(
                "  branding:\n    logo_png: {PNG_1X1}\n    logo_svg: '<svg><rect width=\"1\" height=\"1\"/></svg>'\n    logo_alt: x\n"
            ),
            "profile.branding.logo_png",
            "not both",
        ),
        (
            "  branding:\n    css: '.late { display: none }'\n".to_owned(),
            "profile.branding.css",
            "display",
        ),
        (
            "  branding:\n    css: 'h1 { font-family: x; background: url(https://x.example/t.gif) }'\n"
                .to_owned(),
            "profile.branding.css",
            "background",
        ),
    ] {
        let (status, body) = error_envelope(put(with_branding(&block)).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{block}: {body}");
        assert_eq!(body["error"]["field"], field, "{block}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(words), "{block}: {message}");
    }
    let branded = with_branding(&format!(
        "  branding:\n    accent: '#1d4ed8'\n    accent_dark: '#93c5fd'\n    logo_png: {PNG_1X1}\n    logo_alt: Quillfeather\n    css: |\n      .card, .badge {{ border-radius: 2px; }}\n      h1 {{ font-family: Georgia, serif; letter-spacing: 0.01em; }}\n"
    ));
    app.publish("quillfeather", &branded).await;
    let page = app.page("/quillfeather").await;
    assert!(
        page.contains("<img class=\"logo\" src=\"/quillfeather/logo.png\" alt=\"Quillfeather\">"),
        "{page}"
    );
    let logo = app.get("/quillfeather/logo.png").await;
    assert_eq!(logo.status(), StatusCode::OK);
    assert_eq!(logo.headers()["content-type"], "image/png");
    assert_eq!(logo.bytes().await.unwrap().as_ref(), png.as_slice());
    assert_eq!(
        app.get("/quillfeather/logo.svg").await.status(),
        StatusCode::NOT_FOUND
    );
    let css = app.page("/quillfeather/brand.css").await;
    assert!(css.contains("--accent: #1d4ed8"), "{css}");
    assert!(css.contains("h1 { font-family: Georgia, serif;"), "{css}");
    assert!(!page.contains(" style="), "no inline style");
}
