//! `candor log`: check an org's transparency log against its revisions.

use std::process::ExitCode;

use anyhow::Result;
use candor_store::{OrgScope, SharedStore};

use super::existing_org;
use crate::cli::LogCommand;

pub(super) async fn run(store: SharedStore, command: LogCommand) -> Result<ExitCode> {
    match command {
        LogCommand::Verify { org } => verify(store, org).await,
    }
}

async fn verify(store: SharedStore, org: String) -> Result<ExitCode> {
    let scope = existing_org(&store, &org).await?;
    match verify_log(&store, &scope).await? {
        Ok(size) => {
            println!(
                "transparency log of {org}: {size} entries, one per revision, every inclusion proof verifies"
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(problem) => {
            eprintln!("transparency log of {org} FAILED verification: {problem}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Checks the log from the operator's side: entry i is exactly revision i + 1's
/// entry, nothing follows the last revision, and every entry's inclusion proof
/// leads to the current root. `Ok(Err(_))` names the first problem.
pub(super) async fn verify_log(
    store: &SharedStore,
    scope: &OrgScope,
) -> Result<std::result::Result<u64, String>> {
    use candor_store::log::{log_inclusion, log_root, log_size};
    let size = log_size(&**store, scope).await?;
    let root = log_root(&**store, scope, size).await?;
    for index in 0..size {
        let Some(revision) = store.revision(scope, index + 1).await? else {
            return Ok(Err(format!("revision {} is missing", index + 1)));
        };
        let Some(entry) = store.log_entry(scope, index).await? else {
            return Ok(Err(format!("revision {} has no log entry", index + 1)));
        };
        if entry != revision.log_entry(scope.slug().as_str()) {
            return Ok(Err(format!(
                "log entry {index} does not record revision {}",
                index + 1
            )));
        }
        let proof = log_inclusion(&**store, scope, index, size).await?;
        if proof.leaf != candor_log::leaf_hash(&entry)
            || candor_log::tree::verify_inclusion(&proof.leaf, index, size, &proof.proof, &root)
                .is_err()
        {
            return Ok(Err(format!(
                "log entry {index} is not provably in the tree"
            )));
        }
    }
    if store.log_entry(scope, size).await?.is_some() {
        return Ok(Err(format!("log entry {size} exists without a revision")));
    }
    Ok(Ok(size))
}
