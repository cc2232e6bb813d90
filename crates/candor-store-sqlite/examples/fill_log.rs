//! Fills a SQLite database with one org and N published revisions, for
//! benchmarks that need a long log (scripts/bench-watch.sh).
//! Usage: fill_log DATABASE_PATH ORG N
#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark tool: failing loudly is right

use candor_domain::TrustCenter;
use candor_store::{create_org, prelude::*};
use candor_store_sqlite::SqliteStore;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, path, org, n] = args.as_slice() else {
        panic!("usage: fill_log DATABASE_PATH ORG N");
    };
    let n: u32 = n.parse().expect("N");
    let store = SqliteStore::open(path).await.expect("open");
    let scope = create_org(&store, &org.parse().expect("slug"), "Bench")
        .await
        .expect("org");
    let mut content = TrustCenter::from_yaml(candor_demo::QUILLFEATHER).expect("demo");
    for i in 0..n {
        content.promises[0].title = format!("Promise {i}").parse().expect("text");
        store
            .insert_revision(
                &scope,
                &content,
                time::OffsetDateTime::now_utc(),
                "operator:bench",
            )
            .await
            .expect("publish");
    }
    println!("{n}");
}
