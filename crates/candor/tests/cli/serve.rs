//! `candor serve`: the demo, PostgreSQL as an unprivileged role, and the API fuzzed
//! against its own OpenAPI document.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use candor_demo::QUILLFEATHER;
use candor_testkit::fixtures::DEMO_PAGE_SECTIONS;

use crate::harness::{
    Server, Workspace, http, path_str, pg_admin_url, psql, python_validate, schema_path,
    session_cookie, unique_tag, ureq_get,
};

#[test]
fn serve_demo_shows_both_companies_and_stops_cleanly_on_sigterm() {
    let ws = Workspace::new();
    let server = Server::start(&ws, &["--demo"]);
    let (status, home) = server.get("/");
    assert_eq!(status, 200);
    assert!(
        home.contains("/quillfeather") && home.contains("/harborlight"),
        "{home}"
    );
    for org in ["quillfeather", "harborlight"] {
        let (status, page) = server.get(&format!("/{org}"));
        assert_eq!(status, 200);
        for section in DEMO_PAGE_SECTIONS {
            assert!(
                page.contains(&format!("<section id=\"{section}\"")),
                "{org}: {section}"
            );
        }
        assert!(
            page.contains("Revision 2"),
            "demo orgs have a history of two revisions"
        );
        // A resolved incident with its review, told within the commitment.
        assert!(
            page.contains("<section id=\"incidents\""),
            "{org}: incidents"
        );
        assert!(page.contains("Post-incident review"), "{org}: review");
        let (status, incidents) = server.get(&format!("/{org}/incidents.json"));
        assert_eq!(status, 200);
        let incidents: serde_json::Value = serde_json::from_str(&incidents).unwrap();
        let first = &incidents["incidents"][0];
        assert_eq!(first["status"], "resolved", "{incidents}");
        assert_eq!(first["notice_clock"]["on_time"], true, "{incidents}");
        assert_eq!(first["review_clock"]["on_time"], true, "{incidents}");
        // Every demo document has a (placeholder) file; public ones download at
        // once, the others show their NDA or request form.
        let (public, gated) = match org {
            "quillfeather" => ("dpa", "soc2-report"),
            _ => ("baa", "hipaa-assessment"),
        };
        let (status, file) = server.get(&format!("/{org}/documents/{public}"));
        assert_eq!(status, 200);
        assert!(file.starts_with("Demo placeholder"), "{file}");
        let (status, form) = server.get(&format!("/{org}/documents/{gated}"));
        assert_eq!(status, 200);
        // Gated demo documents are PDFs, watermarked for each reader.
        assert!(form.contains("carries your email"), "{form}");
        let (status, json) = server.get(&format!("/{org}/trust.json"));
        assert_eq!(status, 200);
        // trust.json as served validates against the published schema, checked by Python's jsonschema.
        let docs = ws.file("served.json", &format!("[{json}]"));
        let check = python_validate(&schema_path("trust.schema.json"), &docs);
        assert!(
            check.status.success(),
            "{org}/trust.json fails its schema:\n{}{}",
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr)
        );
    }
    let (status, _) = server.get("/readyz");
    assert_eq!(status, 200);
    // The log's checkpoint is signed by the key the page publishes.
    let (status, first_key) = server.get("/quillfeather/log/key");
    assert_eq!(status, 200);
    let (_, note) = server.get("/quillfeather/log/checkpoint");
    let verifier = candor_log::note::NoteVerifier::parse(first_key.trim()).unwrap();
    let body = verifier.open(&note).unwrap();
    assert_eq!(
        candor_log::checkpoint::Checkpoint::parse(body)
            .unwrap()
            .size,
        2
    );
    // The API description is valid OpenAPI 3.1, by a validator we did not write.
    let (status, openapi) = server.get("/api/v1/openapi.json");
    assert_eq!(status, 200);
    let spec = ws.file("openapi.json", &openapi);
    let check = Command::new("python3")
        .args([
            "-c",
            "import json, sys; from openapi_spec_validator import validate; validate(json.load(open(sys.argv[1]))); print('valid')",
            path_str(&spec),
        ])
        .output()
        .expect("python3 with openapi-spec-validator (scripts/test.sh installs it)");
    assert!(
        check.status.success(),
        "openapi.json is not valid OpenAPI:\n{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let exit = server.terminate();
    assert!(
        exit.success(),
        "candor did not exit cleanly on SIGTERM: {exit:?}"
    );

    // A second start on the same file keeps the history and publishes nothing new.
    let master = ws.dir.path().join("master.key");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&master).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the master key file is private");
    }
    let server = Server::start(&ws, &["--demo"]);
    let (_, key_again) = server.get("/quillfeather/log/key");
    assert_eq!(
        key_again, first_key,
        "the org keeps its log key across restarts"
    );
    let (_, json) = server.get("/quillfeather/trust.json");
    assert!(json.contains("\"revision\":2"), "{json}");
    assert!(server.terminate().success());
    let diff = ws.ok(&["diff", "--org", "quillfeather", "1", "2"]);
    assert!(diff.contains("subprocessor added: Anthropic"), "{diff}");

    // Each demo org has a customer's questionnaire answered end to end from its
    // published revision and partly reviewed (once: the restart added none).
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let db = ws.dir.path().join("candor.db");
        let store = candor_store_sqlite::SqliteStore::open(path_str(&db))
            .await
            .unwrap();
        let master = candor_store::keys::MasterKey::from_file(master.clone()).unwrap();
        for org in ["quillfeather", "harborlight"] {
            let scope = candor_store::scope_for(&store, &org.parse().unwrap())
                .await
                .unwrap()
                .unwrap();
            let reviews = candor_app::review::list(&store, Some(&master), &scope)
                .await
                .unwrap();
            assert_eq!(reviews.len(), 1, "{org}");
            let review = &reviews[0].review;
            assert_eq!(review.filename, "acme-security-review.xlsx");
            assert!(matches!(
                review.source,
                candor_app::questionnaires::Source::Revision { revision: 2, .. }
            ));
            assert_eq!(review.reviewed(), 2, "{org}");
            assert!(review.drafted() > review.reviewed(), "{org}");
        }
    });
}

