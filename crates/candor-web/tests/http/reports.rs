//! Vulnerability reports: encrypted, mailed without their content, tracked to a deadline.

use std::time::Duration;

use candor_demo::QUILLFEATHER;
use candor_domain::policy::Role;
use candor_testkit::mail::MailSink;
use reqwest::StatusCode;

use crate::harness::App;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vulnerability_reports_are_encrypted_mailed_without_content_and_tracked_to_their_deadline()
{
    let dir = tempfile::tempdir().unwrap();
    let sink = MailSink::start(dir.path());
    let app = App::start_with_worker(sink.port).await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let owner = app.member_as(&org, Role::Owner).await;
    assert_eq!(
        app.get("/quillfeather/report").await.status(),
        StatusCode::OK
    );
    let post = |fields: Vec<(&'static str, &'static str)>| {
        app.client
            .post(format!("{}/quillfeather/report", app.base))
            .form(&fields)
            .send()
    };
    let refused = post(vec![("title", "XSS"), ("details", "  ")])
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("details: "));
    let marker = "SECRET-REPRO-STEPS-9051";
    let sent = post(vec![
        ("title", "Stored XSS in dashboard names"),
        (
            "details",
            "SECRET-REPRO-STEPS-9051: name a dashboard <script>",
        ),
        ("email", "finder@research.example"),
    ])
    .await
    .unwrap();
    assert_eq!(sent.status(), StatusCode::OK);
    let html = sent.text().await.unwrap();
    assert!(html.contains("Report VR-"), "{html}");

    // Stored encrypted; the security contact is told, without the content.
    let stored = app.store.reports(&org).await.unwrap();
    assert_eq!(stored.len(), 1);
    let needle = marker.as_bytes();
    assert!(
        !stored[0]
            .sealed
            .ciphertext
            .windows(needle.len())
            .any(|w| w == needle)
    );
    let mail = sink.wait_for(1, Duration::from_secs(30)).remove(0);
    assert_eq!(mail.header("To"), Some("security@quillfeather.example"));
    assert!(
        mail.header("Subject")
            .unwrap()
            .contains("New vulnerability report VR-")
    );
    assert!(
        !mail.body.contains(marker) && !mail.body.contains("Stored XSS"),
        "{}",
        mail.body
    );
    assert!(mail.body.contains("/admin/orgs/quillfeather/reports/"));
    let due = candor_domain::deadline::add_business_days(stored[0].received_at, 1);
    assert_eq!(
        stored[0].ack_due_at, due,
        "one business day, from the commitment"
    );

    // An older report nobody acknowledged is overdue, and admins are told.
    let master = app.master.clone().unwrap();
    let id = uuid::Uuid::new_v4();
    let (key_version, sealed) = candor_store::documents::seal_record(
        &*app.store,
        &org,
        &master,
        "report",
        id,
        br#"{"title":"Old report","details":"d"}"#,
    )
    .await
    .unwrap();
    let received_at = time::OffsetDateTime::now_utc() - time::Duration::days(10);
    let old = candor_store::documents::StoredReport {
        id,
        received_at,
        ack_due_at: candor_domain::deadline::add_business_days(received_at, 1),
        acknowledged_at: None,
        key_version,
        sealed,
    };
    let note =
        candor_jobs::compose::direct_email("security@quillfeather.example", "x".into(), "y".into());
    app.store
        .insert_report(&org, &old, std::slice::from_ref(&note))
        .await
        .unwrap();
    let admin = |path: String| app.with_cookie(reqwest::Method::GET, &path, &owner).send();
    let dashboard = admin("/admin/orgs/quillfeather".into())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        dashboard.contains("1 vulnerability report is past the acknowledgement deadline"),
        "{dashboard}"
    );
    let list = admin("/admin/orgs/quillfeather/reports".into())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let overdue_at = list.find("Old report").unwrap();
    let open_at = list.find("Stored XSS in dashboard names").unwrap();
    assert!(overdue_at < open_at, "overdue first");
    assert!(list.contains("overdue") && list.contains(">open<"));

    // An admin reads it (decrypted) and acknowledges it; the reporter hears back.
    let new_id = stored[0].id;
    let detail = admin(format!("/admin/orgs/quillfeather/reports/{new_id}"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(detail.contains(marker));
    let ack = app
        .post_as(
            &format!("/admin/orgs/quillfeather/reports/{new_id}/acknowledge"),
            &owner,
        )
        .await;
    assert_eq!(ack.status(), StatusCode::SEE_OTHER);
    let mails = sink.wait_for(3, Duration::from_secs(30));
    let reply = mails
        .iter()
        .find(|m| m.header("To") == Some("finder@research.example"))
        .unwrap();
    assert!(
        reply
            .header("Subject")
            .unwrap()
            .contains("acknowledges your report VR-")
    );
    let acknowledged = app.store.reports(&org).await.unwrap();
    assert!(
        acknowledged
            .iter()
            .find(|r| r.id == new_id)
            .unwrap()
            .acknowledged_at
            .is_some()
    );
    assert!(
        app.audit_actions(&org)
            .await
            .iter()
            .any(|a| a.contains("report.acknowledge"))
    );
    app.stop().await;
}
