//! Certificates Candor obtains itself from a real ACME CA: Pebble, with its own
//! test root and DNS server (pebble-challtestsrv), on loopback.

use std::io::{Read, Write};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use candor_testkit::acme::{Pebble, free_port};
use candor_testkit::peers::test_certs;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

use crate::harness::{Server, Workspace, http, path_str, session_cookie};

/// One HTTPS request to `addr`, asking for `name` by SNI and trusting only
/// `roots`: status, head, body and the leaf certificate served.
fn https(
    addr: &str,
    name: &str,
    roots: &rustls::RootCertStore,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Result<(u16, String, String, Vec<u8>), String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots.clone())
        .with_no_client_auth();
    let server_name = ServerName::try_from(name.to_owned()).map_err(|e| e.to_string())?;
    let connection =
        rustls::ClientConnection::new(Arc::new(config), server_name).map_err(|e| e.to_string())?;
    let socket = std::net::TcpStream::connect(addr).map_err(|e| e.to_string())?;
    socket
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut tls = rustls::StreamOwned::new(connection, socket);
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {name}\r\nConnection: close\r\n");
    for (header, value) in headers {
        request.push_str(&format!("{header}: {value}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    tls.write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    if let Err(e) = tls.read_to_end(&mut response)
        && response.is_empty()
    {
        return Err(e.to_string());
    }
    let leaf = tls
        .conn
        .peer_certificates()
        .and_then(|c| c.first())
        .map(|c| c.to_vec())
        .ok_or("no certificate")?;
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("not HTTP: {response:?}"))?;
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    Ok((status, head.to_owned(), body.to_owned(), leaf))
}

fn roots_from(pem: &[u8]) -> rustls::RootCertStore {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem) {
        roots.add(cert.unwrap()).unwrap();
    }
    roots
}

