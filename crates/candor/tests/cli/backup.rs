//! `candor backup create|verify|restore` on SQLite: taken while the server
//! serves, checked without restoring, refused when changed or under another
//! key, restored into an empty database only (unless forced).

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use candor_demo::QUILLFEATHER;

use crate::harness::{Server, Workspace, path_str, ureq_get};

/// `candor ARGS` on the database at `db`, with the master key file `key`.
fn on_database(db: &str, key: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(args)
        .env("CANDOR_DATABASE_URL", db)
        .env("CANDOR_MASTER_KEY_FILE", key)
        .output()
        .unwrap()
}

/// Everything a command printed, for assertions and their messages.
fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_backup_taken_while_serving_verifies_and_restores_and_a_changed_one_is_refused() {
    let ws = Workspace::new();
    let server = Server::start(&ws, &["--demo"]);
    let key = ws.dir.path().join("master.key");
    let candor = |db: &str, args: &[&str]| on_database(db, &key, args);
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

/// Saves what a mirror of the public log keeps (the signed checkpoint, every
/// entry, every revision as served) as files under `dir`, at the paths a server
/// answers them on.
fn mirror(base: &str, dir: &Path, org: &str, size: u64) {
    let save = |path: &str| {
        let (status, body) = ureq_get(&format!("{base}{path}"));
        assert_eq!(status, 200, "{path}: {body}");
        let file = dir.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, body).unwrap();
    };
    save(&format!("/{org}/log/checkpoint"));
    for index in 0..size {
        save(&format!("/{org}/log/entries/{index}"));
        save(&format!("/api/v1/orgs/{org}/revisions/{}", index + 1));
    }
}

/// A static file server (Python's http.server) over `dir`: the mirror.
struct Mirror {
    child: std::process::Child,
    base: String,
}

impl Mirror {
    fn serve(dir: &Path) -> Mirror {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "http.server",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
            ])
            .arg("--directory")
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the mirror did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Mirror { child, base }
    }
}

impl Drop for Mirror {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_restore_drill_replays_lost_revisions_from_a_mirror_and_watchers_see_no_fork() {
    let ws = Workspace::new();
    let key = ws.dir.path().join("master.key");
    let candor = |args: &[&str]| on_database(&ws.db_url(), &key, args);
    let publish = |n: u32| {
        let yaml = QUILLFEATHER.replacen(
            "    rto_minutes: 240",
            &format!("    rto_minutes: {}", 100 + n),
            1,
        );
        let file = ws.file("draft.yaml", &yaml);
        ws.ok(&["apply", path_str(&file), "--org", "acme"]);
        candor(&["publish", "--org", "acme"])
    };
    ws.ok(&["org", "create", "acme", "--name", "Acme"]);
    assert!(publish(1).status.success());
    let server = Server::start(&ws, &[]);
    let state = ws.dir.path().join("watch.json");
    let watch = |base: &str| {
        candor(&[
            "watch",
            &format!("{base}/acme"),
            "--state",
            path_str(&state),
        ])
    };
    let out = watch(&server.base);
    assert!(out.status.success(), "{}", text(&out));

    // The backup, then two more revisions that readers see (a watcher, a mirror).
    let backup = ws.dir.path().join("backup.json");
    let out = candor(&["backup", "create", "-o", path_str(&backup)]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(publish(2).status.success());
    assert!(publish(3).status.success());
    let out = watch(&server.base);
    assert!(out.status.success(), "{}", text(&out));
    let copy = ws.dir.path().join("mirror");
    mirror(&server.base, &copy, "acme", 3);
    assert!(server.terminate().success());

    // The database is lost.
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(ws.dir.path().join(format!("candor.db{suffix}")));
    }
    let started = Instant::now();
    let out = candor(&["backup", "restore", path_str(&backup)]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("publishing held at 1 log entries"),
        "{}",
        text(&out)
    );
    // Publishing now would give a second revision 2, unlike the one readers saw.
    let out = publish(4);
    assert!(!out.status.success());
    assert!(text(&out).contains("publishing is held"), "{}", text(&out));

    // A mirror whose copy of revision 3 was changed is refused, and nothing is stored.
    let forged = ws.dir.path().join("forged");
    mirror_copy(&copy, &forged);
    let third = forged.join("api/v1/orgs/acme/revisions/3");
    let served = std::fs::read_to_string(&third).unwrap();
    std::fs::write(
        &third,
        served.replacen("rto_minutes\":103", "rto_minutes\":5", 1),
    )
    .unwrap();
    assert_ne!(std::fs::read_to_string(&third).unwrap(), served);
    let forged_mirror = Mirror::serve(&forged);
    let out = candor(&[
        "log",
        "recover",
        "--org",
        "acme",
        "--from",
        &forged_mirror.base,
    ]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("revision 3"), "{}", text(&out));
    let out = candor(&["log", "verify", "--org", "acme"]);
    assert!(text(&out).contains(": 1 entries"), "{}", text(&out));

    // The true mirror: both revisions come back, checked against its signed checkpoint.
    let good_mirror = Mirror::serve(&copy);
    let out = candor(&[
        "log",
        "recover",
        "--org",
        "acme",
        "--from",
        &good_mirror.base,
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("2 revision(s) recovered"),
        "{}",
        text(&out)
    );
    let server = Server::start(&ws, &[]);
    eprintln!(
        "restore drill: restore, recovery from the mirror and a serving server in {:?}",
        started.elapsed()
    );
    // The watcher's state from before the loss still verifies: no fork.
    let out = watch(&server.base);
    assert!(out.status.success(), "{}", text(&out));
    let out = candor(&["log", "verify", "--org", "acme"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = candor(&["audit", "verify", "--org", "acme"]);
    assert!(out.status.success(), "{}", text(&out));
    // Publishing resumes, and the log grows from where readers left it.
    let out = publish(4);
    assert!(out.status.success(), "{}", text(&out));
    let out = watch(&server.base);
    assert!(out.status.success(), "{}", text(&out));
    // Published from the CLI: the server's cached page catches up within a second.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !server.get("/acme").1.contains("Revision 4") {
        assert!(
            Instant::now() < deadline,
            "the page never showed revision 4"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(server.terminate().success());

    // Where no copy exists, the operator says so: publishing resumes, the page
    // states the loss, and the watcher that saw the lost entries reports the fork.
    let other = format!("sqlite://{}", ws.dir.path().join("other.db").display());
    let on_other = |args: &[&str]| on_database(&other, &key, args);
    assert!(
        on_other(&["backup", "restore", path_str(&backup)])
            .status
            .success()
    );
    let out = on_other(&["log", "recover", "--org", "acme", "--unrecoverable"]);
    assert!(out.status.success(), "{}", text(&out));
    let file = ws.file(
        "other.yaml",
        &QUILLFEATHER.replacen("    rto_minutes: 240", "    rto_minutes: 7", 1),
    );
    assert!(
        on_other(&["apply", path_str(&file), "--org", "acme"])
            .status
            .success()
    );
    let out = on_other(&["publish", "--org", "acme"]);
    assert!(out.status.success(), "{}", text(&out));
    let server = Server::start_with_env(&ws, &[], &[("CANDOR_DATABASE_URL", other.as_str())]);
    let (_, page) = server.get("/acme");
    assert!(page.contains("could not be recovered"), "{page}");
    let out = watch(&server.base);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(server.terminate().success());
}

fn mirror_copy(from: &Path, to: &Path) {
    for entry in walk(from) {
        let target = to.join(entry.strip_prefix(from).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&entry, target).unwrap();
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
