//! PostgreSQL backend with row-level security.
//!
//! Two roles: the schema owner runs migrations (and only migrations); the app role,
//! which owns no table and has NOBYPASSRLS, does everything else. Every tenant query
//! runs inside a transaction that first calls `set_config('app.org_id', …, true)`,
//! and the policies compare each row's `org_id` with that setting, so a query can
//! only see and write its own org's rows even if its SQL forgets the filter. With no
//! org set, tenant tables look empty (fail closed).
//!
//! Every operation is written once in `candor_store::sql`; this crate provides
//! the transaction port (connect, migrate, begin a scoped transaction, bind
//! values, take advisory locks).

use std::str::FromStr;

use candor_store::sql::{Arg, Dialect, Lock, Mode, SqlBackend, SqlConn, SqlRow, SqlTx};
use candor_store::tenancy::{GLOBAL_TABLES, TENANT_TABLES};
use candor_store::{OrgScope, Result, StoreError};
use sqlx::postgres::{PgArguments, PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::query::Query;
use sqlx::{AssertSqlSafe, Connection, PgConnection, PgPool, Postgres, Row, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

pub mod setup;
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
    (15, include_str!("../migrations/0015_tenant_registry.sql")),
    (16, include_str!("../migrations/0016_questionnaires.sql")),
    (17, include_str!("../migrations/0017_rate_limits.sql")),
    (18, include_str!("../migrations/0018_log_holds.sql")),
    (19, include_str!("../migrations/0019_org_published_at.sql")),
    (20, include_str!("../migrations/0020_incident_topic.sql")),
    (21, include_str!("../migrations/0021_daily_counts.sql")),
    (22, include_str!("../migrations/0022_reader_access.sql")),
    (23, include_str!("../migrations/0023_reader_locale.sql")),
    (24, include_str!("../migrations/0024_token_last_used.sql")),
    (25, include_str!("../migrations/0025_acme.sql")),
];

/// Serialises migrations from several replicas starting at once.
const MIGRATION_LOCK: i64 = 0x6361_6e64_6f72; // "candor"

pub struct PgStore {
    pool: PgPool,
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
            let mut conn = PgConnection::connect_with(&owner)
                .await
                .map_err(|e| setup::connect_error(e, &owner, "schema owner"))?;
            migrate(&mut conn, app.get_username())
                .await
                .map_err(|e| setup::migration_error(e, &owner))?;
            conn.close().await.map_err(StoreError::from)?;
        }
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect_with(app.clone())
            .await
            .map_err(|e| setup::connect_error(e, &app, "app"))?;
        check_app_role(&pool).await?;
        let store = PgStore { pool };
        candor_store::sql::backfill_logs(&store).await?;
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
        let mut tx = self
            .pool
            .begin_with(begin)
            .await
            .map_err(StoreError::from)?;
        sqlx::query("SELECT set_config('app.org_id', $1, true)")
            .bind(scope.org_id().to_string())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        Ok(tx)
    }

    /// The app role's pool, for tests that query outside any scope.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

async fn migrate(conn: &mut PgConnection, app_role: &str) -> Result<()> {
    let mut tx = conn.begin().await.map_err(StoreError::from)?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version bigint PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    let current: i64 =
        sqlx::query_scalar("SELECT coalesce(max(version), 0) FROM schema_migrations")
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::from)?;
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        sqlx::raw_sql(*sql)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        sqlx::query("INSERT INTO schema_migrations (version) VALUES ($1)")
            .bind(version)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
    }
    // Before any grant: a role that must be refused gets nothing.
    if let Some(problem) = app_role_problem(&mut tx, app_role).await? {
        return Err(StoreError::Backend(problem));
    }
    let role: String = sqlx::query_scalar("SELECT quote_ident($1)")
        .bind(app_role)
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    let grants = GLOBAL_TABLES
        .iter()
        .copied()
        .chain(TENANT_TABLES.iter().map(|t| (t.name, t.app_grants)));
    for (table, privileges) in grants {
        // `role` was quoted by the server and `table`/`privileges` are constants.
        let sql = format!("GRANT {privileges} ON {table} TO {role}");
        sqlx::query(AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
    }
    register_tenant_tables(&mut tx).await?;
    // `role` was quoted by the server.
    sqlx::query(AssertSqlSafe(format!(
        "GRANT EXECUTE ON FUNCTION candor_erase_org(uuid) TO {role}"
    )))
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    tx.commit().await.map_err(StoreError::from)
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
    .map_err(StoreError::from)?;
    let Some(row) = row else {
        return Ok(Some(format!("there is no role {role:?}")));
    };
    let superuser: bool = row.try_get("rolsuper").map_err(StoreError::from)?;
    let bypass: bool = row.try_get("rolbypassrls").map_err(StoreError::from)?;
    let owned_relations: i64 = row.try_get("owned_relations").map_err(StoreError::from)?;
    let owned_functions: i64 = row.try_get("owned_functions").map_err(StoreError::from)?;
    let owns_schema: bool = row.try_get("owns_schema").map_err(StoreError::from)?;
    let can_create: bool = row.try_get("can_create").map_err(StoreError::from)?;
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
    let mut conn = pool.acquire().await.map_err(StoreError::from)?;
    let (role, has_schema): (String, bool) =
        sqlx::query_as("SELECT current_user::text, to_regclass('revisions') IS NOT NULL")
            .fetch_one(&mut *conn)
            .await
            .map_err(StoreError::from)?;
    if let Some(problem) = app_role_problem(&mut conn, &role).await? {
        return Err(StoreError::Backend(problem));
    }
    if !has_schema {
        return Err(StoreError::Backend(
            "the schema is missing: run `candor db migrate` with the schema owner's URL (--database-owner-url) to create it".into(),
        ));
    }
    Ok(())
}

