//! Tests over whole documents: the demo files, field-path errors, round trips, diffs.

use crate::coverage::coverage;
use crate::model::{ControlStatus, TrustCenter};
use crate::{FrameworkId, diff};

const QUILLFEATHER: &str = candor_demo::QUILLFEATHER;

fn demo() -> TrustCenter {
    TrustCenter::from_yaml(QUILLFEATHER).unwrap()
}

/// Replaces the first occurrence of `from` in the demo file, failing loudly if absent.
fn demo_with(from: &str, to: &str) -> String {
    assert!(
        QUILLFEATHER.contains(from),
        "demo file no longer contains {from:?}"
    );
    QUILLFEATHER.replacen(from, to, 1)
}

fn first_error(yaml: &str) -> (String, String) {
    let err = TrustCenter::from_yaml(yaml).unwrap_err();
    (err.first().field.clone(), err.first().message.clone())
}

#[test]
fn demo_parses_with_every_section_filled() {
    let tc = demo();
    assert!(tc.controls.len() >= 30);
    let categories: std::collections::BTreeSet<_> = tc
        .controls
        .iter()
        .map(|c| c.category.as_ref().unwrap().as_str())
        .collect();
    assert!(categories.len() >= 4, "{categories:?}");
    assert!(!tc.promises.is_empty() && !tc.posture.is_empty() && !tc.subprocessors.is_empty());
    assert!(
        !tc.changelog.is_empty()
            && !tc.roadmap.is_empty()
            && !tc.documents.is_empty()
            && !tc.faq.is_empty()
    );
}

#[test]
fn unknown_requirement_names_the_mapping() {
    let yaml = demo_with(
        "mappings: [soc2:CC6.1, soc2:CC6.6, iso27001:A.8.9",
        "mappings: [soc2:CC99.1, soc2:CC6.6, iso27001:A.8.9",
    );
    let (field, message) = first_error(&yaml);
    assert_eq!(field, "controls[0].mappings[0]");
    assert!(
        message.starts_with("unknown requirement `soc2:CC99.1` — did you mean `soc2:CC9.1`?"),
        "{message}"
    );
}

#[test]
fn type_and_shape_errors_name_the_field() {
    let (field, message) = first_error(&demo_with("status: implemented", "status: done"));
    assert_eq!(field, "controls[0].status");
    assert!(message.contains("unknown variant `done`"), "{message}");

    let (field, message) = first_error(&demo_with(
        "  website: https://quillfeather.example",
        "  website: http://quillfeather.example",
    ));
    assert_eq!(field, "profile.website");
    assert!(message.contains("https://"), "{message}");

    let (field, message) = first_error(&demo_with(
        "  last_reviewed: 2026-11-02",
        "  last_reviewed: 2026-13-02",
    ));
    assert_eq!(field, "profile.last_reviewed");
    assert!(message.contains("YYYY-MM-DD"), "{message}");

    let (field, message) = first_error(&demo_with("  tagline:", "  taglin:"));
    assert_eq!(field, "profile.taglin");
    assert!(message.contains("unknown field"), "{message}");

    let (field, _) = first_error(&demo_with("    rto_minutes: 240", "    rto_minutes: -4"));
    assert_eq!(field, "commitments.resilience.rto_minutes");
}

#[test]
fn cross_field_rules_name_the_field() {
    let (field, message) = first_error(&demo_with(
        "- key: network-segmentation",
        "- key: cloud-hardening",
    ));
    assert_eq!(field, "controls[1].key");
    assert!(message.contains("used twice"), "{message}");

    let (field, _) = first_error(&demo_with("  document: soc2-report", "  document: nope"));
    assert_eq!(field, "posture[0].document");

    let (field, _) = first_error(&demo_with(
        "  effective_at: 2026-12-20",
        "  effective_at: 2026-11-01",
    ));
    assert_eq!(field, "subprocessors[6].effective_at");

    let (field, message) = first_error(&demo_with("version: 1", "version: 3"));
    assert_eq!(field, "version");
    assert_eq!(
        message,
        "unsupported format version 3; this build reads 1 and 2 (write 2) (line 4)"
    );
}

