//! The transparency log and the audit log: entries, proofs and signed checkpoints.

use candor_demo::{HARBORLIGHT, QUILLFEATHER};
use candor_domain::policy::Role;
use candor_web::WebConfig;
use reqwest::StatusCode;

use crate::harness::{ACTOR, App, error_envelope};

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
    let key = app.page("/quillfeather/log/key").await;
    let key = key.trim();
    assert!(key.starts_with("trust.example.com/quillfeather+"), "{key}");
    assert!(
        app.page("/quillfeather").await.contains(key),
        "the trust page publishes the key"
    );
    let note = app.page("/quillfeather/log/checkpoint").await;
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
    let page = app.page("/quillfeather").await;
    assert!(
        page.contains(&base64::engine::general_purpose::STANDARD.encode(checkpoint.root)),
        "root missing from the page"
    );
    // Another org's key does not vouch for this log.
    app.publish("harborlight", HARBORLIGHT).await;
    let other = app.page("/harborlight/log/key").await;
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
    let (app, org) = App::quillfeather().await;
    let admin = app.member_as(&org, Role::Admin).await;
    let editor = app.member_as(&org, Role::Editor).await;
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

/// The log read as C2SP tlog-tiles by Go's x/mod tlog (a client Candor did not
/// write), at sizes around every tile edge up to 1,000 entries: the tree hash
/// from the hash tiles, every entry from the entry bundles proven in the tree,
/// and every earlier signed checkpoint a prefix of the later ones.
#[tokio::test]
async fn go_x_mod_reads_the_log_as_c2sp_tiles_at_every_tile_edge_up_to_1000_entries() {
    let dir = tempfile::tempdir().unwrap();
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oracle/tiles.go");
    let client = candor_testkit::go::build(std::path::Path::new(source), dir.path());
    let app = App::start_default().await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let vkey = app.page("/quillfeather/log/key").await.trim().to_owned();
    let mut content = candor_domain::TrustCenter::from_yaml(QUILLFEATHER).unwrap();
    let mut size = 1u64;
    let mut earlier: Vec<String> = Vec::new();
    let base = format!("{}/quillfeather/log", app.base);
    for edge in [1u64, 2, 3, 255, 256, 257, 511, 512, 513, 1000] {
        while size < edge {
            content.profile.name = format!("Quillfeather {size}").parse().unwrap();
            app.store
                .insert_revision(&org, &content, time::OffsetDateTime::now_utc(), ACTOR)
                .await
                .unwrap();
            size += 1;
        }
        let note = app.page("/quillfeather/log/checkpoint").await;
        let root = note.lines().nth(2).unwrap().to_owned();
        let mut args = vec![base.clone(), vkey.clone()];
        args.extend(earlier.iter().cloned());
        let client = client.clone();
        // The Go client talks to this runtime's server: run it off the runtime.
        let out = tokio::task::spawn_blocking(move || {
            std::process::Command::new(client)
                .args(args)
                .output()
                .unwrap()
        })
        .await
        .unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "size {size}: {said}");
        assert_eq!(
            said.trim(),
            format!("ok {size} {size} {}", earlier.len()),
            "size {size}"
        );
        earlier.push(format!("{size}:{root}"));
    }

    // Full tiles are immutable; what the tree does not have is not found.
    let full = app.get("/quillfeather/log/tile/0/000").await;
    assert_eq!(full.status(), StatusCode::OK);
    assert_eq!(
        full.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(full.bytes().await.unwrap().len(), 256 * 32);
    let bundle = app.get("/quillfeather/log/tile/entries/003.p/232").await;
    assert_eq!(bundle.status(), StatusCode::OK);
    let entries = candor_log::tiles::split_bundle(&bundle.bytes().await.unwrap()).unwrap();
    assert_eq!(entries.len(), 232);
    assert_eq!(
        entries[231],
        app.get("/quillfeather/log/entries/999")
            .await
            .bytes()
            .await
            .unwrap()
    );
    for missing in [
        "/quillfeather/log/tile/0/003",
        "/quillfeather/log/tile/0/003.p/233",
        "/quillfeather/log/tile/1/000",
        "/quillfeather/log/tile/2/000.p/1",
        "/quillfeather/log/tile/0/x000/003",
        "/quillfeather/log/tile/9/000",
        "/nobody/log/tile/0/000.p/1",
    ] {
        let (status, _) = error_envelope(app.get(missing).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
    }
    assert_eq!(
        app.get("/quillfeather/log/tile/1/000.p/3")
            .await
            .bytes()
            .await
            .unwrap()
            .len(),
        3 * 32
    );
    app.stop().await;
}
