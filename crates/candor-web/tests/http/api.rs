//! The JSON API: its error envelope, revisions and diffs, the OpenAPI document, tokens.

use candor_demo::{HARBORLIGHT, QUILLFEATHER};
use candor_domain::policy::Role;
use candor_testkit::fixtures::{mailgun_effective, mailgun_entry};
use candor_web::WebConfig;
use candor_web::access::org_routes;
use reqwest::StatusCode;

use crate::harness::{App, error_envelope};

#[tokio::test]
async fn api_errors_use_one_envelope_and_name_the_field() {
    let app = App::start(WebConfig {
        body_limit: 64 * 1024,
        ..WebConfig::default()
    })
    .await;
    let url = format!("{}/api/v1/validate", app.base);
    let ok = app
        .client
        .post(&url)
        .header("content-type", "application/yaml")
        .body(QUILLFEATHER)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let ok: serde_json::Value = ok.json().await.unwrap();
    assert_eq!(ok["valid"], true);

    let bad = QUILLFEATHER.replacen("soc2:CC6.1", "soc2:CC99.1", 1);
    let resp = app
        .client
        .post(&url)
        .header("content-type", "application/yaml")
        .body(bad)
        .send()
        .await
        .unwrap();
    let (status, body) = error_envelope(resp).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "controls[0].mappings[0]");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown requirement `soc2:CC99.1` — did you mean `soc2:CC9.1`?")
    );

    let resp = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body("{\"version\": 1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_envelope(resp).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let resp = app
        .client
        .post(&url)
        .header("content-type", "text/plain")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_envelope(resp).await.0,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );

    let huge = "#".repeat(200 * 1024);
    let resp = app
        .client
        .post(&url)
        .header("content-type", "application/yaml")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(error_envelope(resp).await.0, StatusCode::PAYLOAD_TOO_LARGE);

    let resp = app.client.get(&url).send().await.unwrap();
    assert_eq!(error_envelope(resp).await.0, StatusCode::METHOD_NOT_ALLOWED);
    // A wrong method on a guarded route is 405 with Allow, not "your role does not allow this".
    for (method, path, allow) in [
        (
            reqwest::Method::PATCH,
            "/api/v1/orgs/quillfeather/draft",
            "GET, PUT, HEAD",
        ),
        (
            reqwest::Method::DELETE,
            "/admin/orgs/quillfeather/publish",
            "GET, POST, HEAD",
        ),
        (
            reqwest::Method::PUT,
            "/admin/orgs/quillfeather/members",
            "GET, POST, HEAD",
        ),
    ] {
        let resp = app
            .client
            .request(method.clone(), format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_eq!(resp.headers()["allow"], allow, "{method} {path}");
    }
    let resp = app.get("/api/v1/nothing-here").await;
    assert_eq!(error_envelope(resp).await.0, StatusCode::NOT_FOUND);
    let resp = app
        .get("/api/v1/orgs/quillfeather/revisions/not-a-number")
        .await;
    assert_eq!(error_envelope(resp).await.0, StatusCode::BAD_REQUEST);
    app.stop().await;
}

