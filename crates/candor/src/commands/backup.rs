//! `candor backup create|verify|restore` for SQLite: an online, consistent copy
//! of the database (`VACUUM INTO`, which reads one snapshot while the server
//! keeps serving), sealed with the master key. Its header records, for every
//! org, the transparency log's size and root and the audit log's length, and is
//! bound to the sealed copy (it is part of the sealing purpose), so neither can
//! be swapped. The sealing key is derived from the master key for backups
//! alone (format 2; format 1 files, sealed with the master key itself, still open). Verifying opens the copy without restoring it: every audit chain,
//! every log (entry i is revision i + 1, every inclusion proof), every
//! revision's content hash, and the header's sizes and roots.
//! PostgreSQL is backed up with its own tools (README: `pg_dump`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use base64::Engine;
use candor_store::keys::{MasterKey, SealedSecret};
use candor_store::{SharedStore, scope_for, verify_audit};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use tempfile::TempDir;

use super::keys::load_master_key;
use super::log::verify_log;
use super::sqlite_file;
use crate::cli::{BackupCommand, Cli};

const FORMAT: &str = "candor-backup/2";
/// The first format, sealed with the master key itself: still opened.
const FORMAT_1: &str = "candor-backup/1";

/// The key backups of `format` are sealed with: derived from the master key
/// (never stored); format 1 used the master key itself.
fn backup_key(master: &MasterKey, format: &str) -> Option<MasterKey> {
    (format != FORMAT_1).then(|| master.derive(format))
}

#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    created_at: String,
    orgs: Vec<OrgHead>,
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct OrgHead {
    slug: String,
    log_size: u64,
    /// Hex of the transparency log's root at `log_size`.
    log_root: String,
    audit_entries: usize,
}

#[derive(Serialize, Deserialize)]
struct BackupFile {
    header: Header,
    nonce: String,
    ciphertext: String,
}

fn purpose(header: &Header) -> Result<String> {
    let bytes = serde_json::to_vec(header)?;
    Ok(format!(
        "{}:{}",
        header.format,
        hex::encode(sha2::Sha256::digest(bytes))
    ))
}

pub(super) async fn run(cli: &Cli, command: &BackupCommand) -> Result<ExitCode> {
    let Some(database) = sqlite_file(&cli.database_url) else {
        bail!("candor backup works on SQLite; back PostgreSQL up with pg_dump (README: Backups)");
    };
    match command {
        BackupCommand::Create { output, master_key } => {
            create(
                Path::new(database),
                output,
                &load_master_key(&master_key.path)?,
            )
            .await
        }
        BackupCommand::Verify { file, master_key } => {
            let dir = tempfile_dir()?;
            let (copy, summary) =
                open_and_verify(file, &load_master_key(&master_key.path)?, &dir).await?;
            drop(copy);
            println!("{summary}");
            Ok(ExitCode::SUCCESS)
        }
        BackupCommand::Restore {
            file,
            master_key,
            force,
        } => {
            let master = load_master_key(&master_key.path)?;
            restore(Path::new(database), file, &master, *force).await
        }
    }
}

/// A private directory (mode 0700) for the opened copy, removed when dropped.
fn tempfile_dir() -> Result<TempDir> {
    Ok(tempfile::Builder::new()
        .prefix("candor-backup-")
        .tempdir()?)
}

async fn open_sqlite(path: &Path) -> Result<SharedStore> {
    let text = path.to_str().context("the database path is not UTF-8")?;
    Ok(Arc::new(
        candor_store_sqlite::SqliteStore::open(text)
            .await
            .with_context(|| format!("opening {}", path.display()))?,
    ))
}

/// Every org's log size and root and audit length, as `store` holds them.
async fn heads(store: &SharedStore) -> Result<Vec<OrgHead>> {
    let mut heads = Vec::new();
    for org in store.list_orgs().await? {
        let Some(scope) = scope_for(&**store, &org.slug).await? else {
            continue;
        };
        let log_size = candor_store::log::log_size(&**store, &scope).await?;
        let root = candor_store::log::log_root(&**store, &scope, log_size).await?;
        heads.push(OrgHead {
            slug: org.slug.to_string(),
            log_size,
            log_root: hex::encode(root),
            audit_entries: store.audit_log(&scope).await?.entries.len(),
        });
    }
    Ok(heads)
}

