//! Data-subject rights, and an org's export and deletion.

use std::time::Duration;

use candor_demo::QUILLFEATHER;
use candor_domain::TrustCenter;
use candor_domain::policy::Role;
use candor_testkit::mail::MailSink;
use reqwest::StatusCode;

use crate::harness::App;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_get_and_erase_their_data_and_an_owner_exports_then_deletes_the_org() {
    let dir = tempfile::tempdir().unwrap();
    let sink = MailSink::start(dir.path());
    let app = App::start_with_worker(sink.port).await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let owner = app.member_as(&org, Role::Owner).await;
    let admin = app.member_as(&org, Role::Admin).await;
    let form = |path: String, fields: Vec<(&'static str, String)>| {
        app.client
            .post(format!("{}{path}", app.base))
            .form(&fields)
            .send()
    };
    // Ada subscribes, accepts an NDA and reports a vulnerability; Bob subscribes.
    for who in ["ada@example.com", "bob@example.com"] {
        form(
            "/quillfeather/subscribe".into(),
            vec![
                ("channel", "email".into()),
                ("address", who.into()),
                ("topics", "all".into()),
            ],
        )
        .await
        .unwrap();
    }
    let mails = sink.wait_for(2, Duration::from_secs(30));
    for mail in &mails {
        let token = mail.link_param("/subscription/confirm", "token").unwrap();
        form(
            "/quillfeather/subscription/confirm".into(),
            vec![("token", token)],
        )
        .await
        .unwrap();
    }
    let accepted = form(
        "/quillfeather/documents/soc2-report/nda".into(),
        vec![
            ("name", "Ada".into()),
            ("email", "ada@example.com".into()),
            ("company", "Customer Ltd".into()),
            ("nda_version", "2026-1".into()),
            ("accept", "yes".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(accepted.status(), StatusCode::OK);
    let reported = form(
        "/quillfeather/report".into(),
        vec![
            ("title", "Open redirect".into()),
            ("details", "/login?next=//evil".into()),
            ("name", "Ada".into()),
            ("email", "ada@example.com".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(reported.status(), StatusCode::OK);

    // A subscriber downloads their own data with the token from their mails.
    let subscribers = app.store.subscribers(&org).await.unwrap();
    let ada = subscribers
        .iter()
        .find(|s| s.address == "ada@example.com")
        .unwrap();
    let bob = subscribers
        .iter()
        .find(|s| s.address == "bob@example.com")
        .unwrap();
    // What the database holds cannot stand in for the link: not the salt, not a
    // salt with a made-up MAC.
    for forged in [
        ada.manage_salt.clone(),
        format!("{}.AAAAAAAAAAAAAAAAAAAAAA", ada.manage_salt),
    ] {
        let answer = app
            .get(&format!("/quillfeather/subscription/data?token={forged}"))
            .await;
        assert_eq!(answer.status(), 404, "{forged}");
    }
    let own: serde_json::Value = app
        .get(&format!(
            "/quillfeather/subscription/data?token={}",
            app.manage_token(&org, ada).await
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(own["subscription"]["address"], "ada@example.com");
    assert_eq!(
        app.get("/quillfeather/subscription/data?token=guess")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // An admin answers Ada's access request: everything about her, as JSON.
    let post_admin = |path: &str, cookie: &str, fields: Vec<(&'static str, &'static str)>| {
        app.with_cookie(reqwest::Method::POST, path, cookie)
            .form(&fields)
            .send()
    };
    let export: serde_json::Value = post_admin(
        "/admin/orgs/quillfeather/privacy/export",
        &admin,
        vec![("email", "Ada@Example.com")],
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(export["subscriptions"].as_array().unwrap().len(), 1);
    assert_eq!(export["document_requests"][0]["company"], "Customer Ltd");
    assert_eq!(export["vulnerability_reports"][0]["title"], "Open redirect");

    // …and her erasure request, confirmed by typing the address twice.
    let mismatch = post_admin(
        "/admin/orgs/quillfeather/privacy/erase",
        &admin,
        vec![("email", "ada@example.com"), ("confirm", "bob@example.com")],
    )
    .await
    .unwrap();
    assert_eq!(mismatch.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let erased = post_admin(
        "/admin/orgs/quillfeather/privacy/erase",
        &admin,
        vec![("email", "ada@example.com"), ("confirm", "ada@example.com")],
    )
    .await
    .unwrap();
    assert_eq!(erased.status(), StatusCode::OK);
    assert!(
        erased
            .text()
            .await
            .unwrap()
            .contains("Erased: 1 subscription(s), 1 document request(s)")
    );
    let after: serde_json::Value = post_admin(
        "/admin/orgs/quillfeather/privacy/export",
        &admin,
        vec![("email", "ada@example.com")],
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    for key in [
        "subscriptions",
        "document_requests",
        "downloads",
        "vulnerability_reports",
    ] {
        assert!(after[key].as_array().unwrap().is_empty(), "{key}: {after}");
    }
    // The report stays, without who sent it; the audit log names no one.
    assert_eq!(app.store.reports(&org).await.unwrap().len(), 1);
    let actions = app.audit_actions(&org).await;
    assert!(actions.iter().any(|a| a.contains("privacy.erase subject:")));
    assert!(!actions.iter().any(|a| a.contains("ada@")), "{actions:?}");

    // Bob erases himself from the link in his mail.
    let erased = app
        .client
        .post(format!(
            "{}/quillfeather/subscription/erase?token={}",
            app.base,
            app.manage_token(&org, bob).await
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), StatusCode::OK);
    assert!(app.store.subscribers(&org).await.unwrap().is_empty());

    // Only the owner exports the whole org, as one archive.
    let refused = app.get_as("/admin/orgs/quillfeather/export", &admin).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let archive = app.get_as("/admin/orgs/quillfeather/export", &owner).await;
    assert!(
        archive.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("quillfeather-export.json")
    );
    let archive: serde_json::Value = archive.json().await.unwrap();
    assert_eq!(archive["format"], "candor-org-export/1");
    assert_eq!(archive["revisions"].as_array().unwrap().len(), 1);
    assert_eq!(
        archive["revisions"][0]["content"],
        serde_json::to_value(TrustCenter::from_yaml(QUILLFEATHER).unwrap().published()).unwrap()
    );
    assert!(
        archive["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["email"] == "owner@quillfeather.example")
    );
    assert!(!archive["audit_log"].as_array().unwrap().is_empty());
    assert_eq!(archive["vulnerability_reports"][0]["email"], "");

    // Deleting needs the owner and the slug typed out; then nothing is left.
    let wrong = post_admin(
        "/admin/orgs/quillfeather/delete",
        &owner,
        vec![("confirm", "quill")],
    )
    .await
    .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let not_owner = post_admin(
        "/admin/orgs/quillfeather/delete",
        &admin,
        vec![("confirm", "quillfeather")],
    )
    .await
    .unwrap();
    assert_eq!(not_owner.status(), StatusCode::FORBIDDEN);
    let deleted = post_admin(
        "/admin/orgs/quillfeather/delete",
        &owner,
        vec![("confirm", "quillfeather")],
    )
    .await
    .unwrap();
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/quillfeather").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/quillfeather/trust.json").await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(
        app.store
            .org_by_slug(&"quillfeather".parse().unwrap())
            .await
            .unwrap()
            .is_none()
    );
    app.stop().await;
}
