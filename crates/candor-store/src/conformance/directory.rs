//! The org directory: slugs are unique, and deleting an org removes all of it.

use std::sync::Arc;

use candor_domain::policy::Role;

use super::{ACTOR, audit_event, mail, new_org, now, sample, subscribe_request, unique_slug};
use crate::{Store, StoreError, create_org, publish_draft, scope_for, verify_audit};

pub async fn orgs_are_unique_by_slug(store: Arc<dyn Store>) {
    let slug = unique_slug("acme");
    let scope = create_org(&*store, &slug, "Acme").await.unwrap();
    let again = create_org(&*store, &slug, "Acme again").await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let found = scope_for(&*store, &slug).await.unwrap().unwrap();
    assert_eq!(found, scope);
    let org = store.org_by_slug(&slug).await.unwrap().unwrap();
    assert_eq!(org.name, "Acme");
    assert!(
        store
            .list_orgs()
            .await
            .unwrap()
            .iter()
            .any(|o| o.slug == slug)
    );
    assert!(
        scope_for(&*store, &unique_slug("missing"))
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn deleting_an_org_removes_all_of_it_and_nothing_else(store: Arc<dyn Store>) {
    use crate::keys::MasterKey;
    let slug = unique_slug("gone");
    let a = create_org(&*store, &slug, "Gone").await.unwrap();
    let b = new_org(&*store, "stays").await;
    for scope in [&a, &b] {
        store.save_draft(scope, &sample()).await.unwrap();
        publish_draft(&*store, scope, now(), ACTOR).await.unwrap();
    }
    // Something in every kind of table.
    let (master, _) = MasterKey::generate().unwrap();
    let user = store
        .insert_user(&format!("{slug}@example.com"), "hash")
        .await
        .unwrap();
    let event = audit_event("member.set_role", "x", now());
    store
        .set_member_role(&a, user.id, Role::Owner, &event)
        .await
        .unwrap();
    store
        .insert_token(
            &a,
            "ci",
            crate::NewGrant {
                id: uuid::Uuid::new_v4(),
                role: Role::Editor,
                secret_hash: &format!("{slug}-token"),
                expires_at: now() + time::Duration::days(1),
            },
            &event,
        )
        .await
        .unwrap();
    store
        .insert_invite(
            &a,
            "x@example.com",
            crate::NewGrant {
                id: uuid::Uuid::new_v4(),
                role: Role::Viewer,
                secret_hash: &format!("{slug}-invite"),
                expires_at: now() + time::Duration::days(1),
            },
            &event,
        )
        .await
        .unwrap();
    store
        .insert_org_secret(
            &a,
            "log-signing-key",
            &master.seal("log-signing-key", a.org_id(), b"k").unwrap(),
        )
        .await
        .unwrap();
    store
        .subscribe(
            &a,
            &subscribe_request("r@example.com", &format!("{slug}-c")),
            &mail("m"),
        )
        .await
        .unwrap();
    let id = uuid::Uuid::new_v4();
    crate::documents::seal_file(&*store, &a, &master, "dpa", id, b"file")
        .await
        .unwrap();
    let (key_version, sealed) = crate::documents::seal_record(&*store, &a, &master, "q", id, b"{}")
        .await
        .unwrap();
    let record = crate::questionnaires::SealedRecord {
        key_version,
        sealed,
    };
    store
        .insert_questionnaire(
            &a,
            &crate::questionnaires::NewQuestionnaire {
                id,
                created_at: now(),
                file: record.clone(),
                state: record,
            },
            &event,
        )
        .await
        .unwrap();
    store
        .set_org_host(&slug, Some(&format!("{slug}.example.com")))
        .await
        .unwrap();
    store
        .add_counts(
            &a,
            &[crate::analytics::DailyCount {
                day: "2026-01-01".into(),
                metric: crate::analytics::Metric::PageView,
                referrer: String::new(),
                count: 3,
            }],
        )
        .await
        .unwrap();
    super::readers::fill_reader_tables(&*store, &a).await;
    let b_revisions = store.revisions(&b).await.unwrap();

    store.delete_org(a).await.unwrap();
    assert!(store.org_by_slug(&slug).await.unwrap().is_none());
    assert!(scope_for(&*store, &slug).await.unwrap().is_none());
    assert!(
        store
            .org_by_host(&format!("{slug}.example.com"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.memberships_of(user.id).await.unwrap().is_empty());
    // The other org is untouched and its logs still verify.
    assert_eq!(store.revisions(&b).await.unwrap(), b_revisions);
    assert!(verify_audit(&*store, &b).await.unwrap().is_ok());
    // The slug is free again, and starts empty.
    let again = create_org(&*store, &slug, "New").await.unwrap();
    assert!(store.latest_revision(&again).await.unwrap().is_none());
    assert!(store.subscribers(&again).await.unwrap().is_empty());
    assert!(store.data_keys(&again).await.unwrap().is_empty());
    assert!(
        store
            .daily_counts(&again, "2000-01-01")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.event_hooks(&again).await.unwrap().is_empty());
    assert!(
        store
            .reader_events(&again, &Default::default(), 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Revisions stay immutable outside an org deletion.
    assert!(store.revisions(&b).await.unwrap().len() == 1);
}

pub async fn orgs_that_publish_are_listed_for_page_caches(store: Arc<dyn Store>) {
    let a = new_org(&*store, "fresh-a").await;
    let b = new_org(&*store, "fresh-b").await;
    let since = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);
    let listed = |found: Vec<(candor_domain::OrgSlug, time::OffsetDateTime)>| {
        found.into_iter().map(|(slug, _)| slug).collect::<Vec<_>>()
    };
    assert!(
        !listed(store.orgs_published_since(since).await.unwrap()).contains(a.slug()),
        "not before it publishes"
    );
    store.save_draft(&a, &sample()).await.unwrap();
    publish_draft(&*store, &a, now(), ACTOR).await.unwrap();
    let found = listed(store.orgs_published_since(since).await.unwrap());
    assert!(found.contains(a.slug()), "{found:?}");
    assert!(!found.contains(b.slug()), "{found:?}");
    let later = time::OffsetDateTime::now_utc() + time::Duration::minutes(1);
    assert!(!listed(store.orgs_published_since(later).await.unwrap()).contains(a.slug()));
}
