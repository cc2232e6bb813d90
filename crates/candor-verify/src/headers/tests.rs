use super::*;
use crate::{Finding, Verdict};

fn h(pairs: &[(&str, &str)]) -> Headers {
    Headers(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

fn codes(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.code).collect()
}

#[test]
fn hsts_verdicts() {
    let good = h(&[(
        "Strict-Transport-Security",
        "max-age=63072000; includeSubDomains; preload",
    )]);
    let f = check_hsts(&good, Some(true));
    assert_eq!(codes(&f), vec!["ok"]);
    assert!(f[0].message.contains("preload-eligible"));
    assert_eq!(codes(&check_hsts(&h(&[]), None)), vec!["hsts_missing"]);
    assert_eq!(
        codes(&check_hsts(
            &h(&[
                ("strict-transport-security", "max-age=86400"),
                ("Strict-Transport-Security", "max-age=86400")
            ]),
            None
        )),
        vec!["hsts_duplicate"]
    );
    assert_eq!(
        codes(&check_hsts(
            &h(&[(
                "strict-transport-security",
                "max-age=86400; includeSubDomains"
            )]),
            None
        )),
        vec!["hsts_short"]
    );
    assert_eq!(
        codes(&check_hsts(
            &h(&[(
                "strict-transport-security",
                "max-age=20000000; includeSubDomains"
            )]),
            None
        )),
        vec!["hsts_under_a_year"]
    );
    assert_eq!(
        codes(&check_hsts(
            &h(&[("strict-transport-security", "max-age=31536000")]),
            None
        )),
        vec!["hsts_no_subdomains"]
    );
    assert_eq!(
        codes(&check_hsts(
            &h(&[("strict-transport-security", "includeSubDomains")]),
            None
        )),
        vec!["hsts_invalid"]
    );
    assert_eq!(
        codes(&check_hsts(
            &h(&[("strict-transport-security", "max-age=1; max-age=2")]),
            None
        )),
        vec!["hsts_invalid"]
    );
    assert_eq!(
        codes(&check_hsts(
            &h(&[(
                "strict-transport-security",
                "max-age=31536000; includeSubDomains; preload"
            )]),
            Some(false)
        )),
        vec!["hsts_preload_ineligible"]
    );
}

#[test]
fn redirect_verdicts() {
    assert_eq!(
        check_redirect("example.com", Some("https://example.com/")).code,
        "ok"
    );
    assert_eq!(
        check_redirect("example.com", Some("https://www.example.com/")).code,
        "redirect_off_host"
    );
    assert_eq!(
        check_redirect("example.com", Some("/login")).code,
        "redirect_not_https"
    );
    assert_eq!(check_redirect("example.com", None).code, "redirect_missing");
}

#[test]
fn meta_elements_count_like_headers_except_frame_ancestors() {
    let meta = PageMeta::from_html(
        "<html><head><meta http-equiv=\"content-security-policy\" content=\"default-src &#39;self&#39;; frame-ancestors 'none'\">\
         <script>document.write('<meta name=referrer content=no-referrer>')</script>\
         <META NAME=referrer CONTENT=unsafe-url></head></html>",
    );
    assert_eq!(meta.csp, vec!["default-src 'self'; frame-ancestors 'none'"]);
    assert_eq!(meta.referrer.as_deref(), Some("unsafe-url"));
    assert_eq!(codes(&check_csp(&h(&[]), &meta)), vec!["ok"]);
    // A header says no-referrer; the page's own meta element comes later and wins.
    assert_eq!(
        check_referrer(&h(&[("referrer-policy", "no-referrer")]), &meta).code,
        "referrer_policy_unsafe"
    );
    // Browsers ignore frame-ancestors in a meta policy.
    assert_eq!(check_framing(&h(&[])).code, "framing_unrestricted");
    assert_eq!(
        codes(&check_csp(
            &h(&[(
                "content-security-policy",
                "script-src 'strict-dynamic' 'self'; object-src 'none'"
            )]),
            &PageMeta::default()
        )),
        vec!["csp_strict_dynamic_without_nonce"]
    );
}

#[test]
fn csp_verdicts() {
    let csp = |p: &str| {
        codes(&check_csp(
            &h(&[("content-security-policy", p)]),
            &PageMeta::default(),
        ))
    };
    // Every enforced policy applies: a weakness counts only if all have it.
    let two = |a: &str, b: &str| {
        codes(&check_csp(
            &h(&[
                ("content-security-policy", a),
                ("content-security-policy", b),
            ]),
            &PageMeta::default(),
        ))
    };
    assert_eq!(
        two(
            "script-src 'self' 'unsafe-inline'; object-src 'none'",
            "script-src 'self'; object-src 'none'"
        ),
        vec!["ok"]
    );
    // A policy that leaves scripts alone lets the other one's weakness through.
    assert_eq!(
        two(
            "object-src 'none'",
            "script-src 'self' 'unsafe-eval'; object-src 'none'"
        ),
        vec!["csp_unsafe_eval"]
    );
    assert_eq!(
        two(
            "script-src 'self' 'unsafe-eval'; object-src 'none'",
            "script-src * 'unsafe-eval'; object-src 'none'"
        ),
        vec!["csp_unsafe_eval"]
    );
    // One policy that forbids framing is enough.
    let framing = check_framing(&h(&[
        ("content-security-policy", "frame-ancestors *"),
        ("content-security-policy", "frame-ancestors 'none'"),
    ]));
    assert_eq!(framing.verdict, Verdict::Pass, "{}", framing.message);
    assert_eq!(
        csp("default-src 'self'; frame-ancestors 'none'"),
        vec!["ok"]
    );
    assert_eq!(
        csp("default-src 'self'; script-src 'self' 'unsafe-inline'"),
        vec!["csp_unsafe_inline"]
    );
    assert_eq!(
        csp("default-src 'self'; script-src 'self' 'unsafe-inline' 'nonce-abc'"),
        vec!["ok"]
    );
    assert_eq!(
        csp("default-src 'self'; script-src 'self' 'unsafe-eval'"),
        vec!["csp_unsafe_eval"]
    );
    assert_eq!(
        csp("default-src 'self'; script-src data:"),
        vec!["csp_insecure_scheme_source"]
    );
    assert_eq!(
        csp("default-src *"),
        vec!["csp_insecure_scheme_source", "csp_object_src_open"]
    );
    assert_eq!(
        csp("img-src 'self'"),
        vec!["csp_no_script_src", "csp_no_object_src"]
    );
    assert_eq!(
        codes(&check_csp(
            &h(&[("content-security-policy-report-only", "default-src 'self'")]),
            &PageMeta::default()
        )),
        vec!["csp_report_only"]
    );
    assert_eq!(
        codes(&check_csp(&h(&[]), &PageMeta::default())),
        vec!["csp_missing"]
    );
}

#[test]
fn framing_sniffing_referrer_cookies_cors() {
    assert_eq!(
        check_framing(&h(&[("content-security-policy", "frame-ancestors 'none'")])).code,
        "ok"
    );
    assert_eq!(
        check_framing(&h(&[("content-security-policy", "frame-ancestors *")])).code,
        "frame_ancestors_open"
    );
    assert_eq!(
        check_framing(&h(&[("x-frame-options", "sameorigin")])).code,
        "ok"
    );
    assert_eq!(
        check_framing(&h(&[("x-frame-options", "ALLOW-FROM https://a")])).code,
        "xfo_invalid"
    );
    assert_eq!(check_framing(&h(&[])).code, "framing_unrestricted");
    assert_eq!(
        check_nosniff(&h(&[("x-content-type-options", "nosniff")])).code,
        "ok"
    );
    assert_eq!(check_nosniff(&h(&[])).code, "xcto_missing");
    assert_eq!(
        check_referrer(
            &h(&[("referrer-policy", "no-referrer")]),
            &PageMeta::default()
        )
        .code,
        "ok"
    );
    assert_eq!(
        check_referrer(
            &h(&[("referrer-policy", "unsafe-url")]),
            &PageMeta::default()
        )
        .code,
        "referrer_policy_unsafe"
    );
    assert_eq!(
        check_referrer(
            &h(&[("referrer-policy", "unsafe-url, strict-origin")]),
            &PageMeta::default()
        )
        .code,
        "ok"
    );
    assert_eq!(
        check_referrer(&h(&[]), &PageMeta::default()).code,
        "referrer_policy_missing"
    );
    let cookie = |v: &str| codes(&check_cookies(&h(&[("set-cookie", v)])));
    assert_eq!(
        cookie("__Host-session=x; Path=/; Secure; HttpOnly; SameSite=Lax"),
        vec!["ok"]
    );
    assert_eq!(
        cookie("sessionid=x; Path=/; SameSite=Lax"),
        vec!["cookie_not_secure", "cookie_session_not_httponly"]
    );
    assert_eq!(cookie("theme=dark; Secure"), vec!["cookie_no_samesite"]);
    // Anti-CSRF cookies are read by scripts on purpose; "token" inside a word
    // is not the word token; the rule that matched is named.
    for name in ["csrftoken", "XSRF-TOKEN", "_csrf", "__Host-csrf"] {
        assert_eq!(
            cookie(&format!("{name}=x; Path=/; Secure; SameSite=Lax")),
            vec!["ok"],
            "{name}"
        );
    }
    assert_eq!(cookie("tokenizer_pref=x; Secure; SameSite=Lax"), vec!["ok"]);
    let auth = check_cookies(&h(&[("set-cookie", "authToken=x; Secure; SameSite=Lax")]));
    assert_eq!(
        auth[0].message,
        "authToken looks like a session cookie (its name has the word \"auth\") and lacks HttpOnly"
    );
    // RFC 6265bis: a __Host- cookie needs Secure, Path=/ and no Domain; a
    // __Secure- cookie needs Secure. Browsers drop the others.
    assert_eq!(
        cookie("__Host-id=x; Secure; HttpOnly; SameSite=Lax"),
        vec!["cookie_host_prefix_invalid"]
    );
    let host = check_cookies(&h(&[(
        "set-cookie",
        "__Host-id=x; Path=/app; Domain=example.com; HttpOnly; SameSite=Lax",
    )]));
    assert_eq!(
        host.iter()
            .find(|f| f.code == "cookie_host_prefix_invalid")
            .unwrap()
            .message,
        "__Host-id: a __Host- cookie needs Secure, Path=/, no Domain; browsers drop it"
    );
    assert_eq!(
        cookie("__Secure-id=x; HttpOnly; SameSite=Lax"),
        vec!["cookie_not_secure", "cookie_secure_prefix_invalid"]
    );
    assert_eq!(
        cookie("theme=dark; SameSite=None"),
        vec!["cookie_not_secure", "cookie_samesite_none_insecure"]
    );
    assert_eq!(
        cookie("theme=dark; Secure; SameSite=Sometimes"),
        vec!["cookie_samesite_invalid"]
    );
    assert_eq!(check_cors(&h(&[]), "https://evil.example").code, "ok");
    assert_eq!(
        check_cors(
            &h(&[
                ("access-control-allow-origin", "https://evil.example"),
                ("access-control-allow-credentials", "true")
            ]),
            "https://evil.example"
        )
        .code,
        "cors_credentials_any_origin"
    );
    assert_eq!(
        check_cors(
            &h(&[("access-control-allow-origin", "*")]),
            "https://evil.example"
        )
        .code,
        "cors_public"
    );
}