/// Makes the database agree with Candor's list of tenant tables: the erase
/// function walks `candor_tenant_tables`, and every isolated table has row-level
/// security forced with the standard policy (a table whose migration forgot it
/// gets it here, before any app connection can read it).
async fn register_tenant_tables(conn: &mut PgConnection) -> Result<()> {
    sqlx::query("DELETE FROM candor_tenant_tables")
        .execute(&mut *conn)
        .await?;
    for (order, table) in (0i32..).zip(TENANT_TABLES) {
        sqlx::query("INSERT INTO candor_tenant_tables (name, erase_order) VALUES ($1, $2)")
            .bind(table.name)
            .bind(order)
            .execute(&mut *conn)
            .await?;
        if !table.isolated {
            continue;
        }
        let name = table.name;
        // `name` is a constant from the registry.
        sqlx::raw_sql(AssertSqlSafe(format!(
            "ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;
             ALTER TABLE {name} FORCE ROW LEVEL SECURITY;"
        )))
        .execute(&mut *conn)
        .await?;
        let has_policy: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_policies
              WHERE schemaname = current_schema() AND tablename = $1 AND policyname = 'tenant_isolation')",
        )
        .bind(name)
        .fetch_one(&mut *conn)
        .await?;
        if !has_policy {
            sqlx::query(AssertSqlSafe(format!(
                "CREATE POLICY tenant_isolation ON {name}
                   USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
                   WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid)"
            )))
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// A PostgreSQL transaction (or, for unscoped reads, a pooled connection).
pub struct PgTx {
    conn: SqlConn<Postgres>,
}

fn bind<'q>(
    query: Query<'q, Postgres, PgArguments>,
    arg: &Arg<'_>,
) -> Query<'q, Postgres, PgArguments> {
    match *arg {
        Arg::Id(v) => query.bind(v),
        Arg::OptId(v) => query.bind(v),
        Arg::Text(v) => query.bind(v.to_owned()),
        Arg::OptText(v) => query.bind(v.map(str::to_owned)),
        Arg::Int(v) => query.bind(v),
        Arg::OptInt(v) => query.bind(v),
        Arg::Bytes(v) => query.bind(v.to_vec()),
        Arg::OptBytes(v) => query.bind(v.map(<[u8]>::to_vec)),
        Arg::Time(v) => query.bind(v),
        Arg::OptTime(v) => query.bind(v),
        Arg::Bool(v) => query.bind(v),
    }
}

fn prepare<'q>(sql: &'static str, args: &[Arg<'_>]) -> Query<'q, Postgres, PgArguments> {
    args.iter().fold(sqlx::query(sql), bind)
}

impl SqlTx for PgTx {
    type Row = PgValues;

    async fn fetch_all(&mut self, sql: &'static str, args: &[Arg<'_>]) -> Result<Vec<PgValues>> {
        let rows = prepare(sql, args).fetch_all(self.conn.get()).await?;
        Ok(rows.into_iter().map(PgValues).collect())
    }

    async fn fetch_optional(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> Result<Option<PgValues>> {
        Ok(prepare(sql, args)
            .fetch_optional(self.conn.get())
            .await?
            .map(PgValues))
    }

    async fn execute(&mut self, sql: &'static str, args: &[Arg<'_>]) -> Result<u64> {
        Ok(prepare(sql, args)
            .execute(self.conn.get())
            .await?
            .rows_affected())
    }

    /// An advisory lock per org and purpose, held until the transaction ends.
    async fn lock(&mut self, scope: &OrgScope, lock: Lock) -> Result<()> {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, $2))")
            .bind(scope.org_id().to_string())
            .bind(lock as i64)
            .execute(self.conn.get())
            .await?;
        Ok(())
    }

    async fn commit(self) -> Result<()> {
        self.conn.commit().await
    }
}

