//! The HTTP surface over real HTTP: the app runs on 127.0.0.1:0 against a fresh
//! database (SQLite, or PostgreSQL with CANDOR_TEST_BACKEND=postgres), and every
//! test talks to it with a real client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use candor_domain::TrustCenter;
use candor_store::{OrgScope, SharedStore, create_org, publish_draft};
use candor_store_sqlite::SqliteStore;
use candor_web::{AppState, WebConfig};
use reqwest::StatusCode;

use candor_demo::{HARBORLIGHT, QUILLFEATHER};

const ACTOR: &str = "operator:test";

struct App {
    base: String,
    store: SharedStore,
    client: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    worker: Option<(
        tokio_util::sync::CancellationToken,
        tokio::task::JoinHandle<()>,
    )>,
    master: Option<Arc<candor_store::keys::MasterKey>>,
    _dir: tempfile::TempDir,
}

impl App {
    async fn start(config: WebConfig) -> App {
        App::start_with(config, None).await
    }

    /// The app with its background worker, sending mail to the SMTP server on
    /// `smtp_port` and retrying fast.
    async fn start_with_worker(smtp_port: u16) -> App {
        let (master, _) = candor_store::keys::MasterKey::generate().unwrap();
        App::start_with(
            WebConfig {
                revalidate_after: Duration::ZERO,
                master_key: Some(Arc::new(master)),
                log_host: "trust.example.com".into(),
                allow_private_webhooks: true,
                ..WebConfig::default()
            },
            Some(smtp_port),
        )
        .await
    }

