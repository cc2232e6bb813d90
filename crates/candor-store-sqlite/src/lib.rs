//! SQLite backend: one file, WAL mode, created on first start.
//!
//! SQLite has no row-level security, so isolation rests on the `OrgScope` every
//! tenant method takes (each query filters on `scope.org_id()`); the shared
//! conformance suite checks it. Revisions are protected by triggers that abort
//! any UPDATE or DELETE.

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use candor_domain::audit::{AuditEntry, AuditEvent, next_entry};
use candor_domain::policy::Role;
use candor_domain::{OrgSlug, Revision, TrustCenter};
use candor_store::documents::{
    DocumentFile, DocumentRequest, DownloadGrant, DownloadRecord, SealedItem, StoredFile,
};
use candor_store::keys::SealedSecret;
use candor_store::outbox::{
    Delivery, DeliveryResult, NewDelivery, Objection, OutboxStats, SubscribeOutcome,
    SubscribeRequest, Subscriber,
};
use candor_store::{
    ApiToken, AuditLog, Credentials, Invite, Member, MembershipChange, MembershipOutcome, User,
    parse_role,
};
use candor_store::{
    Draft, Org, OrgScope, Result, RevisionSummary, Store, StoreError, audit_entry_from_row,
    canonical_text, draft_from_row, parse_hash, parse_slug, publish_event, revision_from_row,
};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row, SqliteConnection, SqlitePool};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

mod documents;
mod evidence;
mod outbox;

/// Every table with an `org_id`, children before parents: what deleting an org
/// empties. A new tenant table must be added here (a test deletes an org with
/// rows in every table and checks that none remain).
const ORG_TABLES: &[&str] = &[
    "evidence",
    "host_claims",
    "downloads",
    "download_grants",
    "document_requests",
    "document_files",
    "vuln_reports",
    "data_keys",
    "deliveries",
    "objections",
    "subscribers",
    "announcements",
    "org_hosts",
    "org_secrets",
    "audit_nodes",
    "audit_heads",
    "audit_log",
    "log_nodes",
    "log_entries",
    "revisions",
    "drafts",
    "invites",
    "api_tokens",
    "memberships",
];

/// Schema changes in order. Append only: a released migration never changes.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_foundation.sql")),
    (2, include_str!("../migrations/0002_audit.sql")),
    (3, include_str!("../migrations/0003_accounts.sql")),
    (4, include_str!("../migrations/0004_invites.sql")),
    (5, include_str!("../migrations/0005_log.sql")),
    (6, include_str!("../migrations/0006_org_secrets.sql")),
    (7, include_str!("../migrations/0007_audit_tree.sql")),
    (8, include_str!("../migrations/0008_subscribers.sql")),
    (9, include_str!("../migrations/0009_documents.sql")),
    (10, include_str!("../migrations/0010_reports.sql")),
    (11, include_str!("../migrations/0011_org_hosts.sql")),
    (12, include_str!("../migrations/0012_org_erasure.sql")),
    (13, include_str!("../migrations/0013_evidence.sql")),
    (14, include_str!("../migrations/0014_manage_links.sql")),
];

const LATEST_REVISION: &str = "SELECT number, content_hash, content, published_at FROM revisions
     WHERE org_id = $1 ORDER BY number DESC LIMIT 1";
const LATEST_SUMMARY: &str = "SELECT number, content_hash, published_at FROM revisions
     WHERE org_id = $1 ORDER BY number DESC LIMIT 1";
const REVISION_BY_NUMBER: &str = "SELECT number, content_hash, content, published_at FROM revisions
     WHERE org_id = $1 AND number = $2";
const ALL_SUMMARIES: &str = "SELECT number, content_hash, published_at FROM revisions WHERE org_id = $1 ORDER BY number DESC";

pub struct SqliteStore {
    pool: SqlitePool,
}

/// The database holds subscriber addresses and requesters' details: readable by
/// its owner only. SQLite gives its -wal and -shm files the database file's mode,
/// so creating the file 0600 (or narrowing an older one) covers all three.
fn restrict_file(path: &str) -> Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if path.is_empty() || path.starts_with(':') || path.contains("mode=memory") {
        return Ok(());
    }
    let file = path.split('?').next().unwrap_or(path);
    let io = |e: std::io::Error| StoreError::Backend(format!("{file}: {e}"));
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(file)
        .map_err(io)?;
    for suffix in ["", "-wal", "-shm"] {
        let name = format!("{file}{suffix}");
        if std::path::Path::new(&name).exists() {
            std::fs::set_permissions(&name, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
        }
    }
    Ok(())
}

fn backend(e: sqlx::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn ts(t: OffsetDateTime) -> Result<String> {
    t.format(&Rfc3339)
        .map_err(|e| StoreError::Backend(e.to_string()))
}

fn parse_ts(s: &str) -> Result<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339)
        .map_err(|e| StoreError::Corrupt(format!("timestamp {s:?}: {e}")))
}

fn parse_id(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(format!("org id {s:?}: {e}")))
}

/// The migration that stops keeping manage tokens in the clear.
const MANAGE_LINKS_MIGRATION: i64 = 14;

