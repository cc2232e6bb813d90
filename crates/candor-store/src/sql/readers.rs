//! [`crate::Readers`]: readers' requests and grants, the org's domain lists,
//! sign-in links and sessions, readers' history and operator event endpoints.

use async_trait::async_trait;
use candor_domain::audit::AuditEvent;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::documents::DocumentRequest;
use crate::outbox::NewDelivery;
use crate::readers::{
    EventHook, ReaderEvent, ReaderEventKind, ReaderFilter, ReaderPolicy, ReaderTokenKind,
};
use crate::sql::audit::append_in;
use crate::sql::documents::{insert_request_in, request_row, returning_request, select_requests};
use crate::sql::secrets::sealed_of;
use crate::sql::{Mode, SqlBackend, SqlRow, SqlTx, int_as, outbox, read_all, read_one};
use crate::{OrgScope, Readers, Result, StoreError, args};

/// Adds a line to a reader's history inside a transaction.
pub(crate) async fn insert_event_in<T: SqlTx>(
    tx: &mut T,
    scope: &OrgScope,
    e: &ReaderEvent,
) -> Result<()> {
    tx.execute(
        "INSERT INTO reader_events (id, org_id, at, email, doc_key, request_id, event, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        args![
            e.id,
            scope.org_id(),
            e.at,
            &e.email,
            &e.doc_key,
            e.request_id,
            e.kind.as_str(),
            &e.detail
        ],
    )
    .await?;
    Ok(())
}

fn event_row(row: &impl SqlRow) -> Result<ReaderEvent> {
    Ok(ReaderEvent {
        id: row.id("id")?,
        at: row.time("at")?,
        email: row.text("email")?,
        doc_key: row.text("doc_key")?,
        request_id: row.opt_id("request_id")?,
        kind: row
            .text("event")?
            .parse::<ReaderEventKind>()
            .map_err(StoreError::Corrupt)?,
        detail: row.text("detail")?,
    })
}

fn hook_row(row: &impl SqlRow) -> Result<EventHook> {
    Ok(EventHook {
        id: row.id("id")?,
        url: row.text("url")?,
        secret: sealed_of(row, "secret_nonce", "secret_ciphertext")?,
        created_at: row.time("created_at")?,
    })
}

fn lines(list: &[String]) -> String {
    list.join("\n")
}

