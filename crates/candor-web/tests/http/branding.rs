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
    let put = |yaml: String| {
        app.with_cookie(
            reqwest::Method::PUT,
            "/api/v1/orgs/quillfeather/draft",
            &owner,
        )
        .header("content-type", "application/yaml")
        .body(yaml)
        .send()
    };
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
        let (status, body) = error_envelope(put(with_branding(block)).await.unwrap()).await;
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
