//! Forms for the routine edits: each item of a list section (subprocessors,
//! changelog, controls, posture, documents, FAQ, knowledge, promises, roadmap,
//! assessments) as a form built from the trust-as-code schema — a drop-down
//! for each allowed value, a date picker for days, a line per list entry,
//! requirements picked from the shipped catalogue — and checked by the same
//! parser as the YAML editor and the API, with each error placed at its field.
//! Fields a form cannot show (nested lists such as a control's checks, scopes)
//! are kept as they are and edited in the section's YAML, the "Advanced" view.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use candor_domain::TrustCenter;
use candor_domain::catalogue::{self, FrameworkId};
use candor_domain::policy::{Action, allows};
use candor_domain::types::Day;
use serde_json::{Map, Value};

use super::confirm::{Ask, ask, confirmed};
use crate::caller::Access;
use crate::page_error::{PageError, PageResult, render};
use crate::state::AppState;
use candor_app::content::working_copy;

/// The list sections that have forms, with the fields shown first (the rest
/// follow in the schema's order).
const FORM_SECTIONS: &[(&str, &[&str])] = &[
    (
        "subprocessors",
        &[
            "name",
            "purpose",
            "website",
            "locations",
            "data_categories",
            "effective_at",
            "announced_at",
            "removed_at",
        ],
    ),
    (
        "changelog",
        &["date", "category", "title", "detail", "link"],
    ),
    (
        "controls",
        &[
            "key",
            "title",
            "status",
            "category",
            "description",
            "mappings",
        ],
    ),
    (
        "posture",
        &["standard", "status", "detail", "target_date", "document"],
    ),
    (
        "documents",
        &[
            "key",
            "title",
            "kind",
            "access",
            "summary",
            "version",
            "updated",
            "valid_until",
            "url",
        ],
    ),
    ("faq", &["question", "answer"]),
    (
        "knowledge",
        &[
            "key",
            "question",
            "answer",
            "explanation",
            "visibility",
            "owner",
            "reviewed",
        ],
    ),
    ("promises", &["title", "body"]),
    ("roadmap", &["title", "detail", "target"]),
    ("assessments", &["key", "title", "kind", "date", "assessor"]),
];

/// A section's name for people and what it is for, in a line.
pub fn section_title(section: &str) -> (&'static str, &'static str) {
    match section {
        "profile" => (
            "Profile",
            "Name, contacts, regions, languages and branding.",
        ),
        "promises" => (
            "What we don't do",
            "Plain promises, each a title and a paragraph.",
        ),
        "controls" => (
            "Security controls",
            "Each control's status and the framework requirements it meets.",
        ),
        "posture" => (
            "Compliance",
            "Where you stand on each standard, with target dates.",
        ),
        "commitments" => (
            "Commitments",
            "Hosting, encryption, tenancy, backups, incident response, disclosure.",
        ),
        "subprocessors" => (
            "Subprocessors",
            "Who processes customer data, announced before they start.",
        ),
        "changelog" => (
            "Changelog",
            "Security fixes and changes shipped, with advisories.",
        ),
        "roadmap" => ("Not finished yet", "What you are still working on."),
        "incidents" => (
            "Incidents",
            "Declared incidents, their updates and reviews.",
        ),
        "documents" => (
            "Documents",
            "Reports and agreements, public or behind an NDA or approval.",
        ),
        "faq" => ("Questions", "Frequently asked questions and their answers."),
        "assessments" => (
            "Audits and assessments",
            "Audits and penetration tests, with their findings' fixes.",
        ),
        "categories" => (
            "Control categories",
            "The names of the categories controls are grouped in.",
        ),
        "sections" => (
            "Section texts",
            "Headlines and introductions of the page's sections.",
        ),
        "witnesses" => (
            "Witnesses",
            "Who cosigns the transparency log's checkpoints.",
        ),
        "knowledge" => (
            "Knowledge base",
            "Answered security questions, public, gated or internal.",
        ),
        _ => ("Section", ""),
    }
}

/// Whether `section` has forms for its items.
pub fn has_form(section: &str) -> bool {
    FORM_SECTIONS.iter().any(|(s, _)| *s == section)
}

