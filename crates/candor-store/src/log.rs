//! The transparency log as stored: every backend appends revision entries in the
//! publishing transaction and keeps complete-subtree hashes; these functions
//! fetch the O(log n) hashes a root or proof needs and let `candor-log` compute it.

use std::collections::HashMap;

use candor_log::tree::{self, Hash, TreeError};

use crate::{OrgScope, Result, Store, StoreError};

pub(crate) fn corrupt(e: TreeError) -> StoreError {
    StoreError::Corrupt(format!("transparency log: {e}"))
}

async fn fetch(
    store: &dyn Store,
    scope: &OrgScope,
    nodes: Vec<(u8, u64)>,
) -> Result<HashMap<(u8, u64), Hash>> {
    store.log_nodes(scope, &nodes).await
}

/// The number of entries: one per published revision.
pub async fn log_size(store: &dyn Store, scope: &OrgScope) -> Result<u64> {
    Ok(store
        .latest_revision_summary(scope)
        .await?
        .map_or(0, |r| r.number))
}

pub async fn log_root(store: &dyn Store, scope: &OrgScope, size: u64) -> Result<Hash> {
    let nodes = fetch(store, scope, tree::nodes_for_root(size)).await?;
    tree::root(&nodes, size).map_err(corrupt)
}

pub struct InclusionProof {
    pub leaf: Hash,
    pub proof: Vec<Hash>,
    pub root: Hash,
}

pub async fn log_inclusion(
    store: &dyn Store,
    scope: &OrgScope,
    index: u64,
    size: u64,
) -> Result<InclusionProof> {
    let nodes = fetch(store, scope, tree::nodes_for_inclusion(index, size)).await?;
    let leaf = nodes
        .get(&(0, index))
        .copied()
        .ok_or(StoreError::Corrupt(format!("log leaf {index} missing")))?;
    Ok(InclusionProof {
        leaf,
        proof: tree::inclusion_proof(&nodes, index, size).map_err(corrupt)?,
        root: tree::root(&nodes, size).map_err(corrupt)?,
    })
}

pub struct ConsistencyProof {
    pub proof: Vec<Hash>,
    pub old_root: Hash,
    pub new_root: Hash,
}

pub async fn log_consistency(
    store: &dyn Store,
    scope: &OrgScope,
    old: u64,
    new: u64,
) -> Result<ConsistencyProof> {
    let nodes = fetch(store, scope, tree::nodes_for_consistency(old, new)).await?;
    Ok(ConsistencyProof {
        proof: tree::consistency_proof(&nodes, old, new).map_err(corrupt)?,
        old_root: tree::root(&nodes, old).map_err(corrupt)?,
        new_root: tree::root(&nodes, new).map_err(corrupt)?,
    })
}

/// The nodes to write when appending `entry` at `index`, given the left
/// siblings a backend fetched for [`tree::nodes_for_append`].
pub fn append_nodes(
    known: &HashMap<(u8, u64), Hash>,
    index: u64,
    entry: &[u8],
) -> Result<Vec<(u8, u64, Hash)>> {
    tree::nodes_after_append(known, index, tree::leaf_hash(entry)).map_err(corrupt)
}

pub fn hash_from_bytes(bytes: &[u8]) -> Result<Hash> {
    bytes
        .try_into()
        .map_err(|_| StoreError::Corrupt("log hash is not 32 bytes".into()))
}

/// What the log signing key's sealed secret is stored under.
pub const LOG_KEY_PURPOSE: &str = "log-signing-key";

/// A restore's hold on publishing for an org (the `log_holds` table): a log
/// restored from a backup may be shorter than the one readers have seen, and
/// the next publish would fork it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogHold {
    /// The log's size in the restored database.
    pub restored_size: u64,
    pub held_at: time::OffsetDateTime,
    /// How the hold ended, if it has.
    pub released: Option<HoldRelease>,
}

