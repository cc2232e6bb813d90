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
}
