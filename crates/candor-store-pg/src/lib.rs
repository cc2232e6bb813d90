//! PostgreSQL backend with row-level security.
//!
//! Two roles: the schema owner runs migrations (and only migrations); the app role,
//! which owns no table and has NOBYPASSRLS, does everything else. Every tenant query
//! runs inside a transaction that first calls `set_config('app.org_id', …, true)`,
//! and the policies compare each row's `org_id` with that setting, so a query can
//! only see and write its own org's rows even if its SQL forgets the filter. With no
//! org set, tenant tables look empty (fail closed).

use std::collections::HashMap;
use std::str::FromStr;

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
    ApiToken, Credentials, Invite, Member, MembershipChange, MembershipOutcome, User, parse_role,
};
use candor_store::{
    AuditLog, Draft, Org, OrgScope, Result, RevisionSummary, Store, StoreError,
    audit_entry_from_row, canonical_text, draft_from_row, parse_hash, parse_slug, publish_event,
    revision_from_row,
};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{AssertSqlSafe, Connection, PgConnection, PgPool, Postgres, Row, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

mod documents;
mod evidence;
mod outbox;
#[cfg(feature = "testing")]
pub mod testing;

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

/// Privileges of the app role, per table. Revisions and the audit log are
/// insert-only; only sessions and memberships can be deleted.
const APP_GRANTS: &[(&str, &str)] = &[
    ("orgs", "SELECT, INSERT"),
    ("drafts", "SELECT, INSERT, UPDATE"),
    ("revisions", "SELECT, INSERT"),
    ("audit_log", "SELECT, INSERT"),
    ("audit_heads", "SELECT, INSERT, UPDATE"),
    ("users", "SELECT, INSERT, UPDATE, DELETE"),
    ("sessions", "SELECT, INSERT, DELETE"),
    ("memberships", "SELECT, INSERT, UPDATE, DELETE"),
    ("api_tokens", "SELECT, INSERT, UPDATE"),
    ("invites", "SELECT, INSERT, UPDATE"),
    ("subscribers", "SELECT, INSERT, UPDATE, DELETE"),
    ("objections", "SELECT, INSERT, DELETE"),
    ("deliveries", "SELECT, INSERT, UPDATE, DELETE"),
    ("announcements", "SELECT, INSERT"),
    ("data_keys", "SELECT, INSERT, UPDATE"),
    ("document_files", "SELECT, INSERT"),
    ("document_requests", "SELECT, INSERT, UPDATE, DELETE"),
    ("download_grants", "SELECT, INSERT, DELETE"),
    ("downloads", "SELECT, INSERT, DELETE"),
    ("vuln_reports", "SELECT, INSERT, UPDATE"),
    ("org_hosts", "SELECT, INSERT, DELETE"),
    ("host_claims", "SELECT, INSERT, UPDATE, DELETE"),
    ("evidence", "SELECT, INSERT, UPDATE"),
    ("log_entries", "SELECT, INSERT"),
    ("log_nodes", "SELECT, INSERT"),
    ("org_secrets", "SELECT, INSERT, UPDATE"),
    ("audit_nodes", "SELECT, INSERT"),
];

/// Serialises migrations from several replicas starting at once.
const MIGRATION_LOCK: i64 = 0x6361_6e64_6f72; // "candor"

const LATEST_REVISION: &str = "SELECT number, content_hash, content, published_at FROM revisions
     WHERE org_id = $1 ORDER BY number DESC LIMIT 1";
const LATEST_SUMMARY: &str = "SELECT number, content_hash, published_at FROM revisions
     WHERE org_id = $1 ORDER BY number DESC LIMIT 1";
const REVISION_BY_NUMBER: &str = "SELECT number, content_hash, content, published_at FROM revisions
     WHERE org_id = $1 AND number = $2";
const ALL_SUMMARIES: &str = "SELECT number, content_hash, published_at FROM revisions WHERE org_id = $1 ORDER BY number DESC";

pub struct PgStore {
    pool: PgPool,
}

fn backend(e: sqlx::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn config(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl PgStore {
    /// Connects as the app role (`app_url`). With `owner_url`, first brings the schema
    /// up to date as its owner and grants the app role exactly what it needs.
    pub async fn connect(app_url: &str, owner_url: Option<&str>) -> Result<PgStore> {
        let app = PgConnectOptions::from_str(app_url).map_err(config)?;
        let owner = owner_url
            .map(PgConnectOptions::from_str)
            .transpose()
            .map_err(config)?;
        PgStore::connect_with(app, owner).await
    }

    pub async fn connect_with(
        app: PgConnectOptions,
        owner: Option<PgConnectOptions>,
    ) -> Result<PgStore> {
        if let Some(owner) = owner {
            let mut conn = PgConnection::connect_with(&owner).await.map_err(backend)?;
            migrate(&mut conn, app.get_username()).await?;
            conn.close().await.map_err(backend)?;
        }
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect_with(app)
            .await
            .map_err(backend)?;
        check_app_role(&pool).await?;
        let store = PgStore { pool };
        store.backfill_logs().await?;
        Ok(store)
    }

    /// A transaction bound to one org: row-level security admits only its rows.
    /// Public so that tests can prove the policies hold for hand-written SQL.
    pub async fn scoped(&self, scope: &OrgScope) -> Result<Transaction<'static, Postgres>> {
        self.scoped_with(scope, "BEGIN").await
    }

    /// [`PgStore::scoped`] with a chosen BEGIN statement (isolation level, read only).
    async fn scoped_with(
        &self,
        scope: &OrgScope,
        begin: &'static str,
    ) -> Result<Transaction<'static, Postgres>> {
        let mut tx = self.pool.begin_with(begin).await.map_err(backend)?;
        sqlx::query("SELECT set_config('app.org_id', $1, true)")
            .bind(scope.org_id().to_string())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        Ok(tx)
    }

    /// Runs a read of tenant rows inside the org's scoped transaction. Every tenant
    /// read binds the org id as `$1` (and optionally a revision number as `$2`).
    async fn read(
        &self,
        scope: &OrgScope,
        sql: &'static str,
        number: Option<i64>,
    ) -> Result<Vec<PgRow>> {
        let mut tx = self.scoped(scope).await?;
        let mut query = sqlx::query(sql).bind(scope.org_id());
        if let Some(n) = number {
            query = query.bind(n);
        }
        let rows = query.fetch_all(&mut *tx).await.map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(rows)
    }

    /// Revisions published before the transparency log existed get their entries,
    /// in order, so that every revision is in the log. Idempotent, and safe with
    /// several replicas starting at once (the per-org publishing lock).
    async fn backfill_logs(&self) -> Result<()> {
        for org in self.list_orgs().await? {
            let scope = candor_store::scope_for(self, &org.slug)
                .await?
                .ok_or_else(|| {
                    StoreError::Corrupt(format!("org {} vanished during start-up", org.slug))
                })?;
            let mut tx = self.scoped(&scope).await?;
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(scope.org_id().to_string())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            let rows = sqlx::query(
                "SELECT r.number, r.content_hash, r.published_at FROM revisions r
                  WHERE r.org_id = $1
                    -- Only a log that was never started: holes are damage to report.
                    AND NOT EXISTS (SELECT 1 FROM log_entries l WHERE l.org_id = r.org_id)
                  ORDER BY r.number",
            )
            .bind(scope.org_id())
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
            for row in &rows {
                let number: i64 = row.try_get("number").map_err(backend)?;
                let hash: String = row.try_get("content_hash").map_err(backend)?;
                let number = u64::try_from(number)
                    .map_err(|_| StoreError::Corrupt(format!("revision number {number}")))?;
                let entry = candor_domain::revision::log_entry(
                    scope.slug().as_str(),
                    number,
                    hash.parse().map_err(StoreError::Corrupt)?,
                    row.try_get("published_at").map_err(backend)?,
                );
                append_log_in(&mut tx, &scope, number - 1, &entry).await?;
            }
            // Audit entries written before the audit tree existed become its leaves.
            let rows = sqlx::query(
                "SELECT a.seq, a.actor, a.action, a.target, a.at, a.prev_hash, a.hash FROM audit_log a
                  WHERE a.org_id = $1 AND NOT EXISTS (SELECT 1 FROM audit_nodes n WHERE n.org_id = a.org_id)
                  ORDER BY a.seq",
            )
            .bind(scope.org_id())
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
            for row in &rows {
                let prev: String = row.try_get("prev_hash").map_err(backend)?;
                let hash: String = row.try_get("hash").map_err(backend)?;
                let e = audit_entry_from_row(
                    row.try_get("seq").map_err(backend)?,
                    row.try_get("actor").map_err(backend)?,
                    row.try_get("action").map_err(backend)?,
                    row.try_get("target").map_err(backend)?,
                    row.try_get("at").map_err(backend)?,
                    &prev,
                    &hash,
                )?;
                let bytes = candor_domain::audit::entry_bytes(e.seq, &e.prev_hash, &e.event);
                append_tree_in(&mut tx, &scope, Tree::Audit, e.seq - 1, &bytes).await?;
            }
            tx.commit().await.map_err(backend)?;
        }
        Ok(())
    }

    /// The app role's pool, for tests that query outside any scope.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

async fn migrate(conn: &mut PgConnection, app_role: &str) -> Result<()> {
    let mut tx = conn.begin().await.map_err(backend)?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version bigint PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    let current: i64 =
        sqlx::query_scalar("SELECT coalesce(max(version), 0) FROM schema_migrations")
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        sqlx::raw_sql(*sql)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        sqlx::query("INSERT INTO schema_migrations (version) VALUES ($1)")
            .bind(version)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
    }
    // Before any grant: a role that must be refused gets nothing.
    if let Some(problem) = app_role_problem(&mut tx, app_role).await? {
        return Err(StoreError::Backend(problem));
    }
    let role: String = sqlx::query_scalar("SELECT quote_ident($1)")
        .bind(app_role)
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
    for (table, privileges) in APP_GRANTS {
        // `role` was quoted by the server and `table`/`privileges` are constants.
        let sql = format!("GRANT {privileges} ON {table} TO {role}");
        sqlx::query(AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
    }
    // `role` was quoted by the server.
    sqlx::query(AssertSqlSafe(format!(
        "GRANT EXECUTE ON FUNCTION candor_erase_org(uuid) TO {role}"
    )))
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    tx.commit().await.map_err(backend)
}

/// Why `role` may not be the app role, if it may not: it bypasses row-level
/// security, or it owns, or is a member (directly or through other roles) of a
/// role that owns, the schema or anything in it (an owner can disable RLS), or it
/// can create objects in the schema. Asked from any session, so migrations can ask
/// before granting anything.
async fn app_role_problem(conn: &mut PgConnection, role: &str) -> Result<Option<String>> {
    let row = sqlx::query(
        "SELECT r.rolsuper, r.rolbypassrls,
                (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE n.nspname = current_schema()
                    AND pg_has_role(r.oid, c.relowner, 'MEMBER')) AS owned_relations,
                (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                  WHERE n.nspname = current_schema()
                    AND pg_has_role(r.oid, p.proowner, 'MEMBER')) AS owned_functions,
                coalesce((SELECT pg_has_role(r.oid, n.nspowner, 'MEMBER') FROM pg_namespace n
                           WHERE n.nspname = current_schema()), false) AS owns_schema,
                coalesce(has_schema_privilege(r.oid, current_schema(), 'CREATE'), false) AS can_create
           FROM pg_roles r WHERE r.rolname = $1",
    )
    .bind(role)
    .fetch_optional(&mut *conn)
    .await
    .map_err(backend)?;
    let Some(row) = row else {
        return Ok(Some(format!("there is no role {role:?}")));
    };
    let superuser: bool = row.try_get("rolsuper").map_err(backend)?;
    let bypass: bool = row.try_get("rolbypassrls").map_err(backend)?;
    let owned_relations: i64 = row.try_get("owned_relations").map_err(backend)?;
    let owned_functions: i64 = row.try_get("owned_functions").map_err(backend)?;
    let owns_schema: bool = row.try_get("owns_schema").map_err(backend)?;
    let can_create: bool = row.try_get("can_create").map_err(backend)?;
    Ok(if superuser || bypass {
        Some("the app role bypasses row-level security (superuser or BYPASSRLS); connect as an app role with NOBYPASSRLS".into())
    } else if owned_relations > 0 || owned_functions > 0 {
        Some(format!(
            "the app role owns, or is a member of a role that owns, {} relation(s) and {} function(s) in the schema; the app role must own none and be a member of no owner (give migrations their own owner URL)",
            owned_relations, owned_functions
        ))
    } else if owns_schema {
        Some("the app role owns, or is a member of the role that owns, the schema; the app role must own nothing".into())
    } else if can_create {
        Some("the app role has CREATE on the schema; revoke it (REVOKE CREATE ON SCHEMA … FROM …) so that it cannot make objects it would own".into())
    } else {
        None
    })
}

/// Refuses to run as a role that row-level security would not bind.
async fn check_app_role(pool: &PgPool) -> Result<()> {
    let mut conn = pool.acquire().await.map_err(backend)?;
    let (role, has_schema): (String, bool) =
        sqlx::query_as("SELECT current_user::text, to_regclass('revisions') IS NOT NULL")
            .fetch_one(&mut *conn)
            .await
            .map_err(backend)?;
    if let Some(problem) = app_role_problem(&mut conn, &role).await? {
        return Err(StoreError::Backend(problem));
    }
    if !has_schema {
        return Err(StoreError::Backend(
            "the schema is missing: run once with the owner URL (--database-owner-url) to create it".into(),
        ));
    }
    Ok(())
}

fn invite_row(row: &PgRow) -> Result<Invite> {
    let role: String = row.try_get("role").map_err(backend)?;
    Ok(Invite {
        id: row.try_get("id").map_err(backend)?,
        email: row.try_get("email").map_err(backend)?,
        role: parse_role(&role)?,
        created_at: row.try_get("created_at").map_err(backend)?,
        expires_at: row.try_get("expires_at").map_err(backend)?,
        accepted_at: row.try_get("accepted_at").map_err(backend)?,
    })
}

fn org_from_row(row: &PgRow) -> Result<Org> {
    let slug: String = row.try_get("slug").map_err(backend)?;
    Ok(Org {
        id: row.try_get("id").map_err(backend)?,
        slug: parse_slug(&slug)?,
        name: row.try_get("name").map_err(backend)?,
        created_at: row.try_get("created_at").map_err(backend)?,
    })
}

fn revision_row(row: &PgRow) -> Result<Revision> {
    let number: i64 = row.try_get("number").map_err(backend)?;
    let hash: String = row.try_get("content_hash").map_err(backend)?;
    let content: String = row.try_get("content").map_err(backend)?;
    revision_from_row(
        number,
        &hash,
        &content,
        row.try_get("published_at").map_err(backend)?,
    )
}

fn summary_row(row: &PgRow) -> Result<RevisionSummary> {
    let number: i64 = row.try_get("number").map_err(backend)?;
    let hash: String = row.try_get("content_hash").map_err(backend)?;
    Ok(RevisionSummary {
        number: u64::try_from(number)
            .map_err(|_| StoreError::Corrupt(format!("revision number {number}")))?,
        content_hash: hash.parse().map_err(StoreError::Corrupt)?,
        published_at: row.try_get("published_at").map_err(backend)?,
    })
}

#[async_trait]
impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
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
            // Postgres keeps microseconds; trim so the returned value equals the stored one.
            created_at: OffsetDateTime::now_utc()
                .replace_nanosecond(0)
                .map_err(config)?,
        };
        let result =
            sqlx::query("INSERT INTO orgs (id, slug, name, created_at) VALUES ($1, $2, $3, $4)")
                .bind(org.id)
                .bind(slug.as_str())
                .bind(name)
                .bind(org.created_at)
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
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let org_id: Option<Uuid> = sqlx::query_scalar("SELECT id FROM orgs WHERE slug = $1")
            .bind(slug.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
        let org_id = org_id.ok_or_else(|| StoreError::Conflict(format!("no org {slug}")))?;
        sqlx::query("DELETE FROM org_hosts WHERE org_id = $1")
            .bind(org_id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if let Some(host) = host {
            let inserted = sqlx::query("INSERT INTO org_hosts (host, org_id) VALUES ($1, $2)")
                .bind(host)
                .bind(org_id)
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
        draft_from_row(&content, row.try_get("updated_at").map_err(backend)?).map(Some)
    }

    async fn save_draft(&self, scope: &OrgScope, content: &TrustCenter) -> Result<()> {
        let mut tx = self.scoped(scope).await?;
        sqlx::query(
            "INSERT INTO drafts (org_id, content, updated_at) VALUES ($1, $2, now())
             ON CONFLICT (org_id) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at",
        )
        .bind(scope.org_id())
        .bind(canonical_text(content))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)
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
        let mut tx = self.scoped(scope).await?;
        // One publisher per org at a time, so max(number) + 1 cannot collide.
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(scope.org_id().to_string())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        let number: i64 = sqlx::query_scalar(
            "INSERT INTO revisions (org_id, number, content_hash, content, published_at)
             SELECT $1, coalesce(max(number), 0) + 1, $2, $3, $4 FROM revisions WHERE org_id = $1
             RETURNING number",
        )
        .bind(scope.org_id())
        .bind(&hash)
        .bind(&text)
        .bind(published_at)
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        // The revision and its audit entry commit together or not at all.
        append_in(&mut tx, scope, publish_event(actor, number, published_at)).await?;
        let revision = revision_from_row(number, &hash, &text, published_at)?;
        // Entry i of the log is revision i + 1, written in this same transaction.
        append_log_in(
            &mut tx,
            scope,
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
        let mut tx = self.scoped(scope).await?;
        let entry = append_in(&mut tx, scope, event.clone()).await?;
        tx.commit().await.map_err(backend)?;
        Ok(entry)
    }

    async fn audit_log(&self, scope: &OrgScope) -> Result<AuditLog> {
        // One snapshot for the entries and the head, so that an append committed
        // meanwhile cannot look like tampering.
        let mut tx = self
            .scoped_with(scope, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        let rows = sqlx::query(
            "SELECT seq, actor, action, target, at, prev_hash, hash FROM audit_log WHERE org_id = $1 ORDER BY seq",
        )
        .bind(scope.org_id())
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        let head = sqlx::query("SELECT seq, hash FROM audit_heads WHERE org_id = $1")
            .bind(scope.org_id())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        let head = head.as_ref().map(head_from_row).transpose()?;
        let entries = rows
            .iter()
            .map(|row| {
                let prev: String = row.try_get("prev_hash").map_err(backend)?;
                let hash: String = row.try_get("hash").map_err(backend)?;
                audit_entry_from_row(
                    row.try_get("seq").map_err(backend)?,
                    row.try_get("actor").map_err(backend)?,
                    row.try_get("action").map_err(backend)?,
                    row.try_get("target").map_err(backend)?,
                    row.try_get("at").map_err(backend)?,
                    &prev,
                    &hash,
                )
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(AuditLog { entries, head })
    }

    async fn insert_user(&self, email: &str, password_hash: &str) -> Result<User> {
        let user = User {
            id: Uuid::new_v4(),
            email: email.to_owned(),
            created_at: now_micros()?,
        };
        let result = sqlx::query(
            "INSERT INTO users (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(user.id)
        .bind(email)
        .bind(password_hash)
        .bind(user.created_at)
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
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, now(), $3)")
            .bind(token_hash)
            .bind(user_id)
            .bind(expires_at)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn session_user(&self, token_hash: &str, now: OffsetDateTime) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT u.id, u.email, u.created_at FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(user_from_row).transpose()
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
            .bind(user_id)
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
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let done = sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
            .bind(user_id)
            .bind(password_hash)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Backend(format!("no user {user_id}")));
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2")
            .bind(user_id)
            .bind(keep)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    async fn delete_user(&self, user_id: Uuid) -> Result<()> {
        // User-scoped: the policy shows a user their own memberships in every org.
        let mut tx = self.pool.begin().await.map_err(backend)?;
        sqlx::query("SELECT set_config('app.user_id', $1, true)")
            .bind(user_id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        // Locks the user's row first, so a membership cannot be granted meanwhile
        // (granting one checks the user's row through its foreign key).
        sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE")
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        let memberships: i64 =
            sqlx::query_scalar("SELECT count(*) FROM memberships WHERE user_id = $1")
                .bind(user_id)
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
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn memberships_of(&self, user_id: Uuid) -> Result<Vec<(Org, Role)>> {
        // A user-scoped transaction: the policy shows a user their own memberships.
        let mut tx = self.pool.begin().await.map_err(backend)?;
        sqlx::query("SELECT set_config('app.user_id', $1, true)")
            .bind(user_id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        let rows = sqlx::query(
            "SELECT o.id, o.slug, o.name, o.created_at, m.role FROM memberships m JOIN orgs o ON o.id = m.org_id
             WHERE m.user_id = $1 ORDER BY o.slug",
        )
        .bind(user_id)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        rows.iter()
            .map(|row| {
                let role: String = row.try_get("role").map_err(backend)?;
                Ok((org_from_row(row)?, parse_role(&role)?))
            })
            .collect()
    }

    async fn member_role(&self, scope: &OrgScope, user_id: Uuid) -> Result<Option<Role>> {
        let mut tx = self.scoped(scope).await?;
        let role: Option<String> =
            sqlx::query_scalar("SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2")
                .bind(scope.org_id())
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        role.as_deref().map(parse_role).transpose()
    }

    async fn members(&self, scope: &OrgScope) -> Result<Vec<Member>> {
        let rows = self
            .read(
                scope,
                "SELECT u.id, u.email, u.created_at, m.role FROM memberships m JOIN users u ON u.id = m.user_id
                 WHERE m.org_id = $1 ORDER BY u.email",
                None,
            )
            .await?;
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
        let mut tx = self.scoped(scope).await?;
        upsert_membership(&mut tx, scope, user_id, role.as_str(), now_micros()?).await?;
        append_in(&mut tx, scope, audit.clone()).await?;
        tx.commit().await.map_err(backend)
    }

    async fn change_membership(
        &self,
        scope: &OrgScope,
        user_id: Uuid,
        change: MembershipChange,
        audit: &AuditEvent,
    ) -> Result<MembershipOutcome> {
        let mut tx = self.scoped(scope).await?;
        // Lock the org's owner rows before reading anything: a concurrent change
        // waits here, then sees this one's result, so two owners cannot demote
        // each other at once.
        let owners: Vec<Uuid> = sqlx::query_scalar(
            "SELECT user_id FROM memberships WHERE org_id = $1 AND role = 'owner' FOR UPDATE",
        )
        .bind(scope.org_id())
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        let current: Option<String> = sqlx::query_scalar(
            "SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2 FOR UPDATE",
        )
        .bind(scope.org_id())
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        let Some(current) = current else {
            return Ok(MembershipOutcome::NotMember);
        };
        let stays_owner = change == MembershipChange::SetRole(Role::Owner);
        if current == Role::Owner.as_str() && !stays_owner && owners.len() <= 1 {
            return Ok(MembershipOutcome::LastOwner);
        }
        match change {
            MembershipChange::SetRole(role) => {
                sqlx::query("UPDATE memberships SET role = $3 WHERE org_id = $1 AND user_id = $2")
                    .bind(scope.org_id())
                    .bind(user_id)
                    .bind(role.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
            }
            MembershipChange::Remove => {
                sqlx::query("DELETE FROM memberships WHERE org_id = $1 AND user_id = $2")
                    .bind(scope.org_id())
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
            }
        }
        append_in(&mut tx, scope, audit.clone()).await?;
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
        let token = ApiToken {
            id: Uuid::new_v4(),
            name: name.to_owned(),
            role,
            created_at: now_micros()?,
            expires_at: expires_at
                .replace_nanosecond(expires_at.nanosecond() / 1000 * 1000)
                .map_err(config)?,
            revoked_at: None,
        };
        let mut tx = self.scoped(scope).await?;
        sqlx::query(
            "INSERT INTO api_tokens (id, org_id, name, role, token_hash, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(token.id)
        .bind(scope.org_id())
        .bind(name)
        .bind(role.as_str())
        .bind(token_hash)
        .bind(token.created_at)
        .bind(token.expires_at)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        append_in(&mut tx, scope, audit.clone()).await?;
        tx.commit().await.map_err(backend)?;
        Ok(token)
    }

    async fn token_by_hash(&self, scope: &OrgScope, token_hash: &str) -> Result<Option<ApiToken>> {
        let mut tx = self.scoped(scope).await?;
        let row = sqlx::query(
            "SELECT id, name, role, created_at, expires_at, revoked_at FROM api_tokens WHERE org_id = $1 AND token_hash = $2",
        )
        .bind(scope.org_id())
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        row.as_ref().map(token_from_row).transpose()
    }

    async fn tokens(&self, scope: &OrgScope) -> Result<Vec<ApiToken>> {
        let rows = self
            .read(
                scope,
                "SELECT id, name, role, created_at, expires_at, revoked_at FROM api_tokens WHERE org_id = $1 ORDER BY created_at",
                None,
            )
            .await?;
        rows.iter().map(token_from_row).collect()
    }

    async fn revoke_token(
        &self,
        scope: &OrgScope,
        id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.scoped(scope).await?;
        let done = sqlx::query("UPDATE api_tokens SET revoked_at = $3 WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL")
            .bind(scope.org_id())
            .bind(id)
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if done.rows_affected() == 0 {
            tx.rollback().await.map_err(backend)?;
            return Ok(false);
        }
        append_in(&mut tx, scope, audit.clone()).await?;
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
        let invite = Invite {
            id: Uuid::new_v4(),
            email: email.to_owned(),
            role,
            created_at: now_micros()?,
            expires_at: expires_at
                .replace_nanosecond(expires_at.nanosecond() / 1000 * 1000)
                .map_err(config)?,
            accepted_at: None,
        };
        let mut tx = self.scoped(scope).await?;
        sqlx::query(
            "INSERT INTO invites (id, org_id, email, role, token_hash, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(invite.id)
        .bind(scope.org_id())
        .bind(email)
        .bind(role.as_str())
        .bind(token_hash)
        .bind(invite.created_at)
        .bind(invite.expires_at)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        append_in(&mut tx, scope, audit.clone()).await?;
        tx.commit().await.map_err(backend)?;
        Ok(invite)
    }

    async fn invite_by_hash(&self, scope: &OrgScope, token_hash: &str) -> Result<Option<Invite>> {
        let mut tx = self.scoped(scope).await?;
        let row = sqlx::query(
            "SELECT id, email, role, created_at, expires_at, accepted_at FROM invites WHERE org_id = $1 AND token_hash = $2",
        )
        .bind(scope.org_id())
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        row.as_ref().map(invite_row).transpose()
    }

    async fn open_invites(&self, scope: &OrgScope, now: OffsetDateTime) -> Result<Vec<Invite>> {
        let mut tx = self.scoped(scope).await?;
        let rows = sqlx::query(
            "SELECT id, email, role, created_at, expires_at, accepted_at FROM invites
             WHERE org_id = $1 AND accepted_at IS NULL AND expires_at > $2 ORDER BY created_at",
        )
        .bind(scope.org_id())
        .bind(now)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        rows.iter().map(invite_row).collect()
    }

    async fn revoke_invite(
        &self,
        scope: &OrgScope,
        invite_id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.scoped(scope).await?;
        // Revoking moves the expiry to now: the link stops working at once.
        let done = sqlx::query(
            "UPDATE invites SET expires_at = $3
             WHERE org_id = $1 AND id = $2 AND accepted_at IS NULL AND expires_at > $3",
        )
        .bind(scope.org_id())
        .bind(invite_id)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        if done.rows_affected() == 0 {
            tx.rollback().await.map_err(backend)?;
            return Ok(false);
        }
        append_in(&mut tx, scope, audit.clone()).await?;
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
        let mut tx = self.scoped(scope).await?;
        let role: Option<String> = sqlx::query_scalar(
            "UPDATE invites SET accepted_at = $3 WHERE org_id = $1 AND id = $2 AND accepted_at IS NULL RETURNING role",
        )
        .bind(scope.org_id())
        .bind(invite_id)
        .bind(at)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        let Some(role) = role else {
            tx.rollback().await.map_err(backend)?;
            return Ok(false);
        };
        upsert_membership(&mut tx, scope, user_id, &role, at).await?;
        append_in(&mut tx, scope, audit.clone()).await?;
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }

    async fn log_entry(&self, scope: &OrgScope, index: u64) -> Result<Option<Vec<u8>>> {
        let Ok(index) = i64::try_from(index) else {
            return Ok(None);
        };
        let mut tx = self.scoped(scope).await?;
        let data =
            sqlx::query_scalar("SELECT data FROM log_entries WHERE org_id = $1 AND idx = $2")
                .bind(scope.org_id())
                .bind(index)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(data)
    }

    async fn log_nodes(
        &self,
        scope: &OrgScope,
        nodes: &[(u8, u64)],
    ) -> Result<HashMap<(u8, u64), [u8; 32]>> {
        let mut tx = self.scoped(scope).await?;
        let found = read_tree_nodes(&mut tx, scope, Tree::Public, nodes).await?;
        tx.commit().await.map_err(backend)?;
        Ok(found)
    }

    async fn org_secret(
        &self,
        scope: &OrgScope,
        purpose: &str,
    ) -> Result<Option<candor_store::keys::SealedSecret>> {
        let mut tx = self.scoped(scope).await?;
        let row = sqlx::query(
            "SELECT nonce, ciphertext FROM org_secrets WHERE org_id = $1 AND purpose = $2",
        )
        .bind(scope.org_id())
        .bind(purpose)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
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
        let mut tx = self.scoped(scope).await?;
        sqlx::query(
            "INSERT INTO org_secrets (org_id, purpose, nonce, ciphertext, created_at) VALUES ($1, $2, $3, $4, now())
             ON CONFLICT (org_id, purpose) DO NOTHING",
        )
        .bind(scope.org_id())
        .bind(purpose)
        .bind(&sealed.nonce)
        .bind(&sealed.ciphertext)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    async fn audit_nodes(
        &self,
        scope: &OrgScope,
        nodes: &[(u8, u64)],
    ) -> Result<HashMap<(u8, u64), [u8; 32]>> {
        let mut tx = self.scoped(scope).await?;
        let found = read_tree_nodes(&mut tx, scope, Tree::Audit, nodes).await?;
        tx.commit().await.map_err(backend)?;
        Ok(found)
    }

    async fn subscribe(
        &self,
        scope: &OrgScope,
        request: &SubscribeRequest,
        confirmation: &NewDelivery,
    ) -> Result<SubscribeOutcome> {
        self.outbox_subscribe(scope, request, confirmation).await
    }

    async fn confirm_subscriber(
        &self,
        scope: &OrgScope,
        confirm_hash: &str,
        at: OffsetDateTime,
    ) -> Result<Option<Subscriber>> {
        self.outbox_confirm(scope, confirm_hash, at).await
    }

    async fn subscriber(&self, scope: &OrgScope, id: Uuid) -> Result<Option<Subscriber>> {
        self.outbox_subscriber_where(scope, "id", Some(id), None)
            .await
    }

    async fn subscriber_by_address(
        &self,
        scope: &OrgScope,
        channel: candor_store::outbox::Channel,
        address: &str,
    ) -> Result<Option<Subscriber>> {
        self.outbox_subscriber_by_address(scope, channel, address)
            .await
    }

    async fn subscriber_by_manage_link(
        &self,
        scope: &OrgScope,
        lookup: &candor_store::outbox::ManageLookup,
    ) -> Result<Option<Subscriber>> {
        let (column, value) = lookup.column_and_value();
        self.outbox_subscriber_where(scope, column, None, Some(value))
            .await
    }

    async fn unsubscribe(&self, scope: &OrgScope, id: Uuid, at: OffsetDateTime) -> Result<bool> {
        self.outbox_unsubscribe(scope, id, at).await
    }

    async fn subscribers(&self, scope: &OrgScope) -> Result<Vec<Subscriber>> {
        self.outbox_subscribers(scope).await
    }

    async fn insert_objection(
        &self,
        scope: &OrgScope,
        subscriber_id: Uuid,
        subprocessor: &str,
        reason: &str,
        at: OffsetDateTime,
    ) -> Result<Objection> {
        self.outbox_insert_objection(scope, subscriber_id, subprocessor, reason, at)
            .await
    }

    async fn objections(&self, scope: &OrgScope) -> Result<Vec<Objection>> {
        self.outbox_objections(scope).await
    }

    async fn unannounced_revisions(&self, scope: &OrgScope) -> Result<Vec<u64>> {
        self.outbox_unannounced(scope).await
    }

    async fn announce_revision(
        &self,
        scope: &OrgScope,
        revision: u64,
        deliveries: &[NewDelivery],
        at: OffsetDateTime,
    ) -> Result<bool> {
        self.outbox_announce(scope, revision, deliveries, at).await
    }

    async fn enqueue(&self, scope: &OrgScope, deliveries: &[NewDelivery]) -> Result<()> {
        self.outbox_enqueue(scope, deliveries).await
    }

    async fn claim_deliveries(
        &self,
        scope: &OrgScope,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<Delivery>> {
        self.outbox_claim(scope, now, lease_until, limit).await
    }

    async fn finish_delivery(
        &self,
        scope: &OrgScope,
        id: Uuid,
        result: &DeliveryResult,
        at: OffsetDateTime,
    ) -> Result<()> {
        self.outbox_finish(scope, id, result, at).await
    }

    async fn outbox_stats(&self, scope: &OrgScope) -> Result<OutboxStats> {
        self.outbox_counts(scope).await
    }

    async fn data_keys(&self, scope: &OrgScope) -> Result<Vec<(u32, SealedSecret)>> {
        self.doc_data_keys(scope).await
    }

    async fn insert_data_key(
        &self,
        scope: &OrgScope,
        version: u32,
        sealed: &SealedSecret,
    ) -> Result<()> {
        self.doc_insert_data_key(scope, version, sealed).await
    }

    async fn insert_document_file(
        &self,
        scope: &OrgScope,
        file: &DocumentFile,
        sealed: &SealedSecret,
        audit: &AuditEvent,
    ) -> Result<()> {
        self.doc_insert_file(scope, file, sealed, audit).await
    }

    async fn document_file(&self, scope: &OrgScope, doc_key: &str) -> Result<Option<StoredFile>> {
        self.doc_file(scope, doc_key).await
    }

    async fn document_files(&self, scope: &OrgScope) -> Result<Vec<DocumentFile>> {
        self.doc_files(scope).await
    }

    async fn insert_document_request(
        &self,
        scope: &OrgScope,
        request: &DocumentRequest,
    ) -> Result<()> {
        self.doc_insert_request(scope, request).await
    }

    async fn document_requests(&self, scope: &OrgScope) -> Result<Vec<DocumentRequest>> {
        self.doc_requests(scope, None).await
    }

    async fn document_request(
        &self,
        scope: &OrgScope,
        id: Uuid,
    ) -> Result<Option<DocumentRequest>> {
        Ok(self.doc_requests(scope, Some(id)).await?.into_iter().next())
    }

    async fn decide_document_request(
        &self,
        scope: &OrgScope,
        id: Uuid,
        grant: bool,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<Option<DocumentRequest>> {
        self.doc_decide(scope, id, grant, at, audit).await
    }

    async fn insert_download_grant(
        &self,
        scope: &OrgScope,
        token_hash: &str,
        grant: &DownloadGrant,
    ) -> Result<()> {
        self.doc_insert_grant(scope, token_hash, grant).await
    }

    async fn download_grant(
        &self,
        scope: &OrgScope,
        token_hash: &str,
    ) -> Result<Option<DownloadGrant>> {
        self.doc_grant(scope, token_hash).await
    }

    async fn record_download(&self, scope: &OrgScope, record: &DownloadRecord) -> Result<()> {
        self.doc_record_download(scope, record).await
    }

    async fn downloads(&self, scope: &OrgScope) -> Result<Vec<DownloadRecord>> {
        self.doc_downloads(scope).await
    }

    async fn insert_report(
        &self,
        scope: &OrgScope,
        report: &candor_store::documents::StoredReport,
        notify: Option<&NewDelivery>,
    ) -> Result<()> {
        self.report_insert(scope, report, notify).await
    }

    async fn reports(
        &self,
        scope: &OrgScope,
    ) -> Result<Vec<candor_store::documents::StoredReport>> {
        self.report_list(scope).await
    }

    async fn acknowledge_report(
        &self,
        scope: &OrgScope,
        id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEvent,
    ) -> Result<bool> {
        self.report_acknowledge(scope, id, at, audit).await
    }

    async fn reseal_report(
        &self,
        scope: &OrgScope,
        id: Uuid,
        key_version: u32,
        sealed: &SealedSecret,
    ) -> Result<bool> {
        let mut tx = self.scoped(scope).await?;
        let done = sqlx::query(
            "UPDATE vuln_reports SET key_version = $3, nonce = $4, ciphertext = $5 WHERE org_id = $1 AND id = $2",
        )
        .bind(scope.org_id())
        .bind(id)
        .bind(i32::try_from(key_version).map_err(|_| StoreError::Backend("key version".into()))?)
        .bind(&sealed.nonce)
        .bind(&sealed.ciphertext)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn erase_subscriber(&self, scope: &OrgScope, id: Uuid) -> Result<bool> {
        let mut tx = self.scoped(scope).await?;
        let done = sqlx::query("DELETE FROM subscribers WHERE org_id = $1 AND id = $2")
            .bind(scope.org_id())
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn erase_document_requests(&self, scope: &OrgScope, email: &str) -> Result<u64> {
        let mut tx = self.scoped(scope).await?;
        let done = sqlx::query("DELETE FROM document_requests WHERE org_id = $1 AND email = $2")
            .bind(scope.org_id())
            .bind(email)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(done.rows_affected())
    }

    async fn delete_org(&self, scope: OrgScope) -> Result<()> {
        let mut tx = self.scoped(&scope).await?;
        sqlx::query("SELECT candor_erase_org($1)")
            .bind(scope.org_id())
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
        self.ev_claim_host(scope, host, token, at).await
    }

    async fn host_claims(
        &self,
        scope: &OrgScope,
    ) -> Result<Vec<candor_store::evidence::HostClaim>> {
        self.ev_host_claims(scope).await
    }

    async fn mark_host_verified(
        &self,
        scope: &OrgScope,
        host: &str,
        at: Option<OffsetDateTime>,
    ) -> Result<bool> {
        self.ev_mark_verified(scope, host, at).await
    }

    async fn record_evidence(
        &self,
        scope: &OrgScope,
        record: &candor_store::evidence::EvidenceRecord,
    ) -> Result<candor_store::evidence::EvidenceRecord> {
        self.ev_record(scope, record).await
    }

    async fn evidence(
        &self,
        scope: &OrgScope,
    ) -> Result<Vec<candor_store::evidence::EvidenceRecord>> {
        self.ev_list(scope).await
    }

    async fn sealed_items(&self, scope: &OrgScope) -> Result<Vec<SealedItem>> {
        self.doc_sealed_items(scope).await
    }

    async fn replace_sealed_items(&self, scope: &OrgScope, items: &[SealedItem]) -> Result<()> {
        self.doc_replace_sealed(scope, items).await
    }
}

/// Appends the next audit entry and moves the head inside the caller's scoped
/// transaction. The head row is locked first, so concurrent appends queue up.
pub(crate) async fn append_in(
    tx: &mut PgConnection,
    scope: &OrgScope,
    event: AuditEvent,
) -> Result<AuditEntry> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 1))")
        .bind(scope.org_id().to_string())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    let head = sqlx::query("SELECT seq, hash FROM audit_heads WHERE org_id = $1")
        .bind(scope.org_id())
        .fetch_optional(&mut *tx)
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
    .bind(scope.org_id())
    .bind(seq)
    .bind(&entry.event.actor)
    .bind(&entry.event.action)
    .bind(&entry.event.target)
    .bind(entry.event.at)
    .bind(hex_of(&entry.prev_hash))
    .bind(hex_of(&entry.hash))
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    sqlx::query(
        "INSERT INTO audit_heads (org_id, seq, hash) VALUES ($1, $2, $3)
         ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
    )
    .bind(scope.org_id())
    .bind(seq)
    .bind(hex_of(&entry.hash))
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    // The same entry, as a leaf of the org's audit Merkle tree (index seq - 1).
    let bytes = candor_domain::audit::entry_bytes(entry.seq, &entry.prev_hash, &entry.event);
    append_tree_in(&mut *tx, scope, Tree::Audit, entry.seq - 1, &bytes).await?;
    Ok(entry)
}

fn hex_of(hash: &[u8; 32]) -> String {
    candor_domain::ContentHash(*hash).hex()
}

/// Now, at the microsecond precision PostgreSQL keeps, so values read back compare equal.
fn now_micros() -> Result<OffsetDateTime> {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1000 * 1000)
        .map_err(config)
}

fn user_from_row(row: &PgRow) -> Result<User> {
    Ok(User {
        id: row.try_get("id").map_err(backend)?,
        email: row.try_get("email").map_err(backend)?,
        created_at: row.try_get("created_at").map_err(backend)?,
    })
}

fn token_from_row(row: &PgRow) -> Result<ApiToken> {
    let role: String = row.try_get("role").map_err(backend)?;
    Ok(ApiToken {
        id: row.try_get("id").map_err(backend)?,
        name: row.try_get("name").map_err(backend)?,
        role: parse_role(&role)?,
        created_at: row.try_get("created_at").map_err(backend)?,
        expires_at: row.try_get("expires_at").map_err(backend)?,
        revoked_at: row.try_get("revoked_at").map_err(backend)?,
    })
}

/// The audit log's head: the last entry's number and hash.
fn head_from_row(row: &PgRow) -> Result<(u64, [u8; 32])> {
    let seq: i64 = row.try_get("seq").map_err(backend)?;
    let hash: String = row.try_get("hash").map_err(backend)?;
    let seq = u64::try_from(seq).map_err(|_| StoreError::Corrupt(format!("audit head {seq}")))?;
    Ok((seq, parse_hash(&hash)?))
}

/// Adds a member or changes their role, inside the caller's scoped transaction.
async fn upsert_membership(
    conn: &mut PgConnection,
    scope: &OrgScope,
    user_id: Uuid,
    role: &str,
    at: OffsetDateTime,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role",
    )
    .bind(scope.org_id())
    .bind(user_id)
    .bind(role)
    .bind(at)
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
    conn: &mut PgConnection,
    scope: &OrgScope,
    tree: Tree,
    nodes: &[(u8, u64)],
) -> Result<HashMap<(u8, u64), [u8; 32]>> {
    let mut out = HashMap::with_capacity(nodes.len());
    for &(level, index) in nodes {
        let Ok(idx) = i64::try_from(index) else {
            continue;
        };
        let hash: Option<Vec<u8>> = sqlx::query_scalar(tree.select())
            .bind(scope.org_id())
            .bind(i16::from(level))
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
    conn: &mut PgConnection,
    scope: &OrgScope,
    tree: Tree,
    index: u64,
    entry: &[u8],
) -> Result<()> {
    let known = read_tree_nodes(
        conn,
        scope,
        tree,
        &candor_log::tree::nodes_for_append(index),
    )
    .await?;
    for (level, node_index, hash) in candor_store::log::append_nodes(&known, index, entry)? {
        let node_index = i64::try_from(node_index)
            .map_err(|_| StoreError::Corrupt("log index overflow".into()))?;
        sqlx::query(tree.insert())
            .bind(scope.org_id())
            .bind(i16::from(level))
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
    conn: &mut PgConnection,
    scope: &OrgScope,
    index: u64,
    entry: &[u8],
) -> Result<()> {
    let idx = i64::try_from(index).map_err(|_| StoreError::Corrupt("log index overflow".into()))?;
    sqlx::query("INSERT INTO log_entries (org_id, idx, data) VALUES ($1, $2, $3)")
        .bind(scope.org_id())
        .bind(idx)
        .bind(entry)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    append_tree_in(conn, scope, Tree::Public, index, entry).await
}
