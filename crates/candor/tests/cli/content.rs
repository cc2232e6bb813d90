//! Trust-as-code: apply, export, dry runs, refusals, publishing and diffs, and the
//! published schemas.

use std::path::Path;

use candor_demo::QUILLFEATHER;
use candor_testkit::fixtures::{mailgun_effective, mailgun_entry};

use crate::harness::{Workspace, path_str, python_validate, schema_path};

#[test]
fn apply_then_export_round_trips_exactly() {
    let ws = Workspace::new();
    ws.ok(&[
        "org",
        "create",
        "quillfeather",
        "--name",
        "Quillfeather Analytics",
    ]);
    let demo = ws.file("demo.yaml", QUILLFEATHER);
    let out = ws.ok(&["apply", path_str(&demo), "--org", "quillfeather"]);
    assert!(
        out.contains("create the draft of quillfeather: 36 controls"),
        "{out}"
    );
    let exported = ws.export("quillfeather");
    // The export is the same document as the file that was applied.
    let original = candor_domain::TrustCenter::from_yaml(QUILLFEATHER).unwrap();
    assert_eq!(
        candor_domain::TrustCenter::from_yaml(&exported).unwrap(),
        original
    );
    // Applying the export changes nothing, and exporting again gives identical bytes.
    let file = ws.file("exported.yaml", &exported);
    let out = ws.ok(&["apply", path_str(&file), "--org", "quillfeather"]);
    assert!(out.contains("no changes"), "{out}");
    assert_eq!(ws.export("quillfeather"), exported);
    // `export -o` writes the same bytes to a file.
    let target = ws.dir.path().join("out.yaml");
    ws.ok(&["export", "--org", "quillfeather", "-o", path_str(&target)]);
    assert_eq!(std::fs::read_to_string(target).unwrap(), exported);
}

#[test]
fn dry_run_prints_changes_and_stores_nothing() {
    // Without a database, a dry run checks the file, says the org does not
    // exist, and creates no database.
    let ws = Workspace::new();
    let demo = ws.file("demo.yaml", QUILLFEATHER);
    let out = ws.candor(&["apply", "--dry-run", path_str(&demo), "--org", "nobody"]);
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        format!(
            "error: no database at {}, so no org nobody: {} is valid, and nothing was \
             created (create the org with `candor org create nobody --name NAME`)",
            ws.dir.path().join("candor.db").display(),
            demo.display()
        )
    );
    assert!(!ws.dir.path().join("candor.db").exists());

    ws.ok(&["org", "create", "quillfeather", "--name", "Q"]);
    let demo = ws.file("demo.yaml", QUILLFEATHER);
    let out = ws.ok(&[
        "apply",
        "--dry-run",
        path_str(&demo),
        "--org",
        "quillfeather",
    ]);
    assert!(
        out.contains("would create the draft") && out.contains("nothing was stored"),
        "{out}"
    );
    let out = ws.candor(&["export", "--org", "quillfeather"]);
    assert!(!out.status.success(), "a dry run must not create a draft");

    ws.ok(&["apply", path_str(&demo), "--org", "quillfeather"]);
    let before = ws.export("quillfeather");
    let changed = QUILLFEATHER
        .replacen("    rto_minutes: 240", "    rto_minutes: 60", 1)
        .replacen(
            "- question: Do you support single sign-on?",
            "- question: Do you support SSO?",
            1,
        );
    let file = ws.file("changed.yaml", &changed);
    let out = ws.ok(&[
        "apply",
        "--dry-run",
        path_str(&file),
        "--org",
        "quillfeather",
    ]);
    assert!(
        out.contains("commitment changed: resilience (rto_minutes: 240 → 60)"),
        "{out}"
    );
    assert!(out.contains("question added: Do you support SSO?"), "{out}");
    assert!(
        out.contains("question removed: Do you support single sign-on?"),
        "{out}"
    );
    assert_eq!(
        ws.export("quillfeather"),
        before,
        "dry run changed the draft"
    );
}

