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
