//! `candor watch`: verify a vendor's trust center and report what changed.

use std::process::ExitCode;

use crate::watch;

/// Exit status: 0 verified, 1 verification failed, 2 could not check.
pub(super) async fn run(
    url: &str,
    state: &std::path::Path,
    key: Option<&str>,
    json: bool,
) -> ExitCode {
    match watch::run(url, state, key).await {
        Ok(report) => {
            if json {
                println!("{}", report.to_json());
            } else {
                if let Some(k) = &report.pinned_key {
                    println!(
                        "pinned log key {k} (first use; compare it with the one on the trust page)"
                    );
                }
                if report.from == report.to && !report.first_run {
                    println!(
                        "{}: no new revisions (log size {}), verified",
                        report.org, report.to
                    );
                } else {
                    println!(
                        "{}: log verified from size {} to {}",
                        report.org, report.from, report.to
                    );
                }
                for line in &report.changes {
                    println!("  {line}");
                }
            }
            ExitCode::SUCCESS
        }
        Err(watch::WatchError::Verification(message)) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({"ok": false, "verified": false, "error": message})
                );
            }
            eprintln!("VERIFICATION FAILED: {message}");
            ExitCode::from(1)
        }
        Err(watch::WatchError::Other(e)) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({"ok": false, "error": format!("{e:#}")})
                );
            }
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
