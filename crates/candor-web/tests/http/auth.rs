//! Signing in: failures, sessions, cross-site requests, lock-out and password resets.

use std::sync::Arc;

use candor_demo::QUILLFEATHER;
use candor_domain::TrustCenter;
use candor_domain::policy::Role;
use candor_testkit::mail::MailSink;
use candor_web::WebConfig;
use reqwest::StatusCode;

use crate::harness::{App, PASSWORD, eventually};

#[tokio::test]
async fn sign_in_failures_look_the_same_and_are_rate_limited() {
    let app = App::start(WebConfig {
        login_attempts_per_minute: std::num::NonZeroU32::new(3).unwrap(),
        ..WebConfig::default()
    })
    .await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    app.member_as(&org, Role::Owner).await; // one attempt used
    let attempt = |email: &'static str| {
        app.client
            .post(format!("{}/admin/login", app.base))
            .form(&[
                ("email", email),
                ("password", "wrong password, long enough"),
            ])
            .send()
    };
    let known = attempt("owner@quillfeather.example").await.unwrap();
    let unknown = attempt("nobody@quillfeather.example").await.unwrap();
    assert_eq!(known.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        known.text().await.unwrap(),
        unknown.text().await.unwrap(),
        "the page must not reveal which account exists"
    );
    // The per-address budget (3 a minute) is now spent.
    let limited = attempt("owner@quillfeather.example").await.unwrap();
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers().get("retry-after").unwrap(), "60");
    app.stop().await;
}

#[tokio::test]
async fn sessions_rotate_at_sign_in_and_sign_out_everywhere_ends_them_all() {
    let (app, org) = App::quillfeather().await;
    let first = app.member_as(&org, Role::Owner).await;
    let second = app
        .login("owner@quillfeather.example", PASSWORD)
        .await
        .unwrap();
    assert_ne!(first, second, "each sign-in gets a fresh session id");
    let ok = |cookie: String| {
        let request = app.with_cookie(reqwest::Method::GET, "/admin/orgs/quillfeather", &cookie);
        async move { request.send().await.unwrap().status() == StatusCode::OK }
    };
    assert!(ok(first.clone()).await && ok(second.clone()).await);
    let out = app.post_as("/admin/logout", &first).await;
    assert!(
        out.headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert!(!ok(first.clone()).await, "a signed-out session is dead");
    assert!(ok(second.clone()).await);
    let third = app
        .login("owner@quillfeather.example", PASSWORD)
        .await
        .unwrap();
    app.post_as("/admin/logout-everywhere", &third).await;
    assert!(
        !ok(second).await && !ok(third).await,
        "signing out everywhere ends every session"
    );
    app.stop().await;
}

#[tokio::test]
async fn cross_site_posts_are_refused_even_with_a_valid_session() {
    let (app, org) = App::quillfeather().await;
    let cookie = app.member_as(&org, Role::Owner).await;
    let before = app.audit_actions(&org).await;
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://evil.example"),
    ] {
        let resp = app
            .with_cookie(
                reqwest::Method::POST,
                "/admin/orgs/quillfeather/publish",
                &cookie,
            )
            .header(name, value)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{name}: {value}");
    }
    let same_origin = app
        .with_cookie(
            reqwest::Method::POST,
            "/admin/orgs/quillfeather/sections/faq",
            &cookie,
        )
        .header("sec-fetch-site", "same-origin")
        .form(&[(
            "yaml",
            TrustCenter::from_yaml(QUILLFEATHER)
                .unwrap()
                .section_yaml("faq")
                .unwrap()
                .as_str(),
        )])
        .send()
        .await
        .unwrap();
    assert_eq!(same_origin.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.audit_actions(&org).await, before);
    app.stop().await;
}