/// Revisions published before the format's fields became optional (served by
/// 8a587ab as trust.json) read with today's model, re-serialise to the same
/// canonical bytes and so keep their content hash: published history does not
/// change under a new model.
#[test]
fn revisions_published_under_format_1_keep_their_bytes_and_hash() {
    for served in [
        include_str!("../testdata/published-v1-quillfeather.json"),
        include_str!("../testdata/published-v1-harborlight.json"),
    ] {
        let document: serde_json::Value = serde_json::from_str(served).unwrap();
        let content = &document["content"];
        let parsed: TrustCenter = serde_json::from_value(content.clone()).unwrap();
        assert_eq!(parsed.version, 1);
        assert_eq!(
            parsed.canonical_bytes(),
            crate::canonical_json(content),
            "the same bytes"
        );
        assert_eq!(
            parsed.content_hash().to_string(),
            document["content_hash"].as_str().unwrap()
        );
        // What format 1 implied by leaving the notice period out still holds.
        assert_eq!(parsed.notice_days(), Some(30));
    }
}

#[test]
fn syntax_errors_are_reported_not_panicked() {
    for bad in [
        "",
        "[",
        "version: [1",
        "\t- x",
        "profile: {",
        "version: 1\nprofile: 3",
    ] {
        let err = TrustCenter::from_yaml(bad).unwrap_err();
        assert!(!err.to_string().is_empty());
    }
}

#[test]
fn yaml_and_json_round_trip_exactly() {
    let tc = demo();
    let yaml = tc.to_yaml();
    let again = TrustCenter::from_yaml(&yaml).unwrap();
    assert_eq!(again, tc);
    assert_eq!(again.to_yaml(), yaml);
    let json = serde_json::to_vec(&tc).unwrap();
    assert_eq!(TrustCenter::from_json(&json).unwrap(), tc);
    assert_eq!(again.content_hash(), tc.content_hash());
}

#[test]
fn coverage_counts_only_implemented_controls() {
    let mut tc = demo();
    let soc2 = |tc: &TrustCenter| {
        coverage(tc)
            .into_iter()
            .find(|c| c.framework == FrameworkId::Soc2)
            .unwrap()
    };
    let before = soc2(&tc);
    assert_eq!(before.total, 61);
    assert!(before.implemented > 10 && before.implemented <= before.mapped);
    for c in &mut tc.controls {
        c.status = ControlStatus::Planned;
    }
    let after = soc2(&tc);
    assert_eq!(after.implemented, 0);
    assert_eq!(after.mapped, before.mapped);
}

#[test]
fn diff_reports_additions_removals_and_field_changes() {
    let old = demo();
    let mut new = old.clone();
    let mut added = new.subprocessors[3].clone();
    added.name = "Mailgun".parse().unwrap();
    added.effective_at = Some("2027-01-05".parse().unwrap());
    new.subprocessors.push(added);
    new.controls[0].status = ControlStatus::InProgress;
    new.faq.remove(0);
    new.commitments.resilience.as_mut().unwrap().rto_minutes = Some(60);
    let d = diff(&old, &new);
    let lines = d.describe();
    assert!(
        lines.contains(
            &"subprocessor added: Mailgun (Transactional email), takes effect 2027-01-05"
                .to_owned()
        ),
        "{lines:#?}"
    );
    assert!(
        lines.contains(
            &"control changed: cloud-hardening (status: implemented → in_progress)".to_owned()
        ),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&"question removed: Where is my data stored?".to_owned()),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&"commitment changed: resilience (rto_minutes: 240 → 60)".to_owned()),
        "{lines:#?}"
    );
    assert_eq!(lines.len(), 4, "{lines:#?}");
    assert!(diff(&old, &old).is_empty());
}

#[test]
fn reordering_is_reported_and_changes_the_hash() {
    let old = demo();
    let mut new = old.clone();
    new.controls.swap(0, 1);
    let d = diff(&old, &new);
    assert_eq!(d.describe(), vec!["controls reordered".to_owned()]);
    assert_ne!(old.content_hash(), new.content_hash());
}

