//! A linear pre-pass over a YAML document's events that refuses what would make
//! the real parse expensive, before serde_norway (libyaml) sees the text.
//!
//! libyaml's scanner spends time proportional to the flow-nesting depth on every
//! token (so `[` × 100,000 costs minutes), and serde expands every alias in full
//! (100,000 aliases of one long string become gigabytes). This pass stops at the
//! first node deeper than [`MAX_YAML_DEPTH`] and adds up what aliases would expand
//! to, refusing past [`MAX_EXPANDED_BYTES`], so the cost of any input is bounded by
//! its length. The limits are far above what a trust center needs.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScanError, Span};

/// Deepest nesting of sequences and mappings accepted (a trust center uses about 5).
pub const MAX_YAML_DEPTH: usize = 64;

/// Most bytes a document may amount to once every alias is expanded.
pub const MAX_EXPANDED_BYTES: usize = crate::parse::MAX_DOCUMENT_BYTES;

/// Most aliases in one document.
pub const MAX_YAML_ALIASES: usize = 10_000;

/// Why a document was refused before parsing, with its position (1-based line and column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlLimitError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for YamlLimitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (line {}, column {})",
            self.message, self.line, self.column
        )
    }
}

fn at(span: &Span, message: String) -> YamlLimitError {
    YamlLimitError {
        message,
        line: span.start.line(),
        column: span.start.col() + 1,
    }
}

fn scan_error(err: &ScanError) -> YamlLimitError {
    // The scanner has a nesting limit of its own, above ours: say it in our words.
    let message = if err.info().contains("recursion limit") {
        depth_message()
    } else {
        err.info().to_owned()
    };
    YamlLimitError {
        message,
        line: err.marker().line(),
        column: err.marker().col() + 1,
    }
}

fn depth_message() -> String {
    format!("nesting is deeper than {MAX_YAML_DEPTH} levels, the limit")
}

/// One open sequence or mapping: its anchor (0 for none) and what it has expanded to so far.
struct Open {
    anchor: usize,
    weight: usize,
}

/// Checks nesting depth, alias count and expanded size of every document in `text`.
/// A syntax error is reported too: what this parser cannot read, libyaml is not
/// given, so no part of the input escapes the checks.
pub fn check(text: &str) -> Result<(), YamlLimitError> {
    let mut parser = Parser::new_from_str(text);
    let mut open: Vec<Open> = Vec::new();
    // Expanded weight of each completed anchored node, by anchor id.
    let mut anchored: HashMap<usize, usize> = HashMap::new();
    let mut total = 0usize;
    let mut aliases = 0usize;
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| scan_error(&e))?;
        // Every event counts one byte, a scalar its length besides, so that an
        // alias of a large empty structure is not free.
        let weight = match event {
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                anchored.clear();
                continue;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if open.len() >= MAX_YAML_DEPTH {
                    return Err(at(&span, depth_message()));
                }
                open.push(Open { anchor, weight: 1 });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(done) = open.pop() else { continue };
                if done.anchor != 0 {
                    anchored.insert(done.anchor, done.weight);
                }
                done.weight
            }
            Event::Scalar(value, _, anchor, _) => {
                let weight = value.len() + 1;
                if anchor != 0 {
                    anchored.insert(anchor, weight);
                }
                weight
            }
            Event::Alias(anchor) => {
                aliases += 1;
                if aliases > MAX_YAML_ALIASES {
                    return Err(at(
                        &span,
                        format!("more than {MAX_YAML_ALIASES} aliases, the limit"),
                    ));
                }
                // An alias of a node still open refers to itself: refuse it
                // here rather than leave it to the parser.
                match anchored.get(&anchor) {
                    Some(weight) => *weight,
                    None => {
                        return Err(at(&span, "alias of an unfinished node".to_owned()));
                    }
                }
            }
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => continue,
        };
        match open.last_mut() {
            Some(parent) => parent.weight = parent.weight.saturating_add(weight),
            None => total = total.saturating_add(weight),
        }
        let in_progress = open
            .iter()
            .fold(0usize, |sum, o| sum.saturating_add(o.weight));
        if total.saturating_add(in_progress) > MAX_EXPANDED_BYTES {
            return Err(at(
                &span,
                format!(
                    "with its aliases expanded the document is larger than {} MiB, the limit",
                    MAX_EXPANDED_BYTES / (1024 * 1024)
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_documents_pass() {
        check("a: [1, {b: c}]\nd: &x [e, f]\ng: *x\n").unwrap();
        check(candor_demo::QUILLFEATHER).unwrap();
        check("").unwrap();
    }

    #[test]
    fn deep_flow_nesting_is_refused_quickly() {
        let deep = "[".repeat(200_000);
        let err = check(&deep).unwrap_err();
        assert!(err.message.contains("deeper than 64"), "{err}");
        assert_eq!(err.line, 1);
        // Block nesting too.
        let block = "- ".repeat(100_000) + "x";
        assert!(
            check(&block)
                .unwrap_err()
                .message
                .contains("deeper than 64")
        );
        // Exactly at the limit is fine.
        let ok = "[".repeat(MAX_YAML_DEPTH) + &"]".repeat(MAX_YAML_DEPTH);
        check(&ok).unwrap();
    }

    #[test]
    fn alias_expansion_is_bounded() {
        // 100,000 aliases of a 19,000-character string: about 1.9 GB expanded.
        let mut doc = format!("a: &s {}\nb: [", "x".repeat(19_000));
        for _ in 0..100_000 {
            doc.push_str("*s,");
        }
        doc.push_str("]\n");
        let err = check(&doc).unwrap_err();
        assert!(err.message.contains("larger than 4 MiB"), "{err}");
        // Billion laughs: each level ten aliases of the last.
        let mut laughs = String::from("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10 {
            let prev = format!("*l{}", i - 1);
            laughs.push_str(&format!("l{i}: &l{i} [{}]\n", vec![prev; 10].join(", ")));
        }
        assert!(check(&laughs).is_err());
        // Many small aliases.
        let many = format!("a: &a x\nb: [{}]\n", vec!["*a"; 20_000].join(","));
        assert!(check(&many).unwrap_err().message.contains("aliases"));
    }

    #[test]
    fn syntax_errors_name_the_position() {
        let err = check("a: [\n").unwrap_err();
        assert_eq!(err.line, 2, "{err}");
    }
}
