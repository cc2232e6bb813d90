//! Questionnaires as customers send them: XLSX workbooks (CSA CAIQ, HECVAT,
//! VSA and home-made ones) and CSV files. The header row and the question, id,
//! answer and explanation columns are found by their headings; a row with text
//! only in its first cells and no question is a section heading. A file that is
//! not a questionnaire is refused with the sheet, row and column at fault, and
//! nothing of it is used.

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};

use crate::json::Questionnaire;
use crate::model::{Question, Verdict};

/// The largest file read, compressed.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// What an XLSX file may expand to: more is a zip bomb, not a questionnaire.
pub const MAX_EXPANDED_BYTES: u64 = 200 * 1024 * 1024;
/// Questions in one file: the longest real questionnaires (SIG) have ~1,500.
pub const MAX_QUESTIONS: usize = 10_000;
/// Rows scanned per sheet; a sheet with more is refused.
pub const MAX_ROWS: usize = 20_000;
/// How far down a sheet the header row is looked for.
const HEADER_SEARCH_ROWS: usize = 40;

#[derive(Debug, PartialEq, thiserror::Error)]
pub enum SheetError {
    #[error("not a questionnaire: {0}")]
    NotAQuestionnaire(String),
    #[error("the file is larger than {} MiB", MAX_FILE_BYTES / (1024 * 1024))]
    TooLarge,
    #[error("the workbook expands to more than {} MiB: refused as a zip bomb", MAX_EXPANDED_BYTES / (1024 * 1024))]
    ZipBomb,
    #[error(
        "no sheet has a question column (a heading such as \"Question\" in its first {HEADER_SEARCH_ROWS} rows)"
    )]
    NoQuestionColumn,
    #[error("sheet {sheet:?} has {rows} rows, more than the {MAX_ROWS} a questionnaire may have")]
    TooManyRows { sheet: String, rows: usize },
    #[error("more than {MAX_QUESTIONS} questions")]
    TooManyQuestions,
    #[error("sheet {sheet:?}, row {row}, column {column}: {message}")]
    Cell {
        sheet: String,
        row: u32,
        column: String,
        message: String,
    },
}

/// A cell's text as the sheet shows it.
fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.trim().to_owned(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Empty | Data::Error(_) => String::new(),
        other => other.to_string().trim().to_owned(),
    }
}

/// Spreadsheet column letters for a 0-based index: 0 → A, 26 → AA.
pub fn column_name(mut index: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

/// Reads a questionnaire from the bytes of an XLSX, CSV or JSON file.
pub fn read(name: &str, bytes: &[u8]) -> Result<Questionnaire, SheetError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(SheetError::TooLarge);
    }
    let trimmed = bytes.iter().position(|b| !b.is_ascii_whitespace());
    match trimmed.map(|i| bytes[i]) {
        _ if bytes.starts_with(b"PK\x03\x04") => read_xlsx(name, bytes),
        Some(b'{') => Questionnaire::from_json(bytes)
            .map_err(|e| SheetError::NotAQuestionnaire(e.to_string())),
        _ if bytes.starts_with(b"\xD0\xCF\x11\xE0") => Err(SheetError::NotAQuestionnaire(
            "an old binary Excel file (.xls): save it as .xlsx".into(),
        )),
        _ => read_csv(name, bytes),
    }
}

/// Expands every member of the archive once, counting, before calamine reads it.
pub(crate) fn check_expansion(bytes: &[u8]) -> Result<(), SheetError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| SheetError::NotAQuestionnaire(format!("not a valid XLSX (zip) file: {e}")))?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut member = archive
            .by_index(i)
            .map_err(|e| SheetError::NotAQuestionnaire(format!("unreadable workbook: {e}")))?;
        let left = MAX_EXPANDED_BYTES.saturating_sub(total) + 1;
        let read = std::io::copy(&mut (&mut member).take(left), &mut std::io::sink())
            .map_err(|e| SheetError::NotAQuestionnaire(format!("unreadable workbook: {e}")))?;
        total += read;
        if total > MAX_EXPANDED_BYTES {
            return Err(SheetError::ZipBomb);
        }
    }
    Ok(())
}

