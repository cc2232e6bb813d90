//! Accounts and membership: invitations, and taking access away.

use std::time::Duration;

use candor_demo::{HARBORLIGHT, QUILLFEATHER};
use candor_domain::policy::Role;
use candor_web::WebConfig;
use reqwest::StatusCode;

use crate::harness::{App, PASSWORD};

#[tokio::test]
async fn an_invitation_link_creates_the_account_once_and_then_expires() {
    let (app, org) = App::quillfeather().await;
    let admin = app.member_as(&org, Role::Admin).await;

    // Admins invite, but only owners may hand out the owner role.
    let resp = app
        .post_form(
            "/admin/orgs/quillfeather/invites",
            &admin,
            &[
                ("email", "new-owner@quillfeather.example"),
                ("role", "owner"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = app
        .post_form(
            "/admin/orgs/quillfeather/invites",
            &admin,
            &[("email", "Carol@Quillfeather.example"), ("role", "editor")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let page = resp.text().await.unwrap();
    let first = invite_link(&page);
    assert!(
        page.contains("data-copy=\"#invite-link\""),
        "a copy button beside it"
    );
    // Resending makes a new link for the same person and role; the old one stops.
    let id = app
        .store
        .open_invites(&org, time::OffsetDateTime::now_utc())
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.email == "carol@quillfeather.example")
        .unwrap()
        .id;
    let resent = app
        .post_form(
            &format!("/admin/orgs/quillfeather/invites/{id}/resend"),
            &admin,
            &[("resend", "yes")],
        )
        .await;
    assert_eq!(resent.status(), StatusCode::CREATED);
    let resent = resent.text().await.unwrap();
    // Times are written one way on admin pages (machine form in datetime).
    assert!(resent.contains(" UTC</time>"), "{resent}");
    let link = invite_link(&resent);
    assert_ne!(link, first);
    assert_ne!(
        app.get(&first).await.status(),
        StatusCode::OK,
        "the old link stops"
    );

    let form = app.get(&link).await;
    assert_eq!(form.status(), StatusCode::OK);
    let form = form.text().await.unwrap();
    assert!(form.contains("carol@quillfeather.example") && form.contains("choose a password"));
    let accept = |password: &'static str| {
        app.client
            .post(format!("{}{link}", app.base))
            .form(&[("password", password)])
            .send()
    };
    assert_eq!(
        accept("short").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let joined = accept(PASSWORD).await.unwrap();
    assert_eq!(joined.status(), StatusCode::SEE_OTHER);
    let cookie = joined
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let page = app.get_as("/admin/orgs/quillfeather", &cookie).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Your role: <strong>editor</strong>")
    );
    // Used once.
    assert_eq!(app.get(&link).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        accept(PASSWORD).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    // The audit log records the invitation and the join by account id only.
    let actions = app.audit_actions(&org).await;
    assert!(
        actions
            .iter()
            .any(|a| a.contains("member.invite invite:") && a.ends_with("role:editor")),
        "{actions:?}"
    );
    assert!(
        actions.iter().any(|a| a.contains("member.join")),
        "{actions:?}"
    );
    assert!(!actions.iter().any(|a| a.contains("carol")), "{actions:?}");
    // An expired invitation is refused.
    let event = candor_domain::audit::AuditEvent {
        actor: "operator:test".into(),
        action: "member.invite".into(),
        target: "invite".into(),
        at: time::OffsetDateTime::now_utc(),
    };
    let secret = candor_web::auth::new_secret().unwrap();
    let past = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    app.store
        .insert_invite(
            &org,
            "late@quillfeather.example",
            candor_store::NewGrant {
                id: uuid::Uuid::new_v4(),
                role: Role::Viewer,
                secret_hash: &candor_web::auth::secret_hash(&secret),
                expires_at: past,
            },
            &event,
        )
        .await
        .unwrap();
    let late = app
        .client
        .get(format!("{}/admin/invites/quillfeather/{secret}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}

/// An inviter who invites someone else's address cannot use the invitation page
/// to learn whether that address has an account, nor to guess its password
/// faster than sign-in allows.
#[tokio::test]
async fn invitations_neither_reveal_accounts_nor_allow_password_guessing() {
    let app = App::start(WebConfig {
        login_attempts_per_minute: std::num::NonZeroU32::new(3).unwrap(),
        ..WebConfig::default()
    })
    .await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let other = app.publish("harborlight", HARBORLIGHT).await;
    let owner = app.member_as(&org, Role::Owner).await;
    app.member(&other, "victim@harborlight.example", Role::Owner)
        .await;
    let mut pages = Vec::new();
    let mut links = Vec::new();
    for email in ["victim@harborlight.example", "nobody@harborlight.example"] {
        let resp = app
            .post_form(
                "/admin/orgs/quillfeather/invites",
                &owner,
                &[("email", email), ("role", "viewer")],
            )
            .await;
        assert_eq!(resp.status(), StatusCode::CREATED);
        let page = resp.text().await.unwrap();
        let link = invite_link(&page);
        let form = app.get(&link).await.text().await.unwrap();
        pages.push(form.replace(email, "EMAIL").replace(&link, "LINK"));
        links.push(link);
    }
    assert_eq!(
        pages[0], pages[1],
        "the page differs for an existing account"
    );
    // Wrong guesses answer as a too-short new password would, and run out within
    // the sign-in budget (3 a minute here, some of it spent by the sign-ins above).
    let attempt = |password: &'static str| {
        app.client
            .post(format!("{}{}", app.base, links[0]))
            .form(&[("password", password)])
            .send()
    };
    let mut statuses = Vec::new();
    for guess in [
        "guess-number-1",
        "guess-number-2",
        "guess-number-3",
        "guess-number-4",
    ] {
        statuses.push(attempt(guess).await.unwrap().status());
    }
    assert!(
        statuses
            .iter()
            .all(|s| [StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS].contains(s))
            && statuses.last() == Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    assert_eq!(
        attempt(PASSWORD).await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the right password is not tried once the budget is spent"
    );
    app.stop().await;
}

/// Access can be taken away: members removed, invitations revoked, orgs left,
/// passwords changed (ending other sessions), accounts deleted; nobody is made a
/// member without accepting an invitation, and an org always keeps an owner.
#[tokio::test]
async fn access_can_be_removed_and_an_org_keeps_its_owner() {
    let app = App::start(WebConfig {
        revalidate_after: Duration::ZERO,
        writes_per_minute: std::num::NonZeroU32::new(10_000).unwrap(),
        account_writes_per_minute: std::num::NonZeroU32::new(10_000).unwrap(),
        ..WebConfig::default()
    })
    .await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let other = app.publish("harborlight", HARBORLIGHT).await;
    let owner = app.member_as(&org, Role::Owner).await;
    let editor = app.member_as(&org, Role::Editor).await;
    app.member(&other, "stranger@harborlight.example", Role::Owner)
        .await;
    let api = |method: reqwest::Method, path: &str, cookie: &str| {
        app.with_cookie(method, &format!("/api/v1/orgs/quillfeather{path}"), cookie)
    };
    let json_status = |resp: reqwest::Response| async move {
        let status = resp.status();
        let body: serde_json::Value = resp.json().await.unwrap_or_default();
        (status, body)
    };

    // Nobody joins without an invitation, and the answer does not say whether the
    // address has an account.
    let mut answers = Vec::new();
    for email in ["stranger@harborlight.example", "nobody@nowhere.example"] {
        let (status, body) = json_status(
            api(reqwest::Method::PUT, "/members", &owner)
                .json(&serde_json::json!({"email": email, "role": "viewer"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        answers.push((status, body));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].0, StatusCode::NOT_FOUND);
    assert_eq!(answers[0].1["error"]["field"], "email");

    // The only owner can neither step down nor leave.
    let (status, body) = json_status(
        api(reqwest::Method::PUT, "/members", &owner)
            .json(&serde_json::json!({"email": "owner@quillfeather.example", "role": "admin"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("last_owner"))
    );
    let leave = api(reqwest::Method::POST, "/leave", &owner)
        .send()
        .await
        .unwrap();
    assert_eq!(leave.status(), StatusCode::CONFLICT);

    // Invitations are listed and revoked; a revoked link is dead.
    let created: serde_json::Value = api(reqwest::Method::POST, "/invites", &owner)
        .json(&serde_json::json!({"email": "late@quillfeather.example", "role": "viewer"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let link = created["link"].as_str().unwrap().to_owned();
    let listed: serde_json::Value = api(reqwest::Method::GET, "/invites", &owner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = listed["invites"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(listed["invites"][0]["email"], "late@quillfeather.example");
    let revoked = api(reqwest::Method::DELETE, &format!("/invites/{id}"), &owner)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    // The audit log names the invitation by the id it is listed and revoked under.
    let named: Vec<String> = app
        .audit_actions(&org)
        .await
        .into_iter()
        .filter(|a| a.contains(&format!("invite:{id}")))
        .collect();
    assert_eq!(named.len(), 2, "{named:?}");
    assert!(named[0].contains("member.invite ") && named[1].contains("member.invite_revoke"));
    let path = link.trim_start_matches(&app.base);
    let dead = app.get(path).await;
    assert_eq!(dead.status(), StatusCode::NOT_FOUND);
    let listed: serde_json::Value = api(reqwest::Method::GET, "/invites", &owner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["invites"], serde_json::json!([]));

    // A removed member's session no longer reaches the org.
    assert_eq!(
        api(reqwest::Method::GET, "/draft", &editor)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let removed = api(
        reqwest::Method::DELETE,
        "/members/editor@quillfeather.example",
        &owner,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        api(reqwest::Method::GET, "/draft", &editor)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    // Tokens cannot mint tokens or invitations.
    let token: serde_json::Value = api(reqwest::Method::POST, "/tokens", &owner)
        .json(&serde_json::json!({"name": "ci", "role": "admin"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_owned();
    for (path, body) in [
        (
            "/tokens",
            serde_json::json!({"name": "child", "role": "viewer"}),
        ),
        (
            "/invites",
            serde_json::json!({"email": "x@quillfeather.example", "role": "viewer"}),
        ),
    ] {
        let resp = app
            .client
            .post(format!("{}/api/v1/orgs/quillfeather{path}", app.base))
            .header("authorization", format!("Bearer {token}"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{path}");
    }

    // Changing the password ends the other sessions and keeps this one.
    let second = app
        .login("owner@quillfeather.example", PASSWORD)
        .await
        .unwrap();
    let changed = app
        .post_form(
            "/admin/account/password",
            &owner,
            &[
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let shared = &app;
    let reaches =
        |cookie: String| async move { shared.get_as("/admin/account", &cookie).await.status() };
    assert_eq!(reaches(owner.clone()).await, StatusCode::OK);
    assert_eq!(reaches(second).await, StatusCode::SEE_OTHER);
    assert!(
        app.login("owner@quillfeather.example", PASSWORD)
            .await
            .is_none()
    );
    let owner = app
        .login("owner@quillfeather.example", "a brand new passphrase")
        .await
        .unwrap();

    // The only owner cannot delete their account; once another owner exists, they can.
    let delete = |cookie: String| async move {
        shared
            .post_form(
                "/admin/account/delete",
                &cookie,
                &[("password", "a brand new passphrase")],
            )
            .await
            .status()
    };
    assert_eq!(delete(owner.clone()).await, StatusCode::CONFLICT);
    let user = app
        .store
        .credentials_by_email("owner@quillfeather.example")
        .await
        .unwrap()
        .unwrap()
        .user;
    assert_eq!(
        app.store.member_role(&org, user.id).await.unwrap(),
        Some(Role::Owner)
    );
    app.member(&org, "second-owner@quillfeather.example", Role::Owner)
        .await;
    assert_eq!(delete(owner.clone()).await, StatusCode::OK);
    assert!(
        app.store
            .credentials_by_email("owner@quillfeather.example")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(reaches(owner).await, StatusCode::SEE_OTHER);
    let actions = app.audit_actions(&org).await;
    for expected in ["member.remove", "member.invite_revoke", "member.leave"] {
        assert!(
            actions.iter().any(|a| a.contains(expected)),
            "{expected}: {actions:?}"
        );
    }
    app.stop().await;
}

/// The invitation link shown once on the page that created it.
fn invite_link(page: &str) -> String {
    let start = page.find("/admin/invites/quillfeather/").unwrap();
    page[start..].chars().take_while(|c| *c != '<').collect()
}
