//! The page in each language: every word Candor composes comes from the
//! catalogue of the page's language.

#![allow(clippy::unwrap_used)]

use askama::Template;
use candor_domain::model::{
    AssessmentKind, ChangeCategory, ControlStatus, DocumentAccess, DocumentKind, Incident,
    IncidentReview, IncidentSeverity, IncidentStatus, IncidentUpdate, PostureStatus, Severity,
    TenancyModel, TermsStatus, TlsVersion, TrustCenter, Verdict,
};
use candor_domain::types::{Day, Moment};
use candor_domain::{ContentHash, Revision};
use time::{Duration, OffsetDateTime};

use super::{TrustPage, attach_evidence};
use crate::i18n::{CATALOGUES, Tr, label_id, record_misses};

fn incident(now: OffsetDateTime) -> Incident {
    let confirmed = now - Duration::days(20);
    let at = |minutes: i64| Moment::at(confirmed + Duration::minutes(minutes));
    Incident {
        key: "outage".parse().unwrap(),
        title: "Slow dashboards".parse().unwrap(),
        severity: IncidentSeverity::Major,
        material: true,
        confirmed_at: at(0),
        components: vec!["Dashboards".parse().unwrap()],
        regions: vec![],
        updates: vec![
            IncidentUpdate {
                status: IncidentStatus::Investigating,
                body: "Looking.".parse().unwrap(),
                published_at: Some(at(192)),
            },
            IncidentUpdate {
                status: IncidentStatus::Resolved,
                body: "Fixed.".parse().unwrap(),
                published_at: Some(at(300)),
            },
        ],
        resolved_at: Some(at(290)),
        review: Some(IncidentReview {
            summary: "What happened.".parse().unwrap(),
            document: None,
            published_at: Some(at(3 * 24 * 60)),
        }),
    }
}

fn evidence(now: OffsetDateTime, tc: &TrustCenter) -> Vec<candor_store::evidence::EvidenceRecord> {
    // One record per check the content names, each verdict in turn, one stale.
    let verdicts = ["pass", "warn", "fail", "pass"];
    tc.controls
        .iter()
        .flat_map(|c| &c.checks)
        .enumerate()
        .map(|(i, check)| candor_store::evidence::EvidenceRecord {
            host: check.host.to_string(),
            check: candor_app::evidence::kind_name(check.check).to_owned(),
            ran_at: if i % 5 == 4 {
                now - Duration::days(9)
            } else {
                now - Duration::hours(1)
            },
            verdict: verdicts[i % verdicts.len()].to_owned(),
            summary: "HSTS max-age=63072000".to_owned(),
            findings_json: "[]".to_owned(),
            failing_since: None,
        })
        .collect()
}

/// Both demo orgs (with an incident, evidence in every state and an unverified
/// host), in every language: no message the page asks for is missing from the
/// page's catalogue, and the words differ from English.
#[test]
fn the_demo_pages_are_wholly_in_each_language() {
    let now = OffsetDateTime::now_utc();
    let today = Day(now.date());
    for yaml in [candor_demo::QUILLFEATHER, candor_demo::HARBORLIGHT] {
        let mut content = TrustCenter::from_yaml(yaml).unwrap();
        content.incidents.push(incident(now));
        let records = evidence(now, &content);
        let mut hosts: Vec<String> = records.iter().map(|r| r.host.clone()).collect();
        hosts.pop();
        let revision = Revision {
            number: 2,
            content_hash: ContentHash::of(b"test"),
            published_at: now,
            content,
        };
        let mut pages = Vec::new();
        for (locale, _) in CATALOGUES {
            let missing = record_misses(|| {
                let mut page = TrustPage::new_in("demo", &revision, today, locale);
                attach_evidence(
                    &mut page,
                    &records,
                    &hosts,
                    now,
                    std::time::Duration::from_secs(6 * 3600),
                );
                page.log_lost_after = Some((1, today.to_string()));
                page.log_key = Some("demo+abc".into());
                page.retired_log_keys = vec!["old+abc".into()];
                pages.push(page.render().unwrap());
            });
            assert!(missing.is_empty(), "{locale}: {missing:?}");
        }
        let [en, de, fr] = &pages[..] else { panic!() };
        for english in [
            "Implemented",
            "Notified after 3 h 12 min",
            "Within ",
            "Recovery time objective",
            "Verified with warnings",
        ] {
            if en.contains(english) {
                assert!(
                    !de.contains(english) && !fr.contains(english),
                    "{english} stays English"
                );
            }
        }
        assert!(
            en.contains("Notified after 3 h 12 min"),
            "the incident's clock is on the page"
        );
        assert!(de.contains("Benachrichtigt nach 3 Std. 12 Min."));
        assert!(fr.contains("Notifié après 3 h 12 min"));
    }
}

