//! The vendor's own look, within what the page promises: an accent colour that
//! keeps text readable (WCAG AA, 4.5:1, against the page's own backgrounds in
//! light and dark), and an SVG logo reduced to drawing (an allow-list of
//! elements and attributes: no script, no event handler, no style, nothing
//! fetched from elsewhere), so the page's CSP stays as strict as it is.

use quick_xml::events::{BytesStart, Event};

/// The page's backgrounds (candor.css): body and panels, light and dark.
pub const LIGHT_BACKGROUNDS: [&str; 2] = ["#ffffff", "#f6f8fa"];
pub const DARK_BACKGROUNDS: [&str; 2] = ["#0d1117", "#161b22"];

/// WCAG 2.1 AA for normal text.
pub const MIN_CONTRAST: f64 = 4.5;

/// The largest logo accepted, in bytes of SVG.
pub const MAX_LOGO_BYTES: usize = 32 * 1024;

/// `#rrggbb` as (r, g, b); None for anything else.
pub fn parse_hex(colour: &str) -> Option<(u8, u8, u8)> {
    let hex = colour.strip_prefix('#')?;
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    Some((byte(0)?, byte(2)?, byte(4)?))
}

/// WCAG relative luminance.
fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

/// The WCAG contrast ratio of two colours (1 to 21).
pub fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// The lowest contrast of `colour` against any of `backgrounds`.
pub fn worst_contrast(colour: (u8, u8, u8), backgrounds: &[&str]) -> f64 {
    backgrounds
        .iter()
        .filter_map(|b| parse_hex(b))
        .map(|b| contrast(colour, b))
        .fold(f64::INFINITY, f64::min)
}

const ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "title",
    "desc",
    "defs",
    "linearGradient",
    "radialGradient",
    "stop",
    "clipPath",
];

const ATTRIBUTES: &[&str] = &[
    "xmlns",
    "version",
    "id",
    "class",
    "viewBox",
    "width",
    "height",
    "preserveAspectRatio",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "fx",
    "fy",
    "d",
    "points",
    "transform",
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "opacity",
    "clip-path",
    "clip-rule",
    "offset",
    "stop-color",
    "stop-opacity",
    "gradientUnits",
    "gradientTransform",
    "font-family",
    "font-size",
    "font-weight",
    "text-anchor",
    "dominant-baseline",
    "role",
    "aria-label",
    "aria-hidden",
];

/// Why an SVG logo is refused, in words that name the part.
pub fn check_svg(svg: &str) -> Result<(), String> {
    if svg.len() > MAX_LOGO_BYTES {
        return Err(format!(
            "the logo is {} bytes; at most {MAX_LOGO_BYTES} are accepted",
            svg.len()
        ));
    }
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut depth = 0usize;
    let mut root_seen = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("not well-formed XML: {e}"))?;
        match event {
            Event::Start(e) => {
                root_seen = check_element(&e, root_seen)?;
                depth += 1;
                if depth > 32 {
                    return Err("elements nested deeper than 32".into());
                }
            }
            Event::Empty(e) => root_seen = check_element(&e, root_seen)?,
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Text(_) | Event::Comment(_) | Event::Decl(_) => {}
            Event::CData(_) => return Err("CDATA sections are not allowed".into()),
            Event::DocType(_) => return Err("a DOCTYPE (and so entities) is not allowed".into()),
            Event::PI(_) => return Err("processing instructions are not allowed".into()),
            Event::GeneralRef(_) => return Err("entity references are not allowed".into()),
            Event::Eof => break,
        }
    }
    match root_seen {
        true => Ok(()),
        false => Err("no <svg> element".into()),
    }
}

fn element_name(e: &BytesStart) -> Result<String, String> {
    Ok(e.name().0.to_owned())
}

