//! Reader access: grants that expire or are revoked, domain lists, sign-in
//! links and sessions, readers' history and operator event endpoints.

use std::sync::Arc;

use time::Duration;
use uuid::Uuid;

use super::{audit_event, new_org, now};
use crate::documents::{DocumentRequest, DownloadRecord, RequestKind, RequestStatus};
use crate::outbox::{Channel, NewDelivery};
use crate::readers::{
    Decider, EventHook, GrantState, ReaderEvent, ReaderEventKind, ReaderFilter, ReaderPolicy,
    ReaderTokenKind,
};
use crate::{OrgScope, Store};

const READER: &str = "ada@customer.example";

fn request(doc: &str, status: RequestStatus, batch: Uuid) -> DocumentRequest {
    let granted = status == RequestStatus::Granted;
    DocumentRequest {
        id: Uuid::new_v4(),
        doc_key: doc.into(),
        kind: if granted {
            RequestKind::Nda
        } else {
            RequestKind::Approval
        },
        name: "Ada Reviewer".into(),
        email: READER.into(),
        company: "Customer Ltd".into(),
        nda_version: granted.then(|| "2".into()),
        reason: "Vendor review".into(),
        status,
        created_at: now(),
        decided_at: granted.then(now),
        expires_at: granted.then(|| now() + Duration::days(30)),
        revoked_at: None,
        batch_id: Some(batch),
        decided_by: granted.then_some(Decider::Nda),
        decision_note: None,
        // Read back whole below: the language they asked in is kept.
        locale: "de".into(),
    }
}

fn kinds(events: &[ReaderEvent]) -> Vec<ReaderEventKind> {
    events.iter().map(|e| e.kind).collect()
}

/// One row in each reader table, for the test that deletes an org.
pub(super) async fn fill_reader_tables(store: &dyn Store, scope: &OrgScope) {
    let granted = request("soc2", RequestStatus::Granted, Uuid::new_v4());
    let event = ReaderEvent::new(
        now(),
        READER,
        "soc2",
        Some(granted.id),
        ReaderEventKind::NdaAccepted,
        "",
    );
    store
        .insert_reader_requests(scope, &[granted], &[event], &[])
        .await
        .unwrap();
    store
        .set_reader_policy(
            scope,
            &ReaderPolicy::default(),
            now(),
            &audit_event("reader.policy", "", now()),
        )
        .await
        .unwrap();
    store
        .insert_reader_token(
            scope,
            &format!("h-{}", Uuid::new_v4()),
            READER,
            ReaderTokenKind::Link,
            now(),
        )
        .await
        .unwrap();
    let hook = EventHook {
        id: Uuid::new_v4(),
        url: "https://hooks.example.com/candor".into(),
        secret: crate::keys::SealedSecret {
            nonce: vec![0; 24],
            ciphertext: vec![1; 40],
        },
        created_at: now(),
    };
    store
        .insert_event_hook(scope, &hook, &audit_event("event_hook.add", "", now()))
        .await
        .unwrap();
}

