//! `candor watch` against servers that misbehave: each test here reproduces a
//! way a watcher used to be fooled, stalled or stuck, through a proxy
//! ([`Hostile`]) in front of a real `candor serve`.

use std::path::{Path, PathBuf};
use std::process::Output;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use candor_demo::QUILLFEATHER;
use candor_log::note::NoteSigner;

use crate::harness::{Server, Workspace, path_str};
use crate::hostile::{Answer, Hostile};

/// Org `acme` with `revisions` published revisions (each a different RTO).
fn acme(revisions: u32) -> Workspace {
    let ws = Workspace::new();
    ws.ok(&["org", "create", "acme", "--name", "Acme"]);
    for n in 0..revisions {
        publish(&ws, n);
    }
    ws
}

fn publish(ws: &Workspace, n: u32) {
    let yaml = QUILLFEATHER.replacen(
        "    rto_minutes: 240",
        &format!("    rto_minutes: {}", 100 + n),
        1,
    );
    let file = ws.file("draft.yaml", &yaml);
    ws.ok(&["apply", path_str(&file), "--org", "acme"]);
    ws.ok(&["publish", "--org", "acme"]);
}

fn watch(ws: &Workspace, base: &str, extra: &[&str]) -> Output {
    let state = state_path(ws);
    let url = format!("{base}/acme");
    let mut args = vec!["watch", &url, "--state", path_str(&state), "--json"];
    args.extend_from_slice(extra);
    ws.candor(&args)
}

fn state_path(ws: &Workspace) -> PathBuf {
    ws.dir.path().join("watch.json")
}

/// The exit code, the JSON report and standard error of a watch run.
fn outcome(out: &Output) -> (Option<i32>, serde_json::Value, String) {
    let report = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code(), report, stderr)
}

/// The evidence file a failed run names, checked offline by `verify-evidence`.
fn verify_evidence(ws: &Workspace, report: &serde_json::Value, extra: &[&str]) -> Output {
    let file = report["evidence"].as_str().expect("an evidence file");
    assert!(Path::new(file).exists(), "{file}");
    let mut args = vec!["watch", "verify-evidence", file];
    args.extend_from_slice(extra);
    ws.candor(&args)
}

/// Changes the content without touching the hashes next to it.
fn tamper(body: &str) -> String {
    body.replacen("Quillfeather", "Quil1feather", 1)
}

/// Every content hash in a page, zeroed.
fn blank_hashes(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some(at) = rest.find("sha256:") {
        out.push_str(&rest[..at + 7]);
        rest = &rest[at + 7..];
        let hex = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
        out.push_str(&"0".repeat(hex));
        rest = &rest[hex..];
    }
    out.push_str(rest);
    out
}

#[test]
fn a_watcher_that_first_saw_an_empty_log_follows_it_once_it_grows() {
    let ws = acme(0);
    let server = Server::start(&ws, &[]);
    let (code, report, stderr) = outcome(&watch(&ws, &server.base, &[]));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(report["to_size"], 0);
    assert!(server.terminate().success());

    publish(&ws, 1);
    let server = Server::start(&ws, &[]);
    let (code, report, stderr) = outcome(&watch(&ws, &server.base, &[]));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        (report["from_size"].as_u64(), report["to_size"].as_u64()),
        (Some(0), Some(1))
    );
    assert!(server.terminate().success());
}

#[test]
fn every_revision_trust_json_and_the_page_are_checked_against_the_log_on_every_run() {
    let ws = acme(3);
    let server = Server::start(&ws, &[]);
    let proxy = Hostile::new(&server.base);

    // A revision in between (not the newest) that differs from what the log recorded.
    proxy.on("/api/v1/orgs/acme/revisions/2", Answer::Rewrite(tamper));
    let (code, report, stderr) = outcome(&watch(&ws, &proxy.base, &[]));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("revisions/2 hashes to"), "{stderr}");
    let checked = verify_evidence(&ws, &report, &[]);
    let said = String::from_utf8_lossy(&checked.stdout);
    assert_eq!(checked.status.code(), Some(0), "{said}");
    assert!(
        said.contains("PROVEN: entry 1 of the log") && said.contains("hashes to"),
        "{said}"
    );
    assert!(
        !state_path(&ws).exists(),
        "nothing was verified, so nothing is remembered"
    );

    proxy.clear();
    let (code, _, stderr) = outcome(&watch(&ws, &proxy.base, &[]));
    assert_eq!(code, Some(0), "{stderr}");

    // Nothing new in the log: what readers are shown is still checked.
    proxy.on("/acme/trust.json", Answer::Rewrite(tamper));
    let (code, report, stderr) = outcome(&watch(&ws, &proxy.base, &[]));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("trust.json hashes to"), "{stderr}");
    assert_eq!(verify_evidence(&ws, &report, &[]).status.code(), Some(0));

    proxy.clear();
    proxy.on("/acme", Answer::Rewrite(blank_hashes));
    let (code, report, stderr) = outcome(&watch(&ws, &proxy.base, &[]));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("does not show that hash"), "{stderr}");
    assert_eq!(verify_evidence(&ws, &report, &[]).status.code(), Some(0));

    proxy.clear();
    let (code, report, stderr) = outcome(&watch(&ws, &proxy.base, &[]));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(report["to_size"], 3);
    assert!(server.terminate().success());
}