/// Checks one element and its attributes; true once the root was seen.
fn check_element(e: &BytesStart, root_seen: bool) -> Result<bool, String> {
    let name = element_name(e)?;
    let name = name.as_str();
    if !root_seen && name != "svg" {
        return Err(format!("the root element must be <svg>, not <{name}>"));
    }
    if !ELEMENTS.contains(&name) {
        return Err(format!("element <{name}> is not allowed in a logo"));
    }
    for attribute in e.attributes() {
        let attribute = attribute.map_err(|e| format!("<{name}>: {e}"))?;
        let key = attribute.key.0.to_owned();
        let value = attribute.value.to_ascii_lowercase();
        let allowed = ATTRIBUTES.contains(&key.as_str()) || key.starts_with("xmlns:");
        if !allowed {
            return Err(format!(
                "attribute {key} on <{name}> is not allowed in a logo"
            ));
        }
        // Only references to the logo's own parts (`url(#id)`), never to anything outside.
        let outside = value.contains("javascript:")
            || value.contains("data:")
            || (value.contains("url(") && !value.replace(' ', "").contains("url(#"));
        if outside || (key.starts_with("xmlns") && !value.starts_with("http://www.w3.org/")) {
            return Err(format!(
                "attribute {key} on <{name}> refers to something outside the logo"
            ));
        }
    }
    Ok(true)
}

/// The largest PNG logo accepted, in bytes.
pub const MAX_PNG_BYTES: usize = 64 * 1024;
/// The largest PNG logo accepted, in pixels per side.
pub const MAX_PNG_SIDE: u32 = 2048;

/// Chunks a PNG logo may carry: the image and how to show its colours. Text
/// and EXIF chunks are refused, so a logo cannot carry metadata (a name, a
/// place, a camera) onto a public page unnoticed.
const PNG_CHUNKS: &[&[u8; 4]] = &[
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT",
    b"bKGD", b"pHYs",
];

/// Why a PNG logo is refused; its width and height otherwise.
pub fn check_png(png: &[u8]) -> Result<(u32, u32), String> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if png.len() > MAX_PNG_BYTES {
        return Err(format!(
            "the logo is {} bytes; at most {MAX_PNG_BYTES} are accepted",
            png.len()
        ));
    }
    let mut rest = png
        .strip_prefix(SIGNATURE)
        .ok_or("not a PNG (it does not start with the PNG signature)")?;
    let mut size = None;
    let mut ended = false;
    while !rest.is_empty() {
        if ended {
            return Err("bytes after the IEND chunk".into());
        }
        let (head, body) = rest.split_at_checked(8).ok_or("a chunk is cut short")?;
        let length = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let kind: [u8; 4] = [head[4], head[5], head[6], head[7]];
        let name = String::from_utf8_lossy(&kind).into_owned();
        let (data, after) = body
            .split_at_checked(length)
            .ok_or_else(|| format!("chunk {name} is cut short"))?;
        let (_crc, after) = after
            .split_at_checked(4)
            .ok_or_else(|| format!("chunk {name} has no checksum"))?;
        if size.is_none() && &kind != b"IHDR" {
            return Err("the first chunk must be IHDR".into());
        }
        if !PNG_CHUNKS.contains(&&kind) {
            return Err(format!(
                "chunk {name} is not allowed in a logo (remove text, EXIF and other metadata)"
            ));
        }
        match &kind {
            b"IHDR" if size.is_none() && data.len() == 13 => {
                let width = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
                let height = u32::from_be_bytes([data[4], data[5], data[6], data[7]]);
                if width == 0 || height == 0 || width > MAX_PNG_SIDE || height > MAX_PNG_SIDE {
                    return Err(format!(
                        "the logo is {width}×{height} pixels; each side must be 1 to {MAX_PNG_SIDE}"
                    ));
                }
                size = Some((width, height));
            }
            b"IHDR" => return Err("a malformed or second IHDR chunk".into()),
            b"IEND" => ended = true,
            _ => {}
        }
        rest = after;
    }
    match (size, ended) {
        (Some(size), true) => Ok(size),
        _ => Err("the PNG has no IEND chunk (it is cut short)".into()),
    }
}