    async fn start_with(mut config: WebConfig, smtp_port: Option<u16>) -> App {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("candor.db");
        // scripts/test.sh runs this file twice: on SQLite, then with
        // CANDOR_TEST_BACKEND=postgres on a throwaway PostgreSQL.
        let store: SharedStore =
            if std::env::var("CANDOR_TEST_BACKEND").as_deref() == Ok("postgres") {
                Arc::new(candor_store_pg::testing::fresh_store().await)
            } else {
                Arc::new(SqliteStore::open(path.to_str().unwrap()).await.unwrap())
            };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        config.public_url = format!("{base}/").parse().unwrap();
        let mut state = AppState::new(store.clone(), config.clone());
        let mut worker = None;
        if let Some(port) = smtp_port {
            let mailer = candor_jobs::mail::Mailer::new(
                &format!("smtp://127.0.0.1:{port}"),
                "Trust center <notifications@trust.example.com>",
                "trust.example.com",
            )
            .unwrap();
            let mut worker_config = candor_jobs::WorkerConfig::new(config.public_url.clone());
            worker_config.poll_interval = Duration::from_millis(100);
            worker_config.backoff = vec![Duration::from_millis(200); 20];
            worker_config.lease = Duration::from_secs(5);
            worker_config.allow_private_targets = true;
            let w = candor_jobs::Worker::new(
                store.clone(),
                config.master_key.clone(),
                Some(mailer),
                worker_config,
            )
            .unwrap();
            state = state.with_worker(std::sync::Arc::new(w.clone()));
            let token = tokio_util::sync::CancellationToken::new();
            worker = Some((token.clone(), tokio::spawn(w.run(token))));
        }
        let server = tokio::spawn(async move {
            candor_web::serve(listener, state, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        App {
            base,
            store,
            client,
            stop: Some(stop),
            server: Some(server),
            worker,
            master: config.master_key.clone(),
            _dir: dir,
        }
    }

    /// The token in a subscriber's manage links, as the worker makes it.
    async fn manage_token(
        &self,
        scope: &OrgScope,
        subscriber: &candor_store::outbox::Subscriber,
    ) -> String {
        let master = self.master.as_ref().expect("a master key");
        candor_jobs::manage::ManageLinkKey::load(&*self.store, scope, master)
            .await
            .unwrap()
            .token(&subscriber.manage_salt)
    }

    /// Revalidate on every request, so a publish shows at once.
    async fn start_default() -> App {
        let (master, _) = candor_store::keys::MasterKey::generate().unwrap();
        App::start(WebConfig {
            revalidate_after: Duration::ZERO,
            master_key: Some(Arc::new(master)),
            log_host: "trust.example.com".into(),
            ..WebConfig::default()
        })
        .await
    }

    async fn publish(&self, slug: &str, yaml: &str) -> OrgScope {
        let content = TrustCenter::from_yaml(yaml).unwrap();
        let scope = match candor_store::scope_for(&*self.store, &slug.parse().unwrap())
            .await
            .unwrap()
        {
            Some(scope) => scope,
            None => create_org(
                &*self.store,
                &slug.parse().unwrap(),
                content.profile.name.as_str(),
            )
            .await
            .unwrap(),
        };
        self.store.save_draft(&scope, &content).await.unwrap();
        let outcome = publish_draft(&*self.store, &scope, time::OffsetDateTime::now_utc(), ACTOR)
            .await
            .unwrap();
        if let candor_store::PublishOutcome::Refused(refusal) = outcome {
            panic!("publish refused: {refusal}");
        }
        scope
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.server.take().unwrap().await.unwrap();
        if let Some((token, task)) = self.worker.take() {
            token.cancel();
            task.await.unwrap();
        }
    }
}

fn assert_security_headers(resp: &reqwest::Response) {
    let h = resp.headers();
    let csp = h
        .get("content-security-policy")
        .expect("CSP")
        .to_str()
        .unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(h.get("referrer-policy").unwrap(), "no-referrer");
    assert_eq!(h.get("x-frame-options").unwrap(), "DENY");
}

async fn error_envelope(resp: reqwest::Response) -> (StatusCode, serde_json::Value) {
    let status = resp.status();
    assert_eq!(
        resp.headers().get("content-type").unwrap(),
        "application/json"
    );
    let body: serde_json::Value = resp.json().await.unwrap();
    let err = body.get("error").expect("error envelope");
    assert!(
        err["code"].is_string() && err["message"].is_string(),
        "{body}"
    );
    assert!(
        err.get("field").is_some(),
        "field is always present (null when not about a field): {body}"
    );
    (status, body)
}

#[tokio::test]
async fn trust_page_shows_every_section_of_each_org() {
    let app = App::start_default().await;
    for (slug, yaml) in [("quillfeather", QUILLFEATHER), ("harborlight", HARBORLIGHT)] {
        app.publish(slug, yaml).await;
        let resp = app.get(&format!("/{slug}")).await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert_security_headers(&resp);
        assert!(
            resp.headers().get("strict-transport-security").is_none(),
            "no HSTS over plain HTTP"
        );
        let html = resp.text().await.unwrap();
        for id in [
            "overview",
            "promises",
            "compliance",
            "controls",
            "commitments",
            "subprocessors",
            "changelog",
            "roadmap",
            "documents",
            "faq",
            "disclosure",
            "verify",
        ] {
            assert!(
                html.contains(&format!("<section id=\"{id}\"")),
                "{slug}: section {id} missing"
            );
        }
        assert!(!html.contains("<script"), "the page needs no JavaScript");
        let tc = TrustCenter::from_yaml(yaml).unwrap();
        for c in &tc.controls {
            assert!(
                html.contains(&format!("id=\"control-{}\"", c.key)),
                "{slug}: control {} missing",
                c.key
            );
        }
        for s in &tc.subprocessors {
            assert!(
                html.contains(&html_escape(s.name.as_str())),
                "{slug}: subprocessor {} missing",
                s.name
            );
        }
        for d in &tc.documents {
            assert!(html.contains(&format!("id=\"doc-{}\"", d.key)));
        }
        assert!(
            html.contains("Framework coverage"),
            "coverage summary missing"
        );
        assert!(
            html.contains(&tc.content_hash().to_string()),
            "content hash missing"
        );
        assert!(
            html.contains("name=\"viewport\""),
            "not readable on a phone"
        );
        assert!(
            html.contains(&format!("href=\"/{slug}/log/entries/0\"")),
            "revision 1 links log entry 0"
        );
    }
    // Each org's page shows only its own content.
    let quill = app.get("/quillfeather").await.text().await.unwrap();
    assert!(!quill.contains("Harborlight"));
    app.stop().await;
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

#[tokio::test]
async fn user_text_is_escaped() {
    let app = App::start_default().await;
    let yaml = QUILLFEATHER.replacen(
        "title: We never sell or rent your data",
        "title: \"<script>alert(1)</script> & friends\"",
        1,
    );
    app.publish("escaped", &yaml).await;
    let html = app.get("/escaped").await.text().await.unwrap();
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("alert(1)"), "the text is shown, escaped");
    app.stop().await;
}

#[tokio::test]
async fn trust_json_is_the_revision_with_a_verifiable_hash() {
    let app = App::start_default().await;
    app.publish("quillfeather", QUILLFEATHER).await;
    let resp = app.get("/quillfeather/trust.json").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_security_headers(&resp);
    let raw = resp.bytes().await.unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(doc["org"], "quillfeather");
    assert_eq!(doc["revision"], 1);
    // The content validates as a trust center, and hashes to the advertised hash.
    let content = serde_json::to_vec(&doc["content"]).unwrap();
    let tc = TrustCenter::from_json(&content).unwrap();
    assert_eq!(doc["content_hash"], tc.content_hash().to_string());
    // The served bytes are canonical: the `content` member can be hashed as served.
    assert_eq!(raw.as_ref(), candor_domain::canonical_json(&doc).as_slice());
    app.stop().await;
}

#[tokio::test]
async fn etags_answer_304_and_change_with_a_new_revision() {
    let app = App::start_default().await;
    app.publish("quillfeather", QUILLFEATHER).await;
    for path in [
        "/quillfeather",
        "/quillfeather/trust.json",
        "/static/candor.css",
    ] {
        let first = app.get(path).await;
        let etag = first.headers().get("etag").expect("etag").clone();
        let again = app
            .client
            .get(format!("{}{path}", app.base))
            .header("if-none-match", etag.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(again.headers().get("etag").unwrap(), &etag);
        assert_security_headers(&again);
        assert!(again.bytes().await.unwrap().is_empty());
        let other = app
            .client
            .get(format!("{}{path}", app.base))
            .header("if-none-match", "\"other\"")
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), StatusCode::OK);
    }
    let etag = app
        .get("/quillfeather")
        .await
        .headers()
        .get("etag")
        .unwrap()
        .clone();
    app.publish(
        "quillfeather",
        &QUILLFEATHER.replacen(
            "name: Quillfeather Analytics",
            "name: Quillfeather Analytics GmbH",
            1,
        ),
    )
    .await;
    let after = app
        .client
        .get(format!("{}/quillfeather", app.base))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::OK);
    assert!(
        after
            .text()
            .await
            .unwrap()
            .contains("Quillfeather Analytics GmbH")
    );
    let json: serde_json::Value = app
        .get("/quillfeather/trust.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json["revision"], 2);
    app.stop().await;
}

#[tokio::test]
async fn unknown_and_unpublished_orgs_get_404_pages_not_crashes() {
    let app = App::start_default().await;
    for path in [
        "/no-such-org",
        "/NOT_A_SLUG",
        "/api",
        "/a/b/c",
        "/%00",
        "/quillfeather/../etc/passwd",
    ] {
        let resp = app.get(path).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
        assert_security_headers(&resp);
        assert!(resp.text().await.unwrap().contains("Not found") || path == "/api");
    }
    let (status, body) = error_envelope(app.get("/no-such-org/trust.json").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    create_org(&*app.store, &"draft-only".parse().unwrap(), "Draft Only")
        .await
        .unwrap();
    let resp = app.get("/draft-only").await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(resp.text().await.unwrap().contains("not been published"));
    app.stop().await;
}

#[tokio::test]
async fn hsts_is_sent_when_served_over_https() {
    let app = App::start(WebConfig {
        https: true,
        ..WebConfig::default()
    })
    .await;
    for path in ["/", "/healthz", "/missing"] {
        let resp = app.get(path).await;
        let hsts = resp
            .headers()
            .get("strict-transport-security")
            .expect("HSTS")
            .to_str()
            .unwrap();
        assert!(
            hsts.contains("max-age=63072000") && hsts.contains("includeSubDomains"),
            "{hsts}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn health_and_readiness() {
    let app = App::start_default().await;
    let health: serde_json::Value = app.get("/healthz").await.json().await.unwrap();
    assert_eq!(health["status"], "ok");
    let ready: serde_json::Value = app.get("/readyz").await.json().await.unwrap();
    let expected = if std::env::var("CANDOR_TEST_BACKEND").as_deref() == Ok("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(ready["database"], expected);
    app.stop().await;
}

/// The shapes that stalled the server (deep nesting: minutes of parser time per
/// request) or grew it by gigabytes (aliases of a long string) are refused by
/// name, quickly, while the server keeps answering.
#[tokio::test]
async fn hostile_yaml_is_refused_by_its_limits() {
    let app = App::start(WebConfig::default()).await;
    let url = format!("{}/api/v1/validate", app.base);
    let mut aliases = format!("profile: &s {}\nfaq: [", "x".repeat(19_000));
    for _ in 0..40_000 {
        aliases.push_str("*s,");
    }
    aliases.push_str("]\n");
    let cases = [
        ("[".repeat(200_000), "nesting is deeper than 64 levels"),
        (
            format!("profile:\n{}x\n", "- ".repeat(100_000)),
            "nesting is deeper than 64 levels",
        ),
        (
            aliases,
            "with its aliases expanded the document is larger than 4 MiB",
        ),
    ];
    let sends: Vec<_> = cases
        .iter()
        .map(|(body, _)| {
            let request = app
                .client
                .post(&url)
                .header("content-type", "application/yaml")
                .body(body.clone());
            tokio::spawn(request.send())
        })
        .collect();
    let health = app.client.get(format!("{}/healthz", app.base)).send().await;
    let mut answers = Vec::new();
    for send in sends {
        answers.push(send.await.unwrap());
    }
    assert_eq!(health.unwrap().status(), StatusCode::OK);
    for (answer, (_, expected)) in answers.into_iter().zip(&cases) {
        let (status, body) = error_envelope(answer.unwrap()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{message}");
    }

    // A line planted in a URL field would become a line of the signed security.txt.
    for planted in [
        "\"https://quillfeather.example/security/thanks\\nContact: mailto:planted@evil.example\"",
        "\"https://quillfeather.example/security/thanks\\rExpires: 1999-01-01T00:00:00.000Z\"",
    ] {
        let body = QUILLFEATHER.replacen(
            "acknowledgements_url: https://quillfeather.example/security/thanks",
            &format!("acknowledgements_url: {planted}"),
            1,
        );
        let answer = app
            .client
            .post(&url)
            .header("content-type", "application/yaml")
            .body(body)
            .send()
            .await
            .unwrap();
        let (status, body) = error_envelope(answer).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(
            body["error"]["field"],
            "commitments.vulnerability_disclosure.acknowledgements_url"
        );
    }
    app.stop().await;
}

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
            "POST",
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
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = App::start(WebConfig {
        header_read_timeout: Duration::from_millis(500),
        ..WebConfig::default()
    })
    .await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let mut buf = Vec::new();
    // The server must close the connection by itself; the outer bound only keeps a
    // broken server from hanging the test run.
    let read = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the connection was still open after 30 s");
    assert!(
        buf.is_empty() || buf.starts_with(b"HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&buf)
    );
    // Ordinary clients are unaffected.
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    app.stop().await;
}

/// Only what the company wrote: a version 2 file that leaves things out gets a page
/// that says nothing about them (no zeros, no "No", no notice promise, no headings).
#[tokio::test]
async fn the_page_says_only_what_the_content_states() {
    let app = App::start_default().await;
    app.publish(
        "sparse",
        "version: 2
profile:
  name: Sparse Inc
commitments:
  resilience:
    rto_minutes: 240
    field_scopes:
      rto_minutes:
        plan: enterprise
  encryption:
    per_tenant_keys: true
  tenancy:
    resources:
    - resource: Database
      per_tenant: false
      detail: Row-level security on every table.
    - resource: Key vault
      per_tenant: true
  vulnerability_disclosure:
    status: non_binding
    intro: Fix times are goals.
    remediation_times:
    - severity: critical
      days: 7
    - severity: high
      business_days: 1
subprocessors:
- name: Microsoft Azure
  purpose: Hosting
- name: Stripe
changelog:
- title: Undated fix
- title: Dated fix
  date: 2026-01-05
  assessment: pentest
assessments:
- key: pentest
  title: External penetration test
  date: 2026-Q1
  kind: external
  assessor: Example Security Ltd
posture:
- standard: ISO/IEC 27001
  status: roadmap
  target_date: 2027
- standard: SOC 2
  status: in_progress
  target_date: Q4 2026
",
    )
    .await;
    let page = app.get("/sparse").await.text().await.unwrap();
    for stated in [
        "Recovery time objective (RTO)</dt><dd>4 hours<",
        "Per-customer keys</dt><dd>Yes",
        "Microsoft Azure",
        "Hosting",
        "Q4 2026",
        ">2027<",
    ] {
        assert!(page.contains(stated), "{stated:?} missing");
    }
    for invented in [
        ">0 ",
        " 0 ",
        "Every 0",
        "hours, kept",
        "Backups encrypted",
        "Not offered",
        "at least",
        "Hosting and data residency",
        "Incident response",
        "Last reviewed",
        "Security contact",
        "href=\"#controls\"",
        "Acknowledgement",
        "Safe harbour",
        "Announced",
        "Effective",
        "Locations",
        "Default",
        "Opt-in",
    ] {
        assert!(!page.contains(invented), "{invented:?} was printed");
    }
    for stated in [
        "<strong>Database</strong>: Shared between tenants. Row-level security on every table.",
        "<strong>Key vault</strong>: One per tenant",
        "<dt>Fix deadlines</dt><dd>Critical: within 7 days; High: within 1 business day</dd>",
        // The disclosure commitment's own framing is shown too.
        "<p class=\"badge wip\">Non-binding</p>",
        "<div class=\"intro\"><p>Fix times are goals.</p>",
        "<dd>4 hours<br><span class=\"meta\">Applies to: enterprise plan</span></dd>",
    ] {
        assert!(page.contains(stated), "{stated:?} missing");
    }
    // An assessment shows what was said of it, and the fix that names it.
    for stated in [
        "<h3 id=\"assessment-pentest\">External penetration test</h3>",
        "<dt>When</dt><dd>Q1 2026</dd>",
        "<dt>Assessor</dt><dd>Example Security Ltd</dd>",
        "Fixes a finding of <a href=\"#assessment-pentest\">External penetration test</a>",
        "<li>Dated fix</li>",
    ] {
        assert!(page.contains(stated), "{stated:?} missing");
    }
    assert!(!page.contains("<dt>Methodology</dt>"));
    // Dated entries first, undated last.
    let dated = page.find("Dated fix").unwrap();
    let undated = page.find("Undated fix").unwrap();
    assert!(dated < undated);
    // No contact, no security.txt (RFC 9116 requires one; Candor invents none).
    let txt = app.get("/sparse/.well-known/security.txt").await;
    assert_eq!(txt.status(), StatusCode::NOT_FOUND);

    // A page of just a name has no commitments or subprocessor sections at all.
    app.publish("bare", "version: 2\nprofile:\n  name: Bare Ltd\n")
        .await;
    let page = app.get("/bare").await.text().await.unwrap();
    for invented in [
        "Commitments",
        "Subprocessors",
        "Security controls",
        "Compliance",
    ] {
        assert!(!page.contains(invented), "{invented:?} was printed");
    }
    app.stop().await;
}

/// The text of a page from `from`, up to Candor's own subscribe and verify
/// sections, as text segments (one per run of text between tags).
fn page_segments(html: &str, from: &str) -> Vec<String> {
    let start = html.find(from).expect("the start marker");
    let end = ["<section id=\"subscribe\"", "<section id=\"verify\""]
        .iter()
        .filter_map(|marker| html[start..].find(marker))
        .min()
        .map_or(html.len(), |i| start + i);
    let mut segments = Vec::new();
    let mut rest = &html[start..end];
    while let Some(open) = rest.find('<') {
        segments.push(rest[..open].to_owned());
        rest = rest[open..]
            .find('>')
            .map_or("", |close| &rest[open + close + 1..]);
    }
    segments.push(rest.to_owned());
    segments
        .into_iter()
        .map(|s| {
            let s = s
                .replace("&#39;", "'")
                .replace("&#34;", "\"")
                .replace("&#60;", "<")
                .replace("&#62;", ">")
                .replace("&#38;", "&")
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&");
            let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
            s.trim_matches(|c: char| c.is_whitespace() || ":;,·".contains(c))
                .to_owned()
        })
        .filter(|s| !s.is_empty())
        .collect()
}

/// Whether `text` occurs in `haystack` as whole words (so "no" is not found in "not").
fn contains_words(haystack: &str, text: &str) -> bool {
    let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
    haystack.match_indices(text).any(|(at, _)| {
        boundary(haystack[..at].chars().next_back())
            && boundary(haystack[at + text.len()..].chars().next())
    })
}

/// Whitespace collapsed, lowercased.
fn normalized(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Candor's own words on a trust page: headings, labels and column names that
/// name what follows, never a claim.
const CHROME: &[&str] = &[
    "Overview",
    "Commitments",
    "Security controls",
    "Subprocessors",
    "Compliance",
    "Report a vulnerability",
    "through this trust center (stored encrypted).",
    "Standard",
    "Status",
    "Detail",
    "Target",
    "Where we stand on each standard",
    "Provider",
    "Regions",
    "Region selection",
    "Data residency",
    "Network isolation",
    "Component",
    "Minimum TLS version",
    "In transit",
    "At rest",
    "Per-tenant keys",
    "Secrets",
    "Backups encrypted",
    "Backups",
    "Isolation",
    "Backups and recovery",
    "Full backups",
    "Backups geo-replicated",
    "Point-in-time recovery",
    "Recovery time objective (RTO)",
    "Recovery point objective (RPO)",
    "Disaster-recovery exercise",
    "Also",
    "Incident response",
    "On call",
    "Customer notice",
    "Post-incident review",
    "Questions this page does not answer",
    "Name",
    "Purpose",
    "Default",
    "Notes",
    "Document",
    "Kind",
    "Access",
    "Contact",
    "Acknowledgement",
    "Fixes",
    "Safe harbour",
    "OpenPGP fingerprint",
    "Security contact",
    "Controls",
    "Documents",
    "Subscribe",
    "to be told of changes to this list, with a link to object to a new subprocessor.",
    "See the document",
    "Active",
    "Policy",
];

/// Publishes a transcription of a real trust page and checks the rendered page:
/// every claim listed is there, and every text on the page is the source's own
/// words, Candor's labels, or a typed value the test maps to its source phrase.
async fn check_transcription(
    app: &App,
    slug: &str,
    yaml: &str,
    source: &str,
    claims: &[&str],
    typed: &[(&str, &str)],
) {
    app.publish(slug, yaml).await;
    let html = app.get(&format!("/{slug}")).await.text().await.unwrap();
    let source = normalized(source);
    for (rendered, phrase) in typed {
        assert!(
            contains_words(&source, &normalized(phrase)),
            "{slug}: the test's source phrase {phrase:?} is not in the source"
        );
        assert!(
            html.contains(rendered),
            "{slug}: typed value {rendered:?} not rendered"
        );
    }
    // Claims may be anywhere (the tagline is in the header); the check for what
    // the source does not say covers the content, <main>.
    let page = normalized(&page_segments(&html, "<body").join(" | "));
    for claim in claims {
        assert!(
            page.contains(&normalized(claim)),
            "{slug}: the claim {claim:?} is not on the page"
        );
    }
    let caption = "companies that process customer data on our behalf, as of";
    for segment in page_segments(&html, "<main") {
        let text = normalized(&segment);
        let supported = contains_words(&source, &text)
            || CHROME.iter().any(|c| normalized(c) == text)
            || typed
                .iter()
                .any(|(rendered, _)| normalized(rendered) == text)
            || text.starts_with(caption);
        assert!(
            supported,
            "{slug}: the page says {segment:?}, which the source does not"
        );
    }
}

#[tokio::test]
async fn real_trust_pages_render_every_claim_and_nothing_else() {
    let app = App::start_default().await;
    check_transcription(
        &app,
        "velaurum",
        include_str!("data/trust-pages/velaurum.yaml"),
        include_str!("data/trust-pages/velaurum.txt"),
        &[
            "Built so the wrong things cannot happen.",
            "Hosted on Microsoft Azure.",
            "Azure Functions for the worker tier",
            "Customer-selectable at provisioning",
            "Cross-region replication only for backup",
            "No service exposes a public endpoint other than the API gateway.",
            "Azure SQL with Transparent Data Encryption",
            "Azure Service Bus with managed identities",
            "Encrypted at every layer.",
            "TLS 1.3",
            "Bring-your-own-key on the enterprise tier.",
            "Backup access logged separately from production access.",
            "Multi-tenant, properly.",
            "Every read and write passes OrgId explicitly.",
            "Per-tenant data export available on request; no data lock-in.",
            "Where we are. Where we're going.",
            "We won't claim a certification we don't hold.",
            "GDPR-aware design",
            "Type I audit scheduled for Q4 2026.",
            "ISO 55000 (asset mgmt)",
            "Velaurum doesn't process payment card data.",
            "Annual DR exercise conducted with documented results.",
            "Customer-facing post-mortem on any incident exceeding RPO.",
            "On-call rotation 24/7 for production.",
            "We'll respond with the actual answer, not a deflection.",
        ],
        &[
            ("Compliant", "Compliant"),
            ("On the roadmap", "On the roadmap"),
            ("Designed against", "Designed against"),
            ("Not pursued", "Not pursued"),
            ("Out of scope", "Out of scope"),
            ("In progress", "In progress"),
            ("Q4 2026", "Q4 2026"),
            ("2027", "2027"),
            ("Yes", "Encrypted with the same keys as live data"),
            ("Continuous", "Continuous transaction log shipping"),
            ("Weekly", "Weekly full-backup geo-replicated"),
            (
                "Up to 35 days back (up to 365 days on the enterprise plan)",
                "within 35 days (configurable to 365 days on enterprise tier)",
            ),
            ("4 hours", "RTO target 4 hours"),
            ("15 minutes", "RPO target 15 minutes"),
            (
                "Within 1 hour, for confirmed material incidents",
                "notified within one hour of confirmed material incident",
            ),
            ("Within 5 business days", "shared within 5 business days"),
            ("Datastore", "Datastore"),
            ("Messaging", "Messaging"),
        ],
    )
    .await;
    check_transcription(
        &app,
        "iqcloud",
        include_str!("data/trust-pages/iqcloud.yaml"),
        include_str!("data/trust-pages/iqcloud.txt"),
        &[
            "How we keep your business data secure",
            "What we DON'T do.",
            "We do not sell your data.",
            "Not to advertisers, not to data brokers, not to AI training providers.",
            "never pooled with other customers and never folded into a shared model",
            "We do not share your data with third parties.",
            "What we do.",
            "there is no premium tier you have to buy to get them",
            "Microsoft Entra-backed identity.",
            "Image scanning and canary gates on deploys.",
            "Who else touches your data.",
            "Twilio / SendGrid",
            "Card numbers never touch our servers.",
            "HIPAA-eligible plan",
            "Eligibility requires a signed Business Associate Agreement (BAA)",
            "Reporting a vulnerability",
            "security@iqcloud.cloud",
            "We will not pursue legal action against good-faith research",
            "placeholder — full key published before public launch",
        ],
        &[
            (
                "Implemented",
                "baked into the platform and apply to every workspace by default",
            ),
            ("7 of 7 implemented", "apply to every workspace by default"),
            (
                "You will be notified before any new subprocessor is added.",
                "You will be notified before any addition.",
            ),
            ("Opt-in", "Disabled by default"),
            (
                "Zero data retention: yes",
                "under a zero-retention agreement",
            ),
            (
                "No training on customer data: yes",
                "Prompt content is not used to train any model",
            ),
            (
                "In legal review: not binding yet",
                "The HIPAA disclosure is currently in legal review",
            ),
            ("HIPAA disclosure", "HIPAA disclosure"),
            (
                "On approved request",
                "contact us before evaluating iqcloud for a HIPAA workload",
            ),
            (
                "Within 1 business day",
                "We acknowledge within one business day",
            ),
        ],
    )
    .await;
    app.stop().await;
}

/// An org's own key for researchers: checked when read (it must encrypt; a
/// private key is refused), served beside security.txt, named in its
/// `Encryption:` field, fingerprint computed; GnuPG encrypts to what is served.
#[tokio::test]
async fn an_orgs_own_researcher_key_is_checked_served_and_usable() {
    use std::process::Command;
    let home = tempfile::tempdir().unwrap();
    let gpg = |args: &[&str]| {
        let out = Command::new("gpg")
            .env("GNUPGHOME", home.path())
            .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
            .args(args)
            .output()
            .expect("gpg (GnuPG) is installed by scripts/test.sh");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    gpg(&[
        "--quick-gen-key",
        "Security <security@keys.example>",
        "ed25519",
        "sign",
        "never",
    ]);
    let sign_only = gpg(&["--armor", "--export", "security@keys.example"]);
    let private = gpg(&["--armor", "--export-secret-keys", "security@keys.example"]);
    let fingerprint = gpg(&["--with-colons", "--list-keys", "security@keys.example"])
        .lines()
        .find_map(|l| l.strip_prefix("fpr:"))
        .map(|l| l.trim_matches(':').to_owned())
        .unwrap();
    gpg(&["--quick-add-key", &fingerprint, "cv25519", "encr", "never"]);
    let public = gpg(&["--armor", "--export", "security@keys.example"]);
    let grouped: String = fingerprint
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");

    let yaml = |key: &str| {
        let indented: String = key.lines().map(|l| format!("      {l}\n")).collect();
        format!(
            "version: 2\nprofile:\n  name: Keyed\ncommitments:\n  vulnerability_disclosure:\n    contact: [mailto:security@keys.example]\n    openpgp_public_key: |\n{indented}"
        )
    };
    for (key, message) in [
        (
            &sign_only,
            "commitments.vulnerability_disclosure.openpgp_public_key: this key can only sign: \
             researchers need a key they can encrypt to (add an encryption subkey) (line 7)",
        ),
        (
            &private,
            "commitments.vulnerability_disclosure.openpgp_public_key: this is a private key: \
             publish the public key only, and treat this private key as disclosed (line 7)",
        ),
    ] {
        let err = TrustCenter::from_yaml(&yaml(key)).unwrap_err();
        assert_eq!(err.to_string(), message);
    }
    let app = App::start_default().await;
    app.publish("keyed", &yaml(&public)).await;
    let page = app.get("/keyed").await.text().await.unwrap();
    assert!(
        page.contains(&format!("<dt>OpenPGP fingerprint</dt><dd>{grouped}</dd>")),
        "{grouped}"
    );
    let txt = app
        .get("/keyed/.well-known/security.txt")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        txt.contains(
            "\nEncryption: https://trust.example.com/keyed/.well-known/researcher-key.asc\n"
        ),
        "{txt}"
    );
    let served = app.get("/keyed/.well-known/researcher-key.asc").await;
    assert_eq!(served.headers()["content-type"], "application/pgp-keys");
    let served = served.text().await.unwrap();
    // A researcher encrypts to what was served, with a fresh keyring.
    let researcher = tempfile::tempdir().unwrap();
    let run = |args: &[&str], input: Option<&str>| {
        use std::io::Write;
        let mut child = Command::new("gpg")
            .env("GNUPGHOME", researcher.path())
            .args(["--batch", "--trust-model", "always"])
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.unwrap_or_default().as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    run(&["--import"], Some(&served));
    let encrypted = run(
        &["--armor", "--encrypt", "-r", &fingerprint],
        Some("report: the login form leaks"),
    );
    // The org (holding the private key) reads it.
    let plain = Command::new("gpg")
        .env("GNUPGHOME", home.path())
        .args([
            "--batch",
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "",
            "--decrypt",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(&encrypted)?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&plain.stdout),
        "report: the login form leaks"
    );
    app.stop().await;
}

#[tokio::test]
async fn oversized_request_heads_are_refused_with_the_usual_security_headers() {
    let app = App::start_default().await;
    let big = "a".repeat(40 * 1024);
    for (path, json) in [("/healthz", false), ("/api/v1/orgs", true)] {
        let resp = app
            .client
            .get(format!("{}{path}", app.base))
            .header("x-padding", &big)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
        assert_security_headers(&resp);
        if json {
            error_envelope(resp).await;
        }
    }
    // A long query string counts too; an ordinary head does not.
    let resp = app.get(&format!("/healthz?{big}")).await;
    assert_eq!(resp.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    app.stop().await;
}

// ---- Accounts, roles and the admin UI ------------------------------------------

use candor_domain::policy::{Role, allows};
use candor_web::access::org_routes;

const PASSWORD: &str = "correct horse battery staple";

impl App {
    /// Creates an account with `role` in `org` and returns its session cookie.
    async fn member(&self, org: &OrgScope, email: &str, role: Role) -> String {
        self.add_member(org, email, role).await;
        self.login(email, PASSWORD).await.expect("sign-in failed")
    }

    /// An account with [`PASSWORD`] and a role in `org`, without signing in.
    async fn add_member(&self, org: &OrgScope, email: &str, role: Role) -> candor_store::User {
        let hash = candor_web::auth::hash_password(PASSWORD).unwrap();
        let user = self.store.insert_user(email, &hash).await.unwrap();
        let event = candor_domain::audit::AuditEvent {
            actor: "operator:test".into(),
            action: "member.set_role".into(),
            target: format!("user:{}", user.id),
            at: time::OffsetDateTime::now_utc(),
        };
        self.store
            .set_member_role(org, user.id, role, &event)
            .await
            .unwrap();
        user
    }

    /// Signs in through the form; returns the `name=value` cookie pair.
    async fn login(&self, email: &str, password: &str) -> Option<String> {
        let resp = self
            .client
            .post(format!("{}/admin/login", self.base))
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .unwrap();
        if resp.status() != StatusCode::SEE_OTHER {
            return None;
        }
        let set_cookie = resp
            .headers()
            .get("set-cookie")?
            .to_str()
            .unwrap()
            .to_owned();
        for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
            assert!(set_cookie.contains(attribute), "{set_cookie}");
        }
        Some(set_cookie.split(';').next().unwrap().to_owned())
    }

    fn with_cookie(
        &self,
        method: reqwest::Method,
        path: &str,
        cookie: &str,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .header("cookie", cookie)
    }

    async fn audit_actions(&self, org: &OrgScope) -> Vec<String> {
        let log = self.store.audit_log(org).await.unwrap();
        log.entries
            .iter()
            .map(|e| format!("{} {} {}", e.event.actor, e.event.action, e.event.target))
            .collect()
    }
}

#[tokio::test]
async fn sign_in_edit_a_subprocessor_preview_publish_and_the_public_page_changes() {
    let app = App::start_default().await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let cookie = app
        .member(&org, "owner@quillfeather.example", Role::Owner)
        .await;

    let home = app
        .with_cookie(reqwest::Method::GET, "/admin", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(home.headers().get("cache-control").unwrap(), "no-store");
    assert!(
        home.text()
            .await
            .unwrap()
            .contains("/admin/orgs/quillfeather")
    );

    let form = app
        .with_cookie(
            reqwest::Method::GET,
            "/admin/orgs/quillfeather/sections/subprocessors",
            &cookie,
        )
        .send()
        .await
        .unwrap();
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
        .with_cookie(
            reqwest::Method::POST,
            "/admin/orgs/quillfeather/sections/subprocessors",
            &cookie,
        )
        .form(&[("yaml", broken.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("subprocessors[6].effective_at")
    );

    let resp = app
        .with_cookie(
            reqwest::Method::POST,
            "/admin/orgs/quillfeather/sections/subprocessors",
            &cookie,
        )
        .form(&[("yaml", yaml.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);

    let dashboard = app
        .with_cookie(reqwest::Method::GET, "/admin/orgs/quillfeather", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        dashboard
            .contains("subprocessor changed: Stripe (purpose: Billing → Billing and invoicing)"),
        "{dashboard}"
    );
    let preview = app
        .with_cookie(
            reqwest::Method::GET,
            "/admin/orgs/quillfeather/preview",
            &cookie,
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        preview.contains("Billing and invoicing")
            && preview.contains("Preview of the unpublished draft")
    );
    assert!(
        !app.get("/quillfeather")
            .await
            .text()
            .await
            .unwrap()
            .contains("Billing and invoicing"),
        "not public before publishing"
    );

    let resp = app
        .with_cookie(
            reqwest::Method::POST,
            "/admin/orgs/quillfeather/publish",
            &cookie,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(
        app.get("/quillfeather")
            .await
            .text()
            .await
            .unwrap()
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
    let audit = app
        .with_cookie(
            reqwest::Method::GET,
            "/admin/orgs/quillfeather/audit",
            &cookie,
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(audit.contains("hash chain and head are intact"));
    assert!(
        !audit.contains("owner@quillfeather.example"),
        "the audit log shows account ids, not emails"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_viewer_is_refused_every_write_and_the_audit_log_shows_nothing_new() {
    let app = App::start_default().await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let cookie = app
        .member(&org, "viewer@quillfeather.example", Role::Viewer)
        .await;
    let before = app.audit_actions(&org).await;
    let page = app
        .with_cookie(
            reqwest::Method::GET,
            "/admin/orgs/quillfeather/sections/faq",
            &cookie,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK, "viewers may read the draft");
    assert!(page.text().await.unwrap().contains("readonly"));
    let save = app
        .with_cookie(
            reqwest::Method::POST,
            "/admin/orgs/quillfeather/sections/faq",
            &cookie,
        )
        .form(&[("yaml", "[]")])
        .send()
        .await
        .unwrap();
    assert_eq!(save.status(), StatusCode::FORBIDDEN);
    let publish = app
        .with_cookie(
            reqwest::Method::POST,
            "/admin/orgs/quillfeather/publish",
            &cookie,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(publish.status(), StatusCode::FORBIDDEN);
    let audit = app
        .with_cookie(
            reqwest::Method::GET,
            "/admin/orgs/quillfeather/audit",
            &cookie,
        )
        .send()
        .await
        .unwrap();
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
async fn sign_in_failures_look_the_same_and_are_rate_limited() {
    let app = App::start(WebConfig {
        login_attempts_per_minute: std::num::NonZeroU32::new(3).unwrap(),
        ..WebConfig::default()
    })
    .await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    app.member(&org, "owner@quillfeather.example", Role::Owner)
        .await; // one attempt used
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
    let app = App::start_default().await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let first = app
        .member(&org, "owner@quillfeather.example", Role::Owner)
        .await;
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
    let out = app
        .with_cookie(reqwest::Method::POST, "/admin/logout", &first)
        .send()
        .await
        .unwrap();
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
    app.with_cookie(reqwest::Method::POST, "/admin/logout-everywhere", &third)
        .send()
        .await
        .unwrap();
    assert!(
        !ok(second).await && !ok(third).await,
        "signing out everywhere ends every session"
    );
    app.stop().await;
}

#[tokio::test]
async fn cross_site_posts_are_refused_even_with_a_valid_session() {
    let app = App::start_default().await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let cookie = app
        .member(&org, "owner@quillfeather.example", Role::Owner)
        .await;
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

#[tokio::test]
async fn api_tokens_are_shown_once_scoped_to_their_org_and_revocable() {
    let app = App::start_default().await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    app.publish("harborlight", HARBORLIGHT).await;
    let cookie = app
        .member(&org, "admin@quillfeather.example", Role::Admin)
        .await;
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
    assert!(
        actions.iter().any(|a| a.ends_with("token.create token:ci")),
        "{actions:?}"
    );
    assert!(
        actions.iter().any(|a| a.contains("token.revoke")),
        "{actions:?}"
    );
    assert!(
        !actions.iter().any(|a| a.contains(&token[4..])),
        "the secret is never logged"
    );
    app.stop().await;
}

#[tokio::test]
async fn public_forms_and_writes_are_rate_limited_per_address() {
    let app = App::start(WebConfig {
        public_forms_per_minute: std::num::NonZeroU32::new(2).unwrap(),
        ..WebConfig::default()
    })
    .await;
    let validate = || {
        app.client
            .post(format!("{}/api/v1/validate", app.base))
            .header("content-type", "application/yaml")
            .body(QUILLFEATHER)
            .send()
    };
    assert_eq!(validate().await.unwrap().status(), StatusCode::OK);
    assert_eq!(validate().await.unwrap().status(), StatusCode::OK);
    let limited = validate().await.unwrap();
    assert_eq!(limited.headers().get("retry-after").unwrap(), "60");
    let (status, body) = error_envelope(limited).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"))
    );
    // Reading is not limited.
    for _ in 0..5 {
        assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    }
    app.stop().await;
}

#[tokio::test]
async fn writes_are_rate_limited_per_account() {
    let app = App::start(WebConfig {
        writes_per_minute: std::num::NonZeroU32::new(4).unwrap(),
        ..WebConfig::default()
    })
    .await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let cookie = app
        .member(&org, "owner@quillfeather.example", Role::Owner)
        .await; // one write (sign-in)
    let faq = TrustCenter::from_yaml(QUILLFEATHER)
        .unwrap()
        .section_yaml("faq")
        .unwrap();
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let resp = app
            .with_cookie(
                reqwest::Method::POST,
                "/admin/orgs/quillfeather/sections/faq",
                &cookie,
            )
            .form(&[("yaml", faq.as_str())])
            .send()
            .await
            .unwrap();
        statuses.push(resp.status().as_u16());
    }
    // The account's budget (3 a minute) covers three saves; the fourth is refused,
    // while the address's budget (120) is far from spent.
    assert_eq!(statuses, vec![303, 303, 303, 429]);
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
async fn an_invitation_link_creates_the_account_once_and_then_expires() {
    let app = App::start_default().await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let admin = app
        .member(&org, "admin@quillfeather.example", Role::Admin)
        .await;

    // Admins invite, but only owners may hand out the owner role.
    let resp = app
        .with_cookie(
            reqwest::Method::POST,
            "/admin/orgs/quillfeather/invites",
            &admin,
        )
        .form(&[
            ("email", "new-owner@quillfeather.example"),
            ("role", "owner"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = app
        .with_cookie(
            reqwest::Method::POST,
            "/admin/orgs/quillfeather/invites",
            &admin,
        )
        .form(&[("email", "Carol@Quillfeather.example"), ("role", "editor")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let page = resp.text().await.unwrap();
    let start = page.find("/admin/invites/quillfeather/").unwrap();
    let link: String = page[start..].chars().take_while(|c| *c != '<').collect();

    let form = app
        .client
        .get(format!("{}{link}", app.base))
        .send()
        .await
        .unwrap();
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
    let page = app
        .with_cookie(reqwest::Method::GET, "/admin/orgs/quillfeather", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Your role: <strong>editor</strong>")
    );
    // Used once.
    assert_eq!(
        app.client
            .get(format!("{}{link}", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
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
            Role::Viewer,
            &candor_web::auth::secret_hash(&secret),
            past,
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
    let owner = app
        .member(&org, "owner@quillfeather.example", Role::Owner)
        .await;
    app.member(&other, "victim@harborlight.example", Role::Owner)
        .await;
    let mut pages = Vec::new();
    let mut links = Vec::new();
    for email in ["victim@harborlight.example", "nobody@harborlight.example"] {
        let resp = app
            .with_cookie(
                reqwest::Method::POST,
                "/admin/orgs/quillfeather/invites",
                &owner,
            )
            .form(&[("email", email), ("role", "viewer")])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        let page = resp.text().await.unwrap();
        let start = page.find("/admin/invites/quillfeather/").unwrap();
        let link: String = page[start..].chars().take_while(|c| *c != '<').collect();
        let form = app
            .client
            .get(format!("{}{link}", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
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

#[tokio::test]
async fn tokens_are_managed_from_the_admin_ui_and_shown_once() {
    let app = App::start_default().await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let admin = app
        .member(&org, "admin@quillfeather.example", Role::Admin)
        .await;
    let created = app
        .with_cookie(
            reqwest::Method::POST,
            "/admin/orgs/quillfeather/tokens",
            &admin,
        )
        .form(&[("name", "status page"), ("role", "viewer"), ("days", "30")])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let page = created.text().await.unwrap();
    let start = page.find("cnd_").unwrap();
    let token: String = page[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    assert_eq!(token.len(), 68);
    let list = app
        .with_cookie(
            reqwest::Method::GET,
            "/admin/orgs/quillfeather/tokens",
            &admin,
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
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
    let revoked = app
        .with_cookie(
            reqwest::Method::POST,
            &format!("/admin/orgs/quillfeather/tokens/{id}/revoke"),
            &admin,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(use_it().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    // An admin cannot mint an owner token from the form either.
    let refused = app
        .with_cookie(
            reqwest::Method::POST,
            "/admin/orgs/quillfeather/tokens",
            &admin,
        )
        .form(&[("name", "root"), ("role", "owner"), ("days", "30")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("role: a token"));
    app.stop().await;
}

#[tokio::test]
async fn log_entries_and_proofs_are_served_and_verify() {
    use base64::Engine;
    let b64 = |v: &serde_json::Value| -> [u8; 32] {
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap()
    };
    let app = App::start_default().await;
    app.publish("quillfeather", QUILLFEATHER).await;
    app.publish(
        "quillfeather",
        &QUILLFEATHER.replacen(
            "name: Quillfeather Analytics",
            "name: Quillfeather Analytics GmbH",
            1,
        ),
    )
    .await;
    app.publish(
        "quillfeather",
        &QUILLFEATHER.replacen("name: Quillfeather Analytics", "name: Quillfeather", 1),
    )
    .await;

    let entry = app.get("/quillfeather/log/entries/1").await;
    assert_eq!(entry.status(), StatusCode::OK);
    assert!(
        entry
            .headers()
            .get("cache-control")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let entry_bytes = entry.bytes().await.unwrap();
    let entry_json: serde_json::Value = serde_json::from_slice(&entry_bytes).unwrap();
    let trust: serde_json::Value = app
        .get("/api/v1/orgs/quillfeather/revisions/2")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(entry_json["revision"], 2);
    assert_eq!(
        entry_json["content_hash"], trust["content_hash"],
        "the entry commits to revision 2's content"
    );

    let p: serde_json::Value = app
        .get("/quillfeather/log/proof/inclusion?index=1&size=3")
        .await
        .json()
        .await
        .unwrap();
    let proof: Vec<[u8; 32]> = p["proof"].as_array().unwrap().iter().map(b64).collect();
    assert_eq!(b64(&p["leaf_hash"]), candor_log::leaf_hash(&entry_bytes));
    candor_log::tree::verify_inclusion(&b64(&p["leaf_hash"]), 1, 3, &proof, &b64(&p["root_hash"]))
        .unwrap();

    let c: serde_json::Value = app
        .get("/quillfeather/log/proof/consistency?from=1&to=3")
        .await
        .json()
        .await
        .unwrap();
    let proof: Vec<[u8; 32]> = c["proof"].as_array().unwrap().iter().map(b64).collect();
    candor_log::tree::verify_consistency(
        1,
        3,
        &b64(&c["old_root_hash"]),
        &b64(&c["new_root_hash"]),
        &proof,
    )
    .unwrap();
    assert_eq!(c["new_root_hash"], p["root_hash"]);

    for (path, field) in [
        ("/quillfeather/log/proof/inclusion?index=3&size=3", "index"),
        ("/quillfeather/log/proof/inclusion?index=0&size=4", "size"),
        ("/quillfeather/log/proof/inclusion?size=2", "index"),
        ("/quillfeather/log/proof/consistency?from=0&to=2", "from"),
        ("/quillfeather/log/proof/consistency?from=2&to=9", "to"),
    ] {
        let (status, body) = error_envelope(app.get(path).await).await;
        assert_eq!(
            (status, body["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{path}"
        );
    }
    let (status, _) = error_envelope(app.get("/quillfeather/log/entries/3").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn checkpoints_are_signed_by_the_key_on_the_trust_page_and_match_the_proofs() {
    use candor_log::checkpoint::Checkpoint;
    use candor_log::note::NoteVerifier;
    let app = App::start_default().await;
    app.publish("quillfeather", QUILLFEATHER).await;
    app.publish(
        "quillfeather",
        &QUILLFEATHER.replacen("name: Quillfeather Analytics", "name: Quillfeather", 1),
    )
    .await;
    let key = app.get("/quillfeather/log/key").await.text().await.unwrap();
    let key = key.trim();
    assert!(key.starts_with("trust.example.com/quillfeather+"), "{key}");
    assert!(
        app.get("/quillfeather")
            .await
            .text()
            .await
            .unwrap()
            .contains(key),
        "the trust page publishes the key"
    );
    let note = app
        .get("/quillfeather/log/checkpoint")
        .await
        .text()
        .await
        .unwrap();
    let verifier = NoteVerifier::parse(key).unwrap();
    let checkpoint = Checkpoint::parse(verifier.open(&note).unwrap()).unwrap();
    assert_eq!(
        (checkpoint.origin.as_str(), checkpoint.size),
        ("trust.example.com/quillfeather", 2)
    );
    let p: serde_json::Value = app
        .get("/quillfeather/log/proof/inclusion?index=0&size=2")
        .await
        .json()
        .await
        .unwrap();
    use base64::Engine;
    assert_eq!(
        base64::engine::general_purpose::STANDARD.encode(checkpoint.root),
        p["root_hash"].as_str().unwrap()
    );
    // The page states the log's root at its revision: the one this checkpoint signed.
    let page = app.get("/quillfeather").await.text().await.unwrap();
    assert!(
        page.contains(&base64::engine::general_purpose::STANDARD.encode(checkpoint.root)),
        "root missing from the page"
    );
    // Another org's key does not vouch for this log.
    app.publish("harborlight", HARBORLIGHT).await;
    let other = app.get("/harborlight/log/key").await.text().await.unwrap();
    assert!(
        NoteVerifier::parse(other.trim())
            .unwrap()
            .open(&note)
            .is_err()
    );
    app.stop().await;
}

#[tokio::test]
async fn without_a_master_key_checkpoints_are_refused_clearly() {
    let app = App::start(WebConfig::default()).await;
    app.publish("quillfeather", QUILLFEATHER).await;
    let (status, body) = error_envelope(app.get("/quillfeather/log/checkpoint").await).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("log_not_configured"))
    );
    assert_eq!(
        app.get("/quillfeather").await.status(),
        StatusCode::OK,
        "the page itself still works"
    );
    app.stop().await;
}

#[tokio::test]
async fn admins_get_signed_checkpoints_of_the_private_audit_log() {
    use candor_log::checkpoint::Checkpoint;
    use candor_log::note::NoteVerifier;
    let app = App::start_default().await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let admin = app
        .member(&org, "admin@quillfeather.example", Role::Admin)
        .await;
    let editor = app
        .member(&org, "editor@quillfeather.example", Role::Editor)
        .await;
    let get = |path: &'static str, cookie: &str| {
        app.with_cookie(reqwest::Method::GET, path, cookie).send()
    };
    let key = get("/api/v1/orgs/quillfeather/audit/key", &admin)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        key.trim()
            .starts_with("trust.example.com/quillfeather/audit+"),
        "{key}"
    );
    let note = get("/api/v1/orgs/quillfeather/audit/checkpoint", &admin)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let checkpoint = Checkpoint::parse(
        NoteVerifier::parse(key.trim())
            .unwrap()
            .open(&note)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        checkpoint.size as usize,
        app.store.audit_log(&org).await.unwrap().entries.len()
    );
    assert_eq!(
        get("/api/v1/orgs/quillfeather/audit/checkpoint", &editor)
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/orgs/quillfeather/audit/checkpoint")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    app.stop().await;
}

/// security.txt is signed with the org's OpenPGP key, and GnuPG, which we did
/// not write, says so (and says BAD for a tampered copy).
#[tokio::test]
async fn security_txt_follows_rfc_9116_and_gnupg_verifies_its_signature() {
    use std::process::Command;
    let app = App::start_default().await;
    app.publish("quillfeather", QUILLFEATHER).await;
    let resp = app.get("/quillfeather/.well-known/security.txt").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers().get("content-type").unwrap(),
        "text/plain; charset=utf-8"
    );
    let signed = resp.text().await.unwrap();
    assert!(
        signed.starts_with("-----BEGIN PGP SIGNED MESSAGE-----\nHash: "),
        "{signed}"
    );
    let fields: Vec<&str> = signed
        .lines()
        .filter(|l| l.contains(": ") && !l.starts_with("Hash:"))
        .collect();
    assert!(fields.contains(&"Contact: mailto:security@quillfeather.example"));
    assert!(
        fields.contains(
            &"Canonical: https://trust.example.com/quillfeather/.well-known/security.txt"
        )
    );
    // The org's own key is the Encryption key; the signing key only signs, so it
    // is named in a comment, not offered as an Encryption key.
    let encryption: Vec<&&str> = fields
        .iter()
        .filter(|f| f.starts_with("Encryption: "))
        .collect();
    assert_eq!(
        encryption,
        [&"Encryption: https://quillfeather.example/.well-known/openpgp-key.asc"]
    );
    assert!(signed.contains(
        "\n# Signed (OpenPGP cleartext signature) with the key at \
         https://trust.example.com/quillfeather/.well-known/openpgp-key.asc\n"
    ));
    assert!(fields.contains(&"Preferred-Languages: en, de"));
    let expires: Vec<&&str> = fields
        .iter()
        .filter(|l| l.starts_with("Expires: "))
        .collect();
    assert_eq!(expires.len(), 1, "exactly one Expires");
    let expires = time::OffsetDateTime::parse(
        &expires[0]["Expires: ".len()..],
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let now = time::OffsetDateTime::now_utc();
    assert!(
        expires > now && expires < now + time::Duration::days(365),
        "{expires}"
    );

    let key = app
        .get("/quillfeather/.well-known/openpgp-key.asc")
        .await
        .text()
        .await
        .unwrap();
    assert!(key.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----"));
    let home = tempfile::tempdir().unwrap();
    let gpg = |args: &[&str]| {
        Command::new("gpg")
            .env("GNUPGHOME", home.path())
            .args(["--batch", "--status-fd", "1"])
            .args(args)
            .output()
            .expect("gpg (GnuPG) is installed by scripts/test.sh")
    };
    let dir = home.path();
    std::fs::write(dir.join("key.asc"), &key).unwrap();
    std::fs::write(dir.join("security.txt"), &signed).unwrap();
    assert!(
        gpg(&["--import", dir.join("key.asc").to_str().unwrap()])
            .status
            .success()
    );
    let good = gpg(&["--verify", dir.join("security.txt").to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&good.stdout).contains("[GNUPG:] GOODSIG"),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    std::fs::write(
        dir.join("tampered.txt"),
        signed.replacen("mailto:security@", "mailto:attacker@", 1),
    )
    .unwrap();
    let bad = gpg(&["--verify", dir.join("tampered.txt").to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&bad.stdout).contains("[GNUPG:] BADSIG"));
    // PyPI's sectxt validator (not ours) finds no error and nothing to recommend.
    let script = "import sys, sectxt\n\
        p = sectxt.Parser(open(sys.argv[1], 'rb').read(), urls=sys.argv[2])\n\
        print(p.errors, p.recommendations)\n\
        sys.exit(1 if p.errors or p.recommendations else 0)\n";
    let check = Command::new("python3")
        .args([
            "-c",
            script,
            dir.join("security.txt").to_str().unwrap(),
            "https://trust.example.com/quillfeather/.well-known/security.txt",
        ])
        .output()
        .expect("python3 with sectxt (scripts/test.sh installs it)");
    assert!(
        check.status.success(),
        "sectxt: {}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    // The key is the org's own and stays the same.
    assert_eq!(
        app.get("/quillfeather/.well-known/openpgp-key.asc")
            .await
            .text()
            .await
            .unwrap(),
        key
    );
    app.stop().await;
}

/// When the Mailgun subprocessor the tests add takes effect: far enough ahead to meet
/// the default 30-day notice rule on whatever day the tests run.
fn mailgun_effective() -> String {
    let day = time::OffsetDateTime::now_utc().date() + time::Duration::days(45);
    let format = time::macros::format_description!("[year]-[month]-[day]");
    day.format(format).unwrap()
}

/// A subprocessor entry to insert before `changelog:` in a demo file.
fn mailgun_entry() -> String {
    format!(
        "- name: Mailgun\n  purpose: Backup email delivery\n  locations: [United States]\n  data_categories: [Account email addresses]\n  enabled_by_default: true\n  website: https://www.mailgun.com\n  announced_at: 2026-11-22\n  effective_at: {}\nchangelog:\n",
        mailgun_effective()
    )
}

#[tokio::test]
async fn a_subprocessor_added_with_too_short_notice_is_refused_naming_the_field() {
    let app = App::start_default().await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let cookie = app
        .member(&org, "owner@quillfeather.example", Role::Owner)
        .await;
    let tomorrow = mailgun_entry().replace(
        &mailgun_effective(),
        &(time::OffsetDateTime::now_utc().date() + time::Duration::days(1)).to_string(),
    );
    let short = QUILLFEATHER.replacen("changelog:\n", &tomorrow, 1);
    let put = app
        .with_cookie(
            reqwest::Method::PUT,
            "/api/v1/orgs/quillfeather/draft",
            &cookie,
        )
        .header("content-type", "application/yaml")
        .body(short.clone())
        .send()
        .await
        .unwrap();
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
    // The admin UI refuses it the same way, and nothing was published.
    let page = app
        .with_cookie(
            reqwest::Method::POST,
            "/admin/orgs/quillfeather/publish",
            &cookie,
        )
        .send()
        .await
        .unwrap();
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
        .with_cookie(
            reqwest::Method::PUT,
            "/api/v1/orgs/quillfeather/draft",
            &cookie,
        )
        .header("content-type", "application/yaml")
        .body(QUILLFEATHER.replacen("changelog:\n", &mailgun_entry(), 1))
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success());
    assert_eq!(publish().await.unwrap().status(), StatusCode::OK);
    app.stop().await;
}

#[path = "../../../tests/support/external.rs"]
mod external;

/// Polls `check` (without blocking the runtime the app runs on) until it yields.
async fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let start = std::time::Instant::now();
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn hash_text(html: &str) -> String {
    let start = html.find("<p class=\"hash\">").unwrap() + "<p class=\"hash\">".len();
    let end = html[start..].find("</p>").unwrap() + start;
    html[start..end].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_confirm_then_get_the_subprocessor_notice_by_real_mail_and_signed_webhook() {
    let dir = tempfile::tempdir().unwrap();
    let sink = external::MailSink::start(dir.path());
    let receiver = external::WebhookReceiver::start(dir.path(), 1);
    let app = App::start_with_worker(sink.helper.port).await;
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
    let owner = app
        .member(&org, "owner@quillfeather.example", Role::Owner)
        .await;
    let with_mailgun = QUILLFEATHER
        .replacen("    rto_minutes: 240", "    rto_minutes: 60", 1)
        .replacen("changelog:\n", &mailgun_entry(), 1);
    let put = app
        .with_cookie(
            reqwest::Method::PUT,
            "/api/v1/orgs/quillfeather/draft",
            &owner,
        )
        .header("content-type", "application/yaml")
        .body(with_mailgun)
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success());
    let published = app
        .with_cookie(
            reqwest::Method::POST,
            "/api/v1/orgs/quillfeather/publish",
            &owner,
        )
        .send()
        .await
        .unwrap();
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
        .with_cookie(
            reqwest::Method::GET,
            "/admin/orgs/quillfeather/subscribers",
            &owner,
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
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

#[tokio::test]
async fn the_atom_feed_lists_every_revision_in_words() {
    let app = App::start_default().await;
    app.publish("quillfeather", QUILLFEATHER).await;
    app.publish(
        "quillfeather",
        &QUILLFEATHER.replacen("changelog:\n", &mailgun_entry(), 1),
    )
    .await;
    let resp = app.get("/quillfeather/feed.atom").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    let xml = resp.text().await.unwrap();
    // Python's XML parser reads it as an Atom feed with two entries, newest first.
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, xml.etree.ElementTree as E; a='{http://www.w3.org/2005/Atom}'; f=E.fromstring(sys.stdin.read()); \
             assert f.tag==a+'feed'; [print(e.find(a+'title').text) for e in f.findall(a+'entry')]",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(xml.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    let titles = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{xml}");
    assert_eq!(
        titles.lines().collect::<Vec<_>>(),
        vec![
            format!(
                "Revision 2: subprocessor added: Mailgun (Backup email delivery), takes effect {}",
                mailgun_effective()
            )
            .as_str(),
            "Revision 1: First published revision."
        ]
    );
    assert_eq!(
        app.get("/nobody/feed.atom").await.status(),
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_are_stored_encrypted_and_unlocked_by_public_nda_or_approval() {
    let dir = tempfile::tempdir().unwrap();
    let sink = external::MailSink::start(dir.path());
    let app = App::start_with_worker(sink.helper.port).await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let owner = app
        .member(&org, "owner@quillfeather.example", Role::Owner)
        .await;
    let editor = app
        .member(&org, "editor@quillfeather.example", Role::Editor)
        .await;
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
        .with_cookie(
            reqwest::Method::GET,
            "/admin/orgs/quillfeather/documents",
            &owner,
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vulnerability_reports_are_encrypted_mailed_without_content_and_tracked_to_their_deadline()
{
    let dir = tempfile::tempdir().unwrap();
    let sink = external::MailSink::start(dir.path());
    let app = App::start_with_worker(sink.helper.port).await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let owner = app
        .member(&org, "owner@quillfeather.example", Role::Owner)
        .await;
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
        .insert_report(&org, &old, Some(&note))
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
        .with_cookie(
            reqwest::Method::POST,
            &format!("/admin/orgs/quillfeather/reports/{new_id}/acknowledge"),
            &owner,
        )
        .send()
        .await
        .unwrap();
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

#[tokio::test]
async fn an_orgs_own_host_serves_its_signed_security_txt_at_the_root() {
    let app = App::start_default().await;
    app.publish("quillfeather", QUILLFEATHER).await;
    app.store
        .set_org_host(
            &"quillfeather".parse().unwrap(),
            Some("trust.quillfeather.example"),
        )
        .await
        .unwrap();
    let on_host = |path: &str, host: &str| {
        app.client
            .get(format!("{}{path}", app.base))
            .header("host", host)
            .send()
    };
    let resp = on_host(
        "/.well-known/security.txt",
        "Trust.Quillfeather.example:443",
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let signed = resp.text().await.unwrap();
    assert!(
        signed.contains("Canonical: https://trust.quillfeather.example/.well-known/security.txt")
    );
    assert!(signed.contains(
        "with the key at https://trust.quillfeather.example/.well-known/openpgp-key.asc"
    ));
    let key = on_host("/.well-known/openpgp-key.asc", "trust.quillfeather.example")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // The same org key as on the shared host, and GnuPG verifies the file.
    assert_eq!(
        key,
        app.get("/quillfeather/.well-known/openpgp-key.asc")
            .await
            .text()
            .await
            .unwrap()
    );
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("key.asc"), &key).unwrap();
    std::fs::write(home.path().join("security.txt"), &signed).unwrap();
    let gpg = |args: &[&str]| {
        std::process::Command::new("gpg")
            .env("GNUPGHOME", home.path())
            .args(["--batch", "--status-fd", "1"])
            .args(args)
            .output()
            .unwrap()
    };
    assert!(
        gpg(&["--import", home.path().join("key.asc").to_str().unwrap()])
            .status
            .success()
    );
    let verified = gpg(&[
        "--verify",
        home.path().join("security.txt").to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&verified.stdout).contains("[GNUPG:] GOODSIG"));
    // PyPI's sectxt accepts it at its address on the org's host.
    let check = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, sectxt\np = sectxt.Parser(open(sys.argv[1], 'rb').read(), urls=sys.argv[2])\nprint(p.errors, p.recommendations)\nsys.exit(1 if p.errors or p.recommendations else 0)\n",
            home.path().join("security.txt").to_str().unwrap(),
            "https://trust.quillfeather.example/.well-known/security.txt",
        ])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    // Another host serves nothing; the org's host sends / to its page.
    assert_eq!(
        on_host("/.well-known/security.txt", "elsewhere.example")
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let home_page = on_host("/", "trust.quillfeather.example").await.unwrap();
    assert_eq!(home_page.headers()["location"], "/quillfeather");
    // One host, one org.
    assert!(matches!(
        app.store
            .set_org_host(
                &"quillfeather".parse().unwrap(),
                Some("trust.quillfeather.example")
            )
            .await,
        Ok(())
    ));
    app.publish("harborlight", HARBORLIGHT).await;
    assert!(matches!(
        app.store
            .set_org_host(
                &"harborlight".parse().unwrap(),
                Some("trust.quillfeather.example")
            )
            .await,
        Err(candor_store::StoreError::Conflict(_))
    ));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_get_and_erase_their_data_and_an_owner_exports_then_deletes_the_org() {
    let dir = tempfile::tempdir().unwrap();
    let sink = external::MailSink::start(dir.path());
    let app = App::start_with_worker(sink.helper.port).await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let owner = app
        .member(&org, "owner@quillfeather.example", Role::Owner)
        .await;
    let admin = app
        .member(&org, "admin@quillfeather.example", Role::Admin)
        .await;
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
    let refused = app
        .with_cookie(
            reqwest::Method::GET,
            "/admin/orgs/quillfeather/export",
            &admin,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let archive = app
        .with_cookie(
            reqwest::Method::GET,
            "/admin/orgs/quillfeather/export",
            &owner,
        )
        .send()
        .await
        .unwrap();
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
        serde_json::to_value(TrustCenter::from_yaml(QUILLFEATHER).unwrap()).unwrap()
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
    let owner = app
        .member(&org, "owner@quillfeather.example", Role::Owner)
        .await;
    let editor = app
        .member(&org, "editor@quillfeather.example", Role::Editor)
        .await;
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
    let path = link.trim_start_matches(&app.base);
    let dead = app
        .client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap();
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
        .with_cookie(reqwest::Method::POST, "/admin/account/password", &owner)
        .form(&[
            ("current_password", PASSWORD),
            ("new_password", "a brand new passphrase"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    let shared = &app;
    let reaches = |cookie: String| async move {
        shared
            .with_cookie(reqwest::Method::GET, "/admin/account", &cookie)
            .send()
            .await
            .unwrap()
            .status()
    };
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
            .with_cookie(reqwest::Method::POST, "/admin/account/delete", &cookie)
            .form(&[("password", "a brand new passphrase")])
            .send()
            .await
            .unwrap()
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

/// A client that trickles its body a byte at a time cannot hold the connection:
/// the body has a deadline of its own, however often bytes arrive.
#[tokio::test]
async fn a_trickled_body_is_cut_off_at_its_deadline() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = App::start(WebConfig {
        body_read_timeout: Duration::from_millis(300),
        ..WebConfig::default()
    })
    .await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    stream
        .write_all(
            b"POST /api/v1/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/yaml\r\nContent-Length: 1000\r\n\r\n",
        )
        .await
        .unwrap();
    // 100 bytes, one every 50 ms: 5 s in all, far past the deadline. Each write
    // is well within any per-frame timeout.
    let mut answer = Vec::new();
    let mut closed = false;
    for _ in 0..100 {
        if stream.write_all(b"#").await.is_err() {
            closed = true;
            break;
        }
        let mut buf = [0u8; 1024];
        match tokio::time::timeout(Duration::from_millis(50), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                closed = true;
                break;
            }
            Ok(Ok(n)) => answer.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        closed || answer.starts_with("HTTP/1.1 4"),
        "the server kept reading a trickled body: {answer:?}"
    );
    assert!(!answer.contains("\"valid\":true"));
    app.stop().await;
}

/// Form fields that are not UTF-8 are refused whole, not decoded into U+FFFD.
#[tokio::test]
async fn forms_that_are_not_utf8_are_refused() {
    let app = App::start(WebConfig {
        revalidate_after: Duration::ZERO,
        ..WebConfig::default()
    })
    .await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let resp = app
        .client
        .post(format!("{}/quillfeather/subscribe", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("channel=email&address=%FF%40example.com&topics=all")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(app.store.subscribers(&org).await.unwrap().is_empty());
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
    let sink = external::MailSink::start(dir.path());
    let app = App::start_with_worker(sink.helper.port).await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let session = app
        .member(&org, "editor@quillfeather.example", Role::Editor)
        .await;
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
    let old_session = app
        .with_cookie(reqwest::Method::GET, "/admin", &session)
        .send()
        .await
        .unwrap();
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