async fn create(database: &Path, output: &Path, master: &MasterKey) -> Result<ExitCode> {
    let dir = tempfile_dir()?;
    let copy = dir.path().join("copy.db");
    {
        let store = candor_store_sqlite::SqliteStore::open(
            database
                .to_str()
                .context("the database path is not UTF-8")?,
        )
        .await
        .with_context(|| format!("opening {}", database.display()))?;
        // Each org's log key is made on first use (the first checkpoint served);
        // one made after this backup would be lost with the database, and a
        // restored log could not be checked against what readers saw. So every
        // org has its key before the copy is taken.
        for org in candor_store::Directory::list_orgs(&store).await? {
            if let Some(scope) = scope_for(&store, &org.slug).await? {
                candor_store::log::log_signer(&store, &scope, master, org.slug.as_str())
                    .await
                    .with_context(|| format!("{}: the log signing key", org.slug))?;
            }
        }
        // One read snapshot, taken while the server keeps writing.
        store
            .copy_into(copy.to_str().context("the temporary path is not UTF-8")?)
            .await
            .context("copying the database")?;
    }
    let snapshot = open_sqlite(&copy).await?;
    let header = Header {
        format: FORMAT.into(),
        created_at: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)?,
        orgs: heads(&snapshot).await?,
    };
    drop(snapshot);
    let bytes = std::fs::read(&copy)?;
    let key = backup_key(master, FORMAT);
    let sealed =
        key.as_ref()
            .unwrap_or(master)
            .seal(&purpose(&header)?, uuid::Uuid::nil(), &bytes)?;
    let file = BackupFile {
        nonce: hex::encode(&sealed.nonce),
        ciphertext: base64::engine::general_purpose::STANDARD.encode(&sealed.ciphertext),
        header,
    };
    crate::files::replace_file(output, &serde_json::to_vec(&file)?)
        .with_context(|| format!("writing {}", output.display()))?;
    println!(
        "backup of {} org(s), {} bytes of database, sealed with the master key, in {}",
        file.header.orgs.len(),
        bytes.len(),
        output.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Opens the backup into `dir` and checks it whole; the opened copy's path and
/// a summary.
async fn open_and_verify(
    file: &Path,
    master: &MasterKey,
    dir: &TempDir,
) -> Result<(PathBuf, String)> {
    let text = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let backup: BackupFile = serde_json::from_slice(&text).context("not a Candor backup")?;
    if backup.header.format != FORMAT && backup.header.format != FORMAT_1 {
        bail!("unknown backup format {:?}", backup.header.format);
    }
    let key = backup_key(master, &backup.header.format);
    let sealed = SealedSecret {
        nonce: hex::decode(&backup.nonce).context("nonce")?,
        ciphertext: base64::engine::general_purpose::STANDARD
            .decode(&backup.ciphertext)
            .context("ciphertext")?,
    };
    let bytes = key
        .as_ref()
        .unwrap_or(master)
        .open(&purpose(&backup.header)?, uuid::Uuid::nil(), &sealed)
        .map_err(|_| {
            anyhow::anyhow!(
                "the backup does not open with this master key: another key, or the file or its header was changed"
            )
        })?;
    let copy = dir.path().join("restored.db");
    std::fs::write(&copy, &bytes)?;
    let store = open_sqlite(&copy).await?;
    let found = heads(&store).await?;
    if found != backup.header.orgs {
        bail!("the database does not match its header (orgs, log sizes, roots or audit lengths)");
    }
    let mut revisions = 0;
    for head in &found {
        let slug = head.slug.parse().map_err(anyhow::Error::msg)?;
        let scope = scope_for(&*store, &slug)
            .await?
            .context("an org of the header is missing")?;
        if let Err(e) = verify_audit(&*store, &scope).await? {
            bail!("{}: the audit log does not verify: {e}", head.slug);
        }
        if let Err(problem) = verify_log(&store, &scope).await? {
            bail!(
                "{}: the transparency log does not verify: {problem}",
                head.slug
            );
        }
        for n in 1..=head.log_size {
            let revision = store
                .revision(&scope, n)
                .await?
                .with_context(|| format!("{}: revision {n} is missing", head.slug))?;
            if revision.content.content_hash() != revision.content_hash {
                bail!(
                    "{}: revision {n}'s content does not match its hash",
                    head.slug
                );
            }
            revisions += 1;
        }
    }
    drop(store);
    Ok((
        copy,
        format!(
            "backup of {} ({} org(s), {revisions} revision(s)): every audit chain, transparency log and revision hash verifies",
            backup.header.created_at,
            found.len()
        ),
    ))
}

async fn restore(
    database: &Path,
    file: &Path,
    master: &MasterKey,
    force: bool,
) -> Result<ExitCode> {
    let dir = tempfile_dir()?;
    let (copy, summary) = open_and_verify(file, master, &dir).await?;
    if database.exists() && !force {
        let existing = open_sqlite(database).await?;
        let orgs = existing.list_orgs().await?.len();
        drop(existing);
        if orgs > 0 {
            bail!(
                "{} already holds {orgs} org(s); restore into an empty database, or pass --force to replace it",
                database.display()
            );
        }
    }
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", database.display()));
    }
    let bytes = std::fs::read(&copy)?;
    crate::files::replace_file(database, &bytes)
        .with_context(|| format!("writing {}", database.display()))?;
    println!("restored into {}: {summary}", database.display());
    // The world may have seen revisions published after the backup: a publish
    // now would fork the log, so each org waits until its log is caught up.
    let store = open_sqlite(database).await?;
    for scope in super::every_org(&store).await? {
        let size = super::log::hold(&store, &scope).await?;
        let org = scope.slug();
        println!(
            "{org}: publishing held at {size} log entries until `candor log recover --org {org} --from URL` replays what readers saw after the backup (or `--unrecoverable`)"
        );
    }
    Ok(ExitCode::SUCCESS)
}
