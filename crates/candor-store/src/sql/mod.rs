//! Every store operation, written once over the transaction port ([`port`]).
//!
//! Each area has its file, which implements that area's trait for every
//! [`SqlBackend`] (`directory.rs`: [`crate::Directory`], `content.rs`:
//! [`crate::Content`], …). A backend crate implements only `SqlBackend` (how to
//! connect, migrate, open a transaction and bind values) and so gets every area,
//! that is, [`crate::Store`].

mod port;
pub use port::{
    Arg, Dialect, Lock, Mode, SqlBackend, SqlConn, SqlRow, SqlTx, dialect_sql, postgres_only,
};

pub(crate) mod accounts;
pub(crate) mod analytics;
pub(crate) mod audit;
pub(crate) mod certificates;
pub(crate) mod content;
pub(crate) mod directory;
pub(crate) mod documents;
pub(crate) mod evidence;
pub(crate) mod log;
pub(crate) mod outbox;
pub(crate) mod privacy;
pub(crate) mod questionnaires;
pub(crate) mod readers;
pub(crate) mod reports;
pub(crate) mod secrets;

pub use content::backfill_logs;

use time::OffsetDateTime;

use crate::{OrgScope, Result, StoreError};

/// `t` at the microsecond precision PostgreSQL keeps, so values read back
/// compare equal on both backends.
pub(crate) fn micros(t: OffsetDateTime) -> Result<OffsetDateTime> {
    t.replace_nanosecond(t.nanosecond() / 1000 * 1000)
        .map_err(|e| StoreError::Backend(e.to_string()))
}

/// Now, at microsecond precision (see [`micros`]).
pub(crate) fn now_micros() -> Result<OffsetDateTime> {
    micros(OffsetDateTime::now_utc())
}

/// For `map_err`: a stored value that does not parse.
pub(crate) fn corrupt<E: std::fmt::Display>(what: &str) -> impl Fn(E) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("{what}: {e}"))
}

/// A stored integer that must fit the Rust type it stands for.
pub(crate) fn int_as<T: TryFrom<i64>>(row: &impl SqlRow, col: &str) -> Result<T> {
    let n = row.int(col)?;
    T::try_from(n).map_err(|_| StoreError::Corrupt(format!("{col} out of range: {n}")))
}

/// A count or index for a statement parameter.
pub(crate) fn to_i64(n: u64, what: &str) -> Result<i64> {
    i64::try_from(n).map_err(|_| StoreError::Corrupt(format!("{what} overflow")))
}

/// One read in the org's scope.
pub(crate) async fn read_one<B: SqlBackend>(
    b: &B,
    scope: &OrgScope,
    sql: &'static str,
    args: &[Arg<'_>],
) -> Result<Option<<B::Tx as SqlTx>::Row>> {
    let mut tx = b.begin(scope, Mode::Read).await?;
    let row = tx.fetch_optional(sql, args).await?;
    tx.commit().await?;
    Ok(row)
}

/// One read of many rows in the org's scope.
pub(crate) async fn read_all<B: SqlBackend>(
    b: &B,
    scope: &OrgScope,
    sql: &'static str,
    args: &[Arg<'_>],
) -> Result<Vec<<B::Tx as SqlTx>::Row>> {
    let mut tx = b.begin(scope, Mode::Read).await?;
    let rows = tx.fetch_all(sql, args).await?;
    tx.commit().await?;
    Ok(rows)
}

/// One read of the tables that belong to no org.
pub(crate) async fn read_global_one<B: SqlBackend>(
    b: &B,
    sql: &'static str,
    args: &[Arg<'_>],
) -> Result<Option<<B::Tx as SqlTx>::Row>> {
    let mut tx = b.begin_global(Mode::Read).await?;
    let row = tx.fetch_optional(sql, args).await?;
    tx.commit().await?;
    Ok(row)
}

/// One read of many rows of the tables that belong to no org.
pub(crate) async fn read_global_all<B: SqlBackend>(
    b: &B,
    sql: &'static str,
    args: &[Arg<'_>],
) -> Result<Vec<<B::Tx as SqlTx>::Row>> {
    let mut tx = b.begin_global(Mode::Read).await?;
    let rows = tx.fetch_all(sql, args).await?;
    tx.commit().await?;
    Ok(rows)
}
