//! Drafts and published revisions. A revision, its transparency-log entry, the
//! log's new subtrees and the audit entry for publishing it are one transaction.

use async_trait::async_trait;
use candor_domain::{Revision, TrustCenter};
use time::OffsetDateTime;

use candor_log::tree;

use crate::log::{corrupt, generation_of};
use crate::page::{KnownPage, PageContent, PageSnapshot, shows_evidence};
use crate::sql::audit::{self, append_in};
use crate::sql::evidence::evidence_in;
use crate::sql::log::{self, Tree};
use crate::sql::read_all;
use crate::sql::secrets::purposes_in;
use crate::sql::{Lock, Mode, SqlBackend, SqlRow, SqlTx, now_micros, read_one};
use crate::{
    Content, Directory, Draft, OrgScope, Result, RevisionSummary, StoreError, args, canonical_text,
    draft_from_row, publish_event, revision_from_row,
};

const LATEST_REVISION: &str = "SELECT number, content_hash, content, published_at FROM revisions
     WHERE org_id = $1 ORDER BY number DESC LIMIT 1";
const LATEST_SUMMARY: &str = "SELECT number, content_hash, published_at FROM revisions
     WHERE org_id = $1 ORDER BY number DESC LIMIT 1";
const REVISION_BY_NUMBER: &str = "SELECT number, content_hash, content, published_at FROM revisions
     WHERE org_id = $1 AND number = $2";
const ALL_SUMMARIES: &str = "SELECT number, content_hash, published_at FROM revisions
     WHERE org_id = $1 ORDER BY number DESC";

fn revision_row(row: &impl SqlRow) -> Result<Revision> {
    revision_from_row(
        row.int("number")?,
        &row.text("content_hash")?,
        &row.text("content")?,
        row.time("published_at")?,
    )
}

fn revision_number(number: i64) -> Result<u64> {
    u64::try_from(number).map_err(|_| StoreError::Corrupt(format!("revision number {number}")))
}

fn summary_row(row: &impl SqlRow) -> Result<RevisionSummary> {
    Ok(RevisionSummary {
        number: revision_number(row.int("number")?)?,
        content_hash: row
            .text("content_hash")?
            .parse()
            .map_err(StoreError::Corrupt)?,
        published_at: row.time("published_at")?,
    })
}

#[async_trait]
impl<B: SqlBackend> Content for B {
    async fn draft(&self, scope: &OrgScope) -> Result<Option<Draft>> {
        let sql = "SELECT content, updated_at FROM drafts WHERE org_id = $1";
        let Some(row) = read_one(self, scope, sql, args![scope.org_id()]).await? else {
            return Ok(None);
        };
        draft_from_row(&row.text("content")?, row.time("updated_at")?).map(Some)
    }

    async fn save_draft(&self, scope: &OrgScope, content: &TrustCenter) -> Result<()> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        save_draft_in(&mut tx, scope, content).await?;
        tx.commit().await
    }

    async fn insert_revision(
        &self,
        scope: &OrgScope,
        content: &TrustCenter,
        published_at: OffsetDateTime,
        actor: &str,
    ) -> Result<Revision> {
        let text = canonical_text(content);
        let hash = content.content_hash().to_string();
        let mut tx = self.begin(scope, Mode::Write).await?;
        // One publisher per org at a time, so max(number) + 1 cannot collide.
        tx.lock(scope, Lock::Publish).await?;
        let row = tx
            .fetch_optional(
                "INSERT INTO revisions (org_id, number, content_hash, content, published_at)
             SELECT $1, coalesce(max(number), 0) + 1, $2, $3, $4 FROM revisions WHERE org_id = $1
             RETURNING number",
                args![scope.org_id(), &hash, &text, published_at],
            )
            .await?
            .ok_or_else(|| StoreError::Backend("insert returned no revision number".into()))?;
        let number = row.int("number")?;
        // The revision and its audit entry commit together or not at all.
        append_in(&mut tx, scope, publish_event(actor, number, published_at)).await?;
        let revision = revision_from_row(number, &hash, &text, published_at)?;
        // Entry i of the log is revision i + 1, written in this same transaction.
        log::append_log(
            &mut tx,
            scope,
            revision.number - 1,
            &revision.log_entry(scope.slug().as_str()),
        )
        .await?;
        // Now, not `published_at` (a recovered revision carries its old time):
        // page caches poll this to show the new revision at once.
        tx.execute(
            "UPDATE orgs SET published_at = $2 WHERE id = $1",
            args![scope.org_id(), OffsetDateTime::now_utc()],
        )
        .await?;
        tx.commit().await?;
        Ok(revision)
    }

    async fn latest_revision(&self, scope: &OrgScope) -> Result<Option<Revision>> {
        let row = read_one(self, scope, LATEST_REVISION, args![scope.org_id()]).await?;
        row.as_ref().map(revision_row).transpose()
    }

    async fn latest_revision_summary(&self, scope: &OrgScope) -> Result<Option<RevisionSummary>> {
        let row = read_one(self, scope, LATEST_SUMMARY, args![scope.org_id()]).await?;
        row.as_ref().map(summary_row).transpose()
    }

    async fn revision(&self, scope: &OrgScope, number: u64) -> Result<Option<Revision>> {
        let Ok(number) = i64::try_from(number) else {
            return Ok(None);
        };
        let row = read_one(
            self,
            scope,
            REVISION_BY_NUMBER,
            args![scope.org_id(), number],
        )
        .await?;
        row.as_ref().map(revision_row).transpose()
    }

    async fn revisions(&self, scope: &OrgScope) -> Result<Vec<RevisionSummary>> {
        let rows = read_all(self, scope, ALL_SUMMARIES, args![scope.org_id()]).await?;
        rows.iter().map(summary_row).collect()
    }

    async fn page_snapshot(
        &self,
        scope: &OrgScope,
        known: Option<KnownPage>,
    ) -> Result<PageSnapshot> {
        let mut tx = self.begin(scope, Mode::Snapshot).await?;
        let snapshot = page_snapshot_in(&mut tx, scope, known).await?;
        tx.commit().await?;
        Ok(snapshot)
    }
}