/// Failing on purpose from many addresses spends the account's budget, but does
/// not lock out a browser that signed in to the account before.
#[tokio::test]
async fn strangers_cannot_lock_the_owner_out_of_sign_in() {
    let (master, _) = candor_store::keys::MasterKey::generate().unwrap();
    let app = App::start(WebConfig {
        login_attempts_per_minute: std::num::NonZeroU32::new(3).unwrap(),
        master_key: Some(Arc::new(master)),
        ..WebConfig::default()
    })
    .await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let email = "owner@quillfeather.example";
    app.add_member(&org, email, Role::Owner).await;
    // Each client comes from its own loopback address, as separate machines would.
    let from = |last: u8| {
        reqwest::Client::builder()
            .local_address(std::net::IpAddr::from([127, 0, 0, last]))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    };
    let sign_in = |client: reqwest::Client, password: &'static str| {
        let url = format!("{}/admin/login", app.base);
        async move {
            client
                .post(url)
                .form(&[("email", email), ("password", password)])
                .send()
                .await
                .unwrap()
        }
    };
    let owner = from(1);
    let first = sign_in(owner.clone(), PASSWORD).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let device = first
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|c| c.starts_with("__Host-candor_device="))
        .expect("a device cookie");
    assert!(first.headers().get_all("set-cookie").iter().any(|v| {
        v.to_str()
            .unwrap()
            .contains("HttpOnly; Secure; SameSite=Strict")
    }));
    for last in 2..=6 {
        sign_in(from(last), "wrong guess here").await;
    }
    // The right password from a new machine is refused now…
    assert_eq!(
        sign_in(from(7), PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // …but the owner's browser still gets in, and a forged cookie does not help.
    let again = owner
        .post(format!("{}/admin/login", app.base))
        .header("cookie", &device)
        .form(&[("email", email), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    let forged = from(8)
        .post(format!("{}/admin/login", app.base))
        .header(
            "cookie",
            "__Host-candor_device=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        )
        .form(&[("email", email), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}

/// A forgotten password: the same answer for every address, a single-use link by
/// real mail for an account, every session ended when the new password is set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forgotten_password_is_reset_by_a_single_use_mailed_link() {
    let dir = tempfile::tempdir().unwrap();
    let sink = MailSink::start(dir.path());
    let app = App::start_with_worker(sink.port).await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let session = app.member_as(&org, Role::Editor).await;
    let ask = |email: &'static str| {
        app.client
            .post(format!("{}/admin/reset", app.base))
            .form(&[("email", email)])
            .send()
    };
    let unknown = ask("nobody@quillfeather.example").await.unwrap();
    let unknown = (unknown.status(), unknown.text().await.unwrap());
    let known = ask("Editor@Quillfeather.example").await.unwrap();
    let known = (known.status(), known.text().await.unwrap());
    assert_eq!(
        unknown, known,
        "the answer tells whether the address has an account"
    );
    assert_eq!(known.0, StatusCode::OK);
    let mails = eventually("the reset mail", || {
        let m = sink.messages();
        (!m.is_empty()).then_some(m)
    })
    .await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].header("To"), Some("editor@quillfeather.example"));
    let start = mails[0].body.find("/admin/reset/").unwrap();
    let path: String = mails[0].body[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert_eq!(app.get(&path).await.status(), StatusCode::OK);
    let choose = |password: &'static str| {
        app.client
            .post(format!("{}{path}", app.base))
            .form(&[("password", password)])
            .send()
    };
    assert_eq!(
        choose("short").await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        choose("a brand new passphrase").await.unwrap().status(),
        StatusCode::OK
    );
    // Single use, and every session of the account has ended.
    assert_eq!(app.get(&path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        choose("yet another passphrase").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let old_session = app.get_as("/admin", &session).await;
    assert_eq!(old_session.status(), StatusCode::SEE_OTHER);
    assert!(
        app.login("editor@quillfeather.example", PASSWORD)
            .await
            .is_none()
    );
    assert!(
        app.login("editor@quillfeather.example", "a brand new passphrase")
            .await
            .is_some()
    );
    // A forged or altered link opens nothing.
    let forged = format!("{}x", path.trim_end_matches(|c: char| c != '/'));
    assert_eq!(app.get(&forged).await.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}
