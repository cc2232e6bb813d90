//! Witnesses (C2SP tlog-witness): `candor witness serve` cosigns an org's
//! checkpoints as `candor serve` submits them, and `candor watch --witness …
//! --quorum K` requires fresh cosignatures, so a fork shown to one reader, an
//! old checkpoint replayed, or a witness that is down all fail to verify.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use candor_demo::QUILLFEATHER;

use crate::harness::{Server, Workspace, copy_database, path_str};
use crate::hostile::{Answer, Hostile};

struct Witness {
    child: Child,
    base: String,
    key: String,
}

impl Witness {
    fn start(ws: &Workspace, name: &str, log_key: &str) -> Witness {
        let dir = ws.dir.path().join(name.replace('/', "-"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_candor"))
            .args([
                "witness",
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--name",
                name,
            ])
            .args(["--state-dir", path_str(&dir), "--log", log_key])
            .arg("--master-key-file")
            .arg(ws.dir.path().join("witness-master.key"))
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let line = loop {
            let line = lines.next().expect("the witness did not start").unwrap();
            if line.starts_with("candor witness: serving on ") {
                break line;
            }
        };
        std::thread::spawn(move || lines.for_each(drop));
        let rest = line.trim_start_matches("candor witness: serving on ");
        let (url, key) = rest.split_once(" as ").unwrap();
        Witness {
            child,
            base: url.trim_end_matches('/').to_owned(),
            key: key.to_owned(),
        }
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn publish(ws: &Workspace, rto: u32, witnesses: &[&Witness]) {
    let mut yaml = QUILLFEATHER.replacen(
        "    rto_minutes: 240",
        &format!("    rto_minutes: {rto}"),
        1,
    );
    yaml.push_str("witnesses:\n");
    for (i, w) in witnesses.iter().enumerate() {
        yaml.push_str(&format!(
            "- name: Witness {i}\n  url: {}\n  key: {}\n",
            w.base, w.key
        ));
    }
    let file = ws.file("draft.yaml", &yaml);
    ws.ok(&["apply", path_str(&file), "--org", "acme"]);
    ws.ok(&["publish", "--org", "acme"]);
}

const SERVE: &[&str] = &["--allow-private-webhooks", "--witness-refresh-seconds", "1"];

/// The checkpoint once it carries `count` cosignatures for `size`.
fn cosigned_checkpoint(server: &Server, size: u64, count: usize) -> String {
    let start = Instant::now();
    loop {
        let (status, note) = server.get("/acme/log/checkpoint");
        assert_eq!(status, 200, "{note}");
        let lines = note
            .lines()
            .filter(|l| l.starts_with("\u{2014} witness.test/"))
            .count();
        if note.lines().nth(1) == Some(&size.to_string()) && lines >= count {
            return note;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no {count} cosignatures for size {size}: {note}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn watch(ws: &Workspace, base: &str, state: &str, extra: &[&str]) -> (Option<i32>, String) {
    let url = format!("{base}/acme");
    let state = ws.dir.path().join(state);
    let mut args = vec!["watch", &url, "--state", path_str(&state)];
    args.extend_from_slice(extra);
    let out = ws.candor(&args);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), said)
}

#[test]
fn witnesses_cosign_checkpoints_and_watchers_requiring_them_see_no_fork_replay_or_missing_witness()
{
    let ws = Workspace::new();
    ws.ok(&["org", "create", "acme", "--name", "Acme"]);
    publish(&ws, 100, &[]);
    let server = Server::start(&ws, SERVE);
    let log_key = server.get("/acme/log/key").1.trim().to_owned();
    let w1 = Witness::start(&ws, "witness.test/w1", &log_key);
    let w2 = Witness::start(&ws, "witness.test/w2", &log_key);
    assert!(server.terminate().success());

    // The org lists both witnesses; the server submits each checkpoint to them.
    publish(&ws, 101, &[&w1, &w2]);
    let server = Server::start(&ws, SERVE);
    let old_cosigned = cosigned_checkpoint(&server, 2, 2);
    let (k1, k2) = (w1.key.clone(), w2.key.clone());
    let both = [
        "--witness",
        k1.as_str(),
        "--witness",
        k2.as_str(),
        "--key",
        log_key.as_str(),
    ];
    let (code, said) = watch(&ws, &server.base, "reader.json", &both);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("witness witness.test/w1: cosigned"), "{said}");
    // The trust page names them for readers.
    assert!(server.get("/acme").1.contains(&k1));
    assert!(server.terminate().success());

    // A witness that is down: the quorum of two is not met, one is.
    w2.stop();
    publish(&ws, 102, &[&w1]);
    let server = Server::start(&ws, SERVE);
    cosigned_checkpoint(&server, 3, 1);
    let (code, said) = watch(&ws, &server.base, "reader.json", &both);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains("witness quorum not met: 1 of the 2")
            && said.contains("witness.test/w2: no valid cosignature"),
        "{said}"
    );
    let (code, said) = watch(
        &ws,
        &server.base,
        "reader.json",
        &[&both[..], &["--quorum", "1"]].concat(),
    );
    assert_eq!(code, Some(0), "{said}");

    // A replayed old checkpoint (validly signed and once cosigned) is refused
    // as stale by a reader who requires fresh cosignatures.
    let proxy = Hostile::new(&server.base);
    proxy.on("/acme/log/checkpoint", Answer::Body(old_cosigned.clone()));
    std::thread::sleep(Duration::from_secs(2));
    let fresh = ["--witness", k1.as_str(), "--max-cosignature-age", "1"];
    let (code, said) = watch(&ws, &proxy.base, "newcomer.json", &fresh);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("cosignature too old"), "{said}");
    assert!(server.terminate().success());

    // A fork: the operator rolls the database back and publishes another
    // revision 4. The witness has cosigned the real revision 4 and refuses
    // the other, so a reader shown only the fork does not verify it.
    let db = ws.dir.path().join("candor.db");
    let fork = ws.dir.path().join("fork.db");
    copy_database(&db, &fork);
    publish(&ws, 103, &[&w1]);
    let server = Server::start(&ws, SERVE);
    cosigned_checkpoint(&server, 4, 1);
    let one = ["--witness", k1.as_str(), "--key", log_key.as_str()];
    let (code, said) = watch(&ws, &server.base, "reader.json", &one);
    assert_eq!(code, Some(0), "{said}");
    assert!(server.terminate().success());
    copy_database(&fork, &db);
    publish(&ws, 203, &[&w1]);
    let server = Server::start(&ws, SERVE);
    let (_, forked) = server.get("/acme/log/checkpoint");
    assert_eq!(forked.lines().nth(1), Some("4"));
    std::thread::sleep(Duration::from_millis(500));
    let (_, forked) = server.get("/acme/log/checkpoint");
    assert!(
        !forked.contains("witness.test/w1"),
        "the witness refused the fork: {forked}"
    );
    let (code, said) = watch(&ws, &server.base, "fork-reader.json", &one);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains("witness quorum not met: 0 of the 1"),
        "{said}"
    );
    let (status, logged) = server.stop();
    assert!(status.success());
    assert!(
        logged
            .iter()
            .any(|l| l.contains("a witness did not cosign") && l.contains("422")),
        "the server submitted the fork and the witness refused it: {logged:?}"
    );

    // The protocol's other answers, straight to the witness.
    let add = |body: &str| {
        crate::harness::http("POST", &format!("{}/add-checkpoint", w1.base), &[], body)
    };
    let (status, head, size) = add(&format!("old 2\n\n{forked}"));
    assert_eq!(status, 409, "it has cosigned size 4, not 2");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/x.tlog.size"),
        "{head}"
    );
    assert_eq!(size, "4\n");
    let other_log = forked.replace("localhost/acme", "localhost/other");
    assert_eq!(add(&format!("old 4\n\n{other_log}")).0, 404);
    let tampered = forked.replacen("\n4\n", "\n5\n", 1);
    assert_eq!(add(&format!("old 4\n\n{tampered}")).0, 403);
    assert_eq!(add("old 4\nnot a hash\n\nx").0, 400);
    w1.stop();
}
