//! A workspace of its own for each test (a temporary directory with the SQLite
//! file), the `candor` binary run in it, and `candor serve` as a real process.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub struct Workspace {
    pub dir: tempfile::TempDir,
    /// A PostgreSQL app-role URL instead of the workspace's SQLite file.
    postgres: Option<String>,
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace {
            dir: tempfile::tempdir().unwrap(),
            postgres: None,
        }
    }

    /// A workspace whose commands use this PostgreSQL database (schema in place).
    pub fn on_postgres(app_url: String) -> Workspace {
        Workspace {
            postgres: Some(app_url),
            ..Workspace::new()
        }
    }

    pub fn db_url(&self) -> String {
        match &self.postgres {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.dir.path().join("candor.db").display()),
        }
    }

    /// The store the workspace's commands use, opened in-process.
    pub async fn store(&self) -> std::sync::Arc<dyn candor_store::Store> {
        match &self.postgres {
            Some(url) => {
                std::sync::Arc::new(candor_store_pg::PgStore::connect(url, None).await.unwrap())
            }
            None => std::sync::Arc::new(
                candor_store_sqlite::SqliteStore::open(path_str(
                    &self.dir.path().join("candor.db"),
                ))
                .await
                .unwrap(),
            ),
        }
    }

    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    pub fn candor(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_candor"))
            .args(args)
            .env("CANDOR_DATABASE_URL", self.db_url())
            .env_remove("CANDOR_LOG")
            .output()
            .unwrap()
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.candor(args);
        assert!(
            out.status.success(),
            "candor {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// `candor user add EMAIL --org ORG --role ROLE` with `password`.
    pub fn add_user(&self, email: &str, org: &str, role: &str, password: &str) {
        let added = Command::new(env!("CARGO_BIN_EXE_candor"))
            .args(["user", "add", email, "--org", org, "--role", role])
            .env("CANDOR_DATABASE_URL", self.db_url())
            .env("CANDOR_PASSWORD", password)
            .output()
            .unwrap();
        assert!(
            added.status.success(),
            "{}",
            String::from_utf8_lossy(&added.stderr)
        );
    }

    pub fn export(&self, org: &str) -> String {
        self.ok(&["export", "--org", org])
    }
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

pub fn schema_path(file: &str) -> String {
    format!("{}/../../schema/{file}", env!("CARGO_MANIFEST_DIR"))
}

/// Validates each document of the JSON array in `docs` against `schema` with Python's
/// `jsonschema` package: an implementation we did not write. Prints each error.
pub fn python_validate(schema: &str, docs: &Path) -> Output {
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
pub struct Server {
    child: Child,
    pub base: String,
    /// Every line the server wrote to stderr (its JSON log), as it arrives.
    lines: std::sync::mpsc::Receiver<String>,
    pub seen: Vec<String>,
}

impl Server {
    pub fn start(ws: &Workspace, args: &[&str]) -> Server {
        Server::start_with_env(ws, args, &[])
    }

    pub fn start_with_env(ws: &Workspace, args: &[&str], env: &[(&str, &str)]) -> Server {
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

    pub fn get(&self, path: &str) -> (u16, String) {
        let (status, _, body) = http("GET", &format!("{}{path}", self.base), &[], "");
        (status, body)
    }

    pub fn terminate(self) -> std::process::ExitStatus {
        self.stop().0
    }

    /// SIGKILL: the process dies at once, mid-request if it was in one.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, wait, and everything the server logged.
    pub fn stop(mut self) -> (std::process::ExitStatus, Vec<String>) {
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
pub fn http(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
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

pub fn ureq_get(url: &str) -> (u16, String) {
    let (status, _, body) = http("GET", url, &[], "");
    (status, body)
}

/// Copies a SQLite database (with its WAL files) from `from` to `to`: an
/// operator's backup, restored later to fork the history.
pub fn copy_database(from: &Path, to: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let src = PathBuf::from(format!("{}{suffix}", from.display()));
        let dst = PathBuf::from(format!("{}{suffix}", to.display()));
        let _ = std::fs::remove_file(&dst);
        if src.exists() {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// Runs SQL statements on the SQLite file `db` behind Candor's back (with
/// Python's sqlite3, so no Candor code is involved), as someone with the file could.
pub fn tamper_with(db: &Path, statements: &[&str]) {
    let script = "import sqlite3, sys\n\
        c = sqlite3.connect(sys.argv[1])\n\
        for s in sys.argv[2:]:\n    c.execute(s)\n\
        c.commit()\n";
    let out = Command::new("python3")
        .args(["-c", script, path_str(db)])
        .args(statements)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The throwaway PostgreSQL's superuser URL (scripts/test.sh starts one).
pub fn pg_admin_url() -> String {
    std::env::var("CANDOR_TEST_PG_URL").expect(
        "CANDOR_TEST_PG_URL is not set: run scripts/test.sh, which starts a throwaway PostgreSQL",
    )
}

/// A suffix no other test run uses, for database and role names.
pub fn unique_tag() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{}_{}", nanos % 1_000_000_000, std::process::id())
}

/// Runs one SQL statement with psql as `url`, which must succeed.
pub fn psql(url: &str, sql: &str) {
    let out = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-qc", sql])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "psql {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The session cookie (`name=value`) a successful sign-in's response head sets.
pub fn session_cookie(head: &str) -> String {
    head.lines()
        .filter_map(|l| l.strip_prefix("set-cookie: "))
        .find(|c| c.starts_with("__Host-candor_session="))
        .and_then(|c| c.split(';').next())
        .unwrap_or_else(|| panic!("no session cookie in:\n{head}"))
        .to_owned()
}
