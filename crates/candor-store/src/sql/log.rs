//! The two Merkle trees an org keeps, its public transparency log and its
//! private audit log: same machinery, separate tables. Only complete subtrees
//! are stored, so an append writes O(log n) nodes and a proof reads O(log n).
//! Appends happen inside the transactions that publish a revision or write an
//! audit entry; [`Log`] reads.

use std::collections::HashMap;

use async_trait::async_trait;

use candor_domain::audit::AuditEvent;
use time::OffsetDateTime;

use crate::log::{HoldOutcome, HoldRelease, LogHold};
use crate::sql::audit::execute_audited;
use crate::sql::{Mode, SqlBackend, SqlRow, SqlTx, int_as, read_all, read_one, to_i64};
use crate::{Log, OrgScope, Result, StoreError, args};

#[derive(Clone, Copy)]
pub(crate) enum Tree {
    Public,
    Audit,
}

impl Tree {
    fn select(self) -> &'static str {
        match self {
            Tree::Public => {
                "SELECT hash FROM log_nodes WHERE org_id = $1 AND level = $2 AND idx = $3"
            }
            Tree::Audit => {
                "SELECT hash FROM audit_nodes WHERE org_id = $1 AND level = $2 AND idx = $3"
            }
        }
    }

    fn insert(self) -> &'static str {
        match self {
            Tree::Public => {
                "INSERT INTO log_nodes (org_id, level, idx, hash) VALUES ($1, $2, $3, $4)"
            }
            Tree::Audit => {
                "INSERT INTO audit_nodes (org_id, level, idx, hash) VALUES ($1, $2, $3, $4)"
            }
        }
    }
}

/// The stored hashes among `nodes` (level, index); absent ones are left out.
pub(crate) async fn read_nodes<T: SqlTx>(
    tx: &mut T,
    scope: &OrgScope,
    tree: Tree,
    nodes: &[(u8, u64)],
) -> Result<HashMap<(u8, u64), [u8; 32]>> {
    let mut out = HashMap::with_capacity(nodes.len());
    for &(level, index) in nodes {
        let Ok(idx) = i64::try_from(index) else {
            continue;
        };
        let row = tx
            .fetch_optional(tree.select(), args![scope.org_id(), i64::from(level), idx])
            .await?;
        if let Some(row) = row {
            out.insert(
                (level, index),
                crate::log::hash_from_bytes(&row.bytes("hash")?)?,
            );
        }
    }
    Ok(out)
}

/// Adds the leaf for `entry` at `index` to a tree, with the subtrees it
/// completes, inside the caller's transaction.
pub(crate) async fn append<T: SqlTx>(
    tx: &mut T,
    scope: &OrgScope,
    tree: Tree,
    index: u64,
    entry: &[u8],
) -> Result<()> {
    let known = read_nodes(tx, scope, tree, &candor_log::tree::nodes_for_append(index)).await?;
    for (level, node_index, hash) in crate::log::append_nodes(&known, index, entry)? {
        let node_index = to_i64(node_index, "log index")?;
        tx.execute(
            tree.insert(),
            args![
                scope.org_id(),
                i64::from(level),
                node_index,
                hash.as_slice()
            ],
        )
        .await?;
    }
    Ok(())
}

/// Appends `entry` at `index` to the org's public log inside the caller's transaction.
pub(crate) async fn append_log<T: SqlTx>(
    tx: &mut T,
    scope: &OrgScope,
    index: u64,
    entry: &[u8],
) -> Result<()> {
    let idx = to_i64(index, "log index")?;
    tx.execute(
        "INSERT INTO log_entries (org_id, idx, data) VALUES ($1, $2, $3)",
        args![scope.org_id(), idx, entry],
    )
    .await?;
    append(tx, scope, Tree::Public, index, entry).await
}

#[async_trait]
impl<B: SqlBackend> Log for B {
    async fn log_entry(&self, scope: &OrgScope, index: u64) -> Result<Option<Vec<u8>>> {
        let Ok(index) = i64::try_from(index) else {
            return Ok(None);
        };
        let sql = "SELECT data FROM log_entries WHERE org_id = $1 AND idx = $2";
        let row = read_one(self, scope, sql, args![scope.org_id(), index]).await?;
        row.map(|row| row.bytes("data")).transpose()
    }

