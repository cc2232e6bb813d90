//! `candor log`: check an org's transparency log against its revisions, and
//! after a restore hold publishing until the log has caught up with the public
//! one (replayed from a copy, or declared unrecoverable).

use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use candor_domain::audit::{AuditAction, AuditEvent};
use candor_store::keys::MasterKey;
use candor_store::log::HoldOutcome;
use candor_store::{OrgScope, SharedStore};

use super::keys::load_master_key;
use super::{every_org, existing_org};
use crate::cli::LogCommand;
use crate::watch::fetch::{Caps, Client, Kind};

/// The audit log's actor for holds and recoveries: the operator at the console.
const RECOVER_ACTOR: &str = "operator:cli";

pub(super) async fn run(store: SharedStore, command: LogCommand) -> Result<ExitCode> {
    match command {
        LogCommand::Verify { org } => verify(store, org).await,
        LogCommand::Recover {
            org,
            from,
            unrecoverable,
            master_key,
        } => {
            if unrecoverable {
                return declare_unrecoverable(store, org).await;
            }
            let master = load_master_key(&master_key.path)?;
            recover(store, org, from, &master).await
        }
        LogCommand::Hold { org, all } => {
            let orgs = match (org, all) {
                (Some(org), _) => vec![existing_org(&store, &org).await?],
                (None, _) => every_org(&store).await?,
            };
            for scope in &orgs {
                let size = hold(&store, scope).await?;
                println!(
                    "{}: publishing held at {size} log entries until `candor log recover`",
                    scope.slug()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Holds publishing for the org at its log's current size; that size.
pub(super) async fn hold(store: &SharedStore, scope: &OrgScope) -> Result<u64> {
    let size = candor_store::log::log_size(&**store, scope).await?;
    let now = time::OffsetDateTime::now_utc();
    store
        .hold_log(
            scope,
            size,
            now,
            &AuditEvent::new(
                RECOVER_ACTOR,
                AuditAction::LogHold,
                format!("log:{size}"),
                now,
            ),
        )
        .await?;
    Ok(size)
}

/// Releases the hold with nothing replayed: the page says what was lost.
async fn declare_unrecoverable(store: SharedStore, org: String) -> Result<ExitCode> {
    let scope = existing_org(&store, &org).await?;
    let size = candor_store::log::log_size(&*store, &scope).await?;
    let now = time::OffsetDateTime::now_utc();
    let released = store
        .release_log_hold(
            &scope,
            HoldOutcome::Unrecoverable,
            size,
            now,
            &AuditEvent::new(
                RECOVER_ACTOR,
                AuditAction::LogUnrecoverable,
                format!("log:{size}"),
                now,
            ),
        )
        .await?;
    if !released {
        bail!("publishing is not held for {org}: there is nothing to release");
    }
    println!(
        "{org}: publishing resumes from {size} log entries; the trust page states that any later history could not be recovered"
    );
    Ok(ExitCode::SUCCESS)
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

/// Replays the entries (and their revisions) the restored log lacks from the
/// copies at `sources`, each checked against the largest signed checkpoint
/// found there; then releases the org's hold on publishing.
async fn recover(
    store: SharedStore,
    org: String,
    sources: Vec<String>,
    master: &MasterKey,
) -> Result<ExitCode> {
    use candor_log::checkpoint::Checkpoint;
    use candor_store::log::{LOG_KEY_PURPOSE, log_root, log_signer, log_size};

    let scope = existing_org(&store, &org).await?;
    if !store
        .org_secret_purposes(&scope)
        .await?
        .iter()
        .any(|p| p == LOG_KEY_PURPOSE)
    {
        bail!(
            "{org} has no log signing key in this database: there is nothing to check a copy's checkpoint against"
        );
    }
    let client = Client::new(Caps {
        log: 64 * 1024,
        content: 16 * 1024 * 1024,
    })?;
    // The largest checkpoint any source offers that this org's key signed.
    let mut best: Option<(String, Checkpoint)> = None;
    for source in &sources {
        let base = format!("{}/{org}", source.trim_end_matches('/'));
        let note = match client
            .text(&format!("{base}/log/checkpoint"), Kind::Log)
            .await
        {
            Ok(note) => note,
            Err(e) => {
                eprintln!("{source}: no checkpoint ({e:#})");
                continue;
            }
        };
        let origin = note.lines().next().unwrap_or_default().to_owned();
        if !origin.ends_with(&format!("/{org}")) {
            eprintln!("{source}: the checkpoint is for another log ({origin})");
            continue;
        }
        let signer = log_signer(&*store, &scope, master, &origin).await?;
        let verifier = candor_log::note::NoteVerifier::parse(&signer.verifier_key())
            .map_err(|e| anyhow!("the org's own log key: {e}"))?;
        let Ok(body) = verifier.open(&note) else {
            eprintln!(
                "{source}: the checkpoint is not signed by {org}'s log key (was the key rotated after the backup?)"
            );
            continue;
        };
        let checkpoint = Checkpoint::parse(body).map_err(|e| anyhow!("{source}: {e}"))?;
        if best.as_ref().is_none_or(|(_, b)| checkpoint.size > b.size) {
            best = Some((source.clone(), checkpoint));
        }
    }
    let Some((source, checkpoint)) = best else {
        bail!(
            "no source offered a checkpoint signed by {org}'s log key; if no copy of the log exists anywhere, run `candor log recover --org {org} --unrecoverable`"
        );
    };
    let local = log_size(&*store, &scope).await?;
    if checkpoint.size < local {
        bail!(
            "{source} has only {} entries, this database {local}: recover from a copy at least as long",
            checkpoint.size
        );
    }
    // The fetched entries must extend this log to exactly the signed root;
    // nothing is stored until the whole chain checks.
    let mut tree = candor_log::tree::MemoryTree::new();
    for entry in store.log_entries(&scope, 0, local).await? {
        tree.append(&entry);
    }
    let base = format!("{}/{org}", source.trim_end_matches('/'));
    let api = format!("{}/api/v1/orgs/{org}", source.trim_end_matches('/'));
    let mut missing = Vec::new();
    for index in local..checkpoint.size {
        let entry = client
            .bytes(&format!("{base}/log/entries/{index}"), Kind::Log)
            .await
            .with_context(|| format!("{source}: log entry {index}"))?;
        tree.append(&entry);
        missing.push((index, entry));
    }
    let root = candor_log::tree::root(&tree, checkpoint.size).map_err(|e| anyhow!("{e}"))?;
    if root != checkpoint.root {
        bail!(
            "{source}'s entries do not add up to its signed checkpoint (size {}): refusing them",
            checkpoint.size
        );
    }
    // Each missing revision, as served, must be exactly what its entry records.
    let mut revisions = Vec::new();
    for (index, entry) in &missing {
        let number = index + 1;
        let served = client
            .json(&format!("{api}/revisions/{number}"), Kind::Content)
            .await
            .with_context(|| format!("{source}: revision {number}"))?;
        let content: candor_domain::TrustCenter = serde_json::from_value(served["content"].clone())
            .with_context(|| format!("{source}: revision {number}'s content"))?;
        let published_at = served["published_at"]
            .as_str()
            .and_then(|t| {
                time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
            })
            .with_context(|| format!("{source}: revision {number} has no publication time"))?;
        let recorded =
            candor_domain::revision::log_entry(&org, number, content.content_hash(), published_at);
        if &recorded != entry {
            bail!(
                "{source}: revision {number}'s content or time is not what log entry {index} records: refusing it"
            );
        }
        revisions.push((number, content, published_at));
    }
    for (number, content, published_at) in revisions {
        let stored = store
            .insert_revision(&scope, &content, published_at, RECOVER_ACTOR)
            .await?;
        if stored.number != number {
            bail!(
                "revision {number} was stored as {}: another publish ran meanwhile",
                stored.number
            );
        }
    }
    let size = log_size(&*store, &scope).await?;
    if log_root(&*store, &scope, size).await? != checkpoint.root || size != checkpoint.size {
        bail!("the recovered log does not match {source}'s checkpoint");
    }
    let now = time::OffsetDateTime::now_utc();
    store
        .release_log_hold(
            &scope,
            HoldOutcome::Recovered,
            size,
            now,
            &AuditEvent::new(
                RECOVER_ACTOR,
                AuditAction::LogRecover,
                format!("log:{size}"),
                now,
            ),
        )
        .await?;
    println!(
        "{org}: {} revision(s) recovered from {source}; the log has {size} entries and matches its signed checkpoint; publishing resumes",
        missing.len()
    );
    Ok(ExitCode::SUCCESS)
}
