//! Candor's verdicts lined up with peer tools nobody here wrote, on the same input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use candor_testkit::peers::{CorpusServer, DnsServer, test_certs};
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

/// The local server configurations and the verdicts each must get.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_corpus_gets_the_verdicts_its_configuration_deserves() {
    let dir = tempfile::tempdir().unwrap();
    let certs = test_certs(dir.path());
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
    let cases: Vec<serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/servers.json"))
            .unwrap(),
    )
    .unwrap();
    assert!(cases.len() >= 20);
    let ca = std::fs::read(certs.join("ca.pem")).unwrap();
    let mut failures = Vec::new();
    let mut reports = serde_json::Map::new();
    let mut grades = serde_json::Map::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let (c, k) = cert(case["cert"].as_str().unwrap());
        let mut files = case
            .get("files")
            .cloned()
            .unwrap_or_else(|| serde_json::json!({}));
        files["/.well-known/security.txt"] =
            serde_json::json!({"body": good_txt, "content_type": "text/plain; charset=utf-8"});
        let mut config = serde_json::json!({
            "cert": c, "key": k, "headers": case["headers"], "http": case["http"], "files": files,
            "options_headers": case.get("options_headers").cloned().unwrap_or_else(|| serde_json::json!([])),
        });
        for key in ["tls_min", "tls_max"] {
            if let Some(version) = case.get(key) {
                config[key] = version.clone();
            }
        }
        let server = CorpusServer::start(dir.path(), name, config);
        let strs = |key: &str| -> Vec<&str> {
            case[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect()
        };
        let (must, must_not) = (strs("must"), strs("must_not"));
        let options = candor_verify::scan::ScanOptions {
            allow_private: true,
            extra_roots: vec![ca.clone()],
            http_url: server.http.map(|p| format!("http://127.0.0.1:{p}/")),
            ..Default::default()
        };
        let url = format!("https://127.0.0.1:{}/", server.https);
        let report = candor_verify::scan::scan(&url, &options).await.unwrap();
        let codes: Vec<&str> = report.findings.iter().map(|f| f.code).collect();
        reports.insert(
            name.to_owned(),
            serde_json::to_value(&report.findings).unwrap(),
        );
        grades.insert(
            name.to_owned(),
            serde_json::to_value(&report.observatory).unwrap(),
        );
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
    compare_grades_with_observatory(&grades);
    compare_with_observatory(&reports);
    compare_tls_with_sslyze(&reports);
}

fn golden(name: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus/golden")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn golden_observatory() -> serde_json::Value {
    golden("observatory.json")
}