#[test]
fn bad_yaml_names_the_field_and_changes_nothing() {
    let ws = Workspace::new();
    ws.ok(&["org", "create", "quillfeather", "--name", "Q"]);
    let demo = ws.file("demo.yaml", QUILLFEATHER);
    ws.ok(&["apply", path_str(&demo), "--org", "quillfeather"]);
    let before = ws.export("quillfeather");
    let cases = [
        (
            QUILLFEATHER.replacen("soc2:CC6.1", "soc2:CC99.1", 1),
            "controls[0].mappings[0]: unknown requirement `soc2:CC99.1` — did you mean `soc2:CC9.1`? (line 47)",
        ),
        (
            QUILLFEATHER.replacen("  status: implemented", "  status: done", 1),
            "controls[0].status: unknown variant `done`",
        ),
        (
            QUILLFEATHER.replacen(
                "  security_contact: security@quillfeather.example",
                "  security_contact: nobody",
                1,
            ),
            "profile.security_contact: \"nobody\" is not an email address",
        ),
        (
            QUILLFEATHER.replacen(
                "  effective_at: 2026-12-20",
                "  effective_at: 2026-11-01",
                1,
            ),
            "subprocessors[6].effective_at: 2026-11-01 is before announced_at 2026-11-18",
        ),
        (
            "controls: [".to_owned(),
            "did not find expected node content (line 2, column 1)",
        ),
    ];
    for (yaml, expected) in cases {
        let file = ws.file("bad.yaml", &yaml);
        let out = ws.candor(&["apply", path_str(&file), "--org", "quillfeather"]);
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(expected),
            "expected {expected:?} in:\n{stderr}"
        );
        assert!(stderr.contains("nothing was changed"), "{stderr}");
        assert_eq!(
            ws.export("quillfeather"),
            before,
            "a refused file changed the draft"
        );
    }
}

