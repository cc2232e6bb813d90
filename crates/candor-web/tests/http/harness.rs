//! The app under test, started in-process on 127.0.0.1:0 against a fresh
//! database, and what the tests ask of every answer.

use std::sync::Arc;
use std::time::Duration;

use candor_domain::TrustCenter;
use candor_domain::policy::Role;
use candor_store::{OrgScope, SharedStore, create_org, publish_draft};
use candor_store_sqlite::SqliteStore;
use candor_web::{AppState, WebConfig};
use reqwest::StatusCode;

pub const ACTOR: &str = "operator:test";

pub struct App {
    pub base: String,
    pub store: SharedStore,
    pub client: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    worker: Option<(
        tokio_util::sync::CancellationToken,
        tokio::task::JoinHandle<()>,
    )>,
    pub master: Option<Arc<candor_store::keys::MasterKey>>,
    _dir: tempfile::TempDir,
}

impl App {
    pub async fn start(config: WebConfig) -> App {
        App::start_with(config, None).await
    }

    /// The app with its background worker, sending mail to the SMTP server on
    /// `smtp_port` and retrying fast.
    pub async fn start_with_worker(smtp_port: u16) -> App {
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

    pub async fn start_with(mut config: WebConfig, smtp_port: Option<u16>) -> App {
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
    pub async fn manage_token(
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
    pub async fn start_default() -> App {
        let (master, _) = candor_store::keys::MasterKey::generate().unwrap();
        App::start(WebConfig {
            revalidate_after: Duration::ZERO,
            master_key: Some(Arc::new(master)),
            log_host: "trust.example.com".into(),
            ..WebConfig::default()
        })
        .await
    }

    pub async fn publish(&self, slug: &str, yaml: &str) -> OrgScope {
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

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    pub async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.server.take().unwrap().await.unwrap();
        if let Some((token, task)) = self.worker.take() {
            token.cancel();
            task.await.unwrap();
        }
    }
}

pub fn assert_security_headers(resp: &reqwest::Response) {
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

pub async fn error_envelope(resp: reqwest::Response) -> (StatusCode, serde_json::Value) {
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

pub const PASSWORD: &str = "correct horse battery staple";

impl App {
    /// Creates an account with `role` in `org` and returns its session cookie.
    pub async fn member(&self, org: &OrgScope, email: &str, role: Role) -> String {
        self.add_member(org, email, role).await;
        self.login(email, PASSWORD).await.expect("sign-in failed")
    }

    /// An account with [`PASSWORD`] and a role in `org`, without signing in.
    pub async fn add_member(&self, org: &OrgScope, email: &str, role: Role) -> candor_store::User {
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
    pub async fn login(&self, email: &str, password: &str) -> Option<String> {
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

    /// The app with the Quillfeather demo org published.
    pub async fn quillfeather() -> (App, OrgScope) {
        let app = App::start_default().await;
        let org = app.publish("quillfeather", candor_demo::QUILLFEATHER).await;
        (app, org)
    }

    /// A signed-in member of `org` with `role`, as `{role}@{org}.example`.
    pub async fn member_as(&self, org: &OrgScope, role: Role) -> String {
        let email = format!("{}@{}.example", role.as_str(), org.slug());
        self.member(org, &email, role).await
    }

    /// The body of a page fetched without signing in.
    pub async fn page(&self, path: &str) -> String {
        self.get(path).await.text().await.unwrap()
    }

    pub async fn get_as(&self, path: &str, cookie: &str) -> reqwest::Response {
        self.with_cookie(reqwest::Method::GET, path, cookie)
            .send()
            .await
            .unwrap()
    }

    /// The body of a page fetched as the holder of `cookie`.
    pub async fn page_as(&self, path: &str, cookie: &str) -> String {
        self.get_as(path, cookie).await.text().await.unwrap()
    }

    pub async fn post_as(&self, path: &str, cookie: &str) -> reqwest::Response {
        self.with_cookie(reqwest::Method::POST, path, cookie)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_form<F: serde::Serialize + ?Sized>(
        &self,
        path: &str,
        cookie: &str,
        form: &F,
    ) -> reqwest::Response {
        self.with_cookie(reqwest::Method::POST, path, cookie)
            .form(form)
            .send()
            .await
            .unwrap()
    }

    pub fn with_cookie(
        &self,
        method: reqwest::Method,
        path: &str,
        cookie: &str,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .header("cookie", cookie)
    }

    /// `PUT /api/v1/orgs/quillfeather/draft` with a YAML document, as the holder of `cookie`.
    pub async fn put_draft(&self, cookie: &str, yaml: String) -> reqwest::Response {
        self.with_cookie(
            reqwest::Method::PUT,
            "/api/v1/orgs/quillfeather/draft",
            cookie,
        )
        .header("content-type", "application/yaml")
        .body(yaml)
        .send()
        .await
        .unwrap()
    }

    pub async fn audit_actions(&self, org: &OrgScope) -> Vec<String> {
        let log = self.store.audit_log(org).await.unwrap();
        log.entries
            .iter()
            .map(|e| format!("{} {} {}", e.event.actor, e.event.action, e.event.target))
            .collect()
    }
}

/// Polls `check` (without blocking the runtime the app runs on) until it yields.
pub async fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
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