/// Candor's TLS verdicts against sslyze's on the same servers
/// (corpus/golden/sslyze.json, made by scripts/peer-check.sh): legacy protocols
/// accepted, a modern protocol offered, the certificate trusted for the name,
/// and expiry.
fn compare_tls_with_sslyze(reports: &serde_json::Map<String, serde_json::Value>) {
    let golden = golden("sslyze.json");
    let mut compared = 0;
    let mut disagreements = Vec::new();
    for (server, findings) in reports {
        let Some(theirs) = golden.get(server) else {
            continue;
        };
        let codes: Vec<&str> = findings
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap())
            .collect();
        let accepted: Vec<&str> = theirs["accepted"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        let legacy = ["ssl_2_0", "ssl_3_0", "tls_1_0", "tls_1_1"];
        let ours_expiry = if codes.contains(&"tls_expired") {
            "expired"
        } else if codes.contains(&"tls_expires_soon") {
            "under_30_days"
        } else {
            "ok"
        };
        let verdicts = [
            (
                "legacy protocol accepted",
                codes.contains(&"tls_legacy_protocol"),
                accepted.iter().any(|p| legacy.contains(p)),
            ),
            (
                "TLS 1.2 or 1.3 offered",
                !codes.contains(&"tls_old_protocol_only"),
                accepted.contains(&"tls_1_2") || accepted.contains(&"tls_1_3"),
            ),
            (
                "certificate refused",
                codes
                    .iter()
                    .any(|c| ["tls_untrusted", "tls_expired", "tls_name_mismatch"].contains(c)),
                !theirs["trusted"].as_bool().unwrap(),
            ),
            (
                "expiry",
                ours_expiry == theirs["expiry"].as_str().unwrap(),
                true,
            ),
        ];
        for (what, ours, sslyze) in verdicts {
            compared += 1;
            if ours != sslyze {
                disagreements.push(format!(
                    "{server} {what}: candor {ours}, sslyze {sslyze} ({theirs})"
                ));
            }
        }
    }
    assert!(compared >= 80, "only {compared} TLS verdicts compared");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// Our port of the Observatory's tests and grader, against the Observatory's own
/// results on the same servers: every test's result, pass and modifier, the score
/// and the grade must be the same.
fn compare_grades_with_observatory(grades: &serde_json::Map<String, serde_json::Value>) {
    let golden = golden_observatory();
    let mut compared = 0;
    let mut disagreements = Vec::new();
    for (server, ours) in grades {
        let Some(theirs) = golden.get(server) else {
            continue;
        };
        compared += 1;
        if let Some(error) = theirs.get("error") {
            if ours.get("error").is_none() {
                disagreements.push(format!(
                    "{server}: Observatory failed ({error}), candor graded {ours}"
                ));
            }
            continue;
        }
        for key in ["grade", "score"] {
            if ours[key] != theirs[key] {
                disagreements.push(format!(
                    "{server} {key}: candor {}, Observatory {}",
                    ours[key], theirs[key]
                ));
            }
        }
        for (test, result) in theirs["tests"].as_object().unwrap() {
            let mine = &ours["tests"][test];
            for key in ["result", "pass", "modifier"] {
                if mine[key] != result[key] {
                    disagreements.push(format!(
                        "{server} {test} {key}: candor {}, Observatory {}",
                        mine[key], result[key]
                    ));
                }
            }
        }
    }
    assert!(compared >= 14, "only {compared} servers compared");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// Which of our checks answers which Observatory test.
const OBSERVATORY_TESTS: &[(&str, &[&str])] = &[
    ("strict-transport-security", &["hsts"]),
    ("content-security-policy", &["csp"]),
    ("x-frame-options", &["framing"]),
    ("x-content-type-options", &["x_content_type_options"]),
    ("referrer-policy", &["referrer_policy"]),
    ("cookies", &["cookies"]),
    ("cross-origin-resource-sharing", &["cors"]),
    ("redirection", &["redirect"]),
];

/// Disagreements that are understood, with why: (server, Observatory test, reason).
const EXPLAINED: &[(&str, &str, &str)] = &[
    (
        "csrf-and-prefixed-cookies",
        "cookies",
        "the Observatory 1.4.8 does not check the __Host- and __Secure- prefix rules; browsers drop a __Host- cookie without Path=/ and a __Secure- one without Secure (RFC 6265bis), so Candor fails them",
    ),
    (
        "https-back-to-http",
        "strict-transport-security",
        "the HTTPS page redirects to plain http://, and the Observatory judges the last page of the chain, a plain-HTTP page without that header; Candor judges the HTTPS page's own headers and fails the redirect (redirect_downgrade) instead",
    ),
    (
        "https-back-to-http",
        "content-security-policy",
        "the HTTPS page redirects to plain http://, and the Observatory judges the last page of the chain, a plain-HTTP page without that header; Candor judges the HTTPS page's own headers and fails the redirect (redirect_downgrade) instead",
    ),
    (
        "https-back-to-http",
        "x-frame-options",
        "the HTTPS page redirects to plain http://, and the Observatory judges the last page of the chain, a plain-HTTP page without that header; Candor judges the HTTPS page's own headers and fails the redirect (redirect_downgrade) instead",
    ),
    (
        "https-back-to-http",
        "x-content-type-options",
        "the HTTPS page redirects to plain http://, and the Observatory judges the last page of the chain, a plain-HTTP page without that header; Candor judges the HTTPS page's own headers and fails the redirect (redirect_downgrade) instead",
    ),
    (
        "two-csp-policies",
        "content-security-policy",
        "two enforced policies, one allowing 'unsafe-inline' and `frame-ancestors *`, the other neither: the Observatory 1.4.8's policy merge calls the pair invalid; browsers enforce both, and their intersection allows neither inline scripts nor framing, so Candor passes it",
    ),
    (
        "two-csp-policies",
        "x-frame-options",
        "the Observatory reads no frame-ancestors from a CSP it calls invalid; browsers enforce the second policy's frame-ancestors 'none', so Candor finds framing restricted",
    ),
    (
        "cors-credentials",
        "content-security-policy",
        "'strict-dynamic' without a nonce or hash: the Observatory calls the header invalid; it blocks every script rather than letting any in, so Candor warns instead of failing",
    ),
    (
        "http-stays-http",
        "strict-transport-security",
        "max-age=abc: the Observatory's parseInt gives NaN, which is not below six months, so it passes; browsers ignore such a header, so Candor fails it",
    ),
    (
        "meta-policies",
        "x-frame-options",
        "frame-ancestors only in a <meta> policy: the Observatory counts it; browsers ignore frame-ancestors there, so Candor finds framing unrestricted",
    ),
    (
        "report-only-and-bad-values",
        "x-frame-options",
        "X-Frame-Options sent twice as DENY: Node joins them into \"DENY, DENY\", which the Observatory calls invalid; browsers apply DENY when every value agrees (HTML spec), so Candor passes it",
    ),
    (
        "frame-ancestors-any",
        "x-frame-options",
        "the Observatory only checks that frame-ancestors is present; `frame-ancestors *` lets any site frame the page, which issue 6 asks to fail",
    ),
    (
        "off-host-redirect",
        "redirection",
        "the redirect goes to https://www.example.com/, which cannot be reached from the test machine, so the Observatory's HTTP session fails and it concludes there is no HTTP site; Candor judges the first hop, which leaves the host",
    ),
];

/// Our pass/fail per Observatory test, against the Observatory's own verdicts on
/// the same servers (corpus/golden/observatory.json, made by scripts/peer-check.sh).
fn compare_with_observatory(reports: &serde_json::Map<String, serde_json::Value>) {
    let golden = golden_observatory();
    let mut compared = 0;
    let mut disagreements = Vec::new();
    for (server, findings) in reports {
        let Some(theirs) = golden.get(server) else {
            continue;
        };
        if theirs.get("error").is_some() {
            continue;
        }
        for (test, ours) in OBSERVATORY_TESTS {
            let Some(pass) = theirs["tests"][test]["pass"].as_bool() else {
                continue;
            };
            let our_pass =
                !findings.as_array().unwrap().iter().any(|f| {
                    ours.contains(&f["check"].as_str().unwrap()) && f["verdict"] == "fail"
                });
            compared += 1;
            let explained = EXPLAINED.iter().any(|(s, t, _)| s == server && t == test);
            if our_pass != pass && !explained {
                disagreements.push(format!(
                    "{server} {test}: candor {}, Observatory {} ({})",
                    if our_pass { "pass" } else { "fail" },
                    if pass { "pass" } else { "fail" },
                    theirs["tests"][test]["result"]
                ));
            }
        }
    }
    assert!(compared >= 40, "only {compared} verdicts compared");
    // Candor's own demo, over its own TLS, as the Observatory graded it.
    assert_eq!(
        golden["candor-demo"]["grade"], "A+",
        "{}",
        golden["candor-demo"]
    );
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// DNS proofs are read through hickory from a DNS server nobody here wrote
/// (PyPI dnslib, tests/support/dns_server.py).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dns_txt_proofs_are_read_from_a_real_dns_server() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("records.json");
    let name = candor_verify::dns::proof_name("mail.candor.test");
    assert_eq!(name, "_candor-verification.mail.candor.test.");
    std::fs::write(
        &records,
        serde_json::json!({
            "_candor-verification.mail.candor.test": ["candor-verification=abc", "v=spf1 -all"],
            // One record of two strings, as long TXT values are published.
            "_candor-verification.api.candor.test": [["candor-verification=", "def"]],
        })
        .to_string(),
    )
    .unwrap();
    let dns = DnsServer::start(&records);
    let port = dns.port;
    let server = Some(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
    let timeout = std::time::Duration::from_secs(5);
    let values = candor_verify::dns::txt_values(&name, server, timeout)
        .await
        .unwrap();
    assert_eq!(values, vec!["candor-verification=abc", "v=spf1 -all"]);
    let values =
        candor_verify::dns::txt_values("_candor-verification.api.candor.test.", server, timeout)
            .await
            .unwrap();
    assert_eq!(values, vec!["candor-verification=def"]);
    let missing =
        candor_verify::dns::txt_values("_candor-verification.nowhere.test.", server, timeout).await;
    // NXDOMAIN is an answer: nothing there.
    assert_eq!(missing, Ok(Vec::new()));
    // No server at all is no answer.
    let closed = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 9)));
    let silent =
        candor_verify::dns::txt_values(&name, closed, std::time::Duration::from_secs(2)).await;
    assert!(silent.is_err(), "{silent:?}");
}