/// The largest custom stylesheet accepted, in bytes.
pub const MAX_CSS_BYTES: usize = 8 * 1024;

/// Properties custom CSS may set: shapes and type, never colour, size,
/// position or visibility. The page's colours are the contrast-checked
/// accent's, and nothing a company writes may hide or cover what the page
/// says (a Late badge, an evidence warning, a revision's hash).
pub const CSS_PROPERTIES: &[&str] = &[
    "border-radius",
    "border-style",
    "border-width",
    "font-family",
    "font-style",
    "font-weight",
    "letter-spacing",
    "text-transform",
    "text-decoration-line",
    "text-decoration-style",
    "text-decoration-thickness",
    "text-underline-offset",
];

/// Why a custom stylesheet is refused, naming its line. The grammar is a
/// subset of CSS: rules (`selector { property: value; … }`), optionally in
/// `@media (prefers-color-scheme: dark|light) { … }`; selectors of element
/// names, classes, ids and pseudo-classes; values of words, numbers with
/// units, `#` and `%`. No functions (so no `url()`), strings, escapes,
/// `@import` or other at-rules: nothing it says can fetch anything, so the
/// CSP stays as strict as it is.
pub fn check_css(css: &str) -> Result<(), String> {
    if css.len() > MAX_CSS_BYTES {
        return Err(format!(
            "the stylesheet is {} bytes; at most {MAX_CSS_BYTES} are accepted",
            css.len()
        ));
    }
    let css = strip_comments(css)?;
    let mut p = CssParser {
        chars: css.chars().collect(),
        at: 0,
        line: 1,
    };
    p.stylesheet(0)
}

