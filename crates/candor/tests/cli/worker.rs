//! `candor worker` delivering notices by real mail: killed or stopped mid-batch, it
//! loses nothing and sends nothing twice.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use candor_demo::QUILLFEATHER;
use candor_testkit::fixtures::mailgun_entry;
use candor_testkit::mail::MailSink;

use crate::harness::{Workspace, path_str, pg_admin_url, psql, unique_tag};

/// Runs `candor worker` with its log captured; SIGKILL-able.
fn start_worker(ws: &Workspace, smtp_port: u16) -> (Child, std::sync::mpsc::Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_candor"))
        .args([
            "worker",
            "--smtp-url",
            &format!("smtp://127.0.0.1:{smtp_port}"),
            "--public-url",
            "https://trust.example.com/",
            "--worker-lease-seconds",
            "2",
            "--worker-poll-ms",
            "100",
        ])
        .env("CANDOR_DATABASE_URL", ws.db_url())
        .env("CANDOR_MASTER_KEY_FILE", ws.dir.path().join("master.key"))
        .env("CANDOR_LOG", "info")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (child, rx)
}

/// An org with `n` confirmed email subscribers (their confirmation mails already
/// out of the way) and a published revision adding a subprocessor: `n` notices to send.
fn org_with_pending_notices(n: usize) -> Workspace {
    org_with_pending_notices_in(Workspace::new(), n)
}

fn org_with_pending_notices_in(ws: Workspace, n: usize) -> Workspace {
    use candor_store::outbox::{Channel, DeliveryResult, SubscribeRequest, Topics};

    ws.ok(&["org", "create", "acme", "--name", "Acme"]);
    ws.ok(&[
        "apply",
        path_str(&ws.file("v1.yaml", QUILLFEATHER)),
        "--org",
        "acme",
    ]);
    ws.ok(&["publish", "--org", "acme"]);

    // Confirmed subscribers, stored as the public form would store them.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = ws.store().await;
        let scope = candor_store::scope_for(&*store, &"acme".parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        let now = time::OffsetDateTime::now_utc();
        for i in 0..n {
            let confirm = format!("confirm-{i}");
            let request = SubscribeRequest {
                channel: Channel::Email,
                address: format!("reader{i}@example.com"),
                topics: Topics::All,
                confirm_hash: confirm.clone(),
                confirm_expires_at: now + time::Duration::days(1),
                manage_salt: format!("manage-{i}"),
                webhook_secret: None,
                locale: "en".into(),
            };
            let confirmation = candor_store::outbox::NewDelivery {
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
        }
        // Their confirmation mails are not what this test is about.
        let queued = store
            .claim_deliveries(
                &scope,
                now + time::Duration::seconds(1),
                now + time::Duration::hours(1),
                2000,
            )
            .await
            .unwrap();
        for d in queued {
            let done = DeliveryResult::Dropped {
                reason: "test set-up".into(),
            };
            store
                .finish_delivery(&scope, d.id, &done, now)
                .await
                .unwrap();
        }
    });

    // A revision with a new subprocessor: one notice each.
    let v2 = QUILLFEATHER.replacen("changelog:\n", &mailgun_entry(), 1);
    ws.ok(&["apply", path_str(&ws.file("v2.yaml", &v2)), "--org", "acme"]);
    ws.ok(&["publish", "--org", "acme"]);
    ws
}

#[test]
fn a_worker_killed_during_a_batch_of_1000_mails_loses_none_after_restart() {
    let ws = org_with_pending_notices(1000);
    let sink = MailSink::start(ws.dir.path());
    let (mut worker, _) = start_worker(&ws, sink.port);
    sink.wait_for(300, Duration::from_secs(60));
    worker.kill().unwrap(); // SIGKILL: no drain, no goodbye.
    worker.wait().unwrap();
    let at_kill = sink.messages().len();
    assert!(
        at_kill < 1000,
        "the worker finished before it could be killed"
    );

    let (mut worker, log) = start_worker(&ws, sink.port);
    let mails = sink.wait_for(1000, Duration::from_secs(60));
    // Let anything still in flight land, then stop the worker the polite way.
    std::thread::sleep(Duration::from_millis(500));
    let mails = if sink.messages().len() > mails.len() {
        sink.messages()
    } else {
        mails
    };
    Command::new("kill")
        .args(["-TERM", &worker.id().to_string()])
        .status()
        .unwrap();
    assert!(worker.wait().unwrap().success());
    // Everything it wrote: the reader thread ends at the pipe's end, so this
    // waits for the last lines instead of racing them.
    let lines: Vec<String> = log.iter().collect();

    let mut recipients: Vec<&str> = mails.iter().filter_map(|m| m.header("To")).collect();
    recipients.sort();
    let total = recipients.len();
    recipients.dedup();
    assert_eq!(recipients.len(), 1000, "every subscriber got the notice");
    let mut ids: Vec<&str> = mails
        .iter()
        .filter_map(|m| m.header("Message-ID"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        ids.len(),
        1000,
        "a repeat keeps its Message-ID, so receivers can drop it"
    );
    // Only mails in flight at the kill (one batch of 20) can arrive twice, and
    // the restarted worker says which ones it sent again.
    let duplicates = total - 1000;
    let redelivered = lines.iter().filter(|l| l.contains("redelivering")).count();
    assert!(duplicates <= 20, "{duplicates} duplicates");
    assert!(
        redelivered >= duplicates && redelivered <= 20,
        "{redelivered} redelivered, {duplicates} duplicates"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("worker starting with queued messages")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("worker stopped")),
        "{lines:?}"
    );
    eprintln!("killed after {at_kill} mails; {duplicates} sent twice, {redelivered} redelivered");

    let stats = acme_outbox(&ws);
    assert_eq!((stats.pending, stats.delivered), (0, 1000));
}