/// Waits (a liveness bound: other tests share the two cores) for `check`.
fn eventually<T>(what: &str, seconds: u64, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        if let Some(done) = check() {
            return done;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// challtestsrv's management API: DNS records for Pebble and for Candor's proofs.
fn dns_record(pebble: &Pebble, what: &str, body: serde_json::Value) {
    let (status, _, text) = http(
        "POST",
        &format!("{}/{what}", pebble.dns_management),
        &[("content-type", "application/json")],
        &body.to_string(),
    );
    assert_eq!(status, 200, "{what}: {text}");
}

#[test]
fn certificates_are_issued_renewed_added_at_run_time_and_failures_shown_to_admins() {
    let ws = Workspace::new();
    let certs = test_certs(ws.dir.path());
    let http_port = free_port();
    // 30-second certificates: renewed at two thirds, within the test.
    let pebble = Pebble::start(ws.dir.path(), &certs, http_port, 30);
    let listener_roots = roots_from(&std::fs::read(&pebble.listener_ca).unwrap());
    let management = pebble.management.strip_prefix("https://").unwrap();
    let (status, _, root_pem, _) = https(
        management,
        "127.0.0.1",
        &listener_roots,
        "GET",
        "/roots/0",
        &[],
        "",
    )
    .unwrap();
    assert_eq!(status, 200);
    // Only Pebble's own root, fetched from it, vouches for what Candor serves.
    let roots = roots_from(root_pem.as_bytes());

    ws.ok(&["org", "create", "acme", "--name", "Acme"]);
    let password = "a-long-enough-password-1";
    ws.add_user("owner@acme.example", "acme", "owner", password);

    let redirect = format!("127.0.0.1:{http_port}");
    // Each replica has its own plain-HTTP listener; the CA reaches the first,
    // which answers for orders either replica placed (the answers are stored).
    let serving = |ws: &Workspace, redirect: &str| {
        Server::start(
            ws,
            &[
                "--public-url",
                "https://candor.test/",
                "--http-redirect-listen",
                redirect,
                "--acme-directory",
                &pebble.directory,
                "--acme-ca-file",
                path_str(&pebble.listener_ca),
                "--acme-email",
                "ops@candor.test",
                "--acme-pass-seconds",
                "1",
                "--acme-retry-seconds",
                "1",
                "--check-dns-server",
                &pebble.dns,
            ],
        )
    };
    let server = serving(&ws, &redirect);
    let addr = server.base.strip_prefix("https://").unwrap().to_owned();
    let get = |name: &str, path: &str| https(&addr, name, &roots, "GET", path, &[], "");

    // The server's own host: issued, served by SNI, chaining to Pebble's root.
    let (status, _, _, first_leaf) = eventually("the server's certificate", 60, || {
        get("candor.test", "/healthz").ok()
    });
    assert_eq!(status, 200);
    // Plain HTTP still redirects everything but the CA's challenges.
    let (status, head, _) = http("GET", &format!("http://{redirect}/acme"), &[], "");
    assert_eq!(status, 301, "{head}");

    // Sign in as the org's owner, over the certificate Candor obtained.
    let form = ("content-type", "application/x-www-form-urlencoded");
    let login = format!("email=owner%40acme.example&password={password}");
    let (status, head, _, _) = https(
        &addr,
        "candor.test",
        &roots,
        "POST",
        "/admin/login",
        &[form],
        &login,
    )
    .unwrap();
    assert_eq!(status, 303, "{head}");
    let cookie = session_cookie(&head);
    let admin = |method: &str, path: &str, body: &str| {
        let (status, _, html, _) = https(
            &addr,
            "candor.test",
            &roots,
            method,
            path,
            &[form, ("cookie", cookie.as_str())],
            body,
        )
        .unwrap();
        (status, html)
    };
    // Proves control of `host` by DNS TXT, then makes it the org's own host.
    let prove_and_use = |host: &str| {
        let (status, html) = admin("POST", "/admin/orgs/acme/hosts", &format!("host={host}"));
        assert_eq!(status, 200, "{html}");
        let token = html
            .split(&format!("<th scope=\"row\">{host}</th>"))
            .nth(1)
            .and_then(|row| row.split("<code>").nth(1))
            .and_then(|c| c.split("</code>").next())
            .unwrap()
            .to_owned();
        dns_record(
            &pebble,
            "set-txt",
            serde_json::json!({"host": format!("_candor-verification.{host}."), "value": token}),
        );
        let (status, html) = admin("POST", &format!("/admin/orgs/acme/hosts/{host}/verify"), "");
        assert_eq!(status, 200, "{html}");
        ws.ok(&["org", "set-host", "acme", host]);
    };

    // An org host whose name points elsewhere: the CA cannot reach Candor, the
    // attempt fails, and the admins are told why.
    dns_record(
        &pebble,
        "add-a",
        serde_json::json!({"host": "away.acme.test.", "addresses": ["127.0.0.2"]}),
    );
    prove_and_use("away.acme.test");
    let hosts_page = eventually("the failure on the Hosts page", 60, || {
        let (_, html) = admin("GET", "/admin/orgs/acme/hosts", "");
        html.contains("No certificate yet").then_some(html)
    });
    assert!(hosts_page.contains("role=\"alert\""), "{hosts_page}");
    assert!(
        hosts_page.contains("away.acme.test validation failed"),
        "{hosts_page}"
    );
    let (_, dashboard) = admin("GET", "/admin/orgs/acme", "");
    assert!(
        dashboard.contains("Certificate for away.acme.test"),
        "{dashboard}"
    );

    // Another host, added while the server runs: issued within a pass or two.
    prove_and_use("trust.acme.test");
    let (status, head, _, _) = eventually("the org host's certificate", 60, || {
        get("trust.acme.test", "/").ok()
    });
    assert_eq!(status, 303, "{head}");
    assert!(head.contains("location: /acme"), "{head}");
    let (_, html) = admin("GET", "/admin/orgs/acme/hosts", "");
    assert!(html.contains("Certificate valid until"), "{html}");
    // The host the org left loses its certificate: a client asking for it
    // gets the server's own, which does not name it.
    eventually("the old host's certificate dropped", 30, || {
        get("away.acme.test", "/healthz").is_err().then_some(())
    });

    // Renewal: before the 30 seconds are up, a new certificate is served.
    eventually("a renewed certificate", 60, || {
        let (_, _, _, leaf) = get("candor.test", "/healthz").ok()?;
        (leaf != first_leaf).then_some(())
    });

    // A second replica on the same database serves the same certificates
    // (sealed in the store) without an account or order of its own.
    let replica = serving(&ws, &format!("127.0.0.1:{}", free_port()));
    let replica_addr = replica.base.strip_prefix("https://").unwrap().to_owned();
    eventually("the replica serving the stored certificate", 30, || {
        let (_, _, _, ours) = get("trust.acme.test", "/healthz").ok()?;
        let (_, _, _, theirs) = https(
            &replica_addr,
            "trust.acme.test",
            &roots,
            "GET",
            "/healthz",
            &[],
            "",
        )
        .ok()?;
        (ours == theirs).then_some(())
    });
    let db = ws.dir.path().join("candor.db");
    let accounts = Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM acme_accounts').fetchone()[0])",
            path_str(&db),
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&accounts.stdout).trim(), "1");
    replica.terminate();
    server.terminate();

    // A master key rotation re-seals the account and certificate keys: with
    // the old key retired, a restarted server still opens and serves them.
    let key_file = ws.dir.path().join("master.key");
    ws.ok(&["keys", "rotate", "--master-key-file", path_str(&key_file)]);
    ws.ok(&["keys", "retire", "--master-key-file", path_str(&key_file)]);
    let server = serving(&ws, &redirect);
    let addr = server.base.strip_prefix("https://").unwrap().to_owned();
    let (status, _, _, _) = eventually("the restarted server's certificate", 30, || {
        https(&addr, "trust.acme.test", &roots, "GET", "/healthz", &[], "").ok()
    });
    assert_eq!(status, 200);
    let (_, log) = server.stop();
    assert!(
        !log.iter()
            .any(|l| l.contains("does not load") || l.contains("account key")),
        "{log:?}"
    );
}
