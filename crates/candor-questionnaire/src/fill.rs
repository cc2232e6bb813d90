//! Filling a customer's own workbook: the answers go into its answer column,
//! in the words of its drop-down list when it has one, and the explanation with
//! the citation into its comment column. Only those cells are rewritten (as
//! inline strings, keeping each cell's style); every other part of the file —
//! other sheets, formatting, drop-downs, formulas — is copied byte for byte.

use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read, Write};

use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use quick_xml::{Reader, Writer};

use crate::model::Verdict;
use crate::sheet::{SheetError, check_expansion, column_name};

/// What to write on one row of one sheet.
#[derive(Clone, Debug, PartialEq)]
pub struct Fill {
    pub sheet: String,
    /// 1-based, as the sheet numbers it.
    pub row: u32,
    pub verdict: Option<Verdict>,
    pub comment: Option<String>,
}

/// Where a sheet's answers and comments go (0-based absolute columns).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerColumns {
    pub sheet: String,
    pub answer: Option<u32>,
    pub comment: Option<u32>,
}

fn broken(e: impl std::fmt::Display) -> SheetError {
    SheetError::NotAQuestionnaire(format!("unreadable workbook: {e}"))
}

fn member(archive: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<String, SheetError> {
    let mut text = String::new();
    archive
        .by_name(name)
        .map_err(broken)?
        .read_to_string(&mut text)
        .map_err(broken)?;
    Ok(text)
}

fn attr(tag: &BytesStart<'_>, local: &str) -> Option<String> {
    tag.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .map(|a| unescape(&a.value))
}

/// Sheet names to their XML members (`xl/worksheets/sheet1.xml`).
fn sheet_paths(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
) -> Result<HashMap<String, String>, SheetError> {
    let mut targets = HashMap::new();
    let rels = member(archive, "xl/_rels/workbook.xml.rels")?;
    let mut reader = Reader::from_str(&rels);
    loop {
        match reader.read_event().map_err(broken)? {
            Event::Start(t) | Event::Empty(t) if t.local_name().as_ref() == "Relationship" => {
                if let (Some(id), Some(target)) = (attr(&t, "Id"), attr(&t, "Target")) {
                    let path = match target.strip_prefix('/') {
                        Some(absolute) => absolute.to_owned(),
                        None => format!("xl/{target}"),
                    };
                    targets.insert(id, path);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let workbook = member(archive, "xl/workbook.xml")?;
    let mut reader = Reader::from_str(&workbook);
    let mut paths = HashMap::new();
    loop {
        match reader.read_event().map_err(broken)? {
            Event::Start(t) | Event::Empty(t) if t.local_name().as_ref() == "sheet" => {
                if let (Some(name), Some(id)) = (attr(&t, "name"), attr(&t, "id"))
                    && let Some(path) = targets.get(&id)
                {
                    paths.insert(name, path.clone());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(paths)
}

/// A cell reference's 0-based column and 1-based row: `C5` → (2, 5).
fn cell_ref(r: &str) -> Option<(u32, u32)> {
    let letters: String = r.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let row = r[letters.len()..].parse().ok()?;
    let mut col: u32 = 0;
    for c in letters.chars() {
        col = col * 26 + (c.to_ascii_uppercase() as u32 - 'A' as u32 + 1);
    }
    Some((col.checked_sub(1)?, row))
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The items of the drop-down lists that cover `column` (0-based): the words the
/// customer expects in the answer column.
pub fn vocabulary(sheet_xml: &str, column: u32) -> Vec<String> {
    let mut words = Vec::new();
    for block in sheet_xml.split("<dataValidation ").skip(1) {
        let Some(end) = block.find("</dataValidation>") else {
            continue;
        };
        let block = &block[..end];
        let head = &block[..block.find('>').unwrap_or(0)];
        if !head.contains("type=\"list\"") {
            continue;
        }
        let covers = head
            .split("sqref=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .is_some_and(|sqref| {
                sqref.split(' ').any(|range| {
                    let mut ends = range.split(':').filter_map(cell_ref);
                    match (ends.next(), ends.next()) {
                        (Some((a, _)), Some((b, _))) => (a..=b).contains(&column),
                        (Some((a, _)), None) => a == column,
                        _ => false,
                    }
                })
            });
        let formula = block
            .split("formula1>")
            .nth(1)
            .and_then(|f| f.strip_suffix("</").or(f.split("</").next()));
        if let (true, Some(formula)) = (covers, formula) {
            let formula = unescape(formula);
            if let Some(list) = formula.strip_prefix('"').and_then(|f| f.strip_suffix('"')) {
                words.extend(list.split(',').map(|w| w.trim().to_owned()));
            }
        }
    }
    words
}

/// The customer's word for `verdict`, or ours.
pub fn word_for(verdict: Verdict, vocabulary: &[String]) -> String {
    vocabulary
        .iter()
        .find(|w| Verdict::parse(w) == Some(verdict))
        .cloned()
        .unwrap_or_else(|| {
            match verdict {
                Verdict::Yes => "Yes",
                Verdict::No => "No",
                Verdict::Partial => "Partial",
                Verdict::NotApplicable => "N/A",
            }
            .to_owned()
        })
}

fn write_cell(
    out: &mut Writer<Vec<u8>>,
    col: u32,
    row: u32,
    style: Option<&str>,
    text: &str,
) -> Result<(), SheetError> {
    let reference = format!("{}{row}", column_name(col as usize));
    let mut cell = BytesStart::new("c");
    cell.push_attribute(("r", reference.as_str()));
    if let Some(style) = style {
        cell.push_attribute(("s", style));
    }
    cell.push_attribute(("t", "inlineStr"));
    let mut t = BytesStart::new("t");
    t.push_attribute(("xml:space", "preserve"));
    for event in [
        Event::Start(cell),
        Event::Start(BytesStart::new("is")),
        Event::Start(t),
        Event::Text(BytesText::new(text)),
        Event::End(BytesEnd::new("t")),
        Event::End(BytesEnd::new("is")),
        Event::End(BytesEnd::new("c")),
    ] {
        out.write_event(event).map_err(broken)?;
    }
    Ok(())
}

/// The sheet with `cells` (row → column → text) written; errors if a row is missing.
fn rewrite(
    xml: &str,
    mut cells: BTreeMap<u32, BTreeMap<u32, String>>,
) -> Result<Vec<u8>, SheetError> {
    let mut reader = Reader::from_str(xml);
    let mut out = Writer::new(Vec::with_capacity(xml.len() + 4096));
    let mut pending: BTreeMap<u32, String> = BTreeMap::new();
    let mut row = 0;
    let mut last_col: Option<u32> = None;
    // Inside a replaced cell: skip until its end.
    let mut skipping = 0usize;
    loop {
        let event = reader.read_event().map_err(broken)?;
        if skipping > 0 {
            match event {
                Event::Start(_) => skipping += 1,
                Event::End(_) => skipping -= 1,
                _ => {}
            }
            continue;
        }
        match &event {
            Event::Start(t) | Event::Empty(t) if t.local_name().as_ref() == "row" => {
                row = attr(t, "r").and_then(|r| r.parse().ok()).unwrap_or(row + 1);
                last_col = None;
                pending = cells.remove(&row).unwrap_or_default();
                if matches!(event, Event::Empty(_)) && !pending.is_empty() {
                    out.write_event(Event::Start(t.clone())).map_err(broken)?;
                    for (col, text) in std::mem::take(&mut pending) {
                        write_cell(&mut out, col, row, None, &text)?;
                    }
                    out.write_event(Event::End(BytesEnd::new(t.name().as_ref().to_owned())))
                        .map_err(broken)?;
                    continue;
                }
            }
            Event::Start(t) | Event::Empty(t) if t.local_name().as_ref() == "c" => {
                let col = attr(t, "r")
                    .and_then(|r| cell_ref(&r))
                    .map(|(c, _)| c)
                    .unwrap_or_else(|| last_col.map_or(0, |c| c + 1));
                last_col = Some(col);
                let before: Vec<u32> = pending.range(..col).map(|(c, _)| *c).collect();
                for c in before {
                    if let Some(text) = pending.remove(&c) {
                        write_cell(&mut out, c, row, None, &text)?;
                    }
                }
                if let Some(text) = pending.remove(&col) {
                    write_cell(&mut out, col, row, attr(t, "s").as_deref(), &text)?;
                    if matches!(event, Event::Start(_)) {
                        skipping = 1;
                    }
                    continue;
                }
            }
            Event::End(t) if t.local_name().as_ref() == "row" => {
                for (col, text) in std::mem::take(&mut pending) {
                    write_cell(&mut out, col, row, None, &text)?;
                }
            }
            Event::Eof => break,
            _ => {}
        }
        out.write_event(event).map_err(broken)?;
    }
    if let Some((row, _)) = cells.into_iter().next() {
        return Err(SheetError::NotAQuestionnaire(format!(
            "row {row} is not in the sheet any more"
        )));
    }
    Ok(out.into_inner())
}

/// `original` with the fills written: a new workbook, the original untouched.
pub fn fill_xlsx(
    original: &[u8],
    columns: &[AnswerColumns],
    fills: &[Fill],
) -> Result<Vec<u8>, SheetError> {
    check_expansion(original)?;
    let mut archive = zip::ZipArchive::new(Cursor::new(original)).map_err(broken)?;
    let paths = sheet_paths(&mut archive)?;
    let mut rewritten: HashMap<String, Vec<u8>> = HashMap::new();
    for layout in columns {
        let Some(path) = paths.get(&layout.sheet) else {
            continue;
        };
        let rows: Vec<&Fill> = fills.iter().filter(|f| f.sheet == layout.sheet).collect();
        if rows.is_empty() {
            continue;
        }
        let xml = member(&mut archive, path)?;
        let words = layout
            .answer
            .map(|c| vocabulary(&xml, c))
            .unwrap_or_default();
        let mut cells: BTreeMap<u32, BTreeMap<u32, String>> = BTreeMap::new();
        for f in rows {
            if let (Some(col), Some(verdict)) = (layout.answer, f.verdict) {
                cells
                    .entry(f.row)
                    .or_default()
                    .insert(col, word_for(verdict, &words));
            }
            if let (Some(col), Some(comment)) = (layout.comment, &f.comment) {
                cells.entry(f.row).or_default().insert(col, comment.clone());
            }
        }
        rewritten.insert(path.clone(), rewrite(&xml, cells)?);
    }
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let file = archive.by_index(i).map_err(broken)?;
        let name = file.name().map_err(broken)?.into_owned();
        match rewritten.remove(&name) {
            Some(bytes) => {
                let options = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated);
                drop(file);
                out.start_file(name, options).map_err(broken)?;
                out.write_all(&bytes).map_err(broken)?;
            }
            None => out.raw_copy_file(file).map_err(broken)?,
        }
    }
    Ok(out.finish().map_err(broken)?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};

    /// A customer's workbook: instructions, then a sheet with a drop-down on the
    /// answer column, a formula beside it, and a bold header.
    fn customer_workbook() -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let notes = book.add_worksheet();
        notes.set_name("Instructions").unwrap();
        notes.write_string(0, 0, "Answer every question.").unwrap();
        let sheet = book.add_worksheet();
        sheet.set_name("Security").unwrap();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        for (c, h) in ["#", "Question", "Answer", "Comment", "Length"]
            .iter()
            .enumerate()
        {
            sheet
                .write_string_with_format(0, c as u16, *h, &bold)
                .unwrap();
        }
        let rows = [
            ("S-1", "Is MFA enforced?"),
            ("S-2", "Are you ISO 27001 certified?"),
            ("S-3", "Describe your canteen."),
        ];
        for (r, (id, q)) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            sheet.write_string(r, 0, *id).unwrap();
            sheet.write_string(r, 1, *q).unwrap();
            sheet
                .write_formula(r, 4, format!("=LEN(B{})", r + 1).as_str())
                .unwrap();
        }
        let list = rust_xlsxwriter::DataValidation::new()
            .allow_list_strings(&["Yes", "No", "Partially", "Not applicable"])
            .unwrap();
        sheet.add_data_validation(1, 2, 50, 2, &list).unwrap();
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn answers_land_in_the_customers_words_and_everything_else_survives() {
        let original = customer_workbook();
        let q = crate::sheet::read("customer.xlsx", &original).unwrap();
        assert_eq!(
            q.columns.iter().find(|c| c.sheet == "Security"),
            Some(&AnswerColumns {
                sheet: "Security".into(),
                answer: Some(2),
                comment: Some(3)
            })
        );
        let fills = [
            Fill {
                sheet: "Security".into(),
                row: 2,
                verdict: Some(Verdict::Yes),
                comment: Some(
                    "Hardware keys for staff. Source: knowledge[0], revision 3, log entry 2".into(),
                ),
            },
            Fill {
                sheet: "Security".into(),
                row: 3,
                verdict: Some(Verdict::Partial),
                comment: Some("Stage 2 audit <scheduled> & planned".into()),
            },
            Fill {
                sheet: "Security".into(),
                row: 4,
                verdict: None,
                comment: None,
            },
        ];
        let filled = fill_xlsx(&original, &q.columns, &fills).unwrap();

        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(filled.as_slice())).unwrap();
        assert_eq!(book.sheet_names(), ["Instructions", "Security"]);
        let cells = book.worksheet_range("Security").unwrap();
        let at = |r: u32, c: u32| cells.get_value((r, c)).cloned().unwrap_or(Data::Empty);
        assert_eq!(at(1, 2), Data::String("Yes".into()));
        assert_eq!(
            at(2, 2),
            Data::String("Partially".into()),
            "the drop-down's word"
        );
        assert_eq!(
            at(2, 3),
            Data::String("Stage 2 audit <scheduled> & planned".into())
        );
        assert_eq!(
            at(3, 2),
            Data::Empty,
            "needs review: left for the customer's reviewer"
        );
        assert_eq!(at(1, 1), Data::String("Is MFA enforced?".into()));
        let formulas = book.worksheet_formula("Security").unwrap();
        assert_eq!(
            formulas.get_value((1, 4)).map(String::as_str),
            Some("LEN(B2)")
        );
        let notes = book.worksheet_range("Instructions").unwrap();
        assert_eq!(
            notes.get_value((0, 0)),
            Some(&Data::String("Answer every question.".into()))
        );

        // The drop-down is still there, and every other member is byte-identical.
        let mut before = zip::ZipArchive::new(Cursor::new(original.as_slice())).unwrap();
        let mut after = zip::ZipArchive::new(Cursor::new(filled.as_slice())).unwrap();
        let sheet_xml = member(&mut after, "xl/worksheets/sheet2.xml").unwrap();
        assert_eq!(vocabulary(&sheet_xml, 2).len(), 4);
        assert_eq!(before.len(), after.len());
        for i in 0..before.len() {
            let mut a = before.by_index(i).unwrap();
            let name = a.name().unwrap().into_owned();
            if name == "xl/worksheets/sheet2.xml" {
                continue;
            }
            let (mut x, mut y) = (Vec::new(), Vec::new());
            a.read_to_end(&mut x).unwrap();
            after.by_name(&name).unwrap().read_to_end(&mut y).unwrap();
            assert_eq!(x, y, "{name} changed");
        }

        // Round trip: the filled file imports with the answers written into it.
        let again = crate::sheet::read("filled.xlsx", &filled).unwrap();
        assert_eq!(again.answers[0].as_ref().map(|a| a.0), Some(Verdict::Yes));
        assert_eq!(
            again.answers[1].as_ref().map(|a| a.0),
            Some(Verdict::Partial)
        );
        assert_eq!(again.answers[2], None);
    }

    #[test]
    fn words_come_from_the_list_that_covers_the_column() {
        let xml = r#"<worksheet><dataValidations count="2"><dataValidation type="list" sqref="C2:C9 F2"><formula1>&quot;Y,N,N/A&quot;</formula1></dataValidation><dataValidation type="list" sqref="D2:D9"><formula1>"High,Low"</formula1></dataValidation></dataValidations></worksheet>"#;
        assert_eq!(vocabulary(xml, 2), ["Y", "N", "N/A"]);
        assert_eq!(vocabulary(xml, 5), ["Y", "N", "N/A"]);
        assert_eq!(vocabulary(xml, 4), Vec::<String>::new());
        let words = vocabulary(xml, 2);
        assert_eq!(word_for(Verdict::Yes, &words), "Y");
        assert_eq!(word_for(Verdict::NotApplicable, &words), "N/A");
        assert_eq!(word_for(Verdict::Partial, &words), "Partial");
    }
}
