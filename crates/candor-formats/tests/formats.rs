//! The documents Candor writes, checked by the ecosystem's own tools: OSCAL
//! by compliance-trestle (`scripts/check-oscal.py`), CSAF by the BSI's
//! secvisogram validator (`tests/csaf/validate.mjs`), for both demo orgs and
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

/// Advisories made at random: any product name, with or without versions, a
/// fix, a CVE, any base vector, an update.
fn advisory() -> impl Strategy<Value = String> {
    let metric = |name: &'static str, values: &'static [&'static str]| {
        prop::sample::select(values).prop_map(move |v| format!("{name}:{v}"))
    };
    let vector = (
        metric("AV", &["N", "A", "L", "P"]),
        metric("AC", &["L", "H"]),
        metric("PR", &["N", "L", "H"]),
        metric("UI", &["N", "R"]),
        metric("S", &["U", "C"]),
        metric("C", &["N", "L", "H"]),
        metric("I", &["N", "L", "H"]),
        metric("A", &["N", "L", "H"]),
    )
        .prop_map(|(av, ac, pr, ui, s, c, i, a)| {
            format!("CVSS:3.1/{av}/{ac}/{pr}/{ui}/{s}/{c}/{i}/{a}")
        });
    (
        "[A-Z]{1,4}-20[0-9]{2}-[0-9]{1,4}",
        "[A-Za-z][A-Za-z0-9 ._-]{0,30}[A-Za-z0-9]",
        prop::option::of("(>=[0-9]\\.[0-9]\\|)?<[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]"),
        prop::option::of("[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,2}"),
        prop::option::of("CVE-20[0-9]{2}-[0-9]{4,6}"),
        vector,
        "[A-Za-z][A-Za-z0-9 ,.]{0,60}",
        prop::option::of(1u32..30),
    )
        .prop_map(|(id, product, affected, fixed, cve, cvss, remediation, updated)| {
            let mut yaml = format!(
                "    id: {id}\n    product: '{product}'\n    cvss: {cvss}\n    remediation: '{remediation}'\n"
            );
            if let Some(a) = affected {
                yaml.push_str(&format!("    affected: '{a}'\n"));
            }
            if let Some(f) = fixed {
                yaml.push_str(&format!("    fixed: '{f}'\n"));
            }
            if let Some(c) = cve {
                yaml.push_str(&format!("    cve: {c}\n"));
            }
            if let Some(days) = updated {
                let day = OffsetDateTime::now_utc().date() - time::Duration::days(40)
                    + time::Duration::days(i64::from(days));
                yaml.push_str(&format!("    updated: {day}\n"));
            }
            yaml
        })
}

/// Content with one changelog entry per advisory, released 40 days ago.
fn with_advisories(yaml: &str, advisories: &[String]) -> TrustCenter {
    let day = OffsetDateTime::now_utc().date() - time::Duration::days(40);
    let entries: String = advisories
        .iter()
        .enumerate()
        .map(|(i, a)| {
            format!(
                "- date: {day}\n  category: security\n  title: Fix number {i}\n  detail: A flaw, now fixed.\n  advisory:\n{a}"
            )
        })
        .collect();
    TrustCenter::from_yaml(&yaml.replacen("changelog:\n", &format!("changelog:\n{entries}"), 1))
        .unwrap()
}

fn distribution(slug: &str) -> candor_formats::csaf::Distribution {
    candor_formats::csaf::Distribution {
        csaf_root: format!("https://trust.example.com/{slug}/.well-known/csaf/"),
        page: format!("https://trust.example.com/{slug}"),
        key_url: format!("https://trust.example.com/{slug}/.well-known/openpgp-key.asc"),
        key_fingerprint: "0123456789ABCDEF0123456789ABCDEF01234567".into(),
    }
}

/// Advisories of both demo orgs and 32 random ones pass the validator's
/// strict schema, mandatory and optional tests.
#[test]
fn csaf_advisories_pass_the_secvisogram_validator() {
    use candor_formats::csaf;
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut write_all = |slug: &str, content: TrustCenter| {
        let rev = revision(content, 3);
        let at = distribution(slug);
        for published in csaf::advisories(&rev) {
            let doc = csaf::document(&rev, &published, &at);
            let path = dir.path().join(format!("{slug}-{}", published.file_name()));
            std::fs::write(&path, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
            files.push(path);
        }
        let index = csaf::index_txt(&rev);
        assert_eq!(index.lines().count(), csaf::advisories(&rev).len());
        assert!(
            index
                .lines()
                .all(|l| l.ends_with(".json") && l.contains('/')),
            "{index}"
        );
    };
    let fixed_sdk = "    id: QF-2026-001\n    product: JavaScript SDK\n    affected: '>=4.0.0|<4.12.0'\n    fixed: 4.12.0\n    cve: CVE-2026-12345\n    cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N\n    remediation: Upgrade to 4.12.0 or later.\n".to_owned();
    let service = "    id: HL-2026-003\n    product: Patient portal\n    cvss: CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:L/I:N/A:N\n    remediation: Fixed on our side; nothing to do.\n".to_owned();
    write_all(
        "quillfeather",
        with_advisories(candor_demo::QUILLFEATHER, &[fixed_sdk]),
    );
    write_all(
        "harborlight",
        with_advisories(candor_demo::HARBORLIGHT, &[service]),
    );
    let mut runner = TestRunner::new(Config::with_cases(32));
    let n = std::cell::Cell::new(0u32);
    let generated = std::cell::RefCell::new(Vec::new());
    runner
        .run(&prop::collection::vec(advisory(), 1..4), |list| {
            // Ids are unique in a file (whatever their case).
            let mut seen = std::collections::BTreeSet::new();
            let list: Vec<String> = list
                .into_iter()
                .filter(|a| seen.insert(a.lines().next().unwrap().to_ascii_lowercase()))
                .collect();
            generated.borrow_mut().push((n.get(), list));
            n.set(n.get() + 1);
            Ok(())
        })
        .unwrap();
    for (i, list) in generated.into_inner() {
        write_all(
            &format!("random{i}"),
            with_advisories(candor_demo::QUILLFEATHER, &list),
        );
    }
    let out = Command::new("node")
        .arg(repo_root().join("tests/csaf/validate.mjs"))
        .args(&files)
        .output()
        .expect("node runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains(&format!("csaf: {} documents", files.len())),
        "{said}"
    );
}
