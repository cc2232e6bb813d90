//! SQLite backend: one file, WAL mode, created on first start.
//!
//! SQLite has no row-level security, so isolation rests on the `OrgScope` every
//! tenant operation takes (each query filters on `scope.org_id()`); the shared
//! conformance suite checks it. Revisions are protected by triggers that abort
//! any UPDATE or DELETE. Every operation is written once in `candor_store::sql`;
//! this crate provides the transaction port: how to open the file, migrate it,
//! begin a transaction and bind values (ids and times are stored as text).

use std::str::FromStr;
use std::time::Duration;

use candor_store::sql::{Arg, Dialect, Lock, Mode, SqlBackend, SqlConn, SqlRow, SqlTx};
use candor_store::tenancy::TENANT_TABLES;
use candor_store::{OrgScope, Result, StoreError};
use sqlx::query::Query;
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Row, Sqlite, SqliteConnection, SqlitePool};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

/// Every migration, in order (version, SQL).
pub const MIGRATIONS: &[(i64, &str)] = &[
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
    (15, include_str!("../migrations/0015_questionnaires.sql")),
    (16, include_str!("../migrations/0016_rate_limits.sql")),
    (17, include_str!("../migrations/0017_log_holds.sql")),
    (18, include_str!("../migrations/0018_org_published_at.sql")),
    (19, include_str!("../migrations/0019_incident_topic.sql")),
    (20, include_str!("../migrations/0020_daily_counts.sql")),
    (21, include_str!("../migrations/0021_reader_access.sql")),
    (22, include_str!("../migrations/0022_reader_locale.sql")),
    (23, include_str!("../migrations/0023_token_last_used.sql")),
    (24, include_str!("../migrations/0024_acme.sql")),
];

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

/// The migration after which `subscribers.topics` also accepts 'incidents'.
const INCIDENT_TOPIC_MIGRATION: i64 = 19;

/// Widens the CHECK on `subscribers.topics` to accept 'incidents', in place:
/// SQLite's procedure for constraint changes that leave stored rows valid
/// (<https://sqlite.org/lang_altertable.html#otheralter>): rewrite the table's
/// definition in `sqlite_schema`, bump `schema_version` so that every
/// connection re-reads it, and check the database. Exactly one definition must
/// change, or the migration fails and rolls back.
async fn widen_topics_check(conn: &mut SqliteConnection) -> sqlx::Result<()> {
    const OLD: &str = "CHECK (topics IN ('all', 'subprocessors'))";
    const NEW: &str = "CHECK (topics IN ('all', 'subprocessors', 'incidents'))";
    let definition: String = sqlx::query_scalar(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'subscribers'",
    )
    .fetch_one(&mut *conn)
    .await?;
    // Already widened (a database whose migration record was rewound).
    if definition.contains(NEW) {
        return Ok(());
    }
    let version: i64 = sqlx::query_scalar("PRAGMA schema_version")
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query("PRAGMA writable_schema = ON")
        .execute(&mut *conn)
        .await?;
    let changed = sqlx::query(
        "UPDATE sqlite_schema SET sql = replace(sql, $1, $2) \
         WHERE type = 'table' AND name = 'subscribers' AND instr(sql, $1) > 0",
    )
    .bind(OLD)
    .bind(NEW)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    // The pragma takes no bound parameter; the value is an integer we read.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "PRAGMA schema_version = {}",
        version + 1
    )))
    .execute(&mut *conn)
    .await?;
    sqlx::query("PRAGMA writable_schema = OFF")
        .execute(&mut *conn)
        .await?;
    if changed != 1 {
        return Err(sqlx::Error::Protocol(format!(
            "migration {INCIDENT_TOPIC_MIGRATION}: expected one subscribers table with {OLD}, found {changed}"
        )));
    }
    let check: String = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_one(&mut *conn)
        .await?;
    if check != "ok" {
        return Err(sqlx::Error::Protocol(format!(
            "migration {INCIDENT_TOPIC_MIGRATION}: quick_check says {check}"
        )));
    }
    Ok(())
}

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
            .map_err(StoreError::from)?
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
            .map_err(StoreError::from)?;
        let store = SqliteStore { pool };
        store.migrate().await?;
        candor_store::sql::backfill_logs(&store).await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        let mut conn = self.pool.acquire().await.map_err(StoreError::from)?;
        // BEGIN IMMEDIATE takes the write lock first, so two processes starting
        // together cannot both apply the same migration.
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut *conn)
            .await
            .map_err(StoreError::from)?;
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
                if *version == INCIDENT_TOPIC_MIGRATION {
                    widen_topics_check(&mut conn).await?;
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
            .map_err(StoreError::from)?;
        result.map_err(StoreError::from)
    }

    /// The pool, for tests that must reach behind the store (tamper tests).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Writes a consistent copy of the database to the new file `path`: one
    /// read snapshot (`VACUUM INTO`), while other connections keep writing.
    pub async fn copy_into(&self, path: &str) -> Result<()> {
        sqlx::query("VACUUM INTO ?")
            .bind(path)
            .execute(&self.pool)
            .await
            .map_err(StoreError::from)?;
        Ok(())
    }
}

/// A SQLite transaction (or, for plain reads, a pooled connection).
pub struct SqliteTx {
    conn: SqlConn<Sqlite>,
}