/// Text fields written as paragraphs.
const PARAGRAPHS: &[&str] = &[
    "description",
    "detail",
    "body",
    "answer",
    "explanation",
    "summary",
    "remediation",
    "covers",
    "methodology",
];

/// What kind of input a field is.
#[derive(Clone, Debug, PartialEq)]
enum Kind {
    Line,
    Paragraph,
    Date,
    Url,
    Email,
    Number,
    /// One of these values, with a label each.
    Choice(Vec<String>),
    /// Yes, no, or (optional) not stated.
    YesNo,
    /// A list of texts, one a line.
    Lines,
    /// Requirements of the shipped catalogue.
    Requirements,
}

#[derive(Clone, Debug)]
struct FieldSpec {
    name: String,
    help: Option<String>,
    kind: Kind,
    required: bool,
}

static SCHEMA: LazyLock<Value> = LazyLock::new(TrustCenter::json_schema);

fn def<'a>(reference: &str) -> Option<&'a Value> {
    let name = reference.rsplit('/').next()?;
    SCHEMA.get("$defs")?.get(name)
}

fn string_values(schema: &Value) -> Option<Vec<String>> {
    if let Some(list) = schema.get("enum").and_then(Value::as_array) {
        return list.iter().map(|v| v.as_str().map(str::to_owned)).collect();
    }
    if let Some(c) = schema.get("const").and_then(Value::as_str) {
        return Some(vec![c.to_owned()]);
    }
    let variants = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))?
        .as_array()?;
    let mut out = Vec::new();
    for v in variants {
        out.extend(string_values(v)?);
    }
    Some(out)
}

/// The input for a property's schema, and whether it may be left out.
fn kind_of(name: &str, schema: &Value) -> Option<(Kind, bool)> {
    if let Some(options) = schema.get("anyOf").and_then(Value::as_array)
        && options.len() == 2
        && options
            .iter()
            .any(|o| o.get("type") == Some(&Value::from("null")))
    {
        let inner = options
            .iter()
            .find(|o| o.get("type") != Some(&Value::from("null")))?;
        return kind_of(name, inner).map(|(k, _)| (k, true));
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let target = reference.rsplit('/').next()?;
        let kind = match target {
            "Text" if PARAGRAPHS.contains(&name) => Kind::Paragraph,
            "Text" | "Key" | "PartialDate" | "AdvisoryId" | "Version" | "Cve" => Kind::Line,
            "Day" => Kind::Date,
            "HttpsUrl" => Kind::Url,
            "Email" => Kind::Email,
            _ => Kind::Choice(string_values(def(reference)?)?),
        };
        return Some((kind, false));
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => return None,
    };
    let optional = types.contains(&"null");
    if types.contains(&"boolean") {
        return Some((Kind::YesNo, optional));
    }
    if types.contains(&"integer") || types.contains(&"number") {
        return Some((Kind::Number, optional));
    }
    if types.contains(&"array") {
        let items = schema.get("items")?.get("$ref")?.as_str()?;
        return match items.rsplit('/').next()? {
            "Requirement" => Some((Kind::Requirements, true)),
            "Text" | "Key" => Some((Kind::Lines, true)),
            _ => None,
        };
    }
    None
}

/// The fields a form shows for one item of `section`, and the names of those
/// it keeps as they are.
fn fields(section: &str) -> Option<(Vec<FieldSpec>, Vec<String>)> {
    let (_, lead) = FORM_SECTIONS.iter().find(|(s, _)| *s == section)?;
    let reference = SCHEMA
        .get("properties")?
        .get(section)?
        .get("items")?
        .get("$ref")?
        .as_str()?;
    let item = def(reference)?;
    let properties = item.get("properties")?.as_object()?;
    let required: Vec<&str> = item
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut names: Vec<&String> = properties.keys().collect();
    names.sort_by_key(|n| lead.iter().position(|l| l == n).unwrap_or(lead.len()));
    let (mut shown, mut kept) = (Vec::new(), Vec::new());
    for name in names {
        let schema = &properties[name];
        match kind_of(name, schema) {
            Some((kind, optional)) => shown.push(FieldSpec {
                name: name.clone(),
                help: schema
                    .get("description")
                    .and_then(Value::as_str)
                    .map(|d| d.replace('\n', " ")),
                kind,
                required: required.contains(&name.as_str()) && !optional,
            }),
            None => kept.push(name.clone()),
        }
    }
    Some((shown, kept))
}