    async fn log_entries(&self, scope: &OrgScope, start: u64, end: u64) -> Result<Vec<Vec<u8>>> {
        let (start, end) = (to_i64(start, "log index")?, to_i64(end, "log index")?);
        let rows = read_all(
            self,
            scope,
            "SELECT data FROM log_entries WHERE org_id = $1 AND idx >= $2 AND idx < $3 ORDER BY idx",
            args![scope.org_id(), start, end],
        )
        .await?;
        rows.iter().map(|row| row.bytes("data")).collect()
    }

    async fn log_level(
        &self,
        scope: &OrgScope,
        level: u8,
        start: u64,
        end: u64,
    ) -> Result<Vec<[u8; 32]>> {
        let (start, end) = (to_i64(start, "log index")?, to_i64(end, "log index")?);
        let rows = read_all(
            self,
            scope,
            "SELECT hash FROM log_nodes WHERE org_id = $1 AND level = $2 AND idx >= $3 AND idx < $4
              ORDER BY idx",
            args![scope.org_id(), i64::from(level), start, end],
        )
        .await?;
        rows.iter()
            .map(|row| crate::log::hash_from_bytes(&row.bytes("hash")?))
            .collect()
    }

    async fn log_nodes(
        &self,
        scope: &OrgScope,
        nodes: &[(u8, u64)],
    ) -> Result<HashMap<(u8, u64), [u8; 32]>> {
        let mut tx = self.begin(scope, Mode::Read).await?;
        let found = read_nodes(&mut tx, scope, Tree::Public, nodes).await?;
        tx.commit().await?;
        Ok(found)
    }

    async fn audit_nodes(
        &self,
        scope: &OrgScope,
        nodes: &[(u8, u64)],
    ) -> Result<HashMap<(u8, u64), [u8; 32]>> {
        let mut tx = self.begin(scope, Mode::Read).await?;
        let found = read_nodes(&mut tx, scope, Tree::Audit, nodes).await?;
        tx.commit().await?;
        Ok(found)
    }

    async fn log_hold(&self, scope: &OrgScope) -> Result<Option<LogHold>> {
        let row = read_one(
            self,
            scope,
            "SELECT restored_size, held_at, released_at, outcome, released_size
               FROM log_holds WHERE org_id = $1",
            args![scope.org_id()],
        )
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let released = match row.opt_time("released_at")? {
            None => None,
            Some(at) => {
                let outcome = row.opt_text("outcome")?.unwrap_or_default();
                Some(HoldRelease {
                    at,
                    outcome: HoldOutcome::parse(&outcome).ok_or_else(|| {
                        StoreError::Corrupt(format!("log hold outcome {outcome:?}"))
                    })?,
                    size: u64::try_from(row.opt_int("released_size")?.unwrap_or(0))
                        .map_err(|_| StoreError::Corrupt("released_size".into()))?,
                })
            }
        };
        Ok(Some(LogHold {
            restored_size: int_as(&row, "restored_size")?,
            held_at: row.time("held_at")?,
            released,
        }))
    }

    async fn hold_log(
        &self,
        scope: &OrgScope,
        restored_size: u64,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<()> {
        execute_audited(
            self,
            scope,
            "INSERT INTO log_holds (org_id, restored_size, held_at) VALUES ($1, $2, $3)
             ON CONFLICT (org_id) DO UPDATE SET restored_size = excluded.restored_size,
               held_at = excluded.held_at, released_at = NULL, outcome = NULL, released_size = NULL",
            args![scope.org_id(), to_i64(restored_size, "log size")?, at],
            audit,
        )
        .await?;
        Ok(())
    }

    async fn release_log_hold(
        &self,
        scope: &OrgScope,
        outcome: HoldOutcome,
        size: u64,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<bool> {
        execute_audited(
            self,
            scope,
            "UPDATE log_holds SET released_at = $2, outcome = $3, released_size = $4
              WHERE org_id = $1 AND released_at IS NULL",
            args![
                scope.org_id(),
                at,
                outcome.as_str(),
                to_i64(size, "log size")?
            ],
            audit,
        )
        .await
    }
}