impl LogHold {
    /// Whether publishing is still refused.
    pub fn is_held(&self) -> bool {
        self.released.is_none()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoldRelease {
    pub at: time::OffsetDateTime,
    pub outcome: HoldOutcome,
    /// The log's size when the hold ended.
    pub size: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HoldOutcome {
    /// The missing entries were replayed from a copy of the public log.
    Recovered,
    /// No copy exists; entries after the restored size are lost, and the page says so.
    Unrecoverable,
}

impl HoldOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            HoldOutcome::Recovered => "recovered",
            HoldOutcome::Unrecoverable => "unrecoverable",
        }
    }

    pub fn parse(text: &str) -> Option<HoldOutcome> {
        match text {
            "recovered" => Some(HoldOutcome::Recovered),
            "unrecoverable" => Some(HoldOutcome::Unrecoverable),
            _ => None,
        }
    }
}
/// The audit log's own signing key: its checkpoints are for the org's admins.
pub const AUDIT_KEY_PURPOSE: &str = "audit-log-signing-key";

/// Where generation `n` of the log key is sealed: the first under
/// [`LOG_KEY_PURPOSE`], each rotation's under `log-signing-key/N`.
fn log_key_purpose(generation: u32) -> String {
    if generation <= 1 {
        LOG_KEY_PURPOSE.to_owned()
    } else {
        format!("{LOG_KEY_PURPOSE}/{generation}")
    }
}

/// The log key's current generation: 1 until it is first rotated.
pub async fn log_key_generation(store: &dyn Store, scope: &OrgScope) -> Result<u32> {
    Ok(generation_of(&store.org_secret_purposes(scope).await?))
}

/// The log key's generation given the purposes of an org's secrets: the last of
/// the unbroken run `log-signing-key/2`, `/3`, … (1 when there is none).
pub fn generation_of(purposes: &[String]) -> u32 {
    let mut generation = 1;
    while purposes.contains(&log_key_purpose(generation + 1)) {
        generation += 1;
    }
    generation
}

/// The org's checkpoint signer (its current key), generated on first use and
/// stored sealed with `master`. `origin` names the log (e.g. `trust.example.com/acme`).
pub async fn log_signer(
    store: &dyn Store,
    scope: &OrgScope,
    master: &crate::keys::MasterKey,
    origin: &str,
) -> Result<candor_log::note::NoteSigner> {
    let generation = log_key_generation(store, scope).await?;
    log_signer_of(store, scope, master, origin, generation).await
}

async fn log_signer_of(
    store: &dyn Store,
    scope: &OrgScope,
    master: &crate::keys::MasterKey,
    origin: &str,
    generation: u32,
) -> Result<candor_log::note::NoteSigner> {
    signer_for(store, scope, master, origin, &log_key_purpose(generation)).await
}

/// Replaces the org's log key with a new one, with its audit entry in the
/// same transaction; the new generation. Checkpoints are signed with the new
/// key from then on, and [`log_key_history`] links it to the old one.
pub async fn rotate_log_key(
    store: &dyn Store,
    scope: &OrgScope,
    master: &crate::keys::MasterKey,
    actor: &str,
) -> Result<u32> {
    let current = log_key_generation(store, scope).await?;
    // The key being retired must exist to vouch for its successor.
    crate::keys::org_key(store, scope, master, &log_key_purpose(current)).await?;
    let next = current + 1;
    let sealed = master.seal(
        &log_key_purpose(next),
        scope.org_id(),
        &crate::keys::random::<32>()?,
    )?;
    let audit = candor_domain::audit::AuditEvent::new(
        actor,
        candor_domain::audit::AuditAction::LogKeyRotate,
        format!("log-key:{next}"),
        time::OffsetDateTime::now_utc(),
    );
    if !store
        .insert_org_secret_audited(scope, &log_key_purpose(next), &sealed, &audit)
        .await?
    {
        return Err(StoreError::Conflict(
            "the log key was rotated at the same moment by someone else".into(),
        ));
    }
    Ok(next)
}

