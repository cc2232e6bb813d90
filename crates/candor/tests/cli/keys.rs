//! Rotating the master key while a server keeps serving.

use candor_demo::QUILLFEATHER;

use crate::harness::{Server, Workspace, path_str};

#[test]
fn keys_rotate_re_seals_everything_while_a_server_keeps_serving() {
    use candor_store::prelude::*;
    let ws = Workspace::new();
    ws.ok(&["org", "create", "acme", "--name", "Acme"]);
    ws.ok(&[
        "apply",
        path_str(&ws.file("v1.yaml", QUILLFEATHER)),
        "--org",
        "acme",
    ]);
    ws.ok(&["publish", "--org", "acme"]);
    let server = Server::start(&ws, &[]);
    assert_eq!(server.get("/acme/log/checkpoint").0, 200);
    let key_file = ws.dir.path().join("master.key");
    let old_key = std::fs::read_to_string(&key_file).unwrap();

    // A public document, uploaded (encrypted) through the store as the API would.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = ws.dir.path().join("candor.db");
    runtime.block_on(async {
        let store = candor_store_sqlite::SqliteStore::open(path_str(&db))
            .await
            .unwrap();
        let scope = candor_store::scope_for(&store, &"acme".parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        let master = candor_store::keys::MasterKey::from_file(key_file.clone()).unwrap();
        let id = uuid::Uuid::new_v4();
        let (version, sealed) = candor_store::documents::seal_file(
            &store,
            &scope,
            &master,
            "dpa",
            id,
            b"the DPA, version 4.1",
        )
        .await
        .unwrap();
        let file = candor_store::documents::DocumentFile {
            id,
            doc_key: "dpa".into(),
            filename: "dpa.pdf".into(),
            content_type: "application/pdf".into(),
            size: 20,
            sha256: String::new(),
            key_version: version,
            uploaded_at: time::OffsetDateTime::now_utc(),
        };
        let event = candor_domain::audit::AuditEvent {
            actor: "operator:test".into(),
            action: "document.upload".into(),
            target: "document:dpa".into(),
            at: time::OffsetDateTime::now_utc(),
        };
        store
            .insert_document_file(&scope, &file, &sealed, &event)
            .await
            .unwrap();
    });
    assert_eq!(
        server.get("/acme/documents/dpa"),
        (200, "the DPA, version 4.1".into())
    );

    // Sealed so far: the log signing key and the data key.
    let out = ws.ok(&["keys", "rotate", "--master-key-file", path_str(&key_file)]);
    assert!(out.contains("re-sealed 2 secrets of 1 orgs"), "{out}");
    let rotated = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(rotated.lines().count(), 2);
    assert_eq!(
        rotated.lines().nth(1),
        old_key.lines().next(),
        "the old key stays, second"
    );
    // The running server was started with the old key alone: it re-reads the file
    // when the re-sealed data key does not open, and goes on serving.
    assert_eq!(
        server.get("/acme/documents/dpa"),
        (200, "the DPA, version 4.1".into())
    );

    let out = ws.ok(&["keys", "retire", "--master-key-file", path_str(&key_file)]);
    assert!(out.contains("retired 1 old key"), "{out}");
    let retired = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(
        retired.lines().collect::<Vec<_>>(),
        vec![rotated.lines().next().unwrap()]
    );
    let (_, lines) = server.stop();
    assert!(
        lines.iter().any(|l| l.contains("master key file re-read")),
        "{lines:?}"
    );

    // Restarted with the new key alone, everything still opens; the old key alone opens nothing.
    let server = Server::start(&ws, &[]);
    assert_eq!(
        server.get("/acme/documents/dpa"),
        (200, "the DPA, version 4.1".into())
    );
    assert_eq!(server.get("/acme/log/checkpoint").0, 200);
    assert_eq!(server.get("/acme/.well-known/security.txt").0, 200);
    assert!(server.terminate().success());
    std::fs::write(&key_file, &old_key).unwrap();
    let server = Server::start(&ws, &[]);
    assert_eq!(server.get("/acme/documents/dpa").0, 500);
    assert!(server.terminate().success());
}
