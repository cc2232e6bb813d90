//! Several `candor serve` replicas on one PostgreSQL: a session, a publish and a
//! sign-in budget made on one hold on the other; a master-key rotation while
//! both serve, and one killed outright, lose nothing. Needs `CANDOR_TEST_PG_URL`.

use std::process::Command;

use candor_demo::QUILLFEATHER;

use crate::harness::{
    Server, Workspace, http, path_str, pg_admin_url, psql, session_cookie, unique_tag,
};

#[test]
fn replicas_on_one_postgresql_share_sessions_publishes_and_sign_in_budgets() {
    let admin = pg_admin_url();
    let tag = unique_tag();
    let db = format!("candor_replicas_{tag}");
    let app_role = format!("candor_replicas_app_{tag}");
    let psql = |sql: &str| psql(&admin, sql);
    psql(&format!("CREATE DATABASE {db}"));
    psql(&format!(
        "CREATE ROLE {app_role} LOGIN NOSUPERUSER NOBYPASSRLS"
    ));
    let mut owner = url::Url::parse(&admin).unwrap();
    owner.set_path(&db);
    let mut app = owner.clone();
    app.set_username(&app_role).unwrap();

    let ws = Workspace::new();
    let candor = |args: &[&str], extra: &[(&str, &str)]| {
        let out = Command::new(env!("CARGO_BIN_EXE_candor"))
            .args(args)
            .env("CANDOR_DATABASE_URL", app.as_str())
            .env("CANDOR_DATABASE_OWNER_URL", owner.as_str())
            .envs(extra.iter().copied())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    candor(&["db", "migrate"], &[]);
    candor(&["org", "create", "acme", "--name", "Acme"], &[]);
    let demo = ws.file("demo.yaml", QUILLFEATHER);
    candor(&["apply", path_str(&demo), "--org", "acme"], &[]);
    candor(&["publish", "--org", "acme"], &[]);
    candor(
        &[
            "user",
            "add",
            "owner@acme.example",
            "--org",
            "acme",
            "--role",
            "owner",
        ],
        &[("CANDOR_PASSWORD", "a long enough passphrase")],
    );

    let env = [("CANDOR_DATABASE_URL", app.as_str())];
    let a = Server::start_with_env(&ws, &[], &env);
    let b = Server::start_with_env(&ws, &[], &env);
    let sign_in = |server: &Server, password: &str| {
        http(
            "POST",
            &format!("{}/admin/login", server.base),
            &[("content-type", "application/x-www-form-urlencoded")],
            &format!("email=owner%40acme.example&password={password}"),
        )
    };

    // A session made on A works on B.
    let (status, head, _) = sign_in(&a, "a+long+enough+passphrase");
    assert_eq!(status, 303, "{head}");
    let cookie = session_cookie(&head);
    let (status, _, body) = http(
        "GET",
        &format!("{}/admin/orgs/acme", b.base),
        &[("cookie", cookie.as_str())],
        "",
    );
    assert_eq!(status, 200, "{body}");

    // A revision published while B serves the page from memory shows on B.
    let (_, page) = b.get("/acme");
    assert!(page.contains("Revision 1"));
    let mut content = candor_domain::TrustCenter::from_yaml(QUILLFEATHER).unwrap();
    content.subprocessors.pop();
    let smaller = ws.file("smaller.json", &serde_json::to_string(&content).unwrap());
    candor(&["apply", path_str(&smaller), "--org", "acme"], &[]);
    candor(&["publish", "--org", "acme"], &[]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !b.get("/acme").1.contains("Revision 2") {
        assert!(
            std::time::Instant::now() < deadline,
            "B never showed revision 2"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    // Wrong passwords alternating between the replicas spend from one budget
    // (10 a minute, the sign-in above included): each replica alone would
    // have allowed all of them.
    let statuses: Vec<u16> = (0..15)
        .map(|i| sign_in(if i % 2 == 0 { &a } else { &b }, "wrong").0)
        .collect();
    assert_eq!(&statuses[..9], &[401; 9], "{statuses:?}");
    assert_eq!(&statuses[9..], &[429; 6], "{statuses:?}");

    // The master key rotated while both serve: both keep answering with
    // checkpoints signed by the org's log key, which did not change.
    let (_, log_key) = a.get("/acme/log/key");
    let verifier = candor_log::note::NoteVerifier::parse(log_key.trim()).unwrap();
    let key_file = ws.dir.path().join("master.key");
    candor(
        &["keys", "rotate", "--master-key-file", path_str(&key_file)],
        &[],
    );
    for server in [&a, &b] {
        let (status, note) = server.get("/acme/log/checkpoint");
        assert_eq!(status, 200, "{note}");
        let body = verifier.open(&note).unwrap();
        let size = candor_log::checkpoint::Checkpoint::parse(body)
            .unwrap()
            .size;
        assert_eq!(size, 2);
    }

    // A replica killed outright loses nothing it acknowledged: B serves the
    // revisions, and the session made on A still works on B.
    a.kill();
    let (status, _, body) = http(
        "GET",
        &format!("{}/admin/orgs/acme", b.base),
        &[("cookie", cookie.as_str())],
        "",
    );
    assert_eq!(status, 200, "{body}");
    assert!(b.get("/acme").1.contains("Revision 2"));
    assert!(b.terminate().success());
    psql(&format!("DROP DATABASE {db} WITH (FORCE)"));
    psql(&format!("DROP ROLE {app_role}"));
}
