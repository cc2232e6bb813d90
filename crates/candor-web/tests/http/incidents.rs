//! Incidents: declared in the draft, published through the API with the
//! revision's time as the time customers were told, shown on the page, in
//! `incidents.json` and the incident feed; the dashboard's open deadlines;
//! roles and tenant isolation.

use candor_demo::{HARBORLIGHT, QUILLFEATHER};
use candor_domain::policy::Role;
use candor_domain::types::Moment;
use reqwest::StatusCode;
use time::{Duration, OffsetDateTime};

use crate::harness::{App, error_envelope};

/// The Quillfeather file with one incident appended, confirmed at `confirmed`,
/// with the given updates (status, body) and nothing stamped.
fn with_incident(confirmed: Moment, updates: &[(&str, &str)]) -> String {
    let mut yaml = format!(
        "{QUILLFEATHER}\nincidents:\n- key: api-errors\n  title: Elevated API errors\n  \
         severity: major\n  material: true\n  confirmed_at: {confirmed}\n  components: [Ingestion API]\n  updates:\n"
    );
    for (status, body) in updates {
        yaml.push_str(&format!("  - status: {status}\n    body: {body}\n"));
    }
    yaml
}

/// The notice commitment in hours instead of Quillfeather's 48.
fn notice_within(yaml: &str, hours: u32) -> String {
    yaml.replacen(
        "    customer_notice_hours: 48",
        &format!("    customer_notice_hours: {hours}"),
        1,
    )
}

async fn json_of(app: &App, path: &str) -> serde_json::Value {
    app.get(path).await.json().await.unwrap()
}

#[tokio::test]
async fn incident_updates_are_published_with_the_revisions_time_and_cannot_be_rewritten() {
    let app = App::start_default().await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    app.publish("harborlight", HARBORLIGHT).await;
    let owner = app.member_as(&org, Role::Owner).await;
    let viewer = app.member_as(&org, Role::Viewer).await;

    let confirmed = Moment::at(OffsetDateTime::now_utc() - Duration::hours(3));
    // Declared in the draft three hours after confirmation, with a one-hour
    // commitment: the dashboard says the notice is overdue, for every member.
    let declared = notice_within(
        &with_incident(confirmed, &[("investigating", "Some API calls fail.")]),
        1,
    );
    assert!(
        app.put_draft(&owner, declared.clone())
            .await
            .status()
            .is_success()
    );
    let dashboard = app.page_as("/admin/orgs/quillfeather", &viewer).await;
    assert!(
        dashboard.contains("Incident \u{201c}Elevated API errors\u{201d}: tell customers")
            && dashboard.contains("was due by"),
        "{dashboard}"
    );
    // A viewer cannot publish it.
    let refused = app
        .post_as("/api/v1/orgs/quillfeather/publish", &viewer)
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let before = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let published = app
        .post_as("/api/v1/orgs/quillfeather/publish", &owner)
        .await;
    assert_eq!(published.status(), StatusCode::OK);
    let after = OffsetDateTime::now_utc();
    // Nothing is open any more.
    let dashboard = app.page_as("/admin/orgs/quillfeather", &owner).await;
    assert!(!dashboard.contains("Elevated API errors"), "{dashboard}");

    // incidents.json: the update carries the revision's time, which the log
    // entry of that revision records too; told about 3 h after confirmation,
    // against 1 h committed.
    let json: serde_json::Value = json_of(&app, "/quillfeather/incidents.json").await;
    assert_eq!(json["revision"], 2);
    let incident = &json["incidents"][0];
    assert_eq!(incident["key"], "api-errors");
    assert_eq!(incident["status"], "investigating");
    let stamped: Moment = incident["updates"][0]["published_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(stamped.0 >= before && stamped.0 <= after, "{stamped}");
    let entry: serde_json::Value = json_of(&app, "/quillfeather/log/entries/1").await;
    assert_eq!(
        entry["published_at"].as_str().unwrap(),
        stamped.to_string(),
        "{entry}"
    );
    let clock = &incident["notice_clock"];
    assert_eq!(clock["on_time"], false, "{clock}");
    let seconds = clock["seconds"].as_i64().unwrap();
    assert!((3 * 3600..3 * 3600 + 120).contains(&seconds), "{seconds}");

    // The page says it in words, and the feed has the update.
    let page = app.page("/quillfeather").await;
    assert!(page.contains("<section id=\"incidents\""));
    assert!(page.contains("Notified after 3 h"), "notice words missing");
    assert!(page.contains("commitment 1 h"));
    assert!(
        page.contains("<span class=\"badge bad\">Late</span>"),
        "told after the commitment: marked late"
    );
    assert!(page.contains("Some API calls fail."));
    let feed = app.get("/quillfeather/incidents.atom").await;
    assert!(
        feed.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let feed = feed.text().await.unwrap();
    assert!(feed.contains("<title>Elevated API errors: Investigating</title>"));
    assert!(feed.contains(&format!("<updated>{stamped}</updated>")));

    // Rewriting what customers were told is refused with the field named, and
    // nothing is published.
    let rewritten = notice_within(
        &with_incident(confirmed, &[("investigating", "Nothing happened.")]),
        1,
    );
    assert!(app.put_draft(&owner, rewritten).await.status().is_success());
    let (status, body) = error_envelope(
        app.post_as("/api/v1/orgs/quillfeather/publish", &owner)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "incidents[0].updates[0]", "{body}");
    let again: serde_json::Value = json_of(&app, "/quillfeather/incidents.json").await;
    assert_eq!(again["revision"], 2);

    // A new update goes at the end, with its own revision's time.
    let resolved = notice_within(
        &with_incident(
            confirmed,
            &[
                ("investigating", "Some API calls fail."),
                ("resolved", "A bad deploy was rolled back."),
            ],
        ),
        1,
    )
    .replacen(
        "  updates:\n",
        &format!(
            "  resolved_at: {}\n  updates:\n",
            Moment::at(OffsetDateTime::now_utc() - Duration::minutes(5))
        ),
        1,
    );
    assert!(app.put_draft(&owner, resolved).await.status().is_success());
    let published = app
        .post_as("/api/v1/orgs/quillfeather/publish", &owner)
        .await;
    assert_eq!(published.status(), StatusCode::OK);
    let json: serde_json::Value = json_of(&app, "/quillfeather/incidents.json").await;
    assert_eq!(json["revision"], 3);
    let updates = &json["incidents"][0]["updates"];
    assert_eq!(
        updates[0]["published_at"].as_str(),
        Some(stamped.to_string().as_str())
    );
    assert_eq!(updates[1]["status"], "resolved");
    assert_eq!(json["incidents"][0]["status"], "resolved");

    // Another org's incident history is its own; an unknown org is a 404.
    let other: serde_json::Value = json_of(&app, "/harborlight/incidents.json").await;
    assert_eq!(other["incidents"], serde_json::json!([]));
    let (status, body) = error_envelope(app.get("/nobody/incidents.json").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(
        app.get("/nobody/incidents.atom").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn readers_can_subscribe_to_incident_updates_only() {
    let app = App::start_default().await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let page = app.page("/quillfeather").await;
    assert!(page.contains("value=\"incidents\""), "the form offers it");
    let resp = app
        .client
        .post(format!("{}/quillfeather/subscribe", app.base))
        .form(&[
            ("channel", "email"),
            ("address", "oncall@example.com"),
            ("topics", "incidents"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let stored = app.store.subscribers(&org).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].topics, candor_store::outbox::Topics::Incidents);
}
