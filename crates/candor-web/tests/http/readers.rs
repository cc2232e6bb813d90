//! Reader access: one request for several documents, the org's domain lists,
//! reader sessions by single-use link, grants that expire or are revoked,
//! history per reader and per document, and operator events to the org's
//! signed endpoints (verified by the Standard Webhooks library).

use std::time::Duration;

use candor_demo::{HARBORLIGHT, QUILLFEATHER};
use candor_domain::policy::Role;
use candor_testkit::mail::{Mail, MailSink};
use candor_testkit::peers::WebhookReceiver;
use reqwest::StatusCode;

use crate::harness::{App, error_envelope};

const WAIT: Duration = Duration::from_secs(30);

/// The first mail to `to` whose body holds `path`, waiting for it.
pub(crate) fn mail_to(sink: &MailSink, to: &str, path: &str) -> Mail {
    let start = std::time::Instant::now();
    loop {
        if let Some(m) = sink
            .messages()
            .into_iter()
            .find(|m| m.header("To") == Some(to) && m.body.contains(path))
        {
            return m;
        }
        assert!(start.elapsed() < WAIT, "no mail to {to} with {path}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn pdf_text(dir: &std::path::Path, bytes: &[u8]) -> String {
    let path = dir.join("reader-download.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_ask_once_sign_in_by_link_and_download_until_their_grant_ends() {
    let dir = tempfile::tempdir().unwrap();
    let sink = MailSink::start(dir.path());
    let receiver = WebhookReceiver::start(dir.path(), 0);
    let app = App::start_with_worker(sink.port).await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let other = app.publish("harborlight", HARBORLIGHT).await;
    let owner = app.member_as(&org, Role::Owner).await;
    let viewer = app.member_as(&org, Role::Viewer).await;
    let other_owner = app.member_as(&other, Role::Owner).await;
    let marker = "READER-SOC2-BODY-5512";
    for (key, name, kind, body) in [
        (
            "soc2-report",
            "soc2.pdf",
            "application/pdf",
            candor_watermark::sample_pdf(marker, 2),
        ),
        ("caiq", "caiq.txt", "text/plain", b"CAIQ answers".to_vec()),
    ] {
        let up = app
            .with_cookie(
                reqwest::Method::PUT,
                &format!("/api/v1/orgs/quillfeather/documents/{key}/file?filename={name}"),
                &owner,
            )
            .header("content-type", kind)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(up.status(), StatusCode::CREATED);
    }

    // Operator events: admins only; the secret is shown once.
    let add_endpoint = |cookie: &str, url: String| {
        app.with_cookie(
            reqwest::Method::POST,
            "/api/v1/orgs/quillfeather/event-endpoints",
            cookie,
        )
        .header("content-type", "application/json")
        .body(serde_json::json!({ "url": url }).to_string())
        .send()
    };
    assert_eq!(
        add_endpoint(&viewer, receiver.url())
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    let (status, body) = error_envelope(
        add_endpoint(&owner, "ftp://example.com/x".into())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "url");
    let added = add_endpoint(&owner, receiver.url()).await.unwrap();
    assert_eq!(added.status(), StatusCode::CREATED);
    let added: serde_json::Value = added.json().await.unwrap();
    receiver.set_secret(added["secret"].as_str().unwrap());
    let endpoint_id = added["id"].as_str().unwrap().to_owned();
    assert_eq!(
        add_endpoint(&owner, receiver.url()).await.unwrap().status(),
        StatusCode::CONFLICT
    );

    // The domain lists: checked field by field, admins only.
    let put_policy = |cookie: &str, body: serde_json::Value| {
        app.with_cookie(
            reqwest::Method::PUT,
            "/api/v1/orgs/quillfeather/readers/policy",
            cookie,
        )
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
    };
    let policy = serde_json::json!({
        "allow_domains": ["partner.example"],
        "block_domains": ["rival.example"],
        "grant_days": 30,
    });
    assert_eq!(
        put_policy(&viewer, policy.clone()).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    for (bad, field) in [
        (serde_json::json!({"grant_days": 0}), "grant_days"),
        (serde_json::json!({"grant_days": 366}), "grant_days"),
        (
            serde_json::json!({"allow_domains": ["not a domain"], "grant_days": 30}),
            "allow_domains",
        ),
    ] {
        let (status, body) = error_envelope(put_policy(&owner, bad).await.unwrap()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["field"], field, "{body}");
    }
    assert_eq!(
        put_policy(&owner, policy).await.unwrap().status(),
        StatusCode::OK
    );

    // One form for all gated documents: the NDA's are granted at once, the
    // approval one waits; the NDA box is required for the NDA's documents.
    let ask = |email: &'static str, accept: bool| {
        let mut fields = vec![
            ("all", "yes"),
            ("name", "Ada Reviewer"),
            ("email", email),
            ("company", "Customer Ltd"),
            ("reason", "Vendor review"),
            ("nda_version", "2026-1"),
        ];
        if accept {
            fields.push(("accept", "yes"));
        }
        app.client
            .post(format!("{}/quillfeather/access", app.base))
            .form(&fields)
            .send()
    };
    let refused = ask("ada@customer.example", false).await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("accept: "));
    let asked = ask("Ada@Customer.example", true).await.unwrap();
    assert_eq!(asked.status(), StatusCode::OK);
    let page = asked.text().await.unwrap();
    assert!(
        page.contains("Granted:") && page.contains("Waiting for"),
        "{page}"
    );
    let mine = app
        .store
        .requests_by_email(&org, "ada@customer.example")
        .await
        .unwrap();
    let state_of = |key: &str| {
        let r = mine.iter().find(|r| r.doc_key == key).unwrap();
        (r.status.as_str(), r.expires_at.is_some())
    };
    assert_eq!(mine.len(), 3, "{mine:?}");
    assert_eq!(state_of("soc2-report"), ("granted", true));
    assert_eq!(state_of("pentest-summary"), ("granted", true));
    assert_eq!(state_of("caiq"), ("pending", false));
    assert!(mine.iter().all(|r| r.batch_id == mine[0].batch_id));
    let caiq_id = mine.iter().find(|r| r.doc_key == "caiq").unwrap().id;
    let soc2_id = mine.iter().find(|r| r.doc_key == "soc2-report").unwrap().id;
    // The org's endpoint heard of it, signed.
    let requested = receiver.wait_for("access.requested", WAIT);
    let data = &requested["payload"]["data"];
    assert_eq!(data["email"], "ada@customer.example");
    assert_eq!(data["org"], "quillfeather");
    assert_eq!(data["documents"].as_array().unwrap().len(), 3);
    let accepted = receiver.wait_for("nda.accepted", WAIT);
    assert_eq!(
        accepted["payload"]["data"]["documents"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // The lists decide without an admin: a subdomain of an allowed domain, a blocked one.
    let caiq_for = |email: &'static str| {
        app.client
            .post(format!("{}/quillfeather/documents/caiq/request", app.base))
            .form(&[("name", "B"), ("email", email), ("company", "C")])
            .send()
    };
    let allowed = caiq_for("bo@eu.partner.example").await.unwrap();
    assert!(
        allowed
            .text()
            .await
            .unwrap()
            .contains("approves requests from your organisation")
    );
    let blocked = caiq_for("eve@rival.example").await.unwrap();
    assert!(
        blocked
            .text()
            .await
            .unwrap()
            .contains("does not share this document")
    );
    let decided_by = |email: &str| {
        let store = app.store.clone();
        let org = org.clone();
        let email = email.to_owned();
        async move {
            let r = store
                .requests_by_email(&org, &email)
                .await
                .unwrap()
                .remove(0);
            (r.status.as_str(), r.decided_by.map(|d| d.as_str()))
        }
    };
    assert_eq!(
        decided_by("bo@eu.partner.example").await,
        ("granted", Some("allow-list"))
    );
    assert_eq!(
        decided_by("eve@rival.example").await,
        ("denied", Some("block-list"))
    );

    // Signing in: a link by mail to an address that asked; the same answer for
    // one that did not, and no mail.
    let send_link = |email: &'static str| {
        app.client
            .post(format!("{}/quillfeather/reader/link", app.base))
            .form(&[("email", email)])
            .send()
    };
    let unknown = send_link("nobody@else.example").await.unwrap();
    let said = unknown.text().await.unwrap();
    assert!(said.contains("a sign-in link is on its way"), "{said}");
    assert!(
        send_link("ada@customer.example")
            .await
            .unwrap()
            .status()
            .is_success()
    );
    let link_mail = mail_to(&sink, "ada@customer.example", "/quillfeather/reader/signin");
    let token = link_mail
        .link_param("/quillfeather/reader/signin", "token")
        .unwrap();
    assert!(
        sink.messages()
            .iter()
            .all(|m| m.header("To") != Some("nobody@else.example"))
    );
    // Opening the link shows a button and uses nothing up.
    let form = app
        .page(&format!("/quillfeather/reader/signin?token={token}"))
        .await;
    assert!(form.contains("Sign in"));
    let sign_in = || {
        app.client
            .post(format!("{}/quillfeather/reader/signin", app.base))
            .form(&[("token", token.as_str())])
            .send()
    };
    let signed = sign_in().await.unwrap();
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
    let set_cookie = signed.headers()["set-cookie"].to_str().unwrap().to_owned();
    for part in [
        "__Host-candor_reader_quillfeather=",
        "HttpOnly",
        "Secure",
        "SameSite=Lax",
        "Path=/",
    ] {
        assert!(set_cookie.contains(part), "{set_cookie}");
    }
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    assert_eq!(
        sign_in().await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "used once"
    );

    // The reader's page: what is granted, until when; pending is shown as such.
    let home = app.page_as("/quillfeather/reader", &cookie).await;
    assert!(home.contains("ada@customer.example"), "{home}");
    assert!(
        home.contains("/quillfeather/reader/documents/soc2-report"),
        "{home}"
    );
    assert!(home.contains("waiting for a decision"), "{home}");
    assert!(
        !home.contains("/quillfeather/reader/documents/caiq"),
        "{home}"
    );
    // The same session is nobody at another org.
    let secret = cookie.split_once('=').unwrap().1;
    let elsewhere = app
        .page_as(
            "/harborlight/reader",
            &format!("__Host-candor_reader_harborlight={secret}"),
        )
        .await;
    assert!(elsewhere.contains("Email me a sign-in link"));
    // A document's page knows the reader, and records the view.
    let doc_page = app
        .page_as("/quillfeather/documents/soc2-report", &cookie)
        .await;
    assert!(doc_page.contains("You have access until"), "{doc_page}");
    // The download is watermarked with the reader and the grant.
    let file = app
        .get_as("/quillfeather/reader/documents/soc2-report", &cookie)
        .await;
    assert_eq!(file.status(), StatusCode::OK);
    let text = pdf_text(dir.path(), &file.bytes().await.unwrap());
    assert!(text.contains(marker), "{text}");
    assert!(
        text.contains("Downloaded by ada@customer.example (Customer Ltd)"),
        "{text}"
    );
    assert!(text.contains(&format!("Grant {soc2_id}")), "{text}");
    assert_eq!(
        app.get_as("/quillfeather/reader/documents/caiq", &cookie)
            .await
            .status(),
        StatusCode::FORBIDDEN,
        "still pending"
    );
    // Without a session: to the sign-in page.
    assert_eq!(
        app.get("/quillfeather/reader/documents/soc2-report")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );

    // An admin approves for a number of days, checked.
    let approve_path = format!("/admin/orgs/quillfeather/documents/requests/{caiq_id}/approve");
    let bad = app.post_form(&approve_path, &owner, &[("days", "0")]).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("days: "));
    assert_eq!(
        app.post_form(
            &approve_path,
            &owner,
            &[
                ("days", "7"),
                ("note", "Section 4 answers your SSO question.")
            ]
        )
        .await
        .status(),
        StatusCode::SEE_OTHER
    );
    let caiq = app
        .store
        .document_request(&org, caiq_id)
        .await
        .unwrap()
        .unwrap();
    let days = (caiq.expires_at.unwrap() - caiq.decided_at.unwrap()).whole_days();
    assert_eq!(days, 7);
    let approved = mail_to(
        &sink,
        "ada@customer.example",
        "/quillfeather/documents/caiq/download",
    );
    assert!(
        approved
            .body
            .contains("Their note: Section 4 answers your SSO question."),
        "{}",
        approved.body
    );
    assert!(
        app.page_as("/quillfeather/reader", &cookie)
            .await
            .contains("their note: Section 4 answers your SSO question.")
    );
    let file = app
        .get_as("/quillfeather/reader/documents/caiq", &cookie)
        .await;
    assert_eq!(file.text().await.unwrap(), "CAIQ answers");

    // Revoking: admins of this org only; the reader loses the document at once.
    let revoke = |slug: &str, cookie: &str| {
        app.with_cookie(
            reqwest::Method::POST,
            &format!("/api/v1/orgs/{slug}/documents/requests/{soc2_id}/revoke"),
            cookie,
        )
        .send()
    };
    assert_eq!(
        revoke("quillfeather", &viewer).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        revoke("harborlight", &other_owner).await.unwrap().status(),
        StatusCode::CONFLICT,
        "another org's grant is not theirs to revoke"
    );
    let revoked = revoke("quillfeather", &owner).await.unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    let revoked: serde_json::Value = revoked.json().await.unwrap();
    assert_eq!(revoked["grant"], "revoked");
    assert_eq!(
        app.get_as("/quillfeather/reader/documents/soc2-report", &cookie)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert!(
        app.page_as("/quillfeather/reader", &cookie)
            .await
            .contains("withdrawn by the company")
    );

    // Every step is in the reader's history, per reader and per document.
    let history = |query: &str| {
        let app = &app;
        let owner = owner.clone();
        let query = query.to_owned();
        async move {
            let v: serde_json::Value = app
                .get_as(
                    &format!("/api/v1/orgs/quillfeather/readers/history?{query}"),
                    &owner,
                )
                .await
                .json()
                .await
                .unwrap();
            v["events"].as_array().unwrap().clone()
        }
    };
    let ada = history("email=ada%40customer.example").await;
    let kinds: Vec<&str> = ada.iter().map(|e| e["event"].as_str().unwrap()).collect();
    for kind in [
        "requested",
        "nda_accepted",
        "approved",
        "signed_in",
        "viewed",
        "downloaded",
        "revoked",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    assert!(ada.iter().all(|e| e["email"] == "ada@customer.example"));
    let caiq_history = history("document=caiq").await;
    assert!(caiq_history.iter().all(|e| e["document"] == "caiq"));
    assert!(
        caiq_history
            .iter()
            .any(|e| e["email"] == "eve@rival.example" && e["event"] == "denied")
    );
    let page = app
        .page_as(
            "/admin/orgs/quillfeather/readers?email=ada%40customer.example",
            &owner,
        )
        .await;
    assert!(
        page.contains("signed in") && page.contains("downloaded"),
        "{page}"
    );
    assert_eq!(
        app.get_as("/admin/orgs/quillfeather/readers", &viewer)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert!(
        app.get_as("/api/v1/orgs/harborlight/readers/history", &other_owner)
            .await
            .text()
            .await
            .unwrap()
            .contains("\"events\":[]")
    );

    // A vulnerability report and a newly published incident reach the endpoint too.
    let report = app
        .client
        .post(format!("{}/quillfeather/report", app.base))
        .form(&[
            ("title", "XSS"),
            ("details", "SECRET-STEPS-77"),
            ("email", "finder@research.example"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(report.status(), StatusCode::OK);
    let received = receiver.wait_for("report.received", WAIT);
    assert!(
        !received.to_string().contains("SECRET-STEPS-77"),
        "never the report's content"
    );
    let confirmed = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    let with_incident = format!(
        "{QUILLFEATHER}\nincidents:\n- key: api-errors\n  title: Elevated API errors\n  severity: major\n  material: true\n  confirmed_at: {}\n  components: [Ingestion API]\n",
        candor_domain::types::Moment::at(confirmed)
    );
    app.publish("quillfeather", &with_incident).await;
    let declared = receiver.wait_for("incident.declared", WAIT);
    assert_eq!(declared["payload"]["data"]["incident"], "api-errors");
    assert_eq!(declared["payload"]["data"]["material"], true);

    // Removing the endpoint: audited; then it is gone.
    let remove = || {
        app.with_cookie(
            reqwest::Method::DELETE,
            &format!("/api/v1/orgs/quillfeather/event-endpoints/{endpoint_id}"),
            &owner,
        )
        .send()
    };
    assert_eq!(remove().await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(remove().await.unwrap().status(), StatusCode::NOT_FOUND);
    let audit = app.audit_actions(&org).await;
    for action in [
        "reader.policy",
        "event_hook.add",
        "event_hook.remove",
        "document.approve",
        "document.revoke",
    ] {
        assert!(
            audit.iter().any(|a| a.contains(action)),
            "{action} not in {audit:?}"
        );
    }
    // Erasing the reader takes their history too.
    app.store
        .erase_document_requests(&org, "ada@customer.example")
        .await
        .unwrap();
    assert!(history("email=ada%40customer.example").await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn a_reader_with_access_has_a_questionnaire_answered_from_the_published_revision() {
    use candor_store::documents::{DocumentRequest, RequestKind, RequestStatus};
    use candor_store::readers::{Decider, ReaderTokenKind};
    let (app, org) = App::quillfeather().await;
    let now = time::OffsetDateTime::now_utc();
    let grant = |email: &str, status: RequestStatus| DocumentRequest {
        id: uuid::Uuid::new_v4(),
        doc_key: "soc2-report".into(),
        kind: RequestKind::Nda,
        name: "R".into(),
        email: email.into(),
        company: "C".into(),
        nda_version: Some("2026-1".into()),
        reason: String::new(),
        status,
        created_at: now,
        decided_at: Some(now),
        expires_at: Some(now + time::Duration::days(30)),
        revoked_at: None,
        batch_id: None,
        decided_by: Some(Decider::Nda),
        decision_note: None,
        locale: "en".into(),
    };
    app.store
        .insert_reader_requests(
            &org,
            &[
                grant("holder@customer.example", RequestStatus::Granted),
                grant("waiting@customer.example", RequestStatus::Pending),
            ],
            &[],
            &[],
        )
        .await
        .unwrap();
    // Signed in the way a reader is: a link, used once.
    let session = |email: &'static str| {
        let app = &app;
        let org = org.clone();
        async move {
            let token = format!("{:064x}", uuid::Uuid::new_v4().as_u128());
            app.store
                .insert_reader_token(
                    &org,
                    &candor_web::auth::secret_hash(&token),
                    email,
                    ReaderTokenKind::Link,
                    time::OffsetDateTime::now_utc() + time::Duration::minutes(5),
                )
                .await
                .unwrap();
            let resp = app
                .client
                .post(format!("{}/quillfeather/reader/signin", app.base))
                .form(&[("token", token.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::SEE_OTHER);
            resp.headers()["set-cookie"]
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_owned()
        }
    };
    let holder = session("holder@customer.example").await;
    let waiting = session("waiting@customer.example").await;
    let questions = serde_json::json!({
        "name": "Buyer review",
        "sections": [{"name": "Security", "questions": [
            {"id": "Q1", "question": "Is customer data encrypted at rest?"},
            {"id": "Q2", "question": "What is the limit of your cyber insurance policy?"},
        ]}],
    })
    .to_string();
    let upload = |cookie: &str, name: &str, bytes: Vec<u8>, format: &str| {
        let (content_type, body) = crate::questionnaires::form(&[("format", format)], name, &bytes);
        app.client
            .post(format!("{}/quillfeather/reader/questionnaire", app.base))
            .header("cookie", cookie)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    assert!(
        app.page_as("/quillfeather/reader", &holder)
            .await
            .contains("Answer my questionnaire")
    );
    assert!(
        !app.page_as("/quillfeather/reader", &waiting)
            .await
            .contains("Answer my questionnaire")
    );
    let refused = upload(&waiting, "q.json", questions.clone().into_bytes(), "json")
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "no grant in force");
    let anonymous = upload("x=1", "q.json", questions.clone().into_bytes(), "json")
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);

    let answered = upload(&holder, "q.json", questions.clone().into_bytes(), "json")
        .await
        .unwrap();
    assert_eq!(answered.status(), StatusCode::OK);
    let answered: serde_json::Value = answered.json().await.unwrap();
    let rows = answered["sections"][0]["questions"].as_array().unwrap();
    assert_eq!(rows[0]["answer"], "yes", "{answered}");
    assert!(
        rows[0]["sources"]
            .as_str()
            .unwrap()
            .contains("revision 1, log entry 0"),
        "{answered}"
    );
    assert!(
        !answered.to_string().contains("broker"),
        "an internal entry never reaches a reader: {answered}"
    );
    // Their own workbook comes back filled; a CSV cannot come back as one.
    let book = upload(
        &holder,
        "review.xlsx",
        candor_demo::QUESTIONNAIRE_XLSX.to_vec(),
        "xlsx",
    )
    .await
    .unwrap();
    assert_eq!(book.status(), StatusCode::OK);
    assert!(book.bytes().await.unwrap().starts_with(b"PK\x03\x04"));
    let wrong = upload(
        &holder,
        "q.csv",
        b"Question\nIs data encrypted?\n".to_vec(),
        "xlsx",
    )
    .await
    .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().await.unwrap().contains("format: "));
    let bad = upload(&holder, "q.json", b"not a questionnaire".to_vec(), "json")
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // In the reader's history.
    let history = app
        .store
        .reader_events(
            &org,
            &candor_store::readers::ReaderFilter {
                email: Some("holder@customer.example".into()),
                doc_key: None,
            },
            10,
        )
        .await
        .unwrap();
    assert_eq!(
        history
            .iter()
            .filter(|e| e.kind.as_str() == "questionnaire")
            .count(),
        2
    );
    app.stop().await;
}
