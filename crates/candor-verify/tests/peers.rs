//! Candor's verdicts lined up with peer tools nobody here wrote, on the same input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const URL: &str = "https://example.com/.well-known/security.txt";

/// The corpus file with its date placeholders filled in relative to `now`.
fn render(template: &[u8], now: OffsetDateTime) -> Vec<u8> {
    let day = |days: i64| {
        (now + time::Duration::days(days))
            .replace_time(time::Time::MIDNIGHT)
            .format(&Rfc3339)
            .unwrap()
    };
    String::from_utf8_lossy(template)
        .replace("{FUTURE}", &day(30))
        .replace("{PAST}", &day(-30))
        .replace("{FAR}", &day(800))
        .replace("{URL}", URL)
        .into_bytes()
    // Keep a leading BOM as bytes: from_utf8_lossy keeps valid UTF-8 as it is.
}

/// sectxt's error and recommendation codes for a body (its notices are not verdicts).
fn sectxt_codes(path: &Path) -> BTreeSet<String> {
    let script = "import sys, json, sectxt\n\
        p = sectxt.Parser(open(sys.argv[1], 'rb').read(), urls=sys.argv[2])\n\
        print(json.dumps([e['code'] for e in p.errors + p.recommendations]))\n";
    let out = Command::new("python3")
        .args(["-c", script, path.to_str().unwrap(), URL])
        .output()
        .expect("python3 with sectxt (scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Vec<String>>(&out.stdout)
        .unwrap()
        .into_iter()
        .collect()
}

#[test]
fn security_txt_verdicts_agree_with_pypi_sectxt_on_the_whole_corpus() {
    let now = OffsetDateTime::now_utc();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/securitytxt");
    let tmp = tempfile::tempdir().unwrap();
    let mut compared = 0;
    let mut disagreements = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let body = render(&std::fs::read(&path).unwrap(), now);
        let file = tmp.path().join(path.file_name().unwrap());
        std::fs::write(&file, &body).unwrap();
        let (_, findings) = candor_verify::securitytxt::check_body(&body, &[URL], now);
        let ours: BTreeSet<String> = findings.iter().map(|f| f.code.to_owned()).collect();
        let theirs = sectxt_codes(&file);
        if ours != theirs {
            disagreements.push(format!(
                "{}: candor {ours:?}, sectxt {theirs:?}",
                path.file_name().unwrap().to_string_lossy()
            ));
        }
        compared += 1;
    }
    assert!(compared >= 15, "{compared} files");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// One local server of the corpus, stopped when dropped.
struct CorpusServer {
    child: std::process::Child,
    https: u16,
    http: Option<u16>,
}

impl Drop for CorpusServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/support/corpus_server.py")
}

