//! Durable publishes per second on SQLite (synchronous=FULL, WAL): each one
//! stores a revision, appends its transparency-log entry and Merkle nodes and its
//! audit entry, in one transaction. Run by scripts/bench-log.sh.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a benchmark tool: failing loudly is right

use std::time::Instant;

use candor_domain::TrustCenter;
use candor_store::{create_org, prelude::*};
use candor_store_sqlite::SqliteStore;

const PUBLISHES: u32 = 300;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dir = std::env::temp_dir().join(format!("candor-publish-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("bench.db");
    let store = SqliteStore::open(path.to_str().expect("utf-8 path"))
        .await
        .expect("open");
    let scope = create_org(&store, &"bench".parse().expect("slug"), "Bench")
        .await
        .expect("org");
    let mut content = TrustCenter::from_yaml(candor_demo::QUILLFEATHER).expect("demo");
    let start = Instant::now();
    for i in 0..PUBLISHES {
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
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{{\"publishes\":{PUBLISHES},\"per_sec\":{:.1}}}",
        f64::from(PUBLISHES) / secs
    );
    let _ = std::fs::remove_dir_all(&dir);
}
