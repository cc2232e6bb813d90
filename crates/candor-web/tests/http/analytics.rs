//! Privacy-preserving analytics: counts per day without anything that tells
//! readers apart, shown to the org's members, as a chart and as CSV.

use candor_demo::{HARBORLIGHT, QUILLFEATHER};
use candor_domain::policy::Role;
use reqwest::StatusCode;

use crate::harness::App;

#[tokio::test]
async fn page_views_downloads_and_requests_are_counted_per_day_without_identifying_anyone() {
    let app = App::start_default().await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let other = app.publish("harborlight", HARBORLIGHT).await;
    let viewer = app.member_as(&org, Role::Viewer).await;
    let outsider = app.member_as(&other, Role::Owner).await;
    for _ in 0..3 {
        let resp = app
            .client
            .get(format!("{}/quillfeather", app.base))
            .header(
                "referer",
                "https://News.Example/story?id=7&email=ada@customer.example",
            )
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
    }
    assert_eq!(app.get("/quillfeather").await.status(), StatusCode::OK);
    assert_eq!(app.get("/harborlight").await.status(), StatusCode::OK);
    // A gated document's page, and an NDA accepted.
    assert_eq!(
        app.get("/quillfeather/documents/soc2-report")
            .await
            .status(),
        StatusCode::OK
    );
    let accepted = app
        .client
        .post(format!(
            "{}/quillfeather/documents/soc2-report/nda",
            app.base
        ))
        .form(&[
            ("name", "Ada Reviewer"),
            ("email", "ada@customer.example"),
            ("company", "Customer Ltd"),
            ("nda_version", "2026-1"),
            ("accept", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::OK);

    // The page flushes this replica's counts first, so it is current.
    let page = app
        .page_as("/admin/orgs/quillfeather/analytics", &viewer)
        .await;
    assert!(page.contains("<strong>4</strong> page views"), "{page}");
    assert!(page.contains("<strong>1</strong> document views"), "{page}");
    assert!(
        page.contains("<strong>1</strong> access requests"),
        "{page}"
    );
    assert!(page.contains("<td>news.example</td><td>3</td>"), "{page}");
    assert!(
        page.contains("<svg class=\"chart\""),
        "a chart drawn on the server"
    );
    // The chart needs no script: the page's only one is the admin pages'
    // progressive enhancement, and none is inline.
    assert_eq!(page.matches("<script").count(), 1, "{page}");
    assert!(page.contains("<script src=\"/static/admin.js\" defer></script>"));
    // The CSV has the same counts; nothing of the referrer but its host, and
    // nothing about the reader, is stored.
    let csv = app
        .get_as("/admin/orgs/quillfeather/analytics.csv", &viewer)
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = csv.text().await.unwrap();
    let today = time::OffsetDateTime::now_utc().date();
    let day = format!(
        "{:04}-{:02}-{:02}",
        today.year(),
        u8::from(today.month()),
        today.day()
    );
    assert!(csv.starts_with("day,metric,referrer,count\r\n"), "{csv}");
    assert!(
        csv.contains(&format!("{day},page_view,news.example,3\r\n")),
        "{csv}"
    );
    assert!(csv.contains(&format!("{day},page_view,,1\r\n")), "{csv}");
    assert!(
        csv.contains(&format!("{day},access_request,,1\r\n")),
        "{csv}"
    );
    for personal in ["ada@customer.example", "127.0.0.1", "story", "Customer Ltd"] {
        assert!(!csv.contains(personal), "{personal} in {csv}");
    }
    // Counted in the database, per org: Harborlight's view is its own.
    let stored = app.store.daily_counts(&other, &day).await.unwrap();
    assert_eq!(stored.len(), 0, "not flushed for harborlight yet");
    let theirs = app
        .page_as("/admin/orgs/harborlight/analytics", &outsider)
        .await;
    assert!(theirs.contains("<strong>1</strong> page views"), "{theirs}");
    // Another org's member cannot see Quillfeather's.
    assert_eq!(
        app.get_as("/admin/orgs/quillfeather/analytics", &outsider)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/admin/orgs/quillfeather/analytics.csv")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}