/// Every label the domain gives its values has a message in every catalogue.
#[test]
fn every_label_of_the_domain_is_in_every_catalogue() {
    use ControlStatus as C;
    use PostureStatus as P;
    let mut labels: Vec<&str> = vec![];
    labels.extend([C::Implemented, C::InProgress, C::Planned, C::NotApplicable].map(C::label));
    labels.extend(
        [
            P::Compliant,
            P::Certified,
            P::InProgress,
            P::Roadmap,
            P::DesignedAgainst,
            P::NotPursued,
            P::OutOfScope,
        ]
        .map(P::label),
    );
    labels.extend(
        [
            ChangeCategory::Reliability,
            ChangeCategory::Security,
            ChangeCategory::Privacy,
            ChangeCategory::Billing,
            ChangeCategory::Ux,
        ]
        .map(ChangeCategory::label),
    );
    labels.extend([TlsVersion::Tls12, TlsVersion::Tls13].map(TlsVersion::label));
    labels.extend(
        [
            TenancyModel::Pooled,
            TenancyModel::Siloed,
            TenancyModel::Hybrid,
        ]
        .map(TenancyModel::label),
    );
    labels.extend(
        [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
        ]
        .map(Severity::label),
    );
    labels.extend(
        [
            TermsStatus::Draft,
            TermsStatus::LegalReview,
            TermsStatus::NonBinding,
        ]
        .map(TermsStatus::label),
    );
    labels.extend(
        [
            IncidentSeverity::Minor,
            IncidentSeverity::Major,
            IncidentSeverity::Critical,
        ]
        .map(IncidentSeverity::label),
    );
    labels.extend(
        [
            IncidentStatus::Investigating,
            IncidentStatus::Identified,
            IncidentStatus::Monitoring,
            IncidentStatus::Resolved,
        ]
        .map(IncidentStatus::label),
    );
    labels.extend(
        [
            DocumentAccess::Public,
            DocumentAccess::Nda,
            DocumentAccess::Approval,
        ]
        .map(DocumentAccess::label),
    );
    labels.extend(
        [
            DocumentKind::AuditReport,
            DocumentKind::Certificate,
            DocumentKind::PentestSummary,
            DocumentKind::Agreement,
            DocumentKind::Policy,
            DocumentKind::Questionnaire,
            DocumentKind::Other,
        ]
        .map(DocumentKind::label),
    );
    labels.extend([AssessmentKind::Internal, AssessmentKind::External].map(AssessmentKind::label));
    labels.extend(
        [
            Verdict::Yes,
            Verdict::No,
            Verdict::Partial,
            Verdict::NotApplicable,
        ]
        .map(Verdict::label),
    );
    labels.extend(candor_domain::catalogue::FrameworkId::ALL.map(|f| f.unit()));
    for (locale, _) in CATALOGUES {
        let missing = record_misses(|| {
            for label in &labels {
                Tr::new(locale).label(label);
            }
        });
        assert!(missing.is_empty(), "{locale}: {missing:?}");
    }
    assert_eq!(
        label_id(PostureStatus::Roadmap.label()),
        "label-on-the-roadmap"
    );
}

/// Every message the reader pages' templates ask for by name exists.
#[test]
fn the_templates_ask_only_for_messages_that_exist() {
    let templates = [
        ("trust.html", include_str!("../../templates/trust.html")),
        (
            "document.html",
            include_str!("../../templates/document.html"),
        ),
        ("access.html", include_str!("../../templates/access.html")),
        ("reader.html", include_str!("../../templates/reader.html")),
        ("report.html", include_str!("../../templates/report.html")),
        (
            "subscription.html",
            include_str!("../../templates/subscription.html"),
        ),
        (
            "questions.html",
            include_str!("../../templates/questions.html"),
        ),
        ("error.html", include_str!("../../templates/error.html")),
        (
            "not_found.html",
            include_str!("../../templates/not_found.html"),
        ),
    ];
    let mut asked = 0;
    for (name, template) in templates {
        for call in ["t.t(\"", "t.t1(\"", "t.t2(\"", "t.tn(\"", "t.tn1(\""] {
            for (i, _) in template.match_indices(call) {
                let rest = &template[i + call.len()..];
                let id = &rest[..rest.find('"').unwrap()];
                assert!(
                    crate::i18n::exists(id),
                    "{name} asks for {id}, which en.ftl lacks"
                );
                asked += 1;
            }
        }
    }
    assert!(asked > 150, "{asked}");
}