/// A text as the form shows it: the default language's words.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Object(map) => map
            .get("default")
            .and_then(Value::as_str)
            .and_then(|locale| map.get(locale))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        _ => String::new(),
    }
}

/// One field on the page.
struct FieldView {
    name: String,
    label: String,
    help: Option<String>,
    kind: Kind,
    required: bool,
    value: String,
    /// Requirements: the ones chosen.
    chosen: Vec<String>,
    error: Option<String>,
}

impl FieldView {
    fn is(&self, kind: &str) -> bool {
        matches!(
            (&self.kind, kind),
            (Kind::Line, "line")
                | (Kind::Paragraph, "paragraph")
                | (Kind::Date, "date")
                | (Kind::Url, "url")
                | (Kind::Email, "email")
                | (Kind::Number, "number")
                | (Kind::Choice(_), "choice")
                | (Kind::YesNo, "yesno")
                | (Kind::Lines, "lines")
                | (Kind::Requirements, "requirements")
        )
    }

    fn options(&self) -> Vec<String> {
        match &self.kind {
            Kind::Choice(values) => values.clone(),
            _ => Vec::new(),
        }
    }
}

/// `effective_at` → `Effective at`.
fn label(name: &str) -> String {
    let words = name.replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn views(
    specs: &[FieldSpec],
    item: &Map<String, Value>,
    errors: &BTreeMap<String, String>,
) -> Vec<FieldView> {
    specs
        .iter()
        .map(|spec| {
            let current = item.get(&spec.name).cloned().unwrap_or(Value::Null);
            let (value, chosen) = match (&spec.kind, &current) {
                (Kind::Lines, Value::Array(list)) => (
                    list.iter().map(text_of).collect::<Vec<_>>().join("\n"),
                    Vec::new(),
                ),
                (Kind::Requirements, Value::Array(list)) => {
                    (String::new(), list.iter().map(text_of).collect())
                }
                (_, v) => (text_of(v), Vec::new()),
            };
            FieldView {
                name: spec.name.clone(),
                label: label(&spec.name),
                help: spec.help.clone(),
                kind: spec.kind.clone(),
                required: spec.required,
                value,
                chosen,
                error: errors.get(&spec.name).cloned(),
            }
        })
        .collect()
}

/// The item with the form's values written in: texts keep their other
/// languages, a field left empty is left out.
fn apply(specs: &[FieldSpec], item: &mut Map<String, Value>, form: &[(String, String)]) {
    for spec in specs {
        let key = format!("f.{}", spec.name);
        let given: Vec<String> = form
            .iter()
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v.replace("\r\n", "\n"))
            .collect();
        let one = given
            .first()
            .map(|v| v.trim().to_owned())
            .unwrap_or_default();
        let value = match &spec.kind {
            Kind::Requirements => {
                let list: Vec<Value> = given
                    .into_iter()
                    .filter(|v| !v.is_empty())
                    .map(Value::from)
                    .collect();
                (!list.is_empty()).then_some(Value::Array(list))
            }
            Kind::Lines => {
                let list: Vec<Value> = one
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(Value::from)
                    .collect();
                (!list.is_empty()).then_some(Value::Array(list))
            }
            Kind::YesNo => match one.as_str() {
                "yes" => Some(Value::Bool(true)),
                "no" => Some(Value::Bool(false)),
                _ => None,
            },
            Kind::Number => (!one.is_empty()).then(|| {
                one.parse::<i64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| Value::from(one.clone()))
            }),
            Kind::Line | Kind::Paragraph => {
                let text = if spec.kind == Kind::Paragraph {
                    given
                        .first()
                        .map(|v| v.trim_end().to_owned())
                        .unwrap_or_default()
                } else {
                    one.clone()
                };
                match item.get_mut(&spec.name) {
                    // A translated text: the default language's words change.
                    Some(Value::Object(map)) if !text.is_empty() => {
                        if let Some(locale) = map
                            .get("default")
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                        {
                            map.insert(locale, Value::from(text));
                        }
                        continue;
                    }
                    _ => (!text.is_empty() || spec.required).then(|| Value::from(text)),
                }
            }
            Kind::Date | Kind::Url | Kind::Email | Kind::Choice(_) => {
                (!one.is_empty() || spec.required).then(|| Value::from(one))
            }
        };
        match value {
            Some(v) => {
                item.insert(spec.name.clone(), v);
            }
            None => {
                item.remove(&spec.name);
            }
        }
    }
}