fn read_xlsx(name: &str, bytes: &[u8]) -> Result<Questionnaire, SheetError> {
    check_expansion(bytes)?;
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| SheetError::NotAQuestionnaire(format!("not a readable XLSX workbook: {e}")))?;
    let mut questions = Vec::new();
    let mut answers = Vec::new();
    let mut found_any = false;
    let mut columns = Vec::new();
    for sheet in workbook.sheet_names() {
        let range = workbook
            .worksheet_range(&sheet)
            .map_err(|e| SheetError::NotAQuestionnaire(format!("sheet {sheet:?}: {e}")))?;
        let (rows, _) = range.get_size();
        if rows > MAX_ROWS {
            return Err(SheetError::TooManyRows { sheet, rows });
        }
        // Row and column numbers as the sheet shows them, wherever the data starts.
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        let grid: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(text).collect()).collect();
        let formulas = workbook.worksheet_formula(&sheet).ok();
        let Some(layout) = Layout::find(&grid) else {
            continue;
        };
        found_any = true;
        if let Some(formulas) = &formulas {
            for cell in formulas.used_cells() {
                let (r, c, f) = cell;
                let row = r as u32 + formulas.start().map_or(0, |s| s.0);
                let col = c as u32 + formulas.start().map_or(0, |s| s.1);
                let in_data_row = row > first_row + layout.header as u32;
                let in_read_column = [Some(layout.question), layout.answer, layout.id]
                    .into_iter()
                    .flatten()
                    .any(|k| k as u32 + first_col == col);
                if in_data_row && in_read_column && !f.is_empty() {
                    return Err(SheetError::Cell {
                        sheet,
                        row: row + 1,
                        column: column_name(col as usize),
                        message: format!(
                            "a formula (={f}); questions and answers are read as written, not computed"
                        ),
                    });
                }
            }
        }
        layout.read(
            &sheet,
            &grid,
            first_row,
            first_col,
            &mut questions,
            &mut answers,
        )?;
        columns.push(crate::fill::AnswerColumns {
            sheet: sheet.clone(),
            answer: layout.answer.map(|c| c as u32 + first_col),
            comment: layout.explanation.map(|c| c as u32 + first_col),
        });
        if questions.len() > MAX_QUESTIONS {
            return Err(SheetError::TooManyQuestions);
        }
    }
    if !found_any {
        return Err(SheetError::NoQuestionColumn);
    }
    Ok(Questionnaire {
        name: stem(name),
        questions,
        answers,
        columns,
    })
}

fn read_csv(name: &str, bytes: &[u8]) -> Result<Questionnaire, SheetError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| SheetError::NotAQuestionnaire("neither XLSX, JSON nor UTF-8 CSV".into()))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut grid = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| SheetError::Cell {
            sheet: "CSV".into(),
            row: i as u32 + 1,
            column: "A".into(),
            message: e.to_string(),
        })?;
        if grid.len() >= MAX_ROWS {
            return Err(SheetError::TooManyRows {
                sheet: "CSV".into(),
                rows: MAX_ROWS + 1,
            });
        }
        grid.push(
            record
                .iter()
                .map(|c| c.trim().to_owned())
                .collect::<Vec<_>>(),
        );
    }
    let layout = Layout::find(&grid).ok_or(SheetError::NoQuestionColumn)?;
    let mut questions = Vec::new();
    let mut answers = Vec::new();
    layout.read("CSV", &grid, 0, 0, &mut questions, &mut answers)?;
    if questions.len() > MAX_QUESTIONS {
        return Err(SheetError::TooManyQuestions);
    }
    Ok(Questionnaire {
        name: stem(name),
        questions,
        answers,
        columns: Vec::new(),
    })
}

fn stem(name: &str) -> String {
    std::path::Path::new(name)
        .file_stem()
        .map_or_else(|| name.to_owned(), |s| s.to_string_lossy().into_owned())
}

/// Where a sheet keeps what is read: the header row and the columns (0-based,
/// relative to the sheet's used range).
#[derive(Debug, PartialEq)]
struct Layout {
    header: usize,
    question: usize,
    id: Option<usize>,
    answer: Option<usize>,
    explanation: Option<usize>,
    section: Option<usize>,
}

