//! `--metrics-listen`: the Prometheus endpoint, checked by Prometheus's own
//! tools (promtool's linter, and a real Prometheus scraping it).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use candor_demo::QUILLFEATHER;

use crate::harness::{Server, Workspace, http, path_str, session_cookie};

/// The metrics address a server printed at start.
pub fn metrics_url(server: &Server) -> String {
    server
        .seen
        .iter()
        .find_map(|l| l.strip_prefix("candor: metrics on "))
        .unwrap_or_else(|| panic!("no metrics line in {:?}", server.seen))
        .trim()
        .to_owned()
}

pub fn scrape(url: &str) -> String {
    let (status, head, body) = http("GET", url, &[], "");
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("text/plain; version=0.0.4"), "{head}");
    body
}

/// The value of the series whose line starts with `series` (name and labels
/// exactly as rendered), if present.
pub fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map(|v| v.trim().parse().unwrap())
}

fn published_acme() -> Workspace {
    let ws = Workspace::new();
    ws.ok(&["org", "create", "acme", "--name", "Acme"]);
    let demo = ws.file("demo.yaml", QUILLFEATHER);
    ws.ok(&["apply", path_str(&demo), "--org", "acme"]);
    ws.ok(&["publish", "--org", "acme"]);
    let out = Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(["user", "add", "owner@acme.example", "--org", "acme"])
        .args(["--role", "owner"])
        .env("CANDOR_DATABASE_URL", ws.db_url())
        .env("CANDOR_PASSWORD", "a long enough passphrase")
        .output()
        .unwrap();
    assert!(out.status.success());
    ws
}