/// Each rotation of the org's log key, oldest first: a signed note
/// `candor-log-key-rotation/v1 / ORIGIN / old VKEY / new VKEY`, signed by both
/// the key it retires (which vouches for its successor) and the new key (which
/// shows it is held). A reader who pinned an old key follows the chain.
pub async fn log_key_history(
    store: &dyn Store,
    scope: &OrgScope,
    master: &crate::keys::MasterKey,
    origin: &str,
) -> Result<Vec<String>> {
    let current = log_key_generation(store, scope).await?;
    log_key_history_to(store, scope, master, origin, current).await
}

/// [`log_key_history`] up to generation `current`, already known.
pub async fn log_key_history_to(
    store: &dyn Store,
    scope: &OrgScope,
    master: &crate::keys::MasterKey,
    origin: &str,
    current: u32,
) -> Result<Vec<String>> {
    let mut statements = Vec::new();
    if current == 1 {
        return Ok(statements);
    }
    let mut old = log_signer_of(store, scope, master, origin, 1).await?;
    for generation in 2..=current {
        let new = log_signer_of(store, scope, master, origin, generation).await?;
        let text =
            candor_log::note::rotation_text(origin, &old.verifier_key(), &new.verifier_key());
        let sign = |e: candor_log::note::NoteError| StoreError::Crypto(e.to_string());
        let note = old.sign(&text).map_err(sign)?;
        statements.push(note + &new.signature_line(&text).map_err(sign)?);
        old = new;
    }
    Ok(statements)
}

/// The signer of the org's private audit-log checkpoints (a key of its own).
pub async fn audit_signer(
    store: &dyn Store,
    scope: &OrgScope,
    master: &crate::keys::MasterKey,
    origin: &str,
) -> Result<candor_log::note::NoteSigner> {
    signer_for(store, scope, master, origin, AUDIT_KEY_PURPOSE).await
}

async fn signer_for(
    store: &dyn Store,
    scope: &OrgScope,
    master: &crate::keys::MasterKey,
    origin: &str,
    purpose: &str,
) -> Result<candor_log::note::NoteSigner> {
    let seed = crate::keys::org_key(store, scope, master, purpose).await?;
    candor_log::note::NoteSigner::new(origin, &seed)
        .map_err(|e| StoreError::Crypto(format!("log origin {origin:?}: {e}")))
}

/// The signed checkpoint (C2SP signed note) of the org's log at its current size.
pub async fn signed_checkpoint(
    store: &dyn Store,
    scope: &OrgScope,
    signer: &candor_log::note::NoteSigner,
    origin: &str,
) -> Result<String> {
    let size = log_size(store, scope).await?;
    let root = log_root(store, scope, size).await?;
    let body = candor_log::checkpoint::Checkpoint {
        origin: origin.to_owned(),
        size,
        root,
    }
    .body();
    signer
        .sign(&body)
        .map_err(|e| StoreError::Crypto(e.to_string()))
}

/// The root of the org's audit Merkle tree over its first `size` entries.
pub async fn audit_root(store: &dyn Store, scope: &OrgScope, size: u64) -> Result<Hash> {
    let nodes = store
        .audit_nodes(scope, &tree::nodes_for_root(size))
        .await?;
    tree::root(&nodes, size).map_err(corrupt)
}

/// The signed checkpoint of the org's audit log at its current size.
pub async fn signed_audit_checkpoint(
    store: &dyn Store,
    scope: &OrgScope,
    signer: &candor_log::note::NoteSigner,
    origin: &str,
) -> Result<String> {
    let size = store.audit_log(scope).await?.entries.len() as u64;
    let root = audit_root(store, scope, size).await?;
    let body = candor_log::checkpoint::Checkpoint {
        origin: origin.to_owned(),
        size,
        root,
    }
    .body();
    signer
        .sign(&body)
        .map_err(|e| StoreError::Crypto(e.to_string()))
}
