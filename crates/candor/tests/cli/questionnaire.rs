//! Questionnaires end to end: the demo's knowledge base published (its public
//! entries only), shown and searchable on the page, a customer's questionnaire
//! answered from the revision with citations the log can check, and an
//! answered questionnaire imported into the draft.

use candor_demo::{QUESTIONNAIRE, QUESTIONNAIRE_XLSX, QUILLFEATHER};
use serde_json::Value;

use crate::harness::{Server, Workspace, path_str};

fn published_demo() -> Workspace {
    let ws = Workspace::new();
    ws.ok(&[
        "org",
        "create",
        "quillfeather",
        "--name",
        "Quillfeather Analytics",
    ]);
    let demo = ws.file("demo.yaml", QUILLFEATHER);
    ws.ok(&["apply", path_str(&demo), "--org", "quillfeather"]);
    ws.ok(&["publish", "--org", "quillfeather"]);
    ws
}

fn answers(ws: &Workspace, args: &[&str]) -> Value {
    let file = ws.file("questionnaire.json", QUESTIONNAIRE);
    answers_from(ws, &file, args)
}

fn answers_from(ws: &Workspace, file: &std::path::Path, args: &[&str]) -> Value {
    let mut all = vec![
        "questionnaire",
        "answer",
        path_str(file),
        "--org",
        "quillfeather",
        "--json",
    ];
    all.extend_from_slice(args);
    serde_json::from_str(&ws.ok(&all)).unwrap()
}

fn answer_to<'a>(answered: &'a Value, id: &str) -> &'a Value {
    answered["answers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap()
}

#[test]
fn a_questionnaire_is_answered_from_the_published_revision_with_checkable_citations() {
    let ws = published_demo();
    let answered = answers(&ws, &[]);
    assert_eq!(answered["source"]["kind"], "revision");
    assert_eq!(answered["source"]["revision"], 1);
    assert_eq!(answered["source"]["log_index"], 0);
    // A yes names the entry it came from, as the revision numbers it.
    let revision = candor_domain::TrustCenter::from_yaml(QUILLFEATHER)
        .unwrap()
        .published();
    let mfa = answer_to(&answered, "AC-1");
    assert_eq!(mfa["verdict"], "yes", "{mfa}");
    let cite = mfa["citations"][0]["cite"].as_str().unwrap();
    let index: usize = cite
        .strip_prefix("knowledge[")
        .and_then(|c| c.strip_suffix(']'))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(revision.knowledge[index].key.as_str(), "mfa-staff");
    // Not certified yet: partial, never yes; not offered: n/a; no: no.
    assert_eq!(answer_to(&answered, "AS-2")["verdict"], "partial");
    assert_eq!(answer_to(&answered, "OT-1")["verdict"], "no");
    assert_eq!(answer_to(&answered, "OT-2")["verdict"], "na");
    // Nothing the org said is about the cafeteria: review, not a guess.
    let off_topic = answer_to(&answered, "OT-3");
    assert_eq!(off_topic["verdict"], Value::Null, "{off_topic}");
    // Every answer cites at least one item.
    for a in answered["answers"].as_array().unwrap() {
        if !a["verdict"].is_null() {
            assert!(!a["citations"].as_array().unwrap().is_empty(), "{a}");
        }
    }
    // The text form says where the answers come from.
    let file = ws.file("q.json", QUESTIONNAIRE);
    let text = ws.ok(&[
        "questionnaire",
        "answer",
        path_str(&file),
        "--org",
        "quillfeather",
    ]);
    assert!(
        text.contains("answered from revision 1 (log entry 0, sha256:"),
        "{text}"
    );
}

