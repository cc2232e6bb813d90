//! The `candor` binary as an operator uses it: real processes, a real SQLite file,
//! real HTTP against `candor serve`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use candor_demo::QUILLFEATHER;

struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Workspace {
        Workspace {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn db_url(&self) -> String {
        format!("sqlite://{}", self.dir.path().join("candor.db").display())
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn candor(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_candor"))
            .args(args)
            .env("CANDOR_DATABASE_URL", self.db_url())
            .env_remove("CANDOR_LOG")
            .output()
            .unwrap()
    }

    /// Runs and expects success; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.candor(args);
        assert!(
            out.status.success(),
            "candor {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn export(&self, org: &str) -> String {
        self.ok(&["export", "--org", org])
    }
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn apply_then_export_round_trips_exactly() {
    let ws = Workspace::new();
    ws.ok(&[
        "org",
        "create",
        "quillfeather",
        "--name",
        "Quillfeather Analytics",
    ]);
    let demo = ws.file("demo.yaml", QUILLFEATHER);
    let out = ws.ok(&["apply", path_str(&demo), "--org", "quillfeather"]);
    assert!(
        out.contains("create the draft of quillfeather: 36 controls"),
        "{out}"
    );
    let exported = ws.export("quillfeather");
    // The export is the same document as the file that was applied.
    let original = candor_domain::TrustCenter::from_yaml(QUILLFEATHER).unwrap();
    assert_eq!(
        candor_domain::TrustCenter::from_yaml(&exported).unwrap(),
        original
    );
    // Applying the export changes nothing, and exporting again gives identical bytes.
    let file = ws.file("exported.yaml", &exported);
    let out = ws.ok(&["apply", path_str(&file), "--org", "quillfeather"]);
    assert!(out.contains("no changes"), "{out}");
    assert_eq!(ws.export("quillfeather"), exported);
    // `export -o` writes the same bytes to a file.
    let target = ws.dir.path().join("out.yaml");
    ws.ok(&["export", "--org", "quillfeather", "-o", path_str(&target)]);
    assert_eq!(std::fs::read_to_string(target).unwrap(), exported);
}

#[test]
fn dry_run_prints_changes_and_stores_nothing() {
    // Without a database, a dry run checks the file, says the org does not
    // exist, and creates no database.
    let ws = Workspace::new();
    let demo = ws.file("demo.yaml", QUILLFEATHER);
    let out = ws.candor(&["apply", "--dry-run", path_str(&demo), "--org", "nobody"]);
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        format!(
            "error: no database at {}, so no org nobody: {} is valid, and nothing was \
             created (create the org with `candor org create nobody --name NAME`)",
            ws.dir.path().join("candor.db").display(),
            demo.display()
        )
    );
    assert!(!ws.dir.path().join("candor.db").exists());

    ws.ok(&["org", "create", "quillfeather", "--name", "Q"]);
    let demo = ws.file("demo.yaml", QUILLFEATHER);
    let out = ws.ok(&[
        "apply",
        "--dry-run",
        path_str(&demo),
        "--org",
        "quillfeather",
    ]);
    assert!(
        out.contains("would create the draft") && out.contains("nothing was stored"),
        "{out}"
    );
    let out = ws.candor(&["export", "--org", "quillfeather"]);
    assert!(!out.status.success(), "a dry run must not create a draft");

    ws.ok(&["apply", path_str(&demo), "--org", "quillfeather"]);
    let before = ws.export("quillfeather");
    let changed = QUILLFEATHER
        .replacen("    rto_minutes: 240", "    rto_minutes: 60", 1)
        .replacen(
            "- question: Do you support single sign-on?",
            "- question: Do you support SSO?",
            1,
        );
    let file = ws.file("changed.yaml", &changed);
    let out = ws.ok(&[
        "apply",
        "--dry-run",
        path_str(&file),
        "--org",
        "quillfeather",
    ]);
    assert!(
        out.contains("commitment changed: resilience (rto_minutes: 240 → 60)"),
        "{out}"
    );
    assert!(out.contains("question added: Do you support SSO?"), "{out}");
    assert!(
        out.contains("question removed: Do you support single sign-on?"),
        "{out}"
    );
    assert_eq!(
        ws.export("quillfeather"),
        before,
        "dry run changed the draft"
    );
}

#[test]
fn bad_yaml_names_the_field_and_changes_nothing() {
    let ws = Workspace::new();
    ws.ok(&["org", "create", "quillfeather", "--name", "Q"]);
    let demo = ws.file("demo.yaml", QUILLFEATHER);
    ws.ok(&["apply", path_str(&demo), "--org", "quillfeather"]);
    let before = ws.export("quillfeather");
    let cases = [
        (
            QUILLFEATHER.replacen("soc2:CC6.1", "soc2:CC99.1", 1),
            "controls[0].mappings[0]: unknown requirement `soc2:CC99.1` — did you mean `soc2:CC9.1`? (line 42)",
        ),
        (
            QUILLFEATHER.replacen("  status: implemented", "  status: done", 1),
            "controls[0].status: unknown variant `done`",
        ),
        (
            QUILLFEATHER.replacen(
                "  security_contact: security@quillfeather.example",
                "  security_contact: nobody",
                1,
            ),
            "profile.security_contact: \"nobody\" is not an email address",
        ),
        (
            QUILLFEATHER.replacen(
                "  effective_at: 2026-12-20",
                "  effective_at: 2026-11-01",
                1,
            ),
            "subprocessors[6].effective_at: 2026-11-01 is before announced_at 2026-11-18",
        ),
        (
            "controls: [".to_owned(),
            "did not find expected node content (line 2, column 1)",
        ),
    ];
    for (yaml, expected) in cases {
        let file = ws.file("bad.yaml", &yaml);
        let out = ws.candor(&["apply", path_str(&file), "--org", "quillfeather"]);
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(expected),
            "expected {expected:?} in:\n{stderr}"
        );
        assert!(stderr.contains("nothing was changed"), "{stderr}");
        assert_eq!(
            ws.export("quillfeather"),
            before,
            "a refused file changed the draft"
        );
    }
}

#[test]
fn publish_numbers_revisions_and_diff_describes_them() {
    let ws = Workspace::new();
    ws.ok(&["org", "create", "quillfeather", "--name", "Q"]);
    let out = ws.candor(&["publish", "--org", "quillfeather"]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("no draft"));
    let demo = ws.file("demo.yaml", QUILLFEATHER);
    ws.ok(&["apply", path_str(&demo), "--org", "quillfeather"]);
    assert!(
        ws.ok(&["publish", "--org", "quillfeather"])
            .contains("published revision 1 of quillfeather (sha256:")
    );
    assert!(
        ws.ok(&["publish", "--org", "quillfeather"])
            .contains("nothing to publish: the draft equals revision 1")
    );

    let added = QUILLFEATHER.replacen("changelog:\n", &mailgun_entry(), 1);
    let file = ws.file("v2.yaml", &added);
    ws.ok(&["apply", path_str(&file), "--org", "quillfeather"]);
    let out = ws.ok(&["publish", "--org", "quillfeather"]);
    assert!(out.contains("published revision 2"), "{out}");
    assert!(
        out.contains(&format!(
            "subprocessor added: Mailgun (Backup email delivery), takes effect {}",
            mailgun_effective()
        )),
        "{out}"
    );

    // Another subprocessor taking effect tomorrow is refused, naming the field.
    let tomorrow = (time::OffsetDateTime::now_utc().date() + time::Duration::days(1)).to_string();
    let short = added.replacen(
        "changelog:\n",
        &mailgun_entry()
            .replace("Mailgun", "Resend")
            .replace(&mailgun_effective(), &tomorrow),
        1,
    );
    let file = ws.file("v3.yaml", &short);
    ws.ok(&["apply", path_str(&file), "--org", "quillfeather"]);
    let out = ws.candor(&["publish", "--org", "quillfeather"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("not published: subprocessors[") && stderr.contains("].effective_at"),
        "{stderr}"
    );
    ws.ok(&[
        "apply",
        path_str(&ws.file("v2.yaml", &added)),
        "--org",
        "quillfeather",
    ]);

    let out = ws.ok(&["diff", "--org", "quillfeather", "1", "2"]);
    assert_eq!(
        out.trim(),
        format!(
            "subprocessor added: Mailgun (Backup email delivery), takes effect {}",
            mailgun_effective()
        )
    );
    let json: serde_json::Value =
        serde_json::from_str(&ws.ok(&["diff", "--org", "quillfeather", "1", "2", "--json"]))
            .unwrap();
    assert_eq!(json["sections"][0]["section"], "subprocessors");
    assert_eq!(json["sections"][0]["added"][0]["id"], "Mailgun");
    assert!(
        ws.ok(&["diff", "--org", "quillfeather", "2", "draft"])
            .contains("no differences")
    );
    let out = ws.candor(&["diff", "--org", "quillfeather", "1", "7"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no revision 7"));
    let listed = ws.ok(&["org", "list"]);
    assert!(listed.contains("quillfeather\tQ\trevision 2"), "{listed}");
}

#[test]
fn org_slugs_and_unknown_orgs_are_refused_clearly() {
    let ws = Workspace::new();
    let out = ws.candor(&["org", "create", "Bad Slug", "--name", "X"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a valid key"));
    let out = ws.candor(&["org", "create", "admin", "--name", "X"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("reserved"));
    ws.ok(&["org", "create", "acme", "--name", "Acme"]);
    let out = ws.candor(&["org", "create", "acme", "--name", "Acme"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    let out = ws.candor(&["export", "--org", "nobody"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no org nobody"));
}

#[test]
fn the_published_schemas_match_the_code() {
    let ws = Workspace::new();
    for (document, committed, file) in [
        (
            "trust-center",
            include_str!("../../../schema/trust-center.schema.json"),
            "trust-center",
        ),
        (
            "trust-json",
            include_str!("../../../schema/trust.schema.json"),
            "trust",
        ),
    ] {
        let generated = ws.ok(&["schema", document]);
        assert_eq!(
            generated.trim_end(),
            committed.trim_end(),
            "run `candor schema {document} > schema/{file}.schema.json`"
        );
    }
}

fn schema_path(file: &str) -> String {
    format!("{}/../../schema/{file}", env!("CARGO_MANIFEST_DIR"))
}

/// Validates each document of the JSON array in `docs` against `schema` with Python's
/// `jsonschema` package: an implementation we did not write. Prints each error.
fn python_validate(schema: &str, docs: &Path) -> Output {
    let script = "import json, sys, jsonschema\n\
        schema = json.load(open(sys.argv[1]))\n\
        v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())\n\
        errors = [e.message for d in json.load(open(sys.argv[2])) for e in v.iter_errors(d)]\n\
        print('\\n'.join(errors)); sys.exit(1 if errors else 0)\n";
    Command::new("python3")
        .args(["-c", script, schema, path_str(docs)])
        .output()
        .expect("python3 with jsonschema (scripts/test.sh installs it)")
}

/// A server started the way the README starts it, on a free port.
struct Server {
    child: Child,
    base: String,
    /// Every line the server wrote to stderr (its JSON log), as it arrives.
    lines: std::sync::mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Server {
    fn start(ws: &Workspace, args: &[&str]) -> Server {
        Server::start_with_env(ws, args, &[])
    }

    fn start_with_env(ws: &Workspace, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_candor"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .env("CANDOR_DATABASE_URL", ws.db_url())
            .env("CANDOR_MASTER_KEY_FILE", ws.dir.path().join("master.key"))
            .envs(env.iter().copied())
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
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut seen = Vec::new();
        let base = loop {
            let line = rx
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .expect("server did not start");
            seen.push(line.clone());
            if let Some(url) = line.strip_prefix("candor: serving on ") {
                break url.trim_end_matches('/').to_owned();
            }
        };
        Server {
            child,
            base,
            lines: rx,
            seen,
        }
    }

    fn get(&self, path: &str) -> (u16, String) {
        let (status, _, body) = http("GET", &format!("{}{path}", self.base), &[], "");
        (status, body)
    }

    fn terminate(self) -> std::process::ExitStatus {
        self.stop().0
    }

    /// SIGTERM, wait, and everything the server logged.
    fn stop(mut self) -> (std::process::ExitStatus, Vec<String>) {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        let status = self.child.wait().unwrap();
        self.seen.extend(self.lines.iter());
        (status, self.seen)
    }
}

/// Minimal blocking HTTP/1.1 over a TcpStream: status, head and body.
fn http(method: &str, url: &str, headers: &[(&str, &str)], body: &str) -> (u16, String, String) {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest
        .split_once('/')
        .map(|(h, p)| (h, format!("/{p}")))
        .unwrap_or((rest, "/".into()));
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (status, head.to_owned(), body.to_owned())
}

fn ureq_get(url: &str) -> (u16, String) {
    let (status, _, body) = http("GET", url, &[], "");
    (status, body)
}

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
        for section in [
            "overview",
            "promises",
            "compliance",
            "controls",
            "commitments",
            "subprocessors",
            "changelog",
            "roadmap",
            "documents",
            "faq",
            "disclosure",
            "verify",
        ] {
            assert!(
                page.contains(&format!("<section id=\"{section}\"")),
                "{org}: {section}"
            );
        }
        assert!(
            page.contains("Revision 2"),
            "demo orgs have a history of two revisions"
        );
        // Every demo document has a (placeholder) file; public ones download at
        // once, the others show their NDA or request form.
        let (public, gated) = match org {
            "quillfeather" => ("dpa", "soc2-report"),
            _ => ("baa", "hipaa-assessment"),
        };
        let (status, file) = server.get(&format!("/{org}/documents/{public}"));
        assert_eq!(status, 200);
        assert!(file.starts_with("Demo placeholder"), "{file}");
        assert_eq!(server.get(&format!("/{org}/documents/{gated}")).0, 200);
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
}

#[test]
fn demo_content_validates_against_the_published_schema_with_an_independent_validator() {
    // Python's `jsonschema` (not our code) checks both demo files, as JSON, against the schema.
    let ws = Workspace::new();
    let mut docs = Vec::new();
    for yaml in [QUILLFEATHER, candor_demo::HARBORLIGHT] {
        let tc = candor_domain::TrustCenter::from_yaml(yaml).unwrap();
        docs.push(serde_json::to_value(&tc).unwrap());
    }
    let mut broken = docs[0].clone();
    broken["controls"][0]["status"] = "done".into();
    let docs_path = ws.file("docs.json", &serde_json::to_string(&docs).unwrap());
    let broken_path = ws.file(
        "broken.json",
        &serde_json::to_string(&vec![broken]).unwrap(),
    );
    let schema = schema_path("trust-center.schema.json");
    let run = |docs: &Path| python_validate(&schema, docs);
    let good = run(&docs_path);
    assert!(
        good.status.success(),
        "demo content fails the schema:\n{}{}",
        String::from_utf8_lossy(&good.stdout),
        String::from_utf8_lossy(&good.stderr)
    );
    let bad = run(&broken_path);
    assert_eq!(
        bad.status.code(),
        Some(1),
        "the validator accepted a broken document: {}",
        String::from_utf8_lossy(&bad.stderr)
    );
    assert!(String::from_utf8_lossy(&bad.stdout).contains("done"));

    // Format 2 transcriptions are valid too; and what `apply` refuses field by
    // field (types, values, formats, versions), the schema refuses as well.
    let velaurum = candor_domain::TrustCenter::from_yaml(include_str!(
        "../../candor-web/tests/data/trust-pages/velaurum.yaml"
    ))
    .unwrap();
    let iqcloud = candor_domain::TrustCenter::from_yaml(include_str!(
        "../../candor-web/tests/data/trust-pages/iqcloud.yaml"
    ))
    .unwrap();
    let v2 = vec![
        serde_json::to_value(&velaurum).unwrap(),
        serde_json::to_value(&iqcloud).unwrap(),
    ];
    let v2_path = ws.file("v2.json", &serde_json::to_string(&v2).unwrap());
    let good = run(&v2_path);
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stdout)
    );
    let base = v2[0].clone();
    let mut refused = Vec::new();
    for (path, value) in [
        ("/version", serde_json::json!(3)),
        ("/posture/1/target_date", serde_json::json!("sometime")),
        (
            "/commitments/resilience/rto_minutes",
            serde_json::json!("four hours"),
        ),
        (
            "/commitments/encryption/backups_encrypted",
            serde_json::json!("yes"),
        ),
        (
            "/commitments/encryption/tls_minimum",
            serde_json::json!("1.1"),
        ),
        ("/posture/0/status", serde_json::json!("done")),
        (
            "/profile/website",
            serde_json::json!("http://velaurum.example"),
        ),
        ("/profile/last_reviewed", serde_json::json!("June 2026")),
        ("/profile/nmae", serde_json::json!("x")),
    ] {
        let mut doc = base.clone();
        let (parent, key) = path.rsplit_once('/').unwrap();
        doc.pointer_mut(parent).unwrap()[key] = value;
        assert!(
            candor_domain::TrustCenter::from_json(&serde_json::to_vec(&doc).unwrap()).is_err(),
            "apply accepts {path}"
        );
        refused.push((path, doc));
    }
    for (path, doc) in refused {
        let one = ws.file("one.json", &serde_json::to_string(&vec![doc]).unwrap());
        assert_eq!(
            run(&one).status.code(),
            Some(1),
            "apply refuses {path} but the schema accepts it"
        );
    }
}

/// The same binary on PostgreSQL: migrations with the owner URL, everything else
/// as an app role that row-level security binds. Needs `CANDOR_TEST_PG_URL`.
#[test]
fn the_binary_runs_on_postgresql_as_an_unprivileged_app_role() {
    let admin = std::env::var("CANDOR_TEST_PG_URL").expect(
        "CANDOR_TEST_PG_URL is not set: run scripts/test.sh, which starts a throwaway PostgreSQL",
    );
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let db = format!("candor_cli_{nonce}_{}", std::process::id());
    let psql = |sql: &str| {
        let out = Command::new("psql")
            .args([admin.as_str(), "-v", "ON_ERROR_STOP=1", "-qc", sql])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
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
    let tamper = "import sqlite3, sys\n\
        c = sqlite3.connect(sys.argv[1])\n\
        c.execute('DROP TRIGGER audit_log_is_append_only_update')\n\
        c.execute(\"UPDATE audit_log SET actor = 'user:someone-else' WHERE seq = 1\")\n\
        c.commit()\n";
    let out = Command::new("python3")
        .args(["-c", tamper, path_str(&db)])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
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
fn the_operator_resets_passwords_removes_members_and_deletes_accounts() {
    let ws = Workspace::new();
    ws.ok(&["org", "create", "acme", "--name", "Acme"]);
    ws.ok(&[
        "user",
        "add",
        "owner@acme.example",
        "--org",
        "acme",
        "--role",
        "owner",
    ]);
    ws.ok(&[
        "user",
        "add",
        "editor@acme.example",
        "--org",
        "acme",
        "--role",
        "editor",
    ]);
    let out = ws.ok(&["user", "set-password", "Editor@Acme.example"]);
    assert!(
        out.contains("all its sessions ended") && out.contains("password (shown once): "),
        "{out}"
    );
    // The only owner cannot be removed or deleted.
    let refused = ws.candor(&["user", "remove", "owner@acme.example", "--org", "acme"]);
    assert!(!refused.status.success(), "{refused:?}");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("only owner"));
    let refused = ws.candor(&["user", "delete", "owner@acme.example"]);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("only owner"));
    ws.ok(&["user", "remove", "editor@acme.example", "--org", "acme"]);
    let again = ws.candor(&["user", "remove", "editor@acme.example", "--org", "acme"]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("not a member"));
    ws.ok(&["user", "delete", "editor@acme.example"]);
    let gone = ws.candor(&["user", "set-password", "editor@acme.example"]);
    assert!(String::from_utf8_lossy(&gone.stderr).contains("no account"));
    // The address is free again.
    ws.ok(&["user", "add", "editor@acme.example"]);
    let audit = ws.ok(&["audit", "list", "--org", "acme"]);
    assert!(
        audit.contains("operator:cli\tmember.remove\tuser:"),
        "{audit}"
    );
    ws.ok(&["audit", "verify", "--org", "acme"]);
}

#[test]
fn user_add_creates_an_account_with_a_role_and_records_it() {
    use std::io::Write;
    let ws = Workspace::new();
    ws.ok(&["org", "create", "acme", "--name", "Acme"]);
    // A generated password is printed once.
    let out = ws.ok(&[
        "user",
        "add",
        "Admin@Acme.example",
        "--org",
        "acme",
        "--role",
        "admin",
    ]);
    assert!(out.contains("(Admin of acme)"), "{out}");
    let password = out
        .lines()
        .find_map(|l| l.strip_prefix("password (shown once): "))
        .unwrap();
    assert!(password.len() >= 20);
    // From standard input, nothing is echoed back.
    let mut child = Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(["user", "add", "editor@acme.example", "--password-stdin"])
        .env("CANDOR_DATABASE_URL", ws.db_url())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a long enough passphrase\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("passphrase"));
    // Duplicates, short passwords and bad emails are refused clearly.
    let dup = ws.candor(&["user", "add", "admin@acme.example"]);
    assert!(String::from_utf8_lossy(&dup.stderr).contains("already exists"));
    let short = Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(["user", "add", "x@acme.example"])
        .env("CANDOR_DATABASE_URL", ws.db_url())
        .env("CANDOR_PASSWORD", "short")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 12 characters"));
    let bad = ws.candor(&["user", "add", "not-an-email"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not an email address"));
    // The membership is in the audit log, with an account id and not the email.
    let audit = ws.ok(&["audit", "list", "--org", "acme"]);
    assert!(
        audit.contains("operator:cli\tmember.set_role\tuser:"),
        "{audit}"
    );
    assert!(!audit.contains("acme.example"), "{audit}");
}

#[test]
fn the_log_of_a_session_that_signs_in_and_edits_holds_no_personal_data_or_secrets() {
    let ws = Workspace::new();
    ws.ok(&["org", "create", "acme", "--name", "Acme"]);
    let demo = ws.file("demo.yaml", QUILLFEATHER);
    ws.ok(&["apply", path_str(&demo), "--org", "acme"]);
    ws.ok(&["publish", "--org", "acme"]);
    let email = "alice.secretive@acme.example";
    let password = "hunter2-but-much-longer";
    let out = Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(["user", "add", email, "--org", "acme", "--role", "owner"])
        .env("CANDOR_DATABASE_URL", ws.db_url())
        .env("CANDOR_PASSWORD", password)
        .output()
        .unwrap();
    assert!(out.status.success());

    // The most verbose log level there is, to catch anything a library might print.
    let server = Server::start_with_env(&ws, &[], &[("CANDOR_LOG", "trace")]);
    let url = |path: &str| format!("{}{path}", server.base);
    let form = format!("email={}&password={}", email.replace('@', "%40"), password);
    let form_type = ("content-type", "application/x-www-form-urlencoded");
    // One failed and one good sign-in.
    let (status, _, _) = http(
        "POST",
        &url("/admin/login"),
        &[form_type],
        &form.replace("hunter2", "hunter3"),
    );
    assert_eq!(status, 401);
    let (status, head, _) = http("POST", &url("/admin/login"), &[form_type], &form);
    assert_eq!(status, 303, "{head}");
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let session_secret = cookie.split_once('=').unwrap().1.to_owned();
    // Edit a section, create an API token and use it.
    let faq = "- question: Is this logged?\n  answer: Not your email.\n";
    let body = format!(
        "yaml={}",
        faq.replace(' ', "+")
            .replace('\n', "%0A")
            .replace('?', "%3F")
            .replace(':', "%3A")
    );
    let (status, _, _) = http(
        "POST",
        &url("/admin/orgs/acme/sections/faq"),
        &[("cookie", &cookie), form_type],
        &body,
    );
    assert_eq!(status, 303);
    let (status, _, created) = http(
        "POST",
        &url("/api/v1/orgs/acme/tokens"),
        &[("cookie", &cookie), ("content-type", "application/json")],
        r#"{"name":"ci","role":"editor"}"#,
    );
    assert_eq!(status, 201, "{created}");
    let token = serde_json::from_str::<serde_json::Value>(&created).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let bearer = format!("Bearer {token}");
    let (status, _, _) = http(
        "GET",
        &url("/api/v1/orgs/acme/draft"),
        &[("authorization", &bearer)],
        "",
    );
    assert_eq!(status, 200);

    let (exit, lines) = server.stop();
    assert!(exit.success());
    assert!(
        lines.iter().any(|l| l.contains("signed in")),
        "the log did record the sign-in"
    );
    let log = lines.join("\n");
    for secret in [
        email,
        "alice.secretive",
        password,
        "hunter3",
        session_secret.as_str(),
        &token[4..],
        "Not your email",
    ] {
        assert!(!log.contains(secret), "the log contains {secret:?}");
    }
}

/// Copies the SQLite database (with its WAL files) from `from` to `to`.
fn copy_database(from: &Path, to: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let src = PathBuf::from(format!("{}{suffix}", from.display()));
        let dst = PathBuf::from(format!("{}{suffix}", to.display()));
        let _ = std::fs::remove_file(&dst);
        if src.exists() {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
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
    let tamper = "import sqlite3, sys\n\
        c = sqlite3.connect(sys.argv[1])\n\
        c.execute('DROP TRIGGER log_entries_are_append_only_delete')\n\
        c.execute('DELETE FROM log_entries WHERE idx = 0')\n\
        c.commit()\n";
    let out = Command::new("python3")
        .args(["-c", tamper, path_str(&db)])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = ws.candor(&["log", "verify", "--org", "acme"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("revision 1 has no log entry"), "{stderr}");
}

/// When the Mailgun subprocessor the tests add takes effect: far enough ahead to meet
/// the default 30-day notice rule on whatever day the tests run.
fn mailgun_effective() -> String {
    let day = time::OffsetDateTime::now_utc().date() + time::Duration::days(45);
    let format = time::macros::format_description!("[year]-[month]-[day]");
    day.format(format).unwrap()
}

/// A subprocessor entry to insert before `changelog:` in a demo file.
fn mailgun_entry() -> String {
    format!(
        "- name: Mailgun\n  purpose: Backup email delivery\n  locations: [United States]\n  data_categories: [Account email addresses]\n  enabled_by_default: true\n  website: https://www.mailgun.com\n  announced_at: 2026-11-22\n  effective_at: {}\nchangelog:\n",
        mailgun_effective()
    )
}

#[path = "../../../tests/support/external.rs"]
mod external;

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
fn org_with_pending_notices(n: usize) -> (Workspace, PathBuf) {
    use candor_store::outbox::{Channel, DeliveryResult, SubscribeRequest, Topics};
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

    // Confirmed subscribers, stored as the public form would store them.
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

    (ws, db)
}

#[test]
fn a_worker_killed_during_a_batch_of_1000_mails_loses_none_after_restart() {
    let (ws, db) = org_with_pending_notices(1000);
    let sink = external::MailSink::start(ws.dir.path());
    let (mut worker, _) = start_worker(&ws, sink.helper.port);
    sink.wait_for(300, Duration::from_secs(60));
    worker.kill().unwrap(); // SIGKILL: no drain, no goodbye.
    worker.wait().unwrap();
    let at_kill = sink.messages().len();
    assert!(
        at_kill < 1000,
        "the worker finished before it could be killed"
    );

    let (mut worker, log) = start_worker(&ws, sink.helper.port);
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
    let lines: Vec<String> = log.try_iter().collect();

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

    let stats = acme_outbox(&db);
    assert_eq!((stats.pending, stats.delivered), (0, 1000));
}

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

#[test]
fn a_worker_stopped_by_sigterm_finishes_its_batch_and_sends_nothing_twice() {
    let (ws, db) = org_with_pending_notices(300);
    let sink = external::MailSink::start(ws.dir.path());
    let (worker, _) = start_worker(&ws, sink.helper.port);
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
    let (mut worker, log) = start_worker(&ws, sink.helper.port);
    let mails = sink.wait_for(300, Duration::from_secs(60));
    std::thread::sleep(Duration::from_millis(500));
    Command::new("kill")
        .args(["-TERM", &worker.id().to_string()])
        .status()
        .unwrap();
    assert!(worker.wait().unwrap().success());
    let lines: Vec<String> = log.try_iter().collect();
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
    let stats = acme_outbox(&db);
    assert_eq!((stats.pending, stats.delivered), (0, 300));
}

#[test]
fn verify_reports_each_failing_check_in_a_line_and_as_json() {
    let ws = Workspace::new();
    let server = Server::start(&ws, &["--demo"]);
    // Candor without TLS in front: plain HTTP answers, HTTPS does not.
    let target = format!("{}/quillfeather", server.base);
    let refused = ws.candor(&["verify", &target]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("private or loopback"));
    let out = ws.candor(&["verify", &target, "--allow-private"]);
    assert_eq!(out.status.code(), Some(1), "failing checks exit 1");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("redirect: FAIL") && text.contains("without redirecting to HTTPS"),
        "{text}"
    );
    assert!(text.contains("tls: FAIL"), "{text}");
    // Plain HTTP only: no redirect and no HSTS cost 20 each, and below 90 the
    // bonuses (CSP, CORP, Referrer-Policy, framing) do not count.
    assert!(text.contains("grade: C+ (60/100)"), "{text}");
    assert!(
        text.contains("strict-transport-security: hsts-not-implemented-no-https (-20)"),
        "{text}"
    );
    let out = ws.candor(&["verify", &target, "--allow-private", "--json"]);
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = reports[0]["findings"].as_array().unwrap();
    let codes: Vec<&str> = findings
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"redirect_missing") && codes.contains(&"https_unreachable"),
        "{codes:?}"
    );
    assert_eq!(reports[0]["verdict"], "fail");
    assert!(server.terminate().success());
}

/// tests/support/dns_server.py answering TXT queries from a file; stopped when dropped.
struct LocalDns {
    child: Child,
    port: u16,
}

impl Drop for LocalDns {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn local_dns(records: &Path) -> LocalDns {
    let mut child = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/support/dns_server.py"))
        .arg(records)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: serde_json::Value = serde_json::from_str(&line).expect("dns_server.py (dnslib)");
    LocalDns {
        child,
        port: port["port"].as_u64().unwrap() as u16,
    }
}

/// Starts tests/support/corpus_server.py with a configuration; stopped when dropped.
struct LocalHost {
    child: Child,
    https: u16,
}

impl Drop for LocalHost {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn corpus_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/support/corpus_server.py")
}

fn local_host(dir: &Path, config: serde_json::Value) -> LocalHost {
    let path = dir.join("host.json");
    std::fs::write(&path, config.to_string()).unwrap();
    let mut child = Command::new("python3")
        .arg(corpus_script())
        .args(["serve", path_str(&path)])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let ports: serde_json::Value = serde_json::from_str(&line).unwrap();
    LocalHost {
        child,
        https: ports["https"].as_u64().unwrap() as u16,
    }
}

#[test]
fn controls_show_evidence_from_checks_on_hosts_the_org_proved_it_controls() {
    let ws = Workspace::new();
    let certs = test_certs(&ws);
    // A host with good TLS and HSTS but no CSP: tls and hsts pass, headers fail.
    let served = ws.dir.path().join("served");
    std::fs::create_dir_all(served.join(".well-known")).unwrap();
    let host = local_host(
        ws.dir.path(),
        serde_json::json!({
            "cert": certs.join("good.pem"), "key": certs.join("good.key"),
            "headers": [["Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload"]],
            "dir": served,
        }),
    );
    let content = QUILLFEATHER
        .replace("app.quillfeather.example", "app.candor.test")
        .replacen(
            "  - check: hsts\n    host: app.candor.test\n",
            "  - check: hsts\n    host: app.candor.test\n  - check: headers\n    host: app.candor.test\n  - check: observatory\n    host: app.candor.test\n",
            1,
        );
    ws.ok(&["org", "create", "acme", "--name", "Acme"]);
    ws.ok(&[
        "apply",
        path_str(&ws.file("v1.yaml", &content)),
        "--org",
        "acme",
    ]);
    ws.ok(&["publish", "--org", "acme"]);
    let password = "a-long-enough-password-1";
    let added = Command::new(env!("CARGO_BIN_EXE_candor"))
        .args([
            "user",
            "add",
            "owner@acme.example",
            "--org",
            "acme",
            "--role",
            "owner",
        ])
        .env("CANDOR_DATABASE_URL", ws.db_url())
        .env("CANDOR_PASSWORD", password)
        .output()
        .unwrap();
    assert!(added.status.success());
    let resolve = format!("app.candor.test=127.0.0.1:{}", host.https);
    // A DNS server (dnslib) for the TXT proof of a host that serves no web page.
    let records = ws.dir.path().join("dns.json");
    std::fs::write(&records, "{}").unwrap();
    let dns = local_dns(&records);
    let dns_server = format!("127.0.0.1:{}", dns.port);
    let ca_file = certs.join("ca.pem");
    let checking = |more: &[&str]| {
        let mut args = vec![
            "--allow-private-checks",
            "--check-ca-file",
            path_str(&ca_file),
            "--check-resolve",
            &resolve,
            "--check-dns-server",
            &dns_server,
            "--worker-poll-ms",
            "100",
        ];
        args.extend_from_slice(more);
        Server::start(&ws, &args)
    };
    let server = checking(&[]);
    // Named but not proven: never shown as verified.
    let (_, page) = server.get("/acme");
    assert!(
        page.contains("tls on app.candor.test: not verified"),
        "{page}"
    );

    // Sign in, claim the host, publish the token on it, verify.
    let form_type = ("content-type", "application/x-www-form-urlencoded");
    let login = format!("email=owner%40acme.example&password={password}");
    let (status, head, _) = http(
        "POST",
        &format!("{}/admin/login", server.base),
        &[form_type],
        &login,
    );
    assert_eq!(status, 303);
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let admin = |path: &str, body: &str| {
        http(
            "POST",
            &format!("{}{path}", server.base),
            &[form_type, ("cookie", cookie.as_str())],
            body,
        )
    };
    let (status, _, html) = admin("/admin/orgs/acme/hosts", "host=app.candor.test");
    assert_eq!(status, 200, "{html}");
    let token = html
        .split("<code>")
        .find_map(|c| c.strip_prefix("candor-verification="))
        .map(|t| format!("candor-verification={}", &t[..32]))
        .unwrap();
    let (status, _, html) = admin("/admin/orgs/acme/hosts/app.candor.test/verify", "");
    assert_eq!(status, 422, "no proof published yet: {html}");
    std::fs::write(
        served.join(".well-known/candor-verification.txt"),
        format!("{token}\n"),
    )
    .unwrap();
    let (status, _, html) = admin("/admin/orgs/acme/hosts/app.candor.test/verify", "");
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("app.candor.test is verified"));

    // A host proven by a DNS TXT record instead.
    let (status, _, html) = admin("/admin/orgs/acme/hosts", "host=mail.candor.test");
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("_candor-verification.mail.candor.test"),
        "{html}"
    );
    let mail_token = html
        .split("<th scope=\"row\">mail.candor.test</th>")
        .nth(1)
        .and_then(|row| row.split("<code>").nth(1))
        .and_then(|c| c.split("</code>").next())
        .unwrap()
        .to_owned();
    assert!(mail_token.starts_with("candor-verification=") && mail_token != token);
    let (status, _, html) = admin("/admin/orgs/acme/hosts/mail.candor.test/verify", "");
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("no TXT record at _candor-verification.mail.candor.test."),
        "{html}"
    );
    // Another org's token, or this org's token for another host, proves nothing.
    std::fs::write(
        &records,
        serde_json::json!({"_candor-verification.mail.candor.test": [token]}).to_string(),
    )
    .unwrap();
    let (status, _, html) = admin("/admin/orgs/acme/hosts/mail.candor.test/verify", "");
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("do not hold the token"), "{html}");
    std::fs::write(
        &records,
        serde_json::json!({"_candor-verification.mail.candor.test": ["v=spf1 -all", mail_token]})
            .to_string(),
    )
    .unwrap();
    let (status, _, html) = admin("/admin/orgs/acme/hosts/mail.candor.test/verify", "");
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains(
            "mail.candor.test is verified (DNS TXT at _candor-verification.mail.candor.test.)"
        ),
        "{html}"
    );

    // The worker runs the checks; the page shows each result beside the control.
    // A liveness bound, generous because other tests share the two cores.
    let deadline = Instant::now() + Duration::from_secs(120);
    let page = loop {
        let (_, page) = server.get("/acme");
        // Written last of the host's checks (kinds run in declaration order).
        if page.contains("observatory on app.candor.test: failing since") {
            break page;
        }
        assert!(Instant::now() < deadline, "no evidence on the page: {page}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(page.contains("tls on app.candor.test: verified"), "{page}");
    assert!(page.contains("hsts on app.candor.test: verified"), "{page}");
    assert!(
        page.contains("no enforced Content-Security-Policy header"),
        "{page}"
    );
    // No CSP (-25), no framing protection (-20), no nosniff (-5): a C by the
    // Observatory's rules, which fails the check.
    assert!(
        page.contains("headers on app.candor.test: failing since"),
        "{page}"
    );
    assert!(page.contains("grade C (50/100)"), "{page}");
    // The raw observations behind each verdict, for anyone to check.
    let (status, evidence) = server.get("/acme/evidence.json");
    assert_eq!(status, 200);
    let evidence: serde_json::Value = serde_json::from_str(&evidence).unwrap();
    let result = |check: &str| {
        evidence["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["host"] == "app.candor.test" && r["check"] == check)
            .unwrap_or_else(|| panic!("no {check} result in {evidence}"))
            .clone()
    };
    let hsts = result("hsts");
    assert_eq!(
        (&hsts["verdict"], &hsts["host_verified"]),
        (&"pass".into(), &true.into())
    );
    let seen_headers = hsts["observed"]["page"]["headers"]
        .to_string()
        .to_lowercase();
    assert!(
        seen_headers.contains("max-age=63072000; includesubdomains; preload"),
        "{hsts}"
    );
    let tls = result("tls");
    assert!(
        tls["observed"]["certificate"]["names"]
            .to_string()
            .contains("*.candor.test"),
        "{tls}"
    );
    assert_eq!(
        tls["observed"]["legacy_protocols_accepted"],
        serde_json::json!([])
    );
    let graded = result("observatory");
    assert_eq!(graded["observed"]["observatory"]["grade"], "C", "{graded}");
    assert_eq!(
        graded["observed"]["observatory"]["tests"]["content-security-policy"]["result"],
        "csp-not-implemented"
    );
    assert_eq!(server.get("/nobody/evidence.json").0, 404);
    let (_, lines) = server.stop();
    assert!(
        lines.iter().any(|l| l.contains("evidence checks ran")),
        "{lines:?}"
    );

    // The token taken down while DNS and the web server still answer: before its
    // next scan the host goes back to unverified, and is not scanned in the org's
    // name. (Checks every 1.8 s here, so the next scan comes at once.)
    std::fs::remove_file(served.join(".well-known/candor-verification.txt")).unwrap();
    let server = checking(&["--check-interval-minutes", "0.03"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, page) = server.get("/acme");
        if page.contains("tls on app.candor.test: not verified") {
            break;
        }
        if Instant::now() > deadline {
            let (_, lines) = server.stop();
            panic!("still verified: {lines:#?}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let (_, lines) = server.stop();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("proof of host control is gone")),
        "{lines:?}"
    );
    let audit = ws.ok(&["audit", "list", "--org", "acme"]);
    assert!(
        audit.contains("system:worker\thost.proof_lost\thost:app.candor.test"),
        "{audit}"
    );
    // The DNS-proven host is untouched: no control names it, so nothing re-checks it.
    assert!(
        !audit.contains("host.proof_lost\thost:mail.candor.test"),
        "{audit}"
    );
    ws.ok(&["audit", "verify", "--org", "acme"]);
}

#[test]
fn candor_over_its_own_tls_passes_every_check_of_its_own_scanner() {
    let ws = Workspace::new();
    let certs = test_certs(&ws);
    // The demo org on a host of its own, so that the host's security.txt is its own.
    ws.ok(&[
        "org",
        "create",
        "quillfeather",
        "--name",
        "Quillfeather Analytics",
    ]);
    ws.ok(&["org", "set-host", "quillfeather", "127.0.0.1"]);
    let server = Server::start(
        &ws,
        &[
            "--demo",
            "--tls-cert",
            path_str(&certs.join("good.pem")),
            "--tls-key",
            path_str(&certs.join("good.key")),
            "--http-redirect-listen",
            "127.0.0.1:0",
        ],
    );
    assert!(server.base.starts_with("https://"), "{}", server.base);
    let plain = server
        .seen
        .iter()
        .find_map(|l| l.strip_prefix("candor: redirecting "))
        .and_then(|l| l.split_whitespace().next())
        .expect("the plain-HTTP redirect listener")
        .to_owned();
    // Plain HTTP answers only with a redirect to the same host and path over HTTPS.
    let tls_port = server.base.rsplit(':').next().unwrap();
    let (status, headers, _) = http("GET", &format!("{plain}quillfeather?x=1"), &[], "");
    assert_eq!(status, 301);
    assert!(
        headers.contains(&format!(
            "location: https://127.0.0.1:{tls_port}/quillfeather?x=1"
        )),
        "{headers}"
    );
    let target = format!("{}/quillfeather", server.base);
    let out = ws.candor(&[
        "verify",
        &target,
        "--allow-private",
        "--ca-file",
        path_str(&certs.join("ca.pem")),
        "--http",
        &format!("{plain}quillfeather"),
        "--json",
    ]);
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let failing: Vec<String> = reports[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["verdict"] == "fail")
        .map(|f| format!("{}: {}", f["check"], f["message"]))
        .collect();
    assert!(failing.is_empty(), "{failing:?}");
    assert!(out.status.success());
    // The Observatory's rules, ported: the same grade and every test's result as
    // the Observatory itself gave this demo (scripts/peer-check.sh).
    let golden: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../candor-verify/corpus/golden/observatory.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let ours = &reports[0]["observatory"];
    assert_eq!(ours["grade"], "A+", "{ours}");
    assert_eq!(ours["score"], golden["candor-demo"]["score"], "{ours}");
    for (test, theirs) in golden["candor-demo"]["tests"].as_object().unwrap() {
        assert_eq!(ours["tests"][test]["result"], theirs["result"], "{test}");
    }
    let codes: Vec<&str> = reports[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    // Served over TLS 1.2/1.3 only, with HSTS and a strict CSP, and plain HTTP
    // redirecting to HTTPS on the same host first.
    assert!(codes.contains(&"ok"));
    assert!(
        reports[0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["check"] == "redirect" && f["verdict"] == "pass"),
        "{}",
        reports[0]["findings"]
    );
    assert_eq!(
        reports[0]["observatory"]["tests"]["redirection"]["result"],
        "redirection-to-https"
    );
    assert!(!codes.contains(&"tls_legacy_protocol") && !codes.contains(&"hsts_missing"));
    let messages = reports[0]["findings"].to_string();
    assert!(
        messages.contains("OpenPGP signature verifies with the key at"),
        "{messages}"
    );

    // The same file with one word changed, served elsewhere: the signature fails.
    let fetch = |path: &str| {
        let out = Command::new("python3")
            .args([
                "-c",
                "import sys, ssl, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[2])
print(urllib.request.urlopen(sys.argv[1], context=ctx).read().decode(), end='')",
                &format!("{}{path}", server.base),
                path_str(&certs.join("ca.pem")),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let signed = fetch("/.well-known/security.txt");
    let tampered = signed.replacen("mailto:security@", "mailto:attacker@", 1);
    assert_ne!(signed, tampered);
    // A copy elsewhere, beside the real signing key: the signature must fail.
    let signing_key = fetch("/.well-known/openpgp-key.asc");
    let elsewhere = local_host(
        ws.dir.path(),
        serde_json::json!({
            "cert": certs.join("good.pem"), "key": certs.join("good.key"), "headers": [],
            "files": {
                "/.well-known/security.txt": {"body": tampered, "content_type": "text/plain; charset=utf-8"},
                "/.well-known/openpgp-key.asc": {"body": signing_key, "content_type": "application/pgp-keys"},
            },
        }),
    );
    let out = ws.candor(&[
        "verify",
        &format!("https://127.0.0.1:{}/", elsewhere.https),
        "--allow-private",
        "--ca-file",
        path_str(&certs.join("ca.pem")),
        "--json",
    ]);
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = reports[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"signature_invalid"), "{codes:?}");
    // GnuPG reaches the same verdicts on the same two files.
    let key = fetch("/.well-known/openpgp-key.asc");
    let home = ws.dir.path().join("gnupg");
    std::fs::create_dir_all(&home).unwrap();
    let gpg = |args: &[&str]| {
        Command::new("gpg")
            .env("GNUPGHOME", &home)
            .args(["--batch", "--status-fd", "1"])
            .args(args)
            .output()
            .unwrap()
    };
    let key_file = ws.file("key.asc", &key);
    assert!(gpg(&["--import", path_str(&key_file)]).status.success());
    let good =
        String::from_utf8(gpg(&["--verify", path_str(&ws.file("good.txt", &signed))]).stdout)
            .unwrap();
    let bad =
        String::from_utf8(gpg(&["--verify", path_str(&ws.file("bad.txt", &tampered))]).stdout)
            .unwrap();
    assert!(
        good.contains("[GNUPG:] GOODSIG") && bad.contains("[GNUPG:] BADSIG"),
        "{good}\n{bad}"
    );
    assert!(server.terminate().success());
}

/// The outbox counts of org `acme` in the SQLite file at `db`.
fn acme_outbox(db: &Path) -> candor_store::outbox::OutboxStats {
    use candor_store::prelude::*;
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = candor_store_sqlite::SqliteStore::open(path_str(db))
            .await
            .unwrap();
        let scope = candor_store::scope_for(&store, &"acme".parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        store.outbox_stats(&scope).await.unwrap()
    })
}

/// A test CA and certificates signed by it (tests/support/corpus_server.py certs).
fn test_certs(ws: &Workspace) -> PathBuf {
    let certs = ws.dir.path().join("certs");
    assert!(
        Command::new("python3")
            .arg(corpus_script())
            .args(["certs", path_str(&certs)])
            .status()
            .unwrap()
            .success()
    );
    certs
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
    let added = Command::new(env!("CARGO_BIN_EXE_candor"))
        .args([
            "user",
            "add",
            "fuzz@quillfeather.example",
            "--org",
            "quillfeather",
            "--role",
            "admin",
        ])
        .env("CANDOR_DATABASE_URL", ws.db_url())
        .env("CANDOR_PASSWORD", "a long enough passphrase")
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let (status, head, _) = http(
        "POST",
        &format!("{}/admin/login", server.base),
        &[("content-type", "application/x-www-form-urlencoded")],
        "email=fuzz%40quillfeather.example&password=a+long+enough+passphrase",
    );
    assert_eq!(status, 303, "{head}");
    let cookie = head
        .lines()
        .filter_map(|l| l.strip_prefix("set-cookie: "))
        .find(|c| c.starts_with("__Host-candor_session="))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
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

// ---------------------------------------------------------------- erasure under kill -9

/// A database the binary and the test both open: SQLite file or PostgreSQL database.
enum TestDb {
    Sqlite(PathBuf),
    Postgres { app: String, owner: String },
}

impl TestDb {
    /// A new PostgreSQL database on the cluster of `CANDOR_TEST_PG_URL`, served as
    /// an unprivileged app role (row-level security applies).
    fn postgres(runtime: &tokio::runtime::Runtime) -> TestDb {
        let (_, owner) = runtime.block_on(candor_store_pg::testing::fresh_database());
        let name = owner.get_database().unwrap().to_owned();
        let admin = std::env::var("CANDOR_TEST_PG_URL").unwrap();
        let mut owner = url::Url::parse(&admin).unwrap();
        owner.set_path(&name);
        let mut app = owner.clone();
        app.set_username(candor_store_pg::testing::APP_ROLE)
            .unwrap();
        app.set_password(None).unwrap();
        TestDb::Postgres {
            app: app.to_string(),
            owner: owner.to_string(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_candor"));
        cmd.args(args).env_remove("CANDOR_LOG");
        match self {
            TestDb::Sqlite(path) => {
                cmd.env(
                    "CANDOR_DATABASE_URL",
                    format!("sqlite://{}", path.display()),
                );
            }
            TestDb::Postgres { app, owner } => {
                cmd.env("CANDOR_DATABASE_URL", app)
                    .env("CANDOR_DATABASE_OWNER_URL", owner);
            }
        }
        cmd
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.command(args).output().unwrap();
        assert!(
            out.status.success(),
            "candor {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    async fn open(&self) -> Box<dyn candor_store::Store> {
        match self {
            TestDb::Sqlite(path) => Box::new(
                candor_store_sqlite::SqliteStore::open(path_str(path))
                    .await
                    .unwrap(),
            ),
            TestDb::Postgres { app, .. } => {
                Box::new(candor_store_pg::PgStore::connect(app, None).await.unwrap())
            }
        }
    }
}

const ERASURE_PEOPLE: usize = 30;

fn person(i: usize) -> String {
    format!("person{i}@example.com")
}

/// Each person subscribed (confirmed), asked for a document and sent a report.
async fn seed_people(store: &dyn candor_store::Store, master: &candor_store::keys::MasterKey) {
    use candor_store::documents::{DocumentRequest, RequestKind, RequestStatus, StoredReport};
    use candor_store::outbox::{Channel, NewDelivery, SubscribeRequest, Topics};

    let scope = candor_store::scope_for(store, &"acme".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let now = time::OffsetDateTime::now_utc();
    for i in 0..ERASURE_PEOPLE {
        let email = person(i);
        let confirm = format!("confirm-{i}");
        let request = SubscribeRequest {
            channel: Channel::Email,
            address: email.clone(),
            topics: Topics::All,
            confirm_hash: confirm.clone(),
            confirm_expires_at: now + time::Duration::days(1),
            manage_salt: format!("manage-{i}"),
            webhook_secret: None,
        };
        let confirmation = NewDelivery {
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
        store
            .insert_document_request(
                &scope,
                &DocumentRequest {
                    id: uuid::Uuid::new_v4(),
                    doc_key: "soc2-type2".into(),
                    kind: RequestKind::Approval,
                    name: format!("Person {i}"),
                    email: email.clone(),
                    company: "Example".into(),
                    nda_version: None,
                    reason: "vendor review".into(),
                    status: RequestStatus::Pending,
                    created_at: now,
                    decided_at: None,
                },
            )
            .await
            .unwrap();
        let content = candor_app::reports::ReportContent {
            title: format!("Finding {i}"),
            details: "Reflected XSS in the search box.".into(),
            asset: "app.example.com".into(),
            name: format!("Person {i}"),
            email: email.clone(),
        };
        let id = uuid::Uuid::new_v4();
        let (key_version, sealed) = candor_store::documents::seal_record(
            store,
            &scope,
            master,
            candor_app::reports::RECORD_KIND,
            id,
            &serde_json::to_vec(&content).unwrap(),
        )
        .await
        .unwrap();
        let report = StoredReport {
            id,
            received_at: now,
            ack_due_at: now + time::Duration::days(1),
            acknowledged_at: None,
            key_version,
            sealed,
        };
        store.insert_report(&scope, &report, None).await.unwrap();
    }
}

/// Per person: (subscription gone, document request gone, report anonymised,
/// erasure audit entries).
async fn erasure_states(
    store: &dyn candor_store::Store,
    master: &candor_store::keys::MasterKey,
) -> Vec<(bool, bool, bool, usize)> {
    let scope = candor_store::scope_for(store, &"acme".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let subscribers = store.subscribers(&scope).await.unwrap();
    let requests = store.document_requests(&scope).await.unwrap();
    let reports = candor_app::reports::opened_reports(store, &scope, Some(master))
        .await
        .unwrap();
    let audit = store.audit_log(&scope).await.unwrap();
    assert_eq!(reports.len(), ERASURE_PEOPLE, "a report was lost");
    (0..ERASURE_PEOPLE)
        .map(|i| {
            let email = person(i);
            let subject = candor_store::privacy::subject_ref(&email);
            let report = reports
                .iter()
                .find(|(_, c)| c.title == format!("Finding {i}"))
                .map(|(_, c)| c)
                .unwrap();
            assert_eq!(
                report.details, "Reflected XSS in the search box.",
                "the report itself must survive its reporter's erasure"
            );
            (
                !subscribers.iter().any(|s| s.address == email),
                !requests.iter().any(|r| r.email == email),
                report.email.is_empty() && report.name.is_empty(),
                audit
                    .entries
                    .iter()
                    .filter(|e| {
                        e.event.action == "privacy.erase"
                            && e.event.target.starts_with(&format!("{subject} "))
                    })
                    .count(),
            )
        })
        .collect()
}

/// Erases people with `candor privacy erase`, killing the process (SIGKILL) at
/// moments spread over its run; afterwards each person is wholly erased with one
/// audit entry, or wholly untouched with none, and the audit chain verifies.
fn kill_erasures_at_random_moments(db: &TestDb, dir: &Path) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    db.ok(&["org", "create", "acme", "--name", "Acme"]);
    let (master, key_text) = candor_store::keys::MasterKey::generate().unwrap();
    let key_file = dir.join("master.key");
    std::fs::write(&key_file, key_text).unwrap();
    runtime.block_on(async {
        let store = db.open().await;
        seed_people(&*store, &master).await;
    });

    let erase = |i: usize| {
        db.command(&[
            "privacy",
            "erase",
            "--org",
            "acme",
            "--email",
            &person(i),
            "--master-key-file",
            path_str(&key_file),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
    };
    // One whole run, to spread the kills over a run's length on this machine.
    let started = Instant::now();
    assert!(erase(0).wait().unwrap().success());
    let whole = started.elapsed();
    let mut killed = 0;
    for i in 1..ERASURE_PEOPLE {
        let mut child = erase(i);
        std::thread::sleep(whole.mul_f64((i % 12) as f64 / 10.0));
        // Every fourth is left to finish, so some always complete.
        if i % 4 != 0 && child.try_wait().unwrap().is_none() {
            let _ = child.kill();
            killed += 1;
        }
        let _ = child.wait();
    }
    assert!(
        killed > 0,
        "no erasure was interrupted; the test proved nothing"
    );

    let states = runtime.block_on(async {
        let store = db.open().await;
        erasure_states(&*store, &master).await
    });
    let mut erased = 0;
    for (i, state) in states.iter().enumerate() {
        match state {
            (true, true, true, 1) => erased += 1,
            (false, false, false, 0) => {}
            other => panic!(
                "{}: half erased or erased without its audit entry: \
                 (subscription gone, request gone, report anonymised, audit entries) = {other:?}",
                person(i)
            ),
        }
    }
    assert!(
        erased >= ERASURE_PEOPLE / 4,
        "only {erased} erasures completed"
    );
    assert!(
        erased < ERASURE_PEOPLE,
        "every erasure completed before its kill; the test proved nothing"
    );
    assert!(
        db.ok(&["audit", "verify", "--org", "acme"])
            .contains("chain and head intact")
    );
}

#[test]
fn killing_person_erasure_at_random_moments_never_loses_its_audit_entry_on_sqlite() {
    let ws = Workspace::new();
    let db = TestDb::Sqlite(ws.dir.path().join("candor.db"));
    kill_erasures_at_random_moments(&db, ws.dir.path());
}

#[test]
fn killing_person_erasure_at_random_moments_never_loses_its_audit_entry_on_postgresql() {
    let ws = Workspace::new();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = TestDb::postgres(&runtime);
    kill_erasures_at_random_moments(&db, ws.dir.path());
}