#[test]
fn a_signed_checkpoint_never_backed_by_its_proof_fails_after_a_bounded_number_of_runs() {
    let ws = acme(1);
    let server = Server::start(&ws, &[]);
    let (code, _, stderr) = outcome(&watch(&ws, &server.base, &[]));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(server.terminate().success());
    publish(&ws, 2);
    let server = Server::start(&ws, &[]);
    let proxy = Hostile::new(&server.base);

    // Neither the proof endpoint nor the tiles the proof could be built from.
    proxy.on("/acme/log/tile/*", Answer::Status(404, "{}".into()));
    let proof = "/acme/log/proof/consistency*";
    proxy.on(proof, Answer::Status(503, "busy".into()));
    let (code, _, stderr) = outcome(&watch(&ws, &proxy.base, &[]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("run 1 of 3"), "{stderr}");
    proxy.on(proof, Answer::Status(404, "{}".into()));
    let (code, _, stderr) = outcome(&watch(&ws, &proxy.base, &[]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("run 2 of 3"), "{stderr}");
    proxy.on(proof, Answer::Body("not JSON".into()));
    let (code, report, stderr) = outcome(&watch(&ws, &proxy.base, &[]));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("signed size 2") && stderr.contains("not backed by its proof"),
        "{stderr}"
    );
    let checked = verify_evidence(&ws, &report, &[]);
    let said = String::from_utf8_lossy(&checked.stdout);
    assert_eq!(checked.status.code(), Some(0), "{said}");
    assert!(
        said.contains("served no consistency proof from size 1 in 3 runs"),
        "{said}"
    );
    assert!(
        said.contains("503") && said.contains("404"),
        "every answer is kept: {said}"
    );

    // Once the proof is served, the claim is backed and the watcher moves on.
    proxy.clear();
    let (code, report, stderr) = outcome(&watch(&ws, &proxy.base, &[]));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        (report["from_size"].as_u64(), report["to_size"].as_u64()),
        (Some(1), Some(2))
    );
    assert!(server.terminate().success());
}

#[test]
fn answers_are_read_under_a_cap_and_a_run_has_a_deadline() {
    let ws = acme(1);
    let server = Server::start(&ws, &[]);
    let proxy = Hostile::new(&server.base);
    proxy.on("/acme/log/checkpoint", Answer::Endless);
    let (code, _, stderr) = outcome(&watch(&ws, &proxy.base, &[]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("more than 65536 bytes"), "{stderr}");

    proxy.clear();
    proxy.on("/acme/trust.json", Answer::Endless);
    let (code, _, stderr) = outcome(&watch(
        &ws,
        &proxy.base,
        &["--max-content-response", "100000"],
    ));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("more than 100000 bytes"), "{stderr}");

    proxy.clear();
    proxy.on("/acme/log/checkpoint", Answer::Slow);
    let (code, _, stderr) = outcome(&watch(&ws, &proxy.base, &["--deadline", "2"]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("did not finish within 2 s"), "{stderr}");
    assert!(server.terminate().success());
}

/// A size-0 checkpoint signed by `signer` for origin `origin`, with `extra` lines.
fn signed_empty_checkpoint(signer: &NoteSigner, origin: &str, extra: &str) -> String {
    let root = STANDARD.encode(candor_log::tree::empty_root());
    signer
        .sign(&format!("{origin}\n0\n{root}\n{extra}"))
        .unwrap()
}

#[test]
fn checkpoint_extension_lines_are_accepted_and_the_origin_must_be_the_keys_name() {
    let ws = acme(0);
    let server = Server::start(&ws, &[]);
    let proxy = Hostile::new(&server.base);
    let signer = NoteSigner::new("log.example.test/acme", &[7; 32]).unwrap();
    proxy.on("/acme/log/key", Answer::Body(signer.verifier_key()));
    proxy.on(
        "/acme/log/checkpoint",
        Answer::Body(signed_empty_checkpoint(
            &signer,
            "log.example.test/acme",
            "witness-hint example\n",
        )),
    );
    let (code, _, stderr) = outcome(&watch(&ws, &proxy.base, &[]));
    assert_eq!(code, Some(0), "{stderr}");

    std::fs::remove_file(state_path(&ws)).unwrap();
    let other = NoteSigner::new("log.example.test/acme-keys", &[8; 32]).unwrap();
    proxy.on("/acme/log/key", Answer::Body(other.verifier_key()));
    proxy.on(
        "/acme/log/checkpoint",
        Answer::Body(signed_empty_checkpoint(&other, "log.example.test/acme", "")),
    );
    let (code, _, stderr) = outcome(&watch(&ws, &proxy.base, &[]));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("but the key is"), "{stderr}");
    assert!(server.terminate().success());
}

