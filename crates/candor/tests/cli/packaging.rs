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
