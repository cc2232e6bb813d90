//! Let's Encrypt's test ACME server, Pebble, with its DNS peer
//! pebble-challtestsrv (Debian's `pebble` package, installed by
//! scripts/test.sh): a real CA on loopback with a root of its own.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A free TCP port on 127.0.0.1 (free when asked; the caller binds it soon).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Pebble and its DNS server, killed when dropped.
pub struct Pebble {
    children: Vec<Child>,
    /// `https://127.0.0.1:PORT/dir`.
    pub directory: String,
    /// Pebble's management interface (`/roots/0` gives the issuing root).
    pub management: String,
    /// challtestsrv's management interface (`/add-a`, `/set-txt`, …).
    pub dns_management: String,
    /// `127.0.0.1:PORT` of the DNS server, for Pebble and for Candor's proofs.
    pub dns: String,
    /// The root the listener's certificate chains to (trust it to reach Pebble).
    pub listener_ca: PathBuf,
}

impl Pebble {
    /// Validates HTTP-01 on `http_port`; issues certificates valid for
    /// `validity` seconds. `certs` holds `good.pem`/`good.key` for 127.0.0.1,
    /// signed by `ca.pem` (`peers::test_certs`).
    pub fn start(dir: &Path, certs: &Path, http_port: u16, validity: u64) -> Pebble {
        let dns = format!("127.0.0.1:{}", free_port());
        let dns_management = format!("127.0.0.1:{}", free_port());
        let listen = format!("127.0.0.1:{}", free_port());
        let management = format!("127.0.0.1:{}", free_port());
        let config = dir.join("pebble.json");
        let json = serde_json::json!({"pebble": {
            "listenAddress": listen,
            "managementListenAddress": management,
            "certificate": certs.join("good.pem"),
            "privateKey": certs.join("good.key"),
            "httpPort": http_port,
            "tlsPort": free_port(),
            "ocspResponderURL": "",
            "externalAccountBindingRequired": false,
            "certificateValidityPeriod": validity,
        }});
        std::fs::write(&config, json.to_string()).unwrap();
        let log = |name: &str| std::fs::File::create(dir.join(name)).unwrap();
        let challtestsrv = Command::new("pebble-challtestsrv")
            .args(["-management", &dns_management, "-dns01", &dns])
            // Only DNS: the challenges are answered by Candor itself.
            .args([
                "-http01",
                "",
                "-https01",
                "",
                "-tlsalpn01",
                "",
                "-defaultIPv6",
                "",
            ])
            .stdout(log("challtestsrv.log"))
            .stderr(Stdio::null())
            .spawn()
            .expect("pebble-challtestsrv (Debian's pebble) is installed by scripts/test.sh");
        let pebble = Command::new("pebble")
            .args(["-config", config.to_str().unwrap(), "-dnsserver", &dns])
            // No random sleeps before validating, no rejected nonces, fresh
            // authorizations for every order: each order is validated.
            .env("PEBBLE_VA_NOSLEEP", "1")
            .env("PEBBLE_WFE_NONCEREJECT", "0")
            .env("PEBBLE_AUTHZREUSE", "0")
            .stdout(log("pebble.log"))
            .stderr(Stdio::null())
            .spawn()
            .expect("pebble (Debian's pebble) is installed by scripts/test.sh");
        let pebble = Pebble {
            children: vec![challtestsrv, pebble],
            directory: format!("https://{listen}/dir"),
            management: format!("https://{management}"),
            dns_management: format!("http://{dns_management}"),
            dns,
            listener_ca: certs.join("ca.pem"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        for addr in [&listen, &management, &dns_management] {
            while TcpStream::connect(addr).is_err() {
                assert!(Instant::now() < deadline, "Pebble did not start ({addr})");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        pebble
    }
}

impl Drop for Pebble {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
