//! Peer processes from `tests/support`, written by nobody here or driving code
//! nobody here wrote: each announces itself with one line on standard output,
//! serves until its standard input closes, and is killed when dropped.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The path of a helper script in `tests/support`.
pub fn support_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/support")
        .join(name)
}

/// A running `python3 tests/support/<script>`, killed when dropped.
pub struct Peer {
    child: Child,
    script: String,
    /// The line it announced itself with (its port, or its ports as JSON).
    pub announced: String,
}

impl Peer {
    /// Starts `script` with `args` and waits for its announcement.
    pub fn python<S: AsRef<OsStr>>(script: &str, args: impl IntoIterator<Item = S>) -> Peer {
        let path = support_script(script);
        let mut child = Command::new("python3")
            .arg(&path)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("python3 {}: {e}", path.display()));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        Peer {
            child,
            script: script.to_owned(),
            announced: line.trim().to_owned(),
        }
    }

    /// The announcement as a port number.
    pub fn port(&self) -> u16 {
        self.announced.parse().unwrap_or_else(|_| {
            panic!(
                "{} did not print its port (are its PyPI packages installed?): {:?}",
                self.script, self.announced
            )
        })
    }

    /// The announcement as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.announced).unwrap_or_else(|_| {
            panic!(
                "{} did not announce itself (are its PyPI packages installed?): {:?}",
                self.script, self.announced
            )
        })
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A test CA and certificates signed by it, made in `dir/certs` by
/// `corpus_server.py certs` (PyPI cryptography).
pub fn test_certs(dir: &Path) -> PathBuf {
    let certs = dir.join("certs");
    let made = Command::new("python3")
        .arg(support_script("corpus_server.py"))
        .arg("certs")
        .arg(&certs)
        .status()
        .unwrap();
    assert!(made.success(), "certificates (python3 cryptography)");
    certs
}

/// One local server of the scanner's corpus (`corpus_server.py serve`): HTTPS,
/// and plain HTTP where its configuration asks for it.
pub struct CorpusServer {
    _peer: Peer,
    pub https: u16,
    pub http: Option<u16>,
}

impl CorpusServer {
    /// Serves `config`, written to `dir/<name>.json`.
    pub fn start(dir: &Path, name: &str, config: serde_json::Value) -> CorpusServer {
        let path = dir.join(format!("{name}.json"));
        std::fs::write(&path, config.to_string()).unwrap();
        let peer = Peer::python("corpus_server.py", [OsStr::new("serve"), path.as_os_str()]);
        let ports = peer.json();
        CorpusServer {
            https: ports["https"].as_u64().unwrap() as u16,
            http: ports["http"].as_u64().map(|p| p as u16),
            _peer: peer,
        }
    }
}

/// A DNS server (PyPI dnslib, `dns_server.py`) answering TXT queries from the
/// JSON file `records`.
pub struct DnsServer {
    _peer: Peer,
    pub port: u16,
}

impl DnsServer {
    pub fn start(records: &Path) -> DnsServer {
        let peer = Peer::python("dns_server.py", [records]);
        DnsServer {
            port: peer.json()["port"].as_u64().unwrap() as u16,
            _peer: peer,
        }
    }
}

/// A Standard Webhooks receiver (PyPI standardwebhooks, `webhook_receiver.py`);
/// verified deliveries are read back with `deliveries`.
pub struct WebhookReceiver {
    _peer: Peer,
    pub port: u16,
    pub log: PathBuf,
    pub secret_file: PathBuf,
}

impl WebhookReceiver {
    /// With `fail_first`, each delivery's first N verified attempts get a 503.
    pub fn start(dir: &Path, fail_first: u32) -> WebhookReceiver {
        let log = dir.join("webhooks.jsonl");
        let secret_file = dir.join("webhook-secret");
        let n = fail_first.to_string();
        let peer = Peer::python(
            "webhook_receiver.py",
            [
                log.to_str().unwrap(),
                secret_file.to_str().unwrap(),
                "--fail-first",
                &n,
            ],
        );
        WebhookReceiver {
            port: peer.port(),
            _peer: peer,
            log,
            secret_file,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hooks/candor", self.port)
    }

    pub fn set_secret(&self, secret: &str) {
        std::fs::write(&self.secret_file, secret).unwrap();
    }

    pub fn deliveries(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Waits for an accepted (2xx) delivery of an event of type `kind`.
    pub fn wait_for(&self, kind: &str, timeout: Duration) -> serde_json::Value {
        let start = Instant::now();
        loop {
            if let Some(d) = self
                .deliveries()
                .into_iter()
                .find(|d| d["payload"]["type"] == kind && d["status"] == 200)
            {
                return d;
            }
            if start.elapsed() > timeout {
                panic!("no accepted {kind} webhook; got {:?}", self.deliveries());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
