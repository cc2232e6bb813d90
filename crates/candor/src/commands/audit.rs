//! `candor audit`: read or check an org's audit log of privileged writes.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use candor_store::{SharedStore, verify_audit};

use super::existing_org;
use crate::cli::AuditCommand;

pub(super) async fn run(store: SharedStore, command: AuditCommand) -> Result<ExitCode> {
    match command {
        AuditCommand::Verify {
            org,
            checkpoint,
            key,
        } => verify(store, org, checkpoint, key).await,
        AuditCommand::List { org } => list(store, org).await,
    }
}

async fn verify(
    store: SharedStore,
    org: String,
    checkpoint: Option<PathBuf>,
    key: Option<String>,
) -> Result<ExitCode> {
    let scope = existing_org(&store, &org).await?;
    let outcome = match (checkpoint, key) {
        (Some(file), Some(key)) => {
            let note = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            candor_store::verify_audit_against(&*store, &scope, &note, &key).await?
        }
        _ => verify_audit(&*store, &scope)
            .await?
            .map_err(|e| e.to_string()),
    };
    match outcome {
        Ok(n) => {
            println!("audit log of {org}: {n} entries, chain and head intact");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("audit log of {org} FAILED verification: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

async fn list(store: SharedStore, org: String) -> Result<ExitCode> {
    let scope = existing_org(&store, &org).await?;
    for entry in store.audit_log(&scope).await?.entries {
        let at = entry
            .event
            .at
            .format(&time::format_description::well_known::Rfc3339)?;
        println!(
            "{}\t{at}\t{}\t{}\t{}",
            entry.seq, entry.event.actor, entry.event.action, entry.event.target
        );
    }
    Ok(ExitCode::SUCCESS)
}