#[derive(Template)]
#[template(path = "admin/items.html")]
struct ItemsPage<'a> {
    slug: &'a str,
    section: &'a str,
    /// (index, what the item is called)
    items: Vec<(usize, String)>,
    can_edit: bool,
    saved: bool,
}

#[derive(Template)]
#[template(path = "admin/item.html")]
struct ItemPage<'a> {
    slug: &'a str,
    section: &'a str,
    /// None for a new item.
    index: Option<usize>,
    fields: Vec<FieldView>,
    /// Fields kept as they are (edited in YAML).
    kept: Vec<String>,
    /// Errors that belong to no field of the form.
    errors: Vec<String>,
    can_edit: bool,
    /// The catalogue, for requirements: (framework name, [(id, label)]).
    catalogue: Vec<(String, Vec<(String, String)>)>,
}

impl ItemPage<'_> {
    fn has_field_errors(&self) -> bool {
        self.fields.iter().any(|f| f.error.is_some())
    }

    fn action(&self) -> String {
        match self.index {
            Some(i) => format!(
                "/admin/orgs/{}/sections/{}/items/{i}",
                self.slug, self.section
            ),
            None => format!(
                "/admin/orgs/{}/sections/{}/items/new",
                self.slug, self.section
            ),
        }
    }
}

fn requirement_catalogue() -> Vec<(String, Vec<(String, String)>)> {
    FrameworkId::ALL
        .iter()
        .map(|f| {
            let fw = catalogue::framework(*f);
            (
                fw.name.clone(),
                fw.requirements
                    .iter()
                    .map(|r| {
                        (
                            format!("{}:{}", f.as_str(), r.id),
                            format!("{} {}: {}", f.label(), r.id, r.title),
                        )
                    })
                    .collect(),
            )
        })
        .collect()
}

/// What an item is called in the list.
fn item_name(item: &Value) -> String {
    for key in ["name", "title", "question", "standard", "key"] {
        if let Some(v) = item.get(key) {
            let text = text_of(v);
            if !text.is_empty() {
                return text;
            }
        }
    }
    "(unnamed)".into()
}

async fn working(state: &AppState, access: &Access) -> Result<TrustCenter, PageError> {
    working_copy(&*state.store, &access.scope)
        .await?
        .0
        .ok_or_else(|| {
            PageError::admin(
                StatusCode::NOT_FOUND,
                "No content yet",
                "Apply a trust-as-code file first: candor apply FILE --org SLUG.",
            )
        })
}

fn section_items(content: &TrustCenter, section: &str) -> Result<(Value, Vec<Value>), PageError> {
    let value = serde_json::to_value(content)?;
    let items = value
        .get(section)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    Ok((value, items))
}

fn known(section: &str) -> Result<(Vec<FieldSpec>, Vec<String>), PageError> {
    fields(section).ok_or_else(|| PageError::not_found("form for this section"))
}

/// `GET /admin/orgs/{org}/sections/{section}/items`: the section's items.
pub async fn list(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, section)): Path<(String, String)>,
    query: axum::extract::RawQuery,
) -> PageResult {
    known(&section)?;
    let content = working(&state, &access).await?;
    let (_, items) = section_items(&content, &section)?;
    Ok(render(
        ItemsPage {
            slug: access.scope.slug().as_str(),
            section: &section,
            items: items
                .iter()
                .enumerate()
                .map(|(i, v)| (i, item_name(v)))
                .collect(),
            can_edit: allows(access.role, Action::EditDraft),
            saved: query.0.is_some_and(|q| q.contains("saved=1")),
        },
        StatusCode::OK,
    ))
}

