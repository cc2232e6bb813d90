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
    let out = Command::new("python3")
        .arg(root)
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
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
