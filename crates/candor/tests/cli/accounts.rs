//! Accounts from the command line, and what the log of a session may hold.

use std::process::Command;

use candor_demo::QUILLFEATHER;
use candor_testkit::process::output_with_input;

use crate::harness::{Server, Workspace, http, path_str};

#[test]
fn the_operator_resets_passwords_removes_members_and_deletes_accounts() {
    let ws = Workspace::new();
    ws.ok(&["org", "create", "acme", "--name", "Acme"]);
    ws.ok(&[
        "user",
        "add",
        "owner@acme.example",
        "--org",
        "acme",
        "--role",
        "owner",
    ]);
    ws.ok(&[
        "user",
        "add",
        "editor@acme.example",
        "--org",
        "acme",
        "--role",
        "editor",
    ]);
    let out = ws.ok(&["user", "set-password", "Editor@Acme.example"]);
    assert!(
        out.contains("all its sessions ended") && out.contains("password (shown once): "),
        "{out}"
    );
    // The only owner cannot be removed or deleted.
    let refused = ws.candor(&["user", "remove", "owner@acme.example", "--org", "acme"]);
    assert!(!refused.status.success(), "{refused:?}");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("only owner"));
    let refused = ws.candor(&["user", "delete", "owner@acme.example"]);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("only owner"));
    ws.ok(&["user", "remove", "editor@acme.example", "--org", "acme"]);
    let again = ws.candor(&["user", "remove", "editor@acme.example", "--org", "acme"]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("not a member"));
    ws.ok(&["user", "delete", "editor@acme.example"]);
    let gone = ws.candor(&["user", "set-password", "editor@acme.example"]);
    assert!(String::from_utf8_lossy(&gone.stderr).contains("no account"));
    // The address is free again.
    ws.ok(&["user", "add", "editor@acme.example"]);
    let audit = ws.ok(&["audit", "list", "--org", "acme"]);
    assert!(
        audit.contains("operator:cli\tmember.remove\tuser:"),
        "{audit}"
    );
    ws.ok(&["audit", "verify", "--org", "acme"]);
}

#[test]
fn user_add_creates_an_account_with_a_role_and_records_it() {
    let ws = Workspace::new();
    ws.ok(&["org", "create", "acme", "--name", "Acme"]);
    // A generated password is printed once.
    let out = ws.ok(&[
        "user",
        "add",
        "Admin@Acme.example",
        "--org",
        "acme",
        "--role",
        "admin",
    ]);
    assert!(out.contains("(Admin of acme)"), "{out}");
    let password = out
        .lines()
        .find_map(|l| l.strip_prefix("password (shown once): "))
        .unwrap();
    assert!(password.len() >= 20);
    // From standard input, nothing is echoed back.
    let out = output_with_input(
        Command::new(env!("CARGO_BIN_EXE_candor"))
            .args(["user", "add", "editor@acme.example", "--password-stdin"])
            .env("CANDOR_DATABASE_URL", ws.db_url()),
        b"a long enough passphrase\n",
    );
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("passphrase"));
    // Duplicates, short passwords and bad emails are refused clearly.
    let dup = ws.candor(&["user", "add", "admin@acme.example"]);
    assert!(String::from_utf8_lossy(&dup.stderr).contains("already exists"));
    let short = Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(["user", "add", "x@acme.example"])
        .env("CANDOR_DATABASE_URL", ws.db_url())
        .env("CANDOR_PASSWORD", "short")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 12 characters"));
    let bad = ws.candor(&["user", "add", "not-an-email"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not an email address"));
    // The membership is in the audit log, with an account id and not the email.
    let audit = ws.ok(&["audit", "list", "--org", "acme"]);
    assert!(
        audit.contains("operator:cli\tmember.set_role\tuser:"),
        "{audit}"
    );
    assert!(!audit.contains("acme.example"), "{audit}");
}

#[test]
fn the_log_of_a_session_that_signs_in_and_edits_holds_no_personal_data_or_secrets() {
    let ws = Workspace::new();
    ws.ok(&["org", "create", "acme", "--name", "Acme"]);
    let demo = ws.file("demo.yaml", QUILLFEATHER);
    ws.ok(&["apply", path_str(&demo), "--org", "acme"]);
    ws.ok(&["publish", "--org", "acme"]);
    let email = "alice.secretive@acme.example";
    let password = "hunter2-but-much-longer";
    let out = Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(["user", "add", email, "--org", "acme", "--role", "owner"])
        .env("CANDOR_DATABASE_URL", ws.db_url())
        .env("CANDOR_PASSWORD", password)
        .output()
        .unwrap();
    assert!(out.status.success());

    // The most verbose log level there is, to catch anything a library might print.
    let server = Server::start_with_env(&ws, &[], &[("CANDOR_LOG", "trace")]);
    let url = |path: &str| format!("{}{path}", server.base);
    let form = format!("email={}&password={}", email.replace('@', "%40"), password);
    let form_type = ("content-type", "application/x-www-form-urlencoded");
    // One failed and one good sign-in.
    let (status, _, _) = http(
        "POST",
        &url("/admin/login"),
        &[form_type],
        &form.replace("hunter2", "hunter3"),
    );
    assert_eq!(status, 401);
    let (status, head, _) = http("POST", &url("/admin/login"), &[form_type], &form);
    assert_eq!(status, 303, "{head}");
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let session_secret = cookie.split_once('=').unwrap().1.to_owned();
    // Edit a section, create an API token and use it.
    let faq = "- question: Is this logged?\n  answer: Not your email.\n";
    let body = format!(
        "yaml={}",
        faq.replace(' ', "+")
            .replace('\n', "%0A")
            .replace('?', "%3F")
            .replace(':', "%3A")
    );
    let (status, _, _) = http(
        "POST",
        &url("/admin/orgs/acme/sections/faq"),
        &[("cookie", &cookie), form_type],
        &body,
    );
    assert_eq!(status, 303);
    let (status, _, created) = http(
        "POST",
        &url("/api/v1/orgs/acme/tokens"),
        &[("cookie", &cookie), ("content-type", "application/json")],
        r#"{"name":"ci","role":"editor"}"#,
    );
    assert_eq!(status, 201, "{created}");
    let token = serde_json::from_str::<serde_json::Value>(&created).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let bearer = format!("Bearer {token}");
    let (status, _, _) = http(
        "GET",
        &url("/api/v1/orgs/acme/draft"),
        &[("authorization", &bearer)],
        "",
    );
    assert_eq!(status, 200);

    let (exit, lines) = server.stop();
    assert!(exit.success());
    assert!(
        lines.iter().any(|l| l.contains("signed in")),
        "the log did record the sign-in"
    );
    let log = lines.join("\n");
    for secret in [
        email,
        "alice.secretive",
        password,
        "hunter3",
        session_secret.as_str(),
        &token[4..],
        "Not your email",
    ] {
        assert!(!log.contains(secret), "the log contains {secret:?}");
    }
}