/// A new item's values: today for dates the author would set to today, the
/// notice period for a new subprocessor's start, the first allowed value.
fn new_item(section: &str, content: &TrustCenter) -> Map<String, Value> {
    let today = Day(time::OffsetDateTime::now_utc().date());
    let mut item = Map::new();
    match section {
        "subprocessors" => {
            let notice = i64::from(content.notice_days().unwrap_or(0));
            item.insert("announced_at".into(), Value::from(today.to_string()));
            item.insert(
                "effective_at".into(),
                Value::from(Day(today.0 + time::Duration::days(notice)).to_string()),
            );
        }
        "changelog" => {
            item.insert("date".into(), Value::from(today.to_string()));
        }
        _ => {}
    }
    item
}

fn item_page<'a>(
    access: &'a Access,
    section: &'a str,
    index: Option<usize>,
    (specs, kept): (&[FieldSpec], Vec<String>),
    item: &Map<String, Value>,
    errors: Vec<String>,
    field_errors: &BTreeMap<String, String>,
) -> ItemPage<'a> {
    let fields = views(specs, item, field_errors);
    let catalogue = if fields.iter().any(|f| f.kind == Kind::Requirements) {
        requirement_catalogue()
    } else {
        Vec::new()
    };
    ItemPage {
        slug: access.scope.slug().as_str(),
        section,
        index,
        fields,
        kept,
        errors,
        can_edit: allows(access.role, Action::EditDraft),
        catalogue,
    }
}

/// The item an address names among `len`: `new` is none (a new item), else a
/// position that exists.
fn item_index(item: &str, len: usize) -> Result<Option<usize>, PageError> {
    if item == "new" {
        return Ok(None);
    }
    match item.parse::<usize>() {
        Ok(i) if i < len => Ok(Some(i)),
        _ => Err(PageError::not_found("item")),
    }
}

/// `GET /admin/orgs/{org}/sections/{section}/items/{item}` (`new` for a new one).
pub async fn form(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, section, item)): Path<(String, String, String)>,
) -> PageResult {
    let (specs, kept) = known(&section)?;
    let content = working(&state, &access).await?;
    let (_, items) = section_items(&content, &section)?;
    let index = item_index(&item, items.len())?;
    let values = match index {
        Some(i) => items[i].as_object().cloned().unwrap_or_default(),
        None => new_item(&section, &content),
    };
    let kept = if index.is_some() { kept } else { Vec::new() };
    Ok(render(
        item_page(
            &access,
            &section,
            index,
            (&specs, kept),
            &values,
            Vec::new(),
            &BTreeMap::new(),
        ),
        StatusCode::OK,
    ))
}

/// `POST /admin/orgs/{org}/sections/{section}/items/{item}`: checks the item
/// with the rest of the draft through the same parser as the YAML and the
/// API, and saves it, or shows each error at its field.
pub async fn save(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, section, item)): Path<(String, String, String)>,
    body: Bytes,
) -> PageResult {
    let (specs, kept) = known(&section)?;
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let content = working(&state, &access).await?;
    let (mut whole, mut items) = section_items(&content, &section)?;
    let index = item_index(&item, items.len())?;
    let mut values = match index {
        Some(i) => items[i].as_object().cloned().unwrap_or_default(),
        None => Map::new(),
    };
    apply(&specs, &mut values, &form);
    let at = index.unwrap_or(items.len());
    match index {
        Some(i) => items[i] = Value::Object(values.clone()),
        None => items.push(Value::Object(values.clone())),
    }
    whole[&section] = Value::Array(items);
    let bytes = serde_json::to_vec(&whole)?;
    let parsed = crate::parsing::off_runtime(move || TrustCenter::from_json(&bytes)).await;
    let failure = match parsed {
        Ok(updated) => {
            state.store.save_draft(&access.scope, &updated).await?;
            return Ok(Redirect::to(&format!(
                "/admin/orgs/{}/sections/{section}/items?saved=1",
                access.scope.slug()
            ))
            .into_response());
        }
        Err(failure) => failure,
    };
    let mut field_errors = BTreeMap::new();
    let mut errors = Vec::new();
    match failure {
        crate::parsing::ParseFailure::Invalid(e) => {
            let prefix = format!("{section}[{at}].");
            for error in &e.errors {
                let field = error
                    .field
                    .strip_prefix(&prefix)
                    .map(|rest| rest.split(['.', '[']).next().unwrap_or(rest).to_owned())
                    .filter(|f| specs.iter().any(|s| &s.name == f));
                match field {
                    Some(f) => {
                        field_errors
                            .entry(f)
                            .or_insert_with(|| error.message.clone());
                    }
                    None => errors.push(error.to_string()),
                }
            }
        }
        crate::parsing::ParseFailure::Busy => errors.push(
            "the server is busy reading other documents; nothing was saved, try again".into(),
        ),
    }
    let kept = if index.is_some() { kept } else { Vec::new() };
    Ok(render(
        item_page(
            &access,
            &section,
            index,
            (&specs, kept),
            &values,
            errors,
            &field_errors,
        ),
        StatusCode::UNPROCESSABLE_ENTITY,
    ))
}

