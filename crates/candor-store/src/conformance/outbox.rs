//! Subscribers and the outbox: confirmation, announcements once, leased claims.

use std::sync::Arc;

use super::{ACTOR, mail, new_org, now, sample, subscribe_request};
use crate::{OrgScope, Store, StoreError, publish_draft};

/// A manage token as stored before migration 14 (kept as it was, in the clear).
pub const LEGACY_MANAGE_TOKEN: &str =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// A subscriber whose salt column holds [`LEGACY_MANAGE_TOKEN`]; a backend's test
/// then rewinds its schema to before migration 14 and reopens the store.
pub async fn subscriber_with_legacy_token(store: &dyn Store) -> OrgScope {
    let scope = new_org(store, "legacy").await;
    let mut request = subscribe_request("reader@example.com", "legacy");
    request.manage_salt = LEGACY_MANAGE_TOKEN.into();
    store
        .subscribe(&scope, &request, &mail("confirm"))
        .await
        .unwrap();
    scope
}

/// After the migration, the old token still finds its subscriber by its hash,
/// and the row has a fresh salt.
pub async fn legacy_token_still_works(store: &dyn Store, scope: &OrgScope) {
    let found = store
        .subscriber_by_manage_link(
            scope,
            &crate::outbox::ManageLookup::LegacyTokenHash(crate::outbox::legacy_token_hash(
                LEGACY_MANAGE_TOKEN,
            )),
        )
        .await
        .unwrap()
        .expect("the link in mails already sent still works");
    assert_eq!(found.address, "reader@example.com");
    assert_ne!(found.manage_salt, LEGACY_MANAGE_TOKEN, "a fresh salt");
}

