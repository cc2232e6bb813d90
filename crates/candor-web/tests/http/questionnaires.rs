//! The questionnaire API: roles, answers from the revision or the draft, import
//! into the draft, bad files, and knowledge that stays in its org (this suite
//! also runs on PostgreSQL).

use candor_demo::{HARBORLIGHT, QUILLFEATHER};
use candor_domain::policy::Role;
use reqwest::StatusCode;
use serde_json::Value;

use crate::harness::{App, error_envelope};

const CSV: &str = "Acme review,,\nRef,Question,Response\n\
                   A-1,Is multi-factor authentication required for employees accessing production?,\n\
                   A-2,What is the limit of your cyber insurance policy?,\n";

#[tokio::test]
async fn members_answer_and_editors_import_questionnaires_over_the_api() {
    let (app, org) = App::quillfeather().await;
    let viewer = app.member_as(&org, Role::Viewer).await;
    let editor = app.member_as(&org, Role::Editor).await;
    let post = |path: &str, cookie: &str, body: &'static str| {
        app.with_cookie(
            reqwest::Method::POST,
            &format!("/api/v1/orgs/quillfeather{path}"),
            cookie,
        )
        .header("content-type", "application/octet-stream")
        .body(body)
        .send()
    };
    let resp = post("/questionnaires/answer", &viewer, CSV).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let answered: Value = resp.json().await.unwrap();
    assert_eq!(answered["source"]["kind"], "revision");
    assert_eq!(answered["answers"][0]["verdict"], "yes", "{answered}");
    assert_eq!(
        (
            &answered["answers"][0]["sheet"],
            &answered["answers"][0]["row"]
        ),
        (&Value::from("CSV"), &Value::from(3))
    );
    // The internal entry is in the draft only: not an answer from the revision.
    assert_eq!(answered["answers"][1]["verdict"], Value::Null, "{answered}");
    let resp = post(
        "/questionnaires/answer?from=draft&audience=internal",
        &viewer,
        CSV,
    )
    .await
    .unwrap();
    let own_review: Value = resp.json().await.unwrap();
    assert_eq!(own_review["source"]["kind"], "draft");
    assert_eq!(own_review["answers"][1]["verdict"], "yes", "{own_review}");

    // Importing changes the draft: editors only.
    let answered_csv = "Question,Answer,Comment\nDo you keep an asset inventory?,Yes,Monthly\n";
    let refused = post("/knowledge/import?filename=acme.csv", &viewer, answered_csv)
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let done: Value = post("/knowledge/import?filename=acme.csv", &editor, answered_csv)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(done, serde_json::json!({"added": 1, "replaced": 0}));
    let draft = app.store.draft(&org).await.unwrap().unwrap().content;
    let entry = draft
        .knowledge
        .iter()
        .find(|k| k.key.as_str() == "acme-csv-2");
    assert!(entry.is_some(), "{:?}", draft.knowledge.last());

    // A bad file: the envelope names the file and the cell; nothing changes.
    let bad = "Question,Answer\nQ1?,Yes\nQ2?,Often\n";
    let (status, body) = error_envelope(
        post("/knowledge/import?filename=bad.csv", &editor, bad)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "file");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("row 3, column B"), "{message}");
    assert_eq!(
        app.store
            .draft(&org)
            .await
            .unwrap()
            .unwrap()
            .content
            .knowledge
            .len(),
        draft.knowledge.len()
    );
}

#[tokio::test]
async fn knowledge_entries_stay_in_their_org() {
    let (app, quillfeather) = App::quillfeather().await;
    let harborlight = app.publish("harborlight", HARBORLIGHT).await;
    let _ = QUILLFEATHER;
    let stranger = app.member_as(&harborlight, Role::Owner).await;
    let post = |org: &str| {
        app.with_cookie(
            reqwest::Method::POST,
            &format!("/api/v1/orgs/{org}/questionnaires/answer?from=draft&audience=internal"),
            &stranger,
        )
        .header("content-type", "application/octet-stream")
        .body(CSV)
        .send()
    };
    // Another org's questionnaire endpoint is closed to this member.
    let refused = post("quillfeather").await.unwrap();
    assert!(
        matches!(
            refused.status(),
            StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
        ),
        "{}",
        refused.status()
    );
    // Its own answers never draw on the other org's knowledge, internal or not.
    let own: Value = post("harborlight").await.unwrap().json().await.unwrap();
    let text = own.to_string();
    assert!(
        !text.contains("insurance-limit") && !text.contains("broker"),
        "{text}"
    );
    assert_eq!(own["answers"][1]["verdict"], Value::Null, "{own}");
    assert!(
        app.store
            .draft(&quillfeather)
            .await
            .unwrap()
            .unwrap()
            .content
            .knowledge
            .iter()
            .any(|k| k.key.as_str() == "insurance-limit")
    );
}

/// A multipart form body with `fields` and one file, and its content type.
fn form(fields: &[(&str, &str)], filename: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "candor-test-boundary-7d1c";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn the_admin_page_shows_answers_with_sources_and_returns_the_workbook_filled() {
    let (app, org) = App::quillfeather().await;
    let viewer = app.member_as(&org, Role::Viewer).await;
    let editor = app.member_as(&org, Role::Editor).await;
    let send = |path: &str, cookie: &str, (content_type, body): (String, Vec<u8>)| {
        app.with_cookie(
            reqwest::Method::POST,
            &format!("/admin/orgs/quillfeather/questionnaires/{path}"),
            cookie,
        )
        .header("content-type", content_type)
        .body(body)
        .send()
    };
    let page = app
        .get_as("/admin/orgs/quillfeather/questionnaires", &viewer)
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("Import an answered"),
        "viewers cannot import"
    );

    let resp = send(
        "answer",
        &viewer,
        form(&[("format", "page")], "acme.csv", CSV.as_bytes()),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("Answered from revision 1 (log entry 0"),
        "{html}"
    );
    assert!(html.contains("<code>knowledge[0]</code>"), "{html}");
    assert!(html.contains("Needs review"), "{html}");

    let xlsx = candor_demo::QUESTIONNAIRE_XLSX;
    let resp = send(
        "answer",
        &viewer,
        form(&[("format", "xlsx")], "acme.xlsx", xlsx),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let filled = resp.bytes().await.unwrap();
    let again = candor_questionnaire::sheet::read("filled.xlsx", &filled).unwrap();
    let first = again.answers.iter().flatten().next().map(|a| a.0);
    assert_eq!(first, Some(candor_domain::model::Verdict::Yes));

    // A bad file is named on the page, with the cell at fault.
    let resp = send(
        "answer",
        &viewer,
        form(&[], "bad.csv", b"Question,Answer\nQ?,Often\n"),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.text().await.unwrap().contains("row 2, column B"));

    // Importing: editors only.
    let answered = "Question,Answer\nDo you keep an asset inventory?,Yes\n";
    let refused = send("import", &viewer, form(&[], "inv.csv", answered.as_bytes()))
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let done = send(
        "import",
        &editor,
        form(&[("visibility", "gated")], "inv.csv", answered.as_bytes()),
    )
    .await
    .unwrap();
    assert!(done.text().await.unwrap().contains("1 added, 0 replaced"));
    let draft = app.store.draft(&org).await.unwrap().unwrap().content;
    let entry = draft
        .knowledge
        .iter()
        .find(|k| k.key.as_str() == "inv-csv-2")
        .unwrap();
    assert_eq!(entry.visibility, candor_domain::model::Visibility::Gated);
}
