//! What the page says about each control's checks, from the stored evidence:
//! never green unless a recent check on a verified host passed.

use super::facts::human_time;
use super::trust_page::TrustPage;
use super::types::EvidenceLine;

/// What the page says about each control's checks, from the stored evidence.
pub fn attach_evidence(
    page: &mut TrustPage<'_>,
    evidence: &[candor_store::evidence::EvidenceRecord],
    verified_hosts: &[String],
    now: time::OffsetDateTime,
    interval: std::time::Duration,
) {
    let interval = time::Duration::try_from(interval).unwrap_or(time::Duration::hours(6));
    let t = page.t;
    for category in &mut page.categories {
        for view in &mut category.controls {
            view.evidence = view
                .control
                .checks
                .iter()
                .map(|check| {
                    let kind = candor_app::evidence::kind_name(check.check);
                    let host = check.host.as_str();
                    let what = t.t2("evidence-what", "check", kind, "host", host);
                    let record = evidence.iter().find(|e| e.host == host && e.check == kind);
                    // The check's summary is what the scanner observed, in its own words.
                    let line = |css, label: &str, id: &str, when: Option<String>, summary: &str| {
                        let mut args = fluent_bundle::FluentArgs::new();
                        args.set("what", what.clone());
                        args.set("when", when.unwrap_or_default());
                        args.set("summary", summary.to_owned());
                        EvidenceLine {
                            text: t.args(id, &args),
                            css,
                            label: t.label(label),
                        }
                    };
                    if !verified_hosts.iter().any(|h| h == host) {
                        return line("unknown", "Not verified", "evidence-unverified", None, "");
                    }
                    let Some(r) = record else {
                        return line("unknown", "Not checked yet", "evidence-unchecked", None, "");
                    };
                    if now - r.ran_at > interval * 2 {
                        let when = Some(human_time(r.ran_at));
                        return line("unknown", "Stale", "evidence-stale", when, "");
                    }
                    let summary = r.summary.as_str();
                    match r.verdict.as_str() {
                        "pass" => line(
                            "ok",
                            "Verified",
                            "evidence-pass",
                            Some(human_time(r.ran_at)),
                            summary,
                        ),
                        "warn" => line(
                            "warn",
                            "Verified with warnings",
                            "evidence-warn",
                            Some(human_time(r.ran_at)),
                            summary,
                        ),
                        _ => line(
                            "bad",
                            "Failing",
                            "evidence-fail",
                            Some(human_time(r.failing_since.unwrap_or(r.ran_at))),
                            summary,
                        ),
                    }
                })
                .collect();
        }
    }
}
