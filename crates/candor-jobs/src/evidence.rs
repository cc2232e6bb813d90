//! Scheduled evidence: the checks that controls name (`checks: - check: hsts,
//! host: app.example.com`) run against hosts the org has proven it controls, on
//! a schedule, a few hosts per org per pass; every result is stored with what
//! was observed, and a failure keeps the time it began.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use candor_domain::model::CheckKind;
use candor_store::evidence::EvidenceRecord;
use candor_store::{OrgScope, SharedStore};
use candor_verify::scan::{ScanOptions, scan};
use candor_verify::{Finding, Verdict};
use time::OffsetDateTime;

#[derive(Clone, Debug)]
pub struct EvidenceConfig {
    /// How often each check runs.
    pub interval: Duration,
    /// Hosts scanned per org per pass: the per-org rate limit.
    pub hosts_per_pass: usize,
    pub scan: ScanOptions,
}

impl EvidenceConfig {
    pub fn new(scan: ScanOptions) -> EvidenceConfig {
        EvidenceConfig {
            interval: Duration::from_secs(6 * 3600),
            hosts_per_pass: 5,
            scan,
        }
    }
}

/// The scanner's check names that make up each kind a control can name.
pub fn finding_checks(kind: CheckKind) -> &'static [&'static str] {
    match kind {
        CheckKind::Hsts => &["hsts"],
        CheckKind::Tls => &["tls"],
        CheckKind::Redirect => &["redirect"],
        CheckKind::SecurityTxt => &["security_txt"],
        CheckKind::Observatory => &["observatory"],
        CheckKind::Headers => &[
            "csp",
            "framing",
            "x_content_type_options",
            "referrer_policy",
            "cookies",
            "cors",
        ],
    }
}

pub use candor_app::evidence::kind_name;

/// The Observatory-rules grade as a finding: A- or better passes, B- or better
/// warns, anything lower (or no grade) fails.
pub fn observatory_finding(outcome: &candor_verify::scan::ObservatoryOutcome) -> Finding {
    use candor_verify::scan::ObservatoryOutcome;
    match outcome {
        ObservatoryOutcome::Graded(grade) => {
            let verdict = match grade.grade {
                "A+" | "A" | "A-" => Verdict::Pass,
                "B+" | "B" | "B-" => Verdict::Warn,
                _ => Verdict::Fail,
            };
            let code = if verdict == Verdict::Pass {
                "ok"
            } else {
                "observatory_grade_low"
            };
            Finding::new("observatory", code, verdict, format!("grade {grade}"))
        }
        ObservatoryOutcome::NotGraded { error } => Finding::new(
            "observatory",
            "observatory_not_graded",
            Verdict::Fail,
            format!("no grade: {error}"),
        ),
    }
}

/// The part of a scan's raw observations a kind of check judged.
pub fn observed_for(
    kind: CheckKind,
    report: &candor_verify::scan::ScanReport,
) -> serde_json::Value {
    let seen = &report.observed;
    match kind {
        CheckKind::Hsts => {
            serde_json::json!({"page": seen.page, "http_first_hop": seen.http_first_hop})
        }
        CheckKind::Tls => serde_json::json!({
            "certificate": seen.certificate,
            "legacy_protocols_accepted": seen.legacy_protocols_accepted,
            "connection_error": seen.page.as_ref().and_then(|p| p.error.clone()),
        }),
        CheckKind::Redirect => serde_json::json!({"http_first_hop": seen.http_first_hop}),
        CheckKind::Headers => serde_json::json!({"page": seen.page}),
        CheckKind::SecurityTxt => serde_json::json!({"security_txt": seen.security_txt}),
        CheckKind::Observatory => serde_json::json!({"observatory": report.observatory}),
    }
}

/// One kind's record from a scan's findings: its worst verdict and why, with
/// the findings and the raw observations they were drawn from.
pub fn record_for(
    host: &str,
    kind: CheckKind,
    findings: &[Finding],
    observed: serde_json::Value,
    ran_at: OffsetDateTime,
) -> EvidenceRecord {
    let mine: Vec<&Finding> = findings
        .iter()
        .filter(|f| finding_checks(kind).contains(&f.check))
        .collect();
    let worst = mine.iter().map(|f| f.verdict).max();
    let (verdict, summary) = match worst {
        None => (
            "fail",
            "the scan observed nothing for this check".to_owned(),
        ),
        Some(v) => {
            let name = match v {
                Verdict::Pass => "pass",
                Verdict::Warn => "warn",
                Verdict::Fail => "fail",
            };
            let summary = mine
                .iter()
                .filter(|f| f.verdict == v)
                .map(|f| f.message.clone())
                .collect::<Vec<_>>()
                .join("; ");
            (name, summary)
        }
    };
    EvidenceRecord {
        host: host.to_owned(),
        check: kind_name(kind).to_owned(),
        ran_at,
        verdict: verdict.to_owned(),
        summary,
        findings_json: serde_json::json!({"findings": mine, "observed": observed}).to_string(),
        failing_since: None,
    }
}

