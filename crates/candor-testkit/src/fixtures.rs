//! Content the suites build on, beside the demo files of `candor-demo`.

/// The `id`s of the sections every demo trust page has, in page order.
pub const DEMO_PAGE_SECTIONS: &[&str] = &[
    "overview",
    "promises",
    "compliance",
    "controls",
    "commitments",
    "subprocessors",
    "changelog",
    "roadmap",
    "documents",
    "faq",
    "knowledge",
    "disclosure",
    "verify",
];

/// When the Mailgun subprocessor the tests add takes effect: far enough ahead to meet
/// the default 30-day notice rule on whatever day the tests run.
pub fn mailgun_effective() -> String {
    let day = time::OffsetDateTime::now_utc().date() + time::Duration::days(45);
    let format = time::macros::format_description!("[year]-[month]-[day]");
    day.format(format).unwrap()
}

/// A subprocessor entry to insert before `changelog:` in a demo file.
pub fn mailgun_entry() -> String {
    format!(
        "- name: Mailgun\n  purpose: Backup email delivery\n  locations: [United States]\n  data_categories: [Account email addresses]\n  enabled_by_default: true\n  website: https://www.mailgun.com\n  announced_at: 2026-11-22\n  effective_at: {}\nchangelog:\n",
        mailgun_effective()
    )
}