#[test]
fn one_section_can_be_edited_as_yaml_and_errors_keep_their_full_path() {
    let tc = demo();
    let yaml = tc.section_yaml("subprocessors").unwrap();
    assert_eq!(tc.replace_section("subprocessors", &yaml).unwrap(), tc);
    let edited = yaml.replacen("purpose: Billing", "purpose: Billing and invoicing", 1);
    let changed = tc.replace_section("subprocessors", &edited).unwrap();
    assert_eq!(
        changed.subprocessors[2].purpose.as_ref().unwrap().as_str(),
        "Billing and invoicing"
    );
    assert_eq!(
        changed.controls, tc.controls,
        "other sections are untouched"
    );
    let broken = yaml.replacen("effective_at: 2026-12-20", "effective_at: 2026-11-01", 1);
    let err = tc.replace_section("subprocessors", &broken).unwrap_err();
    assert_eq!(err.first().field, "subprocessors[6].effective_at");
    let err = tc
        .replace_section("subprocessors", "- name: [")
        .unwrap_err();
    assert_eq!(err.first().field, "subprocessors");
    assert!(tc.section_yaml("secrets").is_none());
    assert!(tc.replace_section("version", "2").is_err());
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Arbitrary text never panics the parser.
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
            let _ = TrustCenter::from_yaml(&text);
            let _ = TrustCenter::from_json(text.as_bytes());
        }

        /// Mutating one line of a valid document either still parses or names a field.
        #[test]
        fn line_mutations_give_a_clear_error_or_a_valid_document(line in 0usize..400, junk in "[a-z:\\[\\]{}\\- 0-9]{0,12}") {
            let mut lines: Vec<&str> = QUILLFEATHER.lines().collect();
            let idx = line % lines.len();
            let mutated = format!("{}{}", lines[idx], junk);
            lines[idx] = &mutated;
            let text = lines.join("\n");
            match TrustCenter::from_yaml(&text) {
                Ok(tc) => prop_assert_eq!(TrustCenter::from_yaml(&tc.to_yaml()).unwrap(), tc),
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }

        /// Text fields survive a YAML round trip whatever they contain.
        #[test]
        fn text_fields_round_trip(title in "[\\PC&&[^\\u{0}-\\u{1f}]]{1,60}", body in "\\PC{1,120}") {
            let mut tc = demo();
            if let (Ok(t), Ok(b)) = (title.parse(), body.parse()) {
                tc.promises[0].title = t;
                tc.promises[0].body = b;
                let again = TrustCenter::from_yaml(&tc.to_yaml()).unwrap();
                prop_assert_eq!(again, tc);
            }
        }
    }
}

#[test]
fn diffs_show_invisible_characters() {
    let before = demo();
    let mut after = before.clone();
    after.profile.name = "Quill\u{200B}feather".parse().unwrap();
    let lines = diff(&before, &after).describe();
    assert!(
        lines.iter().any(|l| l.contains("Quill⟨U+200B⟩feather")),
        "{lines:?}"
    );
    assert_eq!(
        crate::diff::show_invisible("a\u{202E}b\tc"),
        "a⟨U+202E⟩b⟨U+0009⟩c"
    );
}

