#![allow(clippy::unwrap_used)]
use super::cookies::invalid_same_site;
use super::csp::{DUPLICATE_WARNINGS_KEY, collate};
use super::header_tests::{cors_reflects_with_credentials, cors_test};
use super::html::decode_entities;
use super::transport::parse_int;
use super::*;

fn parsed(policies: &[&str]) -> Option<Vec<(String, Vec<String>)>> {
    let owned: Vec<String> = policies.iter().map(|p| p.to_string()).collect();
    parse_csp(&owned).map(|m| m.into_iter().collect())
}

fn entry(d: &str, s: &[&str]) -> (String, Vec<String>) {
    (d.into(), s.iter().map(|x| x.to_string()).collect())
}

/// An Origin reflected with credentials: the Observatory 1.4.8 gives it 0
/// ("restricted access", its universal-access rule never matches); the port
/// gives the same, notes the difference, and Candor's own check fails it.
#[test]
fn a_reflected_origin_with_credentials_scores_as_the_observatory_scores_it() {
    let obs = Observations {
        host: "h".into(),
        http: None,
        https: None,
        cors: Some(Headers(vec![
            ("access-control-allow-origin".into(), CORS_ORIGIN.into()),
            ("access-control-allow-credentials".into(), "true".into()),
        ])),
    };
    assert_eq!(
        cors_test(&obs),
        (
            "cross-origin-resource-sharing-implemented-with-restricted-access",
            true
        )
    );
    assert!(cors_reflects_with_credentials(&obs));
    let ours = crate::headers::check_cors(obs.cors.as_ref().unwrap(), CORS_ORIGIN);
    assert_eq!(ours.code, "cors_credentials_any_origin");
}

/// Expected values are what the Observatory's own parseCsp printed for the
/// same input (node, @mdn/mdn-http-observatory 1.4.8).
#[test]
fn policies_merge_as_the_observatory_merges_them() {
    assert_eq!(
        parsed(&[
            "default-src 'self' https://a.example.com/js/; img-src *",
            "default-src 'self' https://a.example.com/js/app.js; img-src 'none'",
        ])
        .unwrap(),
        vec![
            entry(
                "default-src",
                &["'self'", "https://a.example.com/js/app.js"]
            ),
            entry("img-src", &["'none'"]),
        ]
    );
    assert_eq!(
        parsed(&[
            "script-src 'self' https://cdn.example.com https://cdn.example.com/x",
            "script-src https://cdn.example.com/x/y.js",
        ])
        .unwrap(),
        vec![entry("script-src", &["'none'"])]
    );
    assert_eq!(
        parsed(&["default-src 'self'", "script-src 'self'"]).unwrap(),
        vec![
            entry("default-src", &["'self'"]),
            entry("script-src", &["'none'"])
        ]
    );
    assert_eq!(
        parsed(&["default-src 'self'; report-uri /a; report-uri /b"]).unwrap(),
        vec![
            entry(DUPLICATE_WARNINGS_KEY, &["report-uri"]),
            entry("default-src", &["'self'"]),
            entry("report-uri", &["/b"]),
        ]
    );
    assert_eq!(
        parsed(&["default-src 'self'; object-src"]).unwrap(),
        vec![
            entry("default-src", &["'self'"]),
            entry("object-src", &["'none'"])
        ]
    );
    assert!(parsed(&["img-s"]).is_none());
    assert!(parsed(&["default-src 'self'; default-src 'none'"]).is_none());
    assert!(
        parsed(&[
            "default-src https://a.example.com/%E0%A4%A",
            "default-src https://a.example.com/%E0%A4%A"
        ])
        .is_none()
    );
}

#[test]
fn sources_sort_as_intl_collator_en_does() {
    let mut v = vec![
        "https://a.com/x",
        "https://a.com.evil",
        "https://a.com",
        "*",
        "'none'",
        "1.example",
    ];
    v.sort_by(|a, b| collate(a, b));
    assert_eq!(
        v,
        vec![
            "'none'",
            "*",
            "1.example",
            "https://a.com",
            "https://a.com.evil",
            "https://a.com/x"
        ]
    );
}

#[test]
fn the_grade_chart() {
    assert_eq!(grade_for_score(130), ("A+", 130));
    assert_eq!(grade_for_score(100), ("A+", 100));
    assert_eq!(grade_for_score(99), ("A", 99));
    assert_eq!(grade_for_score(85), ("A-", 85));
    assert_eq!(grade_for_score(64), ("C+", 64));
    assert_eq!(grade_for_score(25), ("D-", 25));
    assert_eq!(grade_for_score(-40), ("F", 0));
}

