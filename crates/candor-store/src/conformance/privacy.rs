//! Data-subject rights: erasing one person's data in their org only.

use std::sync::Arc;

use super::{audit_event, mail, new_org, now, subscribe_request};
use crate::Store;

pub async fn personal_data_can_be_erased_per_person(store: Arc<dyn Store>) {
    use crate::documents::{
        DocumentRequest, DownloadGrant, DownloadRecord, RequestKind, RequestStatus,
    };
    use crate::outbox::SubscribeOutcome;
    let a = new_org(&*store, "dsr-a").await;
    let b = new_org(&*store, "dsr-b").await;
    let SubscribeOutcome::Pending(id) = store
        .subscribe(
            &a,
            &subscribe_request("ada@example.com", "c1"),
            &mail("confirm"),
        )
        .await
        .unwrap()
    else {
        panic!("pending");
    };
    store.confirm_subscriber(&a, "c1", now()).await.unwrap();
    store
        .insert_objection(&a, id, "Mailgun", "no", now())
        .await
        .unwrap();
    let request = DocumentRequest {
        id: uuid::Uuid::new_v4(),
        doc_key: "soc2".into(),
        kind: RequestKind::Nda,
        name: "Ada".into(),
        email: "ada@example.com".into(),
        company: "C".into(),
        nda_version: Some("1".into()),
        reason: String::new(),
        status: RequestStatus::Granted,
        created_at: now(),
        decided_at: Some(now()),
        expires_at: None,
        revoked_at: None,
        batch_id: None,
        decided_by: None,
        decision_note: None,
        locale: "en".into(),
    };
    store.insert_document_request(&a, &request).await.unwrap();
    store
        .insert_download_grant(
            &a,
            "grant-hash",
            &DownloadGrant {
                doc_key: "soc2".into(),
                request_id: Some(request.id),
                expires_at: now() + time::Duration::hours(1),
            },
        )
        .await
        .unwrap();
    store
        .record_download(
            &a,
            &DownloadRecord {
                doc_key: "soc2".into(),
                file_id: uuid::Uuid::new_v4(),
                request_id: Some(request.id),
                at: now(),
            },
        )
        .await
        .unwrap();
    // Another org cannot erase it.
    assert!(!store.erase_subscriber(&b, id).await.unwrap());
    assert_eq!(
        store
            .erase_document_requests(&b, "ada@example.com")
            .await
            .unwrap(),
        0
    );
    assert!(store.erase_subscriber(&a, id).await.unwrap());
    assert!(store.subscriber(&a, id).await.unwrap().is_none());
    assert!(store.objections(&a).await.unwrap().is_empty());
    assert_eq!(
        store.outbox_stats(&a).await.unwrap(),
        crate::outbox::OutboxStats::default()
    );
    assert_eq!(
        store
            .erase_document_requests(&a, "ada@example.com")
            .await
            .unwrap(),
        1
    );
    assert!(store.document_requests(&a).await.unwrap().is_empty());
    assert!(
        store
            .download_grant(&a, "grant-hash")
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.downloads(&a).await.unwrap().is_empty());
}

/// Erasing a person removes their subscriptions and requests in their org only,
/// and records it in the same transaction, with what was erased.
pub async fn a_persons_erasure_is_one_write_with_its_audit_entry(store: Arc<dyn Store>) {
    use crate::privacy::{ErasedCounts, PersonErasure, subject_ref};
    let a = new_org(&*store, "erase-a").await;
    let b = new_org(&*store, "erase-b").await;
    for (scope, token) in [(&a, "ea"), (&b, "eb")] {
        store
            .subscribe(
                scope,
                &subscribe_request("bob@example.com", token),
                &mail("confirm"),
            )
            .await
            .unwrap();
    }
    let erasure = PersonErasure {
        email: "bob@example.com".into(),
        resealed_reports: Vec::new(),
        audit: audit_event("privacy.erase", subject_ref("bob@example.com"), now()),
    };
    let counts = store.erase_person(&a, &erasure).await.unwrap();
    assert_eq!(
        counts,
        ErasedCounts {
            subscriptions: 1,
            requests: 0,
            reports: 0
        }
    );
    assert!(store.subscribers(&a).await.unwrap().is_empty());
    assert_eq!(
        store.subscribers(&b).await.unwrap().len(),
        1,
        "other org kept"
    );
    let log = store.audit_log(&a).await.unwrap();
    let last = log.entries.last().expect("an audit entry");
    assert_eq!(last.event.action, "privacy.erase");
    assert_eq!(
        last.event.target,
        format!(
            "{} subscriptions:1 requests:0 reports:0",
            subject_ref("bob@example.com")
        )
    );
    assert!(
        !last.event.target.contains("bob@"),
        "no address in the audit log"
    );
    assert!(crate::verify_audit(&*store, &a).await.unwrap().is_ok());
    // Nothing left to erase: still recorded, with zero counts.
    let again = store.erase_person(&a, &erasure).await.unwrap();
    assert_eq!(again, ErasedCounts::default());
    assert_eq!(
        store.audit_log(&a).await.unwrap().entries.len(),
        log.entries.len() + 1
    );
}
