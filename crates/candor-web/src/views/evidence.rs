//! What the page says about each control's checks, from the stored evidence:
//! never green unless a recent check on a verified host passed. The same
//! standing feeds the OSCAL component definition's evidence results.

use candor_store::evidence::EvidenceRecord;
use time::OffsetDateTime;

use super::facts::human_time;
use super::trust_page::TrustPage;
use super::types::EvidenceLine;

/// Where one check stands now.
#[derive(Clone, Copy, Debug)]
pub enum Standing<'a> {
    /// The org has not proven it controls the host.
    Unverified,
    NotChecked,
    /// Last checked then: too long ago to count.
    Stale(OffsetDateTime),
    Pass(&'a EvidenceRecord),
    Warn(&'a EvidenceRecord),
    Fail(&'a EvidenceRecord),
}

impl<'a> Standing<'a> {
    /// The standing of check `kind` on `host` at `now`, with checks run every
    /// `interval` (a result older than two intervals is stale).
    pub fn of(
        evidence: &'a [EvidenceRecord],
        verified_hosts: &[String],
        host: &str,
        kind: &str,
        now: OffsetDateTime,
        interval: std::time::Duration,
    ) -> Standing<'a> {
        let interval = time::Duration::try_from(interval).unwrap_or(time::Duration::hours(6));
        if !verified_hosts.iter().any(|h| h == host) {
            return Standing::Unverified;
        }
        let Some(r) = evidence.iter().find(|e| e.host == host && e.check == kind) else {
            return Standing::NotChecked;
        };
        if now - r.ran_at > interval * 2 {
            return Standing::Stale(r.ran_at);
        }
        match r.verdict.as_str() {
            "pass" => Standing::Pass(r),
            "warn" => Standing::Warn(r),
            _ => Standing::Fail(r),
        }
    }

    /// The verdict in one word: `pass`, `warn`, `fail`, `unverified`,
    /// `not-checked` or `stale`.
    pub fn verdict(&self) -> &'static str {
        match self {
            Standing::Unverified => "unverified",
            Standing::NotChecked => "not-checked",
            Standing::Stale(_) => "stale",
            Standing::Pass(_) => "pass",
            Standing::Warn(_) => "warn",
            Standing::Fail(_) => "fail",
        }
    }

    /// The record behind a verdict that counts.
    pub fn record(&self) -> Option<&'a EvidenceRecord> {
        match *self {
            Standing::Pass(r) | Standing::Warn(r) | Standing::Fail(r) => Some(r),
            _ => None,
        }
    }
}

/// What the page says about each control's checks, from the stored evidence.
pub fn attach_evidence(
    page: &mut TrustPage<'_>,
    evidence: &[EvidenceRecord],
    verified_hosts: &[String],
    now: OffsetDateTime,
    interval: std::time::Duration,
) {
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
                    match Standing::of(evidence, verified_hosts, host, kind, now, interval) {
                        Standing::Unverified => {
                            line("unknown", "Not verified", "evidence-unverified", None, "")
                        }
                        Standing::NotChecked => {
                            line("unknown", "Not checked yet", "evidence-unchecked", None, "")
                        }
                        Standing::Stale(at) => line(
                            "unknown",
                            "Stale",
                            "evidence-stale",
                            Some(human_time(at)),
                            "",
                        ),
                        Standing::Pass(r) => line(
                            "ok",
                            "Verified",
                            "evidence-pass",
                            Some(human_time(r.ran_at)),
                            &r.summary,
                        ),
                        Standing::Warn(r) => line(
                            "warn",
                            "Verified with warnings",
                            "evidence-warn",
                            Some(human_time(r.ran_at)),
                            &r.summary,
                        ),
                        Standing::Fail(r) => line(
                            "bad",
                            "Failing",
                            "evidence-fail",
                            Some(human_time(r.failing_since.unwrap_or(r.ran_at))),
                            &r.summary,
                        ),
                    }
                })
                .collect();
        }
    }
}