/// `POST /admin/orgs/{org}/sections/{section}/items/{item}/remove`: asks, then
/// removes the item from the draft (the published page keeps it until the
/// next publish).
pub async fn remove(
    State(state): State<AppState>,
    Extension(access): Extension<Access>,
    Path((_, section, item)): Path<(String, String, String)>,
    body: Bytes,
) -> PageResult {
    known(&section)?;
    let content = working(&state, &access).await?;
    let (mut whole, mut items) = section_items(&content, &section)?;
    let i = item_index(&item, items.len())?.ok_or_else(|| PageError::not_found("item"))?;
    let name = item_name(&items[i]);
    let slug = access.scope.slug().as_str();
    if !confirmed(&body) {
        let action = format!("/admin/orgs/{slug}/sections/{section}/items/{i}/remove");
        let back = format!("/admin/orgs/{slug}/sections/{section}/items");
        let consequence = format!(
            "“{name}” is removed from the draft. The published page keeps it until you publish; the revisions that showed it stay in the log."
        );
        return Ok(ask(Ask {
            slug,
            title: &format!("Remove “{name}”"),
            consequence: &consequence,
            action: &action,
            hidden: &[],
            button: "Remove it from the draft",
            back: &back,
        }));
    }
    items.remove(i);
    whole[&section] = Value::Array(items);
    let bytes = serde_json::to_vec(&whole)?;
    match crate::parsing::off_runtime(move || TrustCenter::from_json(&bytes)).await {
        Ok(updated) => {
            state.store.save_draft(&access.scope, &updated).await?;
            Ok(Redirect::to(&format!(
                "/admin/orgs/{slug}/sections/{section}/items?saved=1"
            ))
            .into_response())
        }
        // Something else names it (an assessment's document, a changelog entry's assessment).
        Err(crate::parsing::ParseFailure::Invalid(e)) => Err(PageError::admin(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not removed",
            e.to_string(),
        )),
        Err(crate::parsing::ParseFailure::Busy) => Err(PageError::admin(
            StatusCode::SERVICE_UNAVAILABLE,
            "Try again shortly",
            "The server is busy reading other documents; nothing was removed.",
        )),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_form_section_has_fields_from_the_schema() {
        for (section, lead) in FORM_SECTIONS {
            let (shown, _) = fields(section).unwrap_or_else(|| panic!("{section}"));
            assert!(!shown.is_empty(), "{section}");
            for name in lead.iter() {
                assert!(
                    shown.iter().any(|f| &f.name == name),
                    "{section}.{name} is shown"
                );
            }
        }
        let (controls, kept) = fields("controls").unwrap();
        assert_eq!(controls[0].name, "key");
        let status = controls.iter().find(|f| f.name == "status").unwrap();
        assert!(matches!(&status.kind, Kind::Choice(v) if v.contains(&"in_progress".to_owned())));
        assert!(controls.iter().any(|f| f.kind == Kind::Requirements));
        assert!(kept.contains(&"checks".to_owned()), "{kept:?}");
        let (subs, _) = fields("subprocessors").unwrap();
        assert_eq!(
            subs.iter().find(|f| f.name == "effective_at").unwrap().kind,
            Kind::Date
        );
        assert_eq!(
            subs.iter()
                .find(|f| f.name == "hipaa_eligible")
                .unwrap()
                .kind,
            Kind::YesNo
        );
    }
}
