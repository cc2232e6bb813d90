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
    for category in &mut page.categories {
        for view in &mut category.controls {
            view.evidence = view
                .control
                .checks
                .iter()
                .map(|check| {
                    let kind = candor_app::evidence::kind_name(check.check);
                    let host = check.host.as_str();
                    let what = format!("{kind} on {host}");
                    let record = evidence.iter().find(|e| e.host == host && e.check == kind);
                    let line = |css, label, text: String| EvidenceLine { text, css, label };
                    if !verified_hosts.iter().any(|h| h == host) {
                        return line(
                            "unknown",
                            "Not verified",
                            format!(
                                "{what}: not verified, the org has not proven it controls this host"
                            ),
                        );
                    }
                    let Some(r) = record else {
                        return line(
                            "unknown",
                            "Not checked yet",
                            format!("{what}: not checked yet"),
                        );
                    };
                    if now - r.ran_at > interval * 2 {
                        return line(
                            "unknown",
                            "Stale",
                            format!(
                                "{what}: last checked {}, too long ago to count",
                                human_time(r.ran_at)
                            ),
                        );
                    }
                    match r.verdict.as_str() {
                        "pass" => line(
                            "ok",
                            "Verified",
                            format!("{what}: verified {} ({})", human_time(r.ran_at), r.summary),
                        ),
                        "warn" => line(
                            "warn",
                            "Verified with warnings",
                            format!("{what}: checked {}: {}", human_time(r.ran_at), r.summary),
                        ),
                        _ => line(
                            "bad",
                            "Failing",
                            format!(
                                "{what}: failing since {}: {}",
                                human_time(r.failing_since.unwrap_or(r.ran_at)),
                                r.summary
                            ),
                        ),
                    }
                })
                .collect();
        }
    }
}