#[tokio::test]
async fn revision_history_and_diff_via_api() {
    let app = App::start_default().await;
    app.publish("quillfeather", QUILLFEATHER).await;
    let extra = QUILLFEATHER.replacen("changelog:\n", &mailgun_entry(), 1);
    app.publish("quillfeather", &extra).await;
    let list: serde_json::Value = app
        .get("/api/v1/orgs/quillfeather/revisions")
        .await
        .json()
        .await
        .unwrap();
    let numbers: Vec<u64> = list["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, vec![2, 1]);
    let one: serde_json::Value = app
        .get("/api/v1/orgs/quillfeather/revisions/1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["revision"], 1);
    let d: serde_json::Value = app
        .get("/api/v1/orgs/quillfeather/diff?from=1&to=2")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        d["summary"],
        serde_json::json!([format!(
            "subprocessor added: Mailgun (Backup email delivery), takes effect {}",
            mailgun_effective()
        )])
    );
    let (status, body) =
        error_envelope(app.get("/api/v1/orgs/quillfeather/diff?from=1&to=9").await).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::NOT_FOUND, Some("to"))
    );
    let (status, _) = error_envelope(app.get("/api/v1/orgs/nobody/revisions").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn api_tokens_are_shown_once_scoped_to_their_org_and_revocable() {
    let (app, org) = App::quillfeather().await;
    app.publish("harborlight", HARBORLIGHT).await;
    let cookie = app.member_as(&org, Role::Admin).await;
    let create = |body: &'static str| {
        app.with_cookie(
            reqwest::Method::POST,
            "/api/v1/orgs/quillfeather/tokens",
            &cookie,
        )
        .header("content-type", "application/json")
        .body(body)
        .send()
    };
    let (status, body) =
        error_envelope(create(r#"{"name":"x","role":"owner"}"#).await.unwrap()).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("role"))
    );
    let (status, body) = error_envelope(
        create(r#"{"name":"x","role":"editor","expires_in_days":0}"#)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("expires_in_days"))
    );
    let created = create(r#"{"name":"ci","role":"editor"}"#).await.unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.headers()["cache-control"], "no-store");
    let created: serde_json::Value = created.json().await.unwrap();
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("cnd_"));

    let bearer = |path: &str, method: reqwest::Method| {
        app.client
            .request(method, format!("{}{path}", app.base))
            .header("authorization", format!("Bearer {token}"))
    };
    let draft = bearer("/api/v1/orgs/quillfeather/draft", reqwest::Method::GET)
        .send()
        .await
        .unwrap();
    assert_eq!(draft.status(), StatusCode::OK);
    // Authenticated answers stay out of caches (the token's creation too, above).
    assert_eq!(draft.headers()["cache-control"], "no-store");
    // The admin's token list says when it was last used.
    let listed = app
        .with_cookie(
            reqwest::Method::GET,
            "/admin/orgs/quillfeather/tokens",
            &cookie,
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let row = listed.split("<td>ci</td>").nth(1).unwrap();
    assert!(
        row.split("</tr>")
            .next()
            .unwrap()
            .contains(&format!("<td>{today} ")),
        "{listed}"
    );
    let draft: serde_json::Value = draft.json().await.unwrap();
    assert_eq!(draft["latest_revision"], 1);
    // An editor token may edit but not publish, and means nothing to another org.
    let put = bearer("/api/v1/orgs/quillfeather/draft", reqwest::Method::PUT)
        .header("content-type", "application/yaml")
        .body(QUILLFEATHER.replacen("soc2:CC6.1", "soc2:CC99.1", 1))
        .send()
        .await
        .unwrap();
    let (status, body) = error_envelope(put).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("controls[0].mappings[0]")
        )
    );
    // What GET returns can be sent back as it is (its `content` is the document);
    // an error inside it names the field under `content`.
    let echoed = bearer("/api/v1/orgs/quillfeather/draft", reqwest::Method::PUT)
        .header("content-type", "application/json")
        .body(draft.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.status(), StatusCode::OK);
    let echoed: serde_json::Value = echoed.json().await.unwrap();
    assert_eq!(echoed["content_hash"], draft["content_hash"]);
    let mut broken = draft.clone();
    broken["content"]["controls"][0]["mappings"][0] = "soc2:CC99.1".into();
    let (status, body) = error_envelope(
        bearer("/api/v1/orgs/quillfeather/draft", reqwest::Method::PUT)
            .header("content-type", "application/json")
            .body(broken.to_string())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("content.controls[0].mappings[0]")
        )
    );
    let publish = bearer("/api/v1/orgs/quillfeather/publish", reqwest::Method::POST)
        .send()
        .await
        .unwrap();
    assert_eq!(publish.status(), StatusCode::FORBIDDEN);
    let elsewhere = bearer("/api/v1/orgs/harborlight/draft", reqwest::Method::GET)
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), StatusCode::UNAUTHORIZED);

    let id = created["id"].as_str().unwrap();
    let revoke = app
        .with_cookie(
            reqwest::Method::DELETE,
            &format!("/api/v1/orgs/quillfeather/tokens/{id}"),
            &cookie,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), StatusCode::NO_CONTENT);
    let after = bearer("/api/v1/orgs/quillfeather/draft", reqwest::Method::GET)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    let actions = app.audit_actions(&org).await;
    // Created and revoked under the same id, the one the API lists.
    assert!(
        actions
            .iter()
            .any(|a| a.ends_with(&format!("token.create token:{id} name:ci"))),
        "{actions:?}"
    );
    assert!(
        actions
            .iter()
            .any(|a| a.ends_with(&format!("token.revoke token:{id}"))),
        "{actions:?}"
    );
    assert!(
        !actions.iter().any(|a| a.contains(&token[4..])),
        "the secret is never logged"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_openapi_document_describes_exactly_the_routes_that_answer() {
    let app = App::start_default().await;
    app.publish("quillfeather", QUILLFEATHER).await;
    let doc: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    let mut operations = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let url = path
                .replace("{org}", "quillfeather")
                .replace("{number}", "1")
                .replace("{id}", &uuid::Uuid::new_v4().to_string());
            let url = if url.ends_with("/diff") {
                format!("{url}?from=1&to=1")
            } else {
                url
            };
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let resp = app
                .client
                .request(method.clone(), format!("{}{url}", app.base))
                .send()
                .await
                .unwrap();
            let status = resp.status();
            let body = resp.text().await.unwrap();
            // Routed: neither the API's catch-all "no such endpoint" nor a wrong method.
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert!(
                !body.contains("no such endpoint"),
                "{method} {path} is documented but not routed"
            );
            // Documented security matches the guard: protected operations refuse anonymous callers.
            let protected = op.get("x-candor-action").is_some();
            assert_eq!(
                status == StatusCode::UNAUTHORIZED,
                protected,
                "{method} {path}: {status}"
            );
        }
    }
    // Every guarded API route is documented with its action.
    for (method, path, action) in org_routes()
        .iter()
        .filter(|(_, p, _)| p.starts_with("/api/"))
    {
        let op = &doc["paths"][*path][method.as_str().to_lowercase()];
        assert_eq!(
            op["x-candor-action"],
            serde_json::to_value(action).unwrap(),
            "{method} {path}"
        );
    }
    assert!(operations >= 12);
    let (status, _) = error_envelope(app.get("/api/v1/not-documented").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn tokens_are_managed_from_the_admin_ui_and_shown_once() {
    let (app, org) = App::quillfeather().await;
    let admin = app.member_as(&org, Role::Admin).await;
    let created = app
        .post_form(
            "/admin/orgs/quillfeather/tokens",
            &admin,
            &[("name", "status page"), ("role", "viewer"), ("days", "30")],
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let page = created.text().await.unwrap();
    let start = page.find("cnd_").unwrap();
    let token: String = page[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    assert_eq!(token.len(), 68);
    let list = app.page_as("/admin/orgs/quillfeather/tokens", &admin).await;
    assert!(
        list.contains("status page") && !list.contains(&token),
        "listed, secret not shown again"
    );
    let use_it = || {
        app.client
            .get(format!("{}/api/v1/orgs/quillfeather/draft", app.base))
            .header("authorization", format!("Bearer {token}"))
            .send()
    };
    assert_eq!(use_it().await.unwrap().status(), StatusCode::OK);
    let id = app.store.tokens(&org).await.unwrap()[0].id;
    // Revoking asks first: the first post only explains, with a danger button.
    let revoke_path = format!("/admin/orgs/quillfeather/tokens/{id}/revoke");
    let asked = app.post_as(&revoke_path, &admin).await;
    assert_eq!(asked.status(), StatusCode::OK);
    let asked = asked.text().await.unwrap();
    assert!(
        asked.contains("Revoke an API token")
            && asked.contains("name=\"confirm\" value=\"yes\"")
            && asked.contains("class=\"danger\""),
        "{asked}"
    );
    assert_eq!(use_it().await.unwrap().status(), StatusCode::OK, "not yet");
    let revoked = app
        .post_form(&revoke_path, &admin, &[("confirm", "yes")])
        .await;
    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(use_it().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    // An admin cannot mint an owner token from the form either.
    let refused = app
        .post_form(
            "/admin/orgs/quillfeather/tokens",
            &admin,
            &[("name", "root"), ("role", "owner"), ("days", "30")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("role: a token"));
    app.stop().await;
}

#[tokio::test]
async fn publishing_waits_while_a_restored_log_is_held() {
    use candor_domain::audit::{AuditAction, AuditEvent};
    let app = App::start(WebConfig::default()).await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let owner = app.member_as(&org, Role::Owner).await;
    let now = time::OffsetDateTime::now_utc();
    let event = |action| AuditEvent::new("operator:cli", action, "log:1", now);
    app.store
        .hold_log(&org, 1, now, &event(AuditAction::LogHold))
        .await
        .unwrap();
    let changed = QUILLFEATHER.replacen("    rto_minutes: 240", "    rto_minutes: 60", 1);
    let put = app
        .with_cookie(
            reqwest::Method::PUT,
            "/api/v1/orgs/quillfeather/draft",
            &owner,
        )
        .header("content-type", "application/yaml")
        .body(changed)
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success());
    let (status, body) = error_envelope(
        app.post_as("/api/v1/orgs/quillfeather/publish", &owner)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "log_held");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("candor log recover --org quillfeather"),
        "{message}"
    );
    let page = app
        .post_form(
            "/admin/orgs/quillfeather/publish",
            &owner,
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(page.status(), StatusCode::CONFLICT);
    assert!(page.text().await.unwrap().contains("publishing is held"));
    assert_eq!(
        app.store
            .latest_revision(&org)
            .await
            .unwrap()
            .unwrap()
            .number,
        1
    );

    app.store
        .release_log_hold(
            &org,
            candor_store::log::HoldOutcome::Recovered,
            1,
            now,
            &event(AuditAction::LogRecover),
        )
        .await
        .unwrap();
    let published = app
        .post_as("/api/v1/orgs/quillfeather/publish", &owner)
        .await;
    assert_eq!(published.status(), StatusCode::OK);
}
