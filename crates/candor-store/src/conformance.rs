//! The behaviour every backend must show, run by each backend's test binary with
//! [`conformance_tests!`](crate::conformance_tests). Written once so that SQLite and
//! PostgreSQL cannot drift apart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use candor_domain::{OrgSlug, TrustCenter};
use time::OffsetDateTime;

use candor_domain::audit::AuditEvent;

use crate::{
    OrgScope, PublishOutcome, Store, StoreError, create_org, publish_draft, scope_for, verify_audit,
};

/// Generates one `#[tokio::test]` per conformance case. `$make` is an async
/// expression yielding a fresh `Arc<dyn Store>`.
#[macro_export]
macro_rules! conformance_tests {
    ($make:expr) => {
        $crate::conformance_tests!(@cases $make;
            orgs_are_unique_by_slug,
            drafts_round_trip_and_overwrite,
            revisions_are_numbered_hashed_and_retrievable,
            publish_skips_an_unchanged_draft,
            orgs_cannot_see_each_others_data,
            concurrent_publishes_get_distinct_numbers,
            unicode_survives_storage,
            publishing_records_an_audit_entry,
            audit_logs_chain_per_org_even_under_concurrency
        );
    };
    (@cases $make:expr; $($case:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let store: ::std::sync::Arc<dyn $crate::Store> = $make.await;
                $crate::conformance::$case(store).await;
            }
        )*
    };
}

const ACTOR: &str = "operator:test";

/// A realistic document to store: the demo trust center.
pub fn sample() -> TrustCenter {
    TrustCenter::from_yaml(include_str!("../../candor/demo/quillfeather.yaml")).unwrap()
}

/// A slug no other test uses, so cases may share a database.
pub fn unique_slug(prefix: &str) -> OrgSlug {
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}-{}", &suffix[..10]).parse().unwrap()
}

fn now() -> OffsetDateTime {
    // Whole seconds: some backends store microseconds, and equality must hold.
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(0).unwrap()
}

async fn new_org(store: &dyn Store, prefix: &str) -> OrgScope {
    create_org(store, &unique_slug(prefix), "Example Org")
        .await
        .unwrap()
}

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

pub async fn drafts_round_trip_and_overwrite(store: Arc<dyn Store>) {
    let scope = new_org(&*store, "drafts").await;
    assert!(store.draft(&scope).await.unwrap().is_none());
    let mut content = sample();
    store.save_draft(&scope, &content).await.unwrap();
    assert_eq!(store.draft(&scope).await.unwrap().unwrap().content, content);
    content.controls.truncate(3);
    store.save_draft(&scope, &content).await.unwrap();
    assert_eq!(store.draft(&scope).await.unwrap().unwrap().content, content);
}

pub async fn revisions_are_numbered_hashed_and_retrievable(store: Arc<dyn Store>) {
    let scope = new_org(&*store, "revs").await;
    assert!(store.latest_revision(&scope).await.unwrap().is_none());
    let first = sample();
    let t1 = now();
    let r1 = store
        .insert_revision(&scope, &first, t1, ACTOR)
        .await
        .unwrap();
    assert_eq!(
        (r1.number, r1.content_hash, r1.published_at),
        (1, first.content_hash(), t1)
    );
    let mut second = first.clone();
    second.faq.pop();
    let r2 = store
        .insert_revision(&scope, &second, now(), ACTOR)
        .await
        .unwrap();
    assert_eq!(r2.number, 2);
    assert_eq!(store.latest_revision(&scope).await.unwrap().unwrap(), r2);
    assert_eq!(store.revision(&scope, 1).await.unwrap().unwrap(), r1);
    assert_eq!(
        store.revision(&scope, 1).await.unwrap().unwrap().content,
        first
    );
    assert!(store.revision(&scope, 3).await.unwrap().is_none());
    let summary = store
        .latest_revision_summary(&scope)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (summary.number, summary.content_hash),
        (2, second.content_hash())
    );
    let list: Vec<u64> = store
        .revisions(&scope)
        .await
        .unwrap()
        .iter()
        .map(|r| r.number)
        .collect();
    assert_eq!(list, vec![2, 1]);
}

pub async fn publish_skips_an_unchanged_draft(store: Arc<dyn Store>) {
    let scope = new_org(&*store, "publish").await;
    assert!(matches!(
        publish_draft(&*store, &scope, now(), ACTOR).await.unwrap(),
        PublishOutcome::NoDraft
    ));
    let mut content = sample();
    store.save_draft(&scope, &content).await.unwrap();
    let PublishOutcome::Published { revision, changes } =
        publish_draft(&*store, &scope, now(), ACTOR).await.unwrap()
    else {
        panic!("first publish did not publish");
    };
    assert_eq!(revision.number, 1);
    assert!(
        changes.is_empty(),
        "a first revision has nothing to compare with"
    );
    assert!(matches!(
        publish_draft(&*store, &scope, now(), ACTOR).await.unwrap(),
        PublishOutcome::Unchanged { latest: 1 }
    ));
    content.roadmap.pop();
    store.save_draft(&scope, &content).await.unwrap();
    let PublishOutcome::Published { revision, changes } =
        publish_draft(&*store, &scope, now(), ACTOR).await.unwrap()
    else {
        panic!("changed draft did not publish");
    };
    assert_eq!(revision.number, 2);
    assert_eq!(changes.describe().len(), 1, "{:?}", changes.describe());
}

