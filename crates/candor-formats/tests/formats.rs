//! The documents Candor writes, checked by the ecosystem's own tools: OSCAL
//! by compliance-trestle (`scripts/check-oscal.py`), for both demo orgs and
//! for content generated at random.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use candor_domain::catalogue::{self, FrameworkId};
use candor_domain::model::{Control, ControlStatus};
use candor_domain::types::{Key, Requirement};
use candor_domain::{ContentHash, Revision, TrustCenter};
use candor_formats::oscal::{self, CheckResult, Component, Site};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use time::OffsetDateTime;

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .and_then(Path::parent)
        .unwrap()
}

fn revision(content: TrustCenter, number: u64) -> Revision {
    Revision {
        number,
        content_hash: ContentHash::of(content.to_yaml().as_bytes()),
        published_at: OffsetDateTime::now_utc().replace_nanosecond(0).unwrap(),
        content,
    }
}

fn write(dir: &Path, name: &str, value: &serde_json::Value) {
    std::fs::write(dir.join(name), serde_json::to_vec_pretty(value).unwrap()).unwrap();
}

/// A check result for each check the content names, every verdict in turn.
fn checks(content: &TrustCenter) -> Vec<CheckResult> {
    let verdicts = ["pass", "warn", "fail", "unverified", "stale"];
    content
        .controls
        .iter()
        .flat_map(|c| &c.checks)
        .enumerate()
        .map(|(i, check)| CheckResult {
            host: check.host.to_string(),
            check: serde_json::to_value(check.check)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned(),
            verdict: verdicts[i % verdicts.len()].to_owned(),
            checked_at: Some(OffsetDateTime::now_utc()),
            summary: "HSTS max-age=63072000; includeSubDomains".into(),
        })
        .collect()
}

/// Controls made at random: titles and descriptions in any script (with
/// Markdown and line breaks), any status, and mappings to any requirement of
/// any framework Candor ships.
fn controls() -> impl Strategy<Value = Vec<Control>> {
    let requirement =
        (0..FrameworkId::ALL.len(), any::<prop::sample::Index>()).prop_map(|(f, i)| {
            let framework = FrameworkId::ALL[f];
            let list = &catalogue::framework(framework).requirements;
            Requirement {
                framework,
                id: list[i.index(list.len())].id.clone(),
            }
        });
    let status = prop_oneof![
        Just(ControlStatus::Implemented),
        Just(ControlStatus::InProgress),
        Just(ControlStatus::Planned),
        Just(ControlStatus::NotApplicable),
    ];
    let control = (
        "[\\PC&&[^\\u{0}-\\u{1f}]]{1,40}",
        "\\PC{1,80}(\n\n\\*\\*[a-z ]{1,10}\\*\\*)?",
        status,
        prop::collection::vec(requirement, 0..6),
    );
    prop::collection::vec(control, 0..12).prop_map(|list| {
        list.into_iter()
            .enumerate()
            .filter_map(|(i, (title, description, status, mut mappings))| {
                mappings.sort_by_key(ToString::to_string);
                mappings.dedup();
                Some(Control {
                    key: format!("c{i}").parse::<Key>().ok()?,
                    title: title.parse().ok()?,
                    description: description.parse().ok()?,
                    category: None,
                    status,
                    scope: None,
                    links: Vec::new(),
                    mappings,
                    checks: Vec::new(),
                })
            })
            .collect()
    })
}

/// Both demo orgs, every framework's catalogue and profile, and 24 orgs with
/// random controls are written as OSCAL, and compliance-trestle loads every
/// one and finds each implemented control in its catalogue.
#[test]
fn oscal_documents_load_in_compliance_trestle() {
    let dir = tempfile::tempdir().unwrap();
    let base: url::Url = "https://trust.example.com/".parse().unwrap();
    let site = Site { base: &base };
    for framework in FrameworkId::ALL {
        let name = framework.as_str();
        write(
            dir.path(),
            &format!("catalog-{name}.json"),
            &oscal::catalog(framework),
        );
        write(
            dir.path(),
            &format!("profile-{name}.json"),
            &oscal::profile(framework, site),
        );
    }
    for (slug, yaml) in [
        ("quillfeather", candor_demo::QUILLFEATHER),
        ("harborlight", candor_demo::HARBORLIGHT),
    ] {
        let content = TrustCenter::from_yaml(yaml).unwrap();
        let results = checks(&content);
        let rev = revision(content, 7);
        let doc = oscal::component_definition(Component {
            slug,
            revision: &rev,
            site,
            checks: &results,
        });
        let text = doc.to_string();
        assert!(text.contains("\"implementation-status\""), "{slug}");
        assert!(text.contains(&rev.content_hash.to_string()), "{slug}");
        write(dir.path(), &format!("component-{slug}.json"), &doc);
    }
    let mut runner = TestRunner::new(Config::with_cases(24));
    let n = std::cell::Cell::new(0u64);
    runner
        .run(&controls(), |controls| {
            let mut content = TrustCenter::from_yaml(candor_demo::QUILLFEATHER).unwrap();
            content.controls = controls;
            let i = n.get();
            let rev = revision(content, 1 + i);
            let doc = oscal::component_definition(Component {
                slug: "random",
                revision: &rev,
                site,
                checks: &[],
            });
            write(dir.path(), &format!("component-random-{i}.json"), &doc);
            n.set(i + 1);
            Ok(())
        })
        .unwrap();
    let out = Command::new("python3")
        .arg(repo_root().join("scripts/check-oscal.py"))
        .arg(dir.path())
        .output()
        .expect("python3 runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{said}");
    let loaded: usize = said
        .split("check-oscal: ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert_eq!(
        loaded,
        2 * FrameworkId::ALL.len() + 2 + n.get() as usize,
        "{said}"
    );
}
