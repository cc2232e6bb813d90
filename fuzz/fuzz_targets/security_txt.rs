//! Any bytes served as security.txt give findings, never a panic, and the same
//! input always gives the same findings.
#![no_main]

use libfuzzer_sys::fuzz_target;
use time::macros::datetime;

fuzz_target!(|data: &[u8]| {
    let now = datetime!(2026-11-22 12:00 UTC);
    let url = "https://example.com/.well-known/security.txt";
    let first = candor_verify::securitytxt::check_body(data, &[url], now);
    let second = candor_verify::securitytxt::check_body(data, &[url], now);
    assert_eq!(first, second);
});