#[test]
fn cookies_enter_the_jar_as_tough_cookie_lets_them() {
    let url = url::Url::parse("https://app.example.com/a/b").unwrap();
    let c = parse_set_cookie("sid=1; Secure; HttpOnly; SameSite=LAX", &url).unwrap();
    assert_eq!(
        (c.path.as_str(), c.same_site, c.secure, c.http_only),
        ("/a", Some("lax"), true, true)
    );
    assert_eq!(
        parse_set_cookie("x=1; SameSite=bogus", &url)
            .unwrap()
            .same_site,
        None
    );
    assert!(parse_set_cookie("novalue", &url).is_none());
    assert!(parse_set_cookie("x=1; Domain=other.example", &url).is_none());
    assert_eq!(
        parse_set_cookie("x=1; Domain=.example.com", &url)
            .unwrap()
            .domain,
        "example.com"
    );
    // Prefixed cookies that break their prefix's rules are dropped silently.
    assert!(parse_set_cookie("__Host-a=1; Secure; Path=/a", &url).is_none());
    assert!(parse_set_cookie("__Secure-a=1", &url).is_none());
    assert!(parse_set_cookie("__Host-a=1; Secure; Path=/", &url).is_some());
    assert!(invalid_same_site("a=1; SameSite"));
    assert!(invalid_same_site("a=1; samesite=Relaxed"));
    assert!(!invalid_same_site("a=1; SameSite=None; Secure"));
}

#[test]
fn repeated_headers_reach_the_tests_as_node_joins_them() {
    let h = Headers(vec![
        ("Strict-Transport-Security".into(), "max-age=1".into()),
        ("strict-transport-security".into(), "max-age=2".into()),
        ("Content-Type".into(), "text/html".into()),
        ("content-type".into(), "text/plain".into()),
        ("set-cookie".into(), "a=1".into()),
        ("set-cookie".into(), "b=2".into()),
    ]);
    assert_eq!(
        values(&h, "strict-transport-security"),
        vec!["max-age=1, max-age=2"]
    );
    assert_eq!(values(&h, "content-type"), vec!["text/html"]);
    assert_eq!(values(&h, "set-cookie").len(), 2);
}

#[test]
fn preload_lists_in_either_format() {
    let observatory = PreloadList::from_json(
        r#"{"example.com": {"mode": "force-https", "includeSubDomains": true}, "a.test": {"mode": "force-https"}}"#,
    )
    .unwrap();
    assert!(observatory.covers("www.example.com") && observatory.covers("a.test"));
    assert!(!observatory.covers("www.a.test"));
    let chromium = PreloadList::from_json(
        "{\n// comment\n\"entries\": [{\"name\": \"bank.test\", \"policy\": \"custom\", \"mode\": \"force-https\", \"include_subdomains\": true}, {\"name\": \"pinned.test\"}]}",
    )
    .unwrap();
    assert_eq!(chromium.len(), 1);
    assert!(chromium.covers("login.bank.test") && !chromium.covers("pinned.test"));
    assert!(PreloadList::from_json("[1]").is_err());
}

proptest::proptest! {
    #[test]
    fn parsers_never_panic(input in "\\PC{0,200}", markup in "[<>!/='\"a-z &#;x0-9\u{e9}-]{0,200}") {
        let url = url::Url::parse("https://example.com/a").unwrap();
        let _ = parse_csp(&[input.clone(), markup.clone()]);
        let _ = parse_set_cookie(&input, &url);
        let _ = invalid_same_site(&input);
        let _ = html_elements(&markup, &["meta", "script", "a"]);
        let _ = html_elements(&input, &["meta"]);
        let _ = decode_entities(&markup);
        let _ = parse_int(&input);
    }
}

#[test]
fn html_scanning_skips_comments_and_script_text() {
    let found = html_elements(
        "<!-- <script src=a></script> --><SCRIPT src='/b.js' integrity=\"sha384-x\">if (a<b) {}</script>\
         <p title='>'><script src=//cdn.test/c.js></script><img src=x>",
        &["script"],
    );
    let srcs: Vec<&str> = found
        .iter()
        .map(|(_, a)| a.iter().find(|(k, _)| k == "src").unwrap().1.as_str())
        .collect();
    assert_eq!(srcs, vec!["/b.js", "//cdn.test/c.js"]);
}
