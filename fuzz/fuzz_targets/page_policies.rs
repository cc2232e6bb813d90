//! Any bytes as a page and its headers: the HTML meta scan, the Observatory's CSP
//! parser and the cookie parser give answers, never a panic, and the same answer
//! twice.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let first = candor_verify::observatory::html_elements(&text, &["meta", "script"]);
    assert_eq!(first, candor_verify::observatory::html_elements(&text, &["meta", "script"]));
    let policies: Vec<String> = text.split('\n').map(str::to_owned).collect();
    let parsed = candor_verify::observatory::parse_csp(&policies);
    assert_eq!(parsed, candor_verify::observatory::parse_csp(&policies));
    let _ = candor_verify::headers::PageMeta::from_html(&text);
    let url = url::Url::parse("https://example.com/a/b").unwrap();
    for line in text.lines() {
        let _ = candor_verify::observatory::parse_set_cookie(line, &url);
    }
});
