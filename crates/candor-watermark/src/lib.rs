//! Stamps lines of text (a reader's email, company, the time, the grant) on
//! every page of a PDF, so that a copy passed on names who downloaded it.
//!
//! Each page keeps its own content, wrapped in `q … Q` so that whatever
//! graphics state it leaves behind cannot move or hide the stamp, and gets one
//! more content stream that draws the lines in Helvetica (a standard font every
//! reader has, so nothing is embedded) along the bottom edge of its media box.
//! Pages whose resources are inherited from their parent get a copy on the
//! page, with the stamp's font added, so the original text keeps its fonts.

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

/// The stamp's font, under a name no PDF writer uses.
const FONT_NAME: &[u8] = b"CandorWatermark";

#[derive(Debug, thiserror::Error)]
pub enum WatermarkError {
    #[error("not a PDF this server can read: {0}")]
    Unreadable(String),
    #[error("the PDF is encrypted; upload it without a password so it can be watermarked")]
    Encrypted,
    #[error("the PDF has no pages")]
    NoPages,
    #[error("the PDF could not be written back: {0}")]
    Write(String),
}

/// Whether `bytes` look like a PDF (its header), whatever the stored type says.
pub fn is_pdf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"%PDF-")
}

/// `pdf` with `lines` drawn at the bottom of every page, first line lowest.
pub fn watermark(pdf: &[u8], lines: &[String]) -> Result<Vec<u8>, WatermarkError> {
    let mut doc = Document::load_mem(pdf).map_err(|e| WatermarkError::Unreadable(e.to_string()))?;
    if doc.is_encrypted() {
        return Err(WatermarkError::Encrypted);
    }
    let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
    if pages.is_empty() {
        return Err(WatermarkError::NoPages);
    }
    let font = doc.add_object(Dictionary::from_iter([
        ("Type", Object::Name(b"Font".to_vec())),
        ("Subtype", Object::Name(b"Type1".to_vec())),
        ("BaseFont", Object::Name(b"Helvetica".to_vec())),
        ("Encoding", Object::Name(b"WinAnsiEncoding".to_vec())),
    ]));
    for page in pages {
        let (x, y) = origin(&doc, page);
        add_font(&mut doc, page, font)?;
        let save = doc.add_object(Stream::new(Dictionary::new(), b"q\n".to_vec()));
        let stamp = doc.add_object(Stream::new(Dictionary::new(), stamp_content(lines, x, y)));
        let page_dict = doc
            .get_object_mut(page)
            .and_then(Object::as_dict_mut)
            .map_err(|e| WatermarkError::Unreadable(e.to_string()))?;
        let mut contents = vec![Object::Reference(save)];
        match page_dict.get(b"Contents") {
            Ok(Object::Reference(id)) => contents.push(Object::Reference(*id)),
            Ok(Object::Array(items)) => contents.extend(items.iter().cloned()),
            _ => {}
        }
        contents.push(Object::Reference(stamp));
        page_dict.set("Contents", contents);
    }
    let mut out = Vec::with_capacity(pdf.len() + 4096);
    doc.save_to(&mut out)
        .map_err(|e| WatermarkError::Write(e.to_string()))?;
    Ok(out)
}

/// The page's drawing commands: restore the original's graphics state, then
/// the lines in 7-point grey, 18 points in from the bottom-left corner.
fn stamp_content(lines: &[String], x: f64, y: f64) -> Vec<u8> {
    let mut content = String::from("Q\nq\nBT\n0.35 g\n/CandorWatermark 7 Tf\n");
    for (i, line) in lines.iter().enumerate() {
        let line_y = y + 12.0 + 9.0 * i as f64;
        content.push_str(&format!(
            "1 0 0 1 {:.1} {:.1} Tm\n({}) Tj\n",
            x + 18.0,
            line_y,
            pdf_string(line)
        ));
    }
    content.push_str("ET\nQ\n");
    content.into_bytes()
}

