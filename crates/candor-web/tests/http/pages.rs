//! The public trust page, its JSON and Atom renderings, caching and missing pages.

use candor_demo::{HARBORLIGHT, QUILLFEATHER};
use candor_domain::TrustCenter;
use candor_store::create_org;
use candor_testkit::fixtures::{DEMO_PAGE_SECTIONS, mailgun_effective, mailgun_entry};
use candor_testkit::process::output_with_input;
use reqwest::StatusCode;

use crate::harness::{App, assert_security_headers, error_envelope};

#[tokio::test]
async fn trust_page_shows_every_section_of_each_org() {
    let app = App::start_default().await;
    for (slug, yaml) in [("quillfeather", QUILLFEATHER), ("harborlight", HARBORLIGHT)] {
        app.publish(slug, yaml).await;
        let resp = app.get(&format!("/{slug}")).await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert_security_headers(&resp);
        assert!(
            resp.headers().get("strict-transport-security").is_none(),
            "no HSTS over plain HTTP"
        );
        let html = resp.text().await.unwrap();
        for id in DEMO_PAGE_SECTIONS {
            assert!(
                html.contains(&format!("<section id=\"{id}\"")),
                "{slug}: section {id} missing"
            );
        }
        assert!(!html.contains("<script"), "the page needs no JavaScript");
        // What was published: the file without its non-public knowledge entries.
        let tc = TrustCenter::from_yaml(yaml).unwrap().published();
        for c in &tc.controls {
            assert!(
                html.contains(&format!("id=\"control-{}\"", c.key)),
                "{slug}: control {} missing",
                c.key
            );
        }
        for s in &tc.subprocessors {
            assert!(
                html.contains(&html_escape(s.name.as_str())),
                "{slug}: subprocessor {} missing",
                s.name
            );
        }
        for d in &tc.documents {
            assert!(html.contains(&format!("id=\"doc-{}\"", d.key)));
        }
        assert!(
            html.contains("Framework coverage"),
            "coverage summary missing"
        );
        assert!(
            html.contains(&tc.content_hash().to_string()),
            "content hash missing"
        );
        assert!(
            html.contains("name=\"viewport\""),
            "not readable on a phone"
        );
        assert!(
            html.contains(&format!("href=\"/{slug}/log/entries/0\"")),
            "revision 1 links log entry 0"
        );
    }
    // Each org's page shows only its own content.
    let quill = app.page("/quillfeather").await;
    assert!(!quill.contains("Harborlight"));
    app.stop().await;
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

#[tokio::test]
async fn user_text_is_escaped() {
    let app = App::start_default().await;
    let yaml = QUILLFEATHER.replacen(
        "title: We never sell or rent your data",
        "title: \"<script>alert(1)</script> & friends\"",
        1,
    );
    app.publish("escaped", &yaml).await;
    let html = app.page("/escaped").await;
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("alert(1)"), "the text is shown, escaped");
    app.stop().await;
}

#[tokio::test]
async fn trust_json_is_the_revision_with_a_verifiable_hash() {
    let app = App::start_default().await;
    app.publish("quillfeather", QUILLFEATHER).await;
    let resp = app.get("/quillfeather/trust.json").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_security_headers(&resp);
    let raw = resp.bytes().await.unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(doc["org"], "quillfeather");
    assert_eq!(doc["revision"], 1);
    // The content validates as a trust center, and hashes to the advertised hash.
    let content = serde_json::to_vec(&doc["content"]).unwrap();
    let tc = TrustCenter::from_json(&content).unwrap();
    assert_eq!(doc["content_hash"], tc.content_hash().to_string());
    // The served bytes are canonical: the `content` member can be hashed as served.
    assert_eq!(raw.as_ref(), candor_domain::canonical_json(&doc).as_slice());
    app.stop().await;
}

#[tokio::test]
async fn etags_answer_304_and_change_with_a_new_revision() {
    let app = App::start_default().await;
    app.publish("quillfeather", QUILLFEATHER).await;
    for path in [
        "/quillfeather",
        "/quillfeather/trust.json",
        "/static/candor.css",
    ] {
        let first = app.get(path).await;
        let etag = first.headers().get("etag").expect("etag").clone();
        let again = app
            .client
            .get(format!("{}{path}", app.base))
            .header("if-none-match", etag.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(again.headers().get("etag").unwrap(), &etag);
        assert_security_headers(&again);
        assert!(again.bytes().await.unwrap().is_empty());
        let other = app
            .client
            .get(format!("{}{path}", app.base))
            .header("if-none-match", "\"other\"")
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), StatusCode::OK);
    }
    let etag = app
        .get("/quillfeather")
        .await
        .headers()
        .get("etag")
        .unwrap()
        .clone();
    app.publish(
        "quillfeather",
        &QUILLFEATHER.replacen(
            "name: Quillfeather Analytics",
            "name: Quillfeather Analytics GmbH",
            1,
        ),
    )
    .await;
    let after = app
        .client
        .get(format!("{}/quillfeather", app.base))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::OK);
    assert!(
        after
            .text()
            .await
            .unwrap()
            .contains("Quillfeather Analytics GmbH")
    );
    let json: serde_json::Value = app
        .get("/quillfeather/trust.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json["revision"], 2);
    app.stop().await;
}