/// Removes `/* … */` comments, keeping line breaks (so lines still count).
fn strip_comments(css: &str) -> Result<String, String> {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("*/").ok_or("a comment is never closed")?;
        out.extend(after[..end].chars().filter(|c| *c == '\n'));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

struct CssParser {
    chars: Vec<char>,
    at: usize,
    line: usize,
}

impl CssParser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn fail<T>(&self, what: impl std::fmt::Display) -> Result<T, String> {
        Err(format!("line {}: {what}", self.line))
    }

    /// Characters up to (not including) one of `stops`, each checked by `allowed`.
    fn take(
        &mut self,
        stops: &[char],
        allowed: fn(char) -> bool,
        what: &str,
    ) -> Result<String, String> {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if stops.contains(&c) {
                return Ok(out);
            }
            if !allowed(c) {
                return self.fail(format!("{c:?} is not allowed in a {what}"));
            }
            out.push(c);
            self.bump();
        }
        Ok(out)
    }

    fn stylesheet(&mut self, depth: usize) -> Result<(), String> {
        loop {
            self.skip_space();
            match self.peek() {
                None if depth == 0 => return Ok(()),
                None => return self.fail("a block is never closed"),
                Some('}') if depth > 0 => {
                    self.bump();
                    return Ok(());
                }
                Some('@') if depth == 0 => self.media()?,
                Some('@') => return self.fail("at-rules cannot be nested"),
                Some(_) => self.rule()?,
            }
        }
    }

    fn media(&mut self) -> Result<(), String> {
        self.bump();
        let name = self.take(
            &[' ', '\n', '\t', '(', '{', ';'],
            |c| !c.is_whitespace(),
            "at-rule",
        )?;
        if name != "media" {
            return self.fail(format!(
                "@{name} is not allowed: the only at-rule is @media (prefers-color-scheme: dark) or (… light)"
            ));
        }
        let query = self.take(&['{'], |c| c != '}' && c != ';', "media query")?;
        let query = format!("@media {query}");
        let normal: String = query.split_whitespace().collect::<Vec<_>>().join(" ");
        let allowed = [
            "@media (prefers-color-scheme: dark)",
            "@media (prefers-color-scheme: light)",
            "@media (prefers-color-scheme:dark)",
            "@media (prefers-color-scheme:light)",
        ];
        if !allowed.contains(&normal.as_str()) {
            return self.fail(format!(
                "{normal:?}: the only at-rule allowed is @media (prefers-color-scheme: dark) or (… light)"
            ));
        }
        self.bump();
        self.stylesheet(1)
    }

    fn rule(&mut self) -> Result<(), String> {
        let selector = self.take(
            &['{'],
            |c| {
                c.is_ascii_alphanumeric()
                    || matches!(
                        c,
                        ' ' | '\n' | '\t' | '.' | '#' | ',' | '_' | '-' | '>' | ':'
                    )
            },
            "selector",
        )?;
        if selector.trim().is_empty() || self.peek().is_none() {
            return self.fail("expected a selector followed by {");
        }
        if selector.contains("::") {
            return self.fail("pseudo-elements (::) are not allowed");
        }
        self.bump();
        loop {
            self.skip_space();
            match self.peek() {
                Some('}') => {
                    self.bump();
                    return Ok(());
                }
                None => return self.fail("a rule is never closed"),
                Some(_) => self.declaration()?,
            }
        }
    }

    fn declaration(&mut self) -> Result<(), String> {
        let property = self.take(
            &[':', '}', ';'],
            |c| c.is_ascii_lowercase() || c == '-',
            "property name",
        )?;
        let property = property.trim().to_owned();
        if self.peek() != Some(':') {
            return self.fail(format!("expected a colon after {property:?}"));
        }
        if !CSS_PROPERTIES.contains(&property.as_str()) {
            return self.fail(format!(
                "property {property:?} is not allowed (custom CSS may set only {}; colours come from the accent)",
                CSS_PROPERTIES.join(", ")
            ));
        }
        self.bump();
        let value = self.take(
            &[';', '}'],
            |c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '\t' | '.' | ',' | '%' | '#' | '-'),
            "value",
        )?;
        if value.trim().is_empty() {
            return self.fail(format!("{property} has no value"));
        }
        if self.peek() == Some(';') {
            self.bump();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_follows_wcag() {
        let white = parse_hex("#ffffff").unwrap();
        let black = parse_hex("#000000").unwrap();
        assert!((contrast(white, black) - 21.0).abs() < 0.01);
        // #767676 is the classic just-passing grey on white.
        assert!(contrast(parse_hex("#767676").unwrap(), white) >= 4.5);
        assert!(contrast(parse_hex("#777777").unwrap(), white) < 4.5);
        assert_eq!(parse_hex("#12345"), None);
        assert_eq!(parse_hex("123456"), None);
    }

    #[test]
    fn a_logo_is_drawing_only() {
        let ok = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>Acme</title><defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs><rect width="10" height="10" fill="url(#g)"/><path d="M0 0L10 10"/></svg>"##;
        assert_eq!(check_svg(ok), Ok(()));
        for (bad, why) in [
            (r#"<svg><script>alert(1)</script></svg>"#, "<script>"),
            (r#"<svg onload="alert(1)"></svg>"#, "onload"),
            (r#"<svg><rect style="fill:red"/></svg>"#, "style"),
            (
                r#"<svg><image href="https://x.example/a.png"/></svg>"#,
                "<image>",
            ),
            (
                r#"<svg><rect fill="url(https://x.example/p)"/></svg>"#,
                "outside",
            ),
            (r#"<svg><foreignObject/></svg>"#, "foreignObject"),
            (r#"<!DOCTYPE svg [<!ENTITY a "b">]><svg/>"#, "DOCTYPE"),
            (r#"<html/>"#, "root"),
            ("<svg><rect></svg>", "well-formed"),
            ("", "no <svg>"),
        ] {
            let err = check_svg(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
        let big = format!("<svg>{}</svg>", "<g/>".repeat(MAX_LOGO_BYTES));
        assert!(check_svg(&big).unwrap_err().contains("at most"));
    }

    /// A minimal valid PNG: 1×1, grey, with the chunks given between IHDR and IDAT.
    fn png(extra: &[(&[u8; 4], &[u8])], width: u32) -> Vec<u8> {
        let chunk = |kind: &[u8; 4], data: &[u8]| {
            let mut c = (data.len() as u32).to_be_bytes().to_vec();
            c.extend_from_slice(kind);
            c.extend_from_slice(data);
            c.extend_from_slice(&[0, 0, 0, 0]);
            c
        };
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = width.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&1u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
        out.extend(chunk(b"IHDR", &ihdr));
        for (kind, data) in extra {
            out.extend(chunk(kind, data));
        }
        out.extend(chunk(b"IDAT", &[0x78, 0x9c, 0x63, 0x60, 0, 0, 0, 2, 0, 1]));
        out.extend(chunk(b"IEND", &[]));
        out
    }

    #[test]
    fn png_logos_are_checked_for_form_size_and_metadata() {
        assert_eq!(check_png(&png(&[], 1)), Ok((1, 1)));
        assert_eq!(check_png(&png(&[(b"pHYs", &[0; 9])], 1)), Ok((1, 1)));
        let text = check_png(&png(&[(b"tEXt", b"Author\0Jane")], 1)).unwrap_err();
        assert!(text.contains("tEXt"), "{text}");
        assert!(check_png(&png(&[(b"eXIf", b"x")], 1)).is_err());
        assert!(check_png(&png(&[], 4096)).unwrap_err().contains("4096"));
        assert!(check_png(&png(&[], 0)).is_err());
        assert!(check_png(b"GIF89a").is_err());
        let whole = png(&[], 1);
        assert!(check_png(&whole[..whole.len() - 6]).is_err(), "cut short");
        let mut trailing = whole.clone();
        trailing.extend_from_slice(b"<script>");
        assert!(check_png(&trailing).is_err());
        assert!(check_png(&vec![0u8; MAX_PNG_BYTES + 1]).is_err());
    }

    #[test]
    fn custom_css_may_shape_and_set_type_but_not_hide_colour_or_fetch() {
        let good = "/* rounder */\n.card, .badge { border-radius: 2px; }\n\
                    h1 { font-family: Georgia, serif; letter-spacing: 0.01em }\n\
                    @media (prefers-color-scheme: dark) { a:hover { text-decoration-thickness: 2px; } }";
        assert_eq!(check_css(good), Ok(()));
        for (bad, says) in [
            (".late { display: none }", "display"),
            ("body { color: #fff }", "color"),
            (
                "h1 { background: url(https://x.example/a.png) }",
                "background",
            ),
            ("h1 { font-family: url(x) }", "'('"),
            ("@import url(https://x.example/a.css);", "@import"),
            ("@font-face { font-family: x }", "@font-face"),
            ("a[href^=x] { border-radius: 1px }", "'['"),
            ("h1::before { border-radius: 1px }", "pseudo-elements"),
            ("h1 { font-family: \"x\" }", "'\"'"),
            ("h1 { font-fam\\69 ly: x }", "'\\\\'"),
            ("h1 { border-radius: 1px", "never closed"),
            ("/* open", "never closed"),
        ] {
            let err = check_css(bad).unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
        }
        let err = check_css("h1 { border-radius: 1px }\n\nh2 { opacity: 0 }").unwrap_err();
        assert!(err.starts_with("line 3:"), "{err}");
        assert!(
            check_css(&"a { border-radius: 1px }\n".repeat(400)).is_err(),
            "too long"
        );
    }

    proptest::proptest! {
        #[test]
        fn the_css_checker_never_panics_and_accepts_nothing_that_fetches(
            css in "[ -~\n]{0,300}",
        ) {
            if check_css(&css).is_ok() {
                let code = strip_comments(&css).unwrap();
                for forbidden in ["url(", "\\", "\"", "'", "@import", "::", "[", "!"] {
                    proptest::prop_assert!(!code.contains(forbidden), "{css:?} accepted");
                }
            }
        }

        #[test]
        fn the_png_checker_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
            png.extend_from_slice(&bytes);
            let _ = check_png(&png);
            let _ = check_png(&bytes);
        }
    }
}
