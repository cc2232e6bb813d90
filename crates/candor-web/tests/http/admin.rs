//! Editing and publishing from the admin UI, and the role policy on every org route.

use std::sync::Arc;
use std::time::Duration;

use candor_demo::{HARBORLIGHT, QUILLFEATHER};
use candor_domain::TrustCenter;
use candor_domain::policy::{Role, allows};
use candor_testkit::fixtures::{mailgun_effective, mailgun_entry};
use candor_web::WebConfig;
use candor_web::access::org_routes;
use reqwest::StatusCode;

use crate::harness::{ACTOR, App, error_envelope};

#[tokio::test]
async fn sign_in_edit_a_subprocessor_preview_publish_and_the_public_page_changes() {
    let (app, org) = App::quillfeather().await;
    let cookie = app.member_as(&org, Role::Owner).await;

    let home = app.get_as("/admin", &cookie).await;
    assert_eq!(home.headers().get("cache-control").unwrap(), "no-store");
    assert!(
        home.text()
            .await
            .unwrap()
            .contains("/admin/orgs/quillfeather")
    );

    let form = app
        .get_as("/admin/orgs/quillfeather/sections/subprocessors", &cookie)
        .await;
    assert_eq!(form.status(), StatusCode::OK);
    let html = form.text().await.unwrap();
    assert!(
        html.contains("purpose: Billing"),
        "the section's YAML is in the textarea"
    );
    let tc = TrustCenter::from_yaml(QUILLFEATHER).unwrap();
    let yaml = tc.section_yaml("subprocessors").unwrap().replacen(
        "purpose: Billing",
        "purpose: Billing and invoicing",
        1,
    );

    // A broken edit is refused with the field named, and nothing is saved.
    let broken = yaml.replacen("effective_at: 2026-12-20", "effective_at: 2026-11-01", 1);
    let resp = app
        .post_form(
            "/admin/orgs/quillfeather/sections/subprocessors",
            &cookie,
            &[("yaml", broken.as_str())],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("subprocessors[6].effective_at")
    );

    let resp = app
        .post_form(
            "/admin/orgs/quillfeather/sections/subprocessors",
            &cookie,
            &[("yaml", yaml.as_str())],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);

    let dashboard = app.page_as("/admin/orgs/quillfeather", &cookie).await;
    assert!(
        dashboard
            .contains("subprocessor changed: Stripe (purpose: Billing → Billing and invoicing)"),
        "{dashboard}"
    );
    let preview = app
        .page_as("/admin/orgs/quillfeather/preview", &cookie)
        .await;
    assert!(
        preview.contains("Billing and invoicing")
            && preview.contains("Preview of the unpublished draft")
    );
    assert!(
        !app.page("/quillfeather")
            .await
            .contains("Billing and invoicing"),
        "not public before publishing"
    );

    // Publishing is reviewed first: the page says what will happen.
    let review = app
        .page_as("/admin/orgs/quillfeather/publish", &cookie)
        .await;
    assert!(review.contains("Publish revision 2"), "{review}");
    assert!(
        review.contains("appended to quillfeather's signed transparency log"),
        "{review}"
    );
    assert!(review.contains("subprocessor changed: Stripe"), "{review}");
    let asked = app
        .post_as("/admin/orgs/quillfeather/publish", &cookie)
        .await;
    assert_eq!(
        asked.status(),
        StatusCode::OK,
        "a bare post only shows the review"
    );
    assert!(
        !app.page("/quillfeather")
            .await
            .contains("Billing and invoicing")
    );
    let resp = app
        .post_form(
            "/admin/orgs/quillfeather/publish",
            &cookie,
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(
        app.page("/quillfeather")
            .await
            .contains("Billing and invoicing")
    );
    let json: serde_json::Value = app
        .get("/quillfeather/trust.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json["revision"], 2);

    let actions = app.audit_actions(&org).await;
    let last = actions.last().unwrap();
    assert!(
        last.starts_with("user:") && last.ends_with("revision.publish revision:2"),
        "{actions:?}"
    );
    // The log stores ids; the page names the owner for the owners and admins reading it.
    assert!(
        actions
            .iter()
            .all(|a| !a.contains("owner@quillfeather.example")),
        "the stored log holds account ids, not emails"
    );
    let audit = app.page_as("/admin/orgs/quillfeather/audit", &cookie).await;
    assert!(audit.contains("hash chain and head are intact"));
    assert!(
        audit.contains("<td>owner@quillfeather.example</td><td>revision.publish</td>"),
        "{audit}"
    );
    assert!(audit.contains("<summary>Ids and hash</summary>"));
    // Filters: by action, and by day; a bad day names its field.
    let only = app
        .page_as(
            "/admin/orgs/quillfeather/audit?action=revision.publish",
            &cookie,
        )
        .await;
    assert!(only.contains("2 matching entries"), "{only}");
    assert_eq!(
        only.matches("<td>revision.publish</td>").count(),
        2,
        "{only}"
    );
    let tomorrow = (time::OffsetDateTime::now_utc().date() + time::Duration::days(1)).to_string();
    let none = app
        .page_as(
            &format!("/admin/orgs/quillfeather/audit?from={tomorrow}"),
            &cookie,
        )
        .await;
    assert!(none.contains("0 matching entries"), "{none}");
    let bad = app
        .get_as("/admin/orgs/quillfeather/audit?from=yesterday", &cookie)
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("from: give a day as YYYY-MM-DD")
    );
    // The CSV has the same entries, with ids, names and hashes.
    let csv = app
        .get_as(
            "/admin/orgs/quillfeather/audit.csv?action=revision.publish",
            &cookie,
        )
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = csv.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "seq,at,actor_id,actor,action,target,hash");
    assert_eq!(lines.len(), 3, "two publishes: {csv}");
    assert!(
        lines[1].contains(",owner@quillfeather.example,revision.publish,revision:2,"),
        "{csv}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_viewer_is_refused_every_write_and_the_audit_log_shows_nothing_new() {
    let (app, org) = App::quillfeather().await;
    let cookie = app.member_as(&org, Role::Viewer).await;
    let before = app.audit_actions(&org).await;
    let page = app
        .get_as("/admin/orgs/quillfeather/sections/faq", &cookie)
        .await;
    assert_eq!(page.status(), StatusCode::OK, "viewers may read the draft");
    assert!(page.text().await.unwrap().contains("readonly"));
    let save = app
        .post_form(
            "/admin/orgs/quillfeather/sections/faq",
            &cookie,
            &[("yaml", "[]")],
        )
        .await;
    assert_eq!(save.status(), StatusCode::FORBIDDEN);
    let publish = app
        .post_as("/admin/orgs/quillfeather/publish", &cookie)
        .await;
    assert_eq!(publish.status(), StatusCode::FORBIDDEN);
    let audit = app.get_as("/admin/orgs/quillfeather/audit", &cookie).await;
    assert_eq!(audit.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.audit_actions(&org).await, before);
    assert_eq!(
        app.store.draft(&org).await.unwrap().unwrap().content,
        TrustCenter::from_yaml(QUILLFEATHER).unwrap()
    );
    app.stop().await;
}

/// Every guarded route, for every role: allowed exactly when the policy says so.
#[tokio::test]
async fn every_org_route_and_role_matches_the_policy() {
    // Many writes from one address: lift the write limits, which have tests of their own.
    let (master, _) = candor_store::keys::MasterKey::generate().unwrap();
    let app = App::start(WebConfig {
        revalidate_after: Duration::ZERO,
        master_key: Some(Arc::new(master)),
        writes_per_minute: std::num::NonZeroU32::new(10_000).unwrap(),
        account_writes_per_minute: std::num::NonZeroU32::new(10_000).unwrap(),
        ..WebConfig::default()
    })
    .await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let other = app.publish("harborlight", HARBORLIGHT).await;
    let mut cookies = Vec::new();
    for role in Role::ALL {
        cookies.push((
            Some(role),
            app.member(
                &org,
                &format!("{}@quillfeather.example", role.as_str()),
                role,
            )
            .await,
        ));
    }
    // Signed in, but a member of another org only.
    let outsider = app
        .member(&other, "someone@harborlight.example", Role::Owner)
        .await;
    let draft_json = serde_json::to_string(&TrustCenter::from_yaml(QUILLFEATHER).unwrap()).unwrap();
    for (method, template, action) in org_routes() {
        let path = template
            .replace("{org}", "quillfeather")
            .replace("{section}", "faq")
            .replace("{item}", "0")
            .replace("{id}", &uuid::Uuid::new_v4().to_string());
        let is_api = path.starts_with("/api/");
        let send = |cookie: Option<&str>| {
            let mut request = app
                .client
                .request(method.clone(), format!("{}{path}", app.base));
            if let Some(c) = cookie {
                request = request.header("cookie", c);
            }
            if *method != reqwest::Method::GET {
                request = if path.ends_with("/draft") {
                    request
                        .header("content-type", "application/json")
                        .body(draft_json.clone())
                } else if is_api {
                    request
                        .header("content-type", "application/json")
                        .body("{}")
                } else {
                    request.form(&[("yaml", "[]")])
                };
            }
            request.send()
        };
        for (role, cookie) in &cookies {
            let role = role.unwrap();
            let status = send(Some(cookie)).await.unwrap().status();
            if path.ends_with("/leave") {
                // Leaving works for every role but the only owner: put them back
                // for the routes that follow.
                let email = format!("{}@quillfeather.example", role.as_str());
                let user = app
                    .store
                    .credentials_by_email(&email)
                    .await
                    .unwrap()
                    .unwrap()
                    .user;
                if app
                    .store
                    .member_role(&org, user.id)
                    .await
                    .unwrap()
                    .is_none()
                {
                    let event = candor_domain::audit::AuditEvent {
                        actor: ACTOR.into(),
                        action: "member.set_role".into(),
                        target: format!("user:{}", user.id),
                        at: time::OffsetDateTime::now_utc(),
                    };
                    app.store
                        .set_member_role(&org, user.id, role, &event)
                        .await
                        .unwrap();
                } else {
                    assert_eq!(role, Role::Owner, "{method} {path}: {status}");
                }
            }
            if allows(role, *action) {
                assert!(
                    status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                    "{method} {path} as {role:?}: {status}"
                );
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path} as {role:?}");
            }
        }
        let anonymous = send(None).await.unwrap().status();
        let expected = if is_api {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::SEE_OTHER
        };
        assert_eq!(anonymous, expected, "{method} {path} without signing in");
        let stranger = send(Some(&outsider)).await.unwrap().status();
        assert_eq!(
            stranger,
            StatusCode::NOT_FOUND,
            "{method} {path} as a member of another org"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn a_subprocessor_added_with_too_short_notice_is_refused_naming_the_field() {
    let (app, org) = App::quillfeather().await;
    let cookie = app.member_as(&org, Role::Owner).await;
    let tomorrow = mailgun_entry().replace(
        &mailgun_effective(),
        &(time::OffsetDateTime::now_utc().date() + time::Duration::days(1)).to_string(),
    );
    let short = QUILLFEATHER.replacen("changelog:\n", &tomorrow, 1);
    let put = app.put_draft(&cookie, short.clone()).await;
    assert!(put.status().is_success(), "{}", put.status());
    let index = TrustCenter::from_yaml(&short).unwrap().subprocessors.len() - 1;
    let publish = || {
        app.with_cookie(
            reqwest::Method::POST,
            "/api/v1/orgs/quillfeather/publish",
            &cookie,
        )
        .send()
    };
    let (status, body) = error_envelope(publish().await.unwrap()).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(format!("subprocessors[{index}].effective_at").as_str())
        ),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("30 days' notice"),
        "{body}"
    );
    // The admin UI's review page says so before anyone presses a button, and
    // offers none; a confirmed post is refused the same way.
    let review = app
        .get_as("/admin/orgs/quillfeather/publish", &cookie)
        .await;
    assert_eq!(review.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let review = review.text().await.unwrap();
    assert!(review.contains("Publishing is refused"), "{review}");
    assert!(
        review.contains(&format!("subprocessors[{index}].effective_at")),
        "{review}"
    );
    assert!(
        review.contains("30 days' notice before a new subprocessor starts"),
        "{review}"
    );
    assert!(!review.contains("name=\"confirm\""), "no button to publish");
    let page = app
        .post_form(
            "/admin/orgs/quillfeather/publish",
            &cookie,
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Not published: subprocessors[")
    );
    assert_eq!(app.store.revisions(&org).await.unwrap().len(), 1);

    // With the full notice it goes through.
    let put = app
        .put_draft(
            &cookie,
            QUILLFEATHER.replacen("changelog:\n", &mailgun_entry(), 1),
        )
        .await;
    assert!(put.status().is_success());
    assert_eq!(publish().await.unwrap().status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn the_dashboard_says_what_needs_attention_to_each_role_that_can_act_on_it() {
    let (app, org) = App::quillfeather().await;
    let owner = app.member_as(&org, Role::Owner).await;
    let editor = app.member_as(&org, Role::Editor).await;
    let dashboard = "/admin/orgs/quillfeather";
    assert!(
        app.page_as(dashboard, &owner)
            .await
            .contains("Nothing waits for you.")
    );

    // A reader's request, a vulnerability report, and a draft whose new
    // subprocessor starts tomorrow (the notice period is 30 days).
    let request = app
        .client
        .post(format!("{}/quillfeather/documents/caiq/request", app.base))
        .form(&[
            ("name", "B"),
            ("email", "bo@buyer.example"),
            ("company", "C"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(request.status(), StatusCode::OK);
    let report = app
        .client
        .post(format!("{}/quillfeather/report", app.base))
        .form(&[("title", "XSS"), ("details", "steps")])
        .send()
        .await
        .unwrap();
    assert_eq!(report.status(), StatusCode::OK);
    let tomorrow = mailgun_entry().replace(
        &mailgun_effective(),
        &(time::OffsetDateTime::now_utc().date() + time::Duration::days(1)).to_string(),
    );
    let put = app
        .put_draft(&owner, QUILLFEATHER.replacen("changelog:\n", &tomorrow, 1))
        .await;
    assert!(put.status().is_success());
    let index = TrustCenter::from_yaml(QUILLFEATHER)
        .unwrap()
        .subprocessors
        .len();

    let page = app.page_as(dashboard, &owner).await;
    let attention =
        &page[page.find("id=\"attention-h\"").unwrap()..page.find("id=\"changes-h\"").unwrap()];
    assert!(
        attention.contains(&format!(
            "Urgent:</strong> <a href=\"/admin/orgs/quillfeather/preview\">Publishing the draft now would be refused: subprocessors[{index}].effective_at"
        )),
        "{attention}"
    );
    assert!(
        attention.contains("1 document request waits for a decision."),
        "{attention}"
    );
    assert!(
        attention.contains("Vulnerability report VR-"),
        "{attention}"
    );
    assert!(attention.contains(": acknowledge by "), "{attention}");
    assert!(!attention.contains("Nothing waits"), "{attention}");
    // The edited section is marked in the list of sections.
    assert!(
        page.contains("sections/subprocessors\">YAML</a>)</span> <span class=\"badge wip\">edited, not published</span>"),
        "{page}"
    );
    assert!(
        !page.contains("sections/controls\">YAML</a>)</span> <span"),
        "only what changed"
    );

    // An editor can act on none of these: only the marker shows.
    let page = app.page_as(dashboard, &editor).await;
    assert!(page.contains("Nothing waits for you."), "{page}");
    assert!(page.contains("edited, not published"));
    app.stop().await;
}

#[tokio::test]
async fn removing_a_member_revoking_and_denying_ask_first_and_only_then_act() {
    let (app, org) = App::quillfeather().await;
    let owner = app.member_as(&org, Role::Owner).await;
    app.member_as(&org, Role::Editor).await;
    let editor_email = "editor@quillfeather.example";
    let members = || async {
        app.store
            .members(&org)
            .await
            .unwrap()
            .iter()
            .any(|m| m.user.email == editor_email)
    };
    // Remove a member: a confirmation page, nothing removed; then removed.
    let asked = app
        .post_form(
            "/admin/orgs/quillfeather/members/remove",
            &owner,
            &[("email", editor_email)],
        )
        .await;
    assert_eq!(asked.status(), StatusCode::OK);
    let page = asked.text().await.unwrap();
    assert!(
        page.contains("Remove a member") && page.contains(editor_email),
        "{page}"
    );
    assert!(
        page.contains("<input type=\"hidden\" name=\"email\""),
        "{page}"
    );
    assert!(members().await, "not removed before confirming");
    let done = app
        .post_form(
            "/admin/orgs/quillfeather/members/remove",
            &owner,
            &[("email", editor_email), ("confirm", "yes")],
        )
        .await;
    assert_eq!(done.status(), StatusCode::OK);
    assert!(!members().await, "removed once confirmed");

    // Deny a reader's request: asked first, then denied.
    let request = app
        .client
        .post(format!("{}/quillfeather/documents/caiq/request", app.base))
        .form(&[
            ("name", "B"),
            ("email", "bo@buyer.example"),
            ("company", "C"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(request.status(), StatusCode::OK);
    let id = app.store.document_requests(&org).await.unwrap()[0].id;
    let deny = format!("/admin/orgs/quillfeather/documents/requests/{id}/deny");
    let asked = app.post_as(&deny, &owner).await;
    assert_eq!(asked.status(), StatusCode::OK);
    assert!(asked.text().await.unwrap().contains("bo@buyer.example"));
    let status = |app: &App| {
        let store = app.store.clone();
        let org = org.clone();
        async move {
            store
                .document_request(&org, id)
                .await
                .unwrap()
                .unwrap()
                .status
                .as_str()
        }
    };
    assert_eq!(status(&app).await, "pending");
    let denied = app.post_form(&deny, &owner, &[("confirm", "yes")]).await;
    assert_eq!(denied.status(), StatusCode::SEE_OTHER);
    assert_eq!(status(&app).await, "denied");
    // The members and tokens forms offer the least privilege first.
    let page = app
        .page_as("/admin/orgs/quillfeather/members", &owner)
        .await;
    assert!(page.contains("<option selected>viewer</option>"), "{page}");
    let page = app.page_as("/admin/orgs/quillfeather/tokens", &owner).await;
    assert!(page.contains("<option selected>viewer</option>"), "{page}");
    app.stop().await;
}

#[tokio::test]
async fn a_document_past_or_near_its_valid_until_is_shown_so_and_admins_are_reminded() {
    let (app, org) = App::quillfeather().await;
    let owner = app.member_as(&org, Role::Owner).await;
    let day = |days: i64| {
        (time::OffsetDateTime::now_utc().date() + time::Duration::days(days)).to_string()
    };
    let with_validity = |until: String| {
        QUILLFEATHER.replacen(
            "- key: soc2-report\n",
            &format!("- key: soc2-report\n  valid_until: {until}\n"),
            1,
        )
    };
    app.publish("quillfeather", &with_validity(day(10))).await;
    let page = app.page("/quillfeather").await;
    assert!(page.contains(&format!("Valid until {}", day(10))), "{page}");
    let dashboard = app.page_as("/admin/orgs/quillfeather", &owner).await;
    assert!(
        dashboard.contains(&format!("is valid until {}, 10 days left.", day(10))),
        "{dashboard}"
    );
    // Far off: no reminder. Past: the page says so, and the reminder is urgent.
    app.publish("quillfeather", &with_validity(day(90))).await;
    assert!(
        !app.page_as("/admin/orgs/quillfeather", &owner)
            .await
            .contains("days left")
    );
    app.publish("quillfeather", &with_validity(day(-1))).await;
    let page = app.page("/quillfeather").await;
    assert!(page.contains(&format!("Expired {}", day(-1))), "{page}");
    let dashboard = app.page_as("/admin/orgs/quillfeather", &owner).await;
    assert!(
        dashboard.contains(&format!("expired on {}", day(-1))),
        "{dashboard}"
    );
    assert!(
        dashboard.contains("Urgent:</strong> <a href=\"/admin/orgs/quillfeather/documents\">"),
        "{dashboard}"
    );
    app.stop().await;
}

/// The routine edits through forms: a subprocessor added with its start
/// defaulting to today plus the notice period, a control's status changed
/// (its checks, which the form does not show, kept), a bad value refused at
/// its field, an item removed after confirming; viewers only read. What the
/// forms save is what the API reads back.
#[tokio::test]
async fn routine_edits_through_forms_validate_like_the_yaml_and_keep_what_they_do_not_show() {
    let (app, org) = App::quillfeather().await;
    let editor = app.member_as(&org, Role::Editor).await;
    let viewer = app.member_as(&org, Role::Viewer).await;
    let page =
        |cookie: &str, path: &str| app.with_cookie(reqwest::Method::GET, path, cookie).send();
    let post = |cookie: &str, path: &str, form: Vec<(&str, String)>| {
        app.with_cookie(reqwest::Method::POST, path, cookie)
            .form(&form)
            .send()
    };
    let draft = || async {
        let resp = app
            .with_cookie(
                reqwest::Method::GET,
                "/api/v1/orgs/quillfeather/draft",
                &editor,
            )
            .send()
            .await
            .unwrap();
        let body: serde_json::Value = resp.json().await.unwrap();
        TrustCenter::from_json(&serde_json::to_vec(&body["content"]).unwrap()).unwrap()
    };
    let before = draft().await;
    let notice = before.notice_days().unwrap();
    let today = time::OffsetDateTime::now_utc().date();
    // A new subprocessor: the form starts it after the notice period.
    let new = page(
        &editor,
        "/admin/orgs/quillfeather/sections/subprocessors/items/new",
    )
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    let effective = (today + time::Duration::days(i64::from(notice))).to_string();
    assert!(new.contains(&format!("value=\"{effective}\"")), "{new}");
    assert!(new.contains("name=\"f.hipaa_eligible\""));
    // A bad website is refused at its field, and nothing is saved.
    let form = |website: &str| {
        vec![
            ("f.name", "Courier Mail".to_owned()),
            ("f.purpose", "Transactional email".to_owned()),
            ("f.website", website.to_owned()),
            ("f.locations", "United States\nIreland".to_owned()),
            ("f.effective_at", effective.clone()),
            ("f.announced_at", today.to_string()),
            ("f.hipaa_eligible", "no".to_owned()),
        ]
    };
    let refused = post(
        &editor,
        "/admin/orgs/quillfeather/sections/subprocessors/items/new",
        form("http://postmark.example"),
    )
    .await
    .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let said = refused.text().await.unwrap();
    assert!(said.contains("id=\"e-website\""), "{said}");
    assert!(
        said.contains("name=\"f.website\" type=\"url\" value=\"http://postmark.example\" aria-invalid=\"true\" aria-describedby=\"e-website\""),
        "{said}"
    );
    assert_eq!(
        draft().await.subprocessors.len(),
        before.subprocessors.len()
    );
    let saved = post(
        &editor,
        "/admin/orgs/quillfeather/sections/subprocessors/items/new",
        form("https://postmark.example"),
    )
    .await
    .unwrap();
    let status = saved.status();
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "{}",
        saved.text().await.unwrap()
    );
    let after = draft().await;
    let added = after.subprocessors.last().unwrap();
    assert_eq!(added.name.as_str(), "Courier Mail");
    assert_eq!(added.locations.len(), 2);
    assert_eq!(added.hipaa_eligible, Some(false));
    assert_eq!(added.effective_at.unwrap().to_string(), effective);
    // A control's status changes; its checks and mappings stay.
    let index = after
        .controls
        .iter()
        .position(|c| !c.checks.is_empty())
        .unwrap();
    let control = &after.controls[index];
    let path = format!("/admin/orgs/quillfeather/sections/controls/items/{index}");
    let shown = page(&editor, &path).await.unwrap().text().await.unwrap();
    assert!(
        shown.contains("<option value=\"planned\">planned</option>"),
        "{shown}"
    );
    let mut fields = vec![
        ("f.key", control.key.to_string()),
        ("f.title", control.title.to_string()),
        ("f.description", control.description.to_string()),
        ("f.status", "planned".to_owned()),
    ];
    if let Some(category) = &control.category {
        fields.push(("f.category", category.to_string()));
    }
    for m in &control.mappings {
        fields.push(("f.mappings", m.to_string()));
    }
    let saved = post(&editor, &path, fields).await.unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let changed = &draft().await.controls[index];
    assert_eq!(changed.status, candor_domain::model::ControlStatus::Planned);
    assert_eq!(changed.checks, control.checks, "kept as it was");
    assert_eq!(changed.mappings, control.mappings);
    // Removing asks first.
    let remove = "/admin/orgs/quillfeather/sections/faq/items/0/remove";
    let asked = post(&editor, remove, vec![]).await.unwrap();
    assert_eq!(asked.status(), StatusCode::OK);
    assert!(asked.text().await.unwrap().contains("confirm"));
    assert_eq!(draft().await.faq.len(), before.faq.len());
    let removed = post(&editor, remove, vec![("confirm", "yes".to_owned())])
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    assert_eq!(draft().await.faq.len(), before.faq.len() - 1);
    // The admin pages may run this origin's script (the unsaved-changes guard,
    // line numbers), and nothing inline; the public pages run none.
    let admin_page = page(&editor, &path).await.unwrap();
    let csp = admin_page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe"),
        "{csp}"
    );
    assert!(
        admin_page
            .text()
            .await
            .unwrap()
            .contains("<script src=\"/static/admin.js\" defer></script>")
    );
    let public = app.get("/quillfeather").await;
    let csp = public.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(!csp.contains("script-src"), "{csp}");
    let script = app.get("/static/admin.js").await;
    assert_eq!(
        script.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert!(script.text().await.unwrap().contains("beforeunload"));
    // A YAML error names its line, linked for the editor to jump to.
    let bad = post(
        &editor,
        "/admin/orgs/quillfeather/sections/faq",
        vec![(
            "yaml",
            "- question: Fine?\n  answer: Yes.\n- question: ''\n  answer: Empty question.\n"
                .to_owned(),
        )],
    )
    .await
    .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let said = bad.text().await.unwrap();
    assert!(said.contains("data-line=\"3\">line 3</a>"), "{said}");
    assert!(said.contains("aria-describedby=\"yaml-errors\""), "{said}");
    // The navigation's count is what the dashboard lists for this role.
    let count: serde_json::Value = page(&editor, "/admin/orgs/quillfeather/attention")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let dashboard = page(&editor, "/admin/orgs/quillfeather")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(dashboard.contains("<nav class=\"admin-nav\""));
    let listed = dashboard
        .split("<ul class=\"attention\">")
        .nth(1)
        .map_or(0, |rest| {
            rest.split("</ul>")
                .next()
                .unwrap_or("")
                .matches("<li")
                .count()
        });
    assert_eq!(count["count"], listed, "{dashboard}");
    // One empty state for lists with nothing in them yet.
    let owner = app.member_as(&org, Role::Owner).await;
    let events = page(&owner, "/admin/orgs/quillfeather/events")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        events.contains("<p class=\"empty\">No endpoint yet.</p>"),
        "{events}"
    );
    // Viewers read the forms and cannot save them.
    let read = page(&viewer, &path).await.unwrap().text().await.unwrap();
    assert!(!read.contains("Save to draft") && read.contains("disabled"));
    let denied = post(&viewer, &path, vec![("f.status", "planned".to_owned())])
        .await
        .unwrap();
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn admin_times_are_in_the_orgs_time_zone_and_a_bad_zone_names_its_field() {
    let app = App::start_default().await;
    // Tokyo keeps no daylight saving time: its offset is always +09:00.
    let yaml = QUILLFEATHER.replacen("profile:\n", "profile:\n  time_zone: Asia/Tokyo\n", 1);
    let org = app.publish("tokyo", &yaml).await;
    let cookie = app.member(&org, "owner@tokyo.example", Role::Owner).await;
    let audit = app.page_as("/admin/orgs/tokyo/audit", &cookie).await;
    let published = app.store.audit_log(&org).await.unwrap();
    let at = published.entries.last().unwrap().event.at;
    let tokyo = at.to_offset(time::UtcOffset::from_hms(9, 0, 0).unwrap());
    let shown = format!(
        "{:04}-{:02}-{:02} {:02}:{:02} JST",
        tokyo.year(),
        u8::from(tokyo.month()),
        tokyo.day(),
        tokyo.hour(),
        tokyo.minute()
    );
    assert!(audit.contains(&shown), "{shown} in {audit}");
    // Outside the admin pages, and for an org without a zone, times stay in UTC.
    let other = app.publish("quillfeather", QUILLFEATHER).await;
    let owner = app
        .member(&other, "owner@quillfeather.example", Role::Owner)
        .await;
    let audit = app.page_as("/admin/orgs/quillfeather/audit", &owner).await;
    assert!(audit.contains(" UTC"), "{audit}");
    assert!(!audit.contains(" JST"), "{audit}");
    // A zone that does not exist is refused at its field, like any other value.
    let bad = app
        .put_draft(
            &owner,
            QUILLFEATHER.replacen(
                "profile:\n",
                "profile:\n  time_zone: Mars/Olympus_Mons\n",
                1,
            ),
        )
        .await;
    let (status, body) = error_envelope(bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "profile.time_zone", "{body}");
}