/// A row, read back into Candor's types.
pub struct PgValues(PgRow);

impl PgValues {
    fn get<'r, T: sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>>(
        &'r self,
        col: &str,
    ) -> Result<T> {
        Ok(self.0.try_get(col)?)
    }

    /// Integers are bigint, integer or smallint by column; all read as i64.
    fn wide(&self, col: &str) -> Result<Option<i64>> {
        if let Ok(v) = self.0.try_get::<Option<i64>, _>(col) {
            return Ok(v);
        }
        if let Ok(v) = self.0.try_get::<Option<i32>, _>(col) {
            return Ok(v.map(i64::from));
        }
        Ok(self.get::<Option<i16>>(col)?.map(i64::from))
    }
}

impl SqlRow for PgValues {
    fn id(&self, col: &str) -> Result<Uuid> {
        self.get(col)
    }
    fn opt_id(&self, col: &str) -> Result<Option<Uuid>> {
        self.get(col)
    }
    fn text(&self, col: &str) -> Result<String> {
        self.get(col)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>> {
        self.get(col)
    }
    fn int(&self, col: &str) -> Result<i64> {
        self.wide(col)?
            .ok_or_else(|| StoreError::Corrupt(format!("{col} is null")))
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>> {
        self.wide(col)
    }
    fn bytes(&self, col: &str) -> Result<Vec<u8>> {
        self.get(col)
    }
    fn opt_bytes(&self, col: &str) -> Result<Option<Vec<u8>>> {
        self.get(col)
    }
    fn time(&self, col: &str) -> Result<OffsetDateTime> {
        self.get(col)
    }
    fn opt_time(&self, col: &str) -> Result<Option<OffsetDateTime>> {
        self.get(col)
    }
    fn bool(&self, col: &str) -> Result<bool> {
        self.get(col)
    }
}

impl PgStore {
    async fn begin_as(&self, mode: Mode, setting: Option<(&str, String)>) -> Result<PgTx> {
        let begin = match mode {
            Mode::Read | Mode::Write => "BEGIN",
            // One snapshot for every read, so that a write committed meanwhile
            // cannot make them disagree (an audit log and its head).
            Mode::Snapshot => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        };
        let mut tx = self.pool.begin_with(begin).await?;
        if let Some((name, value)) = setting {
            sqlx::query("SELECT set_config($1, $2, true)")
                .bind(name)
                .bind(value)
                .execute(&mut *tx)
                .await?;
        }
        Ok(PgTx {
            conn: SqlConn::Tx(tx),
        })
    }
}

impl SqlBackend for PgStore {
    type Tx = PgTx;
    const DIALECT: Dialect = Dialect::Postgres;
    const NAME: &'static str = "postgres";

    /// Row-level security admits only the org's rows, whatever the SQL says.
    async fn begin(&self, scope: &OrgScope, mode: Mode) -> Result<PgTx> {
        self.begin_as(mode, Some(("app.org_id", scope.org_id().to_string())))
            .await
    }

    async fn begin_global(&self, mode: Mode) -> Result<PgTx> {
        if mode == Mode::Read {
            return Ok(PgTx {
                conn: SqlConn::Plain(self.pool.acquire().await?),
            });
        }
        self.begin_as(mode, None).await
    }

    async fn begin_user(&self, user_id: Uuid, mode: Mode) -> Result<PgTx> {
        self.begin_as(mode, Some(("app.user_id", user_id.to_string())))
            .await
    }

    /// The app role may not delete from the insert-only tables: a function owned
    /// by the schema owner does, walking `candor_tenant_tables`.
    fn pool_stats(&self) -> candor_store::PoolStats {
        candor_store::PoolStats {
            open: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
            max: self.pool.options().get_max_connections(),
        }
    }

    async fn erase_org(&self, scope: OrgScope) -> Result<()> {
        let mut tx = self.begin(&scope, Mode::Write).await?;
        tx.execute("SELECT candor_erase_org($1)", &[Arg::Id(scope.org_id())])
            .await?;
        tx.commit().await
    }
}