#[test]
fn a_worker_stopped_by_sigterm_finishes_its_batch_and_sends_nothing_twice() {
    let ws = org_with_pending_notices(300);
    let sink = MailSink::start(ws.dir.path());
    let (worker, _) = start_worker(&ws, sink.port);
    sink.wait_for(60, Duration::from_secs(60));
    Command::new("kill")
        .args(["-TERM", &worker.id().to_string()])
        .status()
        .unwrap();
    let mut worker = worker;
    assert!(worker.wait().unwrap().success(), "a clean exit");
    let at_stop = sink.messages().len();
    assert!(
        at_stop < 300,
        "the worker finished before it could be stopped"
    );
    // What it had claimed, it finished and recorded: the restarted worker has
    // nothing to redeliver, so no address gets the notice twice.
    let (mut worker, log) = start_worker(&ws, sink.port);
    let mails = sink.wait_for(300, Duration::from_secs(60));
    std::thread::sleep(Duration::from_millis(500));
    Command::new("kill")
        .args(["-TERM", &worker.id().to_string()])
        .status()
        .unwrap();
    assert!(worker.wait().unwrap().success());
    let lines: Vec<String> = log.iter().collect();
    let mails = if sink.messages().len() > mails.len() {
        sink.messages()
    } else {
        mails
    };
    assert_eq!(mails.len(), 300, "stopped after {at_stop}; no mail twice");
    assert!(
        !lines.iter().any(|l| l.contains("redelivering")),
        "{lines:?}"
    );
    let stats = acme_outbox(&ws);
    assert_eq!((stats.pending, stats.delivered), (0, 300));
}

/// The outbox counts of org `acme` in the SQLite file at `db`.
fn acme_outbox(ws: &Workspace) -> candor_store::outbox::OutboxStats {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = ws.store().await;
        let scope = candor_store::scope_for(&*store, &"acme".parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        store.outbox_stats(&scope).await.unwrap()
    })
}

/// Two `candor worker`s on one PostgreSQL share the queue through leases: 300
/// notices, each delivered exactly once between them.
#[test]
fn two_workers_on_one_postgresql_never_deliver_a_mail_twice() {
    let admin = pg_admin_url();
    let tag = unique_tag();
    let (db, app_role) = (
        format!("candor_workers_{tag}"),
        format!("candor_workers_app_{tag}"),
    );
    psql(&admin, &format!("CREATE DATABASE {db}"));
    psql(
        &admin,
        &format!("CREATE ROLE {app_role} LOGIN NOSUPERUSER NOBYPASSRLS"),
    );
    let mut owner = url::Url::parse(&admin).unwrap();
    owner.set_path(&db);
    let mut app = owner.clone();
    app.set_username(&app_role).unwrap();
    let migrated = Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(["db", "migrate"])
        .env("CANDOR_DATABASE_URL", app.as_str())
        .env("CANDOR_DATABASE_OWNER_URL", owner.as_str())
        .output()
        .unwrap();
    assert!(migrated.status.success(), "{migrated:?}");

    let ws = org_with_pending_notices_in(Workspace::on_postgres(app.to_string()), 300);
    let sink = MailSink::start(ws.dir.path());
    let (first, first_log) = start_worker(&ws, sink.port);
    let (second, second_log) = start_worker(&ws, sink.port);
    let mails = sink.wait_for(300, Duration::from_secs(60));
    std::thread::sleep(Duration::from_millis(500));
    for mut worker in [first, second] {
        Command::new("kill")
            .args(["-TERM", &worker.id().to_string()])
            .status()
            .unwrap();
        assert!(worker.wait().unwrap().success());
    }
    let mails = if sink.messages().len() > mails.len() {
        sink.messages()
    } else {
        mails
    };
    let mut recipients: Vec<&str> = mails.iter().filter_map(|m| m.header("To")).collect();
    recipients.sort();
    let total = recipients.len();
    recipients.dedup();
    assert_eq!((total, recipients.len()), (300, 300), "each notice once");
    // Neither had to take over the other's claims.
    for log in [first_log, second_log] {
        assert!(!log.try_iter().any(|l| l.contains("redelivering")));
    }
    let stats = acme_outbox(&ws);
    assert_eq!((stats.pending, stats.delivered), (0, 300));
    drop(ws);
    psql(&admin, &format!("DROP DATABASE {db} WITH (FORCE)"));
    psql(&admin, &format!("DROP ROLE {app_role}"));
}
