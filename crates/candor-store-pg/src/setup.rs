//! What an operator setting PostgreSQL up needs: migrations run on purpose
//! (`candor db migrate`), a check that lists every problem with its fix
//! (`candor db check`), and connection and migration errors that say what to
//! run instead of PostgreSQL's bare message.

use std::str::FromStr;

use candor_store::tenancy::{GLOBAL_TABLES, TENANT_TABLES};
use candor_store::{Result, StoreError};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection, Row};

use crate::{MIGRATIONS, app_role_problem, config, migrate};

/// The database a URL names (PostgreSQL's default: the user's name).
fn database_of(options: &PgConnectOptions) -> &str {
    options
        .get_database()
        .unwrap_or_else(|| options.get_username())
}

/// Why connecting as `options` failed, and what to run about it.
pub(crate) fn connect_error(e: sqlx::Error, options: &PgConnectOptions, which: &str) -> StoreError {
    let role = options.get_username();
    let database = database_of(options);
    let fix = match &e {
        sqlx::Error::Database(db) => {
            let message = db.message();
            match db.code().as_deref() {
                Some("3D000") => format!(
                    "database \"{database}\" does not exist. Create it, owned by the schema owner role: CREATE DATABASE {database} OWNER <owner role>;"
                ),
                Some("28000") if message.contains("not permitted to log in") => {
                    format!("role \"{role}\" may not log in. Allow it: ALTER ROLE {role} LOGIN;")
                }
                Some("28000") if message.contains("does not exist") => format!(
                    "role \"{role}\" does not exist. Create it: CREATE ROLE {role} LOGIN PASSWORD '…';"
                ),
                Some("28P01") => format!(
                    "PostgreSQL refused the password for role \"{role}\": check the password in the URL, or set it: ALTER ROLE {role} PASSWORD '…';"
                ),
                Some("42501") if message.contains("CONNECT") => format!(
                    "role \"{role}\" may not connect to database \"{database}\". Allow it: GRANT CONNECT ON DATABASE {database} TO {role};"
                ),
                Some("28000") => format!(
                    "PostgreSQL refused role \"{role}\" ({message}): allow it in pg_hba.conf"
                ),
                _ => message.to_owned(),
            }
        }
        sqlx::Error::Io(io) => format!(
            "cannot reach PostgreSQL at {}:{} ({io}): is it running, and listening there?",
            options.get_host(),
            options.get_port()
        ),
        other => other.to_string(),
    };
    StoreError::Backend(format!("connecting as the {which} role \"{role}\": {fix}"))
}

/// Why a migration failed, with the fix when it is a missing privilege.
pub(crate) fn migration_error(e: StoreError, owner: &PgConnectOptions) -> StoreError {
    let text = e.to_string();
    if text.contains("permission denied for schema") {
        let (role, database) = (owner.get_username(), database_of(owner));
        return StoreError::Backend(format!(
            "the schema owner role \"{role}\" may not create tables in the schema. Make it the database's owner (ALTER DATABASE {database} OWNER TO {role};) or grant it: GRANT CREATE ON SCHEMA public TO {role};"
        ));
    }
    e
}

/// Brings the schema up to date as its owner and grants the app role what it
/// needs; the schema's version after.
pub async fn migrate_schema(app_url: &str, owner_url: &str) -> Result<i64> {
    let app = PgConnectOptions::from_str(app_url).map_err(config)?;
    let owner = PgConnectOptions::from_str(owner_url).map_err(config)?;
    let mut conn = PgConnection::connect_with(&owner)
        .await
        .map_err(|e| connect_error(e, &owner, "schema owner"))?;
    migrate(&mut conn, app.get_username())
        .await
        .map_err(|e| migration_error(e, &owner))?;
    let version: i64 =
        sqlx::query_scalar("SELECT coalesce(max(version), 0) FROM schema_migrations")
            .fetch_one(&mut conn)
            .await
            .map_err(StoreError::from)?;
    conn.close().await.map_err(StoreError::from)?;
    Ok(version)
}

/// The version of the schema this build expects.
pub fn expected_schema_version() -> i64 {
    MIGRATIONS.last().map_or(0, |(v, _)| *v)
}

/// Every problem with the database as the app role (`app_url`) would use it,
/// each with its fix; empty when Candor can run.
pub async fn check(app_url: &str) -> Result<Vec<String>> {
    let app = PgConnectOptions::from_str(app_url).map_err(config)?;
    let mut conn = match PgConnection::connect_with(&app).await {
        Ok(conn) => conn,
        Err(e) => return Ok(vec![connect_error(e, &app, "app").to_string()]),
    };
    let mut problems = Vec::new();
    let role = app.get_username();
    if let Some(problem) = app_role_problem(&mut conn, role).await? {
        problems.push(problem);
    }
    let migrate_hint = "run `candor db migrate` with the schema owner's URL (--database-owner-url): migrations create the tables and grant the app role what it needs";
    let mut missing = Vec::new();
    let mut ungranted = Vec::new();
    let tables = GLOBAL_TABLES
        .iter()
        .copied()
        .chain(TENANT_TABLES.iter().map(|t| (t.name, t.app_grants)));
    for (table, grants) in tables {
        let exists: bool = sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
            .bind(table)
            .fetch_one(&mut conn)
            .await
            .map_err(StoreError::from)?;
        if !exists {
            missing.push(table);
            continue;
        }
        for privilege in grants.split(',').map(str::trim) {
            // `UPDATE (column)` is a column privilege: asked of that column.
            let granted: bool = match privilege.split_once(" (") {
                Some((kind, column)) => {
                    sqlx::query_scalar("SELECT has_column_privilege($1, $2, $3)")
                        .bind(table)
                        .bind(column.trim_end_matches(')'))
                        .bind(kind)
                        .fetch_one(&mut conn)
                        .await
                }
                None => {
                    sqlx::query_scalar("SELECT has_table_privilege($1, $2)")
                        .bind(table)
                        .bind(privilege)
                        .fetch_one(&mut conn)
                        .await
                }
            }
            .map_err(StoreError::from)?;
            if !granted {
                ungranted.push(format!("{privilege} on {table}"));
            }
        }
    }
    if !missing.is_empty() {
        problems.push(format!(
            "the schema is missing or older than this build (no table {}): {migrate_hint}",
            missing.join(", ")
        ));
    }
    if !ungranted.is_empty() {
        problems.push(format!(
            "the app role \"{role}\" lacks {}: {migrate_hint}",
            ungranted.join(", ")
        ));
    }
    for table in TENANT_TABLES.iter().filter(|t| t.isolated) {
        if missing.contains(&table.name) {
            continue;
        }
        let row = sqlx::query(
            "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = to_regclass($1)",
        )
        .bind(table.name)
        .fetch_one(&mut conn)
        .await
        .map_err(StoreError::from)?;
        let enabled: bool = row.try_get(0).map_err(StoreError::from)?;
        let forced: bool = row.try_get(1).map_err(StoreError::from)?;
        if !(enabled && forced) {
            problems.push(format!(
                "row-level security is not forced on {}: {migrate_hint}",
                table.name
            ));
        }
    }
    conn.close().await.map_err(StoreError::from)?;
    Ok(problems)
}
