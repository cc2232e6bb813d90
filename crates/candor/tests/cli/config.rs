//! Settings from flags, `CANDOR_*` variables and the `--config` TOML file, in
//! that order, secrets from files, and `candor config check`.

use std::process::{Command, Output};

use crate::harness::{Workspace, path_str};

fn candor(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_candor"))
        .env_remove("CANDOR_DATABASE_URL")
        .env_remove("CANDOR_DATABASE_OWNER_URL")
        .env_remove("CANDOR_CONFIG")
        .env_remove("CANDOR_LOGIN_ATTEMPTS_PER_MINUTE")
        .envs(env.iter().copied())
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn settings_come_from_flags_then_the_environment_then_the_config_file() {
    let ws = Workspace::new();
    let db = ws.dir.path().join("from-file.db");
    let config = ws.file(
        "candor.toml",
        &format!(
            "# Candor's settings\ndatabase-url = \"sqlite://{}\"\n\n[serve]\nlogin-attempts-per-minute = 5\nsmtp-url = \"smtp://mailer:s3cret@mail.example:587\"\n",
            db.display()
        ),
    );
    let cfg = path_str(&config);
    // The file's database is the one used.
    stdout(&candor(
        &["--config", cfg, "org", "create", "acme", "--name", "Acme"],
        &[],
    ));
    assert!(db.exists(), "the file's database-url was not used");

    // Each setting with where it came from; secrets hidden.
    let shown = stdout(&candor(&["--config", cfg, "config", "check"], &[]));
    for line in [
        format!("database-url = \"sqlite://{}\"  # {cfg}:2", db.display()),
        format!("login-attempts-per-minute = \"5\"  # {cfg}:5"),
        format!("smtp-url = \"smtp://mailer:hidden@mail.example:587\"  # {cfg}:6"),
        "public-forms-per-minute = \"20\"  # default".to_owned(),
    ] {
        assert!(shown.contains(&line), "{line:?} not in:\n{shown}");
    }
    assert!(!shown.contains("s3cret"), "{shown}");

    // The environment beats the file, and a flag beats both.
    let shown = stdout(&candor(
        &["--config", cfg, "config", "check"],
        &[
            ("CANDOR_LOGIN_ATTEMPTS_PER_MINUTE", "7"),
            ("CANDOR_DATABASE_URL", "sqlite://env.db"),
        ],
    ));
    assert!(
        shown.contains(
            "login-attempts-per-minute = \"7\"  # environment CANDOR_LOGIN_ATTEMPTS_PER_MINUTE"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("database-url = \"sqlite://env.db\"  # environment CANDOR_DATABASE_URL"),
        "{shown}"
    );
    let shown = stdout(&candor(
        &[
            "--config",
            cfg,
            "--database-url",
            "sqlite://flag.db",
            "config",
            "check",
        ],
        &[("CANDOR_DATABASE_URL", "sqlite://env.db")],
    ));
    assert!(
        shown.contains("database-url = \"sqlite://flag.db\"  # flag"),
        "{shown}"
    );

    // A secret from a file (a container secret), never printed.
    let secret = ws.file("owner-url", "postgres://owner:pw@db.internal/candor\n");
    let shown = stdout(&candor(
        &["--config", cfg, "config", "check"],
        &[("CANDOR_DATABASE_OWNER_URL_FILE", path_str(&secret))],
    ));
    assert!(
        shown.contains(&format!(
            "database-owner-url = \"postgres://owner:hidden@db.internal/candor\"  # secret file {}",
            secret.display()
        )),
        "{shown}"
    );

    // An unknown key is refused with its line, and nothing runs.
    let bad = ws.file(
        "bad.toml",
        "database-url = \"sqlite://x.db\"\nlisten = \"127.0.0.1:0\"\nlogin-attempts = 3\n",
    );
    let out = candor(&["--config", path_str(&bad), "config", "check"], &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "{}:3: unknown key \"login-attempts\"",
            bad.display()
        )),
        "{err}"
    );
    // A TOML syntax error names its line too.
    let broken = ws.file("broken.toml", "database-url = \n");
    let out = candor(&["--config", path_str(&broken), "config", "check"], &[]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("line 1"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