fn unlines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[async_trait]
impl<B: SqlBackend> Readers for B {
    async fn insert_reader_requests(
        &self,
        scope: &OrgScope,
        requests: &[DocumentRequest],
        events: &[ReaderEvent],
        notify: &[NewDelivery],
    ) -> Result<()> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        for request in requests {
            insert_request_in(&mut tx, scope, request).await?;
        }
        for event in events {
            insert_event_in(&mut tx, scope, event).await?;
        }
        let now = requests
            .first()
            .map(|r| r.created_at)
            .unwrap_or_else(OffsetDateTime::now_utc);
        outbox::insert_deliveries::<B>(&mut tx, scope, notify, now).await?;
        tx.commit().await
    }

    async fn requests_by_email(
        &self,
        scope: &OrgScope,
        email: &str,
    ) -> Result<Vec<DocumentRequest>> {
        let rows = read_all(
            self,
            scope,
            select_requests!("WHERE org_id = $1 AND email = $2 ORDER BY created_at DESC, id"),
            args![scope.org_id(), email],
        )
        .await?;
        rows.iter().map(request_row).collect()
    }

    async fn revoke_grant(
        &self,
        scope: &OrgScope,
        id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<Option<DocumentRequest>> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        let row = tx
            .fetch_optional(
                returning_request!(
                    "UPDATE document_requests SET revoked_at = $3
                      WHERE org_id = $1 AND id = $2 AND status = 'granted' AND revoked_at IS NULL"
                ),
                args![scope.org_id(), id, at],
            )
            .await?;
        let Some(row) = row else { return Ok(None) };
        let revoked = request_row(&row)?;
        let event = ReaderEvent::new(
            at,
            &revoked.email,
            &revoked.doc_key,
            Some(revoked.id),
            ReaderEventKind::Revoked,
            "by an admin",
        );
        insert_event_in(&mut tx, scope, &event).await?;
        append_in(&mut tx, scope, audit.clone()).await?;
        tx.commit().await?;
        Ok(Some(revoked))
    }

    async fn reader_policy(&self, scope: &OrgScope) -> Result<ReaderPolicy> {
        let row = read_one(
            self,
            scope,
            "SELECT allow_domains, block_domains, grant_days FROM reader_policies
              WHERE org_id = $1",
            args![scope.org_id()],
        )
        .await?;
        row.map(|r| {
            Ok(ReaderPolicy {
                allow_domains: unlines(&r.text("allow_domains")?),
                block_domains: unlines(&r.text("block_domains")?),
                grant_days: int_as(&r, "grant_days")?,
            })
        })
        .unwrap_or_else(|| Ok(ReaderPolicy::default()))
    }

    async fn set_reader_policy(
        &self,
        scope: &OrgScope,
        policy: &ReaderPolicy,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<()> {
        let (allow, block) = (lines(&policy.allow_domains), lines(&policy.block_domains));
        let mut tx = self.begin(scope, Mode::Write).await?;
        append_in(&mut tx, scope, audit.clone()).await?;
        tx.execute(
            "INSERT INTO reader_policies (org_id, allow_domains, block_domains, grant_days, updated_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (org_id) DO UPDATE SET allow_domains = excluded.allow_domains,
                block_domains = excluded.block_domains, grant_days = excluded.grant_days,
                updated_at = excluded.updated_at",
            args![
                scope.org_id(),
                &allow,
                &block,
                i64::from(policy.grant_days),
                at
            ],
        )
        .await?;
        tx.commit().await
    }

    async fn insert_reader_token(
        &self,
        scope: &OrgScope,
        token_hash: &str,
        email: &str,
        kind: ReaderTokenKind,
        expires_at: OffsetDateTime,
    ) -> Result<()> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        tx.execute(
            "INSERT INTO reader_tokens (token_hash, org_id, email, kind, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            args![
                token_hash,
                scope.org_id(),
                email,
                kind.as_str(),
                OffsetDateTime::now_utc(),
                expires_at
            ],
        )
        .await?;
        tx.commit().await
    }

    async fn sign_in_reader(
        &self,
        scope: &OrgScope,
        link_hash: &str,
        session_hash: &str,
        session_expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Option<String>> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        // Marking it used is the check: of two clicks at once, one row changes.
        let row = tx
            .fetch_optional(
                "UPDATE reader_tokens SET used_at = $3
                  WHERE org_id = $1 AND token_hash = $2 AND kind = 'link'
                    AND used_at IS NULL AND expires_at > $3
              RETURNING email",
                args![scope.org_id(), link_hash, now],
            )
            .await?;
        let Some(row) = row else { return Ok(None) };
        let email = row.text("email")?;
        tx.execute(
            "INSERT INTO reader_tokens (token_hash, org_id, email, kind, created_at, expires_at)
             VALUES ($1, $2, $3, 'session', $4, $5)",
            args![
                session_hash,
                scope.org_id(),
                &email,
                now,
                session_expires_at
            ],
        )
        .await?;
        let event = ReaderEvent::new(now, &email, "", None, ReaderEventKind::SignedIn, "");
        insert_event_in(&mut tx, scope, &event).await?;
        tx.commit().await?;
        Ok(Some(email))
    }

    async fn reader_session(
        &self,
        scope: &OrgScope,
        session_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<String>> {
        let row = read_one(
            self,
            scope,
            "SELECT email FROM reader_tokens
              WHERE org_id = $1 AND token_hash = $2 AND kind = 'session' AND expires_at > $3",
            args![scope.org_id(), session_hash, now],
        )
        .await?;
        row.map(|r| r.text("email")).transpose()
    }

    async fn end_reader_session(&self, scope: &OrgScope, session_hash: &str) -> Result<()> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        tx.execute(
            "DELETE FROM reader_tokens WHERE org_id = $1 AND token_hash = $2 AND kind = 'session'",
            args![scope.org_id(), session_hash],
        )
        .await?;
        tx.commit().await
    }

    async fn reader_links_since(
        &self,
        scope: &OrgScope,
        email: &str,
        since: OffsetDateTime,
    ) -> Result<u64> {
        let row = read_one(
            self,
            scope,
            "SELECT count(*) AS n FROM reader_tokens
              WHERE org_id = $1 AND email = $2 AND kind = 'link' AND created_at > $3",
            args![scope.org_id(), email, since],
        )
        .await?;
        match row {
            Some(r) => int_as(&r, "n"),
            None => Ok(0),
        }
    }

    async fn record_reader_event(&self, scope: &OrgScope, event: &ReaderEvent) -> Result<()> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        insert_event_in(&mut tx, scope, event).await?;
        tx.commit().await
    }

    async fn reader_events(
        &self,
        scope: &OrgScope,
        filter: &ReaderFilter,
        limit: u32,
    ) -> Result<Vec<ReaderEvent>> {
        let rows = read_all(
            self,
            scope,
            "SELECT id, at, email, doc_key, request_id, event, detail FROM reader_events
              WHERE org_id = $1
                AND ($2 = '' OR email = $2)
                AND ($3 = '' OR doc_key = $3)
              ORDER BY at DESC, id LIMIT $4",
            args![
                scope.org_id(),
                filter.email.as_deref().unwrap_or(""),
                filter.doc_key.as_deref().unwrap_or(""),
                i64::from(limit)
            ],
        )
        .await?;
        rows.iter().map(event_row).collect()
    }

    async fn insert_event_hook(
        &self,
        scope: &OrgScope,
        hook: &EventHook,
        audit: &AuditEvent,
    ) -> Result<()> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        append_in(&mut tx, scope, audit.clone()).await?;
        tx.execute(
            "INSERT INTO event_hooks (id, org_id, url, secret_nonce, secret_ciphertext, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            args![
                hook.id,
                scope.org_id(),
                &hook.url,
                &hook.secret.nonce,
                &hook.secret.ciphertext,
                hook.created_at
            ],
        )
        .await?;
        tx.commit().await
    }

    async fn event_hooks(&self, scope: &OrgScope) -> Result<Vec<EventHook>> {
        let rows = read_all(
            self,
            scope,
            "SELECT id, url, secret_nonce, secret_ciphertext, created_at FROM event_hooks
              WHERE org_id = $1 ORDER BY created_at, id",
            args![scope.org_id()],
        )
        .await?;
        rows.iter().map(hook_row).collect()
    }

    async fn remove_event_hook(
        &self,
        scope: &OrgScope,
        id: Uuid,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.begin(scope, Mode::Write).await?;
        let removed = tx
            .execute(
                "DELETE FROM event_hooks WHERE org_id = $1 AND id = $2",
                args![scope.org_id(), id],
            )
            .await?;
        if removed == 0 {
            return Ok(false);
        }
        append_in(&mut tx, scope, audit.clone()).await?;
        tx.commit().await?;
        Ok(true)
    }
}
