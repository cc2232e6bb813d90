//! Subscribers: confirmation, and change notices by real mail and signed webhook.

use std::time::Duration;

use candor_demo::QUILLFEATHER;
use candor_domain::policy::Role;
use candor_testkit::fixtures::{mailgun_effective, mailgun_entry};
use candor_testkit::mail::MailSink;
use candor_testkit::peers::WebhookReceiver;
use reqwest::StatusCode;

use crate::harness::{App, eventually};

fn hash_text(html: &str) -> String {
    let start = html.find("<p class=\"hash\">").unwrap() + "<p class=\"hash\">".len();
    let end = html[start..].find("</p>").unwrap() + start;
    html[start..end].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_confirm_then_get_the_subprocessor_notice_by_real_mail_and_signed_webhook() {
    let dir = tempfile::tempdir().unwrap();
    let sink = MailSink::start(dir.path());
    let receiver = WebhookReceiver::start(dir.path(), 1);
    let app = App::start_with_worker(sink.port).await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let form = |path: &str, fields: &[(&str, &str)]| {
        app.client
            .post(format!("{}{path}", app.base))
            .form(fields)
            .send()
    };

    // Email: subscribe, then confirm from the mail that really arrives.
    let resp = form(
        "/quillfeather/subscribe",
        &[
            ("channel", "email"),
            ("address", "Reader@Example.COM"),
            ("topics", "subprocessors"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.text().await.unwrap().contains("Check your inbox"));
    let mails = eventually("the confirmation mail", || {
        let m = sink.messages();
        (!m.is_empty()).then_some(m)
    })
    .await;
    let confirmation = &mails[0];
    assert_eq!(confirmation.header("To"), Some("reader@example.com"));
    // Even the confirmation carries a one-click unsubscribe (RFC 8058).
    let pending = &app.store.subscribers(&org).await.unwrap()[0];
    assert_eq!(
        confirmation.header("List-Unsubscribe"),
        Some(
            format!(
                "<{}/quillfeather/subscription/unsubscribe?token={}>",
                app.base,
                app.manage_token(&org, pending).await
            )
            .as_str()
        )
    );
    let token = confirmation
        .link_param("/quillfeather/subscription/confirm", "token")
        .unwrap();
    // Opening the link (as a mail scanner would) does not confirm; the button does.
    let page = app
        .get(&format!("/quillfeather/subscription/confirm?token={token}"))
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let subscribers = app.store.subscribers(&org).await.unwrap();
    assert!(!subscribers[0].is_active());
    assert_eq!(
        form("/quillfeather/subscription/confirm", &[("token", "wrong")])
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let confirmed = form("/quillfeather/subscription/confirm", &[("token", &token)])
        .await
        .unwrap();
    assert_eq!(confirmed.status(), StatusCode::OK);
    // Subscribing again while active sends nothing and answers the same.
    let again = form(
        "/quillfeather/subscribe",
        &[
            ("channel", "email"),
            ("address", "reader@example.com"),
            ("topics", "all"),
        ],
    )
    .await
    .unwrap();
    assert!(again.text().await.unwrap().contains("Check your inbox"));

    // Webhook: the secret is shown once; the signed confirm event carries the token.
    let resp = form(
        "/quillfeather/subscribe",
        &[
            ("channel", "webhook"),
            ("address", &receiver.url()),
            ("topics", "all"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let secret = hash_text(&resp.text().await.unwrap());
    assert!(secret.starts_with("whsec_"), "{secret}");
    receiver.set_secret(&secret);
    let confirm_event = eventually("the webhook confirm event", || {
        receiver
            .deliveries()
            .into_iter()
            .find(|d| d["payload"]["type"] == "subscription.confirm" && d["status"] == 200)
    })
    .await;
    let data = &confirm_event["payload"]["data"];
    let confirm_url = data["confirm_url"].as_str().unwrap().to_owned();
    let resp = app
        .client
        .post(&confirm_url)
        .form(&[("token", data["token"].as_str().unwrap())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        app.store
            .subscribers(&org)
            .await
            .unwrap()
            .iter()
            .filter(|s| s.is_active())
            .count(),
        2
    );

    // A change that is not about subprocessors reaches the webhook (all topics)
    // but not the reader (subprocessors only).
    app.publish(
        "quillfeather",
        &QUILLFEATHER.replacen("    rto_minutes: 240", "    rto_minutes: 60", 1),
    )
    .await;
    eventually("the first revision notice", || {
        receiver
            .deliveries()
            .into_iter()
            .find(|d| d["payload"]["type"] == "revision.published" && d["status"] == 200)
    })
    .await;

    // Publish a new subprocessor with full notice: mail and webhook both arrive.
    let owner = app.member_as(&org, Role::Owner).await;
    let with_mailgun = QUILLFEATHER
        .replacen("    rto_minutes: 240", "    rto_minutes: 60", 1)
        .replacen("changelog:\n", &mailgun_entry(), 1);
    let put = app.put_draft(&owner, with_mailgun).await;
    assert!(put.status().is_success());
    // The admin's review page counts who will be told, before publishing.
    let review = app
        .page_as("/admin/orgs/quillfeather/publish", &owner)
        .await;
    assert!(
        review.contains("Subscribers are told: 1 email and 1 webhook"),
        "{review}"
    );
    assert!(
        review.contains("Added here: Mailgun (takes effect "),
        "{review}"
    );
    let published = app
        .post_as("/api/v1/orgs/quillfeather/publish", &owner)
        .await;
    assert_eq!(published.status(), StatusCode::OK);

    let mails = sink.wait_for(2, Duration::from_secs(30));
    assert_eq!(
        mails.len(),
        2,
        "the reader got the confirmation and the notice only"
    );
    let notice = &mails[1];
    assert!(
        notice
            .header("Subject")
            .unwrap()
            .contains("new subprocessor Mailgun"),
        "{notice:?}"
    );
    let unsubscribe = notice.header("List-Unsubscribe").unwrap();
    assert!(
        unsubscribe.starts_with('<')
            && unsubscribe.contains("/quillfeather/subscription/unsubscribe?token=")
    );
    assert_eq!(
        notice.header("List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    assert!(
        notice.body.contains(&mailgun_effective()),
        "{}",
        notice.body
    );
    let hook = eventually("the subprocessor webhook", || {
        receiver.deliveries().into_iter().find(|d| {
            d["payload"]["type"] == "revision.published"
                && d["status"] == 200
                && d["payload"]["data"]["subprocessors"]["added"][0]["name"] == "Mailgun"
        })
    })
    .await;
    assert_eq!(hook["payload"]["data"]["revision"], 3);
    assert_eq!(
        hook["payload"]["data"]["subprocessors"]["added"][0]["effective_at"],
        mailgun_effective()
    );
    // The receiver refused the first attempt; the retry kept the same webhook-id, so
    // a receiver can drop repeats, and was signed afresh (the library checked both).
    let attempts: Vec<_> = receiver
        .deliveries()
        .into_iter()
        .filter(|d| d["id"] == hook["id"])
        .map(|d| d["status"].as_u64().unwrap())
        .collect();
    assert_eq!(attempts, vec![503, 200]);

    // The objection link from the mail records an objection that admins see.
    let manage = notice
        .link_param("/quillfeather/subscription/object", "token")
        .unwrap();
    assert_eq!(
        notice
            .link_param("/quillfeather/subscription/object", "subprocessor")
            .as_deref(),
        Some("Mailgun")
    );
    let objected = form(
        "/quillfeather/subscription/object",
        &[
            ("token", &manage),
            ("subprocessor", "Mailgun"),
            ("reason", "We need EU-only processing"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(objected.status(), StatusCode::OK);
    let admin_page = app
        .page_as("/admin/orgs/quillfeather/subscribers", &owner)
        .await;
    assert!(
        admin_page.contains("We need EU-only processing")
            && admin_page.contains("reader@example.com")
    );

    // RFC 8058 one-click unsubscribe: a POST to the header's URL with the fixed body.
    let target = unsubscribe.trim_matches(|c| c == '<' || c == '>');
    let resp = app
        .client
        .post(target)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let reader = app
        .store
        .subscribers(&org)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.address == "reader@example.com")
        .unwrap();
    assert!(!reader.is_active());

    // The receiver's library rejects a stale timestamp and accepts a fresh one
    // signed by our signer: the two implementations agree.
    let key = candor_jobs::webhook::secret_bytes(&secret).unwrap();
    let body = r#"{"type":"test","timestamp":"2026-01-01T00:00:00Z","data":{}}"#;
    // (A verified first attempt gets the receiver's scripted 503; a failed check is a 400.)
    for (age, expected) in [
        (600, StatusCode::BAD_REQUEST),
        (0, StatusCode::SERVICE_UNAVAILABLE),
    ] {
        let ts = time::OffsetDateTime::now_utc().unix_timestamp() - age;
        let id = format!("msg_test_{age}");
        let resp = app
            .client
            .post(receiver.url())
            .header("webhook-id", &id)
            .header("webhook-timestamp", ts.to_string())
            .header(
                "webhook-signature",
                candor_jobs::webhook::sign(&key, &id, ts, body),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), expected, "timestamp {age} s old");
        let verified = receiver.deliveries().iter().any(|d| d["id"] == id.as_str());
        assert_eq!(verified, age == 0);
    }
    app.stop().await;
}