/// A PDF literal string's body in WinAnsi: `\`, `(` and `)` escaped, Latin-1
/// letters and WinAnsi's typographic marks (dashes, quotes, bullet, ellipsis,
/// euro) kept, anything else the standard font cannot show as `?`.
fn pdf_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let win_ansi = match c {
            '\u{20AC}' => Some(0x80),
            '\u{2026}' => Some(0x85),
            '\u{2018}' => Some(0x91),
            '\u{2019}' => Some(0x92),
            '\u{201C}' => Some(0x93),
            '\u{201D}' => Some(0x94),
            '\u{2022}' => Some(0x95),
            '\u{2013}' => Some(0x96),
            '\u{2014}' => Some(0x97),
            '\u{A0}'..='\u{FF}' => Some(c as u32),
            _ => None,
        };
        match c {
            '\\' | '(' | ')' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => match win_ansi {
                Some(code) => out.push_str(&format!("\\{code:03o}")),
                None => out.push('?'),
            },
        }
    }
    out
}

/// A page attribute, looked up the page tree as PDF inheritance says.
fn inherited<'a>(doc: &'a Document, page: ObjectId, key: &[u8]) -> Option<&'a Object> {
    let mut node = doc.get_dictionary(page).ok()?;
    // The tree is shallow in practice; the bound stops a cycle.
    for _ in 0..64 {
        if let Ok(value) = node.get(key) {
            return Some(value);
        }
        let parent = node.get(b"Parent").and_then(Object::as_reference).ok()?;
        node = doc.get_dictionary(parent).ok()?;
    }
    None
}

/// The bottom-left corner of the page's media box (0, 0 when it has none).
fn origin(doc: &Document, page: ObjectId) -> (f64, f64) {
    let resolved = |o: &Object| match o {
        Object::Reference(id) => doc.get_object(*id).ok().cloned(),
        other => Some(other.clone()),
    };
    let number = |o: &Object| match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    };
    inherited(doc, page, b"MediaBox")
        .and_then(resolved)
        .and_then(|b| b.as_array().ok().cloned())
        .and_then(|b| Some((number(b.first()?)?, number(b.get(1)?)?)))
        .unwrap_or((0.0, 0.0))
}

/// Adds the stamp's font to the page's resources. Resources inherited from
/// the page tree are copied onto the page first, so the page's own text keeps
/// its fonts.
fn add_font(doc: &mut Document, page: ObjectId, font: ObjectId) -> Result<(), WatermarkError> {
    let unreadable = |e: lopdf::Error| WatermarkError::Unreadable(e.to_string());
    let own = doc
        .get_dictionary(page)
        .map_err(unreadable)?
        .has(b"Resources");
    if !own {
        let copy = match inherited(doc, page, b"Resources") {
            Some(Object::Reference(id)) => doc.get_dictionary(*id).cloned().unwrap_or_default(),
            Some(Object::Dictionary(d)) => d.clone(),
            _ => Dictionary::new(),
        };
        doc.get_object_mut(page)
            .and_then(Object::as_dict_mut)
            .map_err(unreadable)?
            .set("Resources", copy);
    }
    let resources = doc
        .get_or_create_resources(page)
        .and_then(Object::as_dict_mut)
        .map_err(unreadable)?;
    let fonts = match resources.get(b"Font") {
        Ok(Object::Reference(id)) => Some(*id),
        _ => None,
    };
    match fonts {
        // A shared font dictionary: the extra entry is harmless to other pages.
        Some(id) => doc
            .get_object_mut(id)
            .and_then(Object::as_dict_mut)
            .map_err(unreadable)?
            .set(FONT_NAME, Object::Reference(font)),
        None => {
            let mut dict = match resources.get(b"Font") {
                Ok(Object::Dictionary(d)) => d.clone(),
                _ => Dictionary::new(),
            };
            dict.set(FONT_NAME, Object::Reference(font));
            resources.set("Font", dict);
        }
    }
    Ok(())
}

