//! `candor backup create|verify|restore` on SQLite: taken while the server
//! serves, checked without restoring, refused when changed or under another
//! key, restored into an empty database only (unless forced).

use std::process::{Command, Output};

use crate::harness::{Server, Workspace, path_str};

#[test]
fn a_backup_taken_while_serving_verifies_and_restores_and_a_changed_one_is_refused() {
    let ws = Workspace::new();
    let server = Server::start(&ws, &["--demo"]);
    let key = ws.dir.path().join("master.key");
    let candor = |db: &str, args: &[&str]| -> Output {
        Command::new(env!("CARGO_BIN_EXE_candor"))
            .args(args)
            .env("CANDOR_DATABASE_URL", db)
            .env("CANDOR_MASTER_KEY_FILE", &key)
            .output()
            .unwrap()
    };
    let text = |out: &Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    let live = ws.db_url();
    let backup = ws.dir.path().join("backup.json");
    // Taken while the server keeps serving.
    let out = candor(&live, &["backup", "create", "-o", path_str(&backup)]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(server.get("/quillfeather").0, 200);
    assert!(server.terminate().success());
    let out = candor(&live, &["backup", "verify", path_str(&backup)]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("2 org(s), 4 revision(s)"),
        "{}",
        text(&out)
    );

    // Restored into an empty database: the same orgs and revisions.
    let restored = format!("sqlite://{}", ws.dir.path().join("restored.db").display());
    let out = candor(&restored, &["backup", "restore", path_str(&backup)]);
    assert!(out.status.success(), "{}", text(&out));
    let listed = candor(&restored, &["org", "list"]);
    let listed = text(&listed);
    assert!(
        listed.contains("quillfeather") && listed.contains("revision 2"),
        "{listed}"
    );
    let out = candor(&restored, &["audit", "verify", "--org", "quillfeather"]);
    assert!(out.status.success(), "{}", text(&out));
    // Not over a database that holds orgs, unless told.
    let out = candor(&restored, &["backup", "restore", path_str(&backup)]);
    assert!(!out.status.success());
    assert!(text(&out).contains("--force"), "{}", text(&out));
    let out = candor(
        &restored,
        &["backup", "restore", path_str(&backup), "--force"],
    );
    assert!(out.status.success(), "{}", text(&out));

    // A changed header (a log root) or ciphertext, or another key: refused.
    let original = std::fs::read_to_string(&backup).unwrap();
    let mut file: serde_json::Value = serde_json::from_str(&original).unwrap();
    file["header"]["orgs"][0]["log_size"] = 1.into();
    let changed = ws.file("changed.json", &file.to_string());
    let out = candor(&live, &["backup", "verify", path_str(&changed)]);
    assert!(!out.status.success());
    assert!(text(&out).contains("does not open"), "{}", text(&out));
    let other_key = ws.dir.path().join("other.key");
    let out = Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(["backup", "verify", path_str(&backup)])
        .env("CANDOR_DATABASE_URL", &live)
        .env("CANDOR_MASTER_KEY_FILE", &other_key)
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", text(&out));
    // PostgreSQL is pointed at its own tools.
    let out = candor(
        "postgres://app@127.0.0.1:1/candor",
        &["backup", "create", "-o", "x.json"],
    );
    assert!(text(&out).contains("pg_dump"), "{}", text(&out));
}
