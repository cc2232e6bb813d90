//! `candor keys`: rotate and retire the master key and the key file itself,
//! and rotate an org's log signing key.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use candor_store::{SharedStore, scope_for};

use crate::cli::KeysCommand;

pub(super) async fn run(store: SharedStore, command: KeysCommand) -> Result<ExitCode> {
    match command {
        KeysCommand::Rotate { master_key_file } => rotate(store, master_key_file).await,
        KeysCommand::Retire { master_key_file } => retire(store, master_key_file).await,
        KeysCommand::RotateLog {
            org,
            master_key_file,
        } => rotate_log(store, &org, master_key_file).await,
    }
}

async fn rotate_log(store: SharedStore, org: &str, master_key_file: PathBuf) -> Result<ExitCode> {
    let scope = super::existing_org(&store, org).await?;
    let master = load_master_key(&master_key_file)?;
    let generation =
        candor_store::log::rotate_log_key(&*store, &scope, &master, super::ACTOR).await?;
    println!(
        "{org}: the log key is now key {generation}; the key it replaces vouches for it at /{org}/log/key-history"
    );
    Ok(ExitCode::SUCCESS)
}

async fn rotate(store: SharedStore, master_key_file: PathBuf) -> Result<ExitCode> {
    let master = candor_store::keys::MasterKey::from_file(master_key_file.clone())
        .map_err(anyhow::Error::msg)?;
    let ring = master.with_new_primary()?;
    // The file first: if re-sealing stops halfway, the ring still opens all.
    write_key_file(&master_key_file, &ring.to_file_text())?;
    let mut sealed = 0;
    let orgs = store.list_orgs().await?;
    for org in &orgs {
        if let Some(scope) = scope_for(&*store, &org.slug).await? {
            sealed += candor_store::documents::rewrap(&*store, &scope, &ring)
                .await
                .with_context(|| format!("re-sealing {}", org.slug))?;
        }
    }
    // The ACME account and certificate keys, which belong to no org.
    for (purpose, old) in store.acme_sealed().await? {
        let plain = ring
            .open(&purpose, uuid::Uuid::nil(), &old)
            .with_context(|| format!("opening {purpose}"))?;
        let new = ring.seal(&purpose, uuid::Uuid::nil(), &plain)?;
        // False: renewed meanwhile, by a server that sealed it itself.
        if store.reseal_acme(&purpose, &old, &new).await? {
            sealed += 1;
        }
    }
    println!(
        "new master key in {}; re-sealed {sealed} secrets of {} orgs; the old key stays in the file until `candor keys retire`",
        master_key_file.display(),
        orgs.len()
    );
    Ok(ExitCode::SUCCESS)
}

async fn retire(store: SharedStore, master_key_file: PathBuf) -> Result<ExitCode> {
    let master = candor_store::keys::MasterKey::from_file(master_key_file.clone())
        .map_err(anyhow::Error::msg)?;
    if master.key_count() == 1 {
        println!(
            "nothing to retire: {} holds one key",
            master_key_file.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let primary = master.primary_only();
    for org in store.list_orgs().await? {
        let Some(scope) = scope_for(&*store, &org.slug).await? else {
            continue;
        };
        for item in store.sealed_items(&scope).await? {
            if primary
                .open(&item.purpose, scope.org_id(), &item.sealed)
                .is_err()
            {
                bail!(
                    "{} of org {} is still sealed with an old key; run `candor keys rotate` first",
                    item.purpose,
                    org.slug
                );
            }
        }
    }
    for (purpose, sealed) in store.acme_sealed().await? {
        if primary.open(&purpose, uuid::Uuid::nil(), &sealed).is_err() {
            bail!("{purpose} is still sealed with an old key; run `candor keys rotate` first");
        }
    }
    write_key_file(&master_key_file, &primary.to_file_text())?;
    println!(
        "retired {} old key(s) from {}",
        master.key_count() - 1,
        master_key_file.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Reads the master key file, or creates it with a new random key.
pub(super) fn load_master_key(path: &std::path::Path) -> Result<candor_store::keys::MasterKey> {
    match std::fs::read_to_string(path) {
        Ok(_) => {
            candor_store::keys::MasterKey::from_file(path.to_owned()).map_err(anyhow::Error::msg)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let (_, hex_text) = candor_store::keys::MasterKey::generate()?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(path)
                .with_context(|| format!("creating {}", path.display()))?;
            std::io::Write::write_all(&mut file, format!("{hex_text}\n").as_bytes())?;
            tracing::warn!(path = %path.display(), "generated a new master key; back it up: without it, log signing keys cannot be opened");
            candor_store::keys::MasterKey::from_file(path.to_owned()).map_err(anyhow::Error::msg)
        }
        Err(e) => Err(anyhow!("reading {}: {e}", path.display())),
    }
}

/// Replaces the key file atomically (a new file, mode 0600, renamed over the old).
fn write_key_file(path: &std::path::Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&tmp)
        .with_context(|| format!("creating {}", tmp.display()))?;
    std::io::Write::write_all(&mut file, text.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))?;
    Ok(())
}
