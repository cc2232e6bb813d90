//! The audit trail and the transparency log: tampering detected, `candor watch`,
//! and publishing that a kill cannot split.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use candor_demo::QUILLFEATHER;
use candor_testkit::fixtures::mailgun_entry;

use crate::harness::{Server, Workspace, copy_database, path_str, tamper_with};

#[test]
fn publishes_are_audited_and_tampering_with_the_file_is_detected() {
    let ws = Workspace::new();
    ws.ok(&["org", "create", "acme", "--name", "Acme"]);
    let demo = ws.file("demo.yaml", QUILLFEATHER);
    ws.ok(&["apply", path_str(&demo), "--org", "acme"]);
    ws.ok(&["publish", "--org", "acme"]);
    let changed = ws.file(
        "v2.yaml",
        &QUILLFEATHER.replacen("    rto_minutes: 240", "    rto_minutes: 60", 1),
    );
    ws.ok(&["apply", path_str(&changed), "--org", "acme"]);
    ws.ok(&["publish", "--org", "acme"]);
    let listed = ws.ok(&["audit", "list", "--org", "acme"]);
    let rows: Vec<Vec<&str>> = listed.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 2, "{listed}");
    assert_eq!(
        (rows[0][0], rows[0][2], rows[0][3], rows[0][4]),
        ("1", "operator:cli", "revision.publish", "revision:1")
    );
    assert_eq!(rows[1][4], "revision:2");
    assert!(
        ws.ok(&["audit", "verify", "--org", "acme"])
            .contains("2 entries, chain and head intact")
    );

    // Someone with the database file rewrites who published revision 1.
    let db = ws.dir.path().join("candor.db");
    tamper_with(
        &db,
        &[
            "DROP TRIGGER audit_log_is_append_only_update",
            "UPDATE audit_log SET actor = 'user:someone-else' WHERE seq = 1",
        ],
    );
    let out = ws.candor(&["audit", "verify", "--org", "acme"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("FAILED verification: entry 1 was changed"),
        "{stderr}"
    );
}

#[test]
fn watch_follows_a_growing_log_reports_changes_and_fails_loudly_on_a_rewritten_history() {
    let ws = Workspace::new();
    let db = ws.dir.path().join("candor.db");
    let fork = ws.dir.path().join("fork.db");
    ws.ok(&["org", "create", "acme", "--name", "Acme"]);
    let publish = |name: &str, yaml: String| {
        let file = ws.file(name, &yaml);
        ws.ok(&["apply", path_str(&file), "--org", "acme"]);
        ws.ok(&["publish", "--org", "acme"]);
    };
    publish("v1.yaml", QUILLFEATHER.to_owned());
    publish(
        "v2.yaml",
        QUILLFEATHER.replacen("    rto_minutes: 240", "    rto_minutes: 60", 1),
    );
    // Let the server make the org's log key, then keep the database as it is now.
    let server = Server::start(&ws, &[]);
    assert_eq!(server.get("/acme/log/key").0, 200);
    assert!(server.terminate().success());
    copy_database(&db, &fork);

    let v3 = QUILLFEATHER
        .replacen("    rto_minutes: 240", "    rto_minutes: 60", 1)
        .replacen("changelog:\n", &mailgun_entry(), 1);
    publish("v3.yaml", v3.clone());
    let state = ws.dir.path().join("watch.json");
    let watch = |base: &str, json: bool| {
        let mut args = vec![
            "watch".to_owned(),
            format!("{base}/acme"),
            "--state".into(),
            path_str(&state).to_owned(),
        ];
        if json {
            args.push("--json".into());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ws.candor(&args)
    };

    let server = Server::start(&ws, &[]);
    let first = watch(&server.base, false);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let out = String::from_utf8_lossy(&first.stdout).into_owned();
    assert!(out.contains("pinned log key localhost/acme+"), "{out}");
    assert!(
        out.contains("log verified from size 0 to 3") && out.contains("now watching"),
        "{out}"
    );
    let again = watch(&server.base, false);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("no new revisions (log size 3), verified")
    );
    assert!(server.terminate().success());

    publish(
        "v4.yaml",
        v3.replacen(
            "- question: Where is my data stored?",
            "- question: Where do you store my data?",
            1,
        ),
    );
    let server = Server::start(&ws, &[]);
    let second = watch(&server.base, true);
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(
        (
            report["ok"].as_bool(),
            report["from_size"].as_u64(),
            report["to_size"].as_u64()
        ),
        (Some(true), Some(3), Some(4))
    );
    let changes: Vec<&str> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(
        changes.contains(&"question added: Where do you store my data?"),
        "{changes:?}"
    );
    assert!(server.terminate().success());

    // The operator rolls the server back to the copy and publishes another history
    // on top of it, under the same key: revision 3 is now something else.
    copy_database(&fork, &db);
    publish(
        "f3.yaml",
        QUILLFEATHER.replacen("    rto_minutes: 240", "    rto_minutes: 30", 1),
    );
    publish(
        "f4.yaml",
        QUILLFEATHER.replacen("    rto_minutes: 240", "    rto_minutes: 20", 1),
    );
    publish(
        "f5.yaml",
        QUILLFEATHER.replacen("    rto_minutes: 240", "    rto_minutes: 10", 1),
    );
    let server = Server::start(&ws, &[]);
    assert_eq!(
        server.get("/acme/log/key").1.trim(),
        report_key(&state),
        "same key: only the history differs"
    );
    let forked = watch(&server.base, false);
    assert_eq!(forked.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&forked.stderr);
    assert!(
        stderr.contains("VERIFICATION FAILED") && stderr.contains("history was rewritten"),
        "{stderr}"
    );
    let forked = watch(&server.base, true);
    assert_eq!(forked.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&forked.stdout).unwrap();
    assert_eq!(report["verified"], false);
    assert!(server.terminate().success());

    // The fork is kept as evidence that anyone can check offline, with the key
    // they trust; a bundle under another key, or edited, proves nothing.
    let evidence = report["evidence"].as_str().expect("an evidence file");
    let key = report_key(&state);
    let checked = ws.candor(&["watch", "verify-evidence", evidence, "--key", &key]);
    let said = String::from_utf8_lossy(&checked.stdout);
    assert_eq!(checked.status.code(), Some(0), "{said}");
    assert!(
        said.contains("PROVEN: the log localhost/acme signed sizes 4 and 5")
            && said.contains("does not connect them"),
        "{said}"
    );
    let other_key = key.replacen("localhost/acme", "localhost/other", 1);
    let refused = ws.candor(&["watch", "verify-evidence", evidence, "--key", &other_key]);
    assert_eq!(refused.status.code(), Some(1));
    let bundle = std::fs::read_to_string(evidence).unwrap();
    let edited = ws.file("edited.json", &bundle.replacen("\\n4\\n", "\\n3\\n", 1));
    let refused = ws.candor(&["watch", "verify-evidence", path_str(&edited)]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("signature does not verify"), "{stderr}");
}

