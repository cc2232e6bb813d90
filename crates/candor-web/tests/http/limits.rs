//! What every answer carries and what the server refuses: security headers,
//! health, request and body limits, rate limits.

use std::time::Duration;

use candor_demo::QUILLFEATHER;
use candor_domain::TrustCenter;
use candor_domain::policy::Role;
use candor_web::WebConfig;
use reqwest::StatusCode;

use crate::harness::{App, assert_security_headers, error_envelope};

#[tokio::test]
async fn hsts_is_sent_when_served_over_https() {
    let app = App::start(WebConfig {
        https: true,
        ..WebConfig::default()
    })
    .await;
    for path in ["/", "/healthz", "/missing"] {
        let resp = app.get(path).await;
        let hsts = resp
            .headers()
            .get("strict-transport-security")
            .expect("HSTS")
            .to_str()
            .unwrap();
        assert!(
            hsts.contains("max-age=63072000") && hsts.contains("includeSubDomains"),
            "{hsts}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn health_and_readiness() {
    let app = App::start_default().await;
    let health: serde_json::Value = app.get("/healthz").await.json().await.unwrap();
    assert_eq!(health["status"], "ok");
    let ready: serde_json::Value = app.get("/readyz").await.json().await.unwrap();
    let expected = if std::env::var("CANDOR_TEST_BACKEND").as_deref() == Ok("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(ready["database"], expected);
    app.stop().await;
}

/// The shapes that stalled the server (deep nesting: minutes of parser time per
/// request) or grew it by gigabytes (aliases of a long string) are refused by
/// name, quickly, while the server keeps answering.
#[tokio::test]
async fn hostile_yaml_is_refused_by_its_limits() {
    let app = App::start(WebConfig::default()).await;
    let url = format!("{}/api/v1/validate", app.base);
    let mut aliases = format!("profile: &s {}\nfaq: [", "x".repeat(19_000));
    for _ in 0..40_000 {
        aliases.push_str("*s,");
    }
    aliases.push_str("]\n");
    let cases = [
        ("[".repeat(200_000), "nesting is deeper than 64 levels"),
        (
            format!("profile:\n{}x\n", "- ".repeat(100_000)),
            "nesting is deeper than 64 levels",
        ),
        (
            aliases,
            "with its aliases expanded the document is larger than 4 MiB",
        ),
    ];
    let sends: Vec<_> = cases
        .iter()
        .map(|(body, _)| {
            let request = app
                .client
                .post(&url)
                .header("content-type", "application/yaml")
                .body(body.clone());
            tokio::spawn(request.send())
        })
        .collect();
    let health = app.client.get(format!("{}/healthz", app.base)).send().await;
    let mut answers = Vec::new();
    for send in sends {
        answers.push(send.await.unwrap());
    }
    assert_eq!(health.unwrap().status(), StatusCode::OK);
    for (answer, (_, expected)) in answers.into_iter().zip(&cases) {
        let (status, body) = error_envelope(answer.unwrap()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{message}");
    }

    // A line planted in a URL field would become a line of the signed security.txt.
    for planted in [
        "\"https://quillfeather.example/security/thanks\\nContact: mailto:planted@evil.example\"",
        "\"https://quillfeather.example/security/thanks\\rExpires: 1999-01-01T00:00:00.000Z\"",
    ] {
        let body = QUILLFEATHER.replacen(
            "acknowledgements_url: https://quillfeather.example/security/thanks",
            &format!("acknowledgements_url: {planted}"),
            1,
        );
        let answer = app
            .client
            .post(&url)
            .header("content-type", "application/yaml")
            .body(body)
            .send()
            .await
            .unwrap();
        let (status, body) = error_envelope(answer).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(
            body["error"]["field"],
            "commitments.vulnerability_disclosure.acknowledgements_url"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = App::start(WebConfig {
        header_read_timeout: Duration::from_millis(500),
        ..WebConfig::default()
    })
    .await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let mut buf = Vec::new();
    // The server must close the connection by itself; the outer bound only keeps a
    // broken server from hanging the test run.
    let read = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the connection was still open after 30 s");
    assert!(
        buf.is_empty() || buf.starts_with(b"HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&buf)
    );
    // Ordinary clients are unaffected.
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn oversized_request_heads_are_refused_with_the_usual_security_headers() {
    let app = App::start_default().await;
    let big = "a".repeat(40 * 1024);
    for (path, json) in [("/healthz", false), ("/api/v1/orgs", true)] {
        let resp = app
            .client
            .get(format!("{}{path}", app.base))
            .header("x-padding", &big)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
        assert_security_headers(&resp);
        if json {
            error_envelope(resp).await;
        }
    }
    // A long query string counts too; an ordinary head does not.
    let resp = app.get(&format!("/healthz?{big}")).await;
    assert_eq!(resp.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn public_forms_and_writes_are_rate_limited_per_address() {
    let app = App::start(WebConfig {
        public_forms_per_minute: std::num::NonZeroU32::new(2).unwrap(),
        ..WebConfig::default()
    })
    .await;
    let validate = || {
        app.client
            .post(format!("{}/api/v1/validate", app.base))
            .header("content-type", "application/yaml")
            .body(QUILLFEATHER)
            .send()
    };
    assert_eq!(validate().await.unwrap().status(), StatusCode::OK);
    assert_eq!(validate().await.unwrap().status(), StatusCode::OK);
    let limited = validate().await.unwrap();
    assert_eq!(limited.headers().get("retry-after").unwrap(), "60");
    let (status, body) = error_envelope(limited).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"))
    );
    // Reading is not limited.
    for _ in 0..5 {
        assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    }
    app.stop().await;
}

#[tokio::test]
async fn writes_are_rate_limited_per_account() {
    let app = App::start(WebConfig {
        writes_per_minute: std::num::NonZeroU32::new(4).unwrap(),
        ..WebConfig::default()
    })
    .await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let cookie = app.member_as(&org, Role::Owner).await; // one write (sign-in)
    let faq = TrustCenter::from_yaml(QUILLFEATHER)
        .unwrap()
        .section_yaml("faq")
        .unwrap();
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let resp = app
            .post_form(
                "/admin/orgs/quillfeather/sections/faq",
                &cookie,
                &[("yaml", faq.as_str())],
            )
            .await;
        statuses.push(resp.status().as_u16());
    }
    // The account's budget (3 a minute) covers three saves; the fourth is refused,
    // while the address's budget (120) is far from spent.
    assert_eq!(statuses, vec![303, 303, 303, 429]);
    app.stop().await;
}

/// A client that trickles its body a byte at a time cannot hold the connection:
/// the body has a deadline of its own, however often bytes arrive.
#[tokio::test]
async fn a_trickled_body_is_cut_off_at_its_deadline() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = App::start(WebConfig {
        body_read_timeout: Duration::from_millis(300),
        ..WebConfig::default()
    })
    .await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    stream
        .write_all(
            b"POST /api/v1/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/yaml\r\nContent-Length: 1000\r\n\r\n",
        )
        .await
        .unwrap();
    // 100 bytes, one every 50 ms: 5 s in all, far past the deadline. Each write
    // is well within any per-frame timeout.
    let mut answer = Vec::new();
    let mut closed = false;
    for _ in 0..100 {
        if stream.write_all(b"#").await.is_err() {
            closed = true;
            break;
        }
        let mut buf = [0u8; 1024];
        match tokio::time::timeout(Duration::from_millis(50), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                closed = true;
                break;
            }
            Ok(Ok(n)) => answer.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        closed || answer.starts_with("HTTP/1.1 4"),
        "the server kept reading a trickled body: {answer:?}"
    );
    assert!(!answer.contains("\"valid\":true"));
    app.stop().await;
}

/// Form fields that are not UTF-8 are refused whole, not decoded into U+FFFD.
#[tokio::test]
async fn forms_that_are_not_utf8_are_refused() {
    let app = App::start(WebConfig {
        revalidate_after: Duration::ZERO,
        ..WebConfig::default()
    })
    .await;
    let org = app.publish("quillfeather", QUILLFEATHER).await;
    let resp = app
        .client
        .post(format!("{}/quillfeather/subscribe", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("channel=email&address=%FF%40example.com&topics=all")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(app.store.subscribers(&org).await.unwrap().is_empty());
    app.stop().await;
}
