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
    // A real PDF, its marker in the page text.
    let report = candor_watermark::sample_pdf(marker, 3);
    let upload = |key: &str, cookie: &str, body: Vec<u8>| {
        let (name, kind) = match candor_watermark::is_pdf(&body) {
            true => ("report.pdf", "application/pdf"),
            false => ("notes.txt", "text/plain"),
        };
        app.with_cookie(
            reqwest::Method::PUT,
            &format!("/api/v1/orgs/quillfeather/documents/{key}/file?filename={name}"),
            cookie,
        )
        .header("content-type", kind)
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
    // A file called a PDF must be one: readers' PDFs are watermarked.
    let fake = app
        .with_cookie(
            reqwest::Method::PUT,
            "/api/v1/orgs/quillfeather/documents/soc2-report/file?filename=report.pdf",
            &owner,
        )
        .header("content-type", "application/pdf")
        .body("not a pdf")
        .send()
        .await
        .unwrap();
    let (status, body) = error_envelope(fake).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "file", "{body}");
    // Larger than the ordinary 1 MiB body cap, well under the upload cap.
    let big = "x".repeat(3 * 1024 * 1024);
    let resp = upload("security-whitepaper", &owner, big.clone().into_bytes())
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
    assert!(
        html.contains("carries your email, your company, the time and the grant"),
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
    // Watermarked: poppler's pdftotext finds the reader, their company and
    // the grant on every page, and the document's own text still extracts.
    let downloaded = file.bytes().await.unwrap();
    assert_ne!(downloaded.as_ref(), report.as_slice());
    let pdf = dir.path().join("downloaded.pdf");
    std::fs::write(&pdf, &downloaded).unwrap();
    let text = std::process::Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    assert!(text.status.success(), "{text:?}");
    let text = String::from_utf8(text.stdout).unwrap();
    let grant = app.store.document_requests(&org).await.unwrap()[0].id;
    for page in text.split('\u{c}').filter(|p| !p.trim().is_empty()) {
        assert!(page.contains(marker), "{page}");
        assert!(
            page.contains("Downloaded by ada@customer.example (Customer Ltd)"),
            "{page}"
        );
        assert!(page.contains(&format!("Grant {grant}")), "{page}");
    }
    assert_eq!(text.matches(marker).count(), 3, "{text}");
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
    upload("caiq", &owner, b"CAIQ answers".to_vec())
        .await
        .unwrap();
    // Not a PDF: the page says it is served as it is.
    let caiq_page = app.page("/quillfeather/documents/caiq").await;
    assert!(caiq_page.contains("not a PDF"), "{caiq_page}");
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
    // Each document says until when it is valid (the demo's have no end date).
    assert!(
        admin_page.contains("<th scope=\"col\">Valid until</th>")
            && admin_page.contains("<td>no end date</td>"),
        "{admin_page}"
    );
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
    // The NDA's reader was told where to sign in; the approval mails a link.
    let mails = sink.wait_for(2, Duration::from_secs(30));
    let nda_mail = mails
        .iter()
        .find(|m| m.header("To") == Some("ada@customer.example"))
        .expect("a mail to the NDA's reader");
    assert!(
        nda_mail.body.contains("/quillfeather/reader"),
        "{}",
        nda_mail.body
    );
    let mail = mails
        .into_iter()
        .find(|m| m.header("To") == Some("bo@buyer.example"))
        .expect("a mail to the approved reader");
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

#[tokio::test]
async fn every_upload_of_a_document_is_kept_and_listed_as_its_history() {
    let (app, org) = App::quillfeather().await;
    let owner = app.member_as(&org, Role::Owner).await;
    for (name, body) in [
        ("caiq-2025.txt", "old answers"),
        ("caiq-2026.txt", "new answers"),
    ] {
        let up = app
            .with_cookie(
                reqwest::Method::PUT,
                &format!("/api/v1/orgs/quillfeather/documents/caiq/file?filename={name}"),
                &owner,
            )
            .header("content-type", "text/plain")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(up.status(), StatusCode::CREATED);
    }
    let page = app
        .page_as("/admin/orgs/quillfeather/documents", &owner)
        .await;
    assert!(
        page.contains("caiq-2026.txt · 11 bytes"),
        "the current file: {page}"
    );
    assert!(
        page.contains("<summary>1 earlier version</summary>"),
        "{page}"
    );
    assert!(
        page.contains("<li>caiq-2025.txt · 11 bytes · SHA-256 "),
        "{page}"
    );
    app.stop().await;
}
