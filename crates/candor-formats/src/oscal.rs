//! OSCAL 1.1: the org's published controls as a component definition, and each
//! framework Candor ships as a catalogue and a profile that imports it, which
//! the component definition's control implementations name as their source.
//!
//! Requirement ids become OSCAL control ids (tokens: a letter first, then
//! letters, digits, `.`, `-`, `_`) by [`control_id`]; the id as the framework
//! writes it stays in each control's `label` prop. Candor's own props are in
//! the [`NS`] namespace, so that they claim nothing about OSCAL's names.

use candor_domain::Revision;
use candor_domain::catalogue::{self, FrameworkId};
use candor_domain::model::{Control, ControlStatus};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use url::Url;
use uuid::Uuid;

/// The OSCAL version the documents are written against.
pub const OSCAL_VERSION: &str = "1.1.2";

/// The namespace of Candor's props.
pub const NS: &str = "urn:candor:oscal";

/// When the shipped catalogue data was last revised: the catalogues'
/// `last-modified`.
const CATALOGUE_REVISED: &str = "2026-11-01T00:00:00Z";

/// The namespace of every UUID Candor names (v5).
const UUID_NAMESPACE: Uuid = Uuid::from_u128(0x1a62da55_d58d_4a78_8cfe_1e736107b5c6);

fn name_uuid(name: &str) -> String {
    Uuid::new_v5(&UUID_NAMESPACE, name.as_bytes()).to_string()
}

/// Where the documents are served: absolute links under the server's public URL.
#[derive(Clone, Copy, Debug)]
pub struct Site<'a> {
    pub base: &'a Url,
}

impl Site<'_> {
    fn at(&self, path: &str) -> String {
        let mut url = self.base.clone();
        url.set_path(path);
        url.to_string()
    }

    /// `/oscal/catalogs/{framework}.json`.
    pub fn catalog(&self, framework: FrameworkId) -> String {
        self.at(&format!("/oscal/catalogs/{}.json", framework.as_str()))
    }

    /// `/oscal/profiles/{framework}.json`.
    pub fn profile(&self, framework: FrameworkId) -> String {
        self.at(&format!("/oscal/profiles/{}.json", framework.as_str()))
    }

    /// `/{org}/oscal/component-definition.json`.
    pub fn component_definition(&self, slug: &str) -> String {
        self.at(&format!("/{slug}/oscal/component-definition.json"))
    }
}

/// A requirement id as an OSCAL control id: lower case, each run of other
/// characters one `-`, and the framework's id first when it would not start
/// with a letter (`164.308(a)(1)` → `hipaa-164.308-a-1`).
pub fn control_id(framework: FrameworkId, id: &str) -> String {
    let mut token = String::with_capacity(id.len());
    for c in id.chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
            token.push(c.to_ascii_lowercase());
        } else if !token.ends_with('-') {
            token.push('-');
        }
    }
    let token = token.trim_matches(['-', '.']);
    match token.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => token.to_owned(),
        _ => format!("{}-{token}", framework.as_str()),
    }
}

fn prop(name: &str, value: impl ToString) -> Value {
    json!({"name": name, "ns": NS, "value": value.to_string()})
}

fn catalogue_metadata(title: String) -> Value {
    json!({
        "title": title,
        "last-modified": CATALOGUE_REVISED,
        "version": concat!("candor-", env!("CARGO_PKG_VERSION")),
        "oscal-version": OSCAL_VERSION,
    })
}

/// The framework as an OSCAL catalogue: one control per requirement, with the
/// framework's own id as its label.
pub fn catalog(framework: FrameworkId) -> Value {
    let fw = catalogue::framework(framework);
    let controls: Vec<Value> = fw
        .requirements
        .iter()
        .map(|r| {
            let mut props = vec![json!({"name": "label", "value": r.id})];
            if !r.counted {
                props.push(prop("informative", "true"));
            }
            json!({
                "id": control_id(framework, &r.id),
                "title": r.title,
                "props": props,
            })
        })
        .collect();
    json!({
        "catalog": {
            "uuid": name_uuid(&format!("catalog:{}", framework.as_str())),
            "metadata": catalogue_metadata(format!("{} (as Candor maps to it)", fw.name)),
            "controls": controls,
        }
    })
}