#[test]
fn publish_numbers_revisions_and_diff_describes_them() {
    let ws = Workspace::new();
    ws.ok(&["org", "create", "quillfeather", "--name", "Q"]);
    let out = ws.candor(&["publish", "--org", "quillfeather"]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("no draft"));
    let demo = ws.file("demo.yaml", QUILLFEATHER);
    ws.ok(&["apply", path_str(&demo), "--org", "quillfeather"]);
    assert!(
        ws.ok(&["publish", "--org", "quillfeather"])
            .contains("published revision 1 of quillfeather (sha256:")
    );
    assert!(
        ws.ok(&["publish", "--org", "quillfeather"])
            .contains("nothing to publish: the draft equals revision 1")
    );

    let added = QUILLFEATHER.replacen("changelog:\n", &mailgun_entry(), 1);
    let file = ws.file("v2.yaml", &added);
    ws.ok(&["apply", path_str(&file), "--org", "quillfeather"]);
    let out = ws.ok(&["publish", "--org", "quillfeather"]);
    assert!(out.contains("published revision 2"), "{out}");
    assert!(
        out.contains(&format!(
            "subprocessor added: Mailgun (Backup email delivery), takes effect {}",
            mailgun_effective()
        )),
        "{out}"
    );

    // Another subprocessor taking effect tomorrow is refused, naming the field.
    let tomorrow = (time::OffsetDateTime::now_utc().date() + time::Duration::days(1)).to_string();
    let short = added.replacen(
        "changelog:\n",
        &mailgun_entry()
            .replace("Mailgun", "Resend")
            .replace(&mailgun_effective(), &tomorrow),
        1,
    );
    let file = ws.file("v3.yaml", &short);
    ws.ok(&["apply", path_str(&file), "--org", "quillfeather"]);
    let out = ws.candor(&["publish", "--org", "quillfeather"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("not published: subprocessors[") && stderr.contains("].effective_at"),
        "{stderr}"
    );
    ws.ok(&[
        "apply",
        path_str(&ws.file("v2.yaml", &added)),
        "--org",
        "quillfeather",
    ]);

    let out = ws.ok(&["diff", "--org", "quillfeather", "1", "2"]);
    assert_eq!(
        out.trim(),
        format!(
            "subprocessor added: Mailgun (Backup email delivery), takes effect {}",
            mailgun_effective()
        )
    );
    let json: serde_json::Value =
        serde_json::from_str(&ws.ok(&["diff", "--org", "quillfeather", "1", "2", "--json"]))
            .unwrap();
    assert_eq!(json["sections"][0]["section"], "subprocessors");
    assert_eq!(json["sections"][0]["added"][0]["id"], "Mailgun");
    assert!(
        ws.ok(&["diff", "--org", "quillfeather", "2", "draft"])
            .contains("no differences")
    );
    let out = ws.candor(&["diff", "--org", "quillfeather", "1", "7"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no revision 7"));
    let listed = ws.ok(&["org", "list"]);
    assert!(listed.contains("quillfeather\tQ\trevision 2"), "{listed}");
}

/// `export --oscal`: the latest revision as the OSCAL component definition
/// the server serves, naming the revision's hash, loaded by compliance-trestle.
#[test]
fn export_oscal_writes_the_published_revision_as_a_component_definition() {
    let ws = Workspace::new();
    ws.ok(&["org", "create", "quillfeather", "--name", "Q"]);
    const EXPORT: [&str; 6] = [
        "export",
        "--org",
        "quillfeather",
        "--oscal",
        "--public-url",
        "https://trust.example.com/",
    ];
    let out = ws.candor(&EXPORT);
    assert!(!out.status.success(), "nothing published yet");
    assert!(String::from_utf8_lossy(&out.stderr).contains("has not published"));
    let demo = ws.file("demo.yaml", QUILLFEATHER);
    ws.ok(&["apply", path_str(&demo), "--org", "quillfeather"]);
    let published = ws.ok(&["publish", "--org", "quillfeather"]);
    let hash = published
        .split('(')
        .nth(1)
        .unwrap()
        .split(')')
        .next()
        .unwrap()
        .to_owned();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("component-quillfeather.json");
    ws.ok(&[&EXPORT[..], &["-o", path_str(&target)]].concat());
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    let meta = &doc["component-definition"]["metadata"];
    assert!(meta["props"].to_string().contains(&hash), "{meta}");
    let source =
        doc["component-definition"]["components"][0]["control-implementations"][0]["source"]
            .as_str()
            .unwrap();
    assert!(
        source.starts_with("https://trust.example.com/oscal/profiles/"),
        "{source}"
    );
    let check = std::process::Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scripts/check-oscal.py"
        ))
        .args(["--alone", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let refused = ws.candor(&["export", "--org", "quillfeather", "--oscal"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--public-url"));
}

#[test]
fn org_slugs_and_unknown_orgs_are_refused_clearly() {
    let ws = Workspace::new();
    let out = ws.candor(&["org", "create", "Bad Slug", "--name", "X"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a valid key"));
    let out = ws.candor(&["org", "create", "admin", "--name", "X"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("reserved"));
    ws.ok(&["org", "create", "acme", "--name", "Acme"]);
    let out = ws.candor(&["org", "create", "acme", "--name", "Acme"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    let out = ws.candor(&["export", "--org", "nobody"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no org nobody"));
}

#[test]
fn the_published_schemas_match_the_code() {
    let ws = Workspace::new();
    for (document, committed, file) in [
        (
            "trust-center",
            include_str!("../../../../schema/trust-center.schema.json"),
            "trust-center",
        ),
        (
            "trust-json",
            include_str!("../../../../schema/trust.schema.json"),
            "trust",
        ),
    ] {
        let generated = ws.ok(&["schema", document]);
        assert_eq!(
            generated.trim_end(),
            committed.trim_end(),
            "run `candor schema {document} > schema/{file}.schema.json`"
        );
    }
}

#[test]
fn demo_content_validates_against_the_published_schema_with_an_independent_validator() {
    // Python's `jsonschema` (not our code) checks both demo files, as JSON, against the schema.
    let ws = Workspace::new();
    let mut docs = Vec::new();
    for yaml in [QUILLFEATHER, candor_demo::HARBORLIGHT] {
        let tc = candor_domain::TrustCenter::from_yaml(yaml).unwrap();
        docs.push(serde_json::to_value(&tc).unwrap());
    }
    let mut broken = docs[0].clone();
    broken["controls"][0]["status"] = "done".into();
    let docs_path = ws.file("docs.json", &serde_json::to_string(&docs).unwrap());
    let broken_path = ws.file(
        "broken.json",
        &serde_json::to_string(&vec![broken]).unwrap(),
    );
    let schema = schema_path("trust-center.schema.json");
    let run = |docs: &Path| python_validate(&schema, docs);
    let good = run(&docs_path);
    assert!(
        good.status.success(),
        "demo content fails the schema:\n{}{}",
        String::from_utf8_lossy(&good.stdout),
        String::from_utf8_lossy(&good.stderr)
    );
    let bad = run(&broken_path);
    assert_eq!(
        bad.status.code(),
        Some(1),
        "the validator accepted a broken document: {}",
        String::from_utf8_lossy(&bad.stderr)
    );
    assert!(String::from_utf8_lossy(&bad.stdout).contains("done"));

    // Format 2 transcriptions are valid too; and what `apply` refuses field by
    // field (types, values, formats, versions), the schema refuses as well.
    let velaurum = candor_domain::TrustCenter::from_yaml(include_str!(
        "../../../candor-web/tests/data/trust-pages/velaurum.yaml"
    ))
    .unwrap();
    let iqcloud = candor_domain::TrustCenter::from_yaml(include_str!(
        "../../../candor-web/tests/data/trust-pages/iqcloud.yaml"
    ))
    .unwrap();
    let v2 = vec![
        serde_json::to_value(&velaurum).unwrap(),
        serde_json::to_value(&iqcloud).unwrap(),
    ];
    let v2_path = ws.file("v2.json", &serde_json::to_string(&v2).unwrap());
    let good = run(&v2_path);
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stdout)
    );
    let base = v2[0].clone();
    let mut refused = Vec::new();
    for (path, value) in [
        ("/version", serde_json::json!(3)),
        ("/posture/1/target_date", serde_json::json!("sometime")),
        (
            "/commitments/resilience/rto_minutes",
            serde_json::json!("four hours"),
        ),
        (
            "/commitments/encryption/backups_encrypted",
            serde_json::json!("yes"),
        ),
        (
            "/commitments/encryption/tls_minimum",
            serde_json::json!("1.1"),
        ),
        ("/posture/0/status", serde_json::json!("done")),
        (
            "/profile/website",
            serde_json::json!("http://velaurum.example"),
        ),
        ("/profile/last_reviewed", serde_json::json!("June 2026")),
        ("/profile/nmae", serde_json::json!("x")),
    ] {
        let mut doc = base.clone();
        let (parent, key) = path.rsplit_once('/').unwrap();
        doc.pointer_mut(parent).unwrap()[key] = value;
        assert!(
            candor_domain::TrustCenter::from_json(&serde_json::to_vec(&doc).unwrap()).is_err(),
            "apply accepts {path}"
        );
        refused.push((path, doc));
    }
    for (path, doc) in refused {
        let one = ws.file("one.json", &serde_json::to_string(&vec![doc]).unwrap());
        assert_eq!(
            run(&one).status.code(),
            Some(1),
            "apply refuses {path} but the schema accepts it"
        );
    }
}
