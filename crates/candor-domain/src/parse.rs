//! Reading and writing trust-as-code: YAML and JSON in, with every error naming
//! the field path that failed (`controls[3].mappings[0]: unknown requirement …`).

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use crate::model::{FORMAT_VERSION, READABLE_VERSIONS, TrustCenter};

/// One problem with one field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Path from the document root, e.g. `controls[3].mappings[0]`; empty for the whole document.
    pub field: String,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

/// Why a trust-center document was refused. Never empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentError {
    pub errors: Vec<FieldError>,
}

impl ContentError {
    /// One error for one field ("" for the whole document).
    pub fn one(field: impl Into<String>, message: impl Into<String>) -> Self {
        ContentError {
            errors: vec![FieldError {
                field: field.into(),
                message: message.into(),
            }],
        }
    }

    /// The first failing field, for error envelopes that name one field.
    pub fn first(&self) -> &FieldError {
        &self.errors[0]
    }
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ContentError {}

fn path_string(path: &serde_path_to_error::Path) -> String {
    let text = path.to_string();
    if text == "." { String::new() } else { text }
}

/// serde_norway's message repeats its own (less precise) path as a prefix and the
/// position as a suffix; keep the reason and restate the position in words.
fn yaml_message(err: &serde_norway::Error) -> String {
    let mut text = err.to_string();
    if let Some(loc) = err.location() {
        let suffix = format!(" at line {} column {}", loc.line(), loc.column());
        if let Some(stripped) = text.strip_suffix(&suffix) {
            text = format!("{stripped} (line {}, column {})", loc.line(), loc.column());
        }
    }
    if let Some((prefix, rest)) = text.split_once(": ") {
        let looks_like_path = !prefix.is_empty()
            && prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']'));
        if looks_like_path {
            return rest.to_owned();
        }
    }
    text
}

/// Upper bound on an input document; a trust center is far smaller.
pub const MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;

impl TrustCenter {
    /// Parses and validates a trust-as-code YAML document.
    pub fn from_yaml(text: &str) -> Result<TrustCenter, ContentError> {
        if text.len() > MAX_DOCUMENT_BYTES {
            return Err(ContentError::one("", "document is larger than 4 MiB"));
        }
        crate::yaml_guard::check(text).map_err(|e| ContentError::one("", e.to_string()))?;
        let de = serde_norway::Deserializer::from_str(text);
        let parsed: TrustCenter = serde_path_to_error::deserialize(de).map_err(|e| {
            let field = path_string(e.path());
            ContentError::one(field, yaml_message(&e.into_inner()))
        })?;
        parsed.validate()?;
        Ok(parsed)
    }