/// Runs the org's due checks, at most `hosts_per_pass` hosts. Returns how many
/// records were written.
pub async fn run_due_checks(
    store: &SharedStore,
    scope: &OrgScope,
    config: &EvidenceConfig,
) -> candor_store::Result<usize> {
    let Some(revision) = store.latest_revision(scope).await? else {
        return Ok(0);
    };
    let mut wanted: BTreeMap<String, BTreeSet<CheckKind>> = BTreeMap::new();
    for control in &revision.content.controls {
        for check in &control.checks {
            wanted
                .entry(check.host.to_string())
                .or_default()
                .insert(check.check);
        }
    }
    if wanted.is_empty() {
        return Ok(0);
    }
    // Verified hosts and their tokens: the proof is checked again before each scan.
    let verified: BTreeMap<String, String> = store
        .host_claims(scope)
        .await?
        .into_iter()
        .filter(|c| c.verified_at.is_some())
        .map(|c| (c.host, c.token))
        .collect();
    let previous = store.evidence(scope).await?;
    let now = OffsetDateTime::now_utc();
    let interval = time::Duration::try_from(config.interval).unwrap_or(time::Duration::hours(6));
    let due = |host: &str, kind: CheckKind| {
        !previous
            .iter()
            .any(|e| e.host == host && e.check == kind_name(kind) && now - e.ran_at < interval)
    };
    let mut written = 0;
    let mut scanned = 0;
    for (host, kinds) in &wanted {
        let Some(token) = verified.get(host) else {
            continue;
        };
        if !kinds.iter().any(|k| due(host, *k)) {
            continue;
        }
        if scanned >= config.hosts_per_pass {
            break;
        }
        scanned += 1;
        // A host the org no longer proves it controls (a lapsed domain, a token
        // taken down) is not scanned in its name: it goes back to unverified and
        // the page says so, until the org proves it again. A host that does not
        // answer at all keeps its proof: the scan then records it as failing.
        match candor_verify::proof::prove(host, token, &config.scan).await {
            Ok(_) => {}
            Err(why) if !why.answered => {
                tracing::info!(org = %scope.slug(), %host, reason = %why, "proof of host control out of reach; scanning anyway");
            }
            Err(why) => {
                store.mark_host_verified(scope, host, None).await?;
                store
                    .append_audit(
                        scope,
                        &candor_domain::audit::AuditEvent::new(
                            "system:worker",
                            candor_domain::audit::AuditAction::HostProofLost,
                            format!("host:{host}"),
                            OffsetDateTime::now_utc(),
                        ),
                    )
                    .await?;
                tracing::warn!(org = %scope.slug(), %host, reason = %why, "proof of host control is gone; host unverified");
                continue;
            }
        }
        let ran_at = OffsetDateTime::now_utc();
        let (findings, report) = match scan(&format!("https://{host}/"), &config.scan).await {
            Ok(report) => {
                let mut findings = report.findings.clone();
                findings.push(observatory_finding(&report.observatory));
                (findings, Some(report))
            }
            Err(e) => (
                vec![Finding::new(
                    "scan",
                    "scan_error",
                    Verdict::Fail,
                    e.to_string(),
                )],
                None,
            ),
        };
        for kind in kinds {
            let observed = report
                .as_ref()
                .map_or(serde_json::Value::Null, |r| observed_for(*kind, r));
            let mut record = record_for(host, *kind, &findings, observed, ran_at);
            if let Some(error) = findings.iter().find(|f| f.check == "scan") {
                record.verdict = "fail".into();
                record.summary = error.message.clone();
            }
            store.record_evidence(scope, &record).await?;
            metrics::counter!(
                candor_app::metrics::EVIDENCE_CHECKS,
                "check" => kind_name(*kind),
                "verdict" => verdict_label(&record.verdict)
            )
            .increment(1);
            written += 1;
        }
        tracing::info!(org = %scope.slug(), checks = kinds.len(), "evidence checks ran");
    }
    Ok(written)
}

/// The verdict as a label from a fixed set (the record holds it as text).
fn verdict_label(verdict: &str) -> &'static str {
    match verdict {
        "pass" => "pass",
        "warn" => "warn",
        "fail" => "fail",
        _ => "other",
    }
}
