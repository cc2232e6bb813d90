//! `candor verify` and host evidence: checks of hosts an org proved it controls,
//! and Candor over its own TLS against its own scanner.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use candor_demo::QUILLFEATHER;
use candor_testkit::peers::{CorpusServer, DnsServer, test_certs};
use candor_testkit::process::gpg_status;

use crate::harness::{Server, Workspace, http, path_str};

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

#[test]
fn controls_show_evidence_from_checks_on_hosts_the_org_proved_it_controls() {
    let ws = Workspace::new();
    let certs = test_certs(ws.dir.path());
    // A host with good TLS and HSTS but no CSP: tls and hsts pass, headers fail.
    let served = ws.dir.path().join("served");
    std::fs::create_dir_all(served.join(".well-known")).unwrap();
    let host = CorpusServer::start(
        ws.dir.path(),
        "host",
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
    ws.add_user("owner@acme.example", "acme", "owner", password);
    let resolve = format!("app.candor.test=127.0.0.1:{}", host.https);
    // A DNS server (dnslib) for the TXT proof of a host that serves no web page.
    let records = ws.dir.path().join("dns.json");
    std::fs::write(&records, "{}").unwrap();
    let dns = DnsServer::start(&records);
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
            "--metrics-listen",
            "127.0.0.1:0",
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
    // The same checks, counted by verdict for the operator's monitoring.
    let metrics = crate::metrics::scrape(&crate::metrics::metrics_url(&server));
    for series in [
        r#"candor_evidence_checks_total{check="hsts",verdict="pass"}"#,
        r#"candor_evidence_checks_total{check="headers",verdict="fail"}"#,
    ] {
        let counted = crate::metrics::value(&metrics, series);
        assert!(counted.is_some_and(|n| n >= 1.0), "{series} in:\n{metrics}");
    }
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
    let certs = test_certs(ws.dir.path());
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
    let elsewhere = CorpusServer::start(
        ws.dir.path(),
        "host",
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
    let gpg = |args: &[&str]| gpg_status(&home, args);
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
