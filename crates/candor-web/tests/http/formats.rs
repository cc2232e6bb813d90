//! The ecosystem's formats over HTTP: each org's OSCAL component definition,
//! the profiles it names and the catalogues they import, fetched by following
//! the documents' own links and loaded by compliance-trestle.

use std::path::Path;
use std::process::Command;

use candor_demo::HARBORLIGHT;
use reqwest::StatusCode;

use crate::harness::App;

async fn json(app: &App, url: &str) -> (serde_json::Value, String) {
    let resp = app.client.get(url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{url}");
    assert_eq!(resp.headers()["content-type"], "application/json");
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    (resp.json().await.unwrap(), etag)
}

/// Runs a peer tool (one we did not write) and fails with what it said.
fn peer(command: &mut Command) {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn save(dir: &Path, name: &str, value: &serde_json::Value) {
    std::fs::write(dir.join(name), serde_json::to_vec(value).unwrap()).unwrap();
}

#[tokio::test]
async fn oscal_documents_follow_their_links_and_load_in_compliance_trestle() {
    let (app, _) = App::quillfeather().await;
    app.publish("harborlight", HARBORLIGHT).await;
    let dir = tempfile::tempdir().unwrap();
    for org in ["quillfeather", "harborlight"] {
        let url = format!("{}/{org}/oscal/component-definition.json", app.base);
        let (doc, etag) = json(&app, &url).await;
        let again = app
            .client
            .get(&url)
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        // The metadata names the revision, its hash and its log entry: the
        // same as trust.json and the log say.
        let (trust, _) = json(&app, &format!("{}/{org}/trust.json", app.base)).await;
        let meta = &doc["component-definition"]["metadata"];
        let prop = |name: &str| {
            meta["props"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == name)
                .map(|p| p["value"].as_str().unwrap().to_owned())
                .unwrap()
        };
        assert_eq!(
            prop("content-hash"),
            trust["content_hash"].as_str().unwrap()
        );
        assert_eq!(prop("revision"), trust["revision"].to_string());
        let entry = meta["links"][1]["href"].as_str().unwrap();
        assert!(entry.ends_with(&format!("/{org}/log/entries/{}", prop("log-index"))));
        assert_eq!(
            app.client.get(entry).send().await.unwrap().status(),
            StatusCode::OK
        );
        let component = &doc["component-definition"]["components"][0];
        assert_eq!(component["type"], "service");
        let implementations = component["control-implementations"].as_array().unwrap();
        assert!(implementations.len() >= 2, "{org}: {implementations:?}");
        for implementation in implementations {
            let source = implementation["source"].as_str().unwrap();
            let framework = source.rsplit('/').next().unwrap().trim_end_matches(".json");
            let (profile, _) = json(&app, source).await;
            let catalog_url = profile["profile"]["imports"][0]["href"].as_str().unwrap();
            let (catalog, _) = json(&app, catalog_url).await;
            save(dir.path(), &format!("profile-{framework}.json"), &profile);
            save(dir.path(), &format!("catalog-{framework}.json"), &catalog);
        }
        save(dir.path(), &format!("component-{org}.json"), &doc);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/check-oscal.py");
    peer(Command::new("python3").arg(root).arg(dir.path()));
    for (path, status) in [
        ("/oscal/catalogs/nist-800-53.json", StatusCode::NOT_FOUND),
        (
            "/no-such-org/oscal/component-definition.json",
            StatusCode::NOT_FOUND,
        ),
    ] {
        let resp = app.get(path).await;
        assert_eq!(resp.status(), status, "{path}");
    }
    app.stop().await;
}

/// A changelog entry marked as an advisory, released `days_ago`.
fn with_advisory(yaml: &str, days_ago: i64) -> String {
    let day = time::OffsetDateTime::now_utc().date() - time::Duration::days(days_ago);
    yaml.replacen(
        "changelog:\n",
        &format!(
            "changelog:\n- date: {day}\n  category: security\n  title: XSS in the SDK's debug panel\n  detail: Event names were printed unescaped.\n  advisory:\n    id: QF-2026-007\n    product: JavaScript SDK\n    affected: '<4.12.0'\n    fixed: 4.12.0\n    cve: CVE-2026-40001\n    cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N\n    remediation: Upgrade to 4.12.0.\n"
        ),
        1,
    )
}

/// The org's CSAF provider: security.txt names its metadata, which names the
/// directory and the key; the directory's index and changes list the
/// advisory; its hashes match (sha256sum, sha512sum), GnuPG verifies its
/// signature with the published key, and the secvisogram validator passes it
/// (schema, mandatory and optional tests). An org without advisories has none.
#[tokio::test]
async fn csaf_advisories_are_found_from_security_txt_hashed_signed_and_valid() {
    let (app, _) = App::quillfeather().await;
    app.publish(
        "quillfeather",
        &with_advisory(candor_demo::QUILLFEATHER, 10),
    )
    .await;
    let local = |url: &str| url.replacen("https://trust.example.com", &app.base, 1);
    let txt = app.page("/quillfeather/.well-known/security.txt").await;
    let metadata_url = txt
        .lines()
        .find_map(|l| l.strip_prefix("CSAF: "))
        .unwrap_or_else(|| panic!("{txt}"))
        .to_owned();
    assert_eq!(
        metadata_url,
        "https://trust.example.com/quillfeather/.well-known/csaf/provider-metadata.json"
    );
    let (metadata, _) = json(&app, &local(&metadata_url)).await;
    assert_eq!(metadata["canonical_url"], metadata_url.as_str());
    assert_eq!(metadata["role"], "csaf_provider");
    assert_eq!(metadata["metadata_version"], "2.0");
    let directory = metadata["distributions"][0]["directory_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let key_url = metadata["public_openpgp_keys"][0]["url"].as_str().unwrap();
    let fingerprint = metadata["public_openpgp_keys"][0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_owned();
    let text = |url: String| {
        let client = app.client.clone();
        async move {
            let resp = client.get(&url).send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK, "{url}");
            resp.text().await.unwrap()
        }
    };
    let index = text(local(&format!("{directory}index.txt"))).await;
    let year = time::OffsetDateTime::now_utc().date() - time::Duration::days(10);
    let path = format!("{}/qf-2026-007.json", year.year());
    assert_eq!(index, format!("{path}\n"));
    let changes = text(local(&format!("{directory}changes.csv"))).await;
    assert!(changes.starts_with(&format!("\"{path}\",\"")), "{changes}");
    // Download the advisory and everything beside it, as a mirror would.
    let dir = tempfile::tempdir().unwrap();
    let url = local(&format!("{directory}{path}"));
    let document = app
        .client
        .get(&url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    std::fs::write(dir.path().join("qf-2026-007.json"), &document).unwrap();
    for suffix in ["sha256", "sha512", "asc"] {
        let body = text(format!("{url}.{suffix}")).await;
        std::fs::write(dir.path().join(format!("qf-2026-007.json.{suffix}")), body).unwrap();
    }
    for tool in ["sha256sum", "sha512sum"] {
        let ext = &tool[..6];
        peer(
            Command::new(tool)
                .current_dir(dir.path())
                .args(["--check", &format!("qf-2026-007.json.{ext}")]),
        );
    }
    let home = tempfile::tempdir().unwrap();
    let key = text(local(key_url)).await;
    std::fs::write(home.path().join("key.asc"), key).unwrap();
    let import = candor_testkit::process::gpg_status(
        home.path(),
        &["--import", home.path().join("key.asc").to_str().unwrap()],
    );
    assert!(import.status.success());
    let verify = candor_testkit::process::gpg_status(
        home.path(),
        &[
            "--verify",
            dir.path().join("qf-2026-007.json.asc").to_str().unwrap(),
            dir.path().join("qf-2026-007.json").to_str().unwrap(),
        ],
    );
    let status = String::from_utf8_lossy(&verify.stdout);
    assert!(status.contains("[GNUPG:] GOODSIG"), "{status}");
    assert!(
        status.contains(&format!("VALIDSIG {fingerprint}")),
        "{status}"
    );
    // The validator BSI's secvisogram team publishes.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/csaf/validate.mjs");
    peer(
        Command::new("node")
            .arg(root)
            .arg(dir.path().join("qf-2026-007.json")),
    );
    // The page links the advisory.
    let page = app.page("/quillfeather").await;
    assert!(
        page.contains("Advisory QF-2026-007"),
        "the changelog names it"
    );
    assert!(page.contains(&format!("/quillfeather/.well-known/csaf/white/{path}")));
    // A corrupted name, and an org without advisories.
    for missing in [
        "/quillfeather/.well-known/csaf/white/2020/qf-2026-007.json",
        "/quillfeather/.well-known/csaf/white/2026/qf-2026-008.json.sha256",
        "/quillfeather/.well-known/csaf/blue/index.txt",
    ] {
        assert_eq!(
            app.get(missing).await.status(),
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
    app.publish("harborlight", HARBORLIGHT).await;
    let none = app
        .get("/harborlight/.well-known/csaf/provider-metadata.json")
        .await;
    assert_eq!(none.status(), StatusCode::NOT_FOUND);
    assert!(
        !app.page("/harborlight/.well-known/security.txt")
            .await
            .contains("CSAF:")
    );
    app.stop().await;
}