    /// Parses and validates the same document as JSON.
    pub fn from_json(bytes: &[u8]) -> Result<TrustCenter, ContentError> {
        if bytes.len() > MAX_DOCUMENT_BYTES {
            return Err(ContentError::one("", "document is larger than 4 MiB"));
        }
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let parsed: TrustCenter = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let field = path_string(e.path());
            ContentError::one(field, e.into_inner().to_string())
        })?;
        parsed.validate()?;
        Ok(parsed)
    }

    /// The trust-as-code YAML form. Stable: the same content always gives the same bytes.
    pub fn to_yaml(&self) -> String {
        // Serializing plain data structs to YAML cannot fail; fall back to JSON
        // (which is valid YAML) rather than panic if it ever did.
        serde_norway::to_string(self)
            .unwrap_or_else(|_| serde_json::to_string_pretty(self).unwrap_or_default())
    }

    /// Rules that span fields: uniqueness, references, date order.
    pub fn validate(&self) -> Result<(), ContentError> {
        let mut errors = Vec::new();
        let mut fail = |field: String, message: String| errors.push(FieldError { field, message });

        if !READABLE_VERSIONS.contains(&self.version) {
            fail(
                "version".into(),
                format!(
                    "unsupported format version {}; this build reads 1 and {FORMAT_VERSION} \
                     (write {FORMAT_VERSION})",
                    self.version
                ),
            );
        }
        unique(
            &mut fail,
            "promises",
            "title",
            self.promises.iter().map(|p| p.title.as_str()),
        );
        unique(
            &mut fail,
            "controls",
            "key",
            self.controls.iter().map(|c| c.key.as_str()),
        );
        unique(
            &mut fail,
            "posture",
            "standard",
            self.posture.iter().map(|p| p.standard.as_str()),
        );
        unique(
            &mut fail,
            "subprocessors",
            "name",
            self.subprocessors.iter().map(|s| s.name.as_str()),
        );
        unique(
            &mut fail,
            "roadmap",
            "title",
            self.roadmap.iter().map(|r| r.title.as_str()),
        );
        unique(
            &mut fail,
            "documents",
            "key",
            self.documents.iter().map(|d| d.key.as_str()),
        );
        unique(
            &mut fail,
            "faq",
            "question",
            self.faq.iter().map(|q| q.question.as_str()),
        );

        for (i, control) in self.controls.iter().enumerate() {
            let mut seen = HashMap::new();
            for (j, m) in control.mappings.iter().enumerate() {
                if let Some(first) = seen.insert(m, j) {
                    fail(
                        format!("controls[{i}].mappings[{j}]"),
                        format!("{m} is listed twice (also mappings[{first}])"),
                    );
                }
            }
        }
        for (i, doc) in self.documents.iter().enumerate() {
            if doc.url.is_some() && doc.access != crate::model::DocumentAccess::Public {
                fail(
                    format!("documents[{i}].access"),
                    "a document published elsewhere (url) is public: Candor cannot gate a \
                     link it does not serve"
                        .into(),
                );
            }
            if doc.access == crate::model::DocumentAccess::Nda && self.profile.nda.is_none() {
                fail(
                    format!("documents[{i}].access"),
                    "an nda document needs the NDA's terms in profile.nda".into(),
                );
            }
        }
        for (i, entry) in self.posture.iter().enumerate() {
            if let Some(doc) = &entry.document
                && !self.documents.iter().any(|d| &d.key == doc)
            {
                fail(
                    format!("posture[{i}].document"),
                    format!("no document with key {doc:?} in documents"),
                );
            }
        }
        for (i, s) in self.subprocessors.iter().enumerate() {
            if let (Some(effective), Some(announced)) = (s.effective_at, s.announced_at)
                && effective < announced
            {
                fail(
                    format!("subprocessors[{i}].effective_at"),
                    format!("{effective} is before announced_at {announced}"),
                );
            }
            if let (Some(removed), Some(announced)) = (s.removed_at, s.announced_at)
                && removed < announced
            {
                fail(
                    format!("subprocessors[{i}].removed_at"),
                    format!("{removed} is before announced_at {announced}"),
                );
            }
        }
        if self
            .commitments
            .subprocessor_notice_days
            .is_some_and(|days| days > 365)
        {
            fail(
                "commitments.subprocessor_notice_days".into(),
                "at most 365 days".into(),
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ContentError { errors })
        }
    }
}

fn unique<'a>(
    fail: &mut impl FnMut(String, String),
    section: &str,
    field: &str,
    values: impl Iterator<Item = &'a str>,
) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, value) in values.enumerate() {
        if let Some(first) = seen.insert(value, i) {
            fail(
                format!("{section}[{i}].{field}"),
                format!("{value:?} is used twice (also {section}[{first}])"),
            );
        }
    }
}

/// The sections of a trust center that can be edited one at a time, in page order.
pub const SECTIONS: &[&str] = &[
    "profile",
    "promises",
    "controls",
    "posture",
    "commitments",
    "subprocessors",
    "changelog",
    "roadmap",
    "documents",
    "faq",
];

impl TrustCenter {
    /// One section as trust-as-code YAML, or None for an unknown section name.
    pub fn section_yaml(&self, section: &str) -> Option<String> {
        if !SECTIONS.contains(&section) {
            return None;
        }
        let value = serde_json::to_value(self).ok()?;
        let part = value.get(section)?;
        serde_norway::to_string(part).ok()
    }

    /// This document with one section replaced by `yaml`, validated as a whole, so
    /// errors name their full path (`subprocessors[2].effective_at: …`).
    pub fn replace_section(&self, section: &str, yaml: &str) -> Result<TrustCenter, ContentError> {
        if !SECTIONS.contains(&section) {
            return Err(ContentError::one(
                "",
                format!("unknown section {section:?}"),
            ));
        }
        if yaml.len() > MAX_DOCUMENT_BYTES {
            return Err(ContentError::one(section, "section is larger than 4 MiB"));
        }
        crate::yaml_guard::check(yaml).map_err(|e| ContentError::one(section, e.to_string()))?;
        let part: serde_json::Value = serde_norway::from_str(yaml)
            .map_err(|e| ContentError::one(section, yaml_message(&e)))?;
        let mut whole =
            serde_json::to_value(self).map_err(|e| ContentError::one("", e.to_string()))?;
        if let Some(map) = whole.as_object_mut() {
            map.insert(section.to_owned(), part);
        }
        let bytes = serde_json::to_vec(&whole).map_err(|e| ContentError::one("", e.to_string()))?;
        TrustCenter::from_json(&bytes)
    }
}