/// Flips one bit of a hash tile.
fn corrupt_tile(body: &[u8]) -> Vec<u8> {
    let mut bytes = body.to_vec();
    if let Some(b) = bytes.get_mut(5) {
        *b ^= 1;
    }
    bytes
}

#[test]
fn the_log_is_read_as_tiles_where_served_and_a_bad_tile_only_costs_requests() {
    let ws = acme(6);
    let server = Server::start(&ws, &[]);
    let state = state_path(&ws);
    let (code, by_proofs, stderr) = outcome(&watch(&ws, &server.base, &["--no-tiles"]));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(by_proofs["tiles"], false);
    std::fs::remove_file(&state).unwrap();
    let (code, by_tiles, stderr) = outcome(&watch(&ws, &server.base, &[]));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(by_tiles["tiles"], true);
    let requests = |r: &serde_json::Value| r["requests"].as_u64().unwrap();
    // Per entry, the proof endpoints cost an entry and a proof; tiles cost a
    // bundle and a tile for all six.
    assert!(
        requests(&by_tiles) + 6 * 2 - 2 <= requests(&by_proofs),
        "{by_tiles} against {by_proofs}"
    );

    // A tile that does not hash to the signed root is not trusted: the watcher
    // falls back to the proof endpoints and still verifies.
    assert!(server.terminate().success());
    publish(&ws, 7);
    let server = Server::start(&ws, &[]);
    let proxy = Hostile::new(&server.base);
    proxy.on("/acme/log/tile/0/*", Answer::RewriteBytes(corrupt_tile));
    let (code, report, stderr) = outcome(&watch(&ws, &proxy.base, &[]));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(report["tiles"], false);
    assert_eq!(
        (report["from_size"].as_u64(), report["to_size"].as_u64()),
        (Some(6), Some(7))
    );
    assert!(server.terminate().success());
}

#[test]
fn a_rotated_log_key_is_followed_from_the_old_one_and_the_page_lists_it() {
    let ws = acme(2);
    let server = Server::start(&ws, &[]);
    let old_key = server.get("/acme/log/key").1.trim().to_owned();
    let (code, _, stderr) = outcome(&watch(&ws, &server.base, &["--key", &old_key]));
    assert_eq!(code, Some(0), "{stderr}");

    // Rotated while the server runs: its next checkpoint is signed by the new key.
    let master = ws.dir.path().join("master.key");
    let said = ws.ok(&[
        "keys",
        "rotate-log",
        "--org",
        "acme",
        "--master-key-file",
        path_str(&master),
    ]);
    assert!(said.contains("the log key is now key 2"), "{said}");
    let new_key = server.get("/acme/log/key").1.trim().to_owned();
    assert_ne!(new_key, old_key);
    let (_, checkpoint) = server.get("/acme/log/checkpoint");
    assert!(checkpoint.contains(new_key.split('+').next().unwrap()));
    assert!(server.terminate().success());
    publish(&ws, 3);
    let server = Server::start(&ws, &[]);

    // A watcher pinned to the old key follows the statement the old key signed.
    let (code, report, stderr) = outcome(&watch(&ws, &server.base, &["--key", &old_key]));
    assert_eq!(code, Some(0), "{stderr}");
    let changes = report["changes"].to_string();
    assert!(
        changes.contains(&format!(
            "the log key was rotated from {old_key} to {new_key}"
        )),
        "{changes}"
    );
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(state_path(&ws)).unwrap()).unwrap();
    assert_eq!(state["key"], new_key.as_str());
    let (code, report, stderr) = outcome(&watch(&ws, &server.base, &["--key", &old_key]));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        !report["changes"].to_string().contains("rotated"),
        "once is enough"
    );

    // The page lists the retired key; the audit log has the rotation.
    let page = server.get("/acme").1;
    assert!(page.contains("Earlier keys of this log") && page.contains(&old_key));
    assert!(
        ws.ok(&["audit", "list", "--org", "acme"])
            .contains("log.key_rotate")
    );

    // Without the statement (or with one the old key did not sign) a watcher
    // pinned to the old key does not accept the new one.
    let proxy = Hostile::new(&server.base);
    proxy.on("/acme/log/key-history", Answer::Body("[]".into()));
    std::fs::remove_file(state_path(&ws)).unwrap();
    let (code, _, stderr) = outcome(&watch(&ws, &proxy.base, &["--key", &old_key]));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("signature"), "{stderr}");
    let forged = NoteSigner::new("localhost/acme", &[9; 32]).unwrap();
    let text = candor_log::note::rotation_text("localhost/acme", &old_key, &new_key);
    let statement = forged.sign(&text).unwrap();
    proxy.on(
        "/acme/log/key-history",
        Answer::Body(serde_json::json!([statement]).to_string()),
    );
    let (code, _, stderr) = outcome(&watch(&ws, &proxy.base, &["--key", &old_key]));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(server.terminate().success());
}
