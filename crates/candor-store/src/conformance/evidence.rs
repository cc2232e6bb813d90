//! Evidence: claimed hosts and the latest result of each check.

use std::sync::Arc;

use super::{new_org, now};
use crate::Store;

pub async fn hosts_are_claimed_per_org_and_evidence_remembers_when_failing_began(
    store: Arc<dyn Store>,
) {
    use crate::evidence::EvidenceRecord;
    let a = new_org(&*store, "ev-a").await;
    let b = new_org(&*store, "ev-b").await;
    let claim = store
        .claim_host(&a, "app.example.com", "tok-1", now())
        .await
        .unwrap();
    assert_eq!(claim.token, "tok-1");
    assert!(claim.verified_at.is_none());
    // Claiming again keeps the token already published.
    assert_eq!(
        store
            .claim_host(&a, "app.example.com", "tok-2", now())
            .await
            .unwrap()
            .token,
        "tok-1"
    );
    // Another org may claim the same name, but proves it separately.
    store
        .claim_host(&b, "app.example.com", "tok-b", now())
        .await
        .unwrap();
    assert!(
        store
            .mark_host_verified(&a, "app.example.com", Some(now()))
            .await
            .unwrap()
    );
    assert!(
        !store
            .mark_host_verified(&a, "other.example.com", Some(now()))
            .await
            .unwrap()
    );
    assert!(
        store.host_claims(&a).await.unwrap()[0]
            .verified_at
            .is_some()
    );
    assert!(
        store.host_claims(&b).await.unwrap()[0]
            .verified_at
            .is_none()
    );
    // A proof that is gone unverifies the host, for this org only.
    store
        .mark_host_verified(&b, "app.example.com", Some(now()))
        .await
        .unwrap();
    assert!(
        store
            .mark_host_verified(&a, "app.example.com", None)
            .await
            .unwrap()
    );
    assert!(
        store.host_claims(&a).await.unwrap()[0]
            .verified_at
            .is_none()
    );
    assert!(
        store.host_claims(&b).await.unwrap()[0]
            .verified_at
            .is_some()
    );
    store
        .mark_host_verified(&a, "app.example.com", Some(now()))
        .await
        .unwrap();

    let at = |minutes: i64| now() + time::Duration::minutes(minutes);
    let result = |verdict: &str, ran_at| EvidenceRecord {
        host: "app.example.com".into(),
        check: "hsts".into(),
        ran_at,
        verdict: verdict.into(),
        summary: format!("{verdict} summary"),
        findings_json: "[]".into(),
        failing_since: None,
    };
    assert_eq!(
        store
            .record_evidence(&a, &result("pass", at(0)))
            .await
            .unwrap()
            .failing_since,
        None
    );
    assert_eq!(
        store
            .record_evidence(&a, &result("fail", at(10)))
            .await
            .unwrap()
            .failing_since,
        Some(at(10))
    );
    assert_eq!(
        store
            .record_evidence(&a, &result("fail", at(20)))
            .await
            .unwrap()
            .failing_since,
        Some(at(10)),
        "still failing since the first failure"
    );
    let listed = store.evidence(&a).await.unwrap();
    assert_eq!(listed.len(), 1, "one latest result per host and check");
    assert_eq!(
        (listed[0].ran_at, listed[0].failing_since),
        (at(20), Some(at(10)))
    );
    assert_eq!(
        store
            .record_evidence(&a, &result("pass", at(30)))
            .await
            .unwrap()
            .failing_since,
        None
    );
    assert!(store.evidence(&b).await.unwrap().is_empty());
}