/// Keeps only the SHA-256 of each old manage token (so links already mailed
/// still work) and gives its row a fresh salt. SQLite has no SHA-256 in SQL.
async fn hash_legacy_manage_tokens(conn: &mut SqliteConnection) -> sqlx::Result<()> {
    let old: Vec<(String, String)> =
        sqlx::query_as("SELECT id, manage_salt FROM subscribers WHERE legacy_token_hash IS NULL")
            .fetch_all(&mut *conn)
            .await?;
    for (id, token) in old {
        sqlx::query(
            "UPDATE subscribers SET legacy_token_hash = $2, manage_salt = lower(hex(randomblob(16)))
              WHERE id = $1",
        )
        .bind(id)
        .bind(candor_store::outbox::legacy_token_hash(&token))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path` and brings its schema up to date.
    pub async fn open(path: &str) -> Result<SqliteStore> {
        restrict_file(path)?;
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))
            .map_err(backend)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // A published revision must survive a power cut once `publish` returns.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(backend)?;
        let store = SqliteStore { pool };
        store.migrate().await?;
        store.backfill_logs().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        // BEGIN IMMEDIATE takes the write lock first, so two processes starting
        // together cannot both apply the same migration.
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
        let result = async {
            sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
                .execute(&mut *conn)
                .await?;
            let current: i64 = sqlx::query_scalar("SELECT coalesce(max(version), 0) FROM schema_migrations")
                .fetch_one(&mut *conn)
                .await?;
            for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
                sqlx::raw_sql(*sql).execute(&mut *conn).await?;
                if *version == MANAGE_LINKS_MIGRATION {
                    hash_legacy_manage_tokens(&mut conn).await?;
                }
                sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, datetime('now'))")
                    .bind(version)
                    .execute(&mut *conn)
                    .await?;
            }
            Ok::<(), sqlx::Error>(())
        }
        .await;
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        sqlx::query(end)
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
        result.map_err(backend)
    }

    /// Reads tenant rows. Every tenant read binds the org id as `$1` (and
    /// optionally a revision number as `$2`), so no read can forget the scope.
    async fn read(
        &self,
        scope: &OrgScope,
        sql: &'static str,
        number: Option<i64>,
    ) -> Result<Vec<SqliteRow>> {
        let mut query = sqlx::query(sql).bind(scope.org_id().to_string());
        if let Some(n) = number {
            query = query.bind(n);
        }
        query.fetch_all(&self.pool).await.map_err(backend)
    }

    /// Revisions published before the transparency log existed get their entries,
    /// in order, so that every revision is in the log. Only orgs with an empty log
    /// are filled; idempotent.
    async fn backfill_logs(&self) -> Result<()> {
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
        let rows = sqlx::query(
            "SELECT r.org_id, o.slug, r.number, r.content_hash, r.published_at
               FROM revisions r JOIN orgs o ON o.id = r.org_id
              -- Only orgs whose log was never started: a log with holes is damage
              -- for `candor log verify` to report, not something to paper over.
              WHERE NOT EXISTS (SELECT 1 FROM log_entries l WHERE l.org_id = r.org_id)
              ORDER BY r.org_id, r.number",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        for row in &rows {
            let org_id: String = row.try_get("org_id").map_err(backend)?;
            let slug: String = row.try_get("slug").map_err(backend)?;
            let number: i64 = row.try_get("number").map_err(backend)?;
            let hash: String = row.try_get("content_hash").map_err(backend)?;
            let published_at: String = row.try_get("published_at").map_err(backend)?;
            let number = u64::try_from(number)
                .map_err(|_| StoreError::Corrupt(format!("revision number {number}")))?;
            let entry = candor_domain::revision::log_entry(
                &slug,
                number,
                hash.parse().map_err(StoreError::Corrupt)?,
                parse_ts(&published_at)?,
            );
            append_log_in(&mut tx, &org_id, number - 1, &entry).await?;
        }
        // Audit entries written before the audit tree existed become its leaves.
        let rows = sqlx::query(
            "SELECT a.org_id, a.seq, a.actor, a.action, a.target, a.at, a.prev_hash, a.hash FROM audit_log a
              WHERE NOT EXISTS (SELECT 1 FROM audit_nodes n WHERE n.org_id = a.org_id)
              ORDER BY a.org_id, a.seq",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        for row in &rows {
            let org_id: String = row.try_get("org_id").map_err(backend)?;
            let at: String = row.try_get("at").map_err(backend)?;
            let prev: String = row.try_get("prev_hash").map_err(backend)?;
            let hash: String = row.try_get("hash").map_err(backend)?;
            let e = audit_entry_from_row(
                row.try_get("seq").map_err(backend)?,
                row.try_get("actor").map_err(backend)?,
                row.try_get("action").map_err(backend)?,
                row.try_get("target").map_err(backend)?,
                parse_ts(&at)?,
                &prev,
                &hash,
            )?;
            let bytes = candor_domain::audit::entry_bytes(e.seq, &e.prev_hash, &e.event);
            append_tree_in(&mut tx, &org_id, Tree::Audit, e.seq - 1, &bytes).await?;
        }
        tx.commit().await.map_err(backend)
    }

    /// The pool, for tests that must reach behind the store (tamper tests).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

fn org_from_row(row: &SqliteRow) -> Result<Org> {
    let id: String = row.try_get("id").map_err(backend)?;
    let slug: String = row.try_get("slug").map_err(backend)?;
    let created_at: String = row.try_get("created_at").map_err(backend)?;
    Ok(Org {
        id: parse_id(&id)?,
        slug: parse_slug(&slug)?,
        name: row.try_get("name").map_err(backend)?,
        created_at: parse_ts(&created_at)?,
    })
}

fn revision_row(row: &SqliteRow) -> Result<Revision> {
    let number: i64 = row.try_get("number").map_err(backend)?;
    let hash: String = row.try_get("content_hash").map_err(backend)?;
    let content: String = row.try_get("content").map_err(backend)?;
    let published_at: String = row.try_get("published_at").map_err(backend)?;
    revision_from_row(number, &hash, &content, parse_ts(&published_at)?)
}

fn summary_row(row: &SqliteRow) -> Result<RevisionSummary> {
    let number: i64 = row.try_get("number").map_err(backend)?;
    let hash: String = row.try_get("content_hash").map_err(backend)?;
    let published_at: String = row.try_get("published_at").map_err(backend)?;
    Ok(RevisionSummary {
        number: u64::try_from(number)
            .map_err(|_| StoreError::Corrupt(format!("revision number {number}")))?,
        content_hash: hash.parse().map_err(StoreError::Corrupt)?,
        published_at: parse_ts(&published_at)?,
    })
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn insert_org(&self, slug: &OrgSlug, name: &str) -> Result<Org> {
        let org = Org {
            id: Uuid::new_v4(),
            slug: slug.clone(),
            name: name.to_owned(),
            created_at: OffsetDateTime::now_utc(),
        };
        let result =
            sqlx::query("INSERT INTO orgs (id, slug, name, created_at) VALUES ($1, $2, $3, $4)")
                .bind(org.id.to_string())
                .bind(slug.as_str())
                .bind(name)
                .bind(ts(org.created_at)?)
                .execute(&self.pool)
                .await;
        match result {
            Ok(_) => Ok(org),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(StoreError::Conflict(format!("org {slug}")))
            }
            Err(e) => Err(backend(e)),
        }
    }

    async fn org_by_slug(&self, slug: &OrgSlug) -> Result<Option<Org>> {
        let row = sqlx::query("SELECT id, slug, name, created_at FROM orgs WHERE slug = $1")
            .bind(slug.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.as_ref().map(org_from_row).transpose()
    }

    async fn list_orgs(&self) -> Result<Vec<Org>> {
        let rows = sqlx::query("SELECT id, slug, name, created_at FROM orgs ORDER BY slug")
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter().map(org_from_row).collect()
    }

    async fn set_org_host(&self, slug: &OrgSlug, host: Option<&str>) -> Result<()> {
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
        let org_id: Option<String> = sqlx::query_scalar("SELECT id FROM orgs WHERE slug = $1")
            .bind(slug.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
        let org_id = org_id.ok_or_else(|| StoreError::Conflict(format!("no org {slug}")))?;
        sqlx::query("DELETE FROM org_hosts WHERE org_id = $1")
            .bind(&org_id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if let Some(host) = host {
            let inserted = sqlx::query("INSERT INTO org_hosts (host, org_id) VALUES ($1, $2)")
                .bind(host)
                .bind(&org_id)
                .execute(&mut *tx)
                .await;
            match inserted {
                Ok(_) => {}
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    return Err(StoreError::Conflict(format!("host {host}")));
                }
                Err(e) => return Err(backend(e)),
            }
        }
        tx.commit().await.map_err(backend)
    }

    async fn org_by_host(&self, host: &str) -> Result<Option<Org>> {
        let row = sqlx::query(
            "SELECT o.id, o.slug, o.name, o.created_at FROM orgs o JOIN org_hosts h ON h.org_id = o.id WHERE h.host = $1",
        )
        .bind(host)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(org_from_row).transpose()
    }

    async fn draft(&self, scope: &OrgScope) -> Result<Option<Draft>> {
        let rows = self
            .read(
                scope,
                "SELECT content, updated_at FROM drafts WHERE org_id = $1",
                None,
            )
            .await?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let content: String = row.try_get("content").map_err(backend)?;
        let updated_at: String = row.try_get("updated_at").map_err(backend)?;
        draft_from_row(&content, parse_ts(&updated_at)?).map(Some)
    }

    async fn save_draft(&self, scope: &OrgScope, content: &TrustCenter) -> Result<()> {
        sqlx::query(
            "INSERT INTO drafts (org_id, content, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (org_id) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at",
        )
        .bind(scope.org_id().to_string())
        .bind(canonical_text(content))
        .bind(ts(OffsetDateTime::now_utc())?)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn insert_revision(
        &self,
        scope: &OrgScope,
        content: &TrustCenter,
        published_at: OffsetDateTime,
        actor: &str,
    ) -> Result<Revision> {
        let text = canonical_text(content);
        let hash = content.content_hash();
        let org_id = scope.org_id().to_string();
        // IMMEDIATE takes the write lock up front: the number, the revision and its
        // audit entry are decided and written as one, or not at all.
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
        let number: i64 = sqlx::query_scalar(
            "INSERT INTO revisions (org_id, number, content_hash, content, published_at)
             SELECT $1, coalesce(max(number), 0) + 1, $2, $3, $4 FROM revisions WHERE org_id = $1
             RETURNING number",
        )
        .bind(&org_id)
        .bind(hash.to_string())
        .bind(&text)
        .bind(ts(published_at)?)
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        append_in(&mut tx, &org_id, publish_event(actor, number, published_at)).await?;
        let revision = revision_from_row(number, &hash.to_string(), &text, published_at)?;
        // Entry i of the log is revision i + 1, written in this same transaction.
        append_log_in(
            &mut tx,
            &org_id,
            revision.number - 1,
            &revision.log_entry(scope.slug().as_str()),
        )
        .await?;
        tx.commit().await.map_err(backend)?;
        Ok(revision)
    }

    async fn latest_revision(&self, scope: &OrgScope) -> Result<Option<Revision>> {
        let rows = self.read(scope, LATEST_REVISION, None).await?;
        rows.first().map(revision_row).transpose()
    }

    async fn latest_revision_summary(&self, scope: &OrgScope) -> Result<Option<RevisionSummary>> {
        let rows = self.read(scope, LATEST_SUMMARY, None).await?;
        rows.first().map(summary_row).transpose()
    }

    async fn revision(&self, scope: &OrgScope, number: u64) -> Result<Option<Revision>> {
        let Ok(number) = i64::try_from(number) else {
            return Ok(None);
        };
        let rows = self.read(scope, REVISION_BY_NUMBER, Some(number)).await?;
        rows.first().map(revision_row).transpose()
    }

    async fn revisions(&self, scope: &OrgScope) -> Result<Vec<RevisionSummary>> {
        let rows = self.read(scope, ALL_SUMMARIES, None).await?;
        rows.iter().map(summary_row).collect()
    }

    async fn append_audit(&self, scope: &OrgScope, event: &AuditEvent) -> Result<AuditEntry> {
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
        let entry = append_in(&mut tx, &scope.org_id().to_string(), event.clone()).await?;
        tx.commit().await.map_err(backend)?;
        Ok(entry)
    }

    async fn audit_log(&self, scope: &OrgScope) -> Result<AuditLog> {
        // One read transaction, so the entries and the head are from the same moment.
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let org_id = scope.org_id().to_string();
        let rows = sqlx::query(
            "SELECT seq, actor, action, target, at, prev_hash, hash FROM audit_log WHERE org_id = $1 ORDER BY seq",
        )
        .bind(&org_id)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        let head = sqlx::query("SELECT seq, hash FROM audit_heads WHERE org_id = $1")
            .bind(&org_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        let entries = rows
            .iter()
            .map(|row| {
                let at: String = row.try_get("at").map_err(backend)?;
                let prev: String = row.try_get("prev_hash").map_err(backend)?;
                let hash: String = row.try_get("hash").map_err(backend)?;
                audit_entry_from_row(
                    row.try_get("seq").map_err(backend)?,
                    row.try_get("actor").map_err(backend)?,
                    row.try_get("action").map_err(backend)?,
                    row.try_get("target").map_err(backend)?,
                    parse_ts(&at)?,
                    &prev,
                    &hash,
                )
            })
            .collect::<Result<Vec<_>>>()?;
        let head = head.as_ref().map(head_from_row).transpose()?;
        Ok(AuditLog { entries, head })
    }

    async fn insert_user(&self, email: &str, password_hash: &str) -> Result<User> {
        let user = User {
            id: Uuid::new_v4(),
            email: email.to_owned(),
            created_at: OffsetDateTime::now_utc(),
        };
        let result = sqlx::query(
            "INSERT INTO users (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(user.id.to_string())
        .bind(email)
        .bind(password_hash)
        .bind(ts(user.created_at)?)
        .execute(&self.pool)
        .await;
        match result {
            Ok(_) => Ok(user),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(StoreError::Conflict("user".into()))
            }
            Err(e) => Err(backend(e)),
        }
    }

    async fn credentials_by_email(&self, email: &str) -> Result<Option<Credentials>> {
        let row =
            sqlx::query("SELECT id, email, password_hash, created_at FROM users WHERE email = $1")
                .bind(email)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Credentials {
            user: user_from_row(&row)?,
            password_hash: row.try_get("password_hash").map_err(backend)?,
        }))
    }

    async fn insert_session(
        &self,
        token_hash: &str,
        user_id: Uuid,
        expires_at: OffsetDateTime,
    ) -> Result<()> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(user_id.to_string())
            .bind(ts(OffsetDateTime::now_utc())?)
            .bind(ts(expires_at)?)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn session_user(&self, token_hash: &str, now: OffsetDateTime) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT u.id, u.email, u.created_at, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let expires: String = row.try_get("expires_at").map_err(backend)?;
        if parse_ts(&expires)? <= now {
            return Ok(None);
        }
        user_from_row(&row).map(Some)
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn delete_user_sessions(&self, user_id: Uuid) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected())
    }

    async fn set_password(
        &self,
        user_id: Uuid,
        password_hash: &str,
        keep: Option<&str>,
    ) -> Result<()> {
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
        let done = sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
            .bind(user_id.to_string())
            .bind(password_hash)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Backend(format!("no user {user_id}")));
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash IS NOT $2")
            .bind(user_id.to_string())
            .bind(keep)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    async fn delete_user(&self, user_id: Uuid) -> Result<()> {
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
        let memberships: i64 =
            sqlx::query_scalar("SELECT count(*) FROM memberships WHERE user_id = $1")
                .bind(user_id.to_string())
                .fetch_one(&mut *tx)
                .await
                .map_err(backend)?;
        if memberships > 0 {
            return Err(StoreError::Conflict(format!(
                "membership in {memberships} org(s)"
            )));
        }
        for sql in [
            "DELETE FROM sessions WHERE user_id = $1",
            "DELETE FROM users WHERE id = $1",
        ] {
            sqlx::query(sql)
                .bind(user_id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn memberships_of(&self, user_id: Uuid) -> Result<Vec<(Org, Role)>> {
        let rows = sqlx::query(
            "SELECT o.id, o.slug, o.name, o.created_at, m.role FROM memberships m JOIN orgs o ON o.id = m.org_id
             WHERE m.user_id = $1 ORDER BY o.slug",
        )
        .bind(user_id.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|row| {
                let role: String = row.try_get("role").map_err(backend)?;
                Ok((org_from_row(row)?, parse_role(&role)?))
            })
            .collect()
    }

    async fn member_role(&self, scope: &OrgScope, user_id: Uuid) -> Result<Option<Role>> {
        let role: Option<String> =
            sqlx::query_scalar("SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2")
                .bind(scope.org_id().to_string())
                .bind(user_id.to_string())
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        role.as_deref().map(parse_role).transpose()
    }

    async fn members(&self, scope: &OrgScope) -> Result<Vec<Member>> {
        let rows = sqlx::query(
            "SELECT u.id, u.email, u.created_at, m.role FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.org_id = $1 ORDER BY u.email",
        )
        .bind(scope.org_id().to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|row| {
                let role: String = row.try_get("role").map_err(backend)?;
                Ok(Member {
                    user: user_from_row(row)?,
                    role: parse_role(&role)?,
                })
            })
            .collect()
    }

    async fn set_member_role(
        &self,
        scope: &OrgScope,
        user_id: Uuid,
        role: Role,
        audit: &AuditEvent,
    ) -> Result<()> {
        let org_id = scope.org_id().to_string();
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
        upsert_membership(
            &mut tx,
            &org_id,
            user_id,
            role.as_str(),
            OffsetDateTime::now_utc(),
        )
        .await?;
        append_in(&mut tx, &org_id, audit.clone()).await?;
        tx.commit().await.map_err(backend)
    }

    async fn change_membership(
        &self,
        scope: &OrgScope,
        user_id: Uuid,
        change: MembershipChange,
        audit: &AuditEvent,
    ) -> Result<MembershipOutcome> {
        let org_id = scope.org_id().to_string();
        // IMMEDIATE: the owner count read here cannot change before the write.
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
        let current: Option<String> =
            sqlx::query_scalar("SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2")
                .bind(&org_id)
                .bind(user_id.to_string())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
        let Some(current) = current else {
            return Ok(MembershipOutcome::NotMember);
        };
        let stays_owner = change == MembershipChange::SetRole(Role::Owner);
        if current == Role::Owner.as_str() && !stays_owner {
            let owners: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM memberships WHERE org_id = $1 AND role = 'owner'",
            )
            .bind(&org_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
            if owners <= 1 {
                return Ok(MembershipOutcome::LastOwner);
            }
        }
        match change {
            MembershipChange::SetRole(role) => {
                sqlx::query("UPDATE memberships SET role = $3 WHERE org_id = $1 AND user_id = $2")
                    .bind(&org_id)
                    .bind(user_id.to_string())
                    .bind(role.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
            }
            MembershipChange::Remove => {
                sqlx::query("DELETE FROM memberships WHERE org_id = $1 AND user_id = $2")
                    .bind(&org_id)
                    .bind(user_id.to_string())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
            }
        }
        append_in(&mut tx, &org_id, audit.clone()).await?;
        tx.commit().await.map_err(backend)?;
        Ok(MembershipOutcome::Done)
    }

    async fn insert_token(
        &self,
        scope: &OrgScope,
        name: &str,
        role: Role,
        token_hash: &str,
        expires_at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<ApiToken> {
        let org_id = scope.org_id().to_string();
        let token = ApiToken {
            id: Uuid::new_v4(),
            name: name.to_owned(),
            role,
            created_at: OffsetDateTime::now_utc(),
            expires_at,
            revoked_at: None,
        };
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
        sqlx::query(
            "INSERT INTO api_tokens (id, org_id, name, role, token_hash, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(token.id.to_string())
        .bind(&org_id)
        .bind(name)
        .bind(role.as_str())
        .bind(token_hash)
        .bind(ts(token.created_at)?)
        .bind(ts(expires_at)?)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        append_in(&mut tx, &org_id, audit.clone()).await?;
        tx.commit().await.map_err(backend)?;
        Ok(token)
    }

    async fn token_by_hash(&self, scope: &OrgScope, token_hash: &str) -> Result<Option<ApiToken>> {
        let row = sqlx::query(
            "SELECT id, name, role, created_at, expires_at, revoked_at FROM api_tokens WHERE org_id = $1 AND token_hash = $2",
        )
        .bind(scope.org_id().to_string())
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(token_from_row).transpose()
    }

    async fn tokens(&self, scope: &OrgScope) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT id, name, role, created_at, expires_at, revoked_at FROM api_tokens WHERE org_id = $1 ORDER BY created_at",
        )
        .bind(scope.org_id().to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(token_from_row).collect()
    }

    async fn revoke_token(
        &self,
        scope: &OrgScope,
        id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let org_id = scope.org_id().to_string();
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
        let done = sqlx::query("UPDATE api_tokens SET revoked_at = $3 WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL")
            .bind(&org_id)
            .bind(id.to_string())
            .bind(ts(at)?)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if done.rows_affected() == 0 {
            tx.rollback().await.map_err(backend)?;
            return Ok(false);
        }
        append_in(&mut tx, &org_id, audit.clone()).await?;
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }

    async fn insert_invite(
        &self,
        scope: &OrgScope,
        email: &str,
        role: Role,
        token_hash: &str,
        expires_at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<Invite> {
        let org_id = scope.org_id().to_string();
        let invite = Invite {
            id: Uuid::new_v4(),
            email: email.to_owned(),
            role,
            created_at: OffsetDateTime::now_utc(),
            expires_at,
            accepted_at: None,
        };
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
        sqlx::query(
            "INSERT INTO invites (id, org_id, email, role, token_hash, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(invite.id.to_string())
        .bind(&org_id)
        .bind(email)
        .bind(role.as_str())
        .bind(token_hash)
        .bind(ts(invite.created_at)?)
        .bind(ts(expires_at)?)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        append_in(&mut tx, &org_id, audit.clone()).await?;
        tx.commit().await.map_err(backend)?;
        Ok(invite)
    }

    async fn invite_by_hash(&self, scope: &OrgScope, token_hash: &str) -> Result<Option<Invite>> {
        let row = sqlx::query(
            "SELECT id, email, role, created_at, expires_at, accepted_at FROM invites WHERE org_id = $1 AND token_hash = $2",
        )
        .bind(scope.org_id().to_string())
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(invite_row).transpose()
    }

    async fn open_invites(&self, scope: &OrgScope, now: OffsetDateTime) -> Result<Vec<Invite>> {
        // Times are RFC 3339 text of varying precision: compare them parsed.
        let rows = sqlx::query(
            "SELECT id, email, role, created_at, expires_at, accepted_at FROM invites
             WHERE org_id = $1 AND accepted_at IS NULL",
        )
        .bind(scope.org_id().to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        let mut open = rows
            .iter()
            .map(invite_row)
            .filter(|i| i.as_ref().map_or(true, |i| i.is_open(now)))
            .collect::<Result<Vec<_>>>()?;
        open.sort_by_key(|i| i.created_at);
        Ok(open)
    }

    async fn revoke_invite(
        &self,
        scope: &OrgScope,
        invite_id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let org_id = scope.org_id().to_string();
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
        let row = sqlx::query(
            "SELECT id, email, role, created_at, expires_at, accepted_at FROM invites
             WHERE org_id = $1 AND id = $2",
        )
        .bind(&org_id)
        .bind(invite_id.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        let open = row
            .as_ref()
            .map(invite_row)
            .transpose()?
            .is_some_and(|i| i.is_open(at));
        if !open {
            tx.rollback().await.map_err(backend)?;
            return Ok(false);
        }
        // Revoking moves the expiry to now: the link stops working at once.
        sqlx::query("UPDATE invites SET expires_at = $3 WHERE org_id = $1 AND id = $2")
            .bind(&org_id)
            .bind(invite_id.to_string())
            .bind(ts(at)?)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        append_in(&mut tx, &org_id, audit.clone()).await?;
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }

    async fn accept_invite(
        &self,
        scope: &OrgScope,
        invite_id: Uuid,
        user_id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let org_id = scope.org_id().to_string();
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
        let role: Option<String> = sqlx::query_scalar(
            "UPDATE invites SET accepted_at = $3 WHERE org_id = $1 AND id = $2 AND accepted_at IS NULL RETURNING role",
        )
        .bind(&org_id)
        .bind(invite_id.to_string())
        .bind(ts(at)?)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        let Some(role) = role else {
            tx.rollback().await.map_err(backend)?;
            return Ok(false);
        };
        upsert_membership(&mut tx, &org_id, user_id, &role, at).await?;
        append_in(&mut tx, &org_id, audit.clone()).await?;
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }

    async fn log_entry(&self, scope: &OrgScope, index: u64) -> Result<Option<Vec<u8>>> {
        let Ok(index) = i64::try_from(index) else {
            return Ok(None);
        };
        sqlx::query_scalar("SELECT data FROM log_entries WHERE org_id = $1 AND idx = $2")
            .bind(scope.org_id().to_string())
            .bind(index)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)
    }

    async fn log_nodes(
        &self,
        scope: &OrgScope,
        nodes: &[(u8, u64)],
    ) -> Result<HashMap<(u8, u64), [u8; 32]>> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        read_tree_nodes(&mut conn, &scope.org_id().to_string(), Tree::Public, nodes).await
    }

    async fn org_secret(
        &self,
        scope: &OrgScope,
        purpose: &str,
    ) -> Result<Option<candor_store::keys::SealedSecret>> {
        let row = sqlx::query(
            "SELECT nonce, ciphertext FROM org_secrets WHERE org_id = $1 AND purpose = $2",
        )
        .bind(scope.org_id().to_string())
        .bind(purpose)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(candor_store::keys::SealedSecret {
            nonce: row.try_get("nonce").map_err(backend)?,
            ciphertext: row.try_get("ciphertext").map_err(backend)?,
        }))
    }

    async fn insert_org_secret(
        &self,
        scope: &OrgScope,
        purpose: &str,
        sealed: &candor_store::keys::SealedSecret,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO org_secrets (org_id, purpose, nonce, ciphertext, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (org_id, purpose) DO NOTHING",
        )
        .bind(scope.org_id().to_string())
        .bind(purpose)
        .bind(&sealed.nonce)
        .bind(&sealed.ciphertext)
        .bind(ts(OffsetDateTime::now_utc())?)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn audit_nodes(
        &self,
        scope: &OrgScope,
        nodes: &[(u8, u64)],
    ) -> Result<HashMap<(u8, u64), [u8; 32]>> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        read_tree_nodes(&mut conn, &scope.org_id().to_string(), Tree::Audit, nodes).await
    }

    async fn subscribe(
        &self,
        scope: &OrgScope,
        request: &SubscribeRequest,
        confirmation: &NewDelivery,
    ) -> Result<SubscribeOutcome> {
        outbox::subscribe(&self.pool, scope, request, confirmation).await
    }

    async fn confirm_subscriber(
        &self,
        scope: &OrgScope,
        confirm_hash: &str,
        at: OffsetDateTime,
    ) -> Result<Option<Subscriber>> {
        outbox::confirm(&self.pool, scope, confirm_hash, at).await
    }

    async fn subscriber(&self, scope: &OrgScope, id: Uuid) -> Result<Option<Subscriber>> {
        outbox::subscriber_where(&self.pool, scope, "id", &id.to_string()).await
    }

    async fn subscriber_by_address(
        &self,
        scope: &OrgScope,
        channel: candor_store::outbox::Channel,
        address: &str,
    ) -> Result<Option<Subscriber>> {
        outbox::subscriber_by_address(&self.pool, scope, channel, address).await
    }

    async fn subscriber_by_manage_link(
        &self,
        scope: &OrgScope,
        lookup: &candor_store::outbox::ManageLookup,
    ) -> Result<Option<Subscriber>> {
        let (column, value) = lookup.column_and_value();
        outbox::subscriber_where(&self.pool, scope, column, value).await
    }

    async fn unsubscribe(&self, scope: &OrgScope, id: Uuid, at: OffsetDateTime) -> Result<bool> {
        outbox::unsubscribe(&self.pool, scope, id, at).await
    }

    async fn subscribers(&self, scope: &OrgScope) -> Result<Vec<Subscriber>> {
        outbox::subscribers(&self.pool, scope).await
    }

    async fn insert_objection(
        &self,
        scope: &OrgScope,
        subscriber_id: Uuid,
        subprocessor: &str,
        reason: &str,
        at: OffsetDateTime,
    ) -> Result<Objection> {
        outbox::insert_objection(&self.pool, scope, subscriber_id, subprocessor, reason, at).await
    }

    async fn objections(&self, scope: &OrgScope) -> Result<Vec<Objection>> {
        outbox::objections(&self.pool, scope).await
    }

    async fn unannounced_revisions(&self, scope: &OrgScope) -> Result<Vec<u64>> {
        outbox::unannounced(&self.pool, scope).await
    }

    async fn announce_revision(
        &self,
        scope: &OrgScope,
        revision: u64,
        deliveries: &[NewDelivery],
        at: OffsetDateTime,
    ) -> Result<bool> {
        outbox::announce(&self.pool, scope, revision, deliveries, at).await
    }

    async fn enqueue(&self, scope: &OrgScope, deliveries: &[NewDelivery]) -> Result<()> {
        outbox::enqueue(&self.pool, scope, deliveries).await
    }

    async fn claim_deliveries(
        &self,
        scope: &OrgScope,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<Delivery>> {
        outbox::claim(&self.pool, scope, now, lease_until, limit).await
    }

    async fn finish_delivery(
        &self,
        scope: &OrgScope,
        id: Uuid,
        result: &DeliveryResult,
        at: OffsetDateTime,
    ) -> Result<()> {
        outbox::finish(&self.pool, scope, id, result, at).await
    }

    async fn outbox_stats(&self, scope: &OrgScope) -> Result<OutboxStats> {
        outbox::stats(&self.pool, scope).await
    }

    async fn data_keys(&self, scope: &OrgScope) -> Result<Vec<(u32, SealedSecret)>> {
        documents::data_keys(&self.pool, scope).await
    }

    async fn insert_data_key(
        &self,
        scope: &OrgScope,
        version: u32,
        sealed: &SealedSecret,
    ) -> Result<()> {
        documents::insert_data_key(&self.pool, scope, version, sealed).await
    }

    async fn insert_document_file(
        &self,
        scope: &OrgScope,
        file: &DocumentFile,
        sealed: &SealedSecret,
        audit: &AuditEvent,
    ) -> Result<()> {
        documents::insert_document_file(&self.pool, scope, file, sealed, audit).await
    }

    async fn document_file(&self, scope: &OrgScope, doc_key: &str) -> Result<Option<StoredFile>> {
        documents::document_file(&self.pool, scope, doc_key).await
    }

    async fn document_files(&self, scope: &OrgScope) -> Result<Vec<DocumentFile>> {
        documents::document_files(&self.pool, scope).await
    }

    async fn insert_document_request(
        &self,
        scope: &OrgScope,
        request: &DocumentRequest,
    ) -> Result<()> {
        documents::insert_request(&self.pool, scope, request).await
    }

    async fn document_requests(&self, scope: &OrgScope) -> Result<Vec<DocumentRequest>> {
        documents::requests(&self.pool, scope).await
    }

    async fn document_request(
        &self,
        scope: &OrgScope,
        id: Uuid,
    ) -> Result<Option<DocumentRequest>> {
        documents::request(&self.pool, scope, id).await
    }

    async fn decide_document_request(
        &self,
        scope: &OrgScope,
        id: Uuid,
        grant: bool,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<Option<DocumentRequest>> {
        documents::decide(&self.pool, scope, id, grant, at, audit).await
    }

    async fn insert_download_grant(
        &self,
        scope: &OrgScope,
        token_hash: &str,
        grant: &DownloadGrant,
    ) -> Result<()> {
        documents::insert_grant(&self.pool, scope, token_hash, grant).await
    }

    async fn download_grant(
        &self,
        scope: &OrgScope,
        token_hash: &str,
    ) -> Result<Option<DownloadGrant>> {
        documents::grant(&self.pool, scope, token_hash).await
    }

    async fn record_download(&self, scope: &OrgScope, record: &DownloadRecord) -> Result<()> {
        documents::record_download(&self.pool, scope, record).await
    }

    async fn downloads(&self, scope: &OrgScope) -> Result<Vec<DownloadRecord>> {
        documents::downloads(&self.pool, scope).await
    }

    async fn insert_report(
        &self,
        scope: &OrgScope,
        report: &candor_store::documents::StoredReport,
        notify: Option<&NewDelivery>,
    ) -> Result<()> {
        documents::insert_report(&self.pool, scope, report, notify).await
    }

    async fn reports(
        &self,
        scope: &OrgScope,
    ) -> Result<Vec<candor_store::documents::StoredReport>> {
        documents::reports(&self.pool, scope).await
    }

    async fn acknowledge_report(
        &self,
        scope: &OrgScope,
        id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<bool> {
        documents::acknowledge_report(&self.pool, scope, id, at, audit).await
    }

    async fn reseal_report(
        &self,
        scope: &OrgScope,
        id: Uuid,
        key_version: u32,
        sealed: &SealedSecret,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE vuln_reports SET key_version = $3, nonce = $4, ciphertext = $5 WHERE org_id = $1 AND id = $2",
        )
        .bind(scope.org_id().to_string())
        .bind(id.to_string())
        .bind(i64::from(key_version))
        .bind(&sealed.nonce)
        .bind(&sealed.ciphertext)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn erase_subscriber(&self, scope: &OrgScope, id: Uuid) -> Result<bool> {
        // Objections and deliveries go with it (ON DELETE CASCADE).
        let done = sqlx::query("DELETE FROM subscribers WHERE org_id = $1 AND id = $2")
            .bind(scope.org_id().to_string())
            .bind(id.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn erase_document_requests(&self, scope: &OrgScope, email: &str) -> Result<u64> {
        let done = sqlx::query("DELETE FROM document_requests WHERE org_id = $1 AND email = $2")
            .bind(scope.org_id().to_string())
            .bind(email)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected())
    }

    async fn delete_org(&self, scope: OrgScope) -> Result<()> {
        let org_id = scope.org_id().to_string();
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
        sqlx::query("INSERT INTO org_erasures (org_id) VALUES ($1)")
            .bind(&org_id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        for table in ORG_TABLES {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE org_id = $1"
            )))
            .bind(&org_id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        }
        sqlx::query("DELETE FROM org_erasures WHERE org_id = $1")
            .bind(&org_id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        sqlx::query("DELETE FROM orgs WHERE id = $1")
            .bind(&org_id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    async fn claim_host(
        &self,
        scope: &OrgScope,
        host: &str,
        token: &str,
        at: OffsetDateTime,
    ) -> Result<candor_store::evidence::HostClaim> {
        evidence::claim_host(&self.pool, scope, host, token, at).await
    }

    async fn host_claims(
        &self,
        scope: &OrgScope,
    ) -> Result<Vec<candor_store::evidence::HostClaim>> {
        evidence::host_claims(&self.pool, scope).await
    }

    async fn mark_host_verified(
        &self,
        scope: &OrgScope,
        host: &str,
        at: Option<OffsetDateTime>,
    ) -> Result<bool> {
        evidence::mark_verified(&self.pool, scope, host, at).await
    }

    async fn record_evidence(
        &self,
        scope: &OrgScope,
        record: &candor_store::evidence::EvidenceRecord,
    ) -> Result<candor_store::evidence::EvidenceRecord> {
        evidence::record(&self.pool, scope, record).await
    }

    async fn evidence(
        &self,
        scope: &OrgScope,
    ) -> Result<Vec<candor_store::evidence::EvidenceRecord>> {
        evidence::list(&self.pool, scope).await
    }

    async fn sealed_items(&self, scope: &OrgScope) -> Result<Vec<SealedItem>> {
        documents::sealed_items(&self.pool, scope).await
    }

    async fn replace_sealed_items(&self, scope: &OrgScope, items: &[SealedItem]) -> Result<()> {
        documents::replace_sealed_items(&self.pool, scope, items).await
    }
}

/// Appends the next audit entry and moves the head, inside the caller's write transaction.
pub(crate) async fn append_in(
    conn: &mut SqliteConnection,
    org_id: &str,
    event: AuditEvent,
) -> Result<AuditEntry> {
    let head = sqlx::query("SELECT seq, hash FROM audit_heads WHERE org_id = $1")
        .bind(org_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(backend)?;
    let previous = head.as_ref().map(head_from_row).transpose()?;
    let entry = next_entry(previous, event);
    let seq = i64::try_from(entry.seq)
        .map_err(|_| StoreError::Corrupt("audit sequence overflow".into()))?;
    sqlx::query(
        "INSERT INTO audit_log (org_id, seq, actor, action, target, at, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(org_id)
    .bind(seq)
    .bind(&entry.event.actor)
    .bind(&entry.event.action)
    .bind(&entry.event.target)
    .bind(ts(entry.event.at)?)
    .bind(hex_of(&entry.prev_hash))
    .bind(hex_of(&entry.hash))
    .execute(&mut *conn)
    .await
    .map_err(backend)?;
    sqlx::query(
        "INSERT INTO audit_heads (org_id, seq, hash) VALUES ($1, $2, $3)
         ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
    )
    .bind(org_id)
    .bind(seq)
    .bind(hex_of(&entry.hash))
    .execute(&mut *conn)
    .await
    .map_err(backend)?;
    // The same entry, as a leaf of the org's audit Merkle tree (index seq - 1).
    let bytes = candor_domain::audit::entry_bytes(entry.seq, &entry.prev_hash, &entry.event);
    append_tree_in(&mut *conn, org_id, Tree::Audit, entry.seq - 1, &bytes).await?;
    Ok(entry)
}

fn hex_of(hash: &[u8; 32]) -> String {
    candor_domain::ContentHash(*hash).hex()
}

fn user_from_row(row: &SqliteRow) -> Result<User> {
    let id: String = row.try_get("id").map_err(backend)?;
    let created_at: String = row.try_get("created_at").map_err(backend)?;
    Ok(User {
        id: parse_id(&id)?,
        email: row.try_get("email").map_err(backend)?,
        created_at: parse_ts(&created_at)?,
    })
}

fn token_from_row(row: &SqliteRow) -> Result<ApiToken> {
    let id: String = row.try_get("id").map_err(backend)?;
    let role: String = row.try_get("role").map_err(backend)?;
    let created_at: String = row.try_get("created_at").map_err(backend)?;
    let expires_at: String = row.try_get("expires_at").map_err(backend)?;
    let revoked_at: Option<String> = row.try_get("revoked_at").map_err(backend)?;
    Ok(ApiToken {
        id: parse_id(&id)?,
        name: row.try_get("name").map_err(backend)?,
        role: parse_role(&role)?,
        created_at: parse_ts(&created_at)?,
        expires_at: parse_ts(&expires_at)?,
        revoked_at: revoked_at.as_deref().map(parse_ts).transpose()?,
    })
}

/// The audit log's head: the last entry's number and hash.
fn head_from_row(row: &SqliteRow) -> Result<(u64, [u8; 32])> {
    let seq: i64 = row.try_get("seq").map_err(backend)?;
    let hash: String = row.try_get("hash").map_err(backend)?;
    let seq = u64::try_from(seq).map_err(|_| StoreError::Corrupt(format!("audit head {seq}")))?;
    Ok((seq, parse_hash(&hash)?))
}

fn invite_row(row: &SqliteRow) -> Result<Invite> {
    let id: String = row.try_get("id").map_err(backend)?;
    let role: String = row.try_get("role").map_err(backend)?;
    let created_at: String = row.try_get("created_at").map_err(backend)?;
    let expires_at: String = row.try_get("expires_at").map_err(backend)?;
    let accepted_at: Option<String> = row.try_get("accepted_at").map_err(backend)?;
    Ok(Invite {
        id: parse_id(&id)?,
        email: row.try_get("email").map_err(backend)?,
        role: parse_role(&role)?,
        created_at: parse_ts(&created_at)?,
        expires_at: parse_ts(&expires_at)?,
        accepted_at: accepted_at.as_deref().map(parse_ts).transpose()?,
    })
}

/// Adds a member or changes their role, inside the caller's transaction.
async fn upsert_membership(
    conn: &mut SqliteConnection,
    org_id: &str,
    user_id: Uuid,
    role: &str,
    at: OffsetDateTime,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role",
    )
    .bind(org_id)
    .bind(user_id.to_string())
    .bind(role)
    .bind(ts(at)?)
    .execute(&mut *conn)
    .await
    .map_err(backend)?;
    Ok(())
}

/// The two Merkle trees an org keeps: its public transparency log and its
/// private audit log. Same machinery, separate tables.
#[derive(Clone, Copy)]
enum Tree {
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

async fn read_tree_nodes(
    conn: &mut SqliteConnection,
    org_id: &str,
    tree: Tree,
    nodes: &[(u8, u64)],
) -> Result<HashMap<(u8, u64), [u8; 32]>> {
    let mut out = HashMap::with_capacity(nodes.len());
    for &(level, index) in nodes {
        let Ok(idx) = i64::try_from(index) else {
            continue;
        };
        let hash: Option<Vec<u8>> = sqlx::query_scalar(tree.select())
            .bind(org_id)
            .bind(i64::from(level))
            .bind(idx)
            .fetch_optional(&mut *conn)
            .await
            .map_err(backend)?;
        if let Some(hash) = hash {
            out.insert((level, index), candor_store::log::hash_from_bytes(&hash)?);
        }
    }
    Ok(out)
}

/// Adds the leaf for `entry` at `index` to a tree, with the subtrees it
/// completes, inside the caller's transaction.
async fn append_tree_in(
    conn: &mut SqliteConnection,
    org_id: &str,
    tree: Tree,
    index: u64,
    entry: &[u8],
) -> Result<()> {
    let known = read_tree_nodes(
        conn,
        org_id,
        tree,
        &candor_log::tree::nodes_for_append(index),
    )
    .await?;
    for (level, node_index, hash) in candor_store::log::append_nodes(&known, index, entry)? {
        let node_index = i64::try_from(node_index)
            .map_err(|_| StoreError::Corrupt("log index overflow".into()))?;
        sqlx::query(tree.insert())
            .bind(org_id)
            .bind(i64::from(level))
            .bind(node_index)
            .bind(hash.as_slice())
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
    }
    Ok(())
}

/// Appends `entry` at `index` to the org's public log inside the caller's transaction.
async fn append_log_in(
    conn: &mut SqliteConnection,
    org_id: &str,
    index: u64,
    entry: &[u8],
) -> Result<()> {
    let idx = i64::try_from(index).map_err(|_| StoreError::Corrupt("log index overflow".into()))?;
    sqlx::query("INSERT INTO log_entries (org_id, idx, data) VALUES ($1, $2, $3)")
        .bind(org_id)
        .bind(idx)
        .bind(entry)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    append_tree_in(conn, org_id, Tree::Public, index, entry).await
}
