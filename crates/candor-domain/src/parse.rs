//! Reading and writing trust-as-code: YAML and JSON in, with every error naming
//! the field path that failed (`controls[3].mappings[0]: unknown requirement …`).

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use crate::hints;
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

/// A YAML syntax error: the path of the line it stopped at (as a person reads
/// the indentation), the reason, the position, and a hint where one helps.
fn syntax_error(text: &str, err: &serde_norway::Error) -> ContentError {
    let message = yaml_message(err);
    let field = err
        .location()
        .and_then(|loc| {
            hints::line_paths(text)
                .get(loc.line().saturating_sub(1))
                .cloned()
        })
        .unwrap_or_default();
    let message = match hints::syntax_hint(&message) {
        Some(hint) => format!("{message}; {hint}"),
        None => message,
    };
    ContentError::one(field, message)
}

/// Every structural error of a document whose deserialisation failed: each
/// part (and each item of a list) is read on its own, so one bad item does not
/// hide the next. Parts are re-read from their own YAML text, so scalars mean
/// exactly what they meant in the file.
fn every_shape_error(tree: &serde_norway::Value) -> Vec<FieldError> {
    use crate::model::*;
    fn check<T: serde::de::DeserializeOwned>(
        prefix: &str,
        value: &serde_norway::Value,
        errors: &mut Vec<FieldError>,
    ) {
        let Ok(text) = serde_norway::to_string(value) else {
            return;
        };
        let de = serde_norway::Deserializer::from_str(&text);
        if let Err(e) = serde_path_to_error::deserialize::<_, T>(de) {
            let inner = path_string(e.path());
            let field = match (prefix.is_empty(), inner.is_empty()) {
                (_, true) => prefix.to_owned(),
                (true, false) => inner,
                (false, false) if inner.starts_with('[') => format!("{prefix}{inner}"),
                (false, false) => format!("{prefix}.{inner}"),
            };
            let mut message = yaml_message(e.inner());
            // Positions inside the re-read part mean nothing to the author.
            if let Some(at) = message.find(" (line ") {
                message.truncate(at);
            }
            let message = hints::humanize(&field, &message);
            errors.push(FieldError { field, message });
        }
    }
    fn each<T: serde::de::DeserializeOwned>(
        section: &str,
        value: &serde_norway::Value,
        errors: &mut Vec<FieldError>,
    ) {
        match value.as_sequence() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    check::<T>(&format!("{section}[{i}]"), item, errors);
                }
            }
            None => check::<Vec<T>>(section, value, errors),
        }
    }
    let mut errors = Vec::new();
    let Some(map) = tree.as_mapping() else {
        check::<TrustCenter>("", tree, &mut errors);
        return errors;
    };
    // Every section, and the version: what a document's top level may hold.
    let top = || std::iter::once("version").chain(SECTIONS.iter().copied());
    for required in ["version", "profile"] {
        if !map.contains_key(required) {
            errors.push(FieldError {
                field: String::new(),
                message: format!("missing field `{required}`"),
            });
        }
    }
    for (key, value) in map {
        let Some(key) = key.as_str() else {
            errors.push(FieldError {
                field: String::new(),
                message: "a top-level key is not text".into(),
            });
            continue;
        };
        let e = &mut errors;
        match key {
            "version" => check::<u32>(key, value, e),
            "profile" => check::<Profile>(key, value, e),
            "promises" => each::<Promise>(key, value, e),
            "controls" => each::<Control>(key, value, e),
            "posture" => each::<PostureEntry>(key, value, e),
            "subprocessors" => each::<Subprocessor>(key, value, e),
            "changelog" => each::<ChangelogEntry>(key, value, e),
            "roadmap" => each::<RoadmapItem>(key, value, e),
            "incidents" => each::<crate::model::Incident>(key, value, e),
            "documents" => each::<DocumentMeta>(key, value, e),
            "faq" => each::<FaqEntry>(key, value, e),
            "assessments" => each::<Assessment>(key, value, e),
            "witnesses" => each::<crate::model::Witness>(key, value, e),
            "knowledge" => each::<crate::model::KnowledgeEntry>(key, value, e),
            "sections" => check::<Sections>(key, value, e),
            "categories" => check::<
                std::collections::BTreeMap<crate::types::Key, crate::types::Text>,
            >(key, value, e),
            "commitments" => match value.as_mapping() {
                Some(groups) => {
                    for (group, part) in groups {
                        let name = group.as_str().unwrap_or_default();
                        let field = format!("commitments.{name}");
                        match name {
                            "hosting" => check::<Hosting>(&field, part, e),
                            "encryption" => check::<Encryption>(&field, part, e),
                            "tenancy" => check::<Tenancy>(&field, part, e),
                            "resilience" => check::<Resilience>(&field, part, e),
                            "incident_response" => check::<IncidentResponse>(&field, part, e),
                            "vulnerability_disclosure" => {
                                check::<VulnerabilityDisclosure>(&field, part, e)
                            }
                            "subprocessor_notice_days" => check::<u32>(&field, part, e),
                            "subprocessor_notice_before_addition" => check::<bool>(&field, part, e),
                            other => {
                                let mut one = serde_norway::Mapping::new();
                                one.insert(group.clone(), part.clone());
                                let _ = other;
                                check::<Commitments>(
                                    "commitments",
                                    &serde_norway::Value::Mapping(one),
                                    e,
                                );
                            }
                        }
                    }
                }
                None => check::<Commitments>(key, value, e),
            },
            other => e.push(FieldError {
                field: String::new(),
                message: match hints::nearest(other, top()) {
                    Some(close) => format!("unknown section `{other}` — did you mean `{close}`?"),
                    None => format!(
                        "unknown section `{other}` (sections: {})",
                        top().collect::<Vec<_>>().join(", ")
                    ),
                },
            }),
        }
    }
    errors
}

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