fn report_key(state: &Path) -> String {
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(state).unwrap()).unwrap();
    state["key"].as_str().unwrap().to_owned()
}

/// Publishing is one transaction: killing the process at any moment leaves every
/// revision with its log entry and audit entry, and no entry without a revision.
#[test]
fn killing_publish_at_random_moments_never_splits_a_revision_from_its_log_entry() {
    let ws = Workspace::new();
    ws.ok(&["org", "create", "acme", "--name", "Acme"]);
    let mut killed = 0;
    for i in 0..40u32 {
        let yaml = QUILLFEATHER.replacen(
            "    rto_minutes: 240",
            &format!("    rto_minutes: {}", 300 + i),
            1,
        );
        let file = ws.file("draft.yaml", &yaml);
        ws.ok(&["apply", path_str(&file), "--org", "acme"]);
        let mut child = Command::new(env!("CARGO_BIN_EXE_candor"))
            .args(["publish", "--org", "acme"])
            .env("CANDOR_DATABASE_URL", ws.db_url())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Anywhere from before the database is opened to after the commit.
        // (A whole publish takes about 10 ms here: start-up, then one transaction.)
        std::thread::sleep(Duration::from_micros(u64::from(i % 20) * 600));
        // Every fifth publish is left to finish, so some always complete however
        // slow the machine is.
        if i % 5 != 4 && child.try_wait().unwrap().is_none() {
            let _ = child.kill(); // SIGKILL
            killed += 1;
        }
        let _ = child.wait();
    }
    assert!(
        killed > 0,
        "no publish was interrupted; the test proved nothing"
    );
    let listed = ws.ok(&["org", "list"]);
    assert!(
        !listed.contains("unpublished"),
        "no publish completed; the test proved nothing: {listed}"
    );
    let out = ws.ok(&["log", "verify", "--org", "acme"]);
    assert!(
        out.contains("one per revision, every inclusion proof verifies"),
        "{out}"
    );
    assert!(
        ws.ok(&["audit", "verify", "--org", "acme"])
            .contains("chain and head intact")
    );
    // And the check is not blind: a log entry removed behind Candor's back is caught.
    let db = ws.dir.path().join("candor.db");
    tamper_with(
        &db,
        &[
            "DROP TRIGGER log_entries_are_append_only_delete",
            "DELETE FROM log_entries WHERE idx = 0",
        ],
    );
    let out = ws.candor(&["log", "verify", "--org", "acme"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("revision 1 has no log entry"), "{stderr}");
}
