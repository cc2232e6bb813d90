//! Structured differences between two versions of a trust center, per section:
//! what was added, removed and changed, keyed by each item's identity (a control's
//! key, a subprocessor's name, …) so that edits are not reported as remove + add.
//! The same diff drives `candor diff`, `apply --dry-run`, the feed and notices.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::model::TrustCenter;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ContentDiff {
    /// Only sections with at least one difference, in page order.
    pub sections: Vec<SectionDiff>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SectionDiff {
    pub section: &'static str,
    pub added: Vec<Item>,
    pub removed: Vec<Item>,
    pub changed: Vec<ItemChange>,
    /// The same items in a different order (affects the page, not the content of any item).
    pub reordered: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Item {
    pub id: String,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemChange {
    pub id: String,
    pub fields: Vec<FieldChange>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldChange {
    /// Dotted path inside the item, e.g. `status` or `hosting.regions`.
    pub field: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// How a section's items are identified.
enum Shape {
    /// One object; it is the single item.
    Single,
    /// An object whose members are the items (commitments: hosting, encryption, …).
    Members,
    /// A list whose items are identified by these fields, joined with a space.
    List(&'static [&'static str]),
}

/// (section name in the document, singular noun for sentences, shape), in page order.
const SECTIONS: &[(&str, &str, Shape)] = &[
    ("profile", "profile", Shape::Single),
    ("promises", "promise", Shape::List(&["title"])),
    ("controls", "control", Shape::List(&["key"])),
    ("posture", "compliance posture", Shape::List(&["standard"])),
    ("commitments", "commitment", Shape::Members),
    ("subprocessors", "subprocessor", Shape::List(&["name"])),
    (
        "changelog",
        "changelog entry",
        Shape::List(&["date", "title"]),
    ),
    ("roadmap", "roadmap item", Shape::List(&["title"])),
    ("incidents", "incident", Shape::List(&["key"])),
    ("documents", "document", Shape::List(&["key"])),
    ("faq", "question", Shape::List(&["question"])),
    ("assessments", "assessment", Shape::List(&["key"])),
    ("categories", "category name", Shape::Members),
    ("sections", "section text", Shape::Members),
    ("witnesses", "witness", Shape::List(&["name"])),
    ("knowledge", "knowledge entry", Shape::List(&["key"])),
];

/// Differences from `old` to `new`.
pub fn diff(old: &TrustCenter, new: &TrustCenter) -> ContentDiff {
    let old = serde_json::to_value(old).unwrap_or(Value::Null);
    let new = serde_json::to_value(new).unwrap_or(Value::Null);
    let mut sections = Vec::new();
    for (name, _, shape) in SECTIONS {
        let before = items(old.get(*name), shape);
        let after = items(new.get(*name), shape);
        let section = diff_items(name, before, after);
        if !section.added.is_empty()
            || !section.removed.is_empty()
            || !section.changed.is_empty()
            || section.reordered
        {
            sections.push(section);
        }
    }
    ContentDiff { sections }
}

/// Every item of a section as (id, value), in document order.
fn items(section: Option<&Value>, shape: &Shape) -> Vec<(String, Value)> {
    match (shape, section) {
        (_, None) => Vec::new(),
        (Shape::Single, Some(v)) => vec![(String::new(), v.clone())],
        (Shape::Members, Some(Value::Object(map))) => {
            map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
        }
        (Shape::List(id_fields), Some(Value::Array(list))) => list
            .iter()
            .map(|item| {
                let id = id_fields
                    .iter()
                    .filter_map(|f| item.get(*f).map(plain))
                    .collect::<Vec<_>>()
                    .join(" ");
                (id, item.clone())
            })
            .collect(),
        (_, Some(_)) => Vec::new(),
    }
}

fn diff_items(
    section: &'static str,
    before: Vec<(String, Value)>,
    after: Vec<(String, Value)>,
) -> SectionDiff {
    let old_order: Vec<&String> = before.iter().map(|(id, _)| id).collect();
    let new_ids: BTreeSet<&String> = after.iter().map(|(id, _)| id).collect();
    let old_map: BTreeMap<&String, &Value> = before.iter().map(|(id, v)| (id, v)).collect();
    let mut added = Vec::new();
    let mut changed = Vec::new();
    for (id, value) in &after {
        match old_map.get(id) {
            None => added.push(Item {
                id: id.clone(),
                value: value.clone(),
            }),
            Some(old) if *old != value => {
                let mut fields = Vec::new();
                field_changes("", Some(old), Some(value), &mut fields);
                changed.push(ItemChange {
                    id: id.clone(),
                    fields,
                });
            }
            Some(_) => {}
        }
    }
    let removed: Vec<Item> = before
        .iter()
        .filter(|(id, _)| !new_ids.contains(id))
        .map(|(id, v)| Item {
            id: id.clone(),
            value: v.clone(),
        })
        .collect();
    let kept_old: Vec<&String> = old_order
        .into_iter()
        .filter(|id| new_ids.contains(id))
        .collect();
    let kept_new: Vec<&String> = after
        .iter()
        .map(|(id, _)| id)
        .filter(|id| old_map.contains_key(id))
        .collect();
    SectionDiff {
        section,
        added,
        removed,
        changed,
        reordered: kept_old != kept_new,
    }
}

fn field_changes(path: &str, old: Option<&Value>, new: Option<&Value>, out: &mut Vec<FieldChange>) {
    match (old, new) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let sub = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                field_changes(&sub, a.get(key), b.get(key), out);
            }
        }
        (a, b) if a != b => out.push(FieldChange {
            field: path.to_owned(),
            before: a.cloned(),
            after: b.cloned(),
        }),
        _ => {}
    }
}