fn errors_of(yaml: &str) -> Vec<String> {
    TrustCenter::from_yaml(yaml)
        .unwrap_err()
        .errors
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn errors_say_where_what_was_expected_and_what_was_probably_meant() {
    const HEAD: &str = "version: 2\nprofile:\n  name: A\n";
    let cases: &[(&str, &str)] = &[
        (
            "version: 2\nprofile:\n  name: A\n  tagline: Note: colon here\n",
            "profile.tagline: mapping values are not allowed in this context (line 4, column 16); \
             quote a value that contains ': ' (title: \"Step 1: plan\")",
        ),
        (
            "commitments:\n  resilience:\n    rto_minutes: four hours\n",
            "commitments.resilience.rto_minutes: expected a whole number of minutes, not string \
             \"four hours\" (line 6)",
        ),
        (
            "commitments:\n  encryption:\n    backups_encrypted: sometimes\n",
            "commitments.encryption.backups_encrypted: expected true or false, not string \
             \"sometimes\" (leave the field out if you do not say) (line 6)",
        ),
        (
            "controls:\n- key: a\n  title: T\n  description: D\n  status: implemented\n  mappings: [gdpr:Art. 32]\n",
            "controls[0].mappings[0]: unknown requirement `gdpr:Art. 32` — did you mean \
             `gdpr:art32`? (line 9)",
        ),
        (
            "posture:\n- standard: ISO 55000\n  framework: iso55000\n",
            "posture[0].framework: `iso55000` is not a known framework: leave `framework` out \
             for a standard Candor has no catalogue for (known: soc2, gdpr, iso27001, hipaa, \
             pcidss) (line 6)",
        ),
        (
            "posture:\n- standard: X\n  status: compliantt\n",
            "posture[0].status: unknown value `compliantt` — did you mean `compliant`? (expected \
             one of `compliant`, `certified`, `in_progress`, `roadmap`, `designed_against`, \
             `not_pursued`, `out_of_scope`) (line 6)",
        ),
        (
            "changelog:\n- title: Fixed\n  assessment: pentest-2026\n",
            "changelog[0].assessment: no assessment with key \"pentest-2026\" in assessments \
             (line 6)",
        ),
        (
            "commitments:\n  vulnerability_disclosure:\n    remediation_times:\n    - severity: high\n",
            "commitments.vulnerability_disclosure.remediation_times[0]: give either days or \
             business_days (line 7)",
        ),
        (
            "commitments:\n  resilience:\n    rpo_minutes: 15\n    field_scopes:\n      rpo_minute:\n        plan: enterprise\n",
            "commitments.resilience.field_scopes.rpo_minute: no claim `rpo_minute` is stated in \
             resilience — did you mean `rpo_minutes`? (line 8)",
        ),
        (
            "promises: []\nsubprocesors: []\n",
            "unknown section `subprocesors` — did you mean `subprocessors`?",
        ),
    ];
    for (body, expected) in cases {
        let yaml = if body.starts_with("version") {
            (*body).to_owned()
        } else {
            format!("{HEAD}{body}")
        };
        assert_eq!(errors_of(&yaml), vec![(*expected).to_owned()], "{yaml}");
    }
}

#[test]
fn every_error_in_a_file_is_reported_at_once_each_with_its_line() {
    let yaml = "version: 2\nprofile:\n  name: A\n  nmae: B\ncontrols:\n- key: a\n  title: T\n  description: D\n  status: implementd\n- key: b\n  title: T\n  description: D\n  status: plannd\ncommitments:\n  resilience:\n    rpo_minutes: -5\n";
    assert_eq!(
        errors_of(yaml),
        vec![
            "profile.nmae: unknown field `nmae` — did you mean `name`? (expected one of `name`, \
             `tagline`, `overview`, `website`, `security_contact`, `general_contact`, \
             `last_reviewed`, `sla_url`, `regions`, `data_residency`, `nda`, `questions`, \
             `hide_coverage_percentages`, `branding`, `locales`, `time_zone`) (line 4)",
            "controls[0].status: unknown value `implementd` — did you mean `implemented`? \
             (expected one of `implemented`, `in_progress`, `planned`, `not_applicable`) (line 9)",
            "controls[1].status: unknown value `plannd` — did you mean `planned`? (expected one \
             of `implemented`, `in_progress`, `planned`, `not_applicable`) (line 13)",
            "commitments.resilience.rpo_minutes: expected a whole number of minutes, not \
             integer `-5` (line 16)",
        ]
    );
    // Rules across fields are reported together too, each at its line.
    let yaml = "version: 2\nprofile:\n  name: A\ncontrols:\n- key: a\n  title: T\n  description: D\n  status: planned\n- key: a\n  title: T\n  description: D\n  status: planned\nposture:\n- standard: X\n  document: nope\n";
    assert_eq!(
        errors_of(yaml),
        vec![
            "controls[1].key: \"a\" is used twice (also controls[0]) (line 9)",
            "posture[0].document: no document with key \"nope\" in documents (line 15)",
        ]
    );
}

#[test]
fn format_2_transcriptions_round_trip_exactly() {
    for yaml in [
        include_str!("../../candor-web/tests/data/trust-pages/velaurum.yaml"),
        include_str!("../../candor-web/tests/data/trust-pages/iqcloud.yaml"),
    ] {
        let tc = TrustCenter::from_yaml(yaml).unwrap();
        let exported = tc.to_yaml();
        let again = TrustCenter::from_yaml(&exported).unwrap();
        assert_eq!(again, tc);
        assert_eq!(again.to_yaml(), exported);
        let json = serde_json::to_vec(&tc).unwrap();
        assert_eq!(TrustCenter::from_json(&json).unwrap(), tc);
    }
}

#[test]
fn witnesses_are_checked_key_and_url_and_their_errors_name_the_field() {
    let w1 = candor_log::cosignature::Cosigner::new("witness.example/w1", &[4; 32]).unwrap();
    let w2 = candor_log::cosignature::Cosigner::new("witness.example/w2", &[5; 32]).unwrap();
    let with = |extra: &str| format!("{}witnesses:\n{extra}", candor_demo::QUILLFEATHER);
    let good = with(&format!(
        "- name: Witness one\n  url: https://witness.example/w1/\n  key: {}\n- name: Local\n  url: http://127.0.0.1:7000\n  key: {}\n",
        w1.verifier_key(),
        w2.verifier_key()
    ));
    let tc = TrustCenter::from_yaml(&good).unwrap();
    assert_eq!(tc.witnesses.len(), 2);
    assert_eq!(
        tc.witnesses[0].url.as_str(),
        "https://witness.example/w1",
        "a prefix, without the slash"
    );
    // Content without witnesses hashes as before: the section is left out.
    let plain = TrustCenter::from_yaml(candor_demo::QUILLFEATHER).unwrap();
    assert!(!serde_json::to_string(&plain).unwrap().contains("witnesses"));

    let note_key = crate::tests::log_key();
    for (yaml, field, needle) in [
        (
            with(&format!(
                "- name: W\n  url: https://w.example\n  key: {note_key}\n"
            )),
            "witnesses[0].key",
            "not a witness verifier key",
        ),
        (
            with(&format!(
                "- name: W\n  url: http://w.example\n  key: {}\n",
                w1.verifier_key()
            )),
            "witnesses[0].url",
            "https://",
        ),
        (
            with(&format!(
                "- name: A\n  url: https://a.example\n  key: {k}\n- name: B\n  url: https://b.example\n  key: {k}\n",
                k = w1.verifier_key()
            )),
            "witnesses[1].key",
            "",
        ),
    ] {
        let (got, message) = first_error(&yaml);
        assert_eq!(got, field, "{message}");
        assert!(message.contains(needle), "{message}");
    }
}

/// An Ed25519 note key (a log's), which is not a witness key.
fn log_key() -> String {
    candor_log::note::NoteSigner::new("trust.example.com/acme", &[6; 32])
        .unwrap()
        .verifier_key()
}

mod translations {
    use crate::TrustCenter;

    fn with_locales(extra: &str) -> String {
        candor_demo::QUILLFEATHER.replacen(
            "profile:\n",
            &format!("profile:\n  locales: [en, de]\n{extra}"),
            1,
        )
    }

    #[test]
    fn a_text_may_be_given_per_locale_and_the_page_reads_one_language() {
        let yaml = with_locales("").replacen(
            "  tagline: Product analytics that never sells, shares or fingerprints your users.\n",
            "  tagline:\n    en: Product analytics that never sells your users.\n    de: Produktanalyse, die Ihre Nutzer nie verkauft.\n",
            1,
        );
        let tc = TrustCenter::from_yaml(&yaml).unwrap();
        let tagline = tc.profile.tagline.as_ref().unwrap();
        assert_eq!(
            tagline.as_str(),
            "Product analytics that never sells your users."
        );
        assert_eq!(
            tagline.in_locale("de"),
            "Produktanalyse, die Ihre Nutzer nie verkauft."
        );
        assert_eq!(
            tagline.in_locale("fr"),
            tagline.as_str(),
            "falls back to the default"
        );
        let german = tc.localized("de");
        assert_eq!(
            german.profile.tagline.as_ref().unwrap().as_str(),
            "Produktanalyse, die Ihre Nutzer nie verkauft."
        );
        assert!(
            german
                .profile
                .tagline
                .as_ref()
                .unwrap()
                .translations()
                .is_none()
        );
        // Stored and read back (canonical JSON, no profile at hand): the same.
        let stored: TrustCenter = serde_json::from_slice(&tc.canonical_bytes()).unwrap();
        assert_eq!(stored, tc);
        let again = TrustCenter::from_yaml(&tc.to_yaml()).unwrap();
        assert_eq!(again, tc);
        // No translation is missing for en and de.
        assert!(tc.missing_translations().is_empty());
    }

    #[test]
    fn translations_are_checked_against_the_locales_and_missing_ones_warned() {
        let tagline = |map: &str| {
            with_locales("").replacen(
                "  tagline: Product analytics that never sells, shares or fingerprints your users.\n",
                &format!("  tagline: {map}\n"),
                1,
            )
        };
        let err = TrustCenter::from_yaml(&tagline("{de: Nur Deutsch}")).unwrap_err();
        assert_eq!(err.first().field, "profile.tagline", "{err}");
        assert!(err.to_string().contains("default language (en)"), "{err}");
        let err = TrustCenter::from_yaml(&tagline("{en: A, fr: B}")).unwrap_err();
        assert!(
            err.to_string()
                .contains("\"fr\" is not one of profile.locales"),
            "{err}"
        );
        let no_locales = candor_demo::QUILLFEATHER.replacen(
            "  tagline: Product analytics that never sells, shares or fingerprints your users.\n",
            "  tagline: {en: A, de: B}\n",
            1,
        );
        let err = TrustCenter::from_yaml(&no_locales).unwrap_err();
        assert!(err.to_string().contains("needs profile.locales"), "{err}");
        let err = TrustCenter::from_yaml(&with_locales("").replacen(
            "locales: [en, de]",
            "locales: [en, es]",
            1,
        ))
        .unwrap_err();
        assert_eq!(err.first().field, "profile.locales[1]", "{err}");
        // Three locales, a text in two: a warning naming the field and the language.
        let three =
            tagline("{en: A, de: B}").replacen("locales: [en, de]", "locales: [en, de, fr]", 1);
        let tc = TrustCenter::from_yaml(&three).unwrap();
        let warnings = tc.missing_translations();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(warnings[0].field, "profile.tagline");
        assert!(
            warnings[0].message.contains("no translation in fr"),
            "{warnings:?}"
        );
        // A bare number where text is expected keeps its digits; a decimal is refused.
        let version =
            candor_demo::QUILLFEATHER.replacen("  version: '2026'\n", "  version: 2026\n", 1);
        assert!(TrustCenter::from_yaml(&version).is_ok());
        let decimal =
            candor_demo::QUILLFEATHER.replacen("  version: '2026'\n", "  version: 1.10\n", 1);
        assert!(
            TrustCenter::from_yaml(&decimal)
                .unwrap_err()
                .to_string()
                .contains("quotes")
        );
    }
}

mod advisories {
    use super::*;

    fn with_advisory(advisory: &str) -> Result<TrustCenter, crate::ContentError> {
        let entry = format!(
            "changelog:\n- date: 2026-10-02\n  category: security\n  title: Open redirect fixed\n  advisory:\n{advisory}"
        );
        TrustCenter::from_yaml(&QUILLFEATHER.replacen("changelog:\n", &entry, 1))
    }

    #[test]
    fn an_advisory_is_checked_field_by_field_and_scored_from_its_vector() {
        let tc = with_advisory(
            "    id: QF-2026-001\n    product: Quillfeather JavaScript SDK\n    affected: '>=4.0.0|<4.12.0'\n    fixed: 4.12.0\n    cve: CVE-2026-12345\n    cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N\n    remediation: Upgrade to 4.12.0.\n",
        )
        .unwrap();
        let advisory = tc.changelog[0].advisory.as_ref().unwrap();
        assert_eq!(advisory.cvss.base_score(), (6.5, "MEDIUM"));
        for (field, bad) in [
            (
                "id",
                "    id: QF 2026\n    product: X\n    cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N\n    remediation: R\n",
            ),
            (
                "cve",
                "    id: A1\n    product: X\n    cve: CVE-26-1\n    cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N\n    remediation: R\n",
            ),
            (
                "cvss",
                "    id: A1\n    product: X\n    cvss: CVSS:3.1/AV:N/AC:L\n    remediation: R\n",
            ),
            (
                "cvss",
                "    id: A1\n    product: X\n    cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N/E:P\n    remediation: R\n",
            ),
            (
                "affected",
                "    id: A1\n    product: X\n    affected: before 4.12\n    cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N\n    remediation: R\n",
            ),
            (
                "updated",
                "    id: A1\n    product: X\n    cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N\n    remediation: R\n    updated: 2026-01-01\n",
            ),
        ] {
            let err = with_advisory(bad).unwrap_err();
            assert!(
                err.first().field.ends_with(&format!("advisory.{field}")),
                "{field}: {err}"
            );
        }
        // Two advisories with one id (in any case) are refused.
        let twice = "    id: QF-1\n    product: X\n    cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N\n    remediation: R\n- date: 2026-10-03\n  title: Another\n  advisory:\n    id: qf-1\n    product: Y\n    cvss: CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N\n    remediation: R\n";
        let err = with_advisory(twice).unwrap_err();
        assert_eq!(err.first().field, "changelog[1].advisory.id", "{err}");
    }
}