/// How well a heading names a role (0: not at all); the best-scoring heading wins.
fn score(heading: &str, role: Role) -> u32 {
    let h = heading.to_lowercase();
    let has = |w: &str| h.contains(w);
    match role {
        Role::Question => match () {
            _ if has("questionnaire") || h.len() > 60 => 0,
            _ if has("question") && !has("id") && !has("number") => 3,
            _ if has("requirement") || has("control specification") => 2,
            _ => 0,
        },
        Role::Id => match () {
            _ if h == "id" || h == "#" || h == "no." || h == "ref" || h == "ref." => 3,
            _ if has("question id") || has("id") && h.len() <= 20 => 2,
            _ if has("number") || has("ref") => 1,
            _ => 0,
        },
        Role::Answer => match () {
            _ if has("answer") && !has("additional") => 3,
            _ if has("response") && !has("comment") && !has("additional") => 2,
            _ if has("yes/no") || h == "status" => 1,
            _ => 0,
        },
        Role::Explanation => match () {
            _ if has("explanation") || has("comment") || has("additional") => 3,
            _ if has("implementation description") || has("notes") || has("justification") => 2,
            _ if has("details") || has("description") && !has("question") => 1,
            _ => 0,
        },
        Role::Section => match () {
            _ if h == "section" || h == "domain" || h == "category" || h == "control domain" => 2,
            _ if has("domain") => 1,
            _ => 0,
        },
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Role {
    Question,
    Id,
    Answer,
    Explanation,
    Section,
}

impl Layout {
    /// The first row (within the first rows of the sheet) with a question heading.
    fn find(grid: &[Vec<String>]) -> Option<Layout> {
        for (r, row) in grid.iter().enumerate().take(HEADER_SEARCH_ROWS) {
            // A header names several columns; a title stands alone (a sheet of
            // questions only may have a lone, short "Question" heading).
            let filled: Vec<&String> = row.iter().filter(|c| !c.is_empty()).collect();
            if filled.len() < 2 && filled.first().is_none_or(|h| h.len() > 30) {
                continue;
            }
            let best = |role: Role, taken: &[usize]| {
                row.iter()
                    .enumerate()
                    .filter(|(c, _)| !taken.contains(c))
                    .map(|(c, h)| (score(h, role), c))
                    .filter(|(s, _)| *s > 0)
                    .max_by_key(|(s, c)| (*s, std::cmp::Reverse(*c)))
                    .map(|(_, c)| c)
            };
            let Some(question) = best(Role::Question, &[]) else {
                continue;
            };
            let answer = best(Role::Answer, &[question]);
            let mut taken = vec![question];
            taken.extend(answer);
            let id = best(Role::Id, &taken);
            taken.extend(id);
            let explanation = best(Role::Explanation, &taken);
            taken.extend(explanation);
            let section = best(Role::Section, &taken);
            return Some(Layout {
                header: r,
                question,
                id,
                answer,
                explanation,
                section,
            });
        }
        None
    }

    fn read(
        &self,
        sheet: &str,
        grid: &[Vec<String>],
        first_row: u32,
        first_col: u32,
        questions: &mut Vec<Question>,
        answers: &mut Vec<Option<(Verdict, String)>>,
    ) -> Result<(), SheetError> {
        let cell = |row: &[String], c: Option<usize>| -> String {
            c.and_then(|c| row.get(c)).cloned().unwrap_or_default()
        };
        let mut section = String::new();
        for (r, row) in grid.iter().enumerate().skip(self.header + 1) {
            let sheet_row = first_row + r as u32 + 1;
            let question = cell(row, Some(self.question));
            if question.is_empty() {
                // A heading row: the first non-empty cell names the section.
                if let Some(heading) = row.iter().find(|c| !c.is_empty()) {
                    section = heading.clone();
                }
                continue;
            }
            let id = match cell(row, self.id) {
                id if id.is_empty() => format!("{sheet}!{sheet_row}"),
                id => id,
            };
            let answer = cell(row, self.answer);
            let verdict = match answer.as_str() {
                "" => None,
                text => Some(Verdict::parse(text).ok_or_else(|| SheetError::Cell {
                    sheet: sheet.to_owned(),
                    row: sheet_row,
                    column: column_name(first_col as usize + self.answer.unwrap_or(0)),
                    message: format!("{text:?} is not yes, no, partial or n/a"),
                })?),
            };
            let explanation = cell(row, self.explanation);
            answers.push(verdict.map(|v| (v, explanation)));
            let section = match cell(row, self.section) {
                s if s.is_empty() => section.clone(),
                s => s,
            };
            questions.push(Question {
                id,
                section,
                text: question,
                sheet: Some(sheet.to_owned()),
                row: Some(sheet_row),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_as_spreadsheets_name_them() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27 * 26), "AAA");
    }

    #[test]
    fn a_csv_is_read_by_its_headings_with_sections_and_rows() {
        let csv = "Vendor security review,,,\n\
                   ,,,\n\
                   Question ID,Question,Answer,Comments\n\
                   Access control,,,\n\
                   AC-1,Do you enforce MFA?,Yes,For every employee\n\
                   AC-2,\"Do you review access, quarterly?\",N/A,\n\
                   Data,,,\n\
                   DP-1,Is data encrypted at rest?,,\n";
        let q = read("review.csv", csv.as_bytes()).unwrap();
        assert_eq!(q.name, "review");
        let ids: Vec<&str> = q.questions.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, ["AC-1", "AC-2", "DP-1"]);
        assert_eq!(q.questions[1].text, "Do you review access, quarterly?");
        assert_eq!(q.questions[2].section, "Data");
        assert_eq!(q.questions[0].row, Some(5));
        assert_eq!(
            q.answers[0],
            Some((Verdict::Yes, "For every employee".into()))
        );
        assert_eq!(q.answers[1], Some((Verdict::NotApplicable, String::new())));
        assert_eq!(q.answers[2], None);
    }

    #[test]
    fn bad_files_name_their_fault() {
        let no_question = "Name,Value\nA,B\n";
        assert_eq!(
            read("x.csv", no_question.as_bytes()).err(),
            Some(SheetError::NoQuestionColumn)
        );
        let bad_answer = "Question,Answer\nQ1?,Yes\nQ2?,Sometimes\n";
        assert_eq!(
            read("x.csv", bad_answer.as_bytes())
                .err()
                .map(|e| e.to_string()),
            Some(
                r#"sheet "CSV", row 3, column B: "Sometimes" is not yes, no, partial or n/a"#
                    .into()
            )
        );
        assert!(matches!(
            read("x.xls", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"),
            Err(SheetError::NotAQuestionnaire(_))
        ));
        assert!(matches!(
            read("x.xlsx", b"PK\x03\x04 truncated"),
            Err(SheetError::NotAQuestionnaire(_))
        ));
        assert!(matches!(
            read("x.csv", &[0xff, 0xfe, 0x00]),
            Err(SheetError::NotAQuestionnaire(_))
        ));
    }

    /// A workbook of one sheet `name` with these rows (a `=` cell is a formula).
    fn workbook(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        for (name, rows) in sheets {
            let sheet = book.add_worksheet();
            sheet.set_name(*name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    let (r, c) = (r as u32, c as u16);
                    if cell.starts_with('=') {
                        sheet.write_formula(r, c, *cell).unwrap();
                    } else if !cell.is_empty() {
                        sheet.write_string(r, c, *cell).unwrap();
                    }
                }
            }
        }
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn each_layout_is_read_by_its_headings() {
        // CSA CAIQ v4: a title block, then its own column names.
        let caiq = workbook(&[(
            "CAIQv4.0.3",
            &[
                &["Consensus Assessments Initiative Questionnaire v4.0.3"],
                &[],
                &[
                    "Question ID",
                    "Question",
                    "CSP CAIQ Answer",
                    "SSRM Control Ownership",
                    "CSP Implementation Description (Optional/Recommended)",
                    "CCM Control ID",
                    "CCM Control Specification",
                    "CCM Domain Title",
                ],
                &[
                    "A&A-01.1",
                    "Are audit policies established?",
                    "Yes",
                    "CSP-owned",
                    "ISMS policy, reviewed yearly.",
                    "A&A-01",
                    "Establish...",
                    "Audit & Assurance",
                ],
                &[
                    "A&A-02.1",
                    "Are independent audits conducted annually?",
                    "No",
                    "CSP-owned",
                    "Not yet.",
                    "A&A-02",
                    "Conduct...",
                    "Audit & Assurance",
                ],
            ],
        )]);
        let q = read("caiq.xlsx", &caiq).unwrap();
        assert_eq!(q.questions.len(), 2);
        assert_eq!(q.questions[0].id, "A&A-01.1");
        assert_eq!(q.questions[0].section, "Audit & Assurance");
        assert_eq!(
            (q.questions[1].sheet.as_deref(), q.questions[1].row),
            (Some("CAIQv4.0.3"), Some(5))
        );
        assert_eq!(q.answers[1], Some((Verdict::No, "Not yet.".into())));

        // HECVAT: several sheets; answers under "Vendor Answers", notes under
        // "Additional Information"; the instructions sheet has no questions.
        let hecvat = workbook(&[
            (
                "Instructions",
                &[&["Read me first"], &["Fill in every sheet."]],
            ),
            (
                "Documentation",
                &[
                    &[
                        "ID",
                        "Question",
                        "Vendor Answers",
                        "Additional Information",
                        "Guidance",
                    ],
                    &[
                        "DOCU-01",
                        "Have you undergone a SSAE 18 / SOC 2 audit?",
                        "Yes",
                        "Type II, 2026",
                        "...",
                    ],
                ],
            ),
            (
                "Data",
                &[
                    &["ID", "Question", "Vendor Answers", "Additional Information"],
                    &["DATA-01", "Is data encrypted at rest?", "", ""],
                ],
            ),
        ]);
        let q = read("hecvat.xlsx", &hecvat).unwrap();
        let ids: Vec<&str> = q.questions.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, ["DOCU-01", "DATA-01"]);
        assert_eq!(q.answers[0], Some((Verdict::Yes, "Type II, 2026".into())));
        assert_eq!(q.questions[1].sheet.as_deref(), Some("Data"));

        // VSA: "#", section rows between the questions.
        let vsa = workbook(&[(
            "VSA Core",
            &[
                &["#", "Question", "Answer", "Comment"],
                &["Data Protection"],
                &["DP-1", "Do you encrypt backups?", "N/A", "No backups kept"],
            ],
        )]);
        let q = read("vsa.xlsx", &vsa).unwrap();
        assert_eq!(
            (q.questions[0].id.as_str(), q.questions[0].section.as_str()),
            ("DP-1", "Data Protection")
        );

        // Free-form: no id column; ids are the sheet and row.
        let own = workbook(&[(
            "Security",
            &[
                &["Security question", "Response", "Notes"],
                &["Do you have a SOC 2 report?", "", ""],
            ],
        )]);
        let q = read("ours.xlsx", &own).unwrap();
        assert_eq!(q.questions[0].id, "Security!2");
        assert_eq!(q.answers[0], None);
    }

    #[test]
    fn formulas_where_questions_or_answers_are_read_are_refused_with_their_cell() {
        let book = workbook(&[(
            "Q",
            &[
                &["Question", "Answer", "Score"],
                &["Is MFA enforced?", "Yes", "=1+1"],
                &["Is data encrypted?", "=IF(1,\"Yes\",\"No\")", ""],
            ],
        )]);
        let err = read("f.xlsx", &book)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.starts_with("sheet \"Q\", row 3, column B: a formula"),
            "{err}"
        );
    }

    #[test]
    fn a_workbook_without_questions_or_with_too_many_rows_is_refused() {
        let book = workbook(&[("Notes", &[&["Name", "Value"], &["a", "b"]])]);
        assert_eq!(
            read("n.xlsx", &book).err(),
            Some(SheetError::NoQuestionColumn)
        );
        let mut rows: Vec<Vec<String>> = vec![vec!["Question".into()]];
        rows.extend((0..MAX_ROWS + 1).map(|i| vec![format!("Q{i}?")]));
        let rows: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
        let big = workbook(&[("Big", &rows)]);
        assert!(matches!(
            read("big.xlsx", &big),
            Err(SheetError::TooManyRows { .. })
        ));
    }

    #[test]
    fn a_zip_bomb_is_refused_before_it_is_expanded() {
        // One member of zeros that expands past the limit, compressed to little.
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
        let chunk = vec![0u8; 1 << 20];
        for _ in 0..(MAX_EXPANDED_BYTES >> 20) + 1 {
            std::io::Write::write_all(&mut zip, &chunk).unwrap();
        }
        let bytes = zip.finish().unwrap().into_inner();
        assert!(bytes.len() < 1 << 20, "the bomb is small: {}", bytes.len());
        assert_eq!(read("bomb.xlsx", &bytes).err(), Some(SheetError::ZipBomb));
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_give_a_questionnaire_or_an_error(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048)) {
            let _ = read("any.csv", &bytes);
            let mut zipped = b"PK\x03\x04".to_vec();
            zipped.extend_from_slice(&bytes);
            let _ = read("any.xlsx", &zipped);
        }

        #[test]
        fn csv_questions_come_back_in_order(texts in proptest::collection::vec("[A-Za-z][A-Za-z ,?]{0,40}", 1..30)) {
            let mut csv = String::from("ID,Question,Answer\n");
            for (i, t) in texts.iter().enumerate() {
                csv.push_str(&format!("Q{i},\"{t}\",yes\n"));
            }
            let q = read("p.csv", csv.as_bytes()).unwrap();
            let read: Vec<String> = q.questions.iter().map(|q| q.text.clone()).collect();
            let expected: Vec<String> = texts.iter().map(|t| t.trim().to_owned()).collect();
            proptest::prop_assert_eq!(read, expected);
        }
    }
}
