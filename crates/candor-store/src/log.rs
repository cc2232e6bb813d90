//! The transparency log as stored: every backend appends revision entries in the
//! publishing transaction and keeps complete-subtree hashes; these functions
//! fetch the O(log n) hashes a root or proof needs and let `candor-log` compute it.

use std::collections::HashMap;

use candor_log::tree::{self, Hash, TreeError};

use crate::{OrgScope, Result, Store, StoreError};

fn corrupt(e: TreeError) -> StoreError {
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
