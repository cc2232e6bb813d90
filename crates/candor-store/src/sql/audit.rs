//! The audit log: a hash chain of privileged writes, each entry also a leaf of
//! the org's audit Merkle tree, appended in the same transaction as the write it
//! records.

use async_trait::async_trait;
use candor_domain::audit::{AuditEntry, AuditEvent, next_entry};

use crate::sql::log::{self, Tree};
use crate::sql::{Lock, Mode, SqlBackend, SqlRow, SqlTx, to_i64};
use crate::{
    Audit, AuditLog, OrgScope, Result, StoreError, args, audit_entry_from_row, parse_hash,
};

const ENTRIES: &str = "SELECT seq, actor, action, target, at, prev_hash, hash FROM audit_log
     WHERE org_id = $1 ORDER BY seq";

fn hex_of(hash: &[u8; 32]) -> String {
    candor_domain::ContentHash(*hash).hex()
}

pub(crate) fn entry_row(row: &impl SqlRow) -> Result<AuditEntry> {
    audit_entry_from_row(
        row.int("seq")?,
        row.text("actor")?,
        row.text("action")?,
        row.text("target")?,
        row.time("at")?,
        &row.text("prev_hash")?,
        &row.text("hash")?,
    )
}

/// The audit log's head: the last entry's number and hash.
fn head_row(row: &impl SqlRow) -> Result<(u64, [u8; 32])> {
    let seq = row.int("seq")?;
    let seq = u64::try_from(seq).map_err(|_| StoreError::Corrupt(format!("audit head {seq}")))?;
    Ok((seq, parse_hash(&row.text("hash")?)?))
}

/// Runs one statement and, if it changed a row, appends `audit`, in one write
/// transaction on the org. Returns whether a row changed; when none did, nothing
/// is recorded (the transaction is dropped).
pub(crate) async fn execute_audited<B: SqlBackend>(
    db: &B,
    scope: &OrgScope,
    sql: &'static str,
    args: &[crate::sql::Arg<'_>],
    audit: &AuditEvent,
) -> Result<bool> {
    let mut tx = db.begin(scope, Mode::Write).await?;
    if tx.execute(sql, args).await? == 0 {
        return Ok(false);
    }
    append_in(&mut tx, scope, audit.clone()).await?;
    tx.commit().await?;
    Ok(true)
}

/// Appends the next audit entry and moves the head inside the caller's write
/// transaction. The org's audit lock is taken first, so concurrent appends queue up.
pub(crate) async fn append_in<T: SqlTx>(
    tx: &mut T,
    scope: &OrgScope,
    event: AuditEvent,
) -> Result<AuditEntry> {
    tx.lock(scope, Lock::Audit).await?;
    let head = tx
        .fetch_optional(
            "SELECT seq, hash FROM audit_heads WHERE org_id = $1",
            args![scope.org_id()],
        )
        .await?;
    let previous = head.as_ref().map(head_row).transpose()?;
    let entry = next_entry(previous, event);
    let seq = to_i64(entry.seq, "audit sequence")?;
    let (prev_hash, hash) = (hex_of(&entry.prev_hash), hex_of(&entry.hash));
    tx.execute(
        "INSERT INTO audit_log (org_id, seq, actor, action, target, at, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        args![
            scope.org_id(),
            seq,
            &entry.event.actor,
            &entry.event.action,
            &entry.event.target,
            entry.event.at,
            &prev_hash,
            &hash
        ],
    )
    .await?;
    tx.execute(
        "INSERT INTO audit_heads (org_id, seq, hash) VALUES ($1, $2, $3)
         ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        args![scope.org_id(), seq, &hash],
    )
    .await?;
    // The same entry, as a leaf of the org's audit Merkle tree (index seq - 1).
    let bytes = candor_domain::audit::entry_bytes(entry.seq, &entry.prev_hash, &entry.event);
    log::append(tx, scope, Tree::Audit, entry.seq - 1, &bytes).await?;
    Ok(entry)
}

#[async_trait]
impl<B: SqlBackend> Audit for B {
    async fn append_audit(&self, scope: &OrgScope, event: &AuditEvent) -> Result<AuditEntry> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        let entry = append_in(&mut tx, scope, event.clone()).await?;
        tx.commit().await?;
        Ok(entry)
    }

    async fn audit_log(&self, scope: &OrgScope) -> Result<AuditLog> {
        // One snapshot for the entries and the head, so that an append committed
        // meanwhile cannot look like tampering.
        let mut tx = self.begin(scope, Mode::Snapshot).await?;
        let rows = tx.fetch_all(ENTRIES, args![scope.org_id()]).await?;
        let head = tx
            .fetch_optional(
                "SELECT seq, hash FROM audit_heads WHERE org_id = $1",
                args![scope.org_id()],
            )
            .await?;
        tx.commit().await?;
        Ok(AuditLog {
            entries: rows.iter().map(entry_row).collect::<Result<_>>()?,
            head: head.as_ref().map(head_row).transpose()?,
        })
    }
}