/// Ids and times are stored as text: hyphenated ids, RFC 3339 times.
fn bind<'q>(
    query: Query<'q, Sqlite, SqliteArguments>,
    arg: &Arg<'_>,
) -> Result<Query<'q, Sqlite, SqliteArguments>> {
    Ok(match *arg {
        Arg::Id(v) => query.bind(v.to_string()),
        Arg::OptId(v) => query.bind(v.map(|v| v.to_string())),
        Arg::Text(v) => query.bind(v.to_owned()),
        Arg::OptText(v) => query.bind(v.map(str::to_owned)),
        Arg::Int(v) => query.bind(v),
        Arg::OptInt(v) => query.bind(v),
        Arg::Bytes(v) => query.bind(v.to_vec()),
        Arg::OptBytes(v) => query.bind(v.map(<[u8]>::to_vec)),
        Arg::Time(v) => query.bind(ts(v)?),
        Arg::OptTime(v) => query.bind(v.map(ts).transpose()?),
        Arg::Bool(v) => query.bind(v),
    })
}

fn prepare<'q>(sql: &'static str, args: &[Arg<'_>]) -> Result<Query<'q, Sqlite, SqliteArguments>> {
    args.iter().try_fold(sqlx::query(sql), bind)
}

impl SqlTx for SqliteTx {
    type Row = SqliteValues;

    async fn fetch_all(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> Result<Vec<SqliteValues>> {
        let query = prepare(sql, args)?;
        let rows = query.fetch_all(self.conn.get()).await?;
        Ok(rows.into_iter().map(SqliteValues).collect())
    }

    async fn fetch_optional(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> Result<Option<SqliteValues>> {
        let query = prepare(sql, args)?;
        Ok(query
            .fetch_optional(self.conn.get())
            .await?
            .map(SqliteValues))
    }

    async fn execute(&mut self, sql: &'static str, args: &[Arg<'_>]) -> Result<u64> {
        let query = prepare(sql, args)?;
        Ok(query.execute(self.conn.get()).await?.rows_affected())
    }

    /// SQLite has one writer at a time: a write transaction already excludes all others.
    async fn lock(&mut self, _scope: &OrgScope, _lock: Lock) -> Result<()> {
        Ok(())
    }

    async fn commit(self) -> Result<()> {
        self.conn.commit().await
    }
}

/// A row, read back into Candor's types.
pub struct SqliteValues(SqliteRow);

impl SqliteValues {
    fn get<'r, T: sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite>>(&'r self, col: &str) -> Result<T> {
        Ok(self.0.try_get(col)?)
    }
}

impl SqlRow for SqliteValues {
    fn id(&self, col: &str) -> Result<Uuid> {
        parse_id(self.get::<&str>(col)?)
    }
    fn opt_id(&self, col: &str) -> Result<Option<Uuid>> {
        self.get::<Option<&str>>(col)?.map(parse_id).transpose()
    }
    fn text(&self, col: &str) -> Result<String> {
        self.get(col)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>> {
        self.get(col)
    }
    fn int(&self, col: &str) -> Result<i64> {
        self.get(col)
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>> {
        self.get(col)
    }
    fn bytes(&self, col: &str) -> Result<Vec<u8>> {
        self.get(col)
    }
    fn opt_bytes(&self, col: &str) -> Result<Option<Vec<u8>>> {
        self.get(col)
    }
    fn time(&self, col: &str) -> Result<OffsetDateTime> {
        parse_ts(self.get::<&str>(col)?)
    }
    fn opt_time(&self, col: &str) -> Result<Option<OffsetDateTime>> {
        self.get::<Option<&str>>(col)?.map(parse_ts).transpose()
    }
    fn bool(&self, col: &str) -> Result<bool> {
        self.get(col)
    }
}

impl SqlBackend for SqliteStore {
    type Tx = SqliteTx;
    const DIALECT: Dialect = Dialect::Sqlite;
    const NAME: &'static str = "sqlite";

    /// SQLite has no row-level security: the scope is enforced by every
    /// statement's `org_id = $1`, which the conformance suite checks.
    async fn begin(&self, _scope: &OrgScope, mode: Mode) -> Result<SqliteTx> {
        self.begin_global(mode).await
    }

    async fn begin_global(&self, mode: Mode) -> Result<SqliteTx> {
        let conn = match mode {
            Mode::Read => SqlConn::Plain(self.pool.acquire().await?),
            Mode::Snapshot => SqlConn::Tx(self.pool.begin().await?),
            // IMMEDIATE takes the write lock up front, so what the transaction
            // reads cannot change before it writes.
            Mode::Write => SqlConn::Tx(self.pool.begin_with("BEGIN IMMEDIATE").await?),
        };
        Ok(SqliteTx { conn })
    }

    async fn begin_user(&self, _user_id: Uuid, mode: Mode) -> Result<SqliteTx> {
        self.begin_global(mode).await
    }

    fn pool_stats(&self) -> candor_store::PoolStats {
        candor_store::PoolStats {
            open: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
            max: self.pool.options().get_max_connections(),
        }
    }

    async fn erase_org(&self, scope: OrgScope) -> Result<()> {
        let mut tx = self.begin_global(Mode::Write).await?;
        let org = [Arg::Id(scope.org_id())];
        // The marker lets the triggers that keep revisions and the logs
        // append-only admit this one erasure.
        tx.execute("INSERT INTO org_erasures (org_id) VALUES ($1)", &org)
            .await?;
        for table in TENANT_TABLES {
            tx.execute(table.erase, &org).await?;
        }
        tx.execute("DELETE FROM org_erasures WHERE org_id = $1", &org)
            .await?;
        tx.execute("DELETE FROM orgs WHERE id = $1", &org).await?;
        tx.commit().await
    }
}
