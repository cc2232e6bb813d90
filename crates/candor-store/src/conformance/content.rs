//! Drafts and revisions: stored as written, numbered, hashed, and kept per org.

use std::sync::Arc;

use super::{ACTOR, new_org, now, sample};
use crate::{PublishOutcome, Store, publish_draft};

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

/// Incident updates carry the time of the revision that first published them,
/// which is also the time in its log entry; what was told cannot be rewritten.
pub async fn incident_updates_carry_their_revisions_time_and_stay_as_told(store: Arc<dyn Store>) {
    use candor_domain::model::{Incident, IncidentStatus, IncidentUpdate};
    let scope = new_org(&*store, "incidents").await;
    let mut content = sample();
    store.save_draft(&scope, &content).await.unwrap();
    let t1 = now();
    publish_draft(&*store, &scope, t1, ACTOR).await.unwrap();
    let incident: Incident = serde_json::from_value(serde_json::json!({
        "key": "api-errors",
        "title": "API errors",
        "severity": "major",
        "material": true,
        "confirmed_at": candor_domain::types::Moment::at(t1).to_string(),
        "updates": [{"status": "investigating", "body": "Elevated error rates"}],
    }))
    .unwrap();
    content.incidents.push(incident);
    store.save_draft(&scope, &content).await.unwrap();
    let t2 = t1 + time::Duration::minutes(40);
    let PublishOutcome::Published { revision, .. } =
        publish_draft(&*store, &scope, t2, ACTOR).await.unwrap()
    else {
        panic!("the incident was not published");
    };
    let stamped = revision.content.incidents[0].updates[0].published_at;
    assert_eq!(stamped, Some(candor_domain::types::Moment::at(t2)));
    assert_eq!(revision.published_at, t2);
    // The log entry records the same time.
    let entry = store.log_entry(&scope, 1).await.unwrap().unwrap();
    assert!(
        String::from_utf8_lossy(&entry).contains(&format!(
            "\"published_at\":\"{}\"",
            candor_domain::types::Moment::at(t2)
        )),
        "{}",
        String::from_utf8_lossy(&entry)
    );
    // The draft without the stamp is the revision: nothing new to publish.
    assert!(matches!(
        publish_draft(&*store, &scope, t2 + time::Duration::minutes(1), ACTOR)
            .await
            .unwrap(),
        PublishOutcome::Unchanged { latest: 2 }
    ));
    // Rewriting the update is refused, and nothing is stored.
    content.incidents[0].updates[0].body = "All fine".parse().unwrap();
    store.save_draft(&scope, &content).await.unwrap();
    let PublishOutcome::Refused(refusal) =
        publish_draft(&*store, &scope, t2 + time::Duration::minutes(2), ACTOR)
            .await
            .unwrap()
    else {
        panic!("a rewritten update was published");
    };
    assert_eq!(refusal.field, "incidents[0].updates[0]");
    assert_eq!(
        store.latest_revision(&scope).await.unwrap().unwrap().number,
        2
    );
    // A new update is added at the end with its own revision's time.
    content.incidents[0].updates[0].body = "Elevated error rates".parse().unwrap();
    content.incidents[0].updates.push(IncidentUpdate {
        status: IncidentStatus::Resolved,
        body: "Fixed".parse().unwrap(),
        published_at: None,
    });
    let t3 = t2 + time::Duration::hours(2);
    content.incidents[0].resolved_at = Some(candor_domain::types::Moment::at(t3));
    store.save_draft(&scope, &content).await.unwrap();
    let PublishOutcome::Published { revision, .. } =
        publish_draft(&*store, &scope, t3, ACTOR).await.unwrap()
    else {
        panic!("the second update was not published");
    };
    let updates = &revision.content.incidents[0].updates;
    assert_eq!(updates[0].published_at, stamped);
    assert_eq!(
        updates[1].published_at,
        Some(candor_domain::types::Moment::at(t3))
    );
}

/// Analytics counts add up per day, metric and referrer (several replicas each
/// add theirs, concurrently), and stay in their org.
pub async fn daily_counts_add_up_and_stay_in_their_org(store: Arc<dyn Store>) {
    use crate::analytics::{DailyCount, Metric};
    let a = new_org(&*store, "counted-a").await;
    let b = new_org(&*store, "counted-b").await;
    let count = |day: &str, metric, referrer: &str, n| DailyCount {
        day: day.into(),
        metric,
        referrer: referrer.into(),
        count: n,
    };
    // Two "replicas" adding at once, twice each.
    let mut adds = Vec::new();
    for _ in 0..4 {
        let store = store.clone();
        let a = a.clone();
        adds.push(tokio::spawn(async move {
            store
                .add_counts(
                    &a,
                    &[
                        DailyCount {
                            day: "2026-11-30".into(),
                            metric: Metric::PageView,
                            referrer: "news.example".into(),
                            count: 2,
                        },
                        DailyCount {
                            day: "2026-12-01".into(),
                            metric: Metric::DocumentDownload,
                            referrer: String::new(),
                            count: 1,
                        },
                    ],
                )
                .await
                .unwrap();
        }));
    }
    for add in adds {
        add.await.unwrap();
    }
    store
        .add_counts(&b, &[count("2026-12-01", Metric::AccessRequest, "", 5)])
        .await
        .unwrap();
    let counted = store.daily_counts(&a, "2026-11-01").await.unwrap();
    assert_eq!(
        counted,
        vec![
            count("2026-11-30", Metric::PageView, "news.example", 8),
            count("2026-12-01", Metric::DocumentDownload, "", 4),
        ]
    );
    // From a later day on, only that day.
    assert_eq!(store.daily_counts(&a, "2026-12-01").await.unwrap().len(), 1);
    assert_eq!(
        store.daily_counts(&b, "2026-11-01").await.unwrap(),
        vec![count("2026-12-01", Metric::AccessRequest, "", 5)]
    );
}
