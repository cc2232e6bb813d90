//! Candor's verdicts lined up with peer tools nobody here wrote, on the same input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const URL: &str = "https://example.com/.well-known/security.txt";

/// The corpus file with its date placeholders filled in relative to `now`.
fn render(template: &[u8], now: OffsetDateTime) -> Vec<u8> {
    let day = |days: i64| {
        (now + time::Duration::days(days))
            .replace_time(time::Time::MIDNIGHT)
            .format(&Rfc3339)
            .unwrap()
    };
    String::from_utf8_lossy(template)
        .replace("{FUTURE}", &day(30))
        .replace("{PAST}", &day(-30))
        .replace("{FAR}", &day(800))
        .replace("{URL}", URL)
        .into_bytes()
    // Keep a leading BOM as bytes: from_utf8_lossy keeps valid UTF-8 as it is.
}

/// sectxt's error and recommendation codes for a body (its notices are not verdicts).
fn sectxt_codes(path: &Path) -> BTreeSet<String> {
    let script = "import sys, json, sectxt\n\
        p = sectxt.Parser(open(sys.argv[1], 'rb').read(), urls=sys.argv[2])\n\
        print(json.dumps([e['code'] for e in p.errors + p.recommendations]))\n";
    let out = Command::new("python3")
        .args(["-c", script, path.to_str().unwrap(), URL])
        .output()
        .expect("python3 with sectxt (scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Vec<String>>(&out.stdout)
        .unwrap()
        .into_iter()
        .collect()
}

#[test]
fn security_txt_verdicts_agree_with_pypi_sectxt_on_the_whole_corpus() {
    let now = OffsetDateTime::now_utc();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/securitytxt");
    let tmp = tempfile::tempdir().unwrap();
    let mut compared = 0;
    let mut disagreements = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let body = render(&std::fs::read(&path).unwrap(), now);
        let file = tmp.path().join(path.file_name().unwrap());
        std::fs::write(&file, &body).unwrap();
        let (_, findings) = candor_verify::securitytxt::check_body(&body, &[URL], now);
        let ours: BTreeSet<String> = findings.iter().map(|f| f.code.to_owned()).collect();
        let theirs = sectxt_codes(&file);
        if ours != theirs {
            disagreements.push(format!(
                "{}: candor {ours:?}, sectxt {theirs:?}",
                path.file_name().unwrap().to_string_lossy()
            ));
        }
        compared += 1;
    }
    assert!(compared >= 15, "{compared} files");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
