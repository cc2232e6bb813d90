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
pub(crate) fn form(fields: &[(&str, &str)], filename: &str, file: &[u8]) -> (String, Vec<u8>) {
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

async fn decide(
    app: &App,
    review: &str,
    cookie: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    app.post_form(&format!("{review}/review"), cookie, fields)
        .await
}

async fn save(app: &App, review: &str, cookie: &str, version: &str) -> reqwest::Response {
    let fields = [("version", version), ("visibility", "gated")];
    app.post_form(&format!("{review}/knowledge"), cookie, &fields)
        .await
}

/// The id of the questionnaire a successful upload redirected to.
fn review_path(resp: &reqwest::Response) -> String {
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{resp:?}");
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/admin/orgs/quillfeather/questionnaires/"),
        "{location}"
    );
    location
}

#[tokio::test]
async fn editors_review_drafted_answers_save_them_to_the_knowledge_base_and_send_them() {
    use candor_domain::model::Verdict;
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
    let html = app
        .page_as("/admin/orgs/quillfeather/questionnaires", &viewer)
        .await;
    assert!(html.contains("No questionnaire yet"), "{html}");
    assert!(
        !html.contains("Import an answered") && !html.contains("Draft the answers"),
        "viewers neither answer nor import"
    );
    let refused = send("answer", &viewer, form(&[], "acme.csv", CSV.as_bytes()))
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // An editor uploads: every answer is drafted and kept for review.
    let review = review_path(
        &send("answer", &editor, form(&[], "acme.csv", CSV.as_bytes()))
            .await
            .unwrap(),
    );
    let html = app.page_as(&review, &viewer).await;
    assert!(html.contains("revision 1, log entry 0"), "{html}");
    assert!(html.contains("<code>knowledge[0]</code>"), "{html}");
    assert!(html.contains("Needs review"), "{html}");
    assert!(html.contains("0 of 2 reviewed"), "{html}");
    assert!(!html.contains(">Accept<"), "viewers see no review buttons");
    let list = app
        .page_as("/admin/orgs/quillfeather/questionnaires", &viewer)
        .await;
    assert!(
        list.contains("acme.csv") && list.contains("0 of 2"),
        "{list}"
    );

    // Viewers cannot decide; editors accept the drafted answer to A-1.
    let refused = decide(
        &app,
        &review,
        &viewer,
        &[("version", "1"), ("index", "0"), ("decision", "accept")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let accepted = decide(
        &app,
        &review,
        &editor,
        &[("version", "1"), ("index", "0"), ("decision", "accept")],
    )
    .await;
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    // A form from the page before that change is refused; nothing changes.
    let stale = decide(
        &app,
        &review,
        &editor,
        &[("version", "1"), ("index", "0"), ("decision", "reject")],
    )
    .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    // Nothing drafted to accept for A-2; an edit needs an explanation.
    let nothing = decide(
        &app,
        &review,
        &editor,
        &[("version", "2"), ("index", "1"), ("decision", "accept")],
    )
    .await;
    assert_eq!(nothing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bare = decide(
        &app,
        &review,
        &editor,
        &[
            ("version", "2"),
            ("index", "1"),
            ("decision", "edit"),
            ("verdict", "yes"),
            ("explanation", " "),
        ],
    )
    .await;
    assert_eq!(bare.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bare.text().await.unwrap().contains("explanation"));
    let edited = decide(
        &app,
        &review,
        &editor,
        &[
            ("version", "2"),
            ("index", "1"),
            ("decision", "edit"),
            ("verdict", "yes"),
            ("explanation", "Cyber insurance of EUR 5m, on request."),
        ],
    )
    .await;
    assert_eq!(edited.status(), StatusCode::SEE_OTHER);
    let html = app.page_as(&review, &editor).await;
    assert!(html.contains("2 of 2 reviewed"), "{html}");
    assert!(html.contains("Save 2 reviewed answers"), "{html}");

    // What the customer gets: the reviewed answers, read back by the same
    // readers an import uses (CSV, and JSON that imports again as is).
    let csv = app
        .get_as(&format!("{review}/export?format=csv"), &viewer)
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    let back = candor_questionnaire::sheet::read("back.csv", &csv.bytes().await.unwrap()).unwrap();
    assert_eq!(back.answers[0].as_ref().map(|a| a.0), Some(Verdict::Yes));
    assert_eq!(
        back.answers[1],
        Some((
            Verdict::Yes,
            "Cyber insurance of EUR 5m, on request.".into()
        ))
    );
    let json = app
        .get_as(&format!("{review}/export?format=json"), &viewer)
        .await;
    let back =
        candor_questionnaire::json::Questionnaire::from_json(&json.bytes().await.unwrap()).unwrap();
    assert_eq!(back.answers[1].as_ref().map(|a| a.0), Some(Verdict::Yes));
    let workbook = app
        .get_as(&format!("{review}/export?format=xlsx"), &viewer)
        .await;
    assert_eq!(
        workbook.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a CSV upload has no workbook"
    );

    // Saving to the knowledge base: editors only, audited, once per answer.
    assert_eq!(
        save(&app, &review, &viewer, "3").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        save(&app, &review, &editor, "3").await.status(),
        StatusCode::SEE_OTHER
    );
    let draft = app.store.draft(&org).await.unwrap().unwrap().content;
    let saved: Vec<_> = draft
        .knowledge
        .iter()
        .filter(|k| k.key.as_str().starts_with("review-"))
        .collect();
    assert_eq!(saved.len(), 2, "{saved:?}");
    assert!(
        saved
            .iter()
            .all(|k| k.visibility == candor_domain::model::Visibility::Gated)
    );
    assert!(saved.iter().any(|k| k.key.as_str().ends_with("-a-2")
        && k.explanation.as_ref().map(|e| e.as_str())
            == Some("Cyber insurance of EUR 5m, on request.")));
    assert!(
        app.page_as(&review, &editor)
            .await
            .contains("Every reviewed answer is in the draft")
    );
    assert_eq!(
        save(&app, &review, &editor, "4").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.store.draft(&org).await.unwrap().unwrap().content,
        draft,
        "saved once"
    );
    // An answer edited after it was saved is saved again, replacing its entry.
    let edited = decide(
        &app,
        &review,
        &editor,
        &[
            ("version", "4"),
            ("index", "1"),
            ("decision", "edit"),
            ("verdict", "partial"),
            ("explanation", "EUR 5m, renewed every March."),
        ],
    )
    .await;
    assert_eq!(edited.status(), StatusCode::SEE_OTHER);
    assert!(
        app.page_as(&review, &editor)
            .await
            .contains("Save 1 reviewed answers")
    );
    assert_eq!(
        save(&app, &review, &editor, "5").await.status(),
        StatusCode::SEE_OTHER
    );
    let knowledge = app
        .store
        .draft(&org)
        .await
        .unwrap()
        .unwrap()
        .content
        .knowledge;
    let resaved: Vec<_> = knowledge
        .iter()
        .filter(|k| k.key.as_str().starts_with("review-") && k.key.as_str().ends_with("-a-2"))
        .collect();
    assert_eq!(resaved.len(), 1, "replaced, not added");
    assert_eq!(resaved[0].answer, candor_domain::model::Verdict::Partial);
    let actions = app.audit_actions(&org).await;
    let id = review.rsplit('/').next().unwrap();
    // Each by the editor's account (audit entries name no address).
    let editor_id = app
        .store
        .members(&org)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.user.email == "editor@quillfeather.example")
        .unwrap()
        .user
        .id;
    for expected in [
        format!("user:{editor_id} questionnaire.answer {id}"),
        format!("user:{editor_id} questionnaire.review {id} question 1 accepted"),
        format!("user:{editor_id} questionnaire.review {id} question 2 edited"),
        format!("user:{editor_id} questionnaire.save_knowledge {id}: 2 answers"),
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} not in {actions:#?}"
        );
    }
    // The page names the reviewer by address, for the org's own people.
    assert!(
        app.page_as(&review, &viewer)
            .await
            .contains("editor@quillfeather.example, "),
        "reviewer shown"
    );

    // Another org's members see none of it.
    let harborlight = app.publish("harborlight", HARBORLIGHT).await;
    let stranger = app.member_as(&harborlight, Role::Owner).await;
    let theirs = format!("/admin/orgs/harborlight/questionnaires/{id}");
    assert_eq!(
        app.get_as(&theirs, &stranger).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_ne!(
        app.get_as(&review, &stranger).await.status(),
        StatusCode::OK
    );
    assert!(
        !app.page_as("/admin/orgs/harborlight/questionnaires", &stranger)
            .await
            .contains("acme.csv")
    );

    // The org's export archive takes them along, with the customer's file.
    let owner = app.member_as(&org, Role::Owner).await;
    let archive: Value = app
        .get_as("/admin/orgs/quillfeather/export", &owner)
        .await
        .json()
        .await
        .unwrap();
    let kept = &archive["questionnaires"][0];
    assert_eq!(kept["review"]["filename"], "acme.csv");
    assert_eq!(kept["review"]["items"][1]["decision"], "edited");
    use base64::Engine;
    let file = base64::engine::general_purpose::STANDARD
        .decode(kept["file_base64"].as_str().unwrap())
        .unwrap();
    assert_eq!(file, CSV.as_bytes());

    // Deleting takes the file and the review away.
    assert_eq!(
        app.post_as(&format!("{review}/delete"), &viewer)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let asked = app.post_as(&format!("{review}/delete"), &editor).await;
    assert_eq!(asked.status(), StatusCode::OK, "asked first");
    assert_eq!(app.get_as(&review, &editor).await.status(), StatusCode::OK);
    assert_eq!(
        app.post_form(&format!("{review}/delete"), &editor, &[("confirm", "yes")])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.get_as(&review, &editor).await.status(),
        StatusCode::NOT_FOUND
    );

    // A bad file is named on the page, with the cell at fault; nothing is kept.
    let resp = send(
        "answer",
        &editor,
        form(&[], "bad.csv", b"Question,Answer\nQ?,Often\n"),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.text().await.unwrap().contains("row 2, column B"));
    assert!(app.store.questionnaires(&org).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_reviewed_workbook_goes_back_filled_and_imports_again_as_the_same_answers() {
    use candor_domain::model::Verdict;
    let (app, org) = App::quillfeather().await;
    let editor = app.member_as(&org, Role::Editor).await;
    let xlsx = candor_demo::QUESTIONNAIRE_XLSX;
    let upload = |path: &str, fields: &[(&str, &str)], name: &str, bytes: &[u8]| {
        let (content_type, body) = form(fields, name, bytes);
        app.with_cookie(
            reqwest::Method::POST,
            &format!("/admin/orgs/quillfeather/questionnaires/{path}"),
            &editor,
        )
        .header("content-type", content_type)
        .body(body)
        .send()
    };
    let review = review_path(&upload("answer", &[], "acme.xlsx", xlsx).await.unwrap());
    // Unreviewed, nothing is filled in unless the drafts are asked for.
    let blank = app
        .get_as(&format!("{review}/export?format=xlsx"), &editor)
        .await;
    assert_eq!(blank.status(), StatusCode::OK);
    assert_eq!(
        blank.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let read = |bytes: &[u8]| candor_questionnaire::sheet::read("filled.xlsx", bytes).unwrap();
    assert!(
        read(&blank.bytes().await.unwrap())
            .answers
            .iter()
            .all(Option::is_none)
    );

    // Accept every drafted answer.
    let drafted = candor_app::review::get(
        &*app.store,
        app.master.as_deref(),
        &org,
        review.rsplit('/').next().unwrap().parse().unwrap(),
    )
    .await
    .unwrap()
    .review;
    let mut version = 1;
    let mut expected = Vec::new();
    for (index, item) in drafted.items.iter().enumerate() {
        expected.push(item.drafted.draft.verdict);
        if item.drafted.draft.verdict.is_none() {
            continue;
        }
        let resp = app
            .post_form(
                &format!("{review}/review"),
                &editor,
                &[
                    ("version", version.to_string()),
                    ("index", index.to_string()),
                    ("decision", "accept".into()),
                ],
            )
            .await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        version += 1;
    }
    assert!(expected.iter().flatten().count() >= 3, "{expected:?}");
    let filled = app
        .get_as(&format!("{review}/export?format=xlsx"), &editor)
        .await;
    let filled = filled.bytes().await.unwrap();
    let back = read(&filled);
    let answers: Vec<Option<Verdict>> = back
        .answers
        .iter()
        .map(|a| a.as_ref().map(|a| a.0))
        .collect();
    assert_eq!(answers, expected);

    // Re-imported, the filled workbook answers its own questions the same way.
    let imported = upload(
        "import",
        &[("visibility", "internal")],
        "acme-answered.xlsx",
        &filled,
    )
    .await
    .unwrap();
    assert_eq!(imported.status(), StatusCode::OK);
    let again = candor_app::questionnaires::answer(
        &*app.store,
        &org,
        &back,
        true,
        candor_questionnaire::Audience::Internal,
    )
    .await
    .unwrap();
    let again: Vec<Option<Verdict>> = again.answers.iter().map(|a| a.draft.verdict).collect();
    for (i, (was, now)) in expected.iter().zip(&again).enumerate() {
        if was.is_some() {
            assert_eq!(was, now, "question {i}");
        }
    }
}
