//! Gated documents: encrypted files, key rotation, requests, grants and downloads.

use std::sync::Arc;

use candor_domain::audit::AuditEvent;

use super::{audit_event, new_org, now};
use crate::Store;

fn upload_event(key: &str) -> AuditEvent {
    audit_event("document.upload", format!("document:{key}"), now())
}

pub async fn documents_are_encrypted_per_org_and_survive_a_master_key_rotation(
    store: Arc<dyn Store>,
) {
    use crate::documents::{DocumentFile, StoredFile, open_file, rewrap, seal_file};
    use crate::keys::MasterKey;
    let a = new_org(&*store, "docs-a").await;
    let b = new_org(&*store, "docs-b").await;
    let (master, _) = MasterKey::generate().unwrap();
    let plaintext = b"SOC 2 Type II report: CONFIDENTIAL-MARKER-7731".repeat(100);
    let id = uuid::Uuid::new_v4();
    let (version, sealed) = seal_file(&*store, &a, &master, "soc2-report", id, &plaintext)
        .await
        .unwrap();
    assert_eq!(version, 1);
    let marker: &[u8] = b"CONFIDENTIAL-MARKER-7731";
    assert!(
        !sealed.ciphertext.windows(marker.len()).any(|w| w == marker),
        "the plaintext shows through"
    );
    let file = DocumentFile {
        id,
        doc_key: "soc2-report".into(),
        filename: "soc2.pdf".into(),
        content_type: "application/pdf".into(),
        size: plaintext.len() as u64,
        sha256: "00".repeat(32),
        key_version: version,
        uploaded_at: now(),
    };
    store
        .insert_document_file(&a, &file, &sealed, &upload_event("soc2-report"))
        .await
        .unwrap();
    let stored = store
        .document_file(&a, "soc2-report")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.file, file);
    assert_eq!(
        open_file(&*store, &a, &master, &stored).await.unwrap(),
        plaintext
    );
    assert!(
        store
            .document_file(&b, "soc2-report")
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.document_files(&b).await.unwrap().is_empty());
    assert_eq!(store.document_files(&a).await.unwrap(), vec![file.clone()]);
    assert!(store.data_keys(&b).await.unwrap().is_empty());
    // The upload is in the audit log.
    assert!(
        store
            .audit_log(&a)
            .await
            .unwrap()
            .entries
            .iter()
            .any(|e| e.event.action == "document.upload")
    );

    // A changed byte, or the blob presented as another document or upload, is refused.
    let mut tampered = stored.clone();
    tampered.sealed.ciphertext[10] ^= 1;
    assert!(open_file(&*store, &a, &master, &tampered).await.is_err());
    let mut moved = stored.clone();
    moved.file.doc_key = "dpa".into();
    assert!(open_file(&*store, &a, &master, &moved).await.is_err());
    let elsewhere = StoredFile { ..stored.clone() };
    assert!(open_file(&*store, &b, &master, &elsewhere).await.is_err());

    // A second upload becomes the current file.
    let id2 = uuid::Uuid::new_v4();
    let (_, sealed2) = seal_file(&*store, &a, &master, "soc2-report", id2, b"v2")
        .await
        .unwrap();
    let file2 = DocumentFile {
        id: id2,
        size: 2,
        ..file.clone()
    };
    store
        .insert_document_file(&a, &file2, &sealed2, &upload_event("soc2-report"))
        .await
        .unwrap();
    let current = store
        .document_file(&a, "soc2-report")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(current.file.id, id2);
    assert_eq!(store.document_files(&a).await.unwrap().len(), 1);
    // Every version is kept and listed, newest first; the other org has none.
    let versions = store.document_file_versions(&a).await.unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0].id, id2);
    assert!(store.document_file_versions(&b).await.unwrap().is_empty());

    // Rotation: every sealed value is re-sealed under the new key; files still open,
    // and after that the old key is no longer needed.
    let secret = master.seal("log-signing-key", a.org_id(), b"seed").unwrap();
    store
        .insert_org_secret(&a, "log-signing-key", &secret)
        .await
        .unwrap();
    let ring = master.with_new_primary().unwrap();
    let count = rewrap(&*store, &a, &ring).await.unwrap();
    assert_eq!(count, 2, "the data key and the signing key");
    let new_only = ring.primary_only();
    assert_eq!(
        open_file(&*store, &a, &new_only, &current).await.unwrap(),
        b"v2".to_vec()
    );
    assert_eq!(
        new_only
            .open(
                "log-signing-key",
                a.org_id(),
                &store
                    .org_secret(&a, "log-signing-key")
                    .await
                    .unwrap()
                    .unwrap()
            )
            .unwrap(),
        b"seed"
    );
    assert!(
        open_file(&*store, &a, &master, &current).await.is_err(),
        "the old key alone no longer opens it"
    );
}