#[test]
fn gated_and_internal_entries_stay_out_of_revisions_pages_and_customer_answers() {
    let ws = published_demo();
    let server = Server::start(&ws, &[]);
    let (status, json) = server.get("/quillfeather/trust.json");
    assert_eq!(status, 200);
    let (_, page) = server.get("/quillfeather");
    for secret in [
        "insurance-limit",
        "cyber insurance",
        "background checks performed on employees before hiring",
    ] {
        assert!(!json.contains(secret), "trust.json publishes {secret}");
        assert!(!page.contains(secret), "the page shows {secret}");
    }
    // Public entries are on the page, and searchable without script.
    assert!(
        page.contains("id=\"knowledge-mfa-staff\""),
        "no knowledge section"
    );
    let (status, found) = server.get("/quillfeather/questions?q=encrypted+at+rest");
    assert_eq!(status, 200);
    assert!(
        found.contains("Is customer data encrypted at rest?"),
        "{found}"
    );
    assert!(found.contains("revision 1, entry 0"), "{found}");
    let (_, none) = server.get("/quillfeather/questions?q=insurance");
    assert!(!none.contains("cyber insurance"), "{none}");
    let (status, _) = server.get("/nobody/questions?q=x");
    assert_eq!(status, 404);
    server.terminate();

    // The org's own review, from the draft, may cite its internal entries; a
    // customer's answers from the draft may not.
    let file = ws.file(
        "insurance.json",
        r#"{"name":"Insurer","sections":[{"name":"Insurance","questions":[
        {"id":"1","question":"What is the limit of your cyber insurance policy?"}]}]}"#,
    );
    let ask = |audience: &str| -> Value {
        let out = ws.ok(&[
            "questionnaire",
            "answer",
            path_str(&file),
            "--org",
            "quillfeather",
            "--json",
            "--draft",
            "--audience",
            audience,
        ]);
        serde_json::from_str(&out).unwrap()
    };
    let internal = ask("internal");
    assert_eq!(internal["source"]["kind"], "draft");
    assert_eq!(internal["answers"][0]["verdict"], "yes", "{internal}");
    let customer = ask("customer");
    assert_eq!(customer["answers"][0]["verdict"], Value::Null, "{customer}");
    assert!(
        !customer.to_string().contains("Internal only"),
        "{customer}"
    );
}