async fn page_snapshot_in<T: SqlTx>(
    tx: &mut T,
    scope: &OrgScope,
    known: Option<KnownPage>,
) -> Result<PageSnapshot> {
    if let Some(known) = known {
        let Some(latest) = tx
            .fetch_optional(LATEST_SUMMARY, args![scope.org_id()])
            .await?
        else {
            return Ok(PageSnapshot::Unpublished);
        };
        if summary_row(&latest)?.number == known.number {
            let evidence = match known.with_evidence {
                true => Some(evidence_in(tx, scope).await?),
                false => None,
            };
            let log_key_generation = generation_of(&purposes_in(tx, scope).await?);
            return Ok(PageSnapshot::Unchanged {
                evidence,
                log_key_generation,
            });
        }
    }
    let Some(row) = tx
        .fetch_optional(LATEST_REVISION, args![scope.org_id()])
        .await?
    else {
        return Ok(PageSnapshot::Unpublished);
    };
    let revision = revision_row(&row)?;
    let nodes = tree::nodes_for_root(revision.number);
    let found = log::read_nodes(tx, scope, Tree::Public, &nodes).await?;
    let log_root = tree::root(&found, revision.number).map_err(corrupt)?;
    let evidence = match shows_evidence(&revision) {
        true => Some(evidence_in(tx, scope).await?),
        false => None,
    };
    let log_key_generation = generation_of(&purposes_in(tx, scope).await?);
    Ok(PageSnapshot::Latest(Box::new(PageContent {
        revision,
        log_root,
        evidence,
        log_key_generation,
    })))
}

/// Revisions published before the transparency log existed get their entries,
/// in order, so that every revision is in the log; audit entries written before
/// the audit tree existed become its leaves. Only a log that was never started
/// is filled (a log with holes is damage for `candor log verify` to report, not
/// something to paper over). Idempotent, and safe with several replicas starting
/// at once (the per-org publishing lock).
pub async fn backfill_logs<B: SqlBackend>(b: &B) -> Result<()> {
    for org in b.list_orgs().await? {
        let scope = OrgScope::new(&org);
        let mut tx = b.begin(&scope, Mode::Write).await?;
        tx.lock(&scope, Lock::Publish).await?;
        let rows = tx
            .fetch_all(
                "SELECT r.number, r.content_hash, r.published_at FROM revisions r
                  WHERE r.org_id = $1
                    AND NOT EXISTS (SELECT 1 FROM log_entries l WHERE l.org_id = r.org_id)
                  ORDER BY r.number",
                args![scope.org_id()],
            )
            .await?;
        for row in &rows {
            let summary = summary_row(row)?;
            let entry = candor_domain::revision::log_entry(
                scope.slug().as_str(),
                summary.number,
                summary.content_hash,
                summary.published_at,
            );
            log::append_log(&mut tx, &scope, summary.number - 1, &entry).await?;
        }
        let rows = tx
            .fetch_all(
                "SELECT a.seq, a.actor, a.action, a.target, a.at, a.prev_hash, a.hash FROM audit_log a
                  WHERE a.org_id = $1 AND NOT EXISTS (SELECT 1 FROM audit_nodes n WHERE n.org_id = a.org_id)
                  ORDER BY a.seq",
                args![scope.org_id()],
            )
            .await?;
        for row in &rows {
            let e = audit::entry_row(row)?;
            let bytes = candor_domain::audit::entry_bytes(e.seq, &e.prev_hash, &e.event);
            log::append(&mut tx, &scope, Tree::Audit, e.seq - 1, &bytes).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

/// Replaces the org's draft inside the caller's write transaction.
pub(crate) async fn save_draft_in<T: SqlTx>(
    tx: &mut T,
    scope: &OrgScope,
    content: &TrustCenter,
) -> Result<()> {
    tx.execute(
        "INSERT INTO drafts (org_id, content, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (org_id) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at",
        args![scope.org_id(), &canonical_text(content), now_micros()?],
    )
    .await?;
    Ok(())
}