pub async fn document_requests_grants_and_downloads_stay_in_their_org(store: Arc<dyn Store>) {
    use crate::documents::{
        DocumentRequest, DownloadGrant, DownloadRecord, RequestKind, RequestStatus,
    };
    let a = new_org(&*store, "req-a").await;
    let b = new_org(&*store, "req-b").await;
    let request = DocumentRequest {
        id: uuid::Uuid::new_v4(),
        doc_key: "pentest-summary".into(),
        kind: RequestKind::Approval,
        name: "Ada Reviewer".into(),
        email: "ada@customer.example".into(),
        company: "Customer Ltd".into(),
        nda_version: None,
        reason: "Vendor review".into(),
        status: RequestStatus::Pending,
        created_at: now(),
        decided_at: None,
        expires_at: None,
        revoked_at: None,
        batch_id: None,
        decided_by: None,
        decision_note: None,
        locale: "en".into(),
    };
    store.insert_document_request(&a, &request).await.unwrap();
    assert_eq!(
        store.document_requests(&a).await.unwrap(),
        vec![request.clone()]
    );
    assert!(store.document_requests(&b).await.unwrap().is_empty());
    assert!(
        store
            .document_request(&b, request.id)
            .await
            .unwrap()
            .is_none()
    );
    let event = audit_event("document.approve", format!("request:{}", request.id), now());
    assert!(
        store
            .decide_document_request(
                &b,
                request.id,
                Some(now() + time::Duration::days(30)),
                None,
                now(),
                &event
            )
            .await
            .unwrap()
            .is_none()
    );
    let decided = store
        .decide_document_request(
            &a,
            request.id,
            Some(now() + time::Duration::days(30)),
            Some("Welcome aboard"),
            now(),
            &event,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(decided.status, RequestStatus::Granted);
    assert_eq!(decided.decision_note.as_deref(), Some("Welcome aboard"));
    assert!(
        store
            .decide_document_request(&a, request.id, None, None, now(), &event)
            .await
            .unwrap()
            .is_none(),
        "decided once"
    );
    let grant = DownloadGrant {
        doc_key: "pentest-summary".into(),
        request_id: Some(request.id),
        expires_at: now() + time::Duration::hours(1),
    };
    store
        .insert_download_grant(&a, "hash-1", &grant)
        .await
        .unwrap();
    assert_eq!(
        store.download_grant(&a, "hash-1").await.unwrap(),
        Some(grant)
    );
    assert!(store.download_grant(&b, "hash-1").await.unwrap().is_none());
    let record = DownloadRecord {
        doc_key: "pentest-summary".into(),
        file_id: uuid::Uuid::new_v4(),
        request_id: Some(request.id),
        at: now(),
    };
    store.record_download(&a, &record).await.unwrap();
    assert_eq!(store.downloads(&a).await.unwrap(), vec![record]);
    assert!(store.downloads(&b).await.unwrap().is_empty());
}