pub async fn subscribers_confirm_once_unsubscribe_and_stay_in_their_org(store: Arc<dyn Store>) {
    use crate::outbox::{ManageLookup, SubscribeOutcome};
    let a = new_org(&*store, "subs-a").await;
    let b = new_org(&*store, "subs-b").await;
    let hash = uuid::Uuid::new_v4().simple().to_string();
    let SubscribeOutcome::Pending(id) = store
        .subscribe(
            &a,
            &subscribe_request("reader@example.com", &hash),
            &mail("confirm"),
        )
        .await
        .unwrap()
    else {
        panic!("a new address is pending");
    };
    let pending = store.subscriber(&a, id).await.unwrap().unwrap();
    assert!(!pending.is_active());
    assert_eq!(
        pending.locale, "fr",
        "the language they subscribed in is kept"
    );
    assert_eq!(
        store
            .subscriber_by_address(&a, crate::outbox::Channel::Email, "reader@example.com")
            .await
            .unwrap(),
        Some(pending.clone())
    );
    assert!(
        store
            .subscriber_by_address(&b, crate::outbox::Channel::Email, "reader@example.com")
            .await
            .unwrap()
            .is_none()
    );
    // The confirmation was queued with the subscriber, in the same transaction.
    assert_eq!(store.outbox_stats(&a).await.unwrap().pending, 1);
    // Sending the form again at once mails nothing more, and the first link still works.
    for _ in 0..3 {
        let other = uuid::Uuid::new_v4().simple().to_string();
        assert_eq!(
            store
                .subscribe(
                    &a,
                    &subscribe_request("reader@example.com", &other),
                    &mail("again")
                )
                .await
                .unwrap(),
            SubscribeOutcome::Pending(id)
        );
    }
    assert_eq!(store.outbox_stats(&a).await.unwrap().pending, 1);
    // Another org cannot confirm, see or unsubscribe it.
    assert!(
        store
            .confirm_subscriber(&b, &hash, now())
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.subscriber(&b, id).await.unwrap().is_none());
    assert!(
        store
            .subscriber_by_manage_link(&b, &ManageLookup::Salt(pending.manage_salt.clone()))
            .await
            .unwrap()
            .is_none()
    );
    assert!(!store.unsubscribe(&b, id, now()).await.unwrap());
    assert!(store.subscribers(&b).await.unwrap().is_empty());
    assert_eq!(store.outbox_stats(&b).await.unwrap().pending, 0);
    // An expired confirmation does nothing; a live one confirms.
    assert!(
        store
            .confirm_subscriber(&a, &hash, now() + time::Duration::days(8))
            .await
            .unwrap()
            .is_none()
    );
    let active = store
        .confirm_subscriber(&a, &hash, now())
        .await
        .unwrap()
        .unwrap();
    assert!(active.is_active());
    // Subscribing an active address again changes nothing and queues nothing.
    assert_eq!(
        store
            .subscribe(
                &a,
                &subscribe_request("reader@example.com", "other"),
                &mail("again")
            )
            .await
            .unwrap(),
        SubscribeOutcome::AlreadyActive
    );
    assert_eq!(store.outbox_stats(&a).await.unwrap().pending, 1);
    let by_token = store
        .subscriber_by_manage_link(&a, &ManageLookup::Salt(active.manage_salt.clone()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_token.id, id);
    // A new subscriber has no token from before MACed links.
    assert!(
        store
            .subscriber_by_manage_link(
                &a,
                &ManageLookup::LegacyTokenHash(crate::outbox::legacy_token_hash(
                    &active.manage_salt
                ))
            )
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.unsubscribe(&a, id, now()).await.unwrap());
    assert!(!store.unsubscribe(&a, id, now()).await.unwrap());
    assert!(!store.subscriber(&a, id).await.unwrap().unwrap().is_active());
    // Coming back needs a new confirmation, and keeps the links of old mails working.
    let again = uuid::Uuid::new_v4().simple().to_string();
    assert_eq!(
        store
            .subscribe(
                &a,
                &subscribe_request("reader@example.com", &again),
                &mail("back")
            )
            .await
            .unwrap(),
        SubscribeOutcome::Pending(id)
    );
    let back = store
        .confirm_subscriber(&a, &again, now())
        .await
        .unwrap()
        .unwrap();
    assert!(back.is_active());
    assert_eq!(back.manage_salt, active.manage_salt);

    let objection = store
        .insert_objection(&a, id, "Mailgun", "Not in the EU", now())
        .await
        .unwrap();
    assert_eq!(objection.address, "reader@example.com");
    assert_eq!(store.objections(&a).await.unwrap(), vec![objection]);
    assert!(store.objections(&b).await.unwrap().is_empty());
    assert!(matches!(
        store.insert_objection(&b, id, "Mailgun", "x", now()).await,
        Err(StoreError::Conflict(_))
    ));
}

pub async fn announcements_queue_once_and_claims_are_leased(store: Arc<dyn Store>) {
    use crate::outbox::DeliveryResult;
    let a = new_org(&*store, "outbox-a").await;
    let b = new_org(&*store, "outbox-b").await;
    store.save_draft(&a, &sample()).await.unwrap();
    publish_draft(&*store, &a, now(), ACTOR).await.unwrap();
    assert_eq!(store.unannounced_revisions(&a).await.unwrap(), vec![1]);
    assert!(store.unannounced_revisions(&b).await.unwrap().is_empty());
    let batch: Vec<_> = (0..3).map(|i| mail(&format!("notice {i}"))).collect();
    assert!(store.announce_revision(&a, 1, &batch, now()).await.unwrap());
    // A second announcer (another replica) loses and queues nothing.
    assert!(
        !store
            .announce_revision(&a, 1, &batch[..1], now())
            .await
            .unwrap()
    );
    assert!(store.unannounced_revisions(&a).await.unwrap().is_empty());
    assert_eq!(store.outbox_stats(&a).await.unwrap().pending, 3);

    let t0 = now();
    assert!(
        store
            .claim_deliveries(&b, t0, t0 + time::Duration::seconds(30), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let first = store
        .claim_deliveries(&a, t0, t0 + time::Duration::seconds(30), 2)
        .await
        .unwrap();
    assert_eq!(first.len(), 2);
    assert!(first.iter().all(|d| d.attempts == 1));
    let rest = store
        .claim_deliveries(&a, t0, t0 + time::Duration::seconds(30), 10)
        .await
        .unwrap();
    assert_eq!(rest.len(), 1, "claimed messages are not handed out twice");
    store
        .finish_delivery(&a, first[0].id, &DeliveryResult::Delivered, t0)
        .await
        .unwrap();
    store
        .finish_delivery(
            &a,
            first[1].id,
            &DeliveryResult::Retry {
                next_attempt_at: t0 + time::Duration::seconds(60),
                error: "421 try later".into(),
            },
            t0,
        )
        .await
        .unwrap();
    // `rest[0]`'s worker died: once its lease expires the message is due again.
    let later = t0 + time::Duration::seconds(31);
    let reclaimed = store
        .claim_deliveries(&a, later, later + time::Duration::seconds(300), 10)
        .await
        .unwrap();
    assert_eq!(
        reclaimed.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![rest[0].id]
    );
    assert_eq!(reclaimed[0].attempts, 2);
    assert_eq!(reclaimed[0].message, rest[0].message);
    let retry_time = t0 + time::Duration::seconds(61);
    let retried = store
        .claim_deliveries(&a, retry_time, retry_time + time::Duration::seconds(30), 10)
        .await
        .unwrap();
    assert_eq!(
        retried.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![first[1].id]
    );
    store
        .finish_delivery(
            &a,
            retried[0].id,
            &DeliveryResult::Failed {
                error: "550".into(),
            },
            retry_time,
        )
        .await
        .unwrap();
    // Another org's id does nothing.
    store
        .finish_delivery(&b, reclaimed[0].id, &DeliveryResult::Delivered, later)
        .await
        .unwrap();
    let stats = store.outbox_stats(&a).await.unwrap();
    assert_eq!((stats.pending, stats.delivered, stats.failed), (1, 1, 1));
    store
        .enqueue(&a, &[mail("to the security contact")])
        .await
        .unwrap();
    assert_eq!(store.outbox_stats(&a).await.unwrap().pending, 2);
}

pub async fn concurrent_workers_never_claim_the_same_delivery(store: Arc<dyn Store>) {
    let a = new_org(&*store, "outbox-race").await;
    let batch: Vec<_> = (0..60).map(|i| mail(&format!("m{i}"))).collect();
    store.enqueue(&a, &batch).await.unwrap();
    let t0 = now() + time::Duration::seconds(1);
    let mut workers = Vec::new();
    for _ in 0..4 {
        let store = store.clone();
        let a = a.clone();
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = store
                    .claim_deliveries(&a, t0, t0 + time::Duration::seconds(60), 5)
                    .await
                    .unwrap();
                if got.is_empty() {
                    break mine;
                }
                mine.extend(got.into_iter().map(|d| d.id));
            }
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let unique: std::collections::HashSet<_> = all.iter().collect();
    assert_eq!(all.len(), 60);
    assert_eq!(unique.len(), 60);
}