#[test]
fn metrics_count_requests_publishes_deliveries_and_refusals_and_prometheus_reads_them() {
    let ws = published_acme();
    let server = Server::start(
        &ws,
        &[
            "--metrics-listen",
            "127.0.0.1:0",
            "--login-attempts-per-minute",
            "3",
        ],
    );
    let metrics = metrics_url(&server);
    // The site does not serve them.
    assert_eq!(server.get("/metrics").0, 404);

    for _ in 0..3 {
        assert_eq!(server.get("/acme").0, 200);
    }
    assert_eq!(server.get("/no-such-org").0, 404);
    let sign_in = |password: &str| {
        http(
            "POST",
            &format!("{}/admin/login", server.base),
            &[("content-type", "application/x-www-form-urlencoded")],
            &format!("email=owner%40acme.example&password={password}"),
        )
    };
    let (status, head, _) = sign_in("a+long+enough+passphrase");
    assert_eq!(status, 303, "{head}");
    let cookie = session_cookie(&head);
    // A changed draft, published through the admin page.
    let mut content = candor_domain::TrustCenter::from_yaml(QUILLFEATHER).unwrap();
    content.subprocessors.pop();
    let smaller = ws.file("smaller.json", &serde_json::to_string(&content).unwrap());
    ws.ok(&["apply", path_str(&smaller), "--org", "acme"]);
    // Confirmed from the review page (a bare post only shows what it will do).
    let (status, head, _) = http(
        "POST",
        &format!("{}/admin/orgs/acme/publish", server.base),
        &[
            ("cookie", cookie.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        "confirm=yes",
    );
    assert_eq!(status, 303, "{head}");
    // The new revision, rendered afresh (the publish dropped the cached page).
    assert!(server.get("/acme").1.contains("Revision 2"));
    // A reader subscribes: the confirmation mail waits in the outbox (no SMTP
    // server), and each attempt to send it is a retry.
    let (status, _, _) = http(
        "POST",
        &format!("{}/acme/subscribe", server.base),
        &[("content-type", "application/x-www-form-urlencoded")],
        "channel=email&address=reader%40customer.example&topics=subprocessors",
    );
    assert_eq!(status, 200);
    // Wrong passwords past the budget (3 a minute, the sign-in above included).
    let refused: Vec<u16> = (0..3).map(|_| sign_in("wrong").0).collect();
    assert_eq!(refused, [401, 401, 429]);

    let deadline = Instant::now() + Duration::from_secs(30);
    let text = loop {
        let text = scrape(&metrics);
        if value(
            &text,
            r#"candor_deliveries_total{channel="email",outcome="retry"}"#,
        )
        .is_some()
        {
            break text;
        }
        assert!(Instant::now() < deadline, "no delivery attempt in:\n{text}");
        std::thread::sleep(Duration::from_millis(200));
    };
    let get =
        |series: &str| value(&text, series).unwrap_or_else(|| panic!("no {series} in:\n{text}"));
    assert_eq!(
        get(r#"candor_http_requests_total{route="/{org}",method="GET",status="200"}"#),
        4.0
    );
    assert_eq!(
        get(r#"candor_http_requests_total{route="/{org}",method="GET",status="404"}"#),
        2.0,
        "/metrics and /no-such-org on the site"
    );
    assert_eq!(
        get(r#"candor_rate_limit_refusals_total{route="/admin/login"}"#),
        1.0
    );
    assert_eq!(get(r#"candor_publishes_total{outcome="published"}"#), 1.0);
    assert_eq!(get("candor_publish_duration_seconds_count"), 1.0);
    assert!(get(r#"candor_http_request_duration_seconds_count{route="/{org}"}"#) >= 6.0);
    // The first request rendered the page; later ones found it in memory.
    assert!(get(r#"candor_page_cache_lookups_total{result="miss"}"#) >= 2.0);
    assert!(get(r#"candor_page_cache_lookups_total{result="fresh"}"#) >= 1.0);
    assert!(get("candor_page_cache_entries") >= 1.0);
    assert!(get("candor_outbox_pending_messages") >= 1.0);
    assert!(get("candor_outbox_oldest_pending_age_seconds") >= 0.0);
    assert!(get("candor_db_pool_max_connections") >= 1.0);
    assert!(get(r#"candor_db_pool_connections{state="idle"}"#) >= 0.0);
    // Nothing personal or unbounded in the labels.
    for private in [
        "reader@",
        "customer.example",
        "owner@",
        "no-such-org",
        "\"acme\"",
    ] {
        assert!(!text.contains(private), "{private} in:\n{text}");
    }

    // promtool, Prometheus's own linter, accepts the exposition as is.
    let mut promtool = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool (scripts/test.sh installs Debian's prometheus)");
    std::io::Write::write_all(&mut promtool.stdin.take().unwrap(), text.as_bytes()).unwrap();
    let out = promtool.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // A real Prometheus scrapes the endpoint and can query what it read.
    let target = metrics
        .trim_start_matches("http://")
        .trim_end_matches("/metrics");
    let config = ws.file(
        "prometheus.yml",
        &format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: candor\n    static_configs:\n      - targets: ['{target}']\n"
        ),
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut prometheus = Command::new("prometheus")
        .arg(format!("--config.file={}", path_str(&config)))
        .arg(format!(
            "--storage.tsdb.path={}",
            path_str(&ws.dir.path().join("tsdb"))
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prometheus (scripts/test.sh installs Debian's prometheus)");
    let query = format!(
        "http://127.0.0.1:{port}/api/v1/query?query=candor_publishes_total%7Boutcome%3D%22published%22%7D"
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    let answer = loop {
        let answer = std::net::TcpStream::connect(("127.0.0.1", port))
            .ok()
            .map(|_| http("GET", &query, &[], ""));
        if let Some((200, _, body)) = &answer
            && body.contains("\"value\"")
        {
            break body.clone();
        }
        assert!(
            Instant::now() < deadline,
            "Prometheus never scraped the endpoint: {answer:?}"
        );
        std::thread::sleep(Duration::from_millis(250));
    };
    let _ = prometheus.kill();
    let _ = prometheus.wait();
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    let result = &answer["data"]["result"][0];
    assert_eq!(result["metric"]["job"], "candor");
    assert_eq!(result["value"][1], "1");
    assert!(server.terminate().success());
}

#[test]
fn per_org_labels_name_only_orgs_that_exist() {
    let ws = published_acme();
    let server = Server::start(
        &ws,
        &["--metrics-listen", "127.0.0.1:0", "--metrics-per-org"],
    );
    let metrics = metrics_url(&server);
    assert_eq!(server.get("/acme").0, 200);
    assert_eq!(server.get("/no-such-org").0, 404);
    let text = scrape(&metrics);
    assert_eq!(
        value(
            &text,
            r#"candor_http_requests_total{route="/{org}",method="GET",status="200",org="acme"}"#
        ),
        Some(1.0),
        "{text}"
    );
    assert!(!text.contains("no-such-org"), "{text}");
    assert!(server.terminate().success());
}

#[test]
fn a_worker_alone_serves_its_metrics_too() {
    use std::io::BufRead;
    let ws = published_acme();
    let mut worker = Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(["worker", "--metrics-listen", "127.0.0.1:0"])
        .env("CANDOR_DATABASE_URL", ws.db_url())
        .env("CANDOR_MASTER_KEY_FILE", ws.dir.path().join("master.key"))
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(worker.stderr.take().unwrap()).lines();
    let url = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("candor: metrics on ").map(str::to_owned))
        .expect("the worker printed its metrics address");
    // The rest of its log is read to the end, so its writes never fail.
    let rest = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());
    let text = scrape(url.trim());
    assert_eq!(
        value(&text, "candor_outbox_pending_messages"),
        Some(0.0),
        "{text}"
    );
    assert!(
        value(&text, "candor_db_pool_max_connections").is_some(),
        "{text}"
    );
    // A worker serves no pages: no page cache series.
    assert!(!text.contains("candor_page_cache_entries"), "{text}");
    let _ = Command::new("kill")
        .args(["-TERM", &worker.id().to_string()])
        .status();
    let status = worker.wait().unwrap();
    assert!(status.success(), "{status:?}: {:?}", rest.join().unwrap());
}