#[tokio::test]
async fn unknown_and_unpublished_orgs_get_404_pages_not_crashes() {
    let app = App::start_default().await;
    for path in [
        "/no-such-org",
        "/NOT_A_SLUG",
        "/api",
        "/a/b/c",
        "/%00",
        "/quillfeather/../etc/passwd",
    ] {
        let resp = app.get(path).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
        assert_security_headers(&resp);
        assert!(resp.text().await.unwrap().contains("Not found") || path == "/api");
    }
    let (status, body) = error_envelope(app.get("/no-such-org/trust.json").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    create_org(&*app.store, &"draft-only".parse().unwrap(), "Draft Only")
        .await
        .unwrap();
    let resp = app.get("/draft-only").await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(resp.text().await.unwrap().contains("not been published"));
    app.stop().await;
}

/// Only what the company wrote: a version 2 file that leaves things out gets a page
/// that says nothing about them (no zeros, no "No", no notice promise, no headings).
#[tokio::test]
async fn the_page_says_only_what_the_content_states() {
    let app = App::start_default().await;
    app.publish(
        "sparse",
        "version: 2
profile:
  name: Sparse Inc
commitments:
  resilience:
    rto_minutes: 240
    field_scopes:
      rto_minutes:
        plan: enterprise
  encryption:
    per_tenant_keys: true
  tenancy:
    resources:
    - resource: Database
      per_tenant: false
      detail: Row-level security on every table.
    - resource: Key vault
      per_tenant: true
  vulnerability_disclosure:
    status: non_binding
    intro: Fix times are goals.
    remediation_times:
    - severity: critical
      days: 7
    - severity: high
      business_days: 1
subprocessors:
- name: Microsoft Azure
  purpose: Hosting
- name: Stripe
changelog:
- title: Undated fix
- title: Dated fix
  date: 2026-01-05
  assessment: pentest
assessments:
- key: pentest
  title: External penetration test
  date: 2026-Q1
  kind: external
  assessor: Example Security Ltd
posture:
- standard: ISO/IEC 27001
  status: roadmap
  target_date: 2027
- standard: SOC 2
  status: in_progress
  target_date: Q4 2026
",
    )
    .await;
    let page = app.page("/sparse").await;
    for stated in [
        "Recovery time objective (RTO)</dt><dd>4 hours<",
        "Per-customer keys</dt><dd>Yes",
        "Microsoft Azure",
        "Hosting",
        "Q4 2026",
        ">2027<",
    ] {
        assert!(page.contains(stated), "{stated:?} missing");
    }
    for invented in [
        ">0 ",
        " 0 ",
        "Every 0",
        "hours, kept",
        "Backups encrypted",
        "Not offered",
        "at least",
        "Hosting and data residency",
        "Incident response",
        "Last reviewed",
        "Security contact",
        "href=\"#controls\"",
        "Acknowledgement",
        "Safe harbour",
        "Announced",
        "Effective",
        "Locations",
        "Default",
        "Opt-in",
    ] {
        assert!(!page.contains(invented), "{invented:?} was printed");
    }
    for stated in [
        "<strong>Database</strong>: Shared between tenants. Row-level security on every table.",
        "<strong>Key vault</strong>: One per tenant",
        "<dt>Fix deadlines</dt><dd>Critical: within 7 days; High: within 1 business day</dd>",
        // The disclosure commitment's own framing is shown too.
        "<p class=\"badge wip\">Non-binding</p>",
        "<div class=\"intro\"><p>Fix times are goals.</p>",
        "<dd>4 hours<br><span class=\"meta\">Applies to: enterprise plan</span></dd>",
    ] {
        assert!(page.contains(stated), "{stated:?} missing");
    }
    // An assessment shows what was said of it, and the fix that names it.
    for stated in [
        "<h3 id=\"assessment-pentest\">External penetration test</h3>",
        "<dt>When</dt><dd>Q1 2026</dd>",
        "<dt>Assessor</dt><dd>Example Security Ltd</dd>",
        "Fixes a finding of <a href=\"#assessment-pentest\">External penetration test</a>",
        "<li>Dated fix</li>",
    ] {
        assert!(page.contains(stated), "{stated:?} missing");
    }
    assert!(!page.contains("<dt>Methodology</dt>"));
    // Dated entries first, undated last.
    let dated = page.find("Dated fix").unwrap();
    let undated = page.find("Undated fix").unwrap();
    assert!(dated < undated);
    // No contact, no security.txt (RFC 9116 requires one; Candor invents none).
    let txt = app.get("/sparse/.well-known/security.txt").await;
    assert_eq!(txt.status(), StatusCode::NOT_FOUND);

    // A page of just a name has no commitments or subprocessor sections at all.
    app.publish("bare", "version: 2\nprofile:\n  name: Bare Ltd\n")
        .await;
    let page = app.page("/bare").await;
    for invented in [
        "Commitments",
        "Subprocessors",
        "Security controls",
        "Compliance",
    ] {
        assert!(!page.contains(invented), "{invented:?} was printed");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_atom_feed_lists_every_revision_in_words() {
    let app = App::start_default().await;
    app.publish("quillfeather", QUILLFEATHER).await;
    app.publish(
        "quillfeather",
        &QUILLFEATHER.replacen("changelog:\n", &mailgun_entry(), 1),
    )
    .await;
    let resp = app.get("/quillfeather/feed.atom").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    let xml = resp.text().await.unwrap();
    // Python's XML parser reads it as an Atom feed with two entries, newest first.
    let out = output_with_input(
        std::process::Command::new("python3").args([
            "-c",
            "import sys, xml.etree.ElementTree as E; a='{http://www.w3.org/2005/Atom}'; f=E.fromstring(sys.stdin.read()); \
             assert f.tag==a+'feed'; [print(e.find(a+'title').text) for e in f.findall(a+'entry')]",
        ]),
        xml.as_bytes(),
    );
    let titles = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{xml}");
    assert_eq!(
        titles.lines().collect::<Vec<_>>(),
        vec![
            format!(
                "Revision 2: subprocessor added: Mailgun (Backup email delivery), takes effect {}",
                mailgun_effective()
            )
            .as_str(),
            "Revision 1: First published revision."
        ]
    );
    assert_eq!(
        app.get("/nobody/feed.atom").await.status(),
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}

/// Once its interval has passed, a cached page is still answered at once while
/// one background task asks the store whether it is current: a request never
/// waits on that question (a revision published by another replica shows a
/// moment later).
#[tokio::test]
async fn a_stale_page_is_answered_at_once_and_revalidated_in_the_background() {
    let app = App::start(candor_web::WebConfig {
        revalidate_after: std::time::Duration::from_millis(200),
        ..candor_web::WebConfig::default()
    })
    .await;
    let scope = app.publish("quillfeather", QUILLFEATHER).await;
    assert!(app.page("/quillfeather").await.contains("Revision 1"));
    // Another replica publishes: nothing tells this one.
    let mut content = TrustCenter::from_yaml(QUILLFEATHER).unwrap();
    content.subprocessors.pop();
    app.store.save_draft(&scope, &content).await.unwrap();
    let published = candor_store::publish_draft(
        &*app.store,
        &scope,
        time::OffsetDateTime::now_utc(),
        "operator:test",
    )
    .await
    .unwrap();
    assert!(matches!(
        published,
        candor_store::PublishOutcome::Published { .. }
    ));
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    // Stale now: answered from memory, without waiting for the store…
    let first = app.page("/quillfeather").await;
    assert!(
        first.contains("Revision 1") && !first.contains("Revision 2"),
        "the stale page is served"
    );
    // …which the background task asked: the new revision shows shortly after.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        if app.page("/quillfeather").await.contains("Revision 2") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the page never caught up"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The page cache holds at most `page_cache_entries` pages and lets the least
/// recently used go first: memory stays flat however many orgs there are, and
/// an evicted page is rendered again when asked for.
#[tokio::test]
async fn the_page_cache_is_bounded_and_lets_the_least_recently_used_page_go() {
    let app = App::start(candor_web::WebConfig {
        revalidate_after: std::time::Duration::from_secs(3600),
        page_cache_entries: 2,
        ..candor_web::WebConfig::default()
    })
    .await;
    let mut scopes = Vec::new();
    for slug in ["alpha", "bravo", "charlie"] {
        scopes.push(app.publish(slug, QUILLFEATHER).await);
    }
    // Revision 2 for each, published behind the cache's back (another replica).
    let republish = |scope: candor_store::OrgScope| {
        let store = app.store.clone();
        async move {
            let mut content = TrustCenter::from_yaml(QUILLFEATHER).unwrap();
            content.subprocessors.pop();
            store.save_draft(&scope, &content).await.unwrap();
            candor_store::publish_draft(
                &*store,
                &scope,
                time::OffsetDateTime::now_utc(),
                "operator:test",
            )
            .await
            .unwrap();
        }
    };
    let shows = |slug: &'static str, revision: u32| {
        let app = &app;
        async move {
            let page = app.page(&format!("/{slug}")).await;
            let newest = page.contains("Revision 2");
            assert_eq!(
                (page.contains(&format!("Revision {revision}")), newest),
                (true, revision == 2),
                "/{slug} should show revision {revision}"
            );
        }
    };
    shows("alpha", 1).await;
    shows("bravo", 1).await;
    shows("alpha", 1).await;
    republish(scopes[0].clone()).await;
    republish(scopes[1].clone()).await;
    // Alpha and bravo are cached (and fresh for an hour): they still show
    // revision 1. Charlie needs room: bravo, used least recently, goes.
    shows("charlie", 1).await;
    shows("alpha", 1).await;
    shows("bravo", 2).await;
}