/// The locales a document names (`profile.locales`), as written.
fn declared_locales(document: &serde_json::Value) -> Vec<String> {
    document["profile"]["locales"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|l| l.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Upper bound on an input document; a trust center is far smaller.
pub const MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;

impl TrustCenter {
    /// Parses and validates a trust-as-code YAML document. Every error in the
    /// file is reported at once, each with its field path and line.
    pub fn from_yaml(text: &str) -> Result<TrustCenter, ContentError> {
        if text.len() > MAX_DOCUMENT_BYTES {
            return Err(ContentError::one("", "document is larger than 4 MiB"));
        }
        crate::yaml_guard::check(text).map_err(|e| {
            let field = hints::line_paths(text)
                .get(e.line.saturating_sub(1))
                .cloned()
                .unwrap_or_default();
            let message = e.to_string();
            match hints::syntax_hint(&message) {
                Some(hint) => ContentError::one(field, format!("{message}; {hint}")),
                None => ContentError::one(field, message),
            }
        })?;
        // Syntax first: a file that is not YAML has one error, where it stops.
        let tree: serde_norway::Value =
            serde_norway::from_str(text).map_err(|e| syntax_error(text, &e))?;
        let _locales = crate::types::LocalesGuard::set(declared_locales(
            &serde_json::to_value(&tree).unwrap_or_default(),
        ));
        let de = serde_norway::Deserializer::from_str(text);
        let result = serde_path_to_error::deserialize::<_, TrustCenter>(de)
            .map_err(|e| {
                let all = every_shape_error(&tree);
                if !all.is_empty() {
                    return ContentError { errors: all };
                }
                let field = path_string(e.path());
                if field.is_empty() || field.contains('?') {
                    // Not a field's error: the YAML itself stops here.
                    return syntax_error(text, e.inner());
                }
                let message = hints::humanize(&field, &yaml_message(e.inner()));
                ContentError::one(field, message)
            })
            .and_then(|parsed| parsed.validate().map(|()| parsed));
        result.map_err(|mut e| {
            for error in &mut e.errors {
                if !error.message.contains("(line ")
                    && let Some(line) = hints::line_of(text, &error.field)
                {
                    error.message.push_str(&format!(" (line {line})"));
                }
            }
            e
        })
    }

    /// Parses and validates the same document as JSON.
    pub fn from_json(bytes: &[u8]) -> Result<TrustCenter, ContentError> {
        if bytes.len() > MAX_DOCUMENT_BYTES {
            return Err(ContentError::one("", "document is larger than 4 MiB"));
        }
        // Only a document that names its locales can hold translated texts.
        let locales = match bytes.windows(9).any(|w| w == b"\"locales\"") {
            true => serde_json::from_slice::<serde_json::Value>(bytes)
                .map(|v| declared_locales(&v))
                .unwrap_or_default(),
            false => Vec::new(),
        };
        let _locales = crate::types::LocalesGuard::set(locales);
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

        for (i, locale) in self.profile.locales.iter().enumerate() {
            if self.profile.locales[..i].contains(locale) {
                fail(
                    format!("profile.locales[{i}]"),
                    format!("{locale} is listed twice"),
                );
            }
        }
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
        unique(
            &mut fail,
            "witnesses",
            "key",
            self.witnesses.iter().map(|w| w.key.as_str()),
        );
        unique(
            &mut fail,
            "knowledge",
            "key",
            self.knowledge.iter().map(|k| k.key.as_str()),
        );
        unique(
            &mut fail,
            "incidents",
            "key",
            self.incidents.iter().map(|i| i.key.as_str()),
        );
        if let Some(b) = &self.profile.branding {
            use crate::branding::{
                DARK_BACKGROUNDS, LIGHT_BACKGROUNDS, MIN_CONTRAST, parse_hex, worst_contrast,
            };
            let check = |colour: &crate::types::Colour, backgrounds: &[&str]| {
                parse_hex(colour.as_str()).map_or(0.0, |c| worst_contrast(c, backgrounds))
            };
            if let Some(accent) = &b.accent {
                let light = check(accent, &LIGHT_BACKGROUNDS);
                if light < MIN_CONTRAST {
                    fail(
                        "profile.branding.accent".into(),
                        format!(
                            "{accent} has a contrast of {light:.1}:1 against the page's light \
                             backgrounds; text needs {MIN_CONTRAST}:1 (WCAG AA): pick a darker colour"
                        ),
                    );
                }
            }
            let (dark_field, dark) = match (&b.accent_dark, &b.accent) {
                (Some(d), _) => ("profile.branding.accent_dark", Some(d)),
                (None, a) => ("profile.branding.accent", a.as_ref()),
            };
            if let Some(colour) = dark {
                let contrast = check(colour, &DARK_BACKGROUNDS);
                if contrast < MIN_CONTRAST {
                    fail(
                        dark_field.into(),
                        format!(
                            "{colour} has a contrast of {contrast:.1}:1 against the page's dark \
                             backgrounds; text needs {MIN_CONTRAST}:1 (WCAG AA): set a lighter \
                             accent_dark"
                        ),
                    );
                }
            }
            if b.logo_svg.is_some() && b.logo_png.is_some() {
                fail(
                    "profile.branding.logo_png".into(),
                    "give one logo: logo_svg or logo_png, not both".into(),
                );
            }
            if (b.logo_svg.is_some() || b.logo_png.is_some()) && b.logo_alt.is_none() {
                fail(
                    "profile.branding.logo_alt".into(),
                    "a logo needs a text alternative: what it shows".into(),
                );
            }
        }
        for (i, incident) in self.incidents.iter().enumerate() {
            if let Some(resolved) = incident.resolved_at
                && resolved < incident.confirmed_at
            {
                fail(
                    format!("incidents[{i}].resolved_at"),
                    format!(
                        "{resolved} is before the incident was confirmed ({})",
                        incident.confirmed_at
                    ),
                );
            }
            if incident.resolved_at.is_none()
                && let Some(j) = incident
                    .updates
                    .iter()
                    .position(|u| u.status == crate::model::IncidentStatus::Resolved)
            {
                fail(
                    format!("incidents[{i}].resolved_at"),
                    format!("updates[{j}] says resolved: give the time it was resolved"),
                );
            }
            if let Some(document) = incident.review.as_ref().and_then(|r| r.document.as_ref())
                && !self.documents.iter().any(|d| d.key == *document)
            {
                fail(
                    format!("incidents[{i}].review.document"),
                    format!("no document has the key {:?}", document.as_str()),
                );
            }
        }

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
        unique(
            &mut fail,
            "assessments",
            "key",
            self.assessments.iter().map(|a| a.key.as_str()),
        );
        let documents: Vec<&str> = self.documents.iter().map(|d| d.key.as_str()).collect();
        for (i, a) in self.assessments.iter().enumerate() {
            if let Some(doc) = &a.document
                && !documents.contains(&doc.as_str())
            {
                fail(
                    format!("assessments[{i}].document"),
                    format!("no document with key {:?} in documents", doc.as_str()),
                );
            }
        }
        for (i, entry) in self.changelog.iter().enumerate() {
            if let Some(key) = &entry.assessment
                && !self.assessments.iter().any(|a| &a.key == key)
            {
                fail(
                    format!("changelog[{i}].assessment"),
                    format!("no assessment with key {:?} in assessments", key.as_str()),
                );
            }
        }
        let mut advisory_ids: Vec<String> = Vec::new();
        for (i, entry) in self.changelog.iter().enumerate() {
            let Some(advisory) = &entry.advisory else {
                continue;
            };
            let at = |field: &str| format!("changelog[{i}].advisory.{field}");
            // Advisory ids name files, so they are unique whatever their case.
            let id = advisory.id.as_str().to_ascii_lowercase();
            if advisory_ids.contains(&id) {
                fail(
                    at("id"),
                    format!(
                        "{:?} is already the id of another advisory",
                        advisory.id.as_str()
                    ),
                );
            }
            advisory_ids.push(id);
            let Some(date) = entry.date else {
                fail(
                    format!("changelog[{i}].date"),
                    "an entry with an advisory needs a date: the advisory's first release".into(),
                );
                continue;
            };
            if advisory.updated.is_some_and(|u| u < date) {
                fail(at("updated"), "is before the entry's date".into());
            }
            if advisory.product.as_str().contains('\n') {
                fail(at("product"), "is one line: the product's name".into());
            }
        }
        // Each commitment group, as the fields it states.
        let commitments = serde_json::to_value(&self.commitments).unwrap_or_default();
        let groups = commitments.as_object().into_iter().flatten();
        for (group, value) in groups {
            let serde_json::Value::Object(fields) = value else {
                continue;
            };
            let Some(serde_json::Value::Object(scopes)) = fields.get("field_scopes") else {
                continue;
            };
            const NOT_CLAIMS: [&str; 5] = ["headline", "intro", "status", "scope", "field_scopes"];
            let stated: Vec<&str> = fields
                .keys()
                .map(String::as_str)
                .filter(|k| !NOT_CLAIMS.contains(k))
                .collect();
            for name in scopes.keys() {
                if !stated.contains(&name.as_str()) {
                    fail(
                        format!("commitments.{group}.field_scopes.{name}"),
                        match hints::nearest(name, stated.iter().copied()) {
                            Some(close) => format!(
                                "no claim `{name}` is stated in {group} — did you mean `{close}`?"
                            ),
                            None => format!("no claim `{name}` is stated in {group}"),
                        },
                    );
                }
            }
        }
        if let Some(disclosure) = &self.commitments.vulnerability_disclosure {
            for (i, t) in disclosure.remediation_times.iter().enumerate() {
                if t.days.is_some() == t.business_days.is_some() {
                    fail(
                        format!("commitments.vulnerability_disclosure.remediation_times[{i}]"),
                        "give either days or business_days".into(),
                    );
                }
            }
        }
        if let Some(disclosure) = &self.commitments.vulnerability_disclosure
            && let Some(key) = &disclosure.openpgp_public_key
        {
            match crate::openpgp::researcher_key_fingerprint(key.as_str()) {
                Err(why) => fail(
                    "commitments.vulnerability_disclosure.openpgp_public_key".into(),
                    why,
                ),
                Ok(actual) => {
                    let hex = |t: &str| {
                        t.chars()
                            .filter(char::is_ascii_hexdigit)
                            .map(|c| c.to_ascii_uppercase())
                            .collect::<String>()
                    };
                    if let Some(stated) = &disclosure.openpgp_fingerprint
                        && hex(stated.as_str()) != hex(&actual)
                    {
                        fail(
                            "commitments.vulnerability_disclosure.openpgp_fingerprint".into(),
                            format!(
                                "does not match openpgp_public_key, whose fingerprint is \
                                 {actual} (leave it out: the page shows the key's own)"
                            ),
                        );
                    }
                }
            }
        }
        for (i, entry) in self.posture.iter().enumerate() {
            if let Some(doc) = &entry.document
                && !self.documents.iter().any(|d| &d.key == doc)
            {
                fail(
                    format!("posture[{i}].document"),
                    format!("no document with key {:?} in documents", doc.as_str()),
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
    "incidents",
    "documents",
    "faq",
    "assessments",
    "categories",
    "sections",
    "witnesses",
    "knowledge",
];

impl TrustCenter {
    /// One section as trust-as-code YAML, or None for an unknown section name.
    pub fn section_yaml(&self, section: &str) -> Option<String> {
        if !SECTIONS.contains(&section) {
            return None;
        }
        let value = serde_json::to_value(self).ok()?;
        // A section left out (it is empty) is edited from empty.
        let empty = match section {
            "profile" | "commitments" | "categories" | "sections" => serde_json::json!({}),
            _ => serde_json::json!([]),
        };
        serde_norway::to_string(value.get(section).unwrap_or(&empty)).ok()
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
