//! security.txt, its OpenPGP signature and the researcher key, on the shared host
//! and on an org's own host.

use candor_demo::{HARBORLIGHT, QUILLFEATHER};
use candor_domain::TrustCenter;
use candor_testkit::process::{gpg_status, output_with_input};
use reqwest::StatusCode;

use crate::harness::App;

/// An org's own key for researchers: checked when read (it must encrypt; a
/// private key is refused), served beside security.txt, named in its
/// `Encryption:` field, fingerprint computed; GnuPG encrypts to what is served.
#[tokio::test]
async fn an_orgs_own_researcher_key_is_checked_served_and_usable() {
    use std::process::Command;
    let home = tempfile::tempdir().unwrap();
    let gpg = |args: &[&str]| {
        let out = Command::new("gpg")
            .env("GNUPGHOME", home.path())
            .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
            .args(args)
            .output()
            .expect("gpg (GnuPG) is installed by scripts/test.sh");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    gpg(&[
        "--quick-gen-key",
        "Security <security@keys.example>",
        "ed25519",
        "sign",
        "never",
    ]);
    let sign_only = gpg(&["--armor", "--export", "security@keys.example"]);
    let private = gpg(&["--armor", "--export-secret-keys", "security@keys.example"]);
    let fingerprint = gpg(&["--with-colons", "--list-keys", "security@keys.example"])
        .lines()
        .find_map(|l| l.strip_prefix("fpr:"))
        .map(|l| l.trim_matches(':').to_owned())
        .unwrap();
    gpg(&["--quick-add-key", &fingerprint, "cv25519", "encr", "never"]);
    let public = gpg(&["--armor", "--export", "security@keys.example"]);
    let grouped: String = fingerprint
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");

    let yaml = |key: &str| {
        let indented: String = key.lines().map(|l| format!("      {l}\n")).collect();
        format!(
            "version: 2\nprofile:\n  name: Keyed\ncommitments:\n  vulnerability_disclosure:\n    contact: [mailto:security@keys.example]\n    openpgp_public_key: |\n{indented}"
        )
    };
    for (key, message) in [
        (
            &sign_only,
            "commitments.vulnerability_disclosure.openpgp_public_key: this key can only sign: \
             researchers need a key they can encrypt to (add an encryption subkey) (line 7)",
        ),
        (
            &private,
            "commitments.vulnerability_disclosure.openpgp_public_key: this is a private key: \
             publish the public key only, and treat this private key as disclosed (line 7)",
        ),
    ] {
        let err = TrustCenter::from_yaml(&yaml(key)).unwrap_err();
        assert_eq!(err.to_string(), message);
    }
    let app = App::start_default().await;
    app.publish("keyed", &yaml(&public)).await;
    let page = app.page("/keyed").await;
    assert!(
        page.contains(&format!("<dt>OpenPGP fingerprint</dt><dd>{grouped}</dd>")),
        "{grouped}"
    );
    let txt = app.page("/keyed/.well-known/security.txt").await;
    assert!(
        txt.contains(
            "\nEncryption: https://trust.example.com/keyed/.well-known/researcher-key.asc\n"
        ),
        "{txt}"
    );
    let served = app.get("/keyed/.well-known/researcher-key.asc").await;
    assert_eq!(served.headers()["content-type"], "application/pgp-keys");
    let served = served.text().await.unwrap();
    // A researcher encrypts to what was served, with a fresh keyring.
    let researcher = tempfile::tempdir().unwrap();
    let run = |args: &[&str], input: Option<&str>| {
        let out = output_with_input(
            Command::new("gpg")
                .env("GNUPGHOME", researcher.path())
                .args(["--batch", "--trust-model", "always"])
                .args(args)
                .stderr(std::process::Stdio::piped()),
            input.unwrap_or_default().as_bytes(),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    run(&["--import"], Some(&served));
    let encrypted = run(
        &["--armor", "--encrypt", "-r", &fingerprint],
        Some("report: the login form leaks"),
    );
    // The org (holding the private key) reads it.
    let plain = output_with_input(
        Command::new("gpg")
            .env("GNUPGHOME", home.path())
            .args([
                "--batch",
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                "",
                "--decrypt",
            ])
            .stderr(std::process::Stdio::piped()),
        &encrypted,
    );
    assert_eq!(
        String::from_utf8_lossy(&plain.stdout),
        "report: the login form leaks"
    );
    app.stop().await;
}

/// security.txt is signed with the org's OpenPGP key, and GnuPG, which we did
/// not write, says so (and says BAD for a tampered copy).
#[tokio::test]
async fn security_txt_follows_rfc_9116_and_gnupg_verifies_its_signature() {
    use std::process::Command;
    let app = App::start_default().await;
    app.publish("quillfeather", QUILLFEATHER).await;
    let resp = app.get("/quillfeather/.well-known/security.txt").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers().get("content-type").unwrap(),
        "text/plain; charset=utf-8"
    );
    let signed = resp.text().await.unwrap();
    assert!(
        signed.starts_with("-----BEGIN PGP SIGNED MESSAGE-----\nHash: "),
        "{signed}"
    );
    let fields: Vec<&str> = signed
        .lines()
        .filter(|l| l.contains(": ") && !l.starts_with("Hash:"))
        .collect();
    assert!(fields.contains(&"Contact: mailto:security@quillfeather.example"));
    assert!(
        fields.contains(
            &"Canonical: https://trust.example.com/quillfeather/.well-known/security.txt"
        )
    );
    // The org's own key is the Encryption key; the signing key only signs, so it
    // is named in a comment, not offered as an Encryption key.
    let encryption: Vec<&&str> = fields
        .iter()
        .filter(|f| f.starts_with("Encryption: "))
        .collect();
    assert_eq!(
        encryption,
        [&"Encryption: https://quillfeather.example/.well-known/openpgp-key.asc"]
    );
    assert!(signed.contains(
        "\n# Signed (OpenPGP cleartext signature) with the key at \
         https://trust.example.com/quillfeather/.well-known/openpgp-key.asc\n"
    ));
    assert!(fields.contains(&"Preferred-Languages: en, de"));
    let expires: Vec<&&str> = fields
        .iter()
        .filter(|l| l.starts_with("Expires: "))
        .collect();
    assert_eq!(expires.len(), 1, "exactly one Expires");
    let expires = time::OffsetDateTime::parse(
        &expires[0]["Expires: ".len()..],
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let now = time::OffsetDateTime::now_utc();
    assert!(
        expires > now && expires < now + time::Duration::days(365),
        "{expires}"
    );

    let key = app.page("/quillfeather/.well-known/openpgp-key.asc").await;
    assert!(key.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----"));
    let home = tempfile::tempdir().unwrap();
    let gpg = |args: &[&str]| gpg_status(home.path(), args);
    let dir = home.path();
    std::fs::write(dir.join("key.asc"), &key).unwrap();
    std::fs::write(dir.join("security.txt"), &signed).unwrap();
    assert!(
        gpg(&["--import", dir.join("key.asc").to_str().unwrap()])
            .status
            .success()
    );
    let good = gpg(&["--verify", dir.join("security.txt").to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&good.stdout).contains("[GNUPG:] GOODSIG"),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    std::fs::write(
        dir.join("tampered.txt"),
        signed.replacen("mailto:security@", "mailto:attacker@", 1),
    )
    .unwrap();
    let bad = gpg(&["--verify", dir.join("tampered.txt").to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&bad.stdout).contains("[GNUPG:] BADSIG"));
    // PyPI's sectxt validator (not ours) finds no error and nothing to recommend.
    let script = "import sys, sectxt\n\
        p = sectxt.Parser(open(sys.argv[1], 'rb').read(), urls=sys.argv[2])\n\
        print(p.errors, p.recommendations)\n\
        sys.exit(1 if p.errors or p.recommendations else 0)\n";
    let check = Command::new("python3")
        .args([
            "-c",
            script,
            dir.join("security.txt").to_str().unwrap(),
            "https://trust.example.com/quillfeather/.well-known/security.txt",
        ])
        .output()
        .expect("python3 with sectxt (scripts/test.sh installs it)");
    assert!(
        check.status.success(),
        "sectxt: {}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    // The key is the org's own and stays the same.
    assert_eq!(
        app.page("/quillfeather/.well-known/openpgp-key.asc").await,
        key
    );
    app.stop().await;
}

#[tokio::test]
async fn an_orgs_own_host_serves_its_signed_security_txt_at_the_root() {
    let app = App::start_default().await;
    app.publish("quillfeather", QUILLFEATHER).await;
    app.store
        .set_org_host(
            &"quillfeather".parse().unwrap(),
            Some("trust.quillfeather.example"),
        )
        .await
        .unwrap();
    let on_host = |path: &str, host: &str| {
        app.client
            .get(format!("{}{path}", app.base))
            .header("host", host)
            .send()
    };
    let resp = on_host(
        "/.well-known/security.txt",
        "Trust.Quillfeather.example:443",
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let signed = resp.text().await.unwrap();
    assert!(
        signed.contains("Canonical: https://trust.quillfeather.example/.well-known/security.txt")
    );
    assert!(signed.contains(
        "with the key at https://trust.quillfeather.example/.well-known/openpgp-key.asc"
    ));
    let key = on_host("/.well-known/openpgp-key.asc", "trust.quillfeather.example")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // The same org key as on the shared host, and GnuPG verifies the file.
    assert_eq!(
        key,
        app.page("/quillfeather/.well-known/openpgp-key.asc").await
    );
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("key.asc"), &key).unwrap();
    std::fs::write(home.path().join("security.txt"), &signed).unwrap();
    let gpg = |args: &[&str]| gpg_status(home.path(), args);
    assert!(
        gpg(&["--import", home.path().join("key.asc").to_str().unwrap()])
            .status
            .success()
    );
    let verified = gpg(&[
        "--verify",
        home.path().join("security.txt").to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&verified.stdout).contains("[GNUPG:] GOODSIG"));
    // PyPI's sectxt accepts it at its address on the org's host.
    let check = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, sectxt\np = sectxt.Parser(open(sys.argv[1], 'rb').read(), urls=sys.argv[2])\nprint(p.errors, p.recommendations)\nsys.exit(1 if p.errors or p.recommendations else 0)\n",
            home.path().join("security.txt").to_str().unwrap(),
            "https://trust.quillfeather.example/.well-known/security.txt",
        ])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    // Another host serves nothing; the org's host sends / to its page.
    assert_eq!(
        on_host("/.well-known/security.txt", "elsewhere.example")
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let home_page = on_host("/", "trust.quillfeather.example").await.unwrap();
    assert_eq!(home_page.headers()["location"], "/quillfeather");
    // One host, one org.
    assert!(matches!(
        app.store
            .set_org_host(
                &"quillfeather".parse().unwrap(),
                Some("trust.quillfeather.example")
            )
            .await,
        Ok(())
    ));
    app.publish("harborlight", HARBORLIGHT).await;
    assert!(matches!(
        app.store
            .set_org_host(
                &"harborlight".parse().unwrap(),
                Some("trust.quillfeather.example")
            )
            .await,
        Err(candor_store::StoreError::Conflict(_))
    ));
    app.stop().await;
}