pub async fn orgs_cannot_see_each_others_data(store: Arc<dyn Store>) {
    let a = new_org(&*store, "tenant-a").await;
    let b = new_org(&*store, "tenant-b").await;
    let content = sample();
    store.save_draft(&a, &content).await.unwrap();
    store
        .insert_revision(&a, &content, now(), ACTOR)
        .await
        .unwrap();
    store
        .insert_revision(&a, &content, now(), ACTOR)
        .await
        .unwrap();

    assert!(store.draft(&b).await.unwrap().is_none());
    assert!(store.latest_revision(&b).await.unwrap().is_none());
    assert!(store.latest_revision_summary(&b).await.unwrap().is_none());
    assert!(store.revision(&b, 1).await.unwrap().is_none());
    assert!(store.revisions(&b).await.unwrap().is_empty());

    // B's numbering starts at 1 regardless of A's history, and B's writes leave A alone.
    let mut other = content.clone();
    other.promises.clear();
    let rb = store
        .insert_revision(&b, &other, now(), ACTOR)
        .await
        .unwrap();
    assert_eq!(rb.number, 1);
    store.save_draft(&b, &other).await.unwrap();
    assert_eq!(store.draft(&a).await.unwrap().unwrap().content, content);
    assert_eq!(store.latest_revision(&a).await.unwrap().unwrap().number, 2);
    assert_eq!(
        store.revision(&a, 1).await.unwrap().unwrap().content,
        content
    );
}

pub async fn concurrent_publishes_get_distinct_numbers(store: Arc<dyn Store>) {
    let scope = new_org(&*store, "race").await;
    let content = sample();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (store, scope, content) = (store.clone(), scope.clone(), content.clone());
        tasks.push(tokio::spawn(async move {
            store
                .insert_revision(&scope, &content, now(), ACTOR)
                .await
                .unwrap()
                .number
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.unwrap());
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=8).collect::<Vec<u64>>());
}

pub async fn unicode_survives_storage(store: Arc<dyn Store>) {
    let scope = new_org(&*store, "unicode").await;
    let mut content = sample();
    content.promises[0].title = "Wir verkaufen keine Daten — никогда — 決して 🚫"
        .parse()
        .unwrap();
    content.promises[0].body =
        "Quotes \" and \\ backslashes,\ttabs\nand 'single' quotes; DROP TABLE orgs;--"
            .parse()
            .unwrap();
    let r = store
        .insert_revision(&scope, &content, now(), ACTOR)
        .await
        .unwrap();
    let back = store.revision(&scope, r.number).await.unwrap().unwrap();
    assert_eq!(back.content, content);
    assert_eq!(back.content_hash, content.content_hash());
}

pub async fn publishing_records_an_audit_entry(store: Arc<dyn Store>) {
    let scope = new_org(&*store, "audited").await;
    let mut content = sample();
    store.save_draft(&scope, &content).await.unwrap();
    publish_draft(&*store, &scope, now(), "user:alice-id")
        .await
        .unwrap();
    content.faq.pop();
    store.save_draft(&scope, &content).await.unwrap();
    publish_draft(&*store, &scope, now(), "user:bob-id")
        .await
        .unwrap();
    // An unchanged draft publishes nothing and records nothing.
    publish_draft(&*store, &scope, now(), "user:bob-id")
        .await
        .unwrap();
    let log = store.audit_log(&scope).await.unwrap();
    let seen: Vec<(u64, &str, &str, &str)> = log
        .entries
        .iter()
        .map(|e| {
            (
                e.seq,
                e.event.actor.as_str(),
                e.event.action.as_str(),
                e.event.target.as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (1, "user:alice-id", "revision.publish", "revision:1"),
            (2, "user:bob-id", "revision.publish", "revision:2"),
        ]
    );
    assert_eq!(verify_audit(&*store, &scope).await.unwrap(), Ok(2));
}

fn event(action: &str, n: usize) -> AuditEvent {
    AuditEvent {
        actor: "operator:test".into(),
        action: action.into(),
        target: format!("thing:{n}"),
        at: OffsetDateTime::now_utc(),
    }
}

pub async fn audit_logs_chain_per_org_even_under_concurrency(store: Arc<dyn Store>) {
    let a = new_org(&*store, "audit-a").await;
    let b = new_org(&*store, "audit-b").await;
    assert_eq!(verify_audit(&*store, &a).await.unwrap(), Ok(0));
    let mut tasks = Vec::new();
    for n in 0..8 {
        let (store, a) = (store.clone(), a.clone());
        tasks.push(tokio::spawn(async move {
            store
                .append_audit(&a, &event("settings.change", n))
                .await
                .unwrap()
                .seq
        }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=8).collect::<Vec<u64>>());
    let entry = store
        .append_audit(&b, &event("member.invite", 0))
        .await
        .unwrap();
    assert_eq!(entry.seq, 1, "each org has its own chain");
    assert_eq!(verify_audit(&*store, &a).await.unwrap(), Ok(8));
    assert_eq!(verify_audit(&*store, &b).await.unwrap(), Ok(1));
    let b_log = store.audit_log(&b).await.unwrap();
    assert_eq!(b_log.entries.len(), 1);
    assert_eq!(b_log.entries[0].event.action, "member.invite");
    // What comes back is exactly what was hashed.
    assert_eq!(b_log.entries[0], entry);
}