#[test]
fn an_answered_questionnaire_is_imported_into_the_draft_whole_or_not_at_all() {
    let ws = published_demo();
    let answered = ws.file("vendor.json", r#"{"name":"Vendor review 2026","sections":[{"name":"Ops","questions":[
        {"id":"OPS-1","question":"Do you run a 24/7 on-call rotation for production incidents?","answer":"Yes","explanation":"Two engineers are on call at all times."},
        {"id":"OPS-2","question":"Do you have a dedicated security operations centre?","answer":"No","explanation":"Alerts go to the on-call engineers."},
        {"id":"OPS-3","question":"Unanswered question?"}]}]}"#);
    let import = |file: &std::path::Path| {
        ws.ok(&[
            "questionnaire",
            "import",
            path_str(file),
            "--org",
            "quillfeather",
        ])
    };
    let out = import(&answered);
    assert!(out.contains("2 added, 0 replaced"), "{out}");
    let draft = candor_domain::TrustCenter::from_yaml(&ws.export("quillfeather")).unwrap();
    let imported = draft
        .knowledge
        .iter()
        .find(|k| k.key.as_str() == "vendor-ops-1")
        .unwrap();
    assert_eq!(
        imported.visibility,
        candor_domain::model::Visibility::Internal
    );
    assert_eq!(
        imported.source.as_ref().unwrap().as_str(),
        "Vendor review 2026, Ops, OPS-1"
    );
    // Internal entries change the draft but not what publishing would publish.
    let out = ws.ok(&["publish", "--org", "quillfeather"]);
    assert!(out.contains("nothing to publish"), "{out}");
    // Again: replaced, not doubled.
    let out = import(&answered);
    assert!(out.contains("0 added, 2 replaced"), "{out}");

    // The same from a customer's CSV, found by its headings.
    let csv = ws.file(
        "acme.csv",
        "Acme vendor review,,,\nRef,Question,Response,Comments\nA-1,Do you keep a hardware asset inventory?,Yes,Reconciled monthly\n",
    );
    let out = import(&csv);
    assert!(out.contains("1 added, 0 replaced"), "{out}");
    let draft = candor_domain::TrustCenter::from_yaml(&ws.export("quillfeather")).unwrap();
    assert!(draft.knowledge.iter().any(|k| k.key.as_str() == "acme-a-1"));

    // A bad answer is refused with its place, and the draft is untouched.
    let before = ws.export("quillfeather");
    let bad = ws.file("bad.json", r#"{"name":"x","sections":[{"name":"A","questions":[
        {"id":"1","question":"Q?","answer":"yes"},{"id":"2","question":"Q2?","answer":"sometimes"}]}]}"#);
    let out = ws.candor(&[
        "questionnaire",
        "import",
        path_str(&bad),
        "--org",
        "quillfeather",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sections[0].questions[1].answer"), "{err}");
    let not_json = ws.file("not.json", "PK\u{3}\u{4} not a questionnaire");
    let out = ws.candor(&[
        "questionnaire",
        "import",
        path_str(&not_json),
        "--org",
        "quillfeather",
    ]);
    assert!(!out.status.success());
    assert_eq!(ws.export("quillfeather"), before);
}

#[test]
fn the_customers_workbook_comes_back_filled_and_openpyxl_reads_it() {
    let ws = published_demo();
    let original = ws.dir.path().join("acme.xlsx");
    std::fs::write(&original, QUESTIONNAIRE_XLSX).unwrap();
    let filled = ws.dir.path().join("filled.xlsx");
    ws.ok(&[
        "questionnaire",
        "answer",
        path_str(&original),
        "--org",
        "quillfeather",
        "-o",
        path_str(&filled),
    ]);
    // openpyxl (not Candor's reader) reads the answers, the drop-down, the formula
    // and the untouched cover sheet.
    let script = "import json, sys, openpyxl\n\
        wb = openpyxl.load_workbook(sys.argv[1])\n\
        ws = wb['Questions']\n\
        rows = {r[0].value: [c.value for c in r] for r in ws.iter_rows(min_row=4) if r[0].value}\n\
        dv = [(d.formula1, str(d.sqref)) for d in ws.data_validations.dataValidation]\n\
        print(json.dumps({'sheets': wb.sheetnames, 'rows': rows, 'dv': dv, 'cover': wb['Cover']['A2'].value, 'bold': ws['A3'].font.b}))\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script, path_str(&filled)])
        .output()
        .expect("python3 with openpyxl (scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(seen["sheets"], serde_json::json!(["Cover", "Questions"]));
    let row = |id: &str| seen["rows"][id].clone();
    assert_eq!(row("AC-1")[2], "Yes");
    let comment = row("AC-1")[3].as_str().unwrap_or_default().to_owned();
    assert!(
        comment.contains("knowledge[0]") && comment.contains("revision 1, log entry 0"),
        "{comment}"
    );
    // The answer in the sheet's own word for it, from its drop-down.
    assert_eq!(row("AS-2")[2], "Partially");
    assert_eq!(row("OT-2")[2], "Not applicable");
    // Needs review: left blank for the reviewer.
    assert_eq!(row("OT-3")[2], Value::Null);
    assert_eq!(row("OT-3")[3], Value::Null);
    assert_eq!(row("AC-1")[4], "=LEN(B5)");
    assert_eq!(seen["dv"][0][0], "\"Yes,No,Partially,Not applicable\"");
    assert_eq!(
        seen["cover"],
        "Answer every question on the Questions sheet; use the drop-down."
    );
    assert_eq!(seen["bold"], true);
    // CSV for anyone, one row per question: the same answers read back.
    let json_in = ws.file("q.json", QUESTIONNAIRE);
    let csv = ws.dir.path().join("answers.csv");
    for (input, output) in [(&original, &csv), (&json_in, &csv)] {
        ws.ok(&[
            "questionnaire",
            "answer",
            path_str(input),
            "--org",
            "quillfeather",
            "-o",
            path_str(output),
        ]);
        let back = candor_questionnaire::sheet::read("answers.csv", &std::fs::read(&csv).unwrap())
            .unwrap();
        let answered: Value = serde_json::from_str(&ws.ok(&[
            "questionnaire",
            "answer",
            path_str(input),
            "--org",
            "quillfeather",
            "--json",
        ]))
        .unwrap();
        let verdicts: Vec<Value> = back
            .answers
            .iter()
            .map(|a| a.as_ref().map_or(Value::Null, |a| a.0.as_str().into()))
            .collect();
        let expected: Vec<Value> = answered["answers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["verdict"].clone())
            .collect();
        assert_eq!(verdicts, expected);
    }
    // A workbook can only come from a workbook.
    let out = ws.candor(&[
        "questionnaire",
        "answer",
        path_str(&json_in),
        "--org",
        "quillfeather",
        "-o",
        path_str(&filled),
    ]);
    assert!(!out.status.success());
}

/// With the sentence model (scripts/test.sh fetches it): the demo's answers
/// stand, a question that shares almost no words with the entry it needs is
/// answered from that entry, and a directory without a model is refused
/// before anything runs.
#[test]
fn a_sentence_model_finds_sources_in_other_words() {
    let model = std::env::var("CANDOR_TEST_SENTENCE_MODEL").expect(
        "CANDOR_TEST_SENTENCE_MODEL is not set: run scripts/test.sh, which fetches the model",
    );
    let ws = published_demo();
    let answered = answers(&ws, &["--sentence-model", &model]);
    assert_eq!(answer_to(&answered, "AC-1")["verdict"], "yes");
    assert_eq!(answer_to(&answered, "AS-2")["verdict"], "partial");
    assert_eq!(answer_to(&answered, "OT-1")["verdict"], "no");
    assert_eq!(answer_to(&answered, "OT-2")["verdict"], "na");
    let off_topic = answer_to(&answered, "OT-3");
    assert_eq!(off_topic["verdict"], Value::Null, "{off_topic}");

    let file = ws.file("paraphrases.json", PARAPHRASES);
    let words = answers_from(&ws, &file, &[]);
    let meaning = answers_from(&ws, &file, &["--sentence-model", &model]);
    let revision = candor_domain::TrustCenter::from_yaml(QUILLFEATHER)
        .unwrap()
        .published();
    for (id, key) in PARAPHRASED {
        assert_eq!(answer_to(&words, id)["verdict"], Value::Null, "{words}");
        let a = answer_to(&meaning, id);
        assert_eq!(a["verdict"], "yes", "{a}");
        let index = revision
            .knowledge
            .iter()
            .position(|k| k.key.as_str() == *key)
            .unwrap();
        let cite = format!("knowledge[{index}]");
        assert!(
            a["citations"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["cite"] == cite.as_str()),
            "{a}"
        );
    }
    // "Not applicable" from a neighbouring item (PCI DSS: no card data) is not
    // an answer to whether files are encrypted on disk.
    let disks = answer_to(&meaning, "P-3");
    assert_ne!(disks["verdict"], "na", "{disks}");

    // The workspace's own directory holds no model.
    let empty = ws.file("readme.txt", "");
    let out = ws.candor(&[
        "questionnaire",
        "answer",
        path_str(&file),
        "--org",
        "quillfeather",
        "--sentence-model",
        path_str(empty.parent().unwrap()),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("loading the sentence model") && err.contains("config.json"),
        "{err}"
    );
}

const PARAPHRASES: &str = r#"{"name": "paraphrases", "sections": [{"name": "S", "questions": [
 {"id": "P-3", "question": "Are customer files kept in enciphered form on your disks?"},
 {"id": "P-11", "question": "Is a one-time code from an authenticator app required for employee logins?"}
]}]}"#;

/// Questions answered only by meaning, with the knowledge entry each must cite.
const PARAPHRASED: &[(&str, &str)] = &[("P-11", "mfa-staff")];
