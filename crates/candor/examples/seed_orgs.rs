//! Creates N orgs (`org-1` … `org-N`), each with small content and one
//! published revision, for scripts/bench-orgs.sh. Usage:
//! `seed_orgs DATABASE_URL N [OWNER_URL]` (the owner URL on PostgreSQL).
#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark tool: failing loudly is right

use std::sync::Arc;

use candor_domain::TrustCenter;
use candor_store::{SharedStore, create_org, publish_draft};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = args.get(1).expect("DATABASE_URL");
    let count: u32 = args.get(2).expect("N").parse().expect("a number");
    let store: SharedStore = match url.strip_prefix("sqlite://") {
        Some(path) => Arc::new(candor_store_sqlite::SqliteStore::open(path).await.unwrap()),
        None => Arc::new(
            candor_store_pg::PgStore::connect(url, args.get(3).map(String::as_str))
                .await
                .unwrap(),
        ),
    };
    // Small content: the demo's profile with a few of its controls and subprocessors.
    let mut small = TrustCenter::from_yaml(candor_demo::QUILLFEATHER).unwrap();
    small.controls.truncate(4);
    small.subprocessors.truncate(2);
    small.changelog.truncate(2);
    let small = Arc::new(small);
    // A few orgs at a time: PostgreSQL takes them in parallel, SQLite queues them.
    let next = Arc::new(std::sync::atomic::AtomicU32::new(1));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (store, next, small) = (store.clone(), next.clone(), small.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n > count {
                    break;
                }
                let slug = format!("org-{n}").parse().unwrap();
                let scope = create_org(&*store, &slug, &format!("Org {n}"))
                    .await
                    .unwrap();
                let mut content = (*small).clone();
                content.profile.name = format!("Org {n}").parse().unwrap();
                store.save_draft(&scope, &content).await.unwrap();
                publish_draft(
                    &*store,
                    &scope,
                    time::OffsetDateTime::now_utc(),
                    "operator:seed",
                )
                .await
                .unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    println!("{count} orgs, each with one published revision");
}
