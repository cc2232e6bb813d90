//! Gated documents: stored encrypted, unlocked publicly, by NDA or by approval.

use std::time::Duration;

use candor_demo::QUILLFEATHER;
use candor_domain::policy::Role;
use candor_testkit::mail::MailSink;
use reqwest::StatusCode;

use crate::harness::{App, error_envelope};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_are_stored_encrypted_and_unlocked_by_public_nda_or_approval() {
    let dir = tempfile::tempdir().unwrap();
    let sink = MailSink::start(dir.path());
    let app = App::start_with_worker(sink.port).await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let owner = app.member_as(&org, Role::Owner).await;
    let editor = app.member_as(&org, Role::Editor).await;
    let marker = "CONFIDENTIAL-SOC2-BODY-4471";
    let report = format!("%PDF-1.7 {marker} ").repeat(2000);
    let upload = |key: &str, cookie: &str, body: String| {
        app.with_cookie(
            reqwest::Method::PUT,
            &format!("/api/v1/orgs/quillfeather/documents/{key}/file?filename=report.pdf"),
            cookie,
        )
        .header("content-type", "application/pdf")
        .body(body)
        .send()
    };
    // Editors may not upload; documents not on the page cannot be uploaded. (The
    // refusal comes before the body is read and the server then drops the
    // connection, so this request uses a connection of its own.)
    let one_off = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let refused = one_off
        .put(format!(
            "{}/api/v1/orgs/quillfeather/documents/soc2-report/file",
            app.base
        ))
        .header("cookie", &editor)
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let (status, _) = error_envelope(upload("nope", &owner, report.clone()).await.unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Larger than the ordinary 1 MiB body cap, well under the upload cap.
    let big = "x".repeat(3 * 1024 * 1024);
    let resp = upload("security-whitepaper", &owner, big.clone())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let resp = upload("soc2-report", &owner, report.clone()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["size"], report.len());
    // At rest the file is ciphertext: the marker appears nowhere in the stored blob.
    let stored = app
        .store
        .document_file(&org, "soc2-report")
        .await
        .unwrap()
        .unwrap();
    let needle = marker.as_bytes();
    assert!(
        !stored
            .sealed
            .ciphertext
            .windows(needle.len())
            .any(|w| w == needle)
    );
    assert!(
        app.store
            .audit_log(&org)
            .await
            .unwrap()
            .entries
            .iter()
            .any(|e| e.event.action == "document.upload")
    );

    // Public: the document's own address serves it, as an attachment, recorded.
    let resp = app.get("/quillfeather/documents/security-whitepaper").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(resp.bytes().await.unwrap().len(), big.len());

    // NDA: a form with the terms; refusing to tick the box is refused; accepting
    // records who accepted which version and gives a short-lived link.
    let page = app.get("/quillfeather/documents/soc2-report").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Non-disclosure agreement (version 2026-1)"),
        "{html}"
    );
    let nda = |fields: Vec<(&'static str, &'static str)>| {
        app.client
            .post(format!(
                "{}/quillfeather/documents/soc2-report/nda",
                app.base
            ))
            .form(&fields)
            .send()
    };
    let person = vec![
        ("name", "Ada Reviewer"),
        ("email", "Ada@Customer.example"),
        ("company", "Customer Ltd"),
        ("nda_version", "2026-1"),
    ];
    let refused = nda(person.clone()).await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("accept: "));
    let mut stale = person.clone();
    stale[3] = ("nda_version", "2025-9");
    stale.push(("accept", "yes"));
    assert_eq!(
        nda(stale).await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut accepted = person.clone();
    accepted.push(("accept", "yes"));
    let html = nda(accepted).await.unwrap().text().await.unwrap();
    let start = html
        .find("/quillfeather/documents/soc2-report/download?token=")
        .unwrap();
    let link = html[start..html[start..].find('"').unwrap() + start].replace("&amp;", "&");
    let file = app.get(&link).await;
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.text().await.unwrap(), report);
    // The link is bound to its document.
    let other = link.replace("soc2-report", "pentest-summary");
    assert_eq!(app.get(&other).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/quillfeather/documents/soc2-report/download?token=guess")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let requests = app.store.document_requests(&org).await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        (
            requests[0].email.as_str(),
            requests[0].nda_version.as_deref()
        ),
        ("ada@customer.example", Some("2026-1"))
    );

    // Approval: a request waits for an admin; approving mails an expiring link.
    upload("caiq", &owner, "CAIQ answers".into()).await.unwrap();
    let resp = app
        .client
        .post(format!("{}/quillfeather/documents/caiq/request", app.base))
        .form(&[
            ("name", "Bo Buyer"),
            ("email", "bo@buyer.example"),
            ("company", "Buyer Inc"),
            ("reason", "Security review"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let pending = app
        .store
        .document_requests(&org)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.doc_key == "caiq")
        .unwrap();
    assert_eq!(pending.status.as_str(), "pending");
    let admin_page = app
        .page_as("/admin/orgs/quillfeather/documents", &owner)
        .await;
    assert!(admin_page.contains("bo@buyer.example") && admin_page.contains("Approve"));
    let decision = app
        .with_cookie(
            reqwest::Method::POST,
            &format!(
                "/api/v1/orgs/quillfeather/documents/requests/{}/decision",
                pending.id
            ),
            &owner,
        )
        .header("content-type", "application/json")
        .body(r#"{"approve": true}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(decision.status(), StatusCode::OK);
    let mail = sink.wait_for(1, Duration::from_secs(30)).remove(0);
    assert_eq!(mail.header("To"), Some("bo@buyer.example"));
    let token = mail
        .link_param("/quillfeather/documents/caiq/download", "token")
        .unwrap();
    let file = app
        .get(&format!(
            "/quillfeather/documents/caiq/download?token={token}"
        ))
        .await;
    assert_eq!(file.text().await.unwrap(), "CAIQ answers");
    // Decided once; the decision is in the audit log.
    let again = app
        .with_cookie(
            reqwest::Method::POST,
            &format!(
                "/api/v1/orgs/quillfeather/documents/requests/{}/decision",
                pending.id
            ),
            &owner,
        )
        .header("content-type", "application/json")
        .body(r#"{"approve": false}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(
        app.audit_actions(&org)
            .await
            .iter()
            .any(|a| a.contains("document.approve"))
    );

    // Every download was recorded, with who it was for.
    let downloads = app.store.downloads(&org).await.unwrap();
    assert_eq!(downloads.len(), 3);
    assert_eq!(
        downloads.iter().filter(|d| d.request_id.is_some()).count(),
        2
    );
    app.stop().await;
}
