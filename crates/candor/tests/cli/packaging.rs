//! The packaged systemd unit, checked by systemd itself: `systemd-analyze
//! verify` (with the unit's ExecStart pointed at this build) and its offline
//! security exposure, which must stay in systemd's "OK" band.

use std::process::Command;

use crate::harness::{Workspace, path_str};

#[test]
fn the_systemd_unit_verifies_and_is_hardened() {
    let unit = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../packaging/candor.service"
    ))
    .unwrap();
    assert!(unit.contains("ExecStart=/usr/bin/candor serve"), "{unit}");
    // verify checks that the binary exists: point it at the one just built.
    let ws = Workspace::new();
    let local = ws.file(
        "candor.service",
        &unit.replace("/usr/bin/candor", env!("CARGO_BIN_EXE_candor")),
    );
    let verify = Command::new("systemd-analyze")
        .args(["verify", path_str(&local)])
        .output()
        .expect("systemd-analyze (scripts/test.sh installs systemd)");
    assert!(
        verify.status.success() && verify.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    // Exposure 0.0 (locked down) to 10.0 (exposed); systemd calls up to 2.0 "OK".
    let security = Command::new("systemd-analyze")
        .args([
            "security",
            "--offline=yes",
            "--threshold=20",
            path_str(&local),
        ])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&security.stdout);
    assert!(security.status.success(), "{report}");
    assert!(report.contains("Overall exposure level"), "{report}");
    // The unit runs its server with no capabilities and writes only its state.
    for line in [
        "DynamicUser=yes",
        "StateDirectory=candor",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "CapabilityBoundingSet=\n",
    ] {
        assert!(unit.contains(line), "{line:?} missing");
    }
}

/// The container's HEALTHCHECK: `candor health` exits 0 while the server
/// answers /healthz and 1 when nothing does.
#[test]
fn candor_health_says_whether_a_server_answers() {
    let ws = Workspace::new();
    let server = crate::harness::Server::start(&ws, &[]);
    let health = |url: &str| {
        Command::new(env!("CARGO_BIN_EXE_candor"))
            .args(["health", "--url", url])
            .output()
            .unwrap()
    };
    let up = health(&format!("{}/healthz", server.base));
    assert!(up.status.success(), "{up:?}");
    assert!(server.terminate().success());
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let down = health(&format!("http://{closed}/healthz"));
    assert_eq!(down.status.code(), Some(1), "{down:?}");
    assert!(String::from_utf8_lossy(&down.stderr).contains("unhealthy"));
}

/// The container image, as far as this machine can check it without a
/// container runtime (none runs here, and base images cannot be pulled): the
/// Dockerfile read by an independent parser (PyPI's dockerfile-parse) must be
/// multi-stage and end as a numeric non-root user with a volume for its state
/// and a health check; then its ENTRYPOINT + CMD run as that user, with its ENV
/// (paths moved under a temporary directory), and its HEALTHCHECK command
/// reports the server healthy.
#[test]
fn the_container_image_runs_as_its_dockerfile_says() {
    let script = "import json, sys\n\
        from dockerfile_parse import DockerfileParser\n\
        p = DockerfileParser(path=sys.argv[1])\n\
        print(json.dumps({'structure': p.structure, 'envs': p.envs}))\n";
    let dockerfile = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Dockerfile");
    let out = Command::new("python3")
        .args(["-c", script, dockerfile])
        .output()
        .expect("python3 with dockerfile-parse (scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let steps: Vec<(String, String)> = parsed["structure"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["instruction"].as_str().unwrap().to_owned(),
                s["value"].as_str().unwrap().to_owned(),
            )
        })
        .filter(|(i, _)| i != "COMMENT")
        .collect();
    let last_from = steps.iter().rposition(|(i, _)| i == "FROM").unwrap();
    assert_eq!(
        steps.iter().filter(|(i, _)| i == "FROM").count(),
        2,
        "build and run stages"
    );
    let final_stage = &steps[last_from..];
    let value = |instruction: &str| {
        final_stage
            .iter()
            .rev()
            .find(|(i, _)| i == instruction)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {instruction} in the final stage"))
    };
    let user = value("USER");
    let uid: u32 = user
        .split(':')
        .next()
        .unwrap()
        .parse()
        .expect("a numeric user");
    assert_ne!(uid, 0, "the image runs as root");
    assert!(value("VOLUME").contains("/var/lib/candor"));
    // Nothing secret is baked in: the key is mounted at run time.
    assert!(
        !final_stage
            .iter()
            .any(|(i, v)| (i == "COPY" || i == "ADD") && v.contains(".key")),
        "{final_stage:?}"
    );
    let exec = |form: &str| -> Vec<String> {
        serde_json::from_str(form.trim()).unwrap_or_else(|_| panic!("exec form: {form}"))
    };
    let entrypoint = exec(&value("ENTRYPOINT"));
    let cmd = exec(&value("CMD"));
    let healthcheck = value("HEALTHCHECK");
    let health = exec(healthcheck.split_once("CMD").unwrap().1);
    assert_eq!(entrypoint, ["candor"]);
    assert_eq!(health[0], "candor");

    // Run as the image would, as its user, with its settings.
    let ws = Workspace::new();
    let state = ws.dir.path().join("var-lib-candor");
    std::fs::create_dir_all(&state).unwrap();
    let key = ws.file("candor_master_key", &format!("{}\n", "ab".repeat(32)));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let remap = |s: &str| {
        s.replace("/var/lib/candor", path_str(&state))
            .replace("/run/secrets/candor_master_key", path_str(&key))
            .replace("0.0.0.0:8080", &format!("127.0.0.1:{port}"))
            .replace("127.0.0.1:8080", &format!("127.0.0.1:{port}"))
    };
    let as_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let image_command = |argv: &[String]| {
        let mut argv: Vec<String> = argv.iter().map(|a| remap(a)).collect();
        argv[0] = env!("CARGO_BIN_EXE_candor").to_owned();
        let mut command = if as_root {
            let mut c = Command::new("setpriv");
            c.arg(format!("--reuid={uid}"))
                .arg(format!("--regid={uid}"))
                .args(["--clear-groups", "--"])
                .args(&argv);
            c
        } else {
            let mut c = Command::new(&argv[0]);
            c.args(&argv[1..]);
            c
        };
        command.env_clear().env("PATH", "/usr/bin:/bin");
        for (name, value) in parsed["envs"].as_object().unwrap() {
            command.env(name, remap(value.as_str().unwrap()));
        }
        command.current_dir(&state);
        command
    };
    if as_root {
        // What the image's RUN step does for its user: the state directory and
        // the mounted key are theirs; the test's directory must let them in.
        for path in [ws.dir.path(), state.as_path(), key.as_path()] {
            assert!(
                Command::new("chown")
                    .arg(format!("{uid}:{uid}"))
                    .arg(path)
                    .status()
                    .unwrap()
                    .success()
            );
        }
    }
    let argv: Vec<String> = entrypoint.iter().chain(&cmd).cloned().collect();
    let mut server = image_command(&argv)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let out = image_command(&health).output().unwrap();
        if out.status.success() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the HEALTHCHECK never passed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    // It kept its state where the image's volume is.
    assert!(state.join("candor.db").exists());
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    assert!(server.wait().unwrap().success());
}