/// A short plain-text rendering of a JSON value for sentences.
fn plain(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Null => "none".into(),
        Value::Array(items) if items.is_empty() => "none".into(),
        Value::Array(items) => items.iter().map(plain).collect::<Vec<_>>().join(", "),
        Value::Object(_) => "(details)".into(),
        other => other.to_string(),
    };
    let first_line = text.lines().next().unwrap_or_default();
    if first_line.chars().count() > 80 || first_line.len() < text.len() {
        let short: String = first_line.chars().take(77).collect();
        format!("{}…", show_invisible(&short))
    } else {
        show_invisible(&text)
    }
}

/// Text with every character that draws nothing (controls, zero-width and
/// bidirectional marks) written as `⟨U+XXXX⟩`, so that a diff never hides a change.
pub fn show_invisible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let hidden = (c.is_control() && c != ' ')
            || crate::types::is_invisible(c)
            || crate::types::is_noncharacter(c)
            || (c.is_whitespace() && c != ' ');
        if hidden {
            out.push_str(&format!("⟨U+{:04X}⟩", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

fn field(value: &Value, name: &str) -> Option<String> {
    value.get(name).filter(|v| !v.is_null()).map(plain)
}

impl ContentDiff {
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
    }

    /// One sentence per difference, e.g. `subprocessor added: Postmark (email delivery), takes effect 2027-01-05`.
    /// Every English phrase [`ContentDiff::describe_in`] may ask `words` for.
    pub fn phrases() -> Vec<String> {
        let mut out = vec!["takes effect".to_owned(), "none".to_owned()];
        for (section, noun, _) in SECTIONS {
            for verb in ["added", "removed", "changed"] {
                out.push(format!("{noun} {verb}"));
            }
            out.push(format!("{section} reordered"));
        }
        out
    }

    pub fn describe(&self) -> Vec<String> {
        self.describe_in(&|phrase| phrase.to_owned())
    }

    /// [`ContentDiff::describe`] in another language: `words` turns each of
    /// Candor's own English phrases ("subprocessor added", "controls
    /// reordered", "takes effect", "none") into it; ids, field names and the
    /// content's values stay as written.
    pub fn describe_in(&self, words: &dyn Fn(&str) -> String) -> Vec<String> {
        let mut lines = Vec::new();
        for section in &self.sections {
            let noun = SECTIONS
                .iter()
                .find(|(name, _, _)| *name == section.section)
                .map(|(_, noun, _)| *noun)
                .unwrap_or(section.section);
            for item in &section.added {
                lines.push(describe_added(section.section, noun, item, words));
            }
            for item in &section.removed {
                lines.push(format!(
                    "{}: {}",
                    words(&format!("{noun} removed")),
                    item.id
                ));
            }
            for change in &section.changed {
                let none = || words("none");
                let what = change
                    .fields
                    .iter()
                    .map(|f| {
                        let before = f.before.as_ref().map_or_else(none, plain);
                        let after = f.after.as_ref().map_or_else(none, plain);
                        format!("{}: {before} → {after}", f.field)
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                let id = if change.id.is_empty() {
                    String::new()
                } else {
                    format!(" {}", change.id)
                };
                lines.push(format!(
                    "{}:{id} ({what})",
                    words(&format!("{noun} changed"))
                ));
            }
            if section.reordered {
                lines.push(words(&format!("{} reordered", section.section)));
            }
        }
        lines
    }
}

fn describe_added(
    section: &str,
    noun: &str,
    item: &Item,
    words: &dyn Fn(&str) -> String,
) -> String {
    let v = &item.value;
    let added = words(&format!("{noun} added"));
    match section {
        "subprocessors" => {
            let purpose = field(v, "purpose")
                .map(|p| format!(" ({p})"))
                .unwrap_or_default();
            let effective = field(v, "effective_at")
                .map(|d| format!(", {} {d}", words("takes effect")))
                .unwrap_or_default();
            format!("{added}: {}{purpose}{effective}", item.id)
        }
        "controls" => {
            let title = field(v, "title").unwrap_or_default();
            let status = field(v, "status").unwrap_or_default().replace('_', " ");
            format!("{added}: {} — {title} ({status})", item.id)
        }
        "posture" => {
            let status = field(v, "status").unwrap_or_default().replace('_', " ");
            format!("{added}: {} ({status})", item.id)
        }
        _ => format!("{added}: {}", item.id),
    }
}
