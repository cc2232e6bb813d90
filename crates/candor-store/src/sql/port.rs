//! The transaction port: the little a backend must provide so that every
//! store operation can be written once, above it.
//!
//! A backend knows how to open a transaction on an org (SQLite: `BEGIN
//! IMMEDIATE` for writes, since SQLite has one writer; PostgreSQL: `BEGIN` and
//! `set_config('app.org_id', …)` so row-level security admits only that org's
//! rows), how to bind an [`Arg`] and read a column of a [`SqlRow`] in its own
//! types (SQLite keeps ids and times as text, PostgreSQL as `uuid` and
//! `timestamptz`), and how to take a per-org lock. Everything else, including
//! the SQL, lives in `candor_store::sql`.

use std::future::Future;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{OrgScope, Result};

/// Which SQL dialect a statement is for, where the two differ.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// One bound parameter, in Candor's types; the backend encodes it.
#[derive(Clone, Copy, Debug)]
pub enum Arg<'a> {
    Id(Uuid),
    OptId(Option<Uuid>),
    Text(&'a str),
    OptText(Option<&'a str>),
    Int(i64),
    OptInt(Option<i64>),
    Bytes(&'a [u8]),
    OptBytes(Option<&'a [u8]>),
    Time(OffsetDateTime),
    OptTime(Option<OffsetDateTime>),
    Bool(bool),
}

impl From<Uuid> for Arg<'_> {
    fn from(v: Uuid) -> Self {
        Arg::Id(v)
    }
}
impl From<Option<Uuid>> for Arg<'_> {
    fn from(v: Option<Uuid>) -> Self {
        Arg::OptId(v)
    }
}
impl<'a> From<&'a str> for Arg<'a> {
    fn from(v: &'a str) -> Self {
        Arg::Text(v)
    }
}
impl<'a> From<&'a String> for Arg<'a> {
    fn from(v: &'a String) -> Self {
        Arg::Text(v)
    }
}
impl<'a> From<Option<&'a str>> for Arg<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Arg::OptText(v)
    }
}
impl<'a> From<&'a Option<String>> for Arg<'a> {
    fn from(v: &'a Option<String>) -> Self {
        Arg::OptText(v.as_deref())
    }
}
impl From<i64> for Arg<'_> {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}
impl From<i32> for Arg<'_> {
    fn from(v: i32) -> Self {
        Arg::Int(i64::from(v))
    }
}
impl From<Option<i64>> for Arg<'_> {
    fn from(v: Option<i64>) -> Self {
        Arg::OptInt(v)
    }
}
impl<'a> From<&'a [u8]> for Arg<'a> {
    fn from(v: &'a [u8]) -> Self {
        Arg::Bytes(v)
    }
}
impl<'a> From<&'a Vec<u8>> for Arg<'a> {
    fn from(v: &'a Vec<u8>) -> Self {
        Arg::Bytes(v)
    }
}
impl<'a> From<Option<&'a [u8]>> for Arg<'a> {
    fn from(v: Option<&'a [u8]>) -> Self {
        Arg::OptBytes(v)
    }
}
impl From<OffsetDateTime> for Arg<'_> {
    fn from(v: OffsetDateTime) -> Self {
        Arg::Time(v)
    }
}
impl From<Option<OffsetDateTime>> for Arg<'_> {
    fn from(v: Option<OffsetDateTime>) -> Self {
        Arg::OptTime(v)
    }
}
impl From<bool> for Arg<'_> {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}

/// `args![a, b]`: the parameters `$1`, `$2` of a statement.
#[macro_export]
macro_rules! args {
    ($($arg:expr),* $(,)?) => {
        &[$($crate::sql::Arg::from($arg)),*]
    };
}

/// One row of a result, read by column name in Candor's types.
pub trait SqlRow: Send + Sync {
    fn id(&self, col: &str) -> Result<Uuid>;
    fn opt_id(&self, col: &str) -> Result<Option<Uuid>>;
    fn text(&self, col: &str) -> Result<String>;
    fn opt_text(&self, col: &str) -> Result<Option<String>>;
    fn int(&self, col: &str) -> Result<i64>;
    fn opt_int(&self, col: &str) -> Result<Option<i64>>;
    fn bytes(&self, col: &str) -> Result<Vec<u8>>;
    fn opt_bytes(&self, col: &str) -> Result<Option<Vec<u8>>>;
    fn time(&self, col: &str) -> Result<OffsetDateTime>;
    fn opt_time(&self, col: &str) -> Result<Option<OffsetDateTime>>;
    fn bool(&self, col: &str) -> Result<bool>;
}