/// A profile that imports the whole catalogue: what component definitions name
/// as the source of their control implementations.
pub fn profile(framework: FrameworkId, site: Site<'_>) -> Value {
    let fw = catalogue::framework(framework);
    json!({
        "profile": {
            "uuid": name_uuid(&format!("profile:{}", framework.as_str())),
            "metadata": catalogue_metadata(format!("{}: every requirement", fw.name)),
            "imports": [{"href": site.catalog(framework), "include-all": {}}],
        }
    })
}

/// What Candor last observed for one check a control names.
#[derive(Clone, Debug)]
pub struct CheckResult {
    pub host: String,
    /// The check's kind, as `evidence.json` names it (`tls`, `hsts`, …).
    pub check: String,
    /// `pass`, `warn`, `fail`, or `unverified` (the org has not proven it
    /// controls the host), `stale` (too long ago to count), `not-checked`.
    pub verdict: String,
    pub checked_at: Option<OffsetDateTime>,
    pub summary: String,
}

/// The org's published revision and what the checks found.
#[derive(Clone, Copy, Debug)]
pub struct Component<'a> {
    pub slug: &'a str,
    pub revision: &'a Revision,
    pub site: Site<'a>,
    pub checks: &'a [CheckResult],
}

fn status_value(status: ControlStatus) -> &'static str {
    match status {
        ControlStatus::Implemented => "implemented",
        ControlStatus::InProgress => "partial",
        ControlStatus::Planned => "planned",
        ControlStatus::NotApplicable => "not-applicable",
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// One implemented requirement: a control of the org as it addresses one
/// requirement of the framework.
fn implemented_requirement(
    c: &Component<'_>,
    control: &Control,
    framework: FrameworkId,
    id: &str,
) -> Value {
    let mut props = vec![
        prop("control", control.key.as_str()),
        prop("implementation-status", status_value(control.status)),
        json!({"name": "label", "value": id}),
    ];
    let mut links = vec![json!({
        "href": format!("{}#control-{}", c.site.at(&format!("/{}", c.slug)), control.key),
        "rel": "reference",
        "text": "The control on the trust page",
    })];
    links.extend(
        control
            .links
            .iter()
            .map(|l| json!({"href": l.url.as_str(), "rel": "reference", "text": l.title.as_str()})),
    );
    for check in &control.checks {
        let kind = check_kind_name(check.check);
        let found = c
            .checks
            .iter()
            .find(|r| r.host == check.host.as_str() && r.check == kind);
        let verdict = found.map_or("not-checked", |r| r.verdict.as_str());
        let mut remarks = format!("{kind} on {}", check.host);
        if let Some(r) = found {
            if let Some(at) = r.checked_at {
                remarks.push_str(&format!(", checked {}", rfc3339(at)));
            }
            if !r.summary.is_empty() {
                remarks.push_str(&format!(": {}", r.summary));
            }
        }
        props.push(json!({
            "name": "evidence-result",
            "ns": NS,
            "value": verdict,
            "class": kind,
            "remarks": remarks,
        }));
    }
    if !control.checks.is_empty() {
        links.push(json!({
            "href": c.site.at(&format!("/{}/evidence.json", c.slug)),
            "rel": "evidence",
            "media-type": "application/json",
            "text": "What each check observed",
        }));
    }
    json!({
        "uuid": name_uuid(&format!(
            "{}:{}:{}:{}:{}",
            c.slug,
            c.revision.number,
            control.key,
            framework.as_str(),
            id
        )),
        "control-id": control_id(framework, id),
        "description": format!("**{}**\n\n{}", control.title.as_str(), control.description.as_str()),
        "props": props,
        "links": links,
    })
}

/// `evidence.json`'s name for a check kind.
fn check_kind_name(kind: candor_domain::model::CheckKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The org's published controls as an OSCAL component definition: one
/// component (the service), one control implementation per framework its
/// controls map to (its source the framework's profile), and for each control
/// and each requirement it addresses an implemented requirement with the
/// control's status and evidence. The metadata names the revision, its
/// content hash and its entry in the signed log, so that the document can be
/// checked against the log.
pub fn component_definition(c: Component<'_>) -> Value {
    let tc = &c.revision.content;
    let name = tc.profile.name.as_str();
    let number = c.revision.number;
    let party = name_uuid(&format!("{}:party", c.slug));
    let mut implementations = Vec::new();
    for framework in FrameworkId::ALL {
        let requirements: Vec<Value> = tc
            .controls
            .iter()
            .flat_map(|control| {
                control
                    .mappings
                    .iter()
                    .filter(move |m| m.framework == framework)
                    .map(move |m| implemented_requirement(&c, control, framework, &m.id))
            })
            .collect();
        if requirements.is_empty() {
            continue;
        }
        implementations.push(json!({
            "uuid": name_uuid(&format!("{}:{number}:{}", c.slug, framework.as_str())),
            "source": c.site.profile(framework),
            "description": format!(
                "{name}'s controls as they address {}.",
                catalogue::framework(framework).name
            ),
            "implemented-requirements": requirements,
        }));
    }
    let description = tc
        .profile
        .overview
        .as_ref()
        .or(tc.profile.tagline.as_ref())
        .map_or_else(
            || format!("The service {name} provides."),
            |t| t.as_str().to_owned(),
        );
    let mut component = json!({
        "uuid": name_uuid(&format!("{}:service", c.slug)),
        "type": "service",
        "title": name,
        "description": description,
        "responsible-roles": [{"role-id": "provider", "party-uuids": [party]}],
    });
    if !implementations.is_empty() {
        component["control-implementations"] = json!(implementations);
    }
    let mut organization = json!({
        "uuid": party,
        "type": "organization",
        "name": name,
    });
    if let Some(site) = &tc.profile.website {
        organization["links"] = json!([{"href": site.as_str(), "rel": "homepage"}]);
    }
    // The document changes with the evidence as well as with the revision.
    let evidence: Vec<String> = c
        .checks
        .iter()
        .map(|r| format!("{}/{}/{}/{:?}", r.host, r.check, r.verdict, r.checked_at))
        .collect();
    json!({
        "component-definition": {
            "uuid": name_uuid(&format!("{}:{number}:component-definition:{}", c.slug, evidence.join("|"))),
            "metadata": {
                "title": format!("{name}: security controls (revision {number})"),
                "last-modified": rfc3339(c.revision.published_at),
                "version": format!("revision {number}"),
                "oscal-version": OSCAL_VERSION,
                "props": [
                    prop("revision", number),
                    prop("content-hash", c.revision.content_hash),
                    prop("log-index", number.saturating_sub(1)),
                ],
                "links": [
                    {
                        "href": c.site.at(&format!("/{}/revisions/{number}/trust.json", c.slug)),
                        "rel": "alternate",
                        "media-type": "application/json",
                        "text": "This revision as Candor publishes it (its content is what the content hash covers)",
                    },
                    {
                        "href": c.site.at(&format!("/{}/log/entries/{}", c.slug, number.saturating_sub(1))),
                        "rel": "related",
                        "text": "The revision's entry in the org's signed transparency log",
                    },
                    {
                        "href": c.site.at(&format!("/{}", c.slug)),
                        "rel": "related",
                        "media-type": "text/html",
                        "text": "The trust page",
                    },
                ],
                "roles": [{"id": "provider", "title": "Provider"}],
                "parties": [organization],
            },
            "components": [component],
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn requirement_ids_become_control_tokens_without_clashing() {
        assert_eq!(control_id(FrameworkId::Soc2, "CC6.1"), "cc6.1");
        assert_eq!(
            control_id(FrameworkId::Hipaa, "164.308(a)(1)(ii)(A)"),
            "hipaa-164.308-a-1-ii-a"
        );
        assert_eq!(control_id(FrameworkId::Pcidss, "8.3.1"), "pcidss-8.3.1");
        for framework in FrameworkId::ALL {
            let mut seen = std::collections::BTreeSet::new();
            for r in &catalogue::framework(framework).requirements {
                let token = control_id(framework, &r.id);
                assert!(
                    token.chars().next().unwrap().is_ascii_alphabetic()
                        && token
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c)),
                    "{token}"
                );
                assert!(seen.insert(token.clone()), "{framework:?}: {token} twice");
            }
        }
    }
}
