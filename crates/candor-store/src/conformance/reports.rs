//! Vulnerability reports: sealed, queued to the security contact, acknowledged once.

use std::sync::Arc;

use super::{audit_event, mail, new_org, now};
use crate::Store;

pub async fn vulnerability_reports_are_sealed_queued_and_acknowledged_once(store: Arc<dyn Store>) {
    use crate::documents::{StoredReport, open_record, seal_record};
    let a = new_org(&*store, "vuln-a").await;
    let b = new_org(&*store, "vuln-b").await;
    let (master, _) = crate::keys::MasterKey::generate().unwrap();
    let id = uuid::Uuid::new_v4();
    let text = br#"{"title":"XSS in search"}"#;
    let (key_version, sealed) = seal_record(&*store, &a, &master, "report", id, text)
        .await
        .unwrap();
    let received = now() - time::Duration::days(3);
    let report = StoredReport {
        id,
        received_at: received,
        ack_due_at: received + time::Duration::days(1),
        acknowledged_at: None,
        key_version,
        sealed,
    };
    store
        .insert_report(&a, &report, &[mail("to the security contact")])
        .await
        .unwrap();
    assert_eq!(store.outbox_stats(&a).await.unwrap().pending, 1);
    let listed = store.reports(&a).await.unwrap();
    assert_eq!(listed, vec![report.clone()]);
    assert!(listed[0].is_overdue(now()));
    assert!(store.reports(&b).await.unwrap().is_empty());
    assert_eq!(
        open_record(
            &*store,
            &a,
            &master,
            "report",
            id,
            key_version,
            &listed[0].sealed
        )
        .await
        .unwrap(),
        text.to_vec()
    );
    assert!(
        open_record(
            &*store,
            &a,
            &master,
            "report",
            uuid::Uuid::new_v4(),
            key_version,
            &listed[0].sealed
        )
        .await
        .is_err(),
        "bound to its id"
    );
    let event = audit_event("report.acknowledge", format!("report:{id}"), now());
    assert!(
        !store
            .acknowledge_report(&b, id, now(), &event)
            .await
            .unwrap()
    );
    assert!(
        store
            .acknowledge_report(&a, id, now(), &event)
            .await
            .unwrap()
    );
    assert!(
        !store
            .acknowledge_report(&a, id, now(), &event)
            .await
            .unwrap()
    );
    let after = store.reports(&a).await.unwrap();
    assert!(after[0].acknowledged_at.is_some() && !after[0].is_overdue(now()));
}
