//! Answers written out for a customer who did not send a workbook: CSV, one row
//! per question, and the JSON layout of [`crate::json`]. Both read back (with
//! [`crate::sheet::read`] and [`crate::json::Questionnaire::from_json`]) as the
//! same questions and answers.

use serde_json::{Value, json};

use crate::model::Verdict;

/// Writing CSV failed (only on a writer error: rows themselves cannot be invalid).
pub use csv::Error as CsvError;

/// One question and its answer as exported; no verdict: left blank (needs review).
pub struct Row<'a> {
    pub id: &'a str,
    pub section: &'a str,
    pub question: &'a str,
    pub verdict: Option<Verdict>,
    pub explanation: &'a str,
    /// Where the answer comes from, e.g. `controls[3] "Encryption at rest" of revision 4, log entry 3`.
    pub sources: String,
}

/// Spreadsheet programs run a cell that starts with one of these as a formula:
/// such text gets a leading apostrophe, which they show as text.
pub fn inert(cell: &str) -> String {
    match cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        true => format!("'{cell}"),
        false => cell.to_owned(),
    }
}

/// The rows as CSV with the headings ID, Section, Question, Answer, Explanation, Sources.
pub fn csv(rows: &[Row<'_>]) -> Result<Vec<u8>, CsvError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "ID",
        "Section",
        "Question",
        "Answer",
        "Explanation",
        "Sources",
    ])?;
    for row in rows {
        let answer = row.verdict.map_or("", Verdict::label);
        out.write_record([
            inert(row.id),
            inert(row.section),
            inert(row.question),
            answer.to_owned(),
            inert(row.explanation),
            inert(&row.sources),
        ])?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// The rows as a questionnaire in the JSON layout, each section once, in order of
/// first appearance.
pub fn json(name: &str, rows: &[Row<'_>]) -> Value {
    let mut sections: Vec<(&str, Vec<Value>)> = Vec::new();
    for row in rows {
        let question = json!({
            "id": row.id,
            "question": row.question,
            "answer": row.verdict.map(Verdict::as_str),
            "explanation": row.explanation,
            "sources": row.sources,
        });
        match sections.iter_mut().find(|(s, _)| *s == row.section) {
            Some((_, questions)) => questions.push(question),
            None => sections.push((row.section, vec![question])),
        }
    }
    let sections: Vec<Value> = sections
        .into_iter()
        .map(|(name, questions)| json!({"name": name, "questions": questions}))
        .collect();
    json!({"name": name, "sections": sections})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Questionnaire;

    fn rows() -> Vec<Row<'static>> {
        vec![
            Row {
                id: "A-1",
                section: "Access",
                question: "Is MFA required?",
                verdict: Some(Verdict::Yes),
                explanation: "For every employee.",
                sources: "controls[0] \"MFA\"".into(),
            },
            Row {
                id: "A-2",
                section: "Access",
                question: "=HYPERLINK(\"http://x\")",
                verdict: None,
                explanation: "",
                sources: String::new(),
            },
            Row {
                id: "B-1",
                section: "Backups",
                question: "Are backups tested?",
                verdict: Some(Verdict::Partial),
                explanation: "Yearly.",
                sources: String::new(),
            },
        ]
    }

    #[test]
    fn csv_reads_back_as_the_same_answers_and_runs_no_formula() {
        let bytes = csv(&rows()).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.contains("\"'=HYPERLINK"), "{text}");
        let back = crate::sheet::read("answers.csv", &bytes).unwrap();
        let ids: Vec<&str> = back.questions.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, ["A-1", "A-2", "B-1"]);
        assert_eq!(back.questions[2].section, "Backups");
        assert_eq!(
            back.answers,
            vec![
                Some((Verdict::Yes, "For every employee.".into())),
                None,
                Some((Verdict::Partial, "Yearly.".into())),
            ]
        );
    }

    #[test]
    fn json_reads_back_as_the_same_answers() {
        let value = json("Acme review", &rows());
        let back = Questionnaire::from_json(value.to_string().as_bytes()).unwrap();
        assert_eq!(back.name, "Acme review");
        assert_eq!(back.questions.len(), 3);
        assert_eq!(back.questions[2].section, "Backups");
        assert_eq!(
            back.answers[0],
            Some((Verdict::Yes, "For every employee.".into()))
        );
        assert_eq!(back.answers[1], None);
    }
}
