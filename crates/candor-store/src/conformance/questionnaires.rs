//! Questionnaires under review: sealed, versioned, audited, and in their org only.

use std::sync::Arc;

use super::{audit_event, new_org, now, sample};
use crate::Store;
use crate::documents::seal_record;
use crate::questionnaires::{NewQuestionnaire, ReviewChange, SealedRecord};

pub async fn questionnaires_are_sealed_versioned_audited_and_stay_in_their_org(
    store: Arc<dyn Store>,
) {
    let a = new_org(&*store, "quest-a").await;
    let b = new_org(&*store, "quest-b").await;
    let (master, _) = crate::keys::MasterKey::generate().unwrap();
    let id = uuid::Uuid::new_v4();
    let sealed = |text: &'static [u8]| {
        let store = store.clone();
        let (a, master) = (a.clone(), &master);
        async move {
            let (key_version, sealed) = seal_record(&*store, &a, master, "questionnaire", id, text)
                .await
                .unwrap();
            SealedRecord {
                key_version,
                sealed,
            }
        }
    };
    let audit_len = |scope| {
        let store = store.clone();
        async move { store.audit_log(&scope).await.unwrap().entries.len() }
    };
    let created = now();
    let new = NewQuestionnaire {
        id,
        created_at: created,
        file: sealed(b"the customer's workbook").await,
        state: sealed(b"{\"v\":1}").await,
    };
    let before = audit_len(a.clone()).await;
    store
        .insert_questionnaire(&a, &new, &audit_event("questionnaire.answer", "q", created))
        .await
        .unwrap();
    assert_eq!(audit_len(a.clone()).await, before + 1);
    let listed = store.questionnaires(&a).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].id, listed[0].version), (id, 1));
    assert_eq!(listed[0].created_at, created);
    assert_eq!(listed[0].state, new.state);
    assert_eq!(
        store.questionnaire_file(&a, id).await.unwrap(),
        Some(new.file.clone())
    );
    // Another org sees nothing of it and cannot change or delete it.
    assert!(store.questionnaires(&b).await.unwrap().is_empty());
    assert!(store.questionnaire(&b, id).await.unwrap().is_none());
    assert!(store.questionnaire_file(&b, id).await.unwrap().is_none());
    let state = sealed(b"{\"v\":2}").await;
    let change = |version, draft| ReviewChange {
        version,
        state: &state,
        at: now(),
        draft,
    };
    let event = audit_event("questionnaire.review", "q", now());
    assert!(
        !store
            .update_questionnaire(&b, id, &change(1, None), &event)
            .await
            .unwrap()
    );
    assert!(!store.delete_questionnaire(&b, id, &event).await.unwrap());
    assert_eq!(audit_len(b.clone()).await, 0);

    // A change names its version: the second one made on version 1 is refused
    // and writes nothing, not even its audit entry.
    assert!(
        store
            .update_questionnaire(&a, id, &change(1, None), &event)
            .await
            .unwrap()
    );
    let after_first = audit_len(a.clone()).await;
    let content = sample();
    assert!(
        !store
            .update_questionnaire(&a, id, &change(1, Some(&content)), &event)
            .await
            .unwrap()
    );
    assert_eq!(audit_len(a.clone()).await, after_first);
    assert!(store.draft(&a).await.unwrap().is_none());
    let now_stored = store.questionnaire(&a, id).await.unwrap().unwrap();
    assert_eq!((now_stored.version, &now_stored.state), (2, &state));

    // Saving to the knowledge base: the review, the draft and the audit entry at once.
    assert!(
        store
            .update_questionnaire(&a, id, &change(2, Some(&content)), &event)
            .await
            .unwrap()
    );
    assert_eq!(store.draft(&a).await.unwrap().unwrap().content, content);
    assert_eq!(audit_len(a.clone()).await, after_first + 1);
    assert!(store.draft(&b).await.unwrap().is_none());

    let deleted = audit_event("questionnaire.delete", "q", now());
    assert!(store.delete_questionnaire(&a, id, &deleted).await.unwrap());
    assert!(store.questionnaires(&a).await.unwrap().is_empty());
    assert!(store.questionnaire_file(&a, id).await.unwrap().is_none());
    assert!(!store.delete_questionnaire(&a, id, &deleted).await.unwrap());
    assert_eq!(audit_len(a.clone()).await, after_first + 2);
}