fn start(dir: &Path, name: &str, config: serde_json::Value) -> CorpusServer {
    use std::io::BufRead;
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, config.to_string()).unwrap();
    let mut child = Command::new("python3")
        .arg(script())
        .args(["serve", path.to_str().unwrap()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let ports: serde_json::Value =
        serde_json::from_str(&line).unwrap_or_else(|_| panic!("{name}: {line:?}"));
    CorpusServer {
        child,
        https: ports["https"].as_u64().unwrap() as u16,
        http: ports["http"].as_u64().map(|p| p as u16),
    }
}

/// The local server configurations and the verdicts each must get.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_corpus_gets_the_verdicts_its_configuration_deserves() {
    let dir = tempfile::tempdir().unwrap();
    let certs = dir.path().join("certs");
    let made = Command::new("python3")
        .arg(script())
        .args(["certs", certs.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(made.success(), "certificates (python3 cryptography)");
    let cert = |stem: &str| {
        (
            certs.join(format!("{stem}.pem")),
            certs.join(format!("{stem}.key")),
        )
    };
    let now = OffsetDateTime::now_utc();
    let good_txt = String::from_utf8(render(
        &std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/securitytxt/good.txt"))
            .unwrap(),
        now,
    ))
    .unwrap()
    // Its Canonical names example.com; these servers live on 127.0.0.1.
    .lines()
    .filter(|l| !l.starts_with("Canonical:"))
    .map(|l| format!("{l}\n"))
    .collect::<String>();
    let strong = serde_json::json!([
        [
            "Strict-Transport-Security",
            "max-age=63072000; includeSubDomains; preload"
        ],
        [
            "Content-Security-Policy",
            "default-src 'self'; frame-ancestors 'none'; object-src 'none'"
        ],
        ["X-Content-Type-Options", "nosniff"],
        ["Referrer-Policy", "no-referrer"],
        [
            "Set-Cookie",
            "__Host-session=abc; Path=/; Secure; HttpOnly; SameSite=Lax"
        ]
    ]);
    let with = |extra: serde_json::Value| {
        let mut headers = strong.as_array().unwrap().clone();
        let names: Vec<String> = extra
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p[0].as_str().unwrap().to_ascii_lowercase())
            .collect();
        headers.retain(|p| !names.contains(&p[0].as_str().unwrap().to_ascii_lowercase()));
        headers.extend(extra.as_array().unwrap().iter().cloned());
        serde_json::Value::Array(headers)
    };
    let (good_cert, good_key) = cert("good");
    // (name, certificate, headers, plain-HTTP behaviour, codes that must appear, codes that must not)
    type Case = (
        &'static str,
        &'static str,
        serde_json::Value,
        serde_json::Value,
        Vec<&'static str>,
        Vec<&'static str>,
    );
    let redirect = serde_json::json!({"redirect": "https://127.0.0.1:{https}/"});
    let cases: Vec<Case> = vec![
        (
            "good",
            "good",
            strong.clone(),
            redirect.clone(),
            vec![],
            vec!["hsts_missing", "csp_missing", "redirect_missing"],
        ),
        (
            "no-headers",
            "good",
            serde_json::json!([]),
            redirect.clone(),
            vec![
                "hsts_missing",
                "csp_missing",
                "framing_unrestricted",
                "xcto_missing",
                "referrer_policy_missing",
            ],
            vec![],
        ),
        (
            "weak-hsts",
            "good",
            with(serde_json::json!([[
                "Strict-Transport-Security",
                "max-age=86400"
            ]])),
            redirect.clone(),
            vec!["hsts_short", "hsts_no_subdomains"],
            vec![],
        ),
        (
            "duplicate-hsts",
            "good",
            with(serde_json::json!([
                ["Strict-Transport-Security", "max-age=63072000"],
                ["Strict-Transport-Security", "max-age=63072000"]
            ])),
            redirect.clone(),
            vec!["hsts_duplicate"],
            vec![],
        ),
        (
            "no-redirect",
            "good",
            strong.clone(),
            serde_json::json!({}),
            vec!["redirect_missing"],
            vec![],
        ),
        (
            "off-host-redirect",
            "good",
            strong.clone(),
            serde_json::json!({"redirect": "https://www.example.com/"}),
            vec!["redirect_off_host"],
            vec![],
        ),
        (
            "unsafe-csp",
            "good",
            with(serde_json::json!([[
                "Content-Security-Policy",
                "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; frame-ancestors 'none'"
            ]])),
            redirect.clone(),
            vec!["csp_unsafe_inline", "csp_unsafe_eval"],
            vec![],
        ),
        (
            "frame-ancestors-any",
            "good",
            with(serde_json::json!([[
                "Content-Security-Policy",
                "default-src 'self'; frame-ancestors *"
            ]])),
            redirect.clone(),
            vec!["frame_ancestors_open"],
            vec![],
        ),
        (
            "bad-cookies",
            "good",
            with(serde_json::json!([[
                "Set-Cookie",
                "sessionid=abc; Path=/; SameSite=None"
            ]])),
            redirect.clone(),
            vec![
                "cookie_not_secure",
                "cookie_session_not_httponly",
                "cookie_samesite_none_insecure",
            ],
            vec![],
        ),
        (
            "expired",
            "expired",
            strong.clone(),
            redirect.clone(),
            vec!["tls_expired"],
            vec![],
        ),
        (
            "self-signed",
            "selfsigned",
            strong.clone(),
            redirect.clone(),
            vec!["tls_untrusted"],
            vec![],
        ),
        (
            "expires-soon",
            "soon",
            strong.clone(),
            redirect.clone(),
            vec!["tls_expires_soon"],
            vec![],
        ),
        (
            "tls-1.0-enabled",
            "good",
            strong.clone(),
            redirect.clone(),
            vec!["tls_legacy_protocol"],
            vec![],
        ),
        (
            "tls-1.3-only",
            "good",
            strong.clone(),
            redirect.clone(),
            vec![],
            vec!["tls_legacy_protocol", "https_unreachable"],
        ),
    ];
    let ca = std::fs::read(certs.join("ca.pem")).unwrap();
    let mut failures = Vec::new();
    for (name, cert_stem, headers, http, must, must_not) in cases {
        let (c, k) = cert(cert_stem);
        let _ = (&good_cert, &good_key);
        let mut config = serde_json::json!({
            "cert": c, "key": k, "headers": headers, "http": http,
            "files": {"/.well-known/security.txt": {"body": good_txt, "content_type": "text/plain; charset=utf-8"}},
        });
        match name {
            "tls-1.0-enabled" => config["tls_min"] = "1.0".into(),
            "tls-1.3-only" => config["tls_min"] = "1.3".into(),
            _ => {}
        }
        let server = start(dir.path(), name, config);
        let options = candor_verify::scan::ScanOptions {
            allow_private: true,
            extra_roots: vec![ca.clone()],
            http_url: server.http.map(|p| format!("http://127.0.0.1:{p}/")),
            ..Default::default()
        };
        let url = format!("https://127.0.0.1:{}/", server.https);
        let report = candor_verify::scan::scan(&url, &options).await.unwrap();
        let codes: Vec<&str> = report.findings.iter().map(|f| f.code).collect();
        for code in &must {
            if !codes.contains(code) {
                failures.push(format!("{name}: missing {code} in {codes:?}"));
            }
        }
        for code in &must_not {
            if codes.contains(code) {
                failures.push(format!("{name}: unexpected {code} in {codes:?}"));
            }
        }
        if name == "good" {
            let bad: Vec<String> = report
                .findings
                .iter()
                .filter(|f| f.verdict == candor_verify::Verdict::Fail)
                .map(|f| f.to_string())
                .collect();
            if !bad.is_empty() {
                failures.push(format!("good: {bad:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
