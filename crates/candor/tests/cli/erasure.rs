//! Erasing a person under kill -9: `candor privacy erase` killed at moments spread
//! over its run, on SQLite and on PostgreSQL; each person ends wholly erased with
//! one audit entry, or untouched with none.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::harness::{Workspace, path_str};

/// A database the binary and the test both open: SQLite file or PostgreSQL database.
enum TestDb {
    Sqlite(PathBuf),
    Postgres { app: String, owner: String },
}

impl TestDb {
    /// A new PostgreSQL database on the cluster of `CANDOR_TEST_PG_URL`, served as
    /// an unprivileged app role (row-level security applies).
    fn postgres(runtime: &tokio::runtime::Runtime) -> TestDb {
        let (_, owner) = runtime.block_on(candor_store_pg::testing::fresh_database());
        let name = owner.get_database().unwrap().to_owned();
        let admin = std::env::var("CANDOR_TEST_PG_URL").unwrap();
        let mut owner = url::Url::parse(&admin).unwrap();
        owner.set_path(&name);
        let mut app = owner.clone();
        app.set_username(candor_store_pg::testing::APP_ROLE)
            .unwrap();
        app.set_password(None).unwrap();
        TestDb::Postgres {
            app: app.to_string(),
            owner: owner.to_string(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_candor"));
        cmd.args(args).env_remove("CANDOR_LOG");
        match self {
            TestDb::Sqlite(path) => {
                cmd.env(
                    "CANDOR_DATABASE_URL",
                    format!("sqlite://{}", path.display()),
                );
            }
            TestDb::Postgres { app, owner } => {
                cmd.env("CANDOR_DATABASE_URL", app)
                    .env("CANDOR_DATABASE_OWNER_URL", owner);
            }
        }
        cmd
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.command(args).output().unwrap();
        assert!(
            out.status.success(),
            "candor {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    async fn open(&self) -> Box<dyn candor_store::Store> {
        match self {
            TestDb::Sqlite(path) => Box::new(
                candor_store_sqlite::SqliteStore::open(path_str(path))
                    .await
                    .unwrap(),
            ),
            TestDb::Postgres { app, .. } => {
                Box::new(candor_store_pg::PgStore::connect(app, None).await.unwrap())
            }
        }
    }
}

const ERASURE_PEOPLE: usize = 30;

fn person(i: usize) -> String {
    format!("person{i}@example.com")
}

/// Each person subscribed (confirmed), asked for a document and sent a report.
async fn seed_people(store: &dyn candor_store::Store, master: &candor_store::keys::MasterKey) {
    use candor_store::documents::{DocumentRequest, RequestKind, RequestStatus, StoredReport};
    use candor_store::outbox::{Channel, NewDelivery, SubscribeRequest, Topics};

    let scope = candor_store::scope_for(store, &"acme".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let now = time::OffsetDateTime::now_utc();
    for i in 0..ERASURE_PEOPLE {
        let email = person(i);
        let confirm = format!("confirm-{i}");
        let request = SubscribeRequest {
            channel: Channel::Email,
            address: email.clone(),
            topics: Topics::All,
            confirm_hash: confirm.clone(),
            confirm_expires_at: now + time::Duration::days(1),
            manage_salt: format!("manage-{i}"),
            webhook_secret: None,
            locale: "en".into(),
        };
        let confirmation = NewDelivery {
            id: uuid::Uuid::new_v4(),
            subscriber_id: None,
            channel: Channel::Email,
            message: "{}".into(),
        };
        store
            .subscribe(&scope, &request, &confirmation)
            .await
            .unwrap();
        store
            .confirm_subscriber(&scope, &confirm, now)
            .await
            .unwrap()
            .unwrap();
        store
            .insert_document_request(
                &scope,
                &DocumentRequest {
                    id: uuid::Uuid::new_v4(),
                    doc_key: "soc2-type2".into(),
                    kind: RequestKind::Approval,
                    name: format!("Person {i}"),
                    email: email.clone(),
                    company: "Example".into(),
                    nda_version: None,
                    reason: "vendor review".into(),
                    status: RequestStatus::Pending,
                    created_at: now,
                    decided_at: None,
                    expires_at: None,
                    revoked_at: None,
                    batch_id: None,
                    decided_by: None,
                    decision_note: None,
                    locale: "en".into(),
                },
            )
            .await
            .unwrap();
        let content = candor_app::reports::ReportContent {
            title: format!("Finding {i}"),
            details: "Reflected XSS in the search box.".into(),
            asset: "app.example.com".into(),
            name: format!("Person {i}"),
            email: email.clone(),
        };
        let id = uuid::Uuid::new_v4();
        let (key_version, sealed) = candor_store::documents::seal_record(
            store,
            &scope,
            master,
            candor_app::reports::RECORD_KIND,
            id,
            &serde_json::to_vec(&content).unwrap(),
        )
        .await
        .unwrap();
        let report = StoredReport {
            id,
            received_at: now,
            ack_due_at: now + time::Duration::days(1),
            acknowledged_at: None,
            key_version,
            sealed,
        };
        store.insert_report(&scope, &report, &[]).await.unwrap();
    }
}

/// Per person: (subscription gone, document request gone, report anonymised,
/// erasure audit entries).
async fn erasure_states(
    store: &dyn candor_store::Store,
    master: &candor_store::keys::MasterKey,
) -> Vec<(bool, bool, bool, usize)> {
    let scope = candor_store::scope_for(store, &"acme".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let subscribers = store.subscribers(&scope).await.unwrap();
    let requests = store.document_requests(&scope).await.unwrap();
    let reports = candor_app::reports::opened_reports(store, &scope, Some(master))
        .await
        .unwrap();
    let audit = store.audit_log(&scope).await.unwrap();
    assert_eq!(reports.len(), ERASURE_PEOPLE, "a report was lost");
    (0..ERASURE_PEOPLE)
        .map(|i| {
            let email = person(i);
            let subject = candor_store::privacy::subject_ref(&email);
            let report = reports
                .iter()
                .find(|(_, c)| c.title == format!("Finding {i}"))
                .map(|(_, c)| c)
                .unwrap();
            assert_eq!(
                report.details, "Reflected XSS in the search box.",
                "the report itself must survive its reporter's erasure"
            );
            (
                !subscribers.iter().any(|s| s.address == email),
                !requests.iter().any(|r| r.email == email),
                report.email.is_empty() && report.name.is_empty(),
                audit
                    .entries
                    .iter()
                    .filter(|e| {
                        e.event.action == "privacy.erase"
                            && e.event.target.starts_with(&format!("{subject} "))
                    })
                    .count(),
            )
        })
        .collect()
}

/// Erases people with `candor privacy erase`, killing the process (SIGKILL) at
/// moments spread over its run; afterwards each person is wholly erased with one
/// audit entry, or wholly untouched with none, and the audit chain verifies.
fn kill_erasures_at_random_moments(db: &TestDb, dir: &Path) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    db.ok(&["org", "create", "acme", "--name", "Acme"]);
    let (master, key_text) = candor_store::keys::MasterKey::generate().unwrap();
    let key_file = dir.join("master.key");
    std::fs::write(&key_file, key_text).unwrap();
    runtime.block_on(async {
        let store = db.open().await;
        seed_people(&*store, &master).await;
    });

    let erase = |i: usize| {
        db.command(&[
            "privacy",
            "erase",
            "--org",
            "acme",
            "--email",
            &person(i),
            "--master-key-file",
            path_str(&key_file),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
    };
    // One whole run, to spread the kills over a run's length on this machine.
    let started = Instant::now();
    assert!(erase(0).wait().unwrap().success());
    let whole = started.elapsed();
    let mut killed = 0;
    for i in 1..ERASURE_PEOPLE {
        let mut child = erase(i);
        std::thread::sleep(whole.mul_f64((i % 12) as f64 / 10.0));
        // Every fourth is left to finish, so some always complete.
        if i % 4 != 0 && child.try_wait().unwrap().is_none() {
            let _ = child.kill();
            killed += 1;
        }
        let _ = child.wait();
    }
    assert!(
        killed > 0,
        "no erasure was interrupted; the test proved nothing"
    );

    let states = runtime.block_on(async {
        let store = db.open().await;
        erasure_states(&*store, &master).await
    });
    let mut erased = 0;
    for (i, state) in states.iter().enumerate() {
        match state {
            (true, true, true, 1) => erased += 1,
            (false, false, false, 0) => {}
            other => panic!(
                "{}: half erased or erased without its audit entry: \
                 (subscription gone, request gone, report anonymised, audit entries) = {other:?}",
                person(i)
            ),
        }
    }
    assert!(
        erased >= ERASURE_PEOPLE / 4,
        "only {erased} erasures completed"
    );
    assert!(
        erased < ERASURE_PEOPLE,
        "every erasure completed before its kill; the test proved nothing"
    );
    assert!(
        db.ok(&["audit", "verify", "--org", "acme"])
            .contains("chain and head intact")
    );
}

#[test]
fn killing_person_erasure_at_random_moments_never_loses_its_audit_entry_on_sqlite() {
    let ws = Workspace::new();
    let db = TestDb::Sqlite(ws.dir.path().join("candor.db"));
    kill_erasures_at_random_moments(&db, ws.dir.path());
}

#[test]
fn killing_person_erasure_at_random_moments_never_loses_its_audit_entry_on_postgresql() {
    let ws = Workspace::new();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = TestDb::postgres(&runtime);
    kill_erasures_at_random_moments(&db, ws.dir.path());
}