/// A plain PDF with `pages` pages, each showing its title and page number in
/// Helvetica: demo content, test fixtures and the benchmark's input.
pub fn sample_pdf(title: &str, pages: usize) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(Dictionary::from_iter([
        ("Type", Object::Name(b"Font".to_vec())),
        ("Subtype", Object::Name(b"Type1".to_vec())),
        ("BaseFont", Object::Name(b"Helvetica".to_vec())),
        ("Encoding", Object::Name(b"WinAnsiEncoding".to_vec())),
    ]));
    // Resources on the page tree, inherited by every page (as many writers do).
    let resources = doc.add_object(Dictionary::from_iter([(
        "Font",
        Object::Dictionary(Dictionary::from_iter([("F1", Object::Reference(font))])),
    )]));
    let mut kids = Vec::with_capacity(pages);
    for n in 1..=pages.max(1) {
        let text = format!(
            "BT /F1 18 Tf 72 720 Td ({}) Tj 0 -28 Td /F1 12 Tf (Page {n} of {}) Tj ET\n\
             0.2 0 0 0.2 0 0 cm\n",
            pdf_string(title),
            pages.max(1)
        );
        let content = doc.add_object(Stream::new(Dictionary::new(), text.into_bytes()));
        let page = doc.add_object(Dictionary::from_iter([
            ("Type", Object::Name(b"Page".to_vec())),
            ("Parent", Object::Reference(pages_id)),
            ("Contents", Object::Reference(content)),
        ]));
        kids.push(Object::Reference(page));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(Dictionary::from_iter([
            ("Type", Object::Name(b"Pages".to_vec())),
            ("Kids", Object::Array(kids)),
            ("Count", Object::Integer(count)),
            ("Resources", Object::Reference(resources)),
            (
                "MediaBox",
                Object::Array(vec![0.into(), 0.into(), 612.into(), 792.into()]),
            ),
        ])),
    );
    let catalog = doc.add_object(Dictionary::from_iter([
        ("Type", Object::Name(b"Catalog".to_vec())),
        ("Pages", Object::Reference(pages_id)),
    ]));
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    // Writing a document built in memory to a Vec cannot fail.
    let _ = doc.save_to(&mut out);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_page_gets_the_lines_and_keeps_its_own_text() {
        let original = sample_pdf("Quarterly report", 3);
        let lines = vec![
            "reader@example.com (Example Corp)".to_owned(),
            "2026-12-01 12:00 UTC, grant 42 (a) \\ b".to_owned(),
        ];
        let stamped = watermark(&original, &lines).unwrap();
        let doc = Document::load_mem(&stamped).unwrap();
        let pages = doc.get_pages();
        assert_eq!(pages.len(), 3);
        for page in pages.values() {
            let content =
                String::from_utf8_lossy(&doc.get_page_content(*page).unwrap()).into_owned();
            assert!(
                content.contains("(reader@example.com \\(Example Corp\\)) Tj"),
                "{content}"
            );
            assert!(content.contains("grant 42 \\(a\\) \\\\ b"), "{content}");
            assert!(content.contains("(Quarterly report) Tj"), "{content}");
            // The original is wrapped, so its state cannot leak into the stamp.
            assert!(content.starts_with("q\n"), "{content}");
            // The page's own font is still there next to the stamp's.
            let (resources, _) = doc.get_page_resources(*page).unwrap();
            let fonts = resources.unwrap().get(b"Font").unwrap().as_dict().unwrap();
            assert!(fonts.has(b"F1") && fonts.has(FONT_NAME));
        }
    }

    #[test]
    fn what_is_not_a_readable_pdf_is_refused() {
        assert!(!is_pdf(b"hello"));
        assert!(is_pdf(&sample_pdf("x", 1)));
        assert!(matches!(
            watermark(b"%PDF-1.7\nnot really", &[]),
            Err(WatermarkError::Unreadable(_))
        ));
    }

    #[test]
    fn text_the_standard_font_cannot_show_is_replaced() {
        assert_eq!(pdf_string("Zoë (ß) 日本"), "Zo\\353 \\(\\337\\) ??");
        assert_eq!(pdf_string("2025–2026 “Q”"), "2025\\2262026 \\223Q\\224");
    }
}