/// What a transaction is for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// One read statement (or several whose agreement does not matter).
    Read,
    /// Several reads that must see one moment.
    Snapshot,
    /// Writes: committed together or not at all, one writer per org at a time
    /// for the writes that take [`SqlTx::lock`].
    Write,
}

/// A per-org lock held until the transaction ends. SQLite's write transactions
/// already exclude each other; PostgreSQL takes an advisory lock.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Lock {
    /// Numbering revisions and log entries.
    Publish = 0,
    /// Chaining audit entries.
    Audit = 1,
}

/// An open transaction (or, for [`Mode::Read`], a connection).
/// Dropping it without [`SqlTx::commit`] rolls back.
pub trait SqlTx: Send {
    type Row: SqlRow;

    fn fetch_all(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> impl Future<Output = Result<Vec<Self::Row>>> + Send;

    fn fetch_optional(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> impl Future<Output = Result<Option<Self::Row>>> + Send;

    /// Runs a statement; the number of rows it changed.
    fn execute(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> impl Future<Output = Result<u64>> + Send;

    fn lock(&mut self, scope: &OrgScope, lock: Lock) -> impl Future<Output = Result<()>> + Send;

    fn commit(self) -> impl Future<Output = Result<()>> + Send;
}

/// A database Candor can run on. Implementing this (and the migrations) is all a
/// backend does; [`crate::Store`] is implemented once for every `SqlBackend`.
pub trait SqlBackend: Send + Sync + 'static {
    type Tx: SqlTx;
    const DIALECT: Dialect;
    /// "sqlite" or "postgres", for logs and /readyz.
    const NAME: &'static str;

    /// A transaction over one org's rows.
    fn begin(&self, scope: &OrgScope, mode: Mode) -> impl Future<Output = Result<Self::Tx>> + Send;

    /// A transaction over the tables that belong to no org (users, sessions,
    /// the org directory).
    fn begin_global(&self, mode: Mode) -> impl Future<Output = Result<Self::Tx>> + Send;

    /// A transaction over one user's rows across orgs (their memberships): on
    /// PostgreSQL the policies admit a user's own memberships in every org.
    fn begin_user(
        &self,
        user_id: uuid::Uuid,
        mode: Mode,
    ) -> impl Future<Output = Result<Self::Tx>> + Send;

    /// The connection pool's occupancy, for metrics.
    fn pool_stats(&self) -> crate::PoolStats;

    /// Deletes every row of an org, children first, and the org itself.
    /// PostgreSQL's app role may not delete from the insert-only tables, so it
    /// asks a function owned by the schema owner; SQLite deletes them itself.
    fn erase_org(&self, scope: OrgScope) -> impl Future<Output = Result<()>> + Send;
}

/// Picks the statement for the backend's dialect where the two differ.
pub const fn dialect_sql<B: SqlBackend>(
    sqlite: &'static str,
    postgres: &'static str,
) -> &'static str {
    match B::DIALECT {
        Dialect::Sqlite => sqlite,
        Dialect::Postgres => postgres,
    }
}

/// A statement only PostgreSQL needs (row locks: SQLite's write transactions
/// already exclude each other).
pub const fn postgres_only<B: SqlBackend>(postgres: &'static str) -> Option<&'static str> {
    match B::DIALECT {
        Dialect::Sqlite => None,
        Dialect::Postgres => Some(postgres),
    }
}

/// What a backend's [`SqlTx`] holds: a pooled connection for one unscoped read,
/// or a transaction. The same for every sqlx driver, so written once.
pub enum SqlConn<DB: sqlx::Database> {
    Plain(sqlx::pool::PoolConnection<DB>),
    Tx(sqlx::Transaction<'static, DB>),
}

impl<DB: sqlx::Database> SqlConn<DB> {
    /// The connection statements run on.
    pub fn get(&mut self) -> &mut DB::Connection {
        match self {
            SqlConn::Plain(c) => c,
            SqlConn::Tx(t) => t,
        }
    }

    /// Commits a transaction; a plain connection has nothing to commit.
    pub async fn commit(self) -> Result<()> {
        match self {
            SqlConn::Plain(_) => Ok(()),
            SqlConn::Tx(tx) => Ok(tx.commit().await?),
        }
    }
}