pub async fn reader_grants_expire_are_revoked_and_stay_in_their_org(store: Arc<dyn Store>) {
    let a = new_org(&*store, "readers-a").await;
    let b = new_org(&*store, "readers-b").await;
    let batch = Uuid::new_v4();
    let nda = request("soc2", RequestStatus::Granted, batch);
    let pending = request("pentest", RequestStatus::Pending, batch);
    let events = [
        ReaderEvent::new(
            now(),
            READER,
            "soc2",
            Some(nda.id),
            ReaderEventKind::NdaAccepted,
            "NDA 2",
        ),
        ReaderEvent::new(
            now(),
            READER,
            "pentest",
            Some(pending.id),
            ReaderEventKind::Requested,
            "",
        ),
    ];
    let hook_call = NewDelivery {
        id: Uuid::new_v4(),
        subscriber_id: None,
        channel: Channel::Webhook,
        message: "{}".into(),
    };
    store
        .insert_reader_requests(&a, &[nda.clone(), pending.clone()], &events, &[hook_call])
        .await
        .unwrap();
    assert_eq!(
        store.outbox_stats(&a).await.unwrap().pending,
        1,
        "the event is queued with them"
    );
    let mine = store.requests_by_email(&a, READER).await.unwrap();
    assert_eq!(mine.len(), 2);
    assert!(mine.contains(&nda) && mine.contains(&pending), "{mine:?}");
    assert!(
        store
            .requests_by_email(&b, READER)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .requests_by_email(&a, "other@x.example")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        GrantState::of(&nda, now()),
        GrantState::Active(nda.expires_at.unwrap())
    );
    assert_eq!(
        GrantState::of(&nda, now() + Duration::days(31)),
        GrantState::Expired
    );
    assert_eq!(GrantState::of(&pending, now()), GrantState::Pending);

    // An admin's approval carries its expiry and is in the reader's history.
    let until = now() + Duration::days(7);
    let approve = audit_event("document.approve", format!("request:{}", pending.id), now());
    let approved = store
        .decide_document_request(&a, pending.id, Some(until), None, now(), &approve)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(approved.expires_at, Some(until));
    assert_eq!(approved.decided_by, Some(Decider::Admin));

    // Revoking: only in its org, only once.
    let revoke = audit_event("document.revoke", format!("request:{}", nda.id), now());
    assert!(
        store
            .revoke_grant(&b, nda.id, now(), &revoke)
            .await
            .unwrap()
            .is_none()
    );
    let revoked = store
        .revoke_grant(&a, nda.id, now(), &revoke)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(GrantState::of(&revoked, now()), GrantState::Revoked);
    assert!(
        store
            .revoke_grant(&a, nda.id, now(), &revoke)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .revoke_grant(&a, Uuid::new_v4(), now(), &revoke)
            .await
            .unwrap()
            .is_none(),
        "no such grant"
    );
    let audit = store.audit_log(&a).await.unwrap();
    assert!(
        audit
            .entries
            .iter()
            .any(|e| e.event.action == "document.revoke")
    );

    // A reader's download is in their history; the history is per reader and per document.
    store
        .record_download(
            &a,
            &DownloadRecord {
                doc_key: "pentest".into(),
                file_id: Uuid::new_v4(),
                request_id: Some(pending.id),
                at: now(),
            },
        )
        .await
        .unwrap();
    store
        .record_download(
            &a,
            &DownloadRecord {
                doc_key: "whitepaper".into(),
                file_id: Uuid::new_v4(),
                request_id: None,
                at: now(),
            },
        )
        .await
        .unwrap();
    let by_reader = ReaderFilter {
        email: Some(READER.into()),
        doc_key: None,
    };
    let history = store.reader_events(&a, &by_reader, 100).await.unwrap();
    let mut got = kinds(&history);
    got.sort_by_key(|k| k.as_str());
    let mut want = vec![
        ReaderEventKind::NdaAccepted,
        ReaderEventKind::Requested,
        ReaderEventKind::Approved,
        ReaderEventKind::Revoked,
        ReaderEventKind::Downloaded,
    ];
    want.sort_by_key(|k| k.as_str());
    assert_eq!(got, want, "public downloads are nobody's history");
    let by_doc = ReaderFilter {
        email: None,
        doc_key: Some("pentest".into()),
    };
    let pentest = store.reader_events(&a, &by_doc, 100).await.unwrap();
    assert!(pentest.iter().all(|e| e.doc_key == "pentest"));
    assert_eq!(pentest.len(), 3, "{pentest:?}");
    assert_eq!(
        store.reader_events(&a, &by_reader, 2).await.unwrap().len(),
        2
    );
    assert!(
        store
            .reader_events(&b, &by_reader, 100)
            .await
            .unwrap()
            .is_empty()
    );

    // The domain lists: defaults until set, per org.
    assert_eq!(
        store.reader_policy(&a).await.unwrap(),
        ReaderPolicy::default()
    );
    let policy = ReaderPolicy {
        allow_domains: vec!["customer.example".into(), "partner.example".into()],
        block_domains: vec!["rival.example".into()],
        grant_days: 90,
    };
    let set = audit_event("reader.policy", "", now());
    store
        .set_reader_policy(&a, &policy, now(), &set)
        .await
        .unwrap();
    store
        .set_reader_policy(&a, &policy, now(), &set)
        .await
        .unwrap();
    assert_eq!(store.reader_policy(&a).await.unwrap(), policy);
    assert_eq!(
        store.reader_policy(&b).await.unwrap(),
        ReaderPolicy::default()
    );

    // Erasing the reader takes their history with their requests.
    store.erase_document_requests(&a, READER).await.unwrap();
    assert!(
        store
            .reader_events(&a, &by_reader, 100)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn reader_sign_in_links_work_once_and_sessions_expire(store: Arc<dyn Store>) {
    let a = new_org(&*store, "signin-a").await;
    let b = new_org(&*store, "signin-b").await;
    let soon = now() + Duration::minutes(15);
    store
        .insert_reader_token(&a, "link-1", READER, ReaderTokenKind::Link, soon)
        .await
        .unwrap();
    store
        .insert_reader_token(
            &a,
            "link-old",
            READER,
            ReaderTokenKind::Link,
            now() - Duration::minutes(1),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .reader_links_since(&a, READER, now() - Duration::hours(1))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .reader_links_since(&b, READER, now() - Duration::hours(1))
            .await
            .unwrap(),
        0
    );
    let session_until = now() + Duration::hours(8);
    assert_eq!(
        store
            .sign_in_reader(&b, "link-1", "session-b", session_until, now())
            .await
            .unwrap(),
        None,
        "another org's link"
    );
    assert_eq!(
        store
            .sign_in_reader(&a, "link-old", "session-x", session_until, now())
            .await
            .unwrap(),
        None,
        "expired"
    );
    // Two clicks at once: one session.
    let (one, two) = tokio::join!(
        store.sign_in_reader(&a, "link-1", "session-1", session_until, now()),
        store.sign_in_reader(&a, "link-1", "session-2", session_until, now()),
    );
    let signed: Vec<_> = [one.unwrap(), two.unwrap()].into_iter().flatten().collect();
    assert_eq!(signed, vec![READER.to_owned()], "a link works once");
    let session = if store
        .reader_session(&a, "session-1", now())
        .await
        .unwrap()
        .is_some()
    {
        "session-1"
    } else {
        "session-2"
    };
    assert_eq!(
        store
            .reader_session(&a, session, now())
            .await
            .unwrap()
            .as_deref(),
        Some(READER)
    );
    assert!(
        store
            .reader_session(&b, session, now())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .reader_session(&a, session, session_until + Duration::seconds(1))
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    let history = store
        .reader_events(&a, &ReaderFilter::default(), 10)
        .await
        .unwrap();
    assert_eq!(kinds(&history), vec![ReaderEventKind::SignedIn]);
    store.end_reader_session(&a, session).await.unwrap();
    assert!(
        store
            .reader_session(&a, session, now())
            .await
            .unwrap()
            .is_none()
    );
    // Erasing the reader ends their sessions too.
    store
        .insert_reader_token(&a, "link-2", READER, ReaderTokenKind::Link, soon)
        .await
        .unwrap();
    store
        .sign_in_reader(&a, "link-2", "session-3", session_until, now())
        .await
        .unwrap()
        .unwrap();
    store.erase_document_requests(&a, READER).await.unwrap();
    assert!(
        store
            .reader_session(&a, "session-3", now())
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn event_hooks_are_sealed_audited_and_stay_in_their_org(store: Arc<dyn Store>) {
    use crate::documents::rewrap;
    use crate::keys::MasterKey;
    let a = new_org(&*store, "hooks-a").await;
    let b = new_org(&*store, "hooks-b").await;
    let (master, _) = MasterKey::generate().unwrap();
    let url = "https://crm.example.com/candor";
    let secret = master
        .seal(
            &crate::outbox::webhook_secret_purpose(url),
            a.org_id(),
            b"whsec_test",
        )
        .unwrap();
    let hook = EventHook {
        id: Uuid::new_v4(),
        url: url.into(),
        secret,
        created_at: now(),
    };
    let add = audit_event("event_hook.add", format!("event_hook:{}", hook.id), now());
    store.insert_event_hook(&a, &hook, &add).await.unwrap();
    assert!(
        store.insert_event_hook(&a, &hook, &add).await.is_err(),
        "one row per id and URL"
    );
    assert_eq!(store.event_hooks(&a).await.unwrap(), vec![hook.clone()]);
    assert!(store.event_hooks(&b).await.unwrap().is_empty());
    // A master key rotation re-seals its secret too.
    let ring = master.with_new_primary().unwrap();
    rewrap(&*store, &a, &ring).await.unwrap();
    let stored = store.event_hooks(&a).await.unwrap().remove(0);
    assert_ne!(stored.secret, hook.secret, "re-sealed");
    assert_eq!(
        ring.primary_only()
            .open(
                &crate::outbox::webhook_secret_purpose(url),
                a.org_id(),
                &stored.secret
            )
            .unwrap(),
        b"whsec_test"
    );
    let remove = audit_event(
        "event_hook.remove",
        format!("event_hook:{}", hook.id),
        now(),
    );
    assert!(!store.remove_event_hook(&b, hook.id, &remove).await.unwrap());
    assert!(store.remove_event_hook(&a, hook.id, &remove).await.unwrap());
    assert!(!store.remove_event_hook(&a, hook.id, &remove).await.unwrap());
    assert!(store.event_hooks(&a).await.unwrap().is_empty());
    let actions: Vec<_> = store
        .audit_log(&a)
        .await
        .unwrap()
        .entries
        .into_iter()
        .map(|e| e.event.action)
        .collect();
    assert!(actions.contains(&"event_hook.add".to_owned()));
    assert_eq!(
        actions.iter().filter(|a| *a == "event_hook.remove").count(),
        1
    );
}