/// The same binary on PostgreSQL: migrations with the owner URL, everything else
/// as an app role that row-level security binds. Needs `CANDOR_TEST_PG_URL`.
#[test]
fn the_binary_runs_on_postgresql_as_an_unprivileged_app_role() {
    let admin = pg_admin_url();
    let db = format!("candor_cli_{}", unique_tag());
    let psql = |sql: &str| psql(&admin, sql);
    psql(&format!("CREATE DATABASE {db}"));
    psql(
        "DO $$ BEGIN CREATE ROLE candor_cli_app LOGIN NOSUPERUSER NOBYPASSRLS; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
    );
    let mut owner = url::Url::parse(&admin).unwrap();
    owner.set_path(&db);
    let mut app = owner.clone();
    app.set_username("candor_cli_app").unwrap();

    let ws = Workspace::new();
    let run = |db_url: &url::Url, owner_url: Option<&url::Url>, args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_candor"));
        cmd.env("CANDOR_DATABASE_URL", db_url.as_str()).args(args);
        if let Some(o) = owner_url {
            cmd.env("CANDOR_DATABASE_OWNER_URL", o.as_str());
        }
        cmd.output().unwrap()
    };
    // Without the owner URL there is no schema yet, and Candor says how to make it.
    let out = run(&app, None, &["org", "list"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("schema is missing"),
        "{out:?}"
    );
    let out = run(
        &app,
        Some(&owner),
        &["org", "create", "acme", "--name", "Acme"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let demo = ws.file("demo.yaml", QUILLFEATHER);
    for args in [
        vec!["apply", path_str(&demo), "--org", "acme"],
        vec!["publish", "--org", "acme"],
    ] {
        let out = run(&app, None, &args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let listed = String::from_utf8(run(&app, None, &["org", "list"]).stdout).unwrap();
    assert!(listed.contains("acme\tAcme\trevision 1"), "{listed}");
    // The superuser owner is refused as the serving role: it would bypass row-level security.
    let out = run(&owner, None, &["org", "list"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("bypasses row-level security"),
        "{out:?}"
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("CANDOR_MASTER_KEY_FILE", ws.dir.path().join("master.key"))
        .env("CANDOR_DATABASE_URL", app.as_str())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("server exited").unwrap();
        if let Some(url) = line.strip_prefix("candor: serving on ") {
            break url.trim_end_matches('/').to_owned();
        }
    };
    let (status, page) = ureq_get(&format!("{base}/acme"));
    assert_eq!(status, 200);
    assert!(page.contains("Revision 1"));
    let (status, ready) = ureq_get(&format!("{base}/readyz"));
    assert_eq!(status, 200);
    assert!(ready.contains("postgres"), "{ready}");
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
}

/// Schemathesis (PyPI) reads /api/v1/openapi.json and sends a bounded number of
/// generated requests to every operation of the demo, authenticated with an admin
/// token: no 5xx, and every answer's status, media type and shape as documented.
/// "Schema-valid data is accepted" is left out: a trust center's cross-field rules
/// (unique keys, date order, catalogue requirement ids) are beyond JSON Schema.
#[test]
fn schemathesis_finds_no_server_error_and_no_spec_violation() {
    let ws = Workspace::new();
    let generous = [
        "--demo",
        "--writes-per-minute",
        "1000000",
        "--account-writes-per-minute",
        "1000000",
        "--public-forms-per-minute",
        "1000000",
    ];
    let server = Server::start(&ws, &generous);
    ws.add_user(
        "fuzz@quillfeather.example",
        "quillfeather",
        "admin",
        "a long enough passphrase",
    );
    let (status, head, _) = http(
        "POST",
        &format!("{}/admin/login", server.base),
        &[("content-type", "application/x-www-form-urlencoded")],
        "email=fuzz%40quillfeather.example&password=a+long+enough+passphrase",
    );
    assert_eq!(status, 303, "{head}");
    let cookie = session_cookie(&head);
    let (status, _, body) = http(
        "POST",
        &format!("{}/api/v1/orgs/quillfeather/tokens", server.base),
        &[("cookie", &cookie), ("content-type", "application/json")],
        r#"{"name":"schemathesis","role":"admin"}"#,
    );
    assert_eq!(status, 201, "{body}");
    let token: serde_json::Value = serde_json::from_str(&body).unwrap();
    let token = token["token"].as_str().unwrap();
    ws.file(
        "schemathesis.toml",
        "[parameters]\n\"path.org\" = \"quillfeather\"\n",
    );
    // Through python3, as scripts/test.sh installed it: no reliance on `st` being on PATH.
    let run = Command::new("python3")
        .current_dir(ws.dir.path())
        .args([
            "-c",
            "import sys; from schemathesis.cli import schemathesis; sys.argv[0] = 'st'; sys.exit(schemathesis())",
            "run",
            &format!("{}/api/v1/openapi.json", server.base),
            "--header",
            &format!("Authorization: Bearer {token}"),
            "--max-examples",
            "8",
            "--workers",
            "1",
            "--exclude-checks",
            "positive_data_acceptance",
            "--seed",
            "1",
        ])
        .env("NO_COLOR", "1")
        .output()
        .expect("python3 with schemathesis (scripts/test.sh installs it)");
    let (_, log) = server.stop();
    assert!(
        run.status.success(),
        "schemathesis found problems:\n{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        !log.iter().any(|l| l.contains("\"level\":\"ERROR\"")),
        "the server logged errors: {:?}",
        log.iter()
            .filter(|l| l.contains("ERROR"))
            .collect::<Vec<_>>()
    );
}

#[test]
fn a_revision_published_elsewhere_shows_without_waiting_for_page_revalidation() {
    let ws = Workspace::new();
    ws.ok(&["org", "create", "acme", "--name", "Acme"]);
    let first = ws.file("first.yaml", QUILLFEATHER);
    ws.ok(&["apply", path_str(&first), "--org", "acme"]);
    ws.ok(&["publish", "--org", "acme"]);
    // Pages are checked one by one only every ten minutes here: only the
    // once-a-second look for orgs that published can show the new revision.
    let server = Server::start(&ws, &["--page-revalidate-ms", "600000"]);
    assert!(server.get("/acme").1.contains("Revision 1"));
    let second = ws.file(
        "second.yaml",
        &QUILLFEATHER.replacen("    rto_minutes: 240", "    rto_minutes: 60", 1),
    );
    ws.ok(&["apply", path_str(&second), "--org", "acme"]);
    // Published by another process, as another replica would.
    ws.ok(&["publish", "--org", "acme"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !server.get("/acme").1.contains("Revision 2") {
        assert!(
            std::time::Instant::now() < deadline,
            "revision 2 never showed"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(server.terminate().success());
}
