//! `candor watch`: verify a vendor's trust center and report what changed, and
//! `candor watch verify-evidence`: check what a failed watch kept.

use std::process::ExitCode;
use std::time::Duration;

use candor_log::cosignature::CosignatureVerifier;

use crate::cli::{WatchArgs, WatchCommand};
use crate::watch::{self, Caps, Options, WatchError, evidence};

/// Exit status: 0 verified, 1 verification failed, 2 could not check.
pub(super) async fn run(command: Option<&WatchCommand>, args: &WatchArgs) -> ExitCode {
    if let Some(WatchCommand::VerifyEvidence { file, key }) = command {
        return verify_evidence(file, key.as_deref());
    }
    let Some(url) = &args.url else {
        eprintln!("error: give the trust center's URL");
        return ExitCode::from(2);
    };
    let mut witnesses = Vec::new();
    for key in &args.witnesses {
        match CosignatureVerifier::parse(key) {
            Ok(w) => witnesses.push(w),
            Err(e) => {
                eprintln!("error: --witness {key}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let quorum = args.quorum.unwrap_or(witnesses.len());
    if quorum > witnesses.len() {
        eprintln!(
            "error: --quorum {quorum} needs at least that many --witness keys ({} given)",
            witnesses.len()
        );
        return ExitCode::from(2);
    }
    let options = Options {
        caps: Caps {
            log: args.max_log_response,
            content: args.max_content_response,
        },
        deadline: Duration::from_secs(args.deadline),
        proof_runs: args.proof_runs,
        tiles: !args.no_tiles,
        witnesses,
        quorum,
        max_cosignature_age: Duration::from_secs(args.max_cosignature_age),
    };
    let json = args.json;
    match watch::run(url, &args.state, args.key.as_deref(), options).await {
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
                for line in &report.witnesses {
                    println!("  witness {line}");
                }
            }
            ExitCode::SUCCESS
        }
        Err(WatchError::Verification { message, evidence }) => {
            let evidence = evidence.map(|p| p.display().to_string());
            if json {
                println!(
                    "{}",
                    serde_json::json!({"ok": false, "verified": false, "error": message, "evidence": evidence})
                );
            }
            eprintln!("VERIFICATION FAILED: {message}");
            if let Some(path) = evidence {
                eprintln!(
                    "evidence kept in {path}; anyone can check it with: candor watch verify-evidence {path}"
                );
            }
            ExitCode::from(1)
        }
        Err(WatchError::Other(e)) => {
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

fn verify_evidence(file: &std::path::Path, key: Option<&str>) -> ExitCode {
    let bundle = match evidence::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    match evidence::verify(&bundle, key) {
        Ok(proves) => {
            println!("PROVEN: {proves}");
            if key.is_none() {
                println!(
                    "signed with {}; compare it with the key the trust center publishes",
                    bundle.log_key.trim()
                );
            }
            ExitCode::SUCCESS
        }
        Err(why) => {
            eprintln!("NOT PROVEN: {why}");
            ExitCode::from(1)
        }
    }
}
