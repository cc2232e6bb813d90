//! Machine-readable history: every revision listed with its hash and log
//! entry, and each served as it was published, checkable against the log.

use candor_demo::{HARBORLIGHT, QUILLFEATHER};
use candor_domain::{ContentHash, canonical_json};
use reqwest::StatusCode;

use crate::harness::App;

async fn json(app: &App, path: &str) -> serde_json::Value {
    let resp = app.get(path).await;
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    resp.json().await.unwrap()
}

#[tokio::test]
async fn every_revision_is_listed_and_served_as_published_and_matches_its_log_entry() {
    let (app, org) = App::quillfeather().await;
    app.publish("harborlight", HARBORLIGHT).await;
    let retitled = QUILLFEATHER.replacen(
        "tagline: Product analytics that never sells",
        "tagline: Analytics that never sells",
        1,
    );
    assert_ne!(retitled, QUILLFEATHER);
    app.publish("quillfeather", &retitled).await;

    let listing = json(&app, "/quillfeather/revisions.json").await;
    assert_eq!(listing["org"], "quillfeather");
    let rows = listing["revisions"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{listing}");
    assert_eq!(rows[0]["revision"], 2, "newest first");
    assert_eq!(rows[1]["first"], true);
    let changes = rows[0]["changes"].as_array().unwrap();
    assert!(
        changes
            .iter()
            .any(|c| c.as_str().unwrap().contains("tagline")),
        "{changes:?}"
    );
    let stored = app.store.revisions(&org).await.unwrap();
    for (row, summary) in rows.iter().zip(&stored) {
        assert_eq!(row["content_hash"], summary.content_hash.to_string());
        // The revision as published: its content hashes to the listed hash…
        let path = row["trust_json"].as_str().unwrap();
        let resp = app.get(path).await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(
            resp.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        let doc: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(doc["revision"], row["revision"]);
        let hash = ContentHash::of(&canonical_json(&doc["content"]));
        assert_eq!(hash.to_string(), row["content_hash"].as_str().unwrap());
        // …and the log entry it names records that hash, number and time.
        let entry: serde_json::Value = app
            .get(row["log_entry"].as_str().unwrap())
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(entry["revision"], row["revision"]);
        assert_eq!(entry["content_hash"], row["content_hash"]);
        assert_eq!(entry["org"], "quillfeather");
        assert_eq!(doc["published_at"], entry["published_at"]);
    }
    // Revision 1 is still the page as it first was.
    let first = json(&app, "/quillfeather/revisions/1/trust.json").await;
    assert_eq!(
        first["content"]["profile"]["tagline"],
        "Product analytics that never sells, shares or fingerprints your users."
    );

    // Revalidation is cheap; a new revision is listed at once.
    let etag = app.get("/quillfeather/revisions.json").await.headers()["etag"].clone();
    let again = app
        .client
        .get(format!("{}/quillfeather/revisions.json", app.base))
        .header("if-none-match", etag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    app.publish("quillfeather", QUILLFEATHER).await;
    let listing = json(&app, "/quillfeather/revisions.json").await;
    let rows = listing["revisions"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["revision"], 3);
    assert_eq!(rows[1]["revision"], 2, "earlier rows kept");

    // Each org has its own history; what does not exist is a 404.
    let other = json(&app, "/harborlight/revisions/1/trust.json").await;
    assert_eq!(other["org"], "harborlight");
    for missing in [
        "/quillfeather/revisions/0/trust.json",
        "/quillfeather/revisions/4/trust.json",
        "/quillfeather/revisions/two/trust.json",
        "/no-such-org/revisions.json",
        "/no-such-org/revisions/1/trust.json",
    ] {
        assert_eq!(
            app.get(missing).await.status(),
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
    app.stop().await;
}
