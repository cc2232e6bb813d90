//! Referrer-Policy, from the header and `<meta name="referrer">`.

use super::{Headers, PageMeta};
use crate::{Finding, Verdict};

/// Referrer policies that send no full URL to another origin.
pub const SAFE_REFERRER_POLICIES: &[&str] = &[
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
];

/// Valid referrer policies that do.
pub const UNSAFE_REFERRER_POLICIES: &[&str] = &[
    "origin",
    "origin-when-cross-origin",
    "unsafe-url",
    "no-referrer-when-downgrade",
];

/// Referrer-Policy: one of the values that do not leak full URLs across origins.
/// A `<meta name="referrer">` comes after the header and wins.
pub fn check_referrer(headers: &Headers, meta: &PageMeta) -> Finding {
    const C: &str = "referrer_policy";
    const SAFE: &[&str] = SAFE_REFERRER_POLICIES;
    const UNSAFE: &[&str] = UNSAFE_REFERRER_POLICIES;
    let mut given: Vec<&str> = headers.all("referrer-policy");
    given.extend(meta.referrer.as_deref());
    let value = given.join(", ");
    if given.is_empty() {
        // Browsers default to strict-origin-when-cross-origin today.
        return Finding::new(
            C,
            "referrer_policy_missing",
            Verdict::Warn,
            "no Referrer-Policy (browsers default to strict-origin-when-cross-origin)",
        );
    }
    // The last recognised token wins (the fallback syntax).
    let effective = value
        .split(',')
        .map(|t| t.trim().to_ascii_lowercase())
        .rev()
        .find(|t| SAFE.contains(&t.as_str()) || UNSAFE.contains(&t.as_str()));
    match effective {
        Some(t) if SAFE.contains(&t.as_str()) => Finding::pass(C, t),
        Some(t) => Finding::new(
            C,
            "referrer_policy_unsafe",
            Verdict::Fail,
            format!("{t} sends full URLs or origins where it should not"),
        ),
        None => Finding::new(
            C,
            "referrer_policy_invalid",
            Verdict::Fail,
            format!("{value:?} is not a Referrer-Policy"),
        ),
    }
}
